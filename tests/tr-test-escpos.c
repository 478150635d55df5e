/* tr-test-escpos.c: reads an ESC/POS stream back, as a printer would
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-test-escpos.h"

#include <gio/gio.h>
#include <string.h>

typedef struct
{
  TrTestEscpos public;
  guint columns;
  const char *code_page; /* iconv name */
  gboolean bold, doubled, reversed, centred;
  GByteArray *line;   /* text bytes of the line being printed */
  GByteArray *unread; /* a command cut between two feeds */
} Reader;

TrTestEscpos *
tr_test_escpos_new (guint columns)
{
  Reader *self = g_new0 (Reader, 1);

  self->public.slips = g_ptr_array_new_with_free_func (g_free);
  self->public.status_queries = g_array_new (FALSE, FALSE, sizeof (guint8));
  self->public.pending = g_string_new (NULL);
  self->columns = columns;
  self->code_page = "CP437";
  self->line = g_byte_array_new ();
  self->unread = g_byte_array_new ();
  return &self->public;
}

void
tr_test_escpos_free (TrTestEscpos *public)
{
  Reader *self = (Reader *)public;

  if (self == NULL)
    return;
  g_ptr_array_unref (public->slips);
  g_array_unref (public->status_queries);
  g_string_free (public->pending, TRUE);
  g_byte_array_unref (self->line);
  g_byte_array_unref (self->unread);
  g_free (self);
}

static void
reset_styles (Reader *self)
{
  self->bold = self->doubled = self->reversed = self->centred = FALSE;
}

/* One printed line: framed at the paper's width, the emphasis named. */
static gboolean
print_line (Reader *self, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GString) shown = g_string_new (NULL);
  glong length;
  guint width;
  guint left = 0;

  text = g_convert ((const char *)self->line->data, self->line->len, "UTF-8", self->code_page, NULL,
                    NULL, error);
  if (text == NULL)
    return FALSE;
  g_byte_array_set_size (self->line, 0);
  length = g_utf8_strlen (text, -1);
  width = self->doubled ? (guint)length * 2 : (guint)length;
  if (width > self->columns)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "line \"%s\" is %u columns wide on %u-column paper", text, width, self->columns);
      return FALSE;
    }
  if (self->centred)
    left = (self->columns - width) / 2;
  for (guint i = 0; i < left; i++)
    g_string_append_c (shown, ' ');
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      g_string_append_unichar (shown, g_utf8_get_char (p));
      if (self->doubled)
        g_string_append_c (shown, ' ');
    }
  for (guint i = left + width; i < self->columns; i++)
    g_string_append_c (shown, ' ');
  g_string_append_printf (self->public.pending, "|%s|", shown->str);
  if (self->bold || self->doubled || self->reversed || self->centred)
    g_string_append_printf (self->public.pending, " %s%s%s%s", self->bold ? "B" : "",
                            self->doubled ? "2" : "", self->reversed ? "R" : "",
                            self->centred ? "C" : "");
  g_string_append_c (self->public.pending, '\n');
  return TRUE;
}

static void
cut (Reader *self)
{
  g_autofree char *border = g_strnfill (self->columns, '=');

  g_string_append_printf (self->public.pending, "+%s+ cut\n", border);
  g_ptr_array_add (self->public.slips, g_string_free (self->public.pending, FALSE));
  self->public.pending = g_string_new (NULL);
}

/* How many bytes the command at @data takes, 0 when it is not all
 * there yet, -1 when no printer knows it. */
