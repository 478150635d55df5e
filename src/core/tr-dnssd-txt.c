/* tr-dnssd-txt.c: encoding and strictly parsing the host's TXT record,
 * and the rule for which advertised host a station follows
 *
 * A TXT record comes from any machine on the LAN, so nothing in it is
 * trusted: every field has one accepted form and anything else is
 * refused, and a refused record is simply not listed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-dnssd"

#include "tr-dnssd-txt.h"

#include <string.h>

#include "tr-error.h"

/* A TXT string is one DNS character-string: a length byte, then data. */
#define TXT_STRING_MAX 255
/* The protocol's bound on ids (docs/protocol.md, Limits). */
#define ID_MAX 128

TrDnssdTxt *
tr_dnssd_txt_new (const char *lineage, const char *host_id, gint64 gen, gboolean tls,
                  const char *name)
{
  TrDnssdTxt *txt = g_new0 (TrDnssdTxt, 1);

  txt->lineage = g_strdup (lineage);
  txt->host_id = g_strdup (host_id);
  txt->gen = gen;
  txt->tls = tls != FALSE;
  txt->name = g_strdup (name);
  return txt;
}

TrDnssdTxt *
tr_dnssd_txt_copy (const TrDnssdTxt *txt)
{
  g_return_val_if_fail (txt != NULL, NULL);

  return tr_dnssd_txt_new (txt->lineage, txt->host_id, txt->gen, txt->tls, txt->name);
}

void
tr_dnssd_txt_free (TrDnssdTxt *txt)
{
  if (txt == NULL)
    return;
  g_free (txt->lineage);
  g_free (txt->host_id);
  g_free (txt->name);
  g_free (txt);
}

/* A host_id is whatever id the host's database was given; today a UUID,
 * but older or hand-made databases may differ, so any short id of the
 * characters an id may hold is accepted. */
static gboolean
is_valid_id (const char *value, gsize length)
{
  if (length == 0 || length > ID_MAX)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (value[i]) && value[i] != '-' && value[i] != '_' && value[i] != '.')
      return FALSE;
  return TRUE;
}

/* The lineage is always made by us (tr_store_ensure_lineage), so only
 * the canonical form is accepted: one restaurant, one spelling. */
static gboolean
is_valid_lineage (const char *value, gsize length)
{
  if (length != 36 || !g_uuid_string_is_valid (value))
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (g_ascii_isupper (value[i]))
      return FALSE;
  return TRUE;
}

/* Decimal, 1 … G_MAXINT64, no sign, no leading zero, nothing else. */
static gboolean
parse_gen (const char *value, gsize length, gint64 *out)
{
  guint64 number = 0;

  if (length == 0 || length > 19 || value[0] == '0')
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isdigit (value[i]))
      return FALSE;
  if (!g_ascii_string_to_unsigned (value, 10, 1, G_MAXINT64, &number, NULL))
    return FALSE;
  *out = (gint64)number;
  return TRUE;
}

/* Shown in lists as is: valid UTF-8 without control characters. */
static gboolean
is_valid_name (const char *value, gsize length)
{
  const char *end = value + length;

  if (!g_utf8_validate_len (value, length, NULL))
    return FALSE;
  for (const char *p = value; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029)
        return FALSE;
    }
  return TRUE;
}

