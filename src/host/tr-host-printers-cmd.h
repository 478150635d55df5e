/* tr-host-printers-cmd.h: `ticketrail-host printers …`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @argv as main() got it, argv[1] being "printers"; @data_dir NULL for
 * the default. The exit status. */
int tr_host_printers_main (const char *data_dir, int argc, char *argv[]);

G_END_DECLS
