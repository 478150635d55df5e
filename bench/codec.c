/* codec.c: what encoding a ticket, an event and an op costs
 *
 * The host encodes the ticket once per applied op (the store's row) and
 * the event once per op (the fan-out frame), so the direct writer is on
 * the hot path; the JsonNode builders serve the protocol's frame builders.
 * Reports ns per call for each, on a ticket with 4 items and 2 changes.
 *
 * Usage: bench-codec [--iterations N]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bench-codec"

#include <stdio.h>

#include "tr-codec.h"

#define N_ITEMS 4

static TrTicket *
make_ticket (void)
{
  static const char *const stations[N_ITEMS] = { "grill", "fry", "cold", "grill" };
  TrTicket *ticket = tr_ticket_new ();

  ticket->id = tr_uuid_new ();
  ticket->number = 1234;
  ticket->table = g_strdup ("14");
  ticket->server = g_strdup ("Ana");
  ticket->note = g_strdup ("Birthday: \"candles\" on dessert");
  ticket->guests = 3;
  ticket->created_at = 1700000000000;
  ticket->updated_at = 1700000060000;
  ticket->version = 7;
  for (guint i = 0; i < N_ITEMS; i++)
    {
      TrItem *item = tr_item_new ();

      item->id = tr_uuid_new ();
      item->name = g_strdup_printf ("Dish number %u", i);
      item->quantity = 1 + (int)i % 2;
      item->station = g_strdup (stations[i]);
      if (i == 0)
        {
          g_strfreev (item->modifiers);
          item->modifiers = g_strsplit ("no onions,extra cheese", ",", -1);
        }
      g_ptr_array_add (ticket->items, item);
    }
  for (guint i = 0; i < 2; i++)
    {
      TrChange *change = g_new0 (TrChange, 1);

      change->kind = TR_CHANGE_ITEM_ADDED;
      change->at = 1700000030000 + i;
      change->item_id = g_strdup (((TrItem *)g_ptr_array_index (ticket->items, i))->id);
      g_ptr_array_add (ticket->changes, change);
    }
  return ticket;
}

typedef char *(*EncodeFunc) (gconstpointer value);

static char *
ticket_via_node (gconstpointer value)
{
  g_autoptr (JsonNode) node = tr_ticket_to_json (value);

  return tr_json_to_string (node);
}

static char *
event_via_node (gconstpointer value)
{
  g_autoptr (JsonNode) node = tr_event_to_json (value);

  return tr_json_to_string (node);
}

static void
run (const char *name, EncodeFunc encode, gconstpointer value, guint iterations)
{
  gsize bytes = 0;
  gint64 start;
  gint64 elapsed;

  /* Warm the allocator and the caches before the clock starts. */
  for (guint i = 0; i < iterations / 10 + 1; i++)
    g_free (encode (value));

  start = g_get_monotonic_time ();
  for (guint i = 0; i < iterations; i++)
    {
      char *text = encode (value);

      bytes = strlen (text);
      g_free (text);
    }
  elapsed = g_get_monotonic_time () - start;
  printf ("| %-38s | %6" G_GSIZE_FORMAT " | %9.0f |\n", name, bytes,
          1000.0 * (double)elapsed / iterations);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (TrEvent) event = NULL;
  g_autoptr (TrOp) create = NULL;
  g_autoptr (TrOp) bump = NULL;
  int iterations = 200000;
  GOptionEntry entries[] = {
    { "iterations", 0, 0, G_OPTION_ARG_INT, &iterations, "Calls per row (default 200000)", "N" },
    { NULL },
  };

  context = g_option_context_new ("- encoder cost per call");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || iterations < 1)
    {
      g_printerr ("%s\n", error ? error->message : "--iterations must be at least 1");
      return 1;
    }

  ticket = make_ticket ();
  event = tr_event_new ();
  event->seq = 123456;
  event->kind = TR_EVENT_ITEM_STATUS;
  event->op_id = tr_uuid_new ();
  event->station_id = g_strdup ("kitchen-1");
  event->at = 1700000060000;
  event->ticket = tr_ticket_copy (ticket);
  create = tr_op_new_create_ticket ("kitchen-1", ticket);
  bump = tr_op_new_set_item_status ("kitchen-1", ticket->id,
                                    ((TrItem *)g_ptr_array_index (ticket->items, 0))->id,
                                    TR_ITEM_STATUS_READY);

  printf ("| %-38s | %6s | %9s |\n", "encoder", "bytes", "ns/call");
  printf ("|----------------------------------------|-------:|----------:|\n");
  run ("tr_ticket_to_string", (EncodeFunc)tr_ticket_to_string, ticket, (guint)iterations);
  run ("tr_event_to_string", (EncodeFunc)tr_event_to_string, event, (guint)iterations);
  run ("tr_op_to_string (create, 4 items)", (EncodeFunc)tr_op_to_string, create, (guint)iterations);
  run ("tr_op_to_string (item status)", (EncodeFunc)tr_op_to_string, bump, (guint)iterations);
  run ("tr_ticket_to_json + tr_json_to_string", ticket_via_node, ticket, (guint)iterations);
  run ("tr_event_to_json + tr_json_to_string", event_via_node, event, (guint)iterations);
  return 0;
}
