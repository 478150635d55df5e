/* test-dnssd-txt.c: the TXT record's encoding, its strict parsing, and
 * the rule for which host a station follows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "tr-dnssd-host.h"
#include "tr-dnssd-txt.h"
#include "tr-error.h"

#define LINEAGE "0b8f3c1e-5d7a-4f2b-9c6e-1a2b3c4d5e6f"
#define OTHER_LINEAGE "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"

static void
test_round_trip (void)
{
  g_autoptr (TrDnssdTxt) txt = tr_dnssd_txt_new (LINEAGE, "f105e39296d10e43", 7, TRUE, "Grill & Bar");
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) strings = tr_dnssd_txt_encode (txt, &error);
  g_autoptr (TrDnssdTxt) back = NULL;

  g_assert_no_error (error);
  /* The version key comes first (RFC 6763, 6.7). */
  g_assert_cmpstr (strings[0], ==, "v=1");
  g_assert_cmpstr (strings[1], ==, "lineage=" LINEAGE);
  g_assert_cmpstr (strings[2], ==, "host_id=f105e39296d10e43");
  g_assert_cmpstr (strings[3], ==, "gen=7");
  g_assert_cmpstr (strings[4], ==, "tls=1");
  g_assert_cmpstr (strings[5], ==, "name=Grill & Bar");
  g_assert_null (strings[6]);

  back = tr_dnssd_txt_parse_strv ((const char *const *)strings, "fallback", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->lineage, ==, LINEAGE);
  g_assert_cmpstr (back->host_id, ==, "f105e39296d10e43");
  g_assert_cmpint (back->gen, ==, 7);
  g_assert_true (back->tls);
  g_assert_cmpstr (back->name, ==, "Grill & Bar");
}

static void
test_long_name_cut (void)
{
  g_autoptr (GString) name = g_string_new (NULL);
  g_autoptr (TrDnssdTxt) txt = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) strings = NULL;
  const char *last = NULL;

  /* "é" is two bytes: 200 of them cannot fit, and the cut must not
   * split one. */
  for (int i = 0; i < 200; i++)
    g_string_append (name, "é");
  txt = tr_dnssd_txt_new (LINEAGE, "host", 1, FALSE, name->str);
  strings = tr_dnssd_txt_encode (txt, &error);
  g_assert_no_error (error);
  for (guint i = 0; strings[i] != NULL; i++)
    {
      g_assert_cmpuint (strlen (strings[i]), <=, 255);
      if (g_str_has_prefix (strings[i], "name="))
        last = strings[i];
    }
  g_assert_nonnull (last);
  g_assert_true (g_utf8_validate (last, -1, NULL));
  g_assert_cmpuint (strlen (last), ==, 5 + 250);
}

