/* test-escpos.c: slips as printer bytes, read back the way a printer
 * reads them, against the golden slips in docs/slips/
 *
 * Set TICKETRAIL_WRITE_GOLDEN=1 to write the golden files from this
 * build instead (then read the diff before committing it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tr-error.h"
#include "tr-escpos.h"
#include "tr-test-escpos.h"
#include "tr-test-slips.h"

static void
assert_bytes (GBytes *bytes, const char *expected, gsize expected_len)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  g_assert_cmpmem (data, len, expected, expected_len);
}

/* What CP858 has goes in as its byte; what it lacks is transliterated
 * or "?". */
static void
test_code_page (void)
{
  g_autoptr (GBytes) latin = tr_escpos_encode_text ("Crème brûlée 5€", TR_ESCPOS_CP858);
  g_autoptr (GBytes) translit = tr_escpos_encode_text ("Łódź “hot”", TR_ESCPOS_CP858);
  g_autoptr (GBytes) hindi = tr_escpos_encode_text ("दाल", TR_ESCPOS_CP858);
  g_autoptr (GBytes) euro437 = tr_escpos_encode_text ("5€", TR_ESCPOS_CP437);

  assert_bytes (latin,
                "Cr\x8a"
                "me br\x96l\x82"
                "e 5\xd5",
                15);
  assert_bytes (translit,
                "L\xa2"
                "dz \"hot\"",
                10);
  assert_bytes (hindi, "???", 3);
  assert_bytes (euro437, "5EUR", 4);
}

/* A name or note never reaches the printer as a command. */
static void
test_no_commands_in_text (void)
{
  g_autoptr (GBytes) bytes = tr_escpos_encode_text ("a\x1b@b\x1d"
                                                    "V\x42\x01\x10\x04"
                                                    "c\x7f",
                                                    TR_ESCPOS_CP858);
  g_autoptr (TrTicket) ticket = tr_test_slips_ticket ();
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  TrSlipOptions options = { 42, NULL, FALSE, utc };
  TrItem *burger = g_ptr_array_index (ticket->items, 0);
  g_autoptr (TrSlip) slip = NULL;
  g_autoptr (GBytes) stream = NULL;
  g_autoptr (TrTestEscpos) reader = tr_test_escpos_new (42);
  g_autoptr (GError) error = NULL;
  const guint8 *data;
  gsize len;

  assert_bytes (bytes, "a?@b?VB???c?", 12);

  g_free (burger->name);
  burger->name = g_strdup ("Burger\x1d"
                           "V\x41\x00");
  g_free (burger->note);
  burger->note = g_strdup ("cut\x1b"
                           "d\x05 here");
  slip = tr_slip_new_ticket (ticket, &options);
  stream = tr_escpos_encode_slip (slip, TR_ESCPOS_CP858);
  data = g_bytes_get_data (stream, &len);
  g_assert_true (tr_test_escpos_feed (reader, data, len, &error));
  g_assert_no_error (error);
  /* One cut: the one at the end. */
  g_assert_cmpuint (reader->slips->len, ==, 1);
  g_assert_cmpuint (reader->pending->len, ==, 0);
}

/* The stream's frame: initialise, code page, ..., feed, partial cut. */
static void
test_frame (void)
{
  g_autoptr (TrTicket) ticket = tr_test_slips_ticket ();
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  TrSlipOptions options = { 42, NULL, FALSE, utc };
  g_autoptr (TrSlip) slip = tr_slip_new_ticket (ticket, &options);
  g_autoptr (GBytes) stream = tr_escpos_encode_slip (slip, TR_ESCPOS_CP858);
  gsize len;
  const guint8 *data = g_bytes_get_data (stream, &len);

  g_assert_cmpmem (data, 5, "\x1b@\x1bt\x13", 5);
  g_assert_cmpmem (data + len - 4, 4, "\x1dV\x42\x00", 4);
}

/* A stream read in pieces, cut anywhere, reads the same. */
static void
test_pieces (void)
{
  g_autoptr (TrTicket) ticket = tr_test_slips_ticket ();
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  TrSlipOptions options = { 32, NULL, FALSE, utc };
  g_autoptr (TrSlip) slip = tr_slip_new_ticket (ticket, &options);
  g_autoptr (GBytes) stream = tr_escpos_encode_slip (slip, TR_ESCPOS_CP858);
  g_autoptr (GError) error = NULL;
  g_autofree char *whole = tr_test_escpos_render (stream, 32, &error);
  gsize len;
  const guint8 *data = g_bytes_get_data (stream, &len);

  g_assert_no_error (error);
  for (gsize step = 1; step < 8; step++)
    {
      g_autoptr (TrTestEscpos) reader = tr_test_escpos_new (32);

      for (gsize at = 0; at < len; at += step)
        {
          g_assert_true (tr_test_escpos_feed (reader, data + at, MIN (step, len - at), &error));
          g_assert_no_error (error);
        }
      g_assert_cmpuint (reader->slips->len, ==, 1);
      g_assert_cmpstr (g_ptr_array_index (reader->slips, 0), ==, whole);
    }
}

