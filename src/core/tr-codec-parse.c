/* tr-codec-parse.c: JSON text to JsonNode, refusing what json-glib lets by
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-codec"

#include "tr-codec.h"

#include <string.h>

#include "tr-error.h"

static gboolean G_GNUC_PRINTF (2, 3) fail_json (GError **error, const char *format, ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "json: %s", reason);
  return FALSE;
}

static inline gboolean
is_json_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

/* Checks a number token against the JSON grammar and, for integers, that
 * it fits in 64 bits: json-glib's scanner silently wraps overflowing
 * integers (-18446744073709551615 becomes 1) and accepts 0x10 and 01.
 * Returns the offset just past the token, or 0 on error. */
static gsize
scan_number (const char *data, gsize length, gsize start, GError **error)
{
  gsize i = start;
  gsize int_start;
  gsize int_len;
  gboolean negative = FALSE;
  gboolean integer = TRUE;

  if (data[i] == '-')
    {
      negative = TRUE;
      i++;
    }
  int_start = i;
  if (i >= length || !is_digit (data[i]))
    return fail_json (error, "invalid number at offset %" G_GSIZE_FORMAT, start), 0;
  if (data[i] == '0')
    i++;
  else
    while (i < length && is_digit (data[i]))
      i++;
  int_len = i - int_start;
  if (i < length && data[i] == '.')
    {
      integer = FALSE;
      i++;
      if (i >= length || !is_digit (data[i]))
        return fail_json (error, "invalid number at offset %" G_GSIZE_FORMAT, start), 0;
      while (i < length && is_digit (data[i]))
        i++;
    }
  if (i < length && (data[i] == 'e' || data[i] == 'E'))
    {
      integer = FALSE;
      i++;
      if (i < length && (data[i] == '+' || data[i] == '-'))
        i++;
      if (i >= length || !is_digit (data[i]))
        return fail_json (error, "invalid number at offset %" G_GSIZE_FORMAT, start), 0;
      while (i < length && is_digit (data[i]))
        i++;
    }
  if (i < length && (g_ascii_isalnum (data[i]) || data[i] == '.' || data[i] == '_'))
    return fail_json (error, "invalid number at offset %" G_GSIZE_FORMAT, start), 0;

  if (integer)
    {
      const char *limit = negative ? "9223372036854775808" : "9223372036854775807";
      const gsize limit_len = 19;

      if (int_len > limit_len
          || (int_len == limit_len && memcmp (data + int_start, limit, limit_len) > 0))
        return fail_json (error, "integer out of range at offset %" G_GSIZE_FORMAT, start), 0;
    }
  return i;
}

