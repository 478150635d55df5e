/* test-renderer-choice.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-renderer-choice"

#include <glib/gstdio.h>

#include "tr-renderer-choice.h"
#include "tr-test-util.h"

static void
assert_choice (const char *env, gboolean has_render_node, const char *gl_renderer,
               TrRendererChoiceKind kind, const char *summary)
{
  g_autoptr (TrRendererChoice) choice
    = tr_renderer_choice_decide (env, has_render_node, gl_renderer);
  g_autofree char *text = tr_renderer_choice_dup_summary (choice);

  g_assert_cmpint (choice->kind, ==, kind);
  g_assert_cmpstr (text, ==, summary);
}

static void
test_environment_wins (void)
{
  /* The person's GSK_RENDERER stands, even where GL is software. */
  assert_choice ("ngl", FALSE, NULL, TR_RENDERER_CHOICE_FROM_ENVIRONMENT,
                 "Renderer: as set (GSK_RENDERER=ngl)");
  assert_choice ("gl", TRUE, "llvmpipe (LLVM 15.0.6, 256 bits)",
                 TR_RENDERER_CHOICE_FROM_ENVIRONMENT, "Renderer: as set (GSK_RENDERER=gl)");
  assert_choice ("cairo", TRUE, "AMD Radeon RX 6600 (navi23, LLVM 15.0.6, DRM 3.49)",
                 TR_RENDERER_CHOICE_FROM_ENVIRONMENT, "Renderer: as set (GSK_RENDERER=cairo)");
}

static void
test_empty_environment_is_unset (void)
{
  /* GTK ignores an empty GSK_RENDERER, so the app must not defer to it. */
  assert_choice ("", FALSE, NULL, TR_RENDERER_CHOICE_CAIRO,
                 "Renderer: cairo (no hardware GL: no DRM render node)");
}

static void
test_no_render_node (void)
{
  assert_choice (NULL, FALSE, NULL, TR_RENDERER_CHOICE_CAIRO,
                 "Renderer: cairo (no hardware GL: no DRM render node)");
  assert_choice (NULL, FALSE, "llvmpipe (LLVM 15.0.6, 256 bits)", TR_RENDERER_CHOICE_CAIRO,
                 "Renderer: cairo (no hardware GL: llvmpipe (LLVM 15.0.6, 256 bits))");
}

static void
test_software_gl_behind_render_node (void)
{
  /* A VM's virtio-gpu without 3D has a render node, and Mesa falls back
   * to llvmpipe behind it. */
  assert_choice (NULL, TRUE, "llvmpipe (LLVM 15.0.6, 256 bits)", TR_RENDERER_CHOICE_CAIRO,
                 "Renderer: cairo (no hardware GL: llvmpipe (LLVM 15.0.6, 256 bits))");
  assert_choice (NULL, TRUE, "softpipe", TR_RENDERER_CHOICE_CAIRO,
                 "Renderer: cairo (no hardware GL: softpipe)");
  assert_choice (NULL, TRUE, "Software Rasterizer", TR_RENDERER_CHOICE_CAIRO,
                 "Renderer: cairo (no hardware GL: Software Rasterizer)");
}

static void
test_hardware_gl (void)
{
  assert_choice (NULL, TRUE, "Mesa Intel(R) UHD Graphics 620 (KBL GT2)",
                 TR_RENDERER_CHOICE_GTK_DEFAULT,
                 "Renderer: GTK's default (hardware GL: Mesa Intel(R) UHD Graphics 620 (KBL GT2))");
  /* NVIDIA's older drivers give hardware GL with no render node. */
  assert_choice (NULL, FALSE, "GeForce GT 710/PCIe/SSE2", TR_RENDERER_CHOICE_GTK_DEFAULT,
                 "Renderer: GTK's default (hardware GL: GeForce GT 710/PCIe/SSE2)");
}

static void
test_render_node_without_answer (void)
{
  /* The probe timed out or failed: GTK keeps its own fallbacks. */
  assert_choice (NULL, TRUE, NULL, TR_RENDERER_CHOICE_GTK_DEFAULT,
                 "Renderer: GTK's default (render node present, GL renderer unknown)");
  assert_choice (NULL, TRUE, "", TR_RENDERER_CHOICE_GTK_DEFAULT,
                 "Renderer: GTK's default (render node present, GL renderer unknown)");
}

static void
test_is_software_gl (void)
{
  g_assert_true (tr_renderer_choice_is_software_gl ("llvmpipe (LLVM 15.0.6, 256 bits)"));
  g_assert_true (tr_renderer_choice_is_software_gl ("LLVMPIPE"));
  g_assert_true (tr_renderer_choice_is_software_gl ("zink (llvmpipe (LLVM 15.0.6, 256 bits))"));
  g_assert_true (tr_renderer_choice_is_software_gl ("swrast"));
  g_assert_false (tr_renderer_choice_is_software_gl (NULL));
  g_assert_false (tr_renderer_choice_is_software_gl (""));
  g_assert_false (
    tr_renderer_choice_is_software_gl ("AMD Radeon Vega 8 Graphics (raven, LLVM 15)"));
  g_assert_false (tr_renderer_choice_is_software_gl ("virgl"));
}

static void
touch (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, "", 0, &error);
  g_assert_no_error (error);
}

static void
test_find_render_node (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ticketrail-test-dri-XXXXXX", &error);
  g_autofree char *missing = NULL;
  g_autofree char *expected = NULL;
  char *found;

  g_assert_no_error (error);
  missing = g_build_filename (dir, "missing", NULL);
  g_assert_null (tr_renderer_choice_find_render_node (missing));
  g_assert_null (tr_renderer_choice_find_render_node (dir));

  /* A display-only device (simpledrm, a VM's framebuffer) has a card
   * node and no render node. */
  touch (dir, "card0");
  g_assert_null (tr_renderer_choice_find_render_node (dir));

  touch (dir, "renderD128");
  found = tr_renderer_choice_find_render_node (dir);
  expected = g_build_filename (dir, "renderD128", NULL);
  g_assert_cmpstr (found, ==, expected);
  g_free (found);

  tr_test_remove_tree (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/renderer-choice/environment-wins", test_environment_wins);
  g_test_add_func ("/renderer-choice/empty-environment-is-unset", test_empty_environment_is_unset);
  g_test_add_func ("/renderer-choice/no-render-node", test_no_render_node);
  g_test_add_func ("/renderer-choice/software-gl-behind-render-node",
                   test_software_gl_behind_render_node);
  g_test_add_func ("/renderer-choice/hardware-gl", test_hardware_gl);
  g_test_add_func ("/renderer-choice/render-node-without-answer", test_render_node_without_answer);
  g_test_add_func ("/renderer-choice/is-software-gl", test_is_software_gl);
  g_test_add_func ("/renderer-choice/find-render-node", test_find_render_node);

  return g_test_run ();
}
