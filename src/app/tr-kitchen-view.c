/* tr-kitchen-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-kitchen-view"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-error.h"
#include "tr-kitchen-view.h"

/* Rejections are reported by op id; remembering this many of our own
 * ops lets the toast name the ticket. */
#define MAX_REMEMBERED_OPS 256

typedef struct
{
  char *ticket_id;
  int number;
  gint64 bumped_at;
  /* A station's bump readies only its items; its recall brings back
   * only those. NULL: the whole ticket was bumped. */
  GStrv item_ids;
} Recall;

struct _TrKitchenView
{
  GtkWidget parent_instance;

  TrStation *station;
  GSettings *settings;
  TrClock *clock;
  TrSoundPlayer *sound_player;
  char *kitchen_station;
  char *role;
  gboolean all_day_visible;
  guint warn_minutes;
  guint late_minutes;

  TrTicketList *tickets;
  GtkCustomFilter *filter;
  GtkFilterListModel *filtered;
  /* One page of the filtered tickets: what the flow box shows. */
  GtkSliceListModel *page_model;
  guint page;
  guint page_size;
  guint page_size_idle;
  guint columns;

  /* ticket id → TrTicketCard* currently bound (not owned). */
  GHashTable *cards;
  /* ticket id → gint64* acknowledged change time. */
  GHashTable *acks;
  /* ticket ids with ops still in the outbox. */
  GHashTable *pending;
  /* ticket id → number of changes last seen, to chime on news. */
  GHashTable *known;
  gboolean loaded;
  /* op id → ticket number, for rejection toasts. */
  GHashTable *op_numbers;
  GPtrArray *recalls; /* Recall*, newest first */

  char *selected_id;
  guint selected_pos;

  guint pending_idle;
  guint all_day_idle;
  guint sound_idle;
  gboolean sound_new;
  gboolean sound_changed;

  AdwToastOverlay *toast_overlay;
  GtkStack *stack;
  /* A flow box over one page, not a GtkGridView over all: GTK 4.8's
   * grid view keeps rebinding items of different heights, and a flow box
   * of hundreds of cards lays out for seconds. A page holds a dozen; an
   * event replaces only the card of its ticket. */
  GtkFlowBox *grid_view;
  GtkScrolledWindow *scroller;
  GtkRevealer *all_day_revealer;
  GtkBox *all_day_box;
  GtkBox *pager;
  GtkLabel *page_label;
};

G_DEFINE_FINAL_TYPE (TrKitchenView, tr_kitchen_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_STATION,
  PROP_SETTINGS,
  PROP_CLOCK,
  PROP_SOUND_PLAYER,
  PROP_KITCHEN_STATION,
  PROP_ROLE,
  PROP_ALL_DAY_VISIBLE,
  PROP_N_CARDS,
  PROP_SELECTED_TICKET,
  PROP_PAGE,
  PROP_N_PAGES,
  N_PROPS
};

enum
{
  RECALLS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
recall_free (Recall *recall)
{
  g_free (recall->ticket_id);
  g_strfreev (recall->item_ids);
  g_free (recall);
}

void
tr_all_day_entry_free (TrAllDayEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->name);
  g_free (entry);
}

static gboolean
is_expo (TrKitchenView *self)
{
  return g_strcmp0 (self->role, "expo") == 0 || g_strcmp0 (self->role, "foh") == 0;
}

static const char *
station_filter (TrKitchenView *self)
{
  /* The expo sees the whole pass whatever station is set. */
  if (is_expo (self) || self->kitchen_station == NULL || *self->kitchen_station == '\0')
    return NULL;
  return self->kitchen_station;
}

static gint64
acked_at (TrKitchenView *self, const char *ticket_id)
{
  gint64 *at = g_hash_table_lookup (self->acks, ticket_id);

  return at ? *at : 0;
}

static void
show_toast (TrKitchenView *self, const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- What this screen shows ---- */

static gboolean
ticket_visible (TrKitchenView *self, const TrTicket *ticket)
{
  const char *station = station_filter (self);
  gboolean has_station_items = FALSE;
  gboolean has_work = FALSE;

  for (guint i = 0; i < ticket->items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (ticket->items, i);

      if (!tr_item_is_for_station (item, station))
        continue;
      has_station_items = TRUE;
      if (item->status == TR_ITEM_STATUS_PENDING || item->status == TR_ITEM_STATUS_PREPARING)
        has_work = TRUE;
    }

  if (!has_station_items)
    return FALSE;

  /* Kept until a cook dismisses it (the list only keeps ones that were
   * on screen). */
  if (ticket->status == TR_TICKET_STATUS_CANCELLED)
    return TRUE;

  /* A change nobody acknowledged stays in sight, even a void that left
   * the station nothing to cook. */
  if (tr_ticket_has_changes_for (ticket, station, acked_at (self, ticket->id)))
    return TRUE;

  if (is_expo (self))
    return ticket->status == TR_TICKET_STATUS_NEW || ticket->status == TR_TICKET_STATUS_PREPARING
           || ticket->status == TR_TICKET_STATUS_READY;

  return has_work;
}

static gboolean
filter_func (gpointer item, gpointer user_data)
{
  TrKitchenView *self = user_data;

  return ticket_visible (self, tr_ticket_object_get_ticket (item));
}

static TrTicketObject *
object_at (TrKitchenView *self, guint position)
{
  return g_list_model_get_item (G_LIST_MODEL (self->filtered), position);
}

static guint
n_pages (TrKitchenView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  return MAX (1, (n + self->page_size - 1) / self->page_size);
}

static void
update_pager (TrKitchenView *self)
{
  guint pages = n_pages (self);
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->pager), pages > 1);
  /* Translators: which page of tickets is shown, e.g. "Page 2 of 5" */
  text = g_strdup_printf (_ ("Page %u of %u"), self->page + 1, pages);
  gtk_label_set_label (self->page_label, text);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "kitchen.previous-page", self->page > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "kitchen.next-page", self->page + 1 < pages);
}

static void
set_page (TrKitchenView *self, guint page)
{
  page = MIN (page, n_pages (self) - 1);
  if (page != self->page)
    {
      self->page = page;
      gtk_slice_list_model_set_offset (self->page_model, page * self->page_size);
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
    }
  update_pager (self);
}

