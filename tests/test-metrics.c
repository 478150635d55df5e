/* test-metrics.c: the Prometheus exposition writer, and GET /metrics on
 * a real host
 *
 * The writer's escaping and histograms are checked line by line; the
 * host's output goes through a strict parser of the text format 0.0.4
 * (below), which refuses anything Prometheus would refuse and a few
 * things it only frowns on (a family split in two, a counter without
 * _total, buckets that are not cumulative). Then ops flow over a real
 * WebSocket on loopback and the counters must move.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-metrics"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#include "tr-codec.h"
#include "tr-host.h"
#include "tr-metrics-text.h"
#include "tr-metrics.h"
#include "tr-protocol.h"
#include "tr-store.h"
#include "tr-test-peer.h"

/* Only bounds how long a test waits before calling it a failure. */
#define GIVE_UP_MS 120000

/* ---- A strict parser of the text format ---- */

typedef struct
{
  char *name;
  char *type; /* NULL until its TYPE line */
  gboolean has_help;
  gboolean has_samples;
  gboolean closed; /* another family came after it */
} Family;

typedef struct
{
  GHashTable *families; /* name → Family* */
  char *current;        /* the family of the last line */
  GHashTable *samples;  /* "name{k="v",…}" with labels sorted → double* */
  GHashTable *hist_le;  /* histogram series without le → last cumulative count (double*) */
} Parsed;

static void
family_free (gpointer data)
{
  Family *family = data;

  g_free (family->name);
  g_free (family->type);
  g_free (family);
}

static void
parsed_free (Parsed *parsed)
{
  g_hash_table_unref (parsed->families);
  g_hash_table_unref (parsed->samples);
  g_hash_table_unref (parsed->hist_le);
  g_free (parsed->current);
  g_free (parsed);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Parsed, parsed_free)

static gboolean
is_name_char (char c, gboolean first, gboolean colon)
{
  return g_ascii_isalpha (c) || c == '_' || (colon && c == ':') || (!first && g_ascii_isdigit (c));
}

/* Reads a metric name (@colon) or label name at *@p. */
static char *
read_name (const char **p, gboolean colon, GError **error)
{
  const char *start = *p;

  if (!is_name_char (**p, TRUE, colon))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad name at \"%s\"", start);
      return NULL;
    }
  while (is_name_char (**p, FALSE, colon))
    (*p)++;
  return g_strndup (start, *p - start);
}

static gboolean
read_value (const char *text, double *out)
{
  char *end = NULL;

  if (g_str_equal (text, "+Inf") || g_str_equal (text, "-Inf") || g_str_equal (text, "NaN"))
    {
      *out = g_str_equal (text, "NaN") ? NAN : g_str_equal (text, "+Inf") ? INFINITY : -INFINITY;
      return TRUE;
    }
  if (*text == '\0' || g_ascii_isspace (*text))
    return FALSE;
  *out = g_ascii_strtod (text, &end);
  return end != NULL && *end == '\0' && isfinite (*out);
}

/* The family a sample name belongs to: a histogram's _bucket, _sum and
 * _count are its own. */
static Family *
sample_family (Parsed *parsed, const char *name, const char **suffix)
{
  static const char *const suffixes[] = { "_bucket", "_sum", "_count" };
  Family *family = g_hash_table_lookup (parsed->families, name);

  *suffix = "";
  if (family != NULL && g_strcmp0 (family->type, "histogram") != 0)
    return family;
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (name, suffixes[i]))
      {
        g_autofree char *base = g_strndup (name, strlen (name) - strlen (suffixes[i]));
        Family *f = g_hash_table_lookup (parsed->families, base);

        if (f != NULL && g_strcmp0 (f->type, "histogram") == 0)
          {
            *suffix = suffixes[i];
            return f;
          }
      }
  return family;
}

static Family *
enter_family (Parsed *parsed, const char *name, GError **error)
{
  Family *family = g_hash_table_lookup (parsed->families, name);

  if (family == NULL)
    {
      family = g_new0 (Family, 1);
      family->name = g_strdup (name);
      g_hash_table_insert (parsed->families, family->name, family);
    }
  if (g_strcmp0 (parsed->current, name) != 0)
    {
      Family *previous
        = parsed->current ? g_hash_table_lookup (parsed->families, parsed->current) : NULL;

      if (previous != NULL)
        previous->closed = TRUE;
      if (family->closed)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "family %s is split: its lines must be together", name);
          return NULL;
        }
      g_free (parsed->current);
      parsed->current = g_strdup (name);
    }
  return family;
}

