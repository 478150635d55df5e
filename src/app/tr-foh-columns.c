/* tr-foh-columns.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-foh-view"

#include "tr-foh-columns.h"

/* Four columns side by side when they fit, each at least
 * COLUMN_MIN_WIDTH; otherwise one above the other, full width. (No
 * AdwBreakpoint in libadwaita 1.2, and a flow box lines its children
 * up by their natural width, which wrapped text makes wide.) */
#define COLUMN_MIN_WIDTH 270
#define COLUMN_SPACING 12
#define ROW_SPACING 24

static gboolean
columns_side_by_side (GtkWidget *widget, int width)
{
  int n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;
  return n > 0 && width >= n * COLUMN_MIN_WIDTH + (n - 1) * COLUMN_SPACING;
}

static int
column_width (GtkWidget *widget, int width)
{
  int n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;
  return (width - (n - 1) * COLUMN_SPACING) / MAX (n, 1);
}

static GtkSizeRequestMode
columns_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
columns_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                 int *natural, int *minimum_baseline, int *natural_baseline)
{
  gboolean wide;
  int width;

  *minimum = *natural = 0;
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int n = 0;

      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        {
          int child_min, child_nat;

          gtk_widget_measure (child, orientation, -1, &child_min, &child_nat, NULL, NULL);
          *minimum = MAX (*minimum, child_min);
          n++;
        }
      *natural = MAX (*minimum, n * COLUMN_MIN_WIDTH + (n - 1) * COLUMN_SPACING);
      return;
    }

  width = for_size;
  if (width < 0)
    gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &width, NULL, NULL, NULL);
  wide = columns_side_by_side (widget, width);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min, child_nat;

      gtk_widget_measure (child, orientation, wide ? column_width (widget, width) : width,
                          &child_min, &child_nat, NULL, NULL);
      if (wide)
        {
          *minimum = MAX (*minimum, child_min);
          *natural = MAX (*natural, child_nat);
        }
      else
        {
          int gap = *minimum > 0 ? ROW_SPACING : 0;

          *minimum += gap + child_min;
          *natural += gap + child_nat;
        }
    }
}

static void
columns_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  gboolean wide = columns_side_by_side (widget, width);
  int each = column_width (widget, width);
  int x = 0, y = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_height;

      if (wide)
        {
          gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, each, NULL, &child_height, NULL,
                              NULL);
          gtk_widget_size_allocate (child,
                                    &(GtkAllocation){ x, 0, each, MAX (child_height, height) }, -1);
          x += each + COLUMN_SPACING;
        }
      else
        {
          gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, NULL, &child_height, NULL,
                              NULL);
          gtk_widget_size_allocate (child, &(GtkAllocation){ 0, y, width, child_height }, -1);
          y += child_height + ROW_SPACING;
        }
    }
}

GtkLayoutManager *
tr_foh_columns_layout_new (void)
{
  return gtk_custom_layout_new (columns_request_mode, columns_measure, columns_allocate);
}
