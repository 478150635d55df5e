/* tr-gl-probe.h: what GL this machine would draw with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* GL_RENDERER of the context GTK would get on the default display, e.g.
 * "Mesa Intel(R) UHD Graphics 620 (KBL GT2)" or "llvmpipe (LLVM 15.0.6,
 * 256 bits)"; NULL when there is no display, no GL, or no answer within
 * @timeout_ms.
 *
 * The probe runs in a forked child, so this process never loads a GL
 * driver it then does not draw with (llvmpipe's LLVM alone is tens of
 * MB). Call it before GTK is initialised and before any thread starts:
 * main() does. */
char *
tr_gl_probe_renderer (guint timeout_ms);

G_END_DECLS