GStrv
tr_dnssd_txt_encode (const TrDnssdTxt *txt, GError **error)
{
  g_autoptr (GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *gen = NULL;

  g_return_val_if_fail (txt != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (txt->lineage == NULL || !is_valid_lineage (txt->lineage, strlen (txt->lineage)))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "lineage: not a lowercase UUID");
      return NULL;
    }
  if (txt->host_id == NULL || !is_valid_id (txt->host_id, strlen (txt->host_id)))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "host_id: not a valid id");
      return NULL;
    }
  if (txt->gen < 1)
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "gen: must be 1 or more");
      return NULL;
    }
  if (txt->name != NULL && !is_valid_name (txt->name, strlen (txt->name)))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "name: not printable UTF-8");
      return NULL;
    }

  gen = g_strdup_printf ("%" G_GINT64_FORMAT, txt->gen);
  /* RFC 6763, 6.7: the version key first, so a reader can stop early. */
  g_ptr_array_add (strings, g_strdup ("v=" TR_DNSSD_TXT_VERSION));
  g_ptr_array_add (strings, g_strconcat ("lineage=", txt->lineage, NULL));
  g_ptr_array_add (strings, g_strconcat ("host_id=", txt->host_id, NULL));
  g_ptr_array_add (strings, g_strconcat ("gen=", gen, NULL));
  g_ptr_array_add (strings, g_strdup (txt->tls ? "tls=1" : "tls=0"));
  if (txt->name != NULL && *txt->name != '\0')
    {
      gsize room = TXT_STRING_MAX - strlen ("name=");
      const char *end = txt->name;

      /* A restaurant's name may be long; a list only needs its start,
       * cut where a character ends. */
      while (*end != '\0' && (gsize)(g_utf8_next_char (end) - txt->name) <= room)
        end = g_utf8_next_char (end);
      g_ptr_array_add (strings, g_strdup_printf ("name=%.*s", (int)(end - txt->name), txt->name));
    }
  g_ptr_array_add (strings, NULL);
  return (GStrv)g_ptr_array_free (g_steal_pointer (&strings), FALSE);
}

typedef enum
{
  KEY_V,
  KEY_LINEAGE,
  KEY_HOST_ID,
  KEY_GEN,
  KEY_TLS,
  KEY_NAME,
  N_KEYS
} Key;

static const char *const key_names[N_KEYS] = { "v", "lineage", "host_id", "gen", "tls", "name" };