static gboolean
parse_comment (Parsed *parsed, const char *line, GError **error)
{
  const char *p = line + 2;
  g_autofree char *name = NULL;
  gboolean help = g_str_has_prefix (line, "# HELP ");
  Family *family;

  if (!help && !g_str_has_prefix (line, "# TYPE "))
    return TRUE; /* other comments are allowed */
  p = line + 7;
  if (!(name = read_name (&p, TRUE, error)))
    return FALSE;
  if (*p != ' ')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no text after %s", name);
      return FALSE;
    }
  p++;
  if (!(family = enter_family (parsed, name, error)))
    return FALSE;
  if (help)
    {
      /* Only \\ and \n are escapes in HELP. */
      for (const char *q = p; *q != '\0'; q++)
        if (*q == '\\' && (q[1] != '\\' && q[1] != 'n'))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad escape in HELP %s", name);
            return FALSE;
          }
        else if (*q == '\\')
          q++;
      if (family->has_help)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "two HELP for %s", name);
          return FALSE;
        }
      family->has_help = TRUE;
      return TRUE;
    }
  if (family->type != NULL || family->has_samples)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "TYPE of %s twice or after its samples", name);
      return FALSE;
    }
  if (!g_strv_contains (
        (const char *const[]){ "counter", "gauge", "histogram", "summary", "untyped", NULL }, p))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unknown type %s", p);
      return FALSE;
    }
  /* Conventions the issue asks for, checked here for every family. */
  if (g_str_equal (p, "counter") && !g_str_has_suffix (name, "_total"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "counter %s without _total", name);
      return FALSE;
    }
  family->type = g_strdup (p);
  return TRUE;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

