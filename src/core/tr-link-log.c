/* tr-link-log.c: a station's own log of its link to the host (see the
 * header)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-link-log.h"

struct _TrLinkLog
{
  GQueue entries; /* TrLinkLogEntry*, oldest first */
};

TrLinkLog *
tr_link_log_new (void)
{
  TrLinkLog *log = g_new0 (TrLinkLog, 1);

  g_queue_init (&log->entries);
  return log;
}

void
tr_link_log_entry_free (TrLinkLogEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->state);
  g_free (entry->reason);
  g_free (entry);
}

void
tr_link_log_free (TrLinkLog *log)
{
  if (log == NULL)
    return;
  g_queue_clear_full (&log->entries, (GDestroyNotify)tr_link_log_entry_free);
  g_free (log);
}

void
tr_link_log_add (TrLinkLog *log, gint64 at, const char *state, const char *reason)
{
  TrLinkLogEntry *last;
  TrLinkLogEntry *entry;

  g_return_if_fail (log != NULL);
  g_return_if_fail (state != NULL);

  last = g_queue_peek_tail (&log->entries);
  if (last != NULL && g_str_equal (last->state, state))
    return;
  if (last != NULL)
    last->duration_ms = MAX (0, at - last->at);
  entry = g_new0 (TrLinkLogEntry, 1);
  entry->at = at;
  entry->state = g_strdup (state);
  entry->reason = g_strdup (reason);
  entry->duration_ms = -1;
  g_queue_push_tail (&log->entries, entry);
  while (g_queue_get_length (&log->entries) > TR_LINK_LOG_SIZE)
    tr_link_log_entry_free (g_queue_pop_head (&log->entries));
}

void
tr_link_log_explain (TrLinkLog *log, const char *reason)
{
  TrLinkLogEntry *last;

  g_return_if_fail (log != NULL);

  last = g_queue_peek_tail (&log->entries);
  if (last != NULL && last->reason == NULL && reason != NULL)
    last->reason = g_strdup (reason);
}

GPtrArray *
tr_link_log_list (TrLinkLog *log)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_link_log_entry_free);

  g_return_val_if_fail (log != NULL, list);

  for (GList *l = log->entries.tail; l != NULL; l = l->prev)
    {
      const TrLinkLogEntry *entry = l->data;
      TrLinkLogEntry *copy = g_new0 (TrLinkLogEntry, 1);

      copy->at = entry->at;
      copy->state = g_strdup (entry->state);
      copy->reason = g_strdup (entry->reason);
      copy->duration_ms = entry->duration_ms;
      g_ptr_array_add (list, copy);
    }
  return list;
}