static gboolean
find_position (TrKitchenView *self, const char *ticket_id, guint *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  if (ticket_id == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TrTicketObject) obj = object_at (self, i);

      if (g_strcmp0 (tr_ticket_object_get_id (obj), ticket_id) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

static void
configure_card (TrKitchenView *self, TrTicketCard *card)
{
  tr_ticket_card_configure (card, self->clock, station_filter (self), is_expo (self),
                            self->warn_minutes, self->late_minutes);
}

static void
reconfigure_cards (TrKitchenView *self)
{
  GHashTableIter iter;
  gpointer card;

  g_hash_table_iter_init (&iter, self->cards);
  while (g_hash_table_iter_next (&iter, NULL, &card))
    configure_card (self, card);
}

/* ---- Selection ---- */

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

static void
select_id (TrKitchenView *self, const char *ticket_id, gboolean scroll)
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
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_TICKET]);
    }

  if (ticket_id != NULL && find_position (self, ticket_id, &position))
    {
      self->selected_pos = position;
      /* The page follows the selection. */
      set_page (self, position / self->page_size);
      if (scroll)
        scroll_to (self, position - self->page * self->page_size);
    }
}

static void
select_position (TrKitchenView *self, guint position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  g_autoptr (TrTicketObject) obj = NULL;

  if (n == 0)
    {
      select_id (self, NULL, FALSE);
      return;
    }
  obj = object_at (self, MIN (position, n - 1));
  select_id (self, tr_ticket_object_get_id (obj), TRUE);
}

/* Cards per row as the flow box lays them out now: those level with
 * the first. */
static guint
n_columns (TrKitchenView *self)
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

static void
move_selection (TrKitchenView *self, int delta)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  gint64 target;

  if (n == 0)
    return;
  if (self->selected_id == NULL)
    {
      select_position (self, delta < 0 ? n - 1 : 0);
      return;
    }
  target = (gint64)self->selected_pos + delta;
  select_position (self, (guint)CLAMP (target, 0, (gint64)n - 1));
}

/* ---- Ops ---- */

static void
acknowledge (TrKitchenView *self, const char *ticket_id);

static void
remember_op (TrKitchenView *self, const TrOp *op, int number)
{
  if (g_hash_table_size (self->op_numbers) >= MAX_REMEMBERED_OPS)
    g_hash_table_remove_all (self->op_numbers);
  g_hash_table_insert (self->op_numbers, g_strdup (op->op_id), GINT_TO_POINTER (number));
}

static char *
describe_rejection (const char *code, const char *message)
{
  TrErrorCode error_code;

  /* In this station's language, whatever the host's is; its own words
   * only for a code this build does not know. */
  if (code != NULL && tr_error_code_from_string (code, &error_code))
    return g_strdup (tr_error_code_to_reason (error_code));
  return g_strdup (message != NULL && *message != '\0' ? message : code);
}

static void
toast_refusal (TrKitchenView *self, int number, const char *code, const char *message)
{
  g_autofree char *why = describe_rejection (code, message);
  g_autofree char *text = NULL;

  if (number > 0)
    /* Translators: a change to ticket #%d was refused; %s says why */
    text = g_strdup_printf (_ ("#%d not changed: %s"), number, why);
  else
    /* Translators: a change was refused; %s says why */
    text = g_strdup_printf (_ ("Change refused: %s"), why);
  show_toast (self, text);
}

static void
on_op_rejected (TrKitchenView *self, const char *op_id, const char *code, const char *message)
{
  int number = GPOINTER_TO_INT (g_hash_table_lookup (self->op_numbers, op_id));

  toast_refusal (self, number, code, message);
}

/* Submits @op; a refusal becomes a toast. */
static gboolean
submit (TrKitchenView *self, TrOp *op, int number)
{
  g_autoptr (GError) error = NULL;

  remember_op (self, op, number);
  if (tr_station_submit (self->station, op, &error))
    return TRUE;

  toast_refusal (self, number,
                 error->domain == TR_ERROR ? tr_error_code_to_string (error->code) : NULL,
                 error->message);
  return FALSE;
}

static const TrTicket *
lookup_ticket (TrKitchenView *self, const char *ticket_id)
{
  TrTicketObject *obj = tr_ticket_list_find (self->tickets, ticket_id, NULL);

  return obj ? tr_ticket_object_get_ticket (obj) : NULL;
}

static void
save_recalls (TrKitchenView *self)
{
  GVariantBuilder builder;

  if (self->settings == NULL)
    return;
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sixas)"));
  for (guint i = 0; i < self->recalls->len; i++)
    {
      Recall *recall = g_ptr_array_index (self->recalls, i);
      const char *const empty[] = { NULL };

      g_variant_builder_add (&builder, "(six^as)", recall->ticket_id, recall->number,
                             recall->bumped_at,
                             recall->item_ids ? (const char *const *)recall->item_ids : empty);
    }
  g_settings_set_value (self->settings, "recall-list", g_variant_builder_end (&builder));
}

static void
load_recalls (TrKitchenView *self)
{
  g_autoptr (GVariant) value = NULL;
  GVariantIter iter;
  const char *id;
  int number;
  gint64 bumped_at;
  GVariantIter *items;

  if (self->settings == NULL)
    return;
  value = g_settings_get_value (self->settings, "recall-list");
  g_variant_iter_init (&iter, value);
  while (self->recalls->len < TR_KITCHEN_VIEW_MAX_RECALLS
         && g_variant_iter_next (&iter, "(&sixas)", &id, &number, &bumped_at, &items))
    {
      Recall *recall = g_new0 (Recall, 1);
      g_autoptr (GStrvBuilder) ids = g_strv_builder_new ();
      const char *item_id;
      gboolean any = FALSE;

      while (g_variant_iter_next (items, "&s", &item_id))
        {
          g_strv_builder_add (ids, item_id);
          any = TRUE;
        }
      g_variant_iter_free (items);
      recall->ticket_id = g_strdup (id);
      recall->number = number;
      recall->bumped_at = bumped_at;
      recall->item_ids = any ? g_strv_builder_end (ids) : NULL;
      g_ptr_array_add (self->recalls, recall);
    }
}

static void
push_recall (TrKitchenView *self, const TrTicket *ticket, GStrv item_ids /* owned */)
{
  Recall *recall = g_new0 (Recall, 1);

  /* One entry per ticket: bumping it again replaces the older one. */
  for (guint i = 0; i < self->recalls->len; i++)
    if (g_strcmp0 (((Recall *)g_ptr_array_index (self->recalls, i))->ticket_id, ticket->id) == 0)
      {
        g_ptr_array_remove_index (self->recalls, i);
        break;
      }

  recall->ticket_id = g_strdup (ticket->id);
  recall->number = ticket->number;
  recall->bumped_at = tr_now_ms ();
  recall->item_ids = item_ids;
  g_ptr_array_insert (self->recalls, 0, recall);
  while (self->recalls->len > TR_KITCHEN_VIEW_MAX_RECALLS)
    g_ptr_array_remove_index (self->recalls, self->recalls->len - 1);

  save_recalls (self);
  g_signal_emit (self, signals[RECALLS_CHANGED], 0);
}

