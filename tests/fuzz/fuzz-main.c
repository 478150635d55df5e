/* fuzz-main.c: runs a fuzz target once per input file, for builds
 * without libFuzzer (the regression tests)
 *
 * Usage: fuzz-TARGET FILE|DIR... — directories are read one level
 * deep; prints one TAP line per input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>

#include "tr-fuzz.h"

static guint n_run;

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *)a, *(char *const *)b);
}

static void
run_file (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  gsize length;
  /* A copy of exactly @length bytes, so ASan sees a read past the end. */
  g_autofree guint8 *copy = NULL;

  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("%s", error->message);
  copy = g_memdup2 (contents, length);
  LLVMFuzzerTestOneInput (copy != NULL ? copy : (const guint8 *)"", length);
  printf ("ok %u - %s\n", ++n_run, path);
}

int
main (int argc, char *argv[])
{
  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr (GDir) dir = g_dir_open (argv[i], 0, NULL);
          g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
          const char *name;

          while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
            {
              char *path = g_build_filename (argv[i], name, NULL);

              if (name[0] != '.' && !g_str_has_suffix (name, ".md")
                  && g_file_test (path, G_FILE_TEST_IS_REGULAR))
                g_ptr_array_add (names, path);
              else
                g_free (path);
            }
          g_ptr_array_sort (names, compare_paths);
          for (guint j = 0; j < names->len; j++)
            run_file (g_ptr_array_index (names, j));
        }
      else
        run_file (argv[i]);
    }
  printf ("1..%u\n", n_run);
  return 0;
}
