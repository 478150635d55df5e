/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "tr-application.h"
#include "tr-gl-probe.h"
#include "tr-renderer-choice.h"

/* Long enough for a cold Mesa start on a slow tablet; a driver that
 * takes longer leaves the choice to GTK. */
#define GL_PROBE_TIMEOUT_MS 3000

/* Asks GTK for cairo when there is no hardware GL (tr-renderer-choice.h).
 * GSK reads GSK_RENDERER when it makes its first renderer; setting it
 * here, before GTK starts and before any thread exists, is the one safe
 * time to change the environment. */
static TrRendererChoice *
choose_renderer (void)
{
  const char *env = g_getenv ("GSK_RENDERER");
  g_autofree char *render_node = NULL;
  g_autofree char *gl_renderer = NULL;
  TrRendererChoice *choice;

  if (env == NULL || *env == '\0')
    {
      render_node = tr_renderer_choice_find_render_node ("/dev/dri");
      /* Without a render node the answer is known and free; only with
       * one (or NVIDIA's own driver, which may have none) is a GL
       * context worth starting to ask. */
      if (render_node != NULL || g_file_test ("/dev/nvidiactl", G_FILE_TEST_EXISTS))
        gl_renderer = tr_gl_probe_renderer (GL_PROBE_TIMEOUT_MS);
    }
  choice = tr_renderer_choice_decide (env, render_node != NULL, gl_renderer);
  if (choice->kind == TR_RENDERER_CHOICE_CAIRO)
    g_setenv ("GSK_RENDERER", "cairo", TRUE);
  return choice;
}

int
main (int argc, char *argv[])
{
  g_autoptr (TrApplication) app = NULL;
  g_autoptr (TrRendererChoice) renderer = choose_renderer ();
  g_autofree char *renderer_summary = tr_renderer_choice_dup_summary (renderer);
  /* Lets an installed copy in a temporary prefix (the install and
   * translation tests) find its own catalogues. */
  const char *localedir = g_getenv ("TICKETRAIL_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_ ("Ticketrail"));

  app = tr_application_new ();
  tr_application_set_renderer_summary (app, renderer_summary);
  g_debug ("%s", renderer_summary);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
