/* tr-export-status.c: the words for the PostgreSQL export's state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-export"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tr-export-status.h"

TrExportState
tr_export_status_classify (const TrExportFacts *facts, TrExportSeverity *out_severity)
{
  TrExportState state;
  TrExportSeverity severity;

  g_return_val_if_fail (facts != NULL, TR_EXPORT_STATE_OFF);

  if (!facts->enabled)
    state = TR_EXPORT_STATE_OFF, severity = TR_EXPORT_SEVERITY_NEUTRAL;
  /* An error wins over a lag: the lag only grows until it is fixed. */
  else if (facts->last_error != NULL)
    state = TR_EXPORT_STATE_FAILING, severity = TR_EXPORT_SEVERITY_ERROR;
  else if (!facts->connected || facts->lag_events < 0)
    state = TR_EXPORT_STATE_CONNECTING, severity = TR_EXPORT_SEVERITY_NEUTRAL;
  /* A few events younger than the grace are the stream itself: calling
   * them "behind" would make the row flicker through every rush. */
  else if (facts->lag_events == 0 || facts->lag_seconds < TR_EXPORT_STATUS_GRACE_S)
    state = TR_EXPORT_STATE_UP_TO_DATE, severity = TR_EXPORT_SEVERITY_OK;
  else if (facts->lag_seconds < TR_EXPORT_STATUS_STALE_S)
    state = TR_EXPORT_STATE_BEHIND, severity = TR_EXPORT_SEVERITY_WARNING;
  else
    state = TR_EXPORT_STATE_BEHIND, severity = TR_EXPORT_SEVERITY_ERROR;

  if (out_severity != NULL)
    *out_severity = severity;
  return state;
}

static char *
format_span (gint64 seconds)
{
  long long n;

  if (seconds < 120)
    {
      n = MAX (seconds, 0);
      /* Translators: how long the oldest event waits, e.g. "45 s" */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lld s", "%lld s", (gulong)n), n);
    }
  if (seconds < 2 * 3600)
    {
      n = seconds / 60;
      /* Translators: how long the oldest event waits, e.g. "12 min" */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lld min", "%lld min", (gulong)n), n);
    }
  n = seconds / 3600;
  /* Translators: how long the oldest event waits, e.g. "3 h" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%lld h", "%lld h", (gulong)n), n);
}

char *
tr_export_status_describe (const TrExportFacts *facts, TrExportSeverity *out_severity)
{
  long long events = facts ? (long long)facts->lag_events : 0;
  g_autofree char *span = NULL;

  g_return_val_if_fail (facts != NULL, NULL);

  switch (tr_export_status_classify (facts, out_severity))
    {
      case TR_EXPORT_STATE_OFF:
        /* Translators: the export to PostgreSQL is not set up */
        return g_strdup (_ ("Off"));
      case TR_EXPORT_STATE_CONNECTING:
        return g_strdup (_ ("Connecting…"));
      case TR_EXPORT_STATE_UP_TO_DATE:
        return g_strdup (_ ("Connected and up to date"));
      case TR_EXPORT_STATE_BEHIND:
        span = format_span (facts->lag_seconds);
        return g_strdup_printf (
          /* Translators: the export to PostgreSQL lags; %lld events, and
           * %s is how long the oldest waits, e.g. "45 s" */
          g_dngettext (GETTEXT_PACKAGE, "Behind by %lld event (%s)", "Behind by %lld events (%s)",
                       (gulong)events),
          events, span);
      case TR_EXPORT_STATE_FAILING:
      default:
        if (facts->lag_events > 0)
          return g_strdup_printf (
            /* Translators: the export to PostgreSQL fails; %lld events wait,
             * %s is the error from PostgreSQL */
            g_dngettext (GETTEXT_PACKAGE, "Failing, %lld event waiting: %s",
                         "Failing, %lld events waiting: %s", (gulong)events),
            events, facts->last_error);
        /* Translators: the export to PostgreSQL fails; %s is the error */
        return g_strdup_printf (_ ("Failing: %s"), facts->last_error);
    }
}