static gboolean
parse_sample (Parsed *parsed, const char *line, GError **error)
{
  const char *p = line;
  g_autofree char *name = NULL;
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) label_names
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *le = NULL;
  g_auto (GStrv) rest = NULL;
  const char *suffix;
  Family *family;
  double value;

  if (!(name = read_name (&p, TRUE, error)))
    return FALSE;
  if (*p == '{')
    {
      p++;
      while (*p != '}')
        {
          g_autofree char *label = read_name (&p, FALSE, error);
          GString *label_value = g_string_new (NULL);

          if (label == NULL)
            {
              g_string_free (label_value, TRUE);
              return FALSE;
            }
          if (p[0] != '=' || p[1] != '"')
            {
              g_string_free (label_value, TRUE);
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad label in %s", line);
              return FALSE;
            }
          p += 2;
          while (*p != '"')
            {
              if (*p == '\0' || *p == '\n')
                {
                  g_string_free (label_value, TRUE);
                  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "open label value");
                  return FALSE;
                }
              if (*p == '\\')
                {
                  if (p[1] == '\\' || p[1] == '"')
                    g_string_append_c (label_value, p[1]);
                  else if (p[1] == 'n')
                    g_string_append_c (label_value, '\n');
                  else
                    {
                      g_string_free (label_value, TRUE);
                      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad escape in %s",
                                   line);
                      return FALSE;
                    }
                  p += 2;
                }
              else
                g_string_append_c (label_value, *p++);
            }
          p++;
          if (!g_utf8_validate (label_value->str, -1, NULL)
              || !g_hash_table_add (label_names, g_strdup (label)))
            {
              g_string_free (label_value, TRUE);
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "label twice or not UTF-8 in %s", line);
              return FALSE;
            }
          if (g_str_equal (label, "le"))
            le = g_strdup (label_value->str);
          else
            {
              g_autofree char *escaped = tr_metrics_escape_label_value (label_value->str);

              g_ptr_array_add (labels, g_strdup_printf ("%s=\"%s\"", label, escaped));
            }
          g_string_free (label_value, TRUE);
          if (*p == ',')
            p++;
          else if (*p != '}')
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad labels in %s", line);
              return FALSE;
            }
        }
      p++;
    }
  if (*p != ' ')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no value in %s", line);
      return FALSE;
    }
  rest = g_strsplit (p + 1, " ", -1);
  /* A value and an optional timestamp (an integer, ms). */
  if (g_strv_length (rest) < 1 || g_strv_length (rest) > 2 || !read_value (rest[0], &value)
      || (rest[1] != NULL
          && !g_ascii_string_to_signed (rest[1], 10, G_MININT64, G_MAXINT64, NULL, NULL)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad value in %s", line);
      return FALSE;
    }

  family = sample_family (parsed, name, &suffix);
  if (family == NULL || family->type == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "sample %s before its TYPE", name);
      return FALSE;
    }
  if (!enter_family (parsed, family->name, error))
    return FALSE;
  family->has_samples = TRUE;
  if (g_str_equal (family->type, "counter") && !(value >= 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "negative counter %s", line);
      return FALSE;
    }
  if (g_str_equal (family->type, "histogram"))
    {
      g_autofree char *series = NULL;
      double *last;

      if ((le != NULL) != g_str_equal (suffix, "_bucket"))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "le out of place in %s", line);
          return FALSE;
        }
      g_ptr_array_sort (labels, compare_strings);
      g_ptr_array_add (labels, NULL);
      {
        g_autofree char *joined = g_strjoinv (",", (char **)labels->pdata);

        series = g_strdup_printf ("%s{%s}", family->name, joined);
      }
      g_ptr_array_remove_index (labels, labels->len - 1);
      last = g_hash_table_lookup (parsed->hist_le, series);
      if (le != NULL)
        {
          double bound;

          if (!read_value (le, &bound) || (last != NULL && value < *last))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "bucket not cumulative or bad le in %s", line);
              return FALSE;
            }
          if (last == NULL)
            {
              last = g_new (double, 1);
              g_hash_table_insert (parsed->hist_le, g_strdup (series), last);
            }
          *last = value;
          g_ptr_array_add (labels, g_strdup_printf ("le=\"%s\"", le));
        }
      else if (g_str_equal (suffix, "_count"))
        {
          /* The +Inf bucket, the last one, holds everything. */
          if (last == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no buckets before %s",
                           line);
              return FALSE;
            }
          if (*last != value)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "+Inf bucket %g is not _count %g", *last, value);
              return FALSE;
            }
        }
    }
  else if (le != NULL && !g_str_equal (family->type, "summary"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "le on a %s", family->type);
      return FALSE;
    }

  g_ptr_array_sort (labels, compare_strings);
  g_ptr_array_add (labels, NULL);
  {
    g_autofree char *joined = g_strjoinv (",", (char **)labels->pdata);
    char *key = g_strdup_printf ("%s{%s}", name, joined);
    double *stored = g_new (double, 1);

    *stored = value;
    if (!g_hash_table_insert (parsed->samples, key, stored))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "sample twice: %s", line);
        return FALSE;
      }
  }
  return TRUE;
}

static Parsed *
parse_exposition (const char *text, GError **error)
{
  g_autoptr (Parsed) parsed = g_new0 (Parsed, 1);
  g_auto (GStrv) lines = NULL;
  guint n;

  parsed->families = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, family_free);
  parsed->samples = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  parsed->hist_le = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!g_str_has_suffix (text, "\n") || !g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the text must be UTF-8 and end with a line feed");
      return NULL;
    }
  lines = g_strsplit (text, "\n", -1);
  n = g_strv_length (lines) - 1; /* after the last \n */
  for (guint i = 0; i < n; i++)
    {
      const char *line = lines[i];
      gboolean ok;

      if (*line == '\0' || g_ascii_isspace (*line) || strchr (line, '\r') != NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "line %u: blank or CR", i + 1);
          return NULL;
        }
      ok
        = line[0] == '#' ? parse_comment (parsed, line, error) : parse_sample (parsed, line, error);
      if (!ok)
        {
          g_prefix_error (error, "line %u: ", i + 1);
          return NULL;
        }
    }
  {
    GHashTableIter iter;
    Family *family;

    g_hash_table_iter_init (&iter, parsed->families);
    while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&family))
      if (family->type == NULL || !family->has_help)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s lacks HELP or TYPE",
                       family->name);
          return NULL;
        }
  }
  return g_steal_pointer (&parsed);
}