static void
dismiss (TrKitchenView *self, const char *ticket_id)
{
  guint position = self->selected_pos;
  gboolean was_selected = g_strcmp0 (ticket_id, self->selected_id) == 0;

  if (tr_ticket_list_dismiss (self->tickets, ticket_id) && was_selected)
    select_position (self, position);
}

static void
bump (TrKitchenView *self, const char *ticket_id)
{
  const TrTicket *ticket = lookup_ticket (self, ticket_id);
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  g_autoptr (GStrvBuilder) bumped_items = NULL;
  g_autoptr (TrTicket) copy = NULL;
  const char *station_id = tr_station_get_station_id (self->station);
  const char *station = station_filter (self);
  guint applied = 0;

  if (ticket == NULL)
    return;

  if (ticket->status == TR_TICKET_STATUS_CANCELLED)
    {
      dismiss (self, ticket_id);
      return;
    }

  /* The ticket object goes away as soon as the first op applies. */
  copy = tr_ticket_copy (ticket);

  if (is_expo (self))
    {
      if (copy->status != TR_TICKET_STATUS_READY)
        g_ptr_array_add (
          ops, tr_op_new_set_ticket_status (station_id, copy->id, TR_TICKET_STATUS_READY));
      g_ptr_array_add (ops,
                       tr_op_new_set_ticket_status (station_id, copy->id, TR_TICKET_STATUS_SERVED));
    }
  else if (station != NULL)
    {
      bumped_items = g_strv_builder_new ();
      for (guint i = 0; i < copy->items->len; i++)
        {
          const TrItem *item = g_ptr_array_index (copy->items, i);

          if (tr_item_is_for_station (item, station)
              && (item->status == TR_ITEM_STATUS_PENDING
                  || item->status == TR_ITEM_STATUS_PREPARING))
            {
              g_ptr_array_add (ops, tr_op_new_set_item_status (station_id, copy->id, item->id,
                                                               TR_ITEM_STATUS_READY));
              g_strv_builder_add (bumped_items, item->id);
            }
        }
    }
  else if (copy->status == TR_TICKET_STATUS_NEW || copy->status == TR_TICKET_STATUS_PREPARING)
    g_ptr_array_add (ops,
                     tr_op_new_set_ticket_status (station_id, copy->id, TR_TICKET_STATUS_READY));

  if (ops->len == 0)
    {
      /* Only a modified ticket with nothing left to cook gets here:
       * bumping it is acknowledging it. */
      acknowledge (self, copy->id);
      return;
    }

  for (guint i = 0; i < ops->len; i++)
    {
      if (!submit (self, g_ptr_array_index (ops, i), copy->number))
        break;
      applied++;
    }

  if (applied > 0)
    push_recall (self, copy, bumped_items ? g_strv_builder_end (bumped_items) : NULL);
}

static void
recall (TrKitchenView *self, const char *ticket_id)
{
  g_autoptr (TrTicket) ticket = NULL;
  g_autoptr (GError) error = NULL;
  const char *station_id = tr_station_get_station_id (self->station);
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_op_free);
  Recall *entry = NULL;
  guint index = 0;

  for (guint i = 0; i < self->recalls->len; i++)
    if (g_strcmp0 (((Recall *)g_ptr_array_index (self->recalls, i))->ticket_id, ticket_id) == 0)
      {
        entry = g_ptr_array_index (self->recalls, i);
        index = i;
        break;
      }
  if (entry == NULL)
    return;

  /* A bumped ticket has left the list; the station still has it. */
  ticket = tr_station_get_ticket (self->station, ticket_id, &error);
  if (ticket == NULL)
    {
      toast_refusal (self, entry->number, error ? NULL : "unknown_ticket",
                     error ? error->message : NULL);
      g_ptr_array_remove_index (self->recalls, index);
      save_recalls (self);
      g_signal_emit (self, signals[RECALLS_CHANGED], 0);
      return;
    }

  if (entry->item_ids != NULL)
    {
      for (guint i = 0; entry->item_ids[i] != NULL; i++)
        {
          const TrItem *item = tr_ticket_find_item (ticket, entry->item_ids[i]);

          if (item == NULL)
            continue;
          if (item->status == TR_ITEM_STATUS_READY)
            g_ptr_array_add (ops, tr_op_new_set_item_status (station_id, ticket->id, item->id,
                                                             TR_ITEM_STATUS_PREPARING));
          else if (item->status == TR_ITEM_STATUS_SERVED)
            g_ptr_array_add (ops, tr_op_new_set_item_status (station_id, ticket->id, item->id,
                                                             TR_ITEM_STATUS_READY));
        }
    }
  else if (ticket->status == TR_TICKET_STATUS_SERVED)
    g_ptr_array_add (ops,
                     tr_op_new_set_ticket_status (station_id, ticket->id, TR_TICKET_STATUS_READY));
  else if (ticket->status == TR_TICKET_STATUS_READY && !is_expo (self))
    g_ptr_array_add (
      ops, tr_op_new_set_ticket_status (station_id, ticket->id, TR_TICKET_STATUS_PREPARING));

  if (ops->len == 0)
    {
      /* Translators: recalling ticket #%d did nothing */
      g_autofree char *text
        = g_strdup_printf (_ ("#%d is already back on the line"), entry->number);

      show_toast (self, text);
    }

  for (guint i = 0; i < ops->len; i++)
    if (!submit (self, g_ptr_array_index (ops, i), ticket->number))
      break;

  g_ptr_array_remove_index (self->recalls, index);
  save_recalls (self);
  g_signal_emit (self, signals[RECALLS_CHANGED], 0);

  select_id (self, ticket->id, TRUE);
}

static void
tap_item (TrKitchenView *self, const char *ticket_id, const char *item_id)
{
  const TrTicket *ticket = lookup_ticket (self, ticket_id);
  const TrItem *item;
  TrItemStatus next;
  g_autoptr (TrOp) op = NULL;
  int number;

  if (ticket == NULL || (item = tr_ticket_find_item (ticket, item_id)) == NULL)
    return;

  switch (item->status)
    {
      case TR_ITEM_STATUS_PENDING:
        next = TR_ITEM_STATUS_PREPARING;
        break;
      case TR_ITEM_STATUS_PREPARING:
        next = TR_ITEM_STATUS_READY;
        break;
      case TR_ITEM_STATUS_READY:
        /* A second tap on a finished line takes back a mis-tap. */
        next = TR_ITEM_STATUS_PREPARING;
        break;
      case TR_ITEM_STATUS_SERVED:
      case TR_ITEM_STATUS_VOIDED:
      case TR_ITEM_N_STATUSES:
      default:
        return;
    }

  number = ticket->number;
  op = tr_op_new_set_item_status (tr_station_get_station_id (self->station), ticket_id, item_id,
                                  next);
  select_id (self, ticket_id, FALSE);
  submit (self, op, number);
}

