/* tr-test-widgets.c: finding widgets in a window (see the header)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-test-widgets.h"

void
tr_test_collect_widgets (GtkWidget *root, GType type, GPtrArray *out)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    g_ptr_array_add (out, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    tr_test_collect_widgets (child, type, out);
}

GtkWidget *
tr_test_find_actionable (GtkWidget *root, GType type, const char *action)
{
  g_autoptr (GPtrArray) widgets = g_ptr_array_new ();

  tr_test_collect_widgets (root, type, widgets);
  for (guint i = 0; i < widgets->len; i++)
    if (g_strcmp0 (gtk_actionable_get_action_name (widgets->pdata[i]), action) == 0)
      return widgets->pdata[i];
  return NULL;
}
