/* tr-board-view.c: the order-ready board follows the station's tickets
 *
 * One GListStore per column follows the station ("ticket-changed"), in
 * the order and with the lingering of src/core/tr-order-board.c; a
 * GtkFlowBox bound to each draws its tiles. The clock's tick lets
 * closed numbers go and highlights end. Sizes follow the allocation: a
 * CSS provider of the view's own sets the numbers to a tenth of its
 * height.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-board-view"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-board-view.h"
#include "tr-ticket-object.h"

/* The numbers' height as a share of the view's (per mille): 11 %, as
 * on the web board, over the 8 % a guest needs to read them across a
 * room. */
#define NUMBER_PER_MILLE 110
#define TITLE_PER_MILLE 60
#define DETAIL_PER_MILLE 32

struct _TrBoardView
{
  GtkWidget parent_instance;

  TrStation *station;
  TrClock *clock;
  TrSoundPlayer *sound_player;
  gulong changed_handler;
  guint linger_seconds;
  gboolean rush_first;

  /* TrTicketObject per column, in display order. */
  GListStore *columns[TR_ORDER_BOARD_N_COLUMNS];
  /* ticket id → its TrTicketObject in a column, for the ones shown. */
  GHashTable *shown;
  /* ticket id → (gint64 *) when the board saw it become ready, while it
   * stands out. */
  GHashTable *ready_seen;

  GtkCssProvider *sizes;
  int sized_for; /* the height the provider is for */
  int number_px;

  GtkWidget *columns_box;
  GtkFlowBox *preparing_orders;
  GtkFlowBox *ready_orders;
};