static void
save_acks (TrKitchenView *self)
{
  GVariantBuilder builder;
  GHashTableIter iter;
  gpointer key, value;

  if (self->settings == NULL)
    return;

  /* Only tickets still listed matter; the rest would only grow. */
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sx}"));
  g_hash_table_iter_init (&iter, self->acks);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (tr_ticket_list_find (self->tickets, key, NULL) == NULL)
        g_hash_table_iter_remove (&iter);
      else
        g_variant_builder_add (&builder, "{sx}", key, *(gint64 *)value);
    }
  g_settings_set_value (self->settings, "acknowledged-changes", g_variant_builder_end (&builder));
}

static void
load_acks (TrKitchenView *self)
{
  g_autoptr (GVariant) value = NULL;
  GVariantIter iter;
  const char *id;
  gint64 at;

  if (self->settings == NULL)
    return;
  value = g_settings_get_value (self->settings, "acknowledged-changes");
  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "{&sx}", &id, &at))
    {
      gint64 *copy = g_new (gint64, 1);

      *copy = at;
      g_hash_table_insert (self->acks, g_strdup (id), copy);
    }
}

static void
acknowledge (TrKitchenView *self, const char *ticket_id)
{
  const TrTicket *ticket = lookup_ticket (self, ticket_id);
  TrTicketCard *card;
  gint64 *at;

  if (ticket == NULL)
    return;

  at = g_new (gint64, 1);
  *at = tr_ticket_last_change_at (ticket);
  g_hash_table_insert (self->acks, g_strdup (ticket_id), at);
  save_acks (self);

  if ((card = g_hash_table_lookup (self->cards, ticket_id)) != NULL)
    tr_ticket_card_set_acknowledged (card, *at);
  /* A void that left nothing to cook was only shown for the news. */
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_MORE_STRICT);
}

/* ---- Actions ---- */

static void
action_select (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (widget);
  int n = g_variant_get_int32 (param);

  /* Bump bars number the cards on screen from 1; a key past the last
   * does nothing rather than jumping somewhere unexpected. */
  if (n >= 1 && (guint)n <= g_list_model_get_n_items (G_LIST_MODEL (self->page_model)))
    select_position (self, self->page * self->page_size + (guint)n - 1);
}

static void
action_move (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (widget);
  int columns = (int)n_columns (self);

  if (g_str_equal (action_name, "kitchen.move-left"))
    move_selection (self, -1);
  else if (g_str_equal (action_name, "kitchen.move-right"))
    move_selection (self, 1);
  else if (g_str_equal (action_name, "kitchen.move-up"))
    move_selection (self, -columns);
  else if (g_str_equal (action_name, "kitchen.move-down"))
    move_selection (self, columns);
  else if (g_str_equal (action_name, "kitchen.page-up"))
    move_selection (self, -(int)self->page_size);
  else if (g_str_equal (action_name, "kitchen.page-down"))
    move_selection (self, (int)self->page_size);
  else if (g_str_equal (action_name, "kitchen.first"))
    select_position (self, 0);
  else if (g_str_equal (action_name, "kitchen.last"))
    select_position (self, G_MAXUINT);
}

static void
action_turn_page (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (widget);
  guint page = self->page;

  if (g_str_equal (action_name, "kitchen.next-page"))
    page++;
  else if (page > 0)
    page--;
  /* Turning the page by touch selects its first card, as the keys do. */
  select_position (self, MIN (page, n_pages (self) - 1) * self->page_size);
}

static void
action_bump_selected (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (widget);
  g_autofree char *id = g_strdup (self->selected_id);
  guint position = self->selected_pos;

  if (id == NULL)
    {
      show_toast (self, _ ("Select a ticket first: press its number, 1 to 9"));
      return;
    }
  bump (self, id);
  /* The next ticket moves up into the bumped one's place; keep the
   * selection there so a cook can bump down the rail. */
  if (!find_position (self, id, &position))
    select_position (self, position);
}

static void
action_bump (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (widget);
  g_autofree char *id = g_variant_dup_string (param, NULL);
  guint position = 0;
  gboolean was_selected = g_strcmp0 (id, self->selected_id) == 0;

  position = self->selected_pos;
  bump (self, id);
  if (was_selected && !find_position (self, id, &position))
    select_position (self, position);
}

static void
action_dismiss (GtkWidget *widget, const char *action_name, GVariant *param)
{
  dismiss (TR_KITCHEN_VIEW (widget), g_variant_get_string (param, NULL));
}

static void
action_tap_item (GtkWidget *widget, const char *action_name, GVariant *param)
{
  const char *ticket_id, *item_id;

  g_variant_get (param, "(&s&s)", &ticket_id, &item_id);
  tap_item (TR_KITCHEN_VIEW (widget), ticket_id, item_id);
}

static void
action_acknowledge (GtkWidget *widget, const char *action_name, GVariant *param)
{
  acknowledge (TR_KITCHEN_VIEW (widget), g_variant_get_string (param, NULL));
}

static void
action_acknowledge_selected (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (widget);
  g_autofree char *id = g_strdup (self->selected_id);

  if (id != NULL)
    acknowledge (self, id);
}

static void
action_recall (GtkWidget *widget, const char *action_name, GVariant *param)
{
  recall (TR_KITCHEN_VIEW (widget), g_variant_get_string (param, NULL));
}

static void
action_recall_last (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (widget);
  g_autofree char *id = NULL;

  if (self->recalls->len == 0)
    {
      show_toast (self, _ ("Nothing to recall"));
      return;
    }
  id = g_strdup (((Recall *)g_ptr_array_index (self->recalls, 0))->ticket_id);
  recall (self, id);
}

/* ---- Model follow-up ---- */

static void
update_stack (TrKitchenView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "tickets" : "empty");
}