/* The value of the four hex digits at @pos, or -1. */
static gint
hex4_at (const char *data, gsize length, gsize pos)
{
  gint value = 0;

  if (pos + 4 > length)
    return -1;
  for (gsize k = pos; k < pos + 4; k++)
    {
      gint digit = g_ascii_xdigit_value (data[k]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

/* json-glib turns a lone UTF-16 surrogate escape ("\udca4") into bytes
 * that are not UTF-8, so a string that passed the parser would fail the
 * next one it is sent to (a frame rebuilt from it did, under the fuzzer).
 * @i is at the 'u' of an escape; on a valid pair it moves to the second
 * escape's 'u' so the caller's scan goes on after it. */
static gboolean
check_surrogates (const char *data, gsize length, gsize *i, GError **error)
{
  gsize at = *i;
  gint unit;
  gint low;

  if (at >= length || data[at] != 'u')
    return TRUE; /* not a \u escape */
  /* json-glib stops at the first non-hex digit and keeps what it read, so
   * "\ude" would become a lone U+DE00: refuse any short escape here. */
  if ((unit = hex4_at (data, length, at + 1)) < 0)
    return fail_json (error, "\\u escape without four hex digits at offset %" G_GSIZE_FORMAT,
                      at - 1);
  if (unit >= 0xdc00 && unit <= 0xdfff)
    return fail_json (error, "lone low surrogate in a string at offset %" G_GSIZE_FORMAT, at - 1);
  if (unit < 0xd800 || unit > 0xdbff)
    return TRUE;
  if (at + 6 >= length || data[at + 5] != '\\' || data[at + 6] != 'u'
      || (low = hex4_at (data, length, at + 7)) < 0xdc00 || low > 0xdfff)
    return fail_json (error, "lone high surrogate in a string at offset %" G_GSIZE_FORMAT, at - 1);
  *i = at + 6;
  return TRUE;
}

/* One cheap pass before JsonParser, which recurses per nesting level and
 * so must never see a deep input. It also closes the gaps where json-glib
 * is laxer than JSON in ways that matter here: it accepts single-quoted
 * strings and comments (either could hide brackets from this scan), a
 * second top-level value after the first ("{}{}"), and \u0000, which it
 * turns into a silently truncated string. */
static gboolean
prescan (const char *data, gsize length, GError **error)
{
  guint depth = 0;
  gboolean seen_value = FALSE;
  gsize i = 0;

  while (i < length)
    {
      char c = data[i];

      if (is_json_space (c))
        {
          i++;
          continue;
        }
      if (seen_value && depth == 0)
        return fail_json (
          error, "unexpected data after the top-level value at offset %" G_GSIZE_FORMAT, i);

      switch (c)
        {
          case '{':
          case '[':
            if (++depth > TR_MAX_JSON_DEPTH)
              return fail_json (error, "nesting deeper than %d levels", TR_MAX_JSON_DEPTH);
            i++;
            break;
          case '}':
          case ']':
            if (depth == 0)
              return fail_json (error, "unbalanced '%c' at offset %" G_GSIZE_FORMAT, c, i);
            if (--depth == 0)
              seen_value = TRUE;
            i++;
            break;
          case ',':
          case ':':
            i++;
            break;
          case '"':
            for (i++; i < length && data[i] != '"'; i++)
              {
                if (data[i] != '\\')
                  continue;
                i++;
                /* Only JSON's escapes: json-glib's scanner also takes
                 * GScanner's octal ones ("\251" is the byte 0xA9), which
                 * make strings that are not UTF-8 (the fuzzer found one). */
                if (i < length && strchr ("\"\\/bfnrtu", data[i]) == NULL)
                  return fail_json (error, "invalid escape in a string at offset %" G_GSIZE_FORMAT,
                                    i - 1);
                if (i + 4 < length && data[i] == 'u' && memcmp (data + i + 1, "0000", 4) == 0)
                  return fail_json (error, "\\u0000 in a string at offset %" G_GSIZE_FORMAT, i - 1);
                if (!check_surrogates (data, length, &i, error))
                  return FALSE;
              }
            if (i >= length)
              return fail_json (error, "unterminated string");
            i++;
            if (depth == 0)
              seen_value = TRUE;
            break;
          case '-':
          case '0' ... '9':
            if ((i = scan_number (data, length, i, error)) == 0)
              return FALSE;
            if (depth == 0)
              seen_value = TRUE;
            break;
          default:
            if (g_ascii_isalpha (c))
              {
                /* true, false, null; JsonParser rejects other words. */
                while (i < length && g_ascii_isalnum (data[i]))
                  i++;
                if (depth == 0)
                  seen_value = TRUE;
                break;
              }
            if (g_ascii_isprint (c))
              return fail_json (error, "unexpected character '%c' at offset %" G_GSIZE_FORMAT, c,
                                i);
            return fail_json (error, "unexpected byte 0x%02x at offset %" G_GSIZE_FORMAT, (guchar)c,
                              i);
        }
    }
  return TRUE;
}

JsonNode *
tr_json_parse (const char *data, gssize length, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local_error = NULL;
  const char *end = NULL;
  gsize len;
  JsonNode *root;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = length < 0 ? strlen (data) : (gsize)length;
  if (len == 0)
    return fail_json (error, "empty input"), NULL;
  if (!g_utf8_validate_len (data, len, &end))
    return fail_json (error, "invalid UTF-8 at offset %" G_GSIZE_FORMAT, (gsize)(end - data)), NULL;
  if (!prescan (data, len, error))
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, (gssize)len, &local_error))
    return fail_json (error, "%s", local_error->message), NULL;
  root = json_parser_get_root (parser);
  if (root == NULL)
    return fail_json (error, "empty input"), NULL;
  return json_node_ref (root);
}