G_DEFINE_FINAL_TYPE (TrBoardView, tr_board_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_STATION,
  PROP_CLOCK,
  PROP_SOUND_PLAYER,
  PROP_LINGER_SECONDS,
  PROP_RUSH_FIRST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- Rules ---- */

static gint64
now_ms (TrBoardView *self)
{
  return tr_clock_get_now (self->clock);
}

static gint64
linger_ms (TrBoardView *self)
{
  return tr_order_board_linger_ms (self->linger_seconds);
}

typedef struct
{
  TrOrderBoardColumn column;
  gboolean rush_first;
} ColumnOrder;

static int
compare_in_column (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const ColumnOrder *order = user_data;

  return tr_order_board_compare (order->column, tr_ticket_object_get_ticket ((TrTicketObject *)a),
                                 tr_ticket_object_get_ticket ((TrTicketObject *)b),
                                 order->rush_first);
}

static gboolean
is_highlighted (TrBoardView *self, const char *ticket_id)
{
  const gint64 *seen = g_hash_table_lookup (self->ready_seen, ticket_id);

  return seen != NULL && tr_order_board_is_highlighted (*seen, now_ms (self));
}

/* ---- Tiles ---- */

static GtkWidget *
make_tile (TrBoardView *self, TrTicketObject *obj, TrOrderBoardColumn column)
{
  const TrTicket *ticket = tr_ticket_object_get_ticket (obj);
  const char *detail = tr_order_board_detail (ticket);
  GtkWidget *tile = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  g_autofree char *number
    = ticket->number > 0 ? g_strdup_printf ("%d", ticket->number) : g_strdup ("—");
  GtkWidget *label = gtk_label_new (number);

  gtk_widget_add_css_class (tile, "board-order");
  gtk_widget_add_css_class (label, "board-number");
  gtk_box_append (GTK_BOX (tile), label);
  if (detail != NULL)
    {
      /* Translators: under an order number on the order-ready board */
      g_autofree char *text = g_strdup_printf (_ ("Table %s"), detail);
      GtkWidget *table = gtk_label_new (text);

      gtk_label_set_ellipsize (GTK_LABEL (table), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (table, "board-detail");
      gtk_box_append (GTK_BOX (tile), table);
    }
  if (tr_order_board_is_leaving (ticket))
    gtk_widget_add_css_class (tile, "is-leaving");
  if (ticket->priority == TR_PRIORITY_RUSH && column == TR_ORDER_BOARD_PREPARING)
    gtk_widget_add_css_class (tile, "is-rush");
  if (column == TR_ORDER_BOARD_READY && ticket->status == TR_TICKET_STATUS_READY
      && is_highlighted (self, ticket->id))
    gtk_widget_add_css_class (tile, "is-new");
  g_object_set_data_full (G_OBJECT (tile), "ticket-id", g_strdup (ticket->id), g_free);
  return tile;
}

static GtkWidget *
make_preparing_tile (gpointer item, gpointer user_data)
{
  return make_tile (user_data, item, TR_ORDER_BOARD_PREPARING);
}

static GtkWidget *
make_ready_tile (gpointer item, gpointer user_data)
{
  return make_tile (user_data, item, TR_ORDER_BOARD_READY);
}

/* ---- Following the station ---- */

static void
remove_shown (TrBoardView *self, const char *ticket_id)
{
  TrTicketObject *obj = g_hash_table_lookup (self->shown, ticket_id);
  guint position;

  if (obj == NULL)
    return;
  for (guint c = 0; c < TR_ORDER_BOARD_N_COLUMNS; c++)
    if (g_list_store_find (self->columns[c], obj, &position))
      g_list_store_remove (self->columns[c], position);
  g_hash_table_remove (self->shown, ticket_id);
}

static void
place_ticket (TrBoardView *self, const char *ticket_id, const TrTicket *ticket, gboolean announce)
{
  TrTicketObject *old = g_hash_table_lookup (self->shown, ticket_id);
  gboolean became_ready
    = ticket != NULL
      && tr_order_board_became_ready (old ? tr_ticket_object_get_ticket (old) : NULL, ticket);
  int column = ticket ? tr_order_board_column_of (ticket, now_ms (self), linger_ms (self)) : -1;

  /* The highlight first, so that the new tile is drawn with it. */
  if (announce && became_ready && column == TR_ORDER_BOARD_READY)
    {
      gint64 *seen = g_new (gint64, 1);

      *seen = now_ms (self);
      g_hash_table_replace (self->ready_seen, g_strdup (ticket_id), seen);
    }
  else if (ticket == NULL || ticket->status != TR_TICKET_STATUS_READY)
    g_hash_table_remove (self->ready_seen, ticket_id);

  remove_shown (self, ticket_id);
  if (column >= 0)
    {
      TrTicketObject *obj = tr_ticket_object_new (ticket);
      ColumnOrder order = { column, self->rush_first };

      /* Known before the column says so: its watchers may ask. */
      g_hash_table_replace (self->shown, g_strdup (ticket_id), obj);
      g_list_store_insert_sorted (self->columns[column], obj, compare_in_column, &order);
    }

  if (announce && became_ready && column == TR_ORDER_BOARD_READY)
    tr_sound_player_play_for (self->sound_player, self, TR_SOUND_CHANGED_TICKET);
}

static void
on_ticket_changed (TrBoardView *self, const char *ticket_id, TrStation *station)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TrTicket) ticket = tr_station_get_ticket (station, ticket_id, &error);

  if (error != NULL)
    {
      /* The board keeps what it showed rather than going blank. */
      g_warning ("Cannot read ticket %s: %s", ticket_id, error->message);
      return;
    }
  place_ticket (self, ticket_id, ticket, TRUE);
}

/* What is on the board now, without a chime: a screen switched on does
 * not announce what was already ready. */
static void
load_tickets (TrBoardView *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) tickets = tr_station_list_tickets (self->station, FALSE, &error);

  for (guint c = 0; c < TR_ORDER_BOARD_N_COLUMNS; c++)
    g_list_store_remove_all (self->columns[c]);
  g_hash_table_remove_all (self->shown);
  if (tickets == NULL)
    {
      g_warning ("Cannot list tickets: %s", error->message);
      return;
    }
  for (guint i = 0; i < tickets->len; i++)
    {
      const TrTicket *ticket = g_ptr_array_index (tickets, i);

      place_ticket (self, ticket->id, ticket, FALSE);
    }
}

/* Once a second: lingering numbers go when their time is up, and a
 * highlight that is over is drawn again without it. */
static void
on_tick (TrBoardView *self)
{
  gint64 now = now_ms (self);

  for (guint c = 0; c < TR_ORDER_BOARD_N_COLUMNS; c++)
    {
      GListModel *model = G_LIST_MODEL (self->columns[c]);

      for (guint i = g_list_model_get_n_items (model); i > 0; i--)
        {
          g_autoptr (TrTicketObject) obj = g_list_model_get_item (model, i - 1);
          const TrTicket *ticket = tr_ticket_object_get_ticket (obj);
          const gint64 *seen = g_hash_table_lookup (self->ready_seen, ticket->id);

          if (tr_order_board_column_of (ticket, now, linger_ms (self)) != (int)c)
            {
              g_hash_table_remove (self->ready_seen, ticket->id);
              g_hash_table_remove (self->shown, ticket->id);
              g_list_store_remove (self->columns[c], i - 1);
            }
          else if (seen != NULL && !tr_order_board_is_highlighted (*seen, now))
            {
              g_hash_table_remove (self->ready_seen, ticket->id);
              g_list_store_splice (self->columns[c], i - 1, 1, (gpointer *)&obj, 1);
            }
        }
    }
}