static gboolean
refresh_all_day (gpointer user_data)
{
  TrKitchenView *self = user_data;
  g_autoptr (GPtrArray) entries = NULL;
  GtkWidget *child;

  self->all_day_idle = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->all_day_box))) != NULL)
    gtk_box_remove (self->all_day_box, child);

  entries = tr_kitchen_view_dup_all_day (self);
  for (guint i = 0; i < entries->len; i++)
    {
      TrAllDayEntry *entry = g_ptr_array_index (entries, i);
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      g_autofree char *count = g_strdup_printf ("%u", entry->count);
      GtkWidget *count_label = gtk_label_new (count);
      GtkWidget *name_label = gtk_label_new (entry->name);

      gtk_widget_add_css_class (row, "all-day-row");
      gtk_widget_add_css_class (count_label, "all-day-count");
      gtk_widget_add_css_class (count_label, "numeric");
      gtk_label_set_width_chars (GTK_LABEL (count_label), 3);
      gtk_label_set_xalign (GTK_LABEL (count_label), 1);
      gtk_label_set_xalign (GTK_LABEL (name_label), 0);
      gtk_label_set_wrap (GTK_LABEL (name_label), TRUE);
      gtk_widget_set_hexpand (name_label, TRUE);
      gtk_box_append (GTK_BOX (row), count_label);
      gtk_box_append (GTK_BOX (row), name_label);
      gtk_box_append (self->all_day_box, row);
    }

  if (entries->len == 0)
    {
      GtkWidget *label = gtk_label_new (_ ("Nothing to make"));

      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (self->all_day_box, label);
    }

  return G_SOURCE_REMOVE;
}

static void
queue_all_day (TrKitchenView *self)
{
  /* A burst of events recounts once, after the frame. */
  if (self->all_day_visible && self->all_day_idle == 0)
    self->all_day_idle = g_idle_add_full (G_PRIORITY_LOW, refresh_all_day, self, NULL);
}

static void
on_filtered_changed (TrKitchenView *self, guint position, guint removed, guint added,
                     GListModel *model)
{
  if (removed != added)
    {
      update_stack (self);
      set_page (self, self->page);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CARDS]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PAGES]);
    }

  if (self->selected_id != NULL && removed > 0)
    {
      guint found;

      if (find_position (self, self->selected_id, &found))
        self->selected_pos = found;
      else
        select_position (self, self->selected_pos);
    }
  else if (self->selected_id != NULL && position <= self->selected_pos)
    find_position (self, self->selected_id, &self->selected_pos);

  queue_all_day (self);
}

static gboolean
play_sounds (gpointer user_data)
{
  TrKitchenView *self = user_data;

  self->sound_idle = 0;
  /* One chime per burst; a new ticket is the louder news. */
  if (self->sound_new)
    tr_sound_player_play (self->sound_player, TR_SOUND_NEW_TICKET);
  else if (self->sound_changed)
    tr_sound_player_play (self->sound_player, TR_SOUND_CHANGED_TICKET);
  self->sound_new = self->sound_changed = FALSE;
  return G_SOURCE_REMOVE;
}

static void
on_tickets_changed (TrKitchenView *self, guint position, guint removed, guint added,
                    GListModel *model)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (TrTicketObject) obj = g_list_model_get_item (model, i);
      const TrTicket *ticket = tr_ticket_object_get_ticket (obj);
      gpointer seen;
      gboolean known = g_hash_table_lookup_extended (self->known, ticket->id, NULL, &seen);
      guint n_changes = ticket->changes->len;

      if (self->loaded && ticket_visible (self, ticket))
        {
          if (!known)
            self->sound_new = TRUE;
          else if (n_changes > GPOINTER_TO_UINT (seen)
                   && tr_ticket_has_changes_for (ticket, station_filter (self),
                                                 acked_at (self, ticket->id)))
            self->sound_changed = TRUE;
        }
      g_hash_table_insert (self->known, g_strdup (ticket->id), GUINT_TO_POINTER (n_changes));
    }

  if ((self->sound_new || self->sound_changed) && self->sound_idle == 0)
    self->sound_idle = g_idle_add (play_sounds, self);
}

static gboolean
refresh_pending (gpointer user_data)
{
  TrKitchenView *self = user_data;
  g_autoptr (GHashTable) now_pending
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (GError) error = NULL;
  GHashTableIter iter;
  gpointer key;
  TrTicketCard *card;

  self->pending_idle = 0;

  if (tr_station_get_mode (self->station) == TR_STATION_MODE_CLIENT)
    {
      ops = tr_station_list_outbox (self->station, &error);
      if (ops == NULL)
        g_debug ("Cannot read the outbox: %s", error->message);
      for (guint i = 0; ops != NULL && i < ops->len; i++)
        {
          const TrOp *op = g_ptr_array_index (ops, i);

          if (op->ticket_id != NULL)
            g_hash_table_add (now_pending, g_strdup (op->ticket_id));
        }
    }

  /* Only cards whose mark changes are touched. */
  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (now_pending, key)
        && (card = g_hash_table_lookup (self->cards, key)) != NULL)
      tr_ticket_card_set_pending (card, FALSE);
  g_hash_table_iter_init (&iter, now_pending);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (self->pending, key)
        && (card = g_hash_table_lookup (self->cards, key)) != NULL)
      tr_ticket_card_set_pending (card, TRUE);

  g_hash_table_unref (self->pending);
  self->pending = g_steal_pointer (&now_pending);
  return G_SOURCE_REMOVE;
}

static void
queue_pending (TrKitchenView *self)
{
  if (self->pending_idle == 0 && tr_station_get_mode (self->station) == TR_STATION_MODE_CLIENT)
    self->pending_idle = g_idle_add (refresh_pending, self);
}

/* ---- Cards ---- */

static void
on_card_destroy (TrTicketCard *card, TrKitchenView *self)
{
  /* The card has let go of its ticket by now; the id was kept aside. */
  const char *id = g_object_get_data (G_OBJECT (card), "ticket-id");

  /* The card of a changed ticket may be made before the old one goes. */
  if (id != NULL && g_hash_table_lookup (self->cards, id) == (gpointer)card)
    g_hash_table_remove (self->cards, id);
}

static GtkWidget *
create_card (gpointer item, gpointer user_data)
{
  TrKitchenView *self = user_data;
  TrTicketObject *obj = item;
  TrTicketCard *card = TR_TICKET_CARD (tr_ticket_card_new ());
  const char *id = tr_ticket_object_get_id (obj);

  configure_card (self, card);
  tr_ticket_card_set_acknowledged (card, acked_at (self, id));
  tr_ticket_card_set_pending (card, g_hash_table_contains (self->pending, id));
  tr_ticket_card_set_selected (card, g_strcmp0 (id, self->selected_id) == 0);
  tr_ticket_card_set_ticket (card, obj);
  g_hash_table_insert (self->cards, g_strdup (id), card);
  g_object_set_data_full (G_OBJECT (card), "ticket-id", g_strdup (id), g_free);
  g_signal_connect (card, "destroy", G_CALLBACK (on_card_destroy), self);
  return GTK_WIDGET (card);
}

/* ---- Settings ---- */

static void
on_thresholds_changed (TrKitchenView *self)
{
  self->warn_minutes = g_settings_get_uint (self->settings, "warn-minutes");
  self->late_minutes = g_settings_get_uint (self->settings, "late-minutes");
  reconfigure_cards (self);
}

/* ---- GObject ---- */

