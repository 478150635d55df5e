/* tr-escpos.c: slips as ESC/POS bytes, and what a printer says back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-escpos"

#include "config.h"

#include "tr-escpos.h"

#include "tr-error.h"

/* Lines fed before the cut: the last line clears the cutter. */
#define FEED_BEFORE_CUT 4

static const char *
iconv_name (TrEscposCodePage code_page)
{
  return code_page == TR_ESCPOS_CP437 ? "CP437" : "CP858";
}

static void
append_char (GByteArray *out, GIConv cd, gunichar c)
{
  char utf8[8];
  gsize len = (gsize)g_unichar_to_utf8 (c, utf8);
  char converted[8];
  gchar *in = utf8;
  gchar *outp = converted;
  gsize in_left = len, out_left = sizeof converted;

  utf8[len] = '\0';
  if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
    {
      g_byte_array_append (out, (const guint8 *)"?", 1);
      return;
    }
  if (c < 0x80)
    {
      g_byte_array_append (out, (const guint8 *)utf8, 1);
      return;
    }
  g_iconv (cd, NULL, NULL, NULL, NULL);
  if (g_iconv (cd, &in, &in_left, &outp, &out_left) != (gsize)-1 && in_left == 0)
    g_byte_array_append (out, (const guint8 *)converted, (guint)(outp - converted));
  else
    {
      /* GLib's own transliteration, the same on every machine (iconv's
       * //TRANSLIT depends on the locale): "ł" → "l", "“" → "\"", and
       * "?" for what has no Latin form. */
      g_autofree char *ascii = g_str_to_ascii (utf8, "C");

      for (const char *p = ascii; *p != '\0'; p++)
        {
          guint8 byte = (guint8)*p;

          if (byte < 0x20 || byte >= 0x7f)
            byte = '?';
          g_byte_array_append (out, &byte, 1);
        }
    }
}

static void
append_text (GByteArray *out, GIConv cd, const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar)-1 || c == (gunichar)-2)
        {
          /* Not UTF-8: the codec never lets it in, but a byte is never a
           * command either. */
          g_byte_array_append (out, (const guint8 *)"?", 1);
          continue;
        }
      append_char (out, cd, c);
    }
}

GBytes *
tr_escpos_encode_text (const char *text, TrEscposCodePage code_page)
{
  GByteArray *out;
  GIConv cd;

  g_return_val_if_fail (text != NULL, NULL);

  /* glibc has both code pages. */
  cd = g_iconv_open (iconv_name (code_page), "UTF-8");
  g_return_val_if_fail (cd != (GIConv)-1, NULL);
  out = g_byte_array_new ();
  append_text (out, cd, text);
  g_iconv_close (cd);
  return g_byte_array_free_to_bytes (out);
}

static void
append_command (GByteArray *out, guint8 a, guint8 b, guint8 n)
{
  guint8 command[3] = { a, b, n };

  g_byte_array_append (out, command, sizeof command);
}

GBytes *
tr_escpos_encode_slip (const TrSlip *slip, TrEscposCodePage code_page)
{
  GByteArray *out;
  GIConv cd;
  TrSlipStyle style = TR_SLIP_STYLE_PLAIN;
  static const guint8 init[] = { TR_ESCPOS_ESC, '@' };
  static const guint8 cut[] = { TR_ESCPOS_GS, 'V', 66, 0 };

  g_return_val_if_fail (slip != NULL, NULL);

  cd = g_iconv_open (iconv_name (code_page), "UTF-8");
  g_return_val_if_fail (cd != (GIConv)-1, NULL);
  out = g_byte_array_new ();
  g_byte_array_append (out, init, sizeof init);
  append_command (out, TR_ESCPOS_ESC, 't', (guint8)code_page);
  for (guint i = 0; i < slip->lines->len; i++)
    {
      const TrSlipLine *line = g_ptr_array_index (slip->lines, i);
      TrSlipStyle changed = line->style ^ style;

      /* Only what changes: a slip is a few hundred bytes either way, but
       * a stream a person can read in a hex dump is worth it. */
      if (changed & TR_SLIP_STYLE_CENTRED)
        append_command (out, TR_ESCPOS_ESC, 'a', (line->style & TR_SLIP_STYLE_CENTRED) ? 1 : 0);
      if (changed & TR_SLIP_STYLE_BOLD)
        append_command (out, TR_ESCPOS_ESC, 'E', (line->style & TR_SLIP_STYLE_BOLD) ? 1 : 0);
      if (changed & TR_SLIP_STYLE_DOUBLE)
        append_command (out, TR_ESCPOS_GS, '!', (line->style & TR_SLIP_STYLE_DOUBLE) ? 0x11 : 0);
      if (changed & TR_SLIP_STYLE_REVERSED)
        append_command (out, TR_ESCPOS_GS, 'B', (line->style & TR_SLIP_STYLE_REVERSED) ? 1 : 0);
      style = line->style;
      append_text (out, cd, line->text);
      g_byte_array_append (out, (const guint8[]){ TR_ESCPOS_LF }, 1);
    }
  g_iconv_close (cd);
  /* Back to plain for whatever prints next, then feed and cut. */
  g_byte_array_append (out, init, sizeof init);
  append_command (out, TR_ESCPOS_ESC, 'd', FEED_BEFORE_CUT);
  g_byte_array_append (out, cut, sizeof cut);
  return g_byte_array_free_to_bytes (out);
}

void
tr_escpos_status_query (TrEscposStatusQuery query, guint8 out[3])
{
  out[0] = TR_ESCPOS_DLE;
  out[1] = TR_ESCPOS_EOT;
  out[2] = (guint8)query;
}

gboolean
tr_escpos_read_status (TrEscposStatusQuery query, guint8 byte, TrPrinterStatus *status,
                       GError **error)
{
  g_return_val_if_fail (status != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Every answer to DLE EOT has bit 1 and bit 4 set, bits 0 and 7 clear
   * (0xx1xx10 in Epson's table): anything else did not come from an
   * ESC/POS status. */
  if ((byte & 0x93) != 0x12)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL,
                   "the printer answered 0x%02x to status query %d: not an ESC/POS status", byte,
                   (int)query);
      return FALSE;
    }
  switch (query)
    {
      case TR_ESCPOS_STATUS_PRINTER:
        status->offline = (byte & 0x08) != 0;
        return TRUE;

      case TR_ESCPOS_STATUS_OFFLINE:
        status->cover_open = (byte & 0x04) != 0;
        status->error = (byte & 0x40) != 0;
        /* Bit 5: printing stopped at the end of the paper. */
        status->paper_out = status->paper_out || (byte & 0x20) != 0;
        return TRUE;

      case TR_ESCPOS_STATUS_PAPER:
        status->paper_low = (byte & 0x0c) != 0;
        status->paper_out = (byte & 0x60) != 0;
        return TRUE;

      default:
        g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "no such status query: %d", (int)query);
        return FALSE;
    }
}
