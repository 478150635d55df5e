/* tr-renderer-choice.h: which GSK renderer the app asks GTK for
 *
 * GTK 4.8 draws with GL whenever GL works at all, and on a kiosk with no
 * GPU that GL is Mesa's llvmpipe: every frame is rasterised on the CPU
 * through a shader JIT. bench/app-idle measured that at 4 % of a core
 * and 193 MB idle, against 0.2 % and 117 MB with the cairo renderer
 * (docs/performance.md). So without hardware GL the app asks for cairo.
 *
 * tr_renderer_choice_decide() is the rule, with no I/O; the callers
 * gather its inputs (main.c) and show its reason (the About window).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  /* GSK_RENDERER was set: the person's choice stands. */
  TR_RENDERER_CHOICE_FROM_ENVIRONMENT,
  /* Hardware GL is (or may be) there: GTK picks, as it would anyway. */
  TR_RENDERER_CHOICE_GTK_DEFAULT,
  /* No hardware GL: ask for cairo. */
  TR_RENDERER_CHOICE_CAIRO,
} TrRendererChoiceKind;

typedef struct
{
  TrRendererChoiceKind kind;
  /* Why, in English for a bug report, e.g. "no hardware GL: no DRM
   * render node". */
  char *reason;
} TrRendererChoice;

/* @gsk_renderer_env: GSK_RENDERER's value, or NULL when unset (an empty
 * value counts as unset: GTK ignores it too).
 * @has_render_node: whether a DRM render node (/dev/dri/renderD*) is
 * there; without one Mesa's GL is software.
 * @gl_renderer: GL_RENDERER's string when known, else NULL; when known
 * it decides, whatever @has_render_node says. */
TrRendererChoice *
tr_renderer_choice_decide (const char *gsk_renderer_env, gboolean has_render_node,
                           const char *gl_renderer);
void
tr_renderer_choice_free (TrRendererChoice *choice);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrRendererChoice, tr_renderer_choice_free)

/* Whether @gl_renderer names one of Mesa's CPU rasterisers (llvmpipe,
 * softpipe, swrast). */
gboolean
tr_renderer_choice_is_software_gl (const char *gl_renderer);

/* The About window's line, e.g. "Renderer: cairo (no hardware GL: no
 * DRM render node)". */
char *
tr_renderer_choice_dup_summary (const TrRendererChoice *choice);

/* The first "renderD*" entry in @dri_dir (normally "/dev/dri") as a full
 * path, or NULL when there is none or no such directory. */
char *
tr_renderer_choice_find_render_node (const char *dri_dir);

G_END_DECLS