#define CARD_CELL_WIDTH 292
#define PAGE_ROWS 3

static gboolean
apply_page_size (gpointer user_data)
{
  TrKitchenView *self = user_data;
  guint columns = self->columns;
  guint size = columns * PAGE_ROWS;
  g_autofree char *keep = g_strdup (self->selected_id);

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
  set_page (self, self->selected_id ? self->selected_pos / size : 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PAGES]);
  return G_SOURCE_REMOVE;
}

static void
tr_kitchen_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (widget);
  guint columns = (guint)CLAMP (width / CARD_CELL_WIDTH, 1, 6);

  GTK_WIDGET_CLASS (tr_kitchen_view_parent_class)->size_allocate (widget, width, height, baseline);

  if (self->all_day_visible)
    columns = (guint)CLAMP (
      (width - gtk_widget_get_width (GTK_WIDGET (self->all_day_revealer))) / CARD_CELL_WIDTH, 1, 6);
  self->columns = columns;

  /* A page is as many rows of cards as fit the width; changing it
   * rebuilds the cards, which must not happen inside an allocation. */
  if ((columns * PAGE_ROWS != self->page_size
       || columns != gtk_flow_box_get_max_children_per_line (self->grid_view))
      && self->page_size_idle == 0)
    self->page_size_idle = g_idle_add (apply_page_size, self);
}

static void
tr_kitchen_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (tr_kitchen_view_parent_class)->map (widget);

  /* The bump-bar keys reach the view through the focus. */
  gtk_widget_grab_focus (widget);
}

static void
tr_kitchen_view_constructed (GObject *object)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (object);
  g_autoptr (GError) error = NULL;
  TrClient *client;

  G_OBJECT_CLASS (tr_kitchen_view_parent_class)->constructed (object);

  g_assert (TR_IS_STATION (self->station));

  if (self->clock == NULL)
    self->clock = tr_clock_new ();
  if (self->sound_player == NULL)
    self->sound_player = tr_sound_player_new ();

  if (self->settings != NULL)
    {
      g_signal_connect_object (self->settings, "changed::warn-minutes",
                               G_CALLBACK (on_thresholds_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->settings, "changed::late-minutes",
                               G_CALLBACK (on_thresholds_changed), self, G_CONNECT_SWAPPED);
      self->warn_minutes = g_settings_get_uint (self->settings, "warn-minutes");
      self->late_minutes = g_settings_get_uint (self->settings, "late-minutes");
      load_acks (self);
      load_recalls (self);
    }

  self->tickets = tr_ticket_list_new ();
  tr_ticket_list_set_keep_cancelled (self->tickets, TRUE);
  g_signal_connect_object (self->tickets, "items-changed", G_CALLBACK (on_tickets_changed), self,
                           G_CONNECT_SWAPPED);
  if (!tr_ticket_list_set_station (self->tickets, self->station, &error))
    {
      g_autofree char *text = g_strdup_printf (_ ("Cannot read the tickets: %s"), error->message);

      show_toast (self, text);
    }
  self->loaded = TRUE;

  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->tickets)),
                                              g_object_ref (GTK_FILTER (self->filter)));
  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (on_filtered_changed), self,
                           G_CONNECT_SWAPPED);
  self->page_model
    = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (self->filtered)), 0, self->page_size);
  gtk_flow_box_bind_model (self->grid_view, G_LIST_MODEL (self->page_model), create_card, self,
                           NULL);
  update_pager (self);
  update_stack (self);

  g_signal_connect_object (self->station, "op-rejected", G_CALLBACK (on_op_rejected), self,
                           G_CONNECT_SWAPPED);
  client = tr_station_get_client (self->station);
  if (client != NULL)
    {
      g_signal_connect_object (client, "notify::queued-ops", G_CALLBACK (queue_pending), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->station, "ticket-changed", G_CALLBACK (queue_pending), self,
                               G_CONNECT_SWAPPED);
      refresh_pending (self);
    }
}

static void
tr_kitchen_view_dispose (GObject *object)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (object);

  g_clear_handle_id (&self->pending_idle, g_source_remove);
  g_clear_handle_id (&self->all_day_idle, g_source_remove);
  g_clear_handle_id (&self->sound_idle, g_source_remove);
  g_clear_handle_id (&self->page_size_idle, g_source_remove);

  if (self->grid_view != NULL)
    gtk_flow_box_bind_model (self->grid_view, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TR_TYPE_KITCHEN_VIEW);

  if (self->tickets != NULL)
    tr_ticket_list_set_station (self->tickets, NULL, NULL);
  g_clear_object (&self->page_model);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->tickets);
  g_clear_object (&self->station);
  g_clear_object (&self->settings);
  g_clear_object (&self->clock);
  g_clear_object (&self->sound_player);

  G_OBJECT_CLASS (tr_kitchen_view_parent_class)->dispose (object);
}

static void
tr_kitchen_view_finalize (GObject *object)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (object);

  g_hash_table_unref (self->cards);
  g_hash_table_unref (self->acks);
  g_hash_table_unref (self->pending);
  g_hash_table_unref (self->known);
  g_hash_table_unref (self->op_numbers);
  g_ptr_array_unref (self->recalls);
  g_free (self->kitchen_station);
  g_free (self->role);
  g_free (self->selected_id);

  G_OBJECT_CLASS (tr_kitchen_view_parent_class)->finalize (object);
}

