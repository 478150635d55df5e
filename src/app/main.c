/* main.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ticketrail"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "tr-application.h"

int
main (int argc, char *argv[])
{
  g_autoptr (TrApplication) app = NULL;
  /* Lets an installed copy in a temporary prefix (the install and
   * translation tests) find its own catalogues. */
  const char *localedir = g_getenv ("TICKETRAIL_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_ ("Ticketrail"));

  app = tr_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