static void
check_golden (const char *name, GBytes *stream, guint columns)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = tr_test_escpos_render (stream, columns, &error);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "docs", "slips", name, NULL);
  g_autofree char *golden = NULL;

  g_assert_no_error (error);
  if (g_strcmp0 (g_getenv ("TICKETRAIL_WRITE_GOLDEN"), "1") == 0)
    {
      g_file_set_contents (path, text, -1, &error);
      g_assert_no_error (error);
      g_test_message ("wrote %s", path);
      return;
    }
  g_file_get_contents (path, &golden, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, golden);
}

static void
test_golden (void)
{
  g_autoptr (TrTicket) ticket = tr_test_slips_ticket ();
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  static const guint widths[] = { 32, 42, 48 };

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      TrSlipOptions options = { widths[i], NULL, FALSE, utc };
      g_autoptr (TrSlip) slip = tr_slip_new_ticket (ticket, &options);
      g_autoptr (GBytes) stream = tr_escpos_encode_slip (slip, TR_ESCPOS_CP858);
      g_autofree char *name = g_strdup_printf ("ticket-%u.txt", widths[i]);

      check_golden (name, stream, widths[i]);
    }
  {
    g_autoptr (TrTicket) after = tr_ticket_copy (ticket);
    TrItem *burger = tr_ticket_find_item (after, "burger");
    TrItem *fries = tr_ticket_find_item (after, "fries");
    TrSlipOptions options = { 42, "grill", FALSE, utc };
    g_autoptr (TrSlip) slip = NULL;
    g_autoptr (GBytes) stream = NULL;

    after->updated_at += 7 * 60 * 1000;
    burger->quantity = 3;
    g_strfreev (burger->modifiers);
    burger->modifiers = g_strdupv ((GStrv)(const char *const[]){ "no onion", "bacon", NULL });
    g_free (fries->station);
    fries->station = g_strdup ("grill");
    fries->status = TR_ITEM_STATUS_VOIDED;
    slip = tr_slip_new_amendment (ticket, after, &options);
    stream = tr_escpos_encode_slip (slip, TR_ESCPOS_CP858);
    check_golden ("amendment-42.txt", stream, 42);
  }
  {
    TrSlipOptions options = { 32, NULL, FALSE, utc };
    g_autoptr (TrSlip) slip = tr_slip_new_ready_chit (ticket, &options);
    g_autoptr (GBytes) stream = tr_escpos_encode_slip (slip, TR_ESCPOS_CP858);

    check_golden ("ready-chit-32.txt", stream, 32);
  }
}

static void
test_status (void)
{
  TrPrinterStatus status = { 0 };
  g_autoptr (GError) error = NULL;
  guint8 query[3];

  tr_escpos_status_query (TR_ESCPOS_STATUS_PAPER, query);
  g_assert_cmpmem (query, 3, "\x10\x04\x04", 3);

  g_assert_true (tr_escpos_read_status (TR_ESCPOS_STATUS_PRINTER, 0x12, &status, &error));
  g_assert_false (status.offline);
  g_assert_true (tr_escpos_read_status (TR_ESCPOS_STATUS_PRINTER, 0x1a, &status, &error));
  g_assert_true (status.offline);
  g_assert_true (tr_escpos_read_status (TR_ESCPOS_STATUS_OFFLINE, 0x16, &status, &error));
  g_assert_true (status.cover_open);
  g_assert_false (status.paper_out);
  g_assert_true (tr_escpos_read_status (TR_ESCPOS_STATUS_PAPER, 0x1e, &status, &error));
  g_assert_true (status.paper_low);
  g_assert_false (status.paper_out);
  g_assert_true (tr_escpos_read_status (TR_ESCPOS_STATUS_PAPER, 0x72, &status, &error));
  g_assert_true (status.paper_out);
  g_assert_no_error (error);

  /* A printer that lies (or a web server on port 9100): an error, and
   * what was known stays. */
  for (guint byte = 0; byte < 256; byte++)
    {
      TrPrinterStatus before = status;

      if ((byte & 0x93) == 0x12)
        continue;
      g_assert_false (
        tr_escpos_read_status (TR_ESCPOS_STATUS_PAPER, (guint8)byte, &status, &error));
      g_assert_error (error, TR_ERROR, TR_ERROR_PROTOCOL);
      g_clear_error (&error);
      g_assert_cmpmem (&before, sizeof before, &status, sizeof status);
    }
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/escpos/code-page", test_code_page);
  g_test_add_func ("/escpos/no-commands-in-text", test_no_commands_in_text);
  g_test_add_func ("/escpos/frame", test_frame);
  g_test_add_func ("/escpos/pieces", test_pieces);
  g_test_add_func ("/escpos/golden", test_golden);
  g_test_add_func ("/escpos/status", test_status);
  return g_test_run ();
}