/* A sample's value; @labels as written, sorted ("a=\"1\",b=\"2\""). */
static double
sample (Parsed *parsed, const char *name, const char *labels)
{
  g_autofree char *key = g_strdup_printf ("%s{%s}", name, labels ? labels : "");
  const double *value = g_hash_table_lookup (parsed->samples, key);

  if (value == NULL)
    g_error ("no sample %s", key);
  return *value;
}

static gboolean
has_sample (Parsed *parsed, const char *name, const char *labels)
{
  g_autofree char *key = g_strdup_printf ("%s{%s}", name, labels ? labels : "");

  return g_hash_table_contains (parsed->samples, key);
}

static void
assert_refused (const char *text, const char *why)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Parsed) parsed = parse_exposition (text, &error);

  if (parsed != NULL)
    g_error ("the parser took %s: %s", why, text);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

/* The parser is the judge of everything below: it must refuse. */
static void
test_parser_refuses (void)
{
  assert_refused ("# TYPE a_total counter\na_total 1", "no final line feed");
  assert_refused ("a 1\n", "a sample without TYPE");
  assert_refused ("# HELP a x\n# TYPE a gauge\na{b=\"\\t\"} 1\n", "an unknown escape");
  assert_refused ("# HELP a x\n# TYPE a gauge\na{b=\"x} 1\n", "an open label value");
  assert_refused ("# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\na 2\n",
                  "a split family");
  assert_refused ("# HELP a x\n# TYPE a counter\na 1\n", "a counter without _total");
  assert_refused ("# HELP a_total x\n# TYPE a_total counter\na_total -1\n", "a negative counter");
  assert_refused ("# HELP a x\n# TYPE a gauge\na 1\na 2\n", "the same sample twice");
  assert_refused ("# HELP a x\n# TYPE a gauge\na one\n", "a value that is not a number");
  assert_refused ("# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
                  "h_sum 1\nh_count 1\n",
                  "buckets that go down");
  assert_refused ("# HELP h x\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n",
                  "a count that is not the +Inf bucket");
  assert_refused ("# HELP a x\n# TYPE a gauge\n\na 1\n", "a blank line");
  assert_refused ("# HELP a x\n# TYPE a gauge\n# TYPE a gauge\na 1\n", "TYPE twice");
  assert_refused ("# TYPE a gauge\na 1\n", "no HELP");
}

/* ---- The writer ---- */

static void
test_escaping (void)
{
  g_autofree char *plain = tr_metrics_escape_label_value ("Grill 1");
  g_autofree char *tricky = tr_metrics_escape_label_value ("a\\b\"c\nd");
  g_autofree char *invalid = tr_metrics_escape_label_value ("x\xff");
  g_autofree char *help = tr_metrics_escape_help ("a\\b\"c\nd");
  g_autoptr (GString) out = g_string_new (NULL);
  const char *labels[] = { "station", "s\"1\\\n", "name", "Café", NULL };

  g_assert_cmpstr (plain, ==, "Grill 1");
  g_assert_cmpstr (tricky, ==, "a\\\\b\\\"c\\nd");
  g_assert_cmpstr (invalid, ==, "x\xef\xbf\xbd");
  /* HELP leaves double quotes alone. */
  g_assert_cmpstr (help, ==, "a\\\\b\"c\\nd");

  tr_metrics_text_family (out, "x_up", "gauge", "Line one\nline two");
  tr_metrics_text_sample (out, "x_up", labels, 1);
  g_assert_cmpstr (out->str, ==,
                   "# HELP x_up Line one\\nline two\n"
                   "# TYPE x_up gauge\n"
                   "x_up{station=\"s\\\"1\\\\\\n\",name=\"Café\"} 1\n");
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (Parsed) parsed = parse_exposition (out->str, &error);

    g_assert_no_error (error);
    /* The parser unescapes and the key escapes again: a round trip. */
    g_assert_cmpfloat (sample (parsed, "x_up", "name=\"Café\",station=\"s\\\"1\\\\\\n\""), ==, 1);
  }
}

