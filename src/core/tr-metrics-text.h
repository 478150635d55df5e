/* tr-metrics-text.h: the Prometheus text exposition format, 0.0.4
 *
 * Pure: it appends to a GString and knows nothing of the host. One
 * family is its HELP and TYPE lines then its samples, all together, as
 * the format requires; docs/monitoring.md lists what the host exposes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TR_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Buckets are upper bounds, ascending; the +Inf bucket is implicit. */
typedef struct
{
  const double *bounds;
  guint n_bounds;
  guint64 *counts; /* n_bounds + 1, not cumulative: counts[n_bounds] is above the last */
  double sum;
  guint64 count;
} TrHistogram;

/* @bounds must outlive the histogram (a static array). */
void
tr_histogram_init (TrHistogram *histogram, const double *bounds, guint n_bounds);
void
tr_histogram_clear (TrHistogram *histogram);
void
tr_histogram_observe (TrHistogram *histogram, double value);

/* "# HELP name help" and "# TYPE name type"; @type is "counter",
 * "gauge", "histogram" (or "untyped"). */
void
tr_metrics_text_family (GString *out, const char *name, const char *type, const char *help);

/* "name{k="v",…} value". @labels is NULL or key, value, key, value, …,
 * NULL; label values are escaped. */
void
tr_metrics_text_sample (GString *out, const char *name, const char *const *labels, double value);

/* The _bucket (cumulative, with le), _sum and _count lines of one
 * histogram, with @labels before le. */
void
tr_metrics_text_histogram (GString *out, const char *name, const char *const *labels,
                           const TrHistogram *histogram);

/* A label value as the format escapes it: backslash, double quote and
 * line feed. Invalid UTF-8 becomes U+FFFD, as the format is UTF-8. */
char *
tr_metrics_escape_label_value (const char *value);

/* A HELP text: backslash and line feed only. */
char *
tr_metrics_escape_help (const char *text);

/* A value as Prometheus writes it: "+Inf", "-Inf", "NaN", or the
 * shortest decimal that reads back to the same double. */
void
tr_metrics_format_value (double value, char buffer[G_ASCII_DTOSTR_BUF_SIZE]);

G_END_DECLS
