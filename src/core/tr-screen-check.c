/* tr-screen-check.c: which screens show a test ticket
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tr-screen-check.h"

struct _TrScreenCheck
{
  char *ticket_id;
  int number;
  gint64 seq;
  gint64 committed_at;
  gint64 ended_at; /* 0 while it runs */
  gboolean observed;
  GPtrArray *results; /* of TrScreenResult*, sorted */
};

const char *
tr_screen_state_to_string (TrScreenState state)
{
  switch (state)
    {
      case TR_SCREEN_WAITING:
        return "waiting";
      case TR_SCREEN_SHOWN:
        return "shown";
      case TR_SCREEN_NO_ANSWER:
        return "no_answer";
      case TR_SCREEN_OFFLINE:
      default:
        return "offline";
    }
}

TrScreenState
tr_screen_state_from_string (const char *text)
{
  for (TrScreenState state = TR_SCREEN_WAITING; state <= TR_SCREEN_OFFLINE; state++)
    if (g_strcmp0 (text, tr_screen_state_to_string (state)) == 0)
      return state;
  return TR_SCREEN_OFFLINE;
}

/* One wording for the CLI and the host monitor. */
const char *
tr_screen_state_label (TrScreenState state)
{
  switch (state)
    {
      case TR_SCREEN_SHOWN:
        /* Translators: a screen's result in the screen test */
        return _ ("shows it");
      case TR_SCREEN_WAITING:
      case TR_SCREEN_NO_ANSWER:
        /* Translators: a screen's result in the screen test */
        return _ ("did not show it in time");
      case TR_SCREEN_OFFLINE:
      default:
        /* Translators: a screen's result in the screen test */
        return _ ("offline");
    }
}

static void
result_free (TrScreenResult *result)
{
  g_free (result->station_id);
  g_free (result->name);
  g_free (result->role);
  g_free (result);
}

TrScreenCheck *
tr_screen_check_new (const char *ticket_id, int number, gint64 seq, gint64 committed_at)
{
  TrScreenCheck *check = g_new0 (TrScreenCheck, 1);

  g_return_val_if_fail (ticket_id != NULL, NULL);
  check->ticket_id = g_strdup (ticket_id);
  check->number = number;
  check->seq = seq;
  check->committed_at = committed_at;
  check->results = g_ptr_array_new_with_free_func ((GDestroyNotify)result_free);
  return check;
}

void
tr_screen_check_free (TrScreenCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->ticket_id);
  g_ptr_array_unref (check->results);
  g_free (check);
}

static int
compare_results (gconstpointer a, gconstpointer b)
{
  const TrScreenResult *x = *(TrScreenResult *const *)a;
  const TrScreenResult *y = *(TrScreenResult *const *)b;
  int by_name = g_strcmp0 (x->name, y->name);

  return by_name != 0 ? by_name : g_strcmp0 (x->station_id, y->station_id);
}

static TrScreenResult *
find_result (TrScreenCheck *check, const char *station_id)
{
  for (guint i = 0; i < check->results->len; i++)
    {
      TrScreenResult *result = g_ptr_array_index (check->results, i);

      if (g_str_equal (result->station_id, station_id))
        return result;
    }
  return NULL;
}

void
tr_screen_check_observe (TrScreenCheck *check, const char *station_id, const char *name,
                         const char *role, gboolean connected, gint64 last_seq, gint64 now)
{
  TrScreenResult *result;

  g_return_if_fail (check != NULL);
  g_return_if_fail (station_id != NULL);

  check->observed = TRUE;
  if (check->ended_at != 0)
    return;
  result = find_result (check, station_id);
  if (result == NULL)
    {
      result = g_new0 (TrScreenResult, 1);
      result->station_id = g_strdup (station_id);
      result->name = g_strdup (name != NULL ? name : station_id);
      result->role = g_strdup (role);
      result->state = TR_SCREEN_OFFLINE;
      result->shown_after_ms = -1;
      g_ptr_array_add (check->results, result);
      g_ptr_array_sort (check->results, compare_results);
    }
  if (result->state == TR_SCREEN_SHOWN)
    return;
  /* A report of a later seq proves the ticket's event was applied too:
   * a station applies events in order. A station that is not connected
   * now may still report it later, from a reconnect. */
  if (last_seq >= check->seq)
    {
      result->state = TR_SCREEN_SHOWN;
      result->shown_after_ms = MAX (0, now - check->committed_at);
    }
  else if (connected)
    result->state = TR_SCREEN_WAITING;
}