/* ---- Sizes from the allocation ---- */

static void
update_sizes (TrBoardView *self, int width, int height)
{
  g_autofree char *css = NULL;
  int number, title, detail, gap;

  if (height == self->sized_for || height <= 0)
    return;
  self->sized_for = height;
  number = MAX (1, (height * NUMBER_PER_MILLE + 999) / 1000);
  title = MAX (1, height * TITLE_PER_MILLE / 1000);
  detail = MAX (1, height * DETAIL_PER_MILLE / 1000);
  gap = MAX (2, height * 15 / 1000);
  self->number_px = number;
  css = g_strdup_printf ("boardview box.board-columns { border-spacing: %dpx; padding: %dpx; }\n"
                         "boardview .board-title { font-size: %dpx; padding: %dpx %dpx; }\n"
                         "boardview .board-number { font-size: %dpx; }\n"
                         "boardview .board-detail { font-size: %dpx; }\n"
                         "boardview .board-order { min-width: %dpx; padding: %dpx %dpx; }\n"
                         "boardview flowbox.board-orders { padding: %dpx %dpx; }\n",
                         gap, gap, title, gap, 2 * gap, number, detail, number * 16 / 10, gap / 3,
                         gap, 2 * gap, 2 * gap);
  gtk_css_provider_load_from_data (self->sizes, css, -1);
  gtk_flow_box_set_row_spacing (self->preparing_orders, gap);
  gtk_flow_box_set_row_spacing (self->ready_orders, gap);
  gtk_flow_box_set_column_spacing (self->preparing_orders, 2 * gap);
  gtk_flow_box_set_column_spacing (self->ready_orders, 2 * gap);
}

static void
tr_board_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                       int *natural, int *minimum_baseline, int *natural_baseline)
{
  TrBoardView *self = TR_BOARD_VIEW (widget);

  gtk_widget_measure (self->columns_box, orientation, for_size, minimum, natural, NULL, NULL);
}

static void
tr_board_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  TrBoardView *self = TR_BOARD_VIEW (widget);

  /* The new sizes apply from the next frame's styles: a frame at the
   * old size, then the board settles (the height does not change). */
  update_sizes (self, width, height);
  gtk_widget_allocate (self->columns_box, width, height, baseline, NULL);
}

static void
tr_board_view_realize (GtkWidget *widget)
{
  TrBoardView *self = TR_BOARD_VIEW (widget);

  GTK_WIDGET_CLASS (tr_board_view_parent_class)->realize (widget);
  gtk_style_context_add_provider_for_display (gtk_widget_get_display (widget),
                                              GTK_STYLE_PROVIDER (self->sizes),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 1);
}

static void
tr_board_view_unrealize (GtkWidget *widget)
{
  TrBoardView *self = TR_BOARD_VIEW (widget);

  gtk_style_context_remove_provider_for_display (gtk_widget_get_display (widget),
                                                 GTK_STYLE_PROVIDER (self->sizes));
  GTK_WIDGET_CLASS (tr_board_view_parent_class)->unrealize (widget);
}

/* ---- GObject ---- */