static void
tr_kitchen_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (object);

  switch (prop_id)
    {
      case PROP_STATION:
        g_value_set_object (value, self->station);
        break;
      case PROP_SETTINGS:
        g_value_set_object (value, self->settings);
        break;
      case PROP_CLOCK:
        g_value_set_object (value, self->clock);
        break;
      case PROP_SOUND_PLAYER:
        g_value_set_object (value, self->sound_player);
        break;
      case PROP_KITCHEN_STATION:
        g_value_set_string (value, self->kitchen_station);
        break;
      case PROP_ROLE:
        g_value_set_string (value, self->role);
        break;
      case PROP_ALL_DAY_VISIBLE:
        g_value_set_boolean (value, self->all_day_visible);
        break;
      case PROP_N_CARDS:
        g_value_set_uint (value, tr_kitchen_view_get_n_cards (self));
        break;
      case PROP_SELECTED_TICKET:
        g_value_set_string (value, self->selected_id);
        break;
      case PROP_PAGE:
        g_value_set_uint (value, self->page);
        break;
      case PROP_N_PAGES:
        g_value_set_uint (value, self->filtered ? n_pages (self) : 1);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_kitchen_view_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  TrKitchenView *self = TR_KITCHEN_VIEW (object);

  switch (prop_id)
    {
      case PROP_STATION:
        self->station = g_value_dup_object (value);
        break;
      case PROP_SETTINGS:
        self->settings = g_value_dup_object (value);
        break;
      case PROP_CLOCK:
        self->clock = g_value_dup_object (value);
        break;
      case PROP_SOUND_PLAYER:
        self->sound_player = g_value_dup_object (value);
        break;
      case PROP_KITCHEN_STATION:
        tr_kitchen_view_set_kitchen_station (self, g_value_get_string (value));
        break;
      case PROP_ROLE:
        tr_kitchen_view_set_role (self, g_value_get_string (value));
        break;
      case PROP_ALL_DAY_VISIBLE:
        tr_kitchen_view_set_all_day_visible (self, g_value_get_boolean (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
add_key (GtkWidgetClass *widget_class, guint keyval, GdkModifierType mods, const char *action,
         const char *format, ...)
{
  GtkShortcutTrigger *trigger = gtk_keyval_trigger_new (keyval, mods);
  GtkShortcutAction *shortcut_action = gtk_named_action_new (action);
  GtkShortcut *shortcut = gtk_shortcut_new (trigger, shortcut_action);
  va_list args;

  if (format != NULL)
    {
      va_start (args, format);
      gtk_shortcut_set_arguments (shortcut, g_variant_new_va (format, NULL, &args));
      va_end (args);
    }
  gtk_widget_class_add_shortcut (widget_class, shortcut);
  g_object_unref (shortcut);
}

static void
tr_kitchen_view_class_init (TrKitchenViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const char *const moves[]
    = { "kitchen.move-left", "kitchen.move-right", "kitchen.move-up", "kitchen.move-down",
        "kitchen.page-up",   "kitchen.page-down",  "kitchen.first",   "kitchen.last" };
  const guint move_keys[][2]
    = { { GDK_KEY_Left, GDK_KEY_KP_Left },       { GDK_KEY_Right, GDK_KEY_KP_Right },
        { GDK_KEY_Up, GDK_KEY_KP_Up },           { GDK_KEY_Down, GDK_KEY_KP_Down },
        { GDK_KEY_Page_Up, GDK_KEY_KP_Page_Up }, { GDK_KEY_Page_Down, GDK_KEY_KP_Page_Down },
        { GDK_KEY_Home, GDK_KEY_KP_Home },       { GDK_KEY_End, GDK_KEY_KP_End } };

  object_class->constructed = tr_kitchen_view_constructed;
  object_class->dispose = tr_kitchen_view_dispose;
  object_class->finalize = tr_kitchen_view_finalize;
  object_class->get_property = tr_kitchen_view_get_property;
  object_class->set_property = tr_kitchen_view_set_property;

  widget_class->map = tr_kitchen_view_map;
  widget_class->size_allocate = tr_kitchen_view_size_allocate;

  properties[PROP_STATION]
    = g_param_spec_object ("station", NULL, NULL, TR_TYPE_STATION, construct);
  properties[PROP_SETTINGS]
    = g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS, construct);
  properties[PROP_CLOCK] = g_param_spec_object ("clock", NULL, NULL, TR_TYPE_CLOCK, construct);
  properties[PROP_SOUND_PLAYER]
    = g_param_spec_object ("sound-player", NULL, NULL, TR_TYPE_SOUND_PLAYER, construct);
  properties[PROP_KITCHEN_STATION] = g_param_spec_string ("kitchen-station", NULL, NULL, NULL, rw);
  properties[PROP_ROLE] = g_param_spec_string ("role", NULL, NULL, "kitchen", rw);
  properties[PROP_ALL_DAY_VISIBLE]
    = g_param_spec_boolean ("all-day-visible", NULL, NULL, FALSE, rw);
  properties[PROP_N_CARDS] = g_param_spec_uint ("n-cards", NULL, NULL, 0, G_MAXUINT, 0,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_TICKET] = g_param_spec_string (
    "selected-ticket", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAGE] = g_param_spec_uint ("page", NULL, NULL, 0, G_MAXUINT, 0,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_PAGES] = g_param_spec_uint ("n-pages", NULL, NULL, 1, G_MAXUINT, 1,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[RECALLS_CHANGED] = g_signal_new ("recalls-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/ticketrail/Ticketrail/tr-kitchen-view.ui");
  gtk_widget_class_set_css_name (widget_class, "kitchenview");
  gtk_widget_class_bind_template_child (widget_class, TrKitchenView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TrKitchenView, stack);
  gtk_widget_class_bind_template_child (widget_class, TrKitchenView, grid_view);
  gtk_widget_class_bind_template_child (widget_class, TrKitchenView, scroller);
  gtk_widget_class_bind_template_child (widget_class, TrKitchenView, pager);
  gtk_widget_class_bind_template_child (widget_class, TrKitchenView, page_label);
  gtk_widget_class_bind_template_child (widget_class, TrKitchenView, all_day_revealer);
  gtk_widget_class_bind_template_child (widget_class, TrKitchenView, all_day_box);

  gtk_widget_class_install_action (widget_class, "kitchen.select", "i", action_select);
  for (guint i = 0; i < G_N_ELEMENTS (moves); i++)
    gtk_widget_class_install_action (widget_class, moves[i], NULL, action_move);
  gtk_widget_class_install_action (widget_class, "kitchen.previous-page", NULL, action_turn_page);
  gtk_widget_class_install_action (widget_class, "kitchen.next-page", NULL, action_turn_page);
  gtk_widget_class_install_action (widget_class, "kitchen.bump-selected", NULL,
                                   action_bump_selected);
  gtk_widget_class_install_action (widget_class, "kitchen.bump", "s", action_bump);
  gtk_widget_class_install_action (widget_class, "kitchen.dismiss", "s", action_dismiss);
  gtk_widget_class_install_action (widget_class, "kitchen.tap-item", "(ss)", action_tap_item);
  gtk_widget_class_install_action (widget_class, "kitchen.acknowledge", "s", action_acknowledge);
  gtk_widget_class_install_action (widget_class, "kitchen.acknowledge-selected", NULL,
                                   action_acknowledge_selected);
  gtk_widget_class_install_action (widget_class, "kitchen.recall", "s", action_recall);
  gtk_widget_class_install_action (widget_class, "kitchen.recall-last", NULL, action_recall_last);
  /* Undoing a bump is recalling it; both keys are on bump bars. */
  gtk_widget_class_install_action (widget_class, "kitchen.undo-bump", NULL, action_recall_last);
  gtk_widget_class_install_property_action (widget_class, "kitchen.all-day", "all-day-visible");

  for (guint n = 1; n <= 9; n++)
    {
      add_key (widget_class, GDK_KEY_0 + n, 0, "kitchen.select", "i", (gint32)n);
      add_key (widget_class, GDK_KEY_KP_0 + n, 0, "kitchen.select", "i", (gint32)n);
    }
  for (guint i = 0; i < G_N_ELEMENTS (moves); i++)
    {
      add_key (widget_class, move_keys[i][0], 0, moves[i], NULL);
      add_key (widget_class, move_keys[i][1], 0, moves[i], NULL);
    }
  add_key (widget_class, GDK_KEY_Return, 0, "kitchen.bump-selected", NULL);
  add_key (widget_class, GDK_KEY_KP_Enter, 0, "kitchen.bump-selected", NULL);
  add_key (widget_class, GDK_KEY_ISO_Enter, 0, "kitchen.bump-selected", NULL);
  add_key (widget_class, GDK_KEY_r, 0, "kitchen.recall-last", NULL);
  add_key (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "kitchen.undo-bump", NULL);
  add_key (widget_class, GDK_KEY_a, 0, "kitchen.acknowledge-selected", NULL);
}

static void
tr_kitchen_view_init (TrKitchenView *self)
{
  self->cards = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->acks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->op_numbers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->recalls = g_ptr_array_new_with_free_func ((GDestroyNotify)recall_free);
  self->role = g_strdup ("kitchen");
  self->warn_minutes = 8;
  self->late_minutes = 15;
  self->page_size = 4 * PAGE_ROWS;

  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
tr_kitchen_view_new (TrStation *station, GSettings *settings, TrClock *clock,
                     TrSoundPlayer *sound_player)
{
  g_return_val_if_fail (TR_IS_STATION (station), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (clock == NULL || TR_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (sound_player == NULL || TR_IS_SOUND_PLAYER (sound_player), NULL);

  return g_object_new (TR_TYPE_KITCHEN_VIEW, "station", station, "settings", settings, "clock",
                       clock, "sound-player", sound_player, NULL);
}

TrStation *
tr_kitchen_view_get_station (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);
  return self->station;
}

TrClock *
tr_kitchen_view_get_clock (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);
  return self->clock;
}

TrSoundPlayer *
tr_kitchen_view_get_sound_player (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);
  return self->sound_player;
}

const char *
tr_kitchen_view_get_kitchen_station (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);
  return self->kitchen_station ? self->kitchen_station : "";
}

static void
filter_changed (TrKitchenView *self)
{
  if (self->filter != NULL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  reconfigure_cards (self);
  queue_all_day (self);
}

void
tr_kitchen_view_set_kitchen_station (TrKitchenView *self, const char *station)
{
  g_return_if_fail (TR_IS_KITCHEN_VIEW (self));

  if (station != NULL && *station == '\0')
    station = NULL;
  if (g_strcmp0 (station, self->kitchen_station) == 0)
    return;
  g_free (self->kitchen_station);
  self->kitchen_station = g_strdup (station);
  filter_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KITCHEN_STATION]);
}

const char *
tr_kitchen_view_get_role (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);
  return self->role;
}

void
tr_kitchen_view_set_role (TrKitchenView *self, const char *role)
{
  g_return_if_fail (TR_IS_KITCHEN_VIEW (self));

  if (role == NULL || *role == '\0')
    role = "kitchen";
  if (g_strcmp0 (role, self->role) == 0)
    return;
  g_free (self->role);
  self->role = g_strdup (role);
  filter_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROLE]);
}

