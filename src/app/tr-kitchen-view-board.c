/* tr-kitchen-view-board.c: the kitchen view's board, its pages of cards
 * and the selection the bump-bar keys move
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-kitchen-view"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-kitchen-view-private.h"

/* The width a card takes on the board, gaps included. */
#define CARD_CELL_WIDTH 292

/* ---- Pages ---- */

guint
_tr_kitchen_view_n_pages (TrKitchenView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  return MAX (1, (n + self->page_size - 1) / self->page_size);
}

void
_tr_kitchen_view_update_pager (TrKitchenView *self)
{
  guint pages = _tr_kitchen_view_n_pages (self);
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->pager), pages > 1);
  /* Translators: which page of tickets is shown, e.g. "Page 2 of 5" */
  text = g_strdup_printf (_ ("Page %u of %u"), self->page + 1, pages);
  gtk_label_set_label (self->page_label, text);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "kitchen.previous-page", self->page > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "kitchen.next-page", self->page + 1 < pages);
}

void
_tr_kitchen_view_set_page (TrKitchenView *self, guint page)
{
  page = MIN (page, _tr_kitchen_view_n_pages (self) - 1);
  if (page != self->page)
    {
      self->page = page;
      gtk_slice_list_model_set_offset (self->page_model, page * self->page_size);
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
      _tr_kitchen_view_notify (self, TR_KITCHEN_VIEW_PROP_PAGE);
    }
  _tr_kitchen_view_update_pager (self);
}

static gboolean
apply_page_size (gpointer user_data)
{
  TrKitchenView *self = user_data;
  guint columns = self->columns;
  guint size = columns * TR_KITCHEN_VIEW_PAGE_ROWS;

  self->page_size_idle = 0;
  /* The flow box would size lines by the cards' natural widths (their
   * longest unwrapped text); a fixed count keeps the grid full. */
  gtk_flow_box_set_min_children_per_line (self->grid_view, columns);
  gtk_flow_box_set_max_children_per_line (self->grid_view, columns);
  if (size == self->page_size)
    return G_SOURCE_REMOVE;
  self->page_size = size;
  gtk_slice_list_model_set_size (self->page_model, size);
  self->page = G_MAXUINT;
  _tr_kitchen_view_set_page (self, self->selected_id ? self->selected_pos / size : 0);
  _tr_kitchen_view_notify (self, TR_KITCHEN_VIEW_PROP_N_PAGES);
  return G_SOURCE_REMOVE;
}

void
_tr_kitchen_view_lay_out (TrKitchenView *self, int width)
{
  guint columns = (guint)CLAMP (width / CARD_CELL_WIDTH, 1, 6);

  if (self->all_day_visible)
    columns = (guint)CLAMP (
      (width - gtk_widget_get_width (GTK_WIDGET (self->all_day_revealer))) / CARD_CELL_WIDTH, 1, 6);
  self->columns = columns;

  /* A page is as many rows of cards as fit the width; changing it
   * rebuilds the cards, which must not happen inside an allocation. */
  if ((columns * TR_KITCHEN_VIEW_PAGE_ROWS != self->page_size
       || columns != gtk_flow_box_get_max_children_per_line (self->grid_view))
      && self->page_size_idle == 0)
    self->page_size_idle = g_idle_add (apply_page_size, self);
}

/* ---- Selection ---- */

gboolean
_tr_kitchen_view_find_position (TrKitchenView *self, const char *ticket_id, guint *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  if (ticket_id == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TrTicketObject) obj = _tr_kitchen_view_object_at (self, i);

      if (g_strcmp0 (tr_ticket_object_get_id (obj), ticket_id) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

/* Brings the card at @position into view, moving as little as needed. */
static void
scroll_to (TrKitchenView *self, guint position)
{
  GtkFlowBoxChild *child = gtk_flow_box_get_child_at_index (self->grid_view, (int)position);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  graphene_rect_t bounds;
  double value, page;

  if (child == NULL
      || !gtk_widget_compute_bounds (GTK_WIDGET (child), GTK_WIDGET (self->grid_view), &bounds))
    return;
  value = gtk_adjustment_get_value (adjustment);
  page = gtk_adjustment_get_page_size (adjustment);
  if (bounds.origin.y < value)
    gtk_adjustment_set_value (adjustment, bounds.origin.y);
  else if (bounds.origin.y + bounds.size.height > value + page)
    gtk_adjustment_set_value (adjustment,
                              MIN (bounds.origin.y, bounds.origin.y + bounds.size.height - page));
}

void
_tr_kitchen_view_select_id (TrKitchenView *self, const char *ticket_id, gboolean scroll)
{
  TrTicketCard *card;
  guint position = 0;

  if (g_strcmp0 (ticket_id, self->selected_id) != 0)
    {
      if (self->selected_id != NULL
          && (card = g_hash_table_lookup (self->cards, self->selected_id)) != NULL)
        tr_ticket_card_set_selected (card, FALSE);
      g_free (self->selected_id);
      self->selected_id = g_strdup (ticket_id);
      if (ticket_id != NULL && (card = g_hash_table_lookup (self->cards, ticket_id)) != NULL)
        tr_ticket_card_set_selected (card, TRUE);
      _tr_kitchen_view_notify (self, TR_KITCHEN_VIEW_PROP_SELECTED_TICKET);
    }

  if (ticket_id != NULL && _tr_kitchen_view_find_position (self, ticket_id, &position))
    {
      self->selected_pos = position;
      /* The page follows the selection. */
      _tr_kitchen_view_set_page (self, position / self->page_size);
      if (scroll)
        scroll_to (self, position - self->page * self->page_size);
    }
}

void
_tr_kitchen_view_select_position (TrKitchenView *self, guint position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  g_autoptr (TrTicketObject) obj = NULL;

  if (n == 0)
    {
      _tr_kitchen_view_select_id (self, NULL, FALSE);
      return;
    }
  obj = _tr_kitchen_view_object_at (self, MIN (position, n - 1));
  _tr_kitchen_view_select_id (self, tr_ticket_object_get_id (obj), TRUE);
}

/* Cards per row as the flow box lays them out now: those level with
 * the first. */
guint
_tr_kitchen_view_n_columns (TrKitchenView *self)
{
  GtkFlowBoxChild *first = gtk_flow_box_get_child_at_index (self->grid_view, 0);
  graphene_point_t origin, point;
  guint n = 1;

  if (first == NULL
      || !gtk_widget_compute_point (GTK_WIDGET (first), GTK_WIDGET (self->grid_view),
                                    &GRAPHENE_POINT_INIT (0, 0), &origin))
    return 1;
  for (int i = 1;; i++)
    {
      GtkFlowBoxChild *child = gtk_flow_box_get_child_at_index (self->grid_view, i);

      if (child == NULL
          || !gtk_widget_compute_point (GTK_WIDGET (child), GTK_WIDGET (self->grid_view),
                                        &GRAPHENE_POINT_INIT (0, 0), &point)
          || point.y != origin.y)
        break;
      n++;
    }
  return n;
}

void
_tr_kitchen_view_move_selection (TrKitchenView *self, int delta)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  gint64 target;

  if (n == 0)
    return;
  if (self->selected_id == NULL)
    {
      _tr_kitchen_view_select_position (self, delta < 0 ? n - 1 : 0);
      return;
    }
  target = (gint64)self->selected_pos + delta;
  _tr_kitchen_view_select_position (self, (guint)CLAMP (target, 0, (gint64)n - 1));
}