static void
tr_board_view_constructed (GObject *object)
{
  TrBoardView *self = (TrBoardView *)object;

  G_OBJECT_CLASS (tr_board_view_parent_class)->constructed (object);

  g_assert (TR_IS_STATION (self->station));
  if (self->clock == NULL)
    self->clock = tr_clock_new ();
  if (self->sound_player == NULL)
    self->sound_player = tr_sound_player_new ();

  gtk_flow_box_bind_model (self->preparing_orders,
                           G_LIST_MODEL (self->columns[TR_ORDER_BOARD_PREPARING]),
                           make_preparing_tile, self, NULL);
  gtk_flow_box_bind_model (self->ready_orders, G_LIST_MODEL (self->columns[TR_ORDER_BOARD_READY]),
                           make_ready_tile, self, NULL);
  load_tickets (self);
  self->changed_handler = g_signal_connect_object (
    self->station, "ticket-changed", G_CALLBACK (on_ticket_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->clock, "tick", G_CALLBACK (on_tick), self, G_CONNECT_SWAPPED);
}

static void
tr_board_view_dispose (GObject *object)
{
  TrBoardView *self = (TrBoardView *)object;

  if (self->station != NULL && self->changed_handler != 0)
    g_clear_signal_handler (&self->changed_handler, self->station);
  if (self->preparing_orders != NULL)
    gtk_flow_box_bind_model (self->preparing_orders, NULL, NULL, NULL, NULL);
  if (self->ready_orders != NULL)
    gtk_flow_box_bind_model (self->ready_orders, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TR_TYPE_BOARD_VIEW);
  self->preparing_orders = NULL;
  self->ready_orders = NULL;
  for (guint c = 0; c < TR_ORDER_BOARD_N_COLUMNS; c++)
    g_clear_object (&self->columns[c]);
  g_clear_object (&self->station);
  g_clear_object (&self->clock);
  g_clear_object (&self->sound_player);
  g_clear_object (&self->sizes);

  G_OBJECT_CLASS (tr_board_view_parent_class)->dispose (object);
}

static void
tr_board_view_finalize (GObject *object)
{
  TrBoardView *self = (TrBoardView *)object;

  g_clear_pointer (&self->shown, g_hash_table_unref);
  g_clear_pointer (&self->ready_seen, g_hash_table_unref);

  G_OBJECT_CLASS (tr_board_view_parent_class)->finalize (object);
}

static void
tr_board_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrBoardView *self = TR_BOARD_VIEW (object);

  switch (prop_id)
    {
      case PROP_STATION:
        g_value_set_object (value, self->station);
        break;
      case PROP_CLOCK:
        g_value_set_object (value, self->clock);
        break;
      case PROP_SOUND_PLAYER:
        g_value_set_object (value, self->sound_player);
        break;
      case PROP_LINGER_SECONDS:
        g_value_set_uint (value, self->linger_seconds);
        break;
      case PROP_RUSH_FIRST:
        g_value_set_boolean (value, self->rush_first);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_board_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrBoardView *self = TR_BOARD_VIEW (object);

  switch (prop_id)
    {
      case PROP_STATION:
        self->station = g_value_dup_object (value);
        break;
      case PROP_CLOCK:
        self->clock = g_value_dup_object (value);
        break;
      case PROP_SOUND_PLAYER:
        self->sound_player = g_value_dup_object (value);
        break;
      case PROP_LINGER_SECONDS:
        tr_board_view_set_linger_seconds (self, g_value_get_uint (value));
        break;
      case PROP_RUSH_FIRST:
        tr_board_view_set_rush_first (self, g_value_get_boolean (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_board_view_class_init (TrBoardViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = tr_board_view_constructed;
  object_class->dispose = tr_board_view_dispose;
  object_class->finalize = tr_board_view_finalize;
  object_class->get_property = tr_board_view_get_property;
  object_class->set_property = tr_board_view_set_property;
  widget_class->measure = tr_board_view_measure;
  widget_class->size_allocate = tr_board_view_size_allocate;
  widget_class->realize = tr_board_view_realize;
  widget_class->unrealize = tr_board_view_unrealize;

  properties[PROP_STATION]
    = g_param_spec_object ("station", NULL, NULL, TR_TYPE_STATION, construct);
  properties[PROP_CLOCK] = g_param_spec_object ("clock", NULL, NULL, TR_TYPE_CLOCK, construct);
  properties[PROP_SOUND_PLAYER]
    = g_param_spec_object ("sound-player", NULL, NULL, TR_TYPE_SOUND_PLAYER, construct);
  properties[PROP_LINGER_SECONDS]
    = g_param_spec_uint ("linger-seconds", NULL, NULL, 0, TR_ORDER_BOARD_MAX_LINGER_MS / 1000,
                         TR_ORDER_BOARD_DEFAULT_LINGER_MS / 1000, rw);
  properties[PROP_RUSH_FIRST] = g_param_spec_boolean ("rush-first", NULL, NULL, TRUE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/ticketrail/Ticketrail/tr-board-view.ui");
  gtk_widget_class_set_css_name (widget_class, "boardview");
  gtk_widget_class_bind_template_child_full (widget_class, "columns", FALSE,
                                             G_STRUCT_OFFSET (TrBoardView, columns_box));
  gtk_widget_class_bind_template_child (widget_class, TrBoardView, preparing_orders);
  gtk_widget_class_bind_template_child (widget_class, TrBoardView, ready_orders);
}

static void
tr_board_view_init (TrBoardView *self)
{
  self->linger_seconds = TR_ORDER_BOARD_DEFAULT_LINGER_MS / 1000;
  self->rush_first = TRUE;
  self->shown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->ready_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint c = 0; c < TR_ORDER_BOARD_N_COLUMNS; c++)
    self->columns[c] = g_list_store_new (TR_TYPE_TICKET_OBJECT);
  self->sizes = gtk_css_provider_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
tr_board_view_new (TrStation *station, TrClock *clock, TrSoundPlayer *sound_player)
{
  g_return_val_if_fail (TR_IS_STATION (station), NULL);
  g_return_val_if_fail (clock == NULL || TR_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (sound_player == NULL || TR_IS_SOUND_PLAYER (sound_player), NULL);

  return g_object_new (TR_TYPE_BOARD_VIEW, "station", station, "clock", clock, "sound-player",
                       sound_player, NULL);
}

GListModel *
tr_board_view_get_column (TrBoardView *self, TrOrderBoardColumn column)
{
  g_return_val_if_fail (TR_IS_BOARD_VIEW (self), NULL);
  g_return_val_if_fail (column < TR_ORDER_BOARD_N_COLUMNS, NULL);
  return G_LIST_MODEL (self->columns[column]);
}

int
tr_board_view_find_ticket (TrBoardView *self, const char *ticket_id)
{
  TrTicketObject *obj;

  g_return_val_if_fail (TR_IS_BOARD_VIEW (self), -1);
  g_return_val_if_fail (ticket_id != NULL, -1);

  obj = g_hash_table_lookup (self->shown, ticket_id);
  for (guint c = 0; obj != NULL && c < TR_ORDER_BOARD_N_COLUMNS; c++)
    if (g_list_store_find (self->columns[c], obj, NULL))
      return (int)c;
  return -1;
}

GtkWidget *
tr_board_view_get_tile (TrBoardView *self, const char *ticket_id)
{
  GtkFlowBox *boxes[] = { self->preparing_orders, self->ready_orders };

  g_return_val_if_fail (TR_IS_BOARD_VIEW (self), NULL);

  for (guint c = 0; c < G_N_ELEMENTS (boxes); c++)
    for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (boxes[c])); child != NULL;
         child = gtk_widget_get_next_sibling (child))
      {
        GtkWidget *tile = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));

        if (tile != NULL
            && g_strcmp0 (g_object_get_data (G_OBJECT (tile), "ticket-id"), ticket_id) == 0)
          return tile;
      }
  return NULL;
}

int
tr_board_view_get_number_px (TrBoardView *self)
{
  g_return_val_if_fail (TR_IS_BOARD_VIEW (self), 0);
  return self->number_px;
}

guint
tr_board_view_get_linger_seconds (TrBoardView *self)
{
  g_return_val_if_fail (TR_IS_BOARD_VIEW (self), 0);
  return self->linger_seconds;
}

void
tr_board_view_set_linger_seconds (TrBoardView *self, guint seconds)
{
  g_return_if_fail (TR_IS_BOARD_VIEW (self));

  seconds = MIN (seconds, TR_ORDER_BOARD_MAX_LINGER_MS / 1000);
  if (self->linger_seconds == seconds)
    return;
  self->linger_seconds = seconds;
  /* A longer linger may bring back a number that had gone. */
  if (self->station != NULL)
    load_tickets (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LINGER_SECONDS]);
}

gboolean
tr_board_view_get_rush_first (TrBoardView *self)
{
  g_return_val_if_fail (TR_IS_BOARD_VIEW (self), TRUE);
  return self->rush_first;
}

void
tr_board_view_set_rush_first (TrBoardView *self, gboolean rush_first)
{
  ColumnOrder order = { TR_ORDER_BOARD_PREPARING, FALSE };

  g_return_if_fail (TR_IS_BOARD_VIEW (self));

  rush_first = !!rush_first;
  if (self->rush_first == rush_first)
    return;
  self->rush_first = rush_first;
  order.rush_first = rush_first;
  g_list_store_sort (self->columns[TR_ORDER_BOARD_PREPARING], compare_in_column, &order);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUSH_FIRST]);
}