static void
test_values (void)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  tr_metrics_format_value (12, buffer);
  g_assert_cmpstr (buffer, ==, "12");
  tr_metrics_format_value (0, buffer);
  g_assert_cmpstr (buffer, ==, "0");
  tr_metrics_format_value (0.005, buffer);
  g_assert_cmpstr (buffer, ==, "0.005");
  tr_metrics_format_value (0.1 + 0.2, buffer);
  g_assert_cmpfloat (g_ascii_strtod (buffer, NULL), ==, 0.1 + 0.2);
  tr_metrics_format_value (INFINITY, buffer);
  g_assert_cmpstr (buffer, ==, "+Inf");
  tr_metrics_format_value (-INFINITY, buffer);
  g_assert_cmpstr (buffer, ==, "-Inf");
  tr_metrics_format_value (NAN, buffer);
  g_assert_cmpstr (buffer, ==, "NaN");
  tr_metrics_format_value (1e300, buffer);
  g_assert_cmpfloat (g_ascii_strtod (buffer, NULL), ==, 1e300);
}

static void
test_histogram (void)
{
  static const double bounds[] = { 0.01, 0.1, 1 };
  TrHistogram histogram;
  g_autoptr (GString) out = g_string_new (NULL);
  const char *labels[] = { "kind", "x", NULL };

  tr_histogram_init (&histogram, bounds, G_N_ELEMENTS (bounds));
  tr_histogram_observe (&histogram, 0.005);
  tr_histogram_observe (&histogram, 0.01); /* on a bound: that bucket */
  tr_histogram_observe (&histogram, 0.5);
  tr_histogram_observe (&histogram, 3);
  tr_metrics_text_family (out, "t_seconds", "histogram", "T.");
  tr_metrics_text_histogram (out, "t_seconds", labels, &histogram);
  g_assert_cmpstr (out->str, ==,
                   "# HELP t_seconds T.\n"
                   "# TYPE t_seconds histogram\n"
                   "t_seconds_bucket{kind=\"x\",le=\"0.01\"} 2\n"
                   "t_seconds_bucket{kind=\"x\",le=\"0.1\"} 2\n"
                   "t_seconds_bucket{kind=\"x\",le=\"1\"} 3\n"
                   "t_seconds_bucket{kind=\"x\",le=\"+Inf\"} 4\n"
                   "t_seconds_sum{kind=\"x\"} 3.515\n"
                   "t_seconds_count{kind=\"x\"} 4\n");
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (Parsed) parsed = parse_exposition (out->str, &error);

    g_assert_no_error (error);
  }
  tr_histogram_clear (&histogram);
}