TrDnssdTxt *
tr_dnssd_txt_parse (const char *const *entries, const gsize *lengths, gsize n_entries,
                    const char *fallback_name, GError **error)
{
  /* Each key's value as found (not NUL-terminated), first occurrence. */
  const char *values[N_KEYS] = { NULL };
  gsize value_lengths[N_KEYS] = { 0 };
  gboolean seen[N_KEYS] = { FALSE };
  g_autoptr (TrDnssdTxt) txt = g_new0 (TrDnssdTxt, 1);
  g_autofree char *lineage = NULL;
  g_autofree char *host_id = NULL;
  gint64 gen = 0;

  g_return_val_if_fail (n_entries == 0 || (entries != NULL && lengths != NULL), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (gsize i = 0; i < n_entries; i++)
    {
      const char *entry = entries[i];
      gsize length = lengths[i];
      const char *equals = memchr (entry, '=', length);
      gsize key_length = equals != NULL ? (gsize)(equals - entry) : length;

      for (Key k = 0; k < N_KEYS; k++)
        {
          /* RFC 6763, 6.4: keys compare case-insensitively. */
          if (strlen (key_names[k]) != key_length
              || g_ascii_strncasecmp (entry, key_names[k], key_length) != 0)
            continue;
          /* RFC 6763, 6.4: only the first occurrence of a key counts. */
          if (seen[k])
            break;
          seen[k] = TRUE;
          if (equals == NULL)
            {
              g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "%s: present without a value",
                           key_names[k]);
              return NULL;
            }
          values[k] = equals + 1;
          value_lengths[k] = length - key_length - 1;
          break;
        }
    }

  if (!seen[KEY_V])
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "v: missing");
      return NULL;
    }
  if (value_lengths[KEY_V] != 1 || values[KEY_V][0] != TR_DNSSD_TXT_VERSION[0])
    {
      g_set_error (error, TR_ERROR, TR_ERROR_PROTOCOL,
                   "v: version %.*s is not " TR_DNSSD_TXT_VERSION,
                   (int)MIN (value_lengths[KEY_V], 16), values[KEY_V]);
      return NULL;
    }

  /* Copies, so the checks below see NUL-terminated text; an embedded
   * NUL makes the copy shorter than the value and fails them. */
  lineage = seen[KEY_LINEAGE] ? g_strndup (values[KEY_LINEAGE], value_lengths[KEY_LINEAGE]) : NULL;
  if (lineage == NULL || strlen (lineage) != value_lengths[KEY_LINEAGE]
      || !is_valid_lineage (lineage, value_lengths[KEY_LINEAGE]))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "lineage: %s",
                   lineage == NULL ? "missing" : "not a lowercase UUID");
      return NULL;
    }
  host_id = seen[KEY_HOST_ID] ? g_strndup (values[KEY_HOST_ID], value_lengths[KEY_HOST_ID]) : NULL;
  if (host_id == NULL || strlen (host_id) != value_lengths[KEY_HOST_ID]
      || !is_valid_id (host_id, value_lengths[KEY_HOST_ID]))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "host_id: %s",
                   host_id == NULL ? "missing" : "not a valid id");
      return NULL;
    }
  if (!seen[KEY_GEN] || !parse_gen (values[KEY_GEN], value_lengths[KEY_GEN], &gen))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "gen: %s",
                   !seen[KEY_GEN] ? "missing" : "not a number from 1 up");
      return NULL;
    }
  /* tls may be left out by a host without TLS; any value but 0 or 1 is
   * a record nobody should follow. */
  if (seen[KEY_TLS]
      && (value_lengths[KEY_TLS] != 1 || (values[KEY_TLS][0] != '0' && values[KEY_TLS][0] != '1')))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "tls: not 0 or 1");
      return NULL;
    }
  if (seen[KEY_NAME]
      && (memchr (values[KEY_NAME], '\0', value_lengths[KEY_NAME]) != NULL
          || !is_valid_name (values[KEY_NAME], value_lengths[KEY_NAME])))
    {
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, "name: not printable UTF-8");
      return NULL;
    }

  txt->lineage = g_steal_pointer (&lineage);
  txt->host_id = g_steal_pointer (&host_id);
  txt->gen = gen;
  txt->tls = seen[KEY_TLS] && values[KEY_TLS][0] == '1';
  if (seen[KEY_NAME] && value_lengths[KEY_NAME] > 0)
    txt->name = g_strndup (values[KEY_NAME], value_lengths[KEY_NAME]);
  else if (fallback_name != NULL && *fallback_name != '\0')
    txt->name = g_strdup (fallback_name);
  else
    txt->name = g_strdup (txt->host_id);
  return g_steal_pointer (&txt);
}

TrDnssdTxt *
tr_dnssd_txt_parse_strv (const char *const *entries, const char *fallback_name, GError **error)
{
  gsize n = entries != NULL ? g_strv_length ((char **)entries) : 0;
  g_autofree gsize *lengths = g_new0 (gsize, n + 1);

  for (gsize i = 0; i < n; i++)
    lengths[i] = strlen (entries[i]);
  return tr_dnssd_txt_parse (entries, lengths, n, fallback_name, error);
}

int
tr_dnssd_pick_host (const TrDnssdTxt *const *candidates, guint n_candidates, const char *lineage,
                    gint64 min_gen, const char *current_host_id)
{
  int best = -1;

  g_return_val_if_fail (n_candidates == 0 || candidates != NULL, -1);

  if (lineage == NULL)
    return -1;
  for (guint i = 0; i < n_candidates; i++)
    {
      const TrDnssdTxt *c = candidates[i];
      const TrDnssdTxt *b;

      if (c == NULL || g_strcmp0 (c->lineage, lineage) != 0 || c->gen < min_gen)
        continue;
      if (best < 0)
        {
          best = (int)i;
          continue;
        }
      b = candidates[best];
      if (c->gen != b->gen)
        {
          if (c->gen > b->gen)
            best = (int)i;
          continue;
        }
      /* Same generation: stay where we are, else the lowest host_id. */
      if (g_strcmp0 (b->host_id, current_host_id) == 0)
        continue;
      if (g_strcmp0 (c->host_id, current_host_id) == 0 || g_strcmp0 (c->host_id, b->host_id) < 0)
        best = (int)i;
    }
  return best;
}