static void
test_encode_refuses_invalid (void)
{
  struct
  {
    const char *lineage, *host_id;
    gint64 gen;
    const char *name;
  } cases[] = {
    { "not-a-uuid", "host", 1, NULL },
    { "0B8F3C1E-5D7A-4F2B-9C6E-1A2B3C4D5E6F", "host", 1, NULL }, /* uppercase */
    { LINEAGE, "", 1, NULL },
    { LINEAGE, "has space", 1, NULL },
    { LINEAGE, "host", 0, NULL },
    { LINEAGE, "host", -3, NULL },
    { LINEAGE, "host", 1, "tab\tinside" },
    { LINEAGE, "host", 1, "\xff\xfe" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (TrDnssdTxt) txt
        = tr_dnssd_txt_new (cases[i].lineage, cases[i].host_id, cases[i].gen, FALSE, cases[i].name);
      g_autoptr (GError) error = NULL;
      g_auto (GStrv) strings = tr_dnssd_txt_encode (txt, &error);

      g_assert_null (strings);
      g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
    }
}

static TrDnssdTxt *
parse (const char *const *entries, GError **error)
{
  return tr_dnssd_txt_parse_strv (entries, "Service Name", error);
}

static void
test_parse_strict (void)
{
  static const struct
  {
    const char *entries[8];
    const char *key; /* the error names it */
  } cases[] = {
    { { "lineage=" LINEAGE, "host_id=h", "gen=1", NULL }, "v" },
    { { "v", "lineage=" LINEAGE, "host_id=h", "gen=1", NULL }, "v" },
    { { "v=1", "host_id=h", "gen=1", NULL }, "lineage" },
    { { "v=1", "lineage=", "host_id=h", "gen=1", NULL }, "lineage" },
    { { "v=1", "lineage=abc", "host_id=h", "gen=1", NULL }, "lineage" },
    { { "v=1", "lineage=" LINEAGE "x", "host_id=h", "gen=1", NULL }, "lineage" },
    { { "v=1", "lineage", "host_id=h", "gen=1", NULL }, "lineage" },
    { { "v=1", "lineage=" LINEAGE, "gen=1", NULL }, "host_id" },
    { { "v=1", "lineage=" LINEAGE, "host_id=", "gen=1", NULL }, "host_id" },
    { { "v=1", "lineage=" LINEAGE, "host_id=a/b", "gen=1", NULL }, "host_id" },
    { { "v=1", "lineage=" LINEAGE, "host_id=h", NULL }, "gen" },
    { { "v=1", "lineage=" LINEAGE, "host_id=h", "gen=0", NULL }, "gen" },
    { { "v=1", "lineage=" LINEAGE, "host_id=h", "gen=-1", NULL }, "gen" },
    { { "v=1", "lineage=" LINEAGE, "host_id=h", "gen=+1", NULL }, "gen" },
    { { "v=1", "lineage=" LINEAGE, "host_id=h", "gen=01", NULL }, "gen" },
    { { "v=1", "lineage=" LINEAGE, "host_id=h", "gen=1.0", NULL }, "gen" },
    { { "v=1", "lineage=" LINEAGE, "host_id=h", "gen= 1", NULL }, "gen" },
    { { "v=1", "lineage=" LINEAGE, "host_id=h", "gen=9223372036854775808", NULL }, "gen" },
    { { "v=1", "lineage=" LINEAGE, "host_id=h", "gen=", NULL }, "gen" },
    { { "v=1", "lineage=" LINEAGE, "host_id=h", "gen=1", "tls=2", NULL }, "tls" },
    { { "v=1", "lineage=" LINEAGE, "host_id=h", "gen=1", "tls=", NULL }, "tls" },
    { { "v=1", "lineage=" LINEAGE, "host_id=h", "gen=1", "tls=yes", NULL }, "tls" },
    { { "v=1", "lineage=" LINEAGE, "host_id=h", "gen=1", "name=a\nb", NULL }, "name" },
    { { "v=1", "lineage=" LINEAGE, "host_id=h", "gen=1", "name=\xc3", NULL }, "name" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TrDnssdTxt) txt = parse (cases[i].entries, &error);
      g_autofree char *prefix = g_strconcat (cases[i].key, ":", NULL);

      g_assert_null (txt);
      g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
      if (!g_str_has_prefix (error->message, prefix))
        g_error ("case %u: \"%s\" does not name %s", i, error->message, cases[i].key);
    }
}

static void
test_parse_newer_version (void)
{
  const char *entries[] = { "v=2", "lineage=" LINEAGE, "host_id=h", "gen=1", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (TrDnssdTxt) txt = parse (entries, &error);

  /* A different error: a newer host, not a broken one. */
  g_assert_null (txt);
  g_assert_error (error, TR_ERROR, TR_ERROR_PROTOCOL);
}

static void
test_parse_embedded_nul (void)
{
  const char *entries[] = { "v=1", "lineage=" LINEAGE, "host_id=ab\0cd", "gen=1" };
  gsize lengths[] = { 3, 8 + 36, 13, 5 };
  g_autoptr (GError) error = NULL;
  g_autoptr (TrDnssdTxt) txt = tr_dnssd_txt_parse (entries, lengths, 4, NULL, &error);

  g_assert_null (txt);
  g_assert_error (error, TR_ERROR, TR_ERROR_INVALID);
}

static void
test_parse_lenient_where_rfc_says (void)
{
  /* Keys are case-insensitive, only a key's first occurrence counts,
   * unknown keys are ignored, tls may be absent (0), and the service's
   * name stands in for a missing name. */
  const char *entries[] = { "V=1", "Lineage=" LINEAGE, "host_id=h-1", "gen=12", "gen=99",
                            "future=whatever", "flag", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (TrDnssdTxt) txt = parse (entries, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (txt->lineage, ==, LINEAGE);
  g_assert_cmpstr (txt->host_id, ==, "h-1");
  g_assert_cmpint (txt->gen, ==, 12);
  g_assert_false (txt->tls);
  g_assert_cmpstr (txt->name, ==, "Service Name");
}

/* ---- Which host to follow ---- */

static int
pick (TrDnssdTxt **hosts, guint n, const char *lineage, gint64 min_gen, const char *current)
{
  return tr_dnssd_pick_host ((const TrDnssdTxt *const *)hosts, n, lineage, min_gen, current);
}

static void
test_pick_highest_gen_of_lineage (void)
{
  TrDnssdTxt *hosts[] = {
    tr_dnssd_txt_new (LINEAGE, "old", 1, FALSE, "Old"),
    tr_dnssd_txt_new (OTHER_LINEAGE, "stranger", 9, FALSE, "Next door"),
    tr_dnssd_txt_new (LINEAGE, "new", 2, FALSE, "New"),
  };

  /* Another restaurant's host never counts, whatever its gen. */
  g_assert_cmpint (pick (hosts, 3, LINEAGE, 1, "old"), ==, 2);
  g_assert_cmpint (pick (hosts, 3, OTHER_LINEAGE, 0, NULL), ==, 1);
  g_assert_cmpint (pick (hosts, 3, "0b8f3c1e-0000-4000-8000-000000000000", 0, NULL), ==, -1);
  g_assert_cmpint (pick (hosts, 3, NULL, 0, NULL), ==, -1);
  g_assert_cmpint (pick (hosts, 0, LINEAGE, 0, NULL), ==, -1);
  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    tr_dnssd_txt_free (hosts[i]);
}

static void
test_pick_never_lower_than_seen (void)
{
  TrDnssdTxt *hosts[] = {
    tr_dnssd_txt_new (LINEAGE, "old", 1, FALSE, "Old"),
    tr_dnssd_txt_new (LINEAGE, "mid", 2, FALSE, "Mid"),
  };

  /* The gen-3 host this station saw is gone: an older one coming back
   * (the old host after a failover) is not followed. */
  g_assert_cmpint (pick (hosts, 2, LINEAGE, 3, "new"), ==, -1);
  /* Equal to the highest seen is fine (the same host, restarted). */
  g_assert_cmpint (pick (hosts, 2, LINEAGE, 2, "mid"), ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    tr_dnssd_txt_free (hosts[i]);
}

static void
test_pick_tie (void)
{
  TrDnssdTxt *hosts[] = {
    tr_dnssd_txt_new (LINEAGE, "bbb", 4, FALSE, "B"),
    tr_dnssd_txt_new (LINEAGE, "aaa", 4, FALSE, "A"),
    tr_dnssd_txt_new (LINEAGE, "ccc", 4, FALSE, "C"),
  };

  /* Stay with the current one; else every station picks the lowest id. */
  g_assert_cmpint (pick (hosts, 3, LINEAGE, 1, "ccc"), ==, 2);
  g_assert_cmpint (pick (hosts, 3, LINEAGE, 1, NULL), ==, 1);
  g_assert_cmpint (pick (hosts, 3, LINEAGE, 1, "zzz"), ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    tr_dnssd_txt_free (hosts[i]);
}

static void
test_host_url (void)
{
  g_autoptr (TrDnssdTxt) plain = tr_dnssd_txt_new (LINEAGE, "h", 1, FALSE, "P");
  g_autoptr (TrDnssdTxt) tls = tr_dnssd_txt_new (LINEAGE, "h", 1, TRUE, "T");
  g_autoptr (TrDnssdHost) a = tr_dnssd_host_new ("P", "10.0.0.5", 8787, plain);
  g_autoptr (TrDnssdHost) b = tr_dnssd_host_new ("T", "fd00::5", 8443, tls);

  g_assert_cmpstr (tr_dnssd_host_get_url (a), ==, "http://10.0.0.5:8787");
  g_assert_cmpstr (tr_dnssd_host_get_url (b), ==, "https://[fd00::5]:8443");
  g_assert_cmpstr (tr_dnssd_host_get_name (b), ==, "T");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dnssd-txt/round-trip", test_round_trip);
  g_test_add_func ("/dnssd-txt/long-name-cut", test_long_name_cut);
  g_test_add_func ("/dnssd-txt/encode-refuses-invalid", test_encode_refuses_invalid);
  g_test_add_func ("/dnssd-txt/parse-strict", test_parse_strict);
  g_test_add_func ("/dnssd-txt/parse-newer-version", test_parse_newer_version);
  g_test_add_func ("/dnssd-txt/parse-embedded-nul", test_parse_embedded_nul);
  g_test_add_func ("/dnssd-txt/parse-lenient-where-rfc-says", test_parse_lenient_where_rfc_says);
  g_test_add_func ("/dnssd-txt/pick-highest-gen-of-lineage", test_pick_highest_gen_of_lineage);
  g_test_add_func ("/dnssd-txt/pick-never-lower-than-seen", test_pick_never_lower_than_seen);
  g_test_add_func ("/dnssd-txt/pick-tie", test_pick_tie);
  g_test_add_func ("/dnssd-txt/host-url", test_host_url);
  return g_test_run ();
}