static void
test_counters (void)
{
  g_autoptr (TrMetrics) metrics = tr_metrics_new ();
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (Parsed) parsed = NULL;

  tr_metrics_count_op (metrics, "applied");
  tr_metrics_count_op (metrics, "applied");
  tr_metrics_count_op (metrics, "rejected");
  tr_metrics_count_http_request (metrics, 200);
  tr_metrics_count_http_request (metrics, 401);
  tr_metrics_count_http_request (metrics, 200);
  tr_metrics_count_websocket_close (metrics, 1000);
  tr_metrics_count_websocket_close (metrics, 0);
  tr_metrics_observe_commit (metrics, 0.002);
  tr_metrics_observe_op_ack (metrics, 0.02);
  tr_metrics_write (metrics, out);
  tr_metrics_write_process (out);

  parsed = parse_exposition (out->str, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (sample (parsed, "ticketrail_ops_total", "result=\"applied\""), ==, 2);
  g_assert_cmpfloat (sample (parsed, "ticketrail_ops_total", "result=\"rejected\""), ==, 1);
  /* Listed before the first one, so that rate() sees it start at 0. */
  g_assert_cmpfloat (sample (parsed, "ticketrail_ops_total", "result=\"duplicate\""), ==, 0);
  g_assert_cmpfloat (sample (parsed, "ticketrail_http_requests_total", "code=\"200\""), ==, 2);
  g_assert_cmpfloat (sample (parsed, "ticketrail_http_requests_total", "code=\"401\""), ==, 1);
  g_assert_cmpfloat (sample (parsed, "ticketrail_websocket_closes_total", "code=\"1006\""), ==, 1);
  g_assert_cmpfloat (sample (parsed, "ticketrail_commit_seconds_count", NULL), ==, 1);
  g_assert_cmpfloat (sample (parsed, "ticketrail_commit_seconds_bucket", "le=\"0.0025\""), ==, 1);
  g_assert_cmpfloat (sample (parsed, "ticketrail_commit_seconds_bucket", "le=\"0.001\""), ==, 0);
  g_assert_cmpfloat (sample (parsed, "ticketrail_op_ack_seconds_sum", NULL), ==, 0.02);
  g_assert_cmpfloat (sample (parsed, "process_resident_memory_bytes", NULL), >, 0);
  g_assert_cmpfloat (sample (parsed, "process_open_fds", NULL), >=, 3);
  g_assert_cmpfloat (sample (parsed, "process_cpu_seconds_total", NULL), >=, 0);
  g_assert_cmpfloat (sample (parsed, "process_start_time_seconds", NULL), >, 1.6e9);
}

/* ---- A host on loopback ---- */

typedef struct
{
  char *dir;
  TrStore *store;
  TrHost *host;
  SoupSession *session;
  char *base_url;
} Fixture;

static gboolean
give_up_cb (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("test-metrics-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "ticketrail.db", NULL);
  f->store = tr_store_open (path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
  f->host = g_object_new (TR_TYPE_HOST, "store", f->store, "port", 0, "loopback-only", TRUE,
                          "heartbeat-timeout", 10 * 60 * 1000, NULL);
  g_assert_true (tr_host_start (f->host, &error));
  g_assert_no_error (error);
  f->base_url = g_strdup_printf ("http://127.0.0.1:%u", tr_host_get_bound_port (f->host));
  f->session = soup_session_new ();
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  gboolean done = FALSE;

  tr_host_stop (f->host);
  g_assert_finalize_object (f->host);
  g_clear_object (&f->session);
  /* Lets pending closes finish before the store goes. */
  g_timeout_add (200, give_up_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (f->store);
  {
    const char *names[] = { "ticketrail.db", "ticketrail.db-wal", "ticketrail.db-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *p = g_build_filename (f->dir, names[i], NULL);

        g_unlink (p);
      }
  }
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);
  g_free (f->base_url);
}

/* @token: a bearer token, or NULL. Returns the body; @content_type
 * receives the response's when not NULL. */
static char *
http (Fixture *f, const char *method, const char *path, const char *body, const char *token,
      guint *status, char **content_type)
{
  return tr_test_http_full (f->session, f->base_url, method, path, body, token, status,
                            content_type);
}

static char *
pair (Fixture *f, const char *station_id, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *code = tr_host_new_pairing_code (f->host, NULL, &error);

  g_assert_no_error (error);
  return tr_test_pair (f->session, f->base_url, code, station_id, name);
}

/* Scrapes and parses; fails the test unless the answer is 200 and the
 * text format. */
static Parsed *
scrape (Fixture *f, const char *token)
{
  guint status = 0;
  g_autofree char *type = NULL;
  g_autofree char *text = http (f, "GET", "/metrics", NULL, token, &status, &type);
  g_autoptr (GError) error = NULL;
  Parsed *parsed;

  g_assert_cmpuint (status, ==, 200);
  g_assert_true (g_str_has_prefix (type, "text/plain; version=0.0.4"));
  parsed = parse_exposition (text, &error);
  if (error != NULL)
    g_error ("GET /metrics does not parse: %s\n%s", error->message, text);
  return parsed;
}

/* Scrapes until @name{@labels} is @value: what the host does after a
 * close or a hello is not ordered with what the peer sees. */
static Parsed *
scrape_until (Fixture *f, const char *name, const char *labels, double value)
{
  gint64 give_up = g_get_monotonic_time () + GIVE_UP_MS * 1000;

  for (;;)
    {
      Parsed *parsed = scrape (f, NULL);

      if (has_sample (parsed, name, labels) && sample (parsed, name, labels) == value)
        return parsed;
      parsed_free (parsed);
      if (g_get_monotonic_time () > give_up)
        g_error ("gave up waiting for %s{%s} to be %g", name, labels, value);
      g_main_context_iteration (NULL, FALSE);
    }
}

typedef TrTestPeer Peer;

static TrFrame *
peer_wait (Peer *peer, TrFrameType type)
{
  return tr_test_peer_wait_frame (peer, type);
}

/* The name has quotes: the labels must escape them. */
static Peer *
peer_connect (Fixture *f, const char *station_id, const char *token)
{
  return tr_test_peer_connect_named (f->session, f->base_url, station_id, "Grill \"1\"", token);
}

static void
peer_close (Peer *peer)
{
  tr_test_peer_close (peer, SOUP_WEBSOCKET_CLOSE_NORMAL);
  tr_test_peer_free (peer);
}

static TrOp *
make_op (void)
{
  g_autoptr (TrTicket) ticket = tr_ticket_new ();
  TrItem *item = tr_item_new ();

  ticket->id = tr_uuid_new ();
  ticket->table = g_strdup ("4");
  item->id = tr_uuid_new ();
  item->name = g_strdup ("Soup");
  g_ptr_array_add (ticket->items, item);
  return tr_op_new_create_ticket ("grill", ticket);
}

static TrFrame *
send_op (Peer *peer, const TrOp *op)
{
  g_autofree char *text = tr_frame_build_op (op);

  soup_websocket_connection_send_text (peer->ws, text);
  return peer_wait (peer, TR_FRAME_ACK);
}

/* Without a token from loopback; with a bad token, never. */
static void
test_access (Fixture *f, gconstpointer data)
{
  g_autoptr (Parsed) parsed = scrape (f, NULL);
  g_autofree char *token = pair (f, "grill", "Grill");
  g_autoptr (Parsed) with_token = scrape (f, token);
  g_autofree char *body = NULL;
  g_autofree char *type = NULL;
  guint status = 0;

  body = http (f, "GET", "/metrics", NULL, "not-a-token", &status, &type);
  g_assert_cmpuint (status, ==, 401);
  g_assert_nonnull (strstr (body, "\"unauthorized\""));
  g_clear_pointer (&body, g_free);
  g_assert_true (tr_host_revoke_station (f->host, "grill", NULL));
  body = http (f, "GET", "/metrics", NULL, token, &status, NULL);
  g_assert_cmpuint (status, ==, 401);
  g_clear_pointer (&body, g_free);
  body = http (f, "POST", "/metrics", "{}", NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 405);
  g_clear_pointer (&body, g_free);
  body = http (f, "GET", "/metrics/x", NULL, NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 404);
  /* The revoked station is no longer listed as a station to watch. */
  {
    g_autoptr (Parsed) after = scrape (f, NULL);

    g_assert_false (has_sample (after, "ticketrail_station_up",
                                "name=\"Grill\",role=\"kitchen\",station=\"grill\""));
    g_assert_cmpfloat (sample (after, "ticketrail_http_requests_total", "code=\"401\""), >=, 2);
  }
}

/* The counters move as ops flow, stations come and go. */
static void
test_counters_move (Fixture *f, gconstpointer data)
{
  g_autofree char *token = pair (f, "grill", "Grill");
  g_autoptr (Parsed) before = scrape (f, token);
  g_autoptr (Parsed) during = NULL;
  g_autoptr (Parsed) after = NULL;
  g_autoptr (TrOp) op = make_op ();
  g_autoptr (TrFrame) ack = NULL;
  g_autoptr (TrFrame) again = NULL;
  g_autoptr (TrFrame) pong = NULL;
  g_autofree char *ping = NULL;
  const char *up_labels = "name=\"Grill \\\"1\\\"\",role=\"kitchen\",station=\"grill\"";
  Peer *peer;

  /* Paired but never connected: down. */
  g_assert_cmpfloat (
    sample (before, "ticketrail_station_up", "name=\"Grill\",role=\"kitchen\",station=\"grill\""),
    ==, 0);
  g_assert_cmpfloat (sample (before, "ticketrail_stations_connected", "transport=\"websocket\""),
                     ==, 0);
  g_assert_cmpfloat (sample (before, "ticketrail_ops_total", "result=\"applied\""), ==, 0);
  g_assert_cmpfloat (sample (before, "ticketrail_events_head_seq", NULL), ==, 0);

  peer = peer_connect (f, "grill", token);
  ack = send_op (peer, op);
  g_assert_cmpint (ack->result, ==, TR_APPLY_APPLIED);
  again = send_op (peer, op); /* the same op_id: a duplicate */
  g_assert_cmpint (again->result, ==, TR_APPLY_DUPLICATE);
  /* What the station reports in its pings. */
  ping = tr_frame_build_ping_full (7, ack->seq, 3, 42);
  soup_websocket_connection_send_text (peer->ws, ping);
  pong = peer_wait (peer, TR_FRAME_PONG);

  during = scrape (f, NULL);
  g_assert_cmpfloat (sample (during, "ticketrail_station_up", up_labels), ==, 1);
  g_assert_cmpfloat (sample (during, "ticketrail_stations_connected", "transport=\"websocket\""),
                     ==, 1);
  g_assert_cmpfloat (sample (during, "ticketrail_ops_total", "result=\"applied\""), ==, 1);
  g_assert_cmpfloat (sample (during, "ticketrail_ops_total", "result=\"duplicate\""), ==, 1);
  g_assert_cmpfloat (sample (during, "ticketrail_events_head_seq", NULL), ==, ack->seq);
  g_assert_cmpfloat (sample (during, "ticketrail_commit_seconds_count", NULL), ==, 2);
  g_assert_cmpfloat (sample (during, "ticketrail_commit_seconds_sum", NULL), >, 0);
  g_assert_cmpfloat (sample (during, "ticketrail_op_ack_seconds_count", NULL), ==, 2);
  g_assert_cmpfloat (sample (during, "ticketrail_station_outbox_ops", "station=\"grill\""), ==, 3);
  g_assert_cmpfloat (sample (during, "ticketrail_station_latency_seconds", "station=\"grill\""), ==,
                     0.042);
  g_assert_cmpfloat (sample (during, "ticketrail_station_reconnects_total", "station=\"grill\""),
                     ==, 0);
  g_assert_cmpfloat (sample (during, "ticketrail_http_requests_total", "code=\"200\""), >,
                     sample (before, "ticketrail_http_requests_total", "code=\"200\""));

  /* A close, then a reconnect. */
  peer_close (peer);
  parsed_free (scrape_until (f, "ticketrail_station_up", up_labels, 0));
  peer = peer_connect (f, "grill", token);
  after = scrape_until (f, "ticketrail_station_up", up_labels, 1);
  g_assert_cmpfloat (sample (after, "ticketrail_websocket_closes_total", "code=\"1000\""), ==, 1);
  g_assert_cmpfloat (sample (after, "ticketrail_station_reconnects_total", "station=\"grill\""), ==,
                     1);
  g_assert_cmpfloat (sample (after, "ticketrail_station_up", up_labels), ==, 1);
  peer_close (peer);
}

/* An op over HTTP is answered, and timed, too. */
static void
test_http_ops (Fixture *f, gconstpointer data)
{
  g_autofree char *token = pair (f, "pos", "Till");
  g_autoptr (TrOp) op = make_op ();
  g_autofree char *body = tr_op_to_string (op);
  g_autofree char *answer = NULL;
  g_autoptr (Parsed) parsed = NULL;
  guint status = 0;

  answer = http (f, "POST", "/api/v1/ops", body, token, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  parsed = scrape (f, NULL);
  g_assert_cmpfloat (sample (parsed, "ticketrail_ops_total", "result=\"applied\""), ==, 1);
  g_assert_cmpfloat (sample (parsed, "ticketrail_op_ack_seconds_count", NULL), ==, 1);
  g_assert_cmpfloat (sample (parsed, "ticketrail_events_head_seq", NULL), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/metrics/parser-refuses", test_parser_refuses);
  g_test_add_func ("/metrics/escaping", test_escaping);
  g_test_add_func ("/metrics/values", test_values);
  g_test_add_func ("/metrics/histogram", test_histogram);
  g_test_add_func ("/metrics/counters", test_counters);
  g_test_add ("/metrics/host/access", Fixture, NULL, fixture_setup, test_access, fixture_teardown);
  g_test_add ("/metrics/host/counters-move", Fixture, NULL, fixture_setup, test_counters_move,
              fixture_teardown);
  g_test_add ("/metrics/host/http-ops", Fixture, NULL, fixture_setup, test_http_ops,
              fixture_teardown);
  return g_test_run ();
}
