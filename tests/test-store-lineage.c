/* test-store-lineage.c: lineage and gen in the store's meta
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-store-lineage.h"
#include "tr-test-util.h"

typedef struct
{
  char *dir;
  char *path;
  TrStore *store;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("tr-lineage-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "host.db", NULL);
  f->store = tr_store_open (f->path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  tr_test_remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
test_ensure_makes_then_keeps (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *lineage = NULL;
  g_autofree char *again = NULL;
  g_autofree char *reopened = NULL;
  gint64 gen = -1;

  g_assert_true (tr_store_get_lineage (f->store, &lineage, &gen, &error));
  g_assert_no_error (error);
  g_assert_null (lineage);
  g_assert_cmpint (gen, ==, 0);

  g_assert_true (tr_store_ensure_lineage (f->store, &lineage, &gen, &error));
  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (lineage));
  g_assert_cmpint (gen, ==, 1);

  g_assert_true (tr_store_ensure_lineage (f->store, &again, &gen, &error));
  g_assert_cmpstr (again, ==, lineage);
  g_assert_cmpint (gen, ==, 1);

  /* On disk, not only in this connection. */
  g_clear_object (&f->store);
  f->store = tr_store_open (f->path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
  g_assert_true (tr_store_get_lineage (f->store, &reopened, &gen, &error));
  g_assert_cmpstr (reopened, ==, lineage);
  g_assert_cmpint (gen, ==, 1);
}

static void
test_set_never_lowers_gen (Fixture *f, gconstpointer data)
{
  const char *a = "0b8f3c1e-5d7a-4f2b-9c6e-1a2b3c4d5e6f";
  const char *b = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
  g_autoptr (GError) error = NULL;
  char *lineage = NULL;
  gint64 gen = 0;

  g_assert_true (tr_store_set_lineage (f->store, a, 3, &error));
  g_assert_true (tr_store_set_lineage (f->store, a, 2, &error));
  g_assert_no_error (error);
  g_assert_true (tr_store_get_lineage (f->store, &lineage, &gen, &error));
  g_assert_cmpstr (lineage, ==, a);
  g_assert_cmpint (gen, ==, 3);
  g_clear_pointer (&lineage, g_free);

  g_assert_true (tr_store_set_lineage (f->store, a, 5, &error));
  g_assert_true (tr_store_get_lineage (f->store, &lineage, &gen, &error));
  g_assert_cmpint (gen, ==, 5);
  g_clear_pointer (&lineage, g_free);

  /* Joining another restaurant starts over with its generation. */
  g_assert_true (tr_store_set_lineage (f->store, b, 1, &error));
  g_assert_true (tr_store_get_lineage (f->store, &lineage, &gen, &error));
  g_assert_cmpstr (lineage, ==, b);
  g_assert_cmpint (gen, ==, 1);
  g_free (lineage);
}

/* Issue 17: the standby's address a station keeps across a restart. */
static void
test_standby_url (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  char *url = NULL;

  g_assert_true (tr_store_get_standby_url (f->store, &url, &error));
  g_assert_null (url);
  g_assert_true (tr_store_set_standby_url (f->store, "http://10.0.0.3:8787", &error));
  g_assert_no_error (error);
  g_clear_object (&f->store);
  f->store = tr_store_open (f->path, TR_STORE_DURABILITY_FULL, &error);
  g_assert_no_error (error);
  g_assert_true (tr_store_get_standby_url (f->store, &url, &error));
  g_assert_cmpstr (url, ==, "http://10.0.0.3:8787");
  g_clear_pointer (&url, g_free);
  /* Forgotten: NULL again. */
  g_assert_true (tr_store_set_standby_url (f->store, NULL, &error));
  g_assert_true (tr_store_get_standby_url (f->store, &url, &error));
  g_assert_null (url);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store-lineage/ensure-makes-then-keeps", Fixture, NULL, setup,
              test_ensure_makes_then_keeps, teardown);
  g_test_add ("/store-lineage/set-never-lowers-gen", Fixture, NULL, setup,
              test_set_never_lowers_gen, teardown);
  g_test_add ("/store-lineage/standby-url", Fixture, NULL, setup, test_standby_url, teardown);
  return g_test_run ();
}