gboolean
tr_kitchen_view_get_all_day_visible (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), FALSE);
  return self->all_day_visible;
}

void
tr_kitchen_view_set_all_day_visible (TrKitchenView *self, gboolean visible)
{
  g_return_if_fail (TR_IS_KITCHEN_VIEW (self));

  visible = !!visible;
  if (visible == self->all_day_visible)
    return;
  self->all_day_visible = visible;
  gtk_revealer_set_reveal_child (self->all_day_revealer, visible);
  queue_all_day (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALL_DAY_VISIBLE]);
}

GListModel *
tr_kitchen_view_get_model (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

guint
tr_kitchen_view_get_n_cards (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), 0);
  return self->filtered ? g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) : 0;
}

const char *
tr_kitchen_view_get_selected_ticket (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);
  return self->selected_id;
}

TrTicketCard *
tr_kitchen_view_find_card (TrKitchenView *self, const char *ticket_id)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);
  g_return_val_if_fail (ticket_id != NULL, NULL);
  return g_hash_table_lookup (self->cards, ticket_id);
}

static int
compare_all_day (gconstpointer a, gconstpointer b)
{
  const TrAllDayEntry *ea = *(TrAllDayEntry *const *)a;
  const TrAllDayEntry *eb = *(TrAllDayEntry *const *)b;

  if (ea->count != eb->count)
    return ea->count > eb->count ? -1 : 1;
  return g_utf8_collate (ea->name, eb->name);
}

GPtrArray *
tr_kitchen_view_dup_all_day (TrKitchenView *self)
{
  g_autoptr (GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_all_day_entry_free);
  const char *station;
  guint n;

  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);

  station = station_filter (self);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TrTicketObject) obj = object_at (self, i);
      const TrTicket *ticket = tr_ticket_object_get_ticket (obj);

      if (ticket->status == TR_TICKET_STATUS_CANCELLED)
        continue;
      for (guint j = 0; j < ticket->items->len; j++)
        {
          const TrItem *item = g_ptr_array_index (ticket->items, j);
          TrAllDayEntry *entry;

          /* What is still to make: what a cook calls "all day". */
          if (!tr_item_is_for_station (item, station)
              || (item->status != TR_ITEM_STATUS_PENDING
                  && item->status != TR_ITEM_STATUS_PREPARING))
            continue;
          entry = g_hash_table_lookup (counts, item->name);
          if (entry == NULL)
            {
              entry = g_new0 (TrAllDayEntry, 1);
              entry->name = g_strdup (item->name);
              g_ptr_array_add (entries, entry);
              g_hash_table_insert (counts, entry->name, entry);
            }
          entry->count += (guint)MAX (item->quantity, 0);
        }
    }

  g_ptr_array_sort (entries, compare_all_day);
  return entries;
}

guint
tr_kitchen_view_get_n_recalls (TrKitchenView *self)
{
  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), 0);
  return self->recalls->len;
}

const char *
tr_kitchen_view_get_recall (TrKitchenView *self, guint index, int *number, gint64 *bumped_at)
{
  Recall *recall;

  g_return_val_if_fail (TR_IS_KITCHEN_VIEW (self), NULL);
  g_return_val_if_fail (index < self->recalls->len, NULL);

  recall = g_ptr_array_index (self->recalls, index);
  if (number != NULL)
    *number = recall->number;
  if (bumped_at != NULL)
    *bumped_at = recall->bumped_at;
  return recall->ticket_id;
}