char *
tr_export_status_describe_test_ok (const char *server_version)
{
  g_auto (GStrv) words = g_strsplit (server_version ? server_version : "", " ", 3);
  g_autofree char *product = NULL;

  /* version() says "PostgreSQL 15.10 (Debian …) on x86_64-pc-linux-gnu,
   * compiled by …": the first two words are what a person checks. */
  product = words[0] != NULL && words[1] != NULL ? g_strjoin (" ", words[0], words[1], NULL)
                                                 : g_strdup (server_version ? server_version : "");
  /* Translators: the Test button's result; %s is e.g. "PostgreSQL 15.10" */
  return g_strdup_printf (_ ("Connected to %s"), product);
}

/* ---- Passwords out of messages ---- */

static void
add_candidate (GPtrArray *candidates, const char *start, gsize length)
{
  g_autofree char *raw = g_strndup (start, length);
  char *decoded;

  if (*raw == '\0')
    return;
  decoded = g_uri_unescape_string (raw, NULL);
  if (decoded != NULL && strcmp (decoded, raw) != 0 && *decoded != '\0')
    g_ptr_array_add (candidates, decoded);
  else
    g_free (decoded);
  g_ptr_array_add (candidates, g_steal_pointer (&raw));
}

/* password = value, or 'quoted \' value', as libpq's key=value strings. */
static void
find_keyword_passwords (const char *conninfo, GPtrArray *candidates)
{
  for (const char *p = strstr (conninfo, "password"); p != NULL; p = strstr (p + 1, "password"))
    {
      const char *q = p + strlen ("password");
      GString *value;

      if (p != conninfo && !g_ascii_isspace (p[-1]) && p[-1] != '?' && p[-1] != '&')
        continue;
      while (g_ascii_isspace (*q))
        q++;
      if (*q != '=')
        continue;
      q++;
      while (g_ascii_isspace (*q))
        q++;
      value = g_string_new (NULL);
      if (*q == '\'')
        {
          for (q++; *q != '\0' && *q != '\''; q++)
            {
              if (*q == '\\' && q[1] != '\0')
                q++;
              g_string_append_c (value, *q);
            }
        }
      else
        /* In a URI's query the value ends at '&'. */
        for (; *q != '\0' && !g_ascii_isspace (*q) && *q != '&'; q++)
          g_string_append_c (value, *q);
      add_candidate (candidates, value->str, value->len);
      g_string_free (value, TRUE);
    }
}

/* postgresql://user:password@host/… */
static void
find_uri_password (const char *conninfo, GPtrArray *candidates)
{
  const char *authority;
  const char *end;
  const char *at = NULL;
  const char *colon;

  if (!g_str_has_prefix (conninfo, "postgresql://") && !g_str_has_prefix (conninfo, "postgres://"))
    return;
  authority = strstr (conninfo, "://") + 3;
  end = authority + strcspn (authority, "/?");
  /* The last '@' before the path: a password may hold an unescaped '@'. */
  for (const char *p = authority; p < end; p++)
    if (*p == '@')
      at = p;
  if (at == NULL)
    return;
  colon = memchr (authority, ':', (gsize)(at - authority));
  if (colon != NULL)
    add_candidate (candidates, colon + 1, (gsize)(at - colon - 1));
}

static gint
longer_first (gconstpointer a, gconstpointer b)
{
  gsize la = strlen (*(const char *const *)a);
  gsize lb = strlen (*(const char *const *)b);

  return la < lb ? 1 : la > lb ? -1 : 0;
}

char *
tr_export_redact_password (const char *conninfo, const char *message)
{
  g_autoptr (GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) redacted = NULL;

  if (message == NULL)
    return NULL;
  if (conninfo == NULL)
    return g_strdup (message);

  find_keyword_passwords (conninfo, candidates);
  find_uri_password (conninfo, candidates);
  /* Longer first, so that a password's own prefix cannot leave its tail. */
  g_ptr_array_sort (candidates, longer_first);

  redacted = g_string_new (message);
  for (guint i = 0; i < candidates->len; i++)
    g_string_replace (redacted, candidates->pdata[i], "***", 0);
  return g_string_free (g_steal_pointer (&redacted), FALSE);
}
