/* tr-metrics-text.c: the Prometheus text exposition format, 0.0.4
 *
 * https://prometheus.io/docs/instrumenting/exposition_formats/
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "tr-metrics-text.h"

#include <math.h>
#include <string.h>

void
tr_histogram_init (TrHistogram *histogram, const double *bounds, guint n_bounds)
{
  histogram->bounds = bounds;
  histogram->n_bounds = n_bounds;
  histogram->counts = g_new0 (guint64, n_bounds + 1);
  histogram->sum = 0;
  histogram->count = 0;
}

void
tr_histogram_clear (TrHistogram *histogram)
{
  g_clear_pointer (&histogram->counts, g_free);
}

void
tr_histogram_observe (TrHistogram *histogram, double value)
{
  guint i = 0;

  /* A bucket counts what is less than or equal to its bound. */
  while (i < histogram->n_bounds && value > histogram->bounds[i])
    i++;
  histogram->counts[i]++;
  histogram->sum += value;
  histogram->count++;
}

void
tr_metrics_format_value (double value, char buffer[G_ASCII_DTOSTR_BUF_SIZE])
{
  if (isnan (value))
    g_strlcpy (buffer, "NaN", G_ASCII_DTOSTR_BUF_SIZE);
  else if (isinf (value))
    g_strlcpy (buffer, value > 0 ? "+Inf" : "-Inf", G_ASCII_DTOSTR_BUF_SIZE);
  /* Counters are integers: "12", not "12.0" or "1.2e+01", for whole
   * numbers a double holds exactly. */
  else if (value == floor (value) && fabs (value) < 1e15)
    g_snprintf (buffer, G_ASCII_DTOSTR_BUF_SIZE, "%.0f", value);
  else
    {
      /* The shortest that reads back the same: "0.005", where %.17g
       * would write "0.0050000000000000001". */
      for (int precision = 15; precision <= 17; precision++)
        {
          char format[8];

          g_snprintf (format, sizeof format, "%%.%dg", precision);
          g_ascii_formatd (buffer, G_ASCII_DTOSTR_BUF_SIZE, format, value);
          if (g_ascii_strtod (buffer, NULL) == value)
            break;
        }
    }
}

static char *
escape (const char *text, gboolean quote)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p++)
    {
      if (*p == '\\')
        g_string_append (out, "\\\\");
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '"' && quote)
        g_string_append (out, "\\\"");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

char *
tr_metrics_escape_label_value (const char *value)
{
  return escape (value != NULL ? value : "", TRUE);
}

char *
tr_metrics_escape_help (const char *text)
{
  return escape (text != NULL ? text : "", FALSE);
}

void
tr_metrics_text_family (GString *out, const char *name, const char *type, const char *help)
{
  g_autofree char *escaped = tr_metrics_escape_help (help);

  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", name, escaped, name, type);
}

static void
append_labels (GString *out, const char *const *labels, const char *le)
{
  gboolean any = FALSE;

  for (guint i = 0; labels != NULL && labels[i] != NULL && labels[i + 1] != NULL; i += 2)
    {
      g_autofree char *value = tr_metrics_escape_label_value (labels[i + 1]);

      g_string_append_printf (out, "%s%s=\"%s\"", any ? "," : "{", labels[i], value);
      any = TRUE;
    }
  if (le != NULL)
    {
      g_string_append_printf (out, "%sle=\"%s\"", any ? "," : "{", le);
      any = TRUE;
    }
  if (any)
    g_string_append_c (out, '}');
}

static void
append_sample (GString *out, const char *name, const char *suffix, const char *const *labels,
               const char *le, double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  tr_metrics_format_value (value, buffer);
  g_string_append (out, name);
  g_string_append (out, suffix);
  append_labels (out, labels, le);
  g_string_append_c (out, ' ');
  g_string_append (out, buffer);
  g_string_append_c (out, '\n');
}

void
tr_metrics_text_sample (GString *out, const char *name, const char *const *labels, double value)
{
  append_sample (out, name, "", labels, NULL, value);
}

void
tr_metrics_text_histogram (GString *out, const char *name, const char *const *labels,
                           const TrHistogram *histogram)
{
  guint64 cumulative = 0;
  char le[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < histogram->n_bounds; i++)
    {
      cumulative += histogram->counts[i];
      tr_metrics_format_value (histogram->bounds[i], le);
      append_sample (out, name, "_bucket", labels, le, (double)cumulative);
    }
  append_sample (out, name, "_bucket", labels, "+Inf", (double)histogram->count);
  append_sample (out, name, "_sum", labels, NULL, histogram->sum);
  append_sample (out, name, "_count", labels, NULL, (double)histogram->count);
}