static gssize
command_length (const guint8 *data, gsize len)
{
  if (len < 2)
    return 0;
  if (data[0] == 0x1b)
    switch (data[1])
      {
        case '@':
          return 2;
        case 't':
        case 'a':
        case 'E':
        case 'd':
          return len >= 3 ? 3 : 0;
        default:
          return -1;
      }
  if (data[0] == 0x1d)
    switch (data[1])
      {
        case '!':
        case 'B':
          return len >= 3 ? 3 : 0;
        case 'V':
          if (len < 3)
            return 0;
          /* Function A (0, 1, 48, 49) has no n; function B (65, 66) has. */
          if (data[2] == 65 || data[2] == 66)
            return len >= 4 ? 4 : 0;
          return 3;
        default:
          return -1;
      }
  if (data[0] == 0x10)
    return data[1] == 0x04 ? (len >= 3 ? 3 : 0) : -1;
  return -1;
}

static gboolean
run_command (Reader *self, const guint8 *command, GError **error)
{
  if (command[0] == 0x10)
    {
      g_array_append_val (self->public.status_queries, command[2]);
      return TRUE;
    }
  if (command[0] == 0x1b)
    switch (command[1])
      {
        case '@':
          reset_styles (self);
          self->code_page = "CP437";
          return TRUE;
        case 't':
          if (command[2] == 0)
            self->code_page = "CP437";
          else if (command[2] == 19)
            self->code_page = "CP858";
          else
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "code page %u unknown",
                           command[2]);
              return FALSE;
            }
          return TRUE;
        case 'a':
          self->centred = command[2] == 1 || command[2] == '1';
          return TRUE;
        case 'E':
          self->bold = command[2] & 1;
          return TRUE;
        case 'd':
          for (guint i = 0; i < command[2]; i++)
            if (!print_line (self, error))
              return FALSE;
          return TRUE;
        default:
          break;
      }
  if (command[0] == 0x1d)
    switch (command[1])
      {
        case '!':
          self->doubled = command[2] == 0x11;
          if (command[2] != 0 && command[2] != 0x11)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "GS ! 0x%02x: only double width and height are used", command[2]);
              return FALSE;
            }
          return TRUE;
        case 'B':
          self->reversed = command[2] & 1;
          return TRUE;
        case 'V':
          if (self->line->len > 0 && !print_line (self, error))
            return FALSE;
          cut (self);
          return TRUE;
        default:
          break;
      }
  g_assert_not_reached ();
}

gboolean
tr_test_escpos_feed (TrTestEscpos *public, const guint8 *data, gsize len, GError **error)
{
  Reader *self = (Reader *)public;
  gsize at = 0;

  g_byte_array_append (self->unread, data, (guint)len);
  while (at < self->unread->len)
    {
      const guint8 *p = self->unread->data + at;
      gsize left = self->unread->len - at;

      if (*p == 0x0a)
        {
          if (!print_line (self, error))
            return FALSE;
          at++;
        }
      else if (*p == 0x1b || *p == 0x1d || *p == 0x10)
        {
          gssize n = command_length (p, left);

          if (n < 0)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "unknown command 0x%02x 0x%02x at byte %" G_GSIZE_FORMAT, p[0], p[1],
                           at);
              return FALSE;
            }
          if (n == 0)
            break;
          if (!run_command (self, p, error))
            return FALSE;
          at += (gsize)n;
        }
      else if (*p < 0x20 || *p == 0x7f)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "control byte 0x%02x in the text at byte %" G_GSIZE_FORMAT, *p, at);
          return FALSE;
        }
      else
        {
          g_byte_array_append (self->line, p, 1);
          at++;
        }
    }
  g_byte_array_remove_range (self->unread, 0, (guint)at);
  return TRUE;
}

char *
tr_test_escpos_render (GBytes *stream, guint columns, GError **error)
{
  g_autoptr (TrTestEscpos) reader = tr_test_escpos_new (columns);
  gsize len;
  const guint8 *data = g_bytes_get_data (stream, &len);
  GString *text;

  if (!tr_test_escpos_feed (reader, data, len, error))
    return NULL;
  text = g_string_new (NULL);
  for (guint i = 0; i < reader->slips->len; i++)
    g_string_append (text, g_ptr_array_index (reader->slips, i));
  g_string_append (text, reader->pending->str);
  return g_string_free (text, FALSE);
}