gboolean
tr_screen_check_is_done (const TrScreenCheck *check, gint64 now, gint64 timeout_ms)
{
  g_return_val_if_fail (check != NULL, TRUE);

  if (check->ended_at != 0 || now - check->committed_at >= timeout_ms)
    return TRUE;
  if (!check->observed)
    return FALSE;
  return tr_screen_check_count (check, TR_SCREEN_WAITING) == 0;
}

void
tr_screen_check_finish (TrScreenCheck *check, gint64 now)
{
  g_return_if_fail (check != NULL);

  if (check->ended_at != 0)
    return;
  check->ended_at = MAX (now, check->committed_at);
  for (guint i = 0; i < check->results->len; i++)
    {
      TrScreenResult *result = g_ptr_array_index (check->results, i);

      if (result->state == TR_SCREEN_WAITING)
        result->state = TR_SCREEN_NO_ANSWER;
    }
}

const char *
tr_screen_check_get_ticket_id (const TrScreenCheck *check)
{
  return check->ticket_id;
}

int
tr_screen_check_get_number (const TrScreenCheck *check)
{
  return check->number;
}

gint64
tr_screen_check_get_seq (const TrScreenCheck *check)
{
  return check->seq;
}

guint
tr_screen_check_get_n_results (const TrScreenCheck *check)
{
  return check->results->len;
}

const TrScreenResult *
tr_screen_check_get_result (const TrScreenCheck *check, guint index)
{
  g_return_val_if_fail (index < check->results->len, NULL);
  return g_ptr_array_index (check->results, index);
}

guint
tr_screen_check_count (const TrScreenCheck *check, TrScreenState state)
{
  guint n = 0;

  for (guint i = 0; i < check->results->len; i++)
    if (((TrScreenResult *)g_ptr_array_index (check->results, i))->state == state)
      n++;
  return n;
}

JsonNode *
tr_screen_check_to_json (const TrScreenCheck *check)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ticket_id");
  json_builder_add_string_value (builder, check->ticket_id);
  json_builder_set_member_name (builder, "number");
  json_builder_add_int_value (builder, check->number);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, check->seq);
  json_builder_set_member_name (builder, "elapsed_ms");
  json_builder_add_int_value (builder,
                              check->ended_at != 0 ? check->ended_at - check->committed_at : 0);
  json_builder_set_member_name (builder, "shown");
  json_builder_add_int_value (builder, tr_screen_check_count (check, TR_SCREEN_SHOWN));
  json_builder_set_member_name (builder, "no_answer");
  json_builder_add_int_value (builder, tr_screen_check_count (check, TR_SCREEN_NO_ANSWER)
                                         + tr_screen_check_count (check, TR_SCREEN_WAITING));
  json_builder_set_member_name (builder, "offline");
  json_builder_add_int_value (builder, tr_screen_check_count (check, TR_SCREEN_OFFLINE));
  json_builder_set_member_name (builder, "stations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < check->results->len; i++)
    {
      const TrScreenResult *result = g_ptr_array_index (check->results, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "station");
      json_builder_add_string_value (builder, result->station_id);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, result->name);
      json_builder_set_member_name (builder, "role");
      if (result->role != NULL)
        json_builder_add_string_value (builder, result->role);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, tr_screen_state_to_string (result->state));
      json_builder_set_member_name (builder, "shown_after_ms");
      if (result->shown_after_ms >= 0)
        json_builder_add_int_value (builder, result->shown_after_ms);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
