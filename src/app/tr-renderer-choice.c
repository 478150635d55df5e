/* tr-renderer-choice.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-renderer-choice"

#include "config.h"

#include <string.h>

#include "tr-renderer-choice.h"

static TrRendererChoice *
choice_new (TrRendererChoiceKind kind, char *reason)
{
  TrRendererChoice *choice = g_new0 (TrRendererChoice, 1);

  choice->kind = kind;
  choice->reason = reason;
  return choice;
}

gboolean
tr_renderer_choice_is_software_gl (const char *gl_renderer)
{
  /* Mesa names its CPU rasterisers in the renderer string: "llvmpipe
   * (LLVM 15.0.6, 256 bits)", "softpipe", "Software Rasterizer" or
   * "swrast" for the classic one; zink on lavapipe says "llvmpipe" too. */
  static const char *const software[] = { "llvmpipe", "softpipe", "swrast", "software rasterizer" };
  g_autofree char *lower = NULL;

  if (gl_renderer == NULL)
    return FALSE;
  lower = g_ascii_strdown (gl_renderer, -1);
  for (guint i = 0; i < G_N_ELEMENTS (software); i++)
    if (strstr (lower, software[i]) != NULL)
      return TRUE;
  return FALSE;
}

TrRendererChoice *
tr_renderer_choice_decide (const char *gsk_renderer_env, gboolean has_render_node,
                           const char *gl_renderer)
{
  if (gsk_renderer_env != NULL && *gsk_renderer_env != '\0')
    return choice_new (TR_RENDERER_CHOICE_FROM_ENVIRONMENT,
                       g_strdup_printf ("GSK_RENDERER=%s", gsk_renderer_env));

  /* What the GL says it is, when someone asked it, is the best
   * evidence: a render node with llvmpipe behind it is a VM's
   * display-only virtual GPU or a GPU this Mesa has no driver for, and
   * an old NVIDIA driver gives hardware GL with no render node at all. */
  if (gl_renderer != NULL && *gl_renderer != '\0')
    {
      if (tr_renderer_choice_is_software_gl (gl_renderer))
        return choice_new (TR_RENDERER_CHOICE_CAIRO,
                           g_strdup_printf ("no hardware GL: %s", gl_renderer));
      return choice_new (TR_RENDERER_CHOICE_GTK_DEFAULT,
                         g_strdup_printf ("hardware GL: %s", gl_renderer));
    }

  /* Mesa reaches a GPU only through a render node; without one, its GL
   * is software. */
  if (!has_render_node)
    return choice_new (TR_RENDERER_CHOICE_CAIRO, g_strdup ("no hardware GL: no DRM render node"));
  /* The probe failed or timed out: GTK's own fallbacks still apply. */
  return choice_new (TR_RENDERER_CHOICE_GTK_DEFAULT,
                     g_strdup ("render node present, GL renderer unknown"));
}

void
tr_renderer_choice_free (TrRendererChoice *choice)
{
  if (choice == NULL)
    return;
  g_free (choice->reason);
  g_free (choice);
}

char *
tr_renderer_choice_dup_summary (const TrRendererChoice *choice)
{
  const char *renderer;

  g_return_val_if_fail (choice != NULL, NULL);

  switch (choice->kind)
    {
      case TR_RENDERER_CHOICE_CAIRO:
        renderer = "cairo";
        break;
      case TR_RENDERER_CHOICE_FROM_ENVIRONMENT:
        renderer = "as set";
        break;
      case TR_RENDERER_CHOICE_GTK_DEFAULT:
      default:
        renderer = "GTK's default";
        break;
    }
  return g_strdup_printf ("Renderer: %s (%s)", renderer, choice->reason);
}

char *
tr_renderer_choice_find_render_node (const char *dri_dir)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;

  g_return_val_if_fail (dri_dir != NULL, NULL);

  dir = g_dir_open (dri_dir, 0, NULL);
  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "renderD"))
      return g_build_filename (dri_dir, name, NULL);
  return NULL;
}
