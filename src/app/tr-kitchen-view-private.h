/* tr-kitchen-view-private.h: what the files of TrKitchenView share
 *
 * The view is split as GNOME Text Editor splits EditorPage:
 *   tr-kitchen-view.c          the widget: properties, models, cards, sounds
 *   tr-kitchen-view-board.c    the board: pages, selection, layout
 *   tr-kitchen-view-actions.c  input: the "kitchen." actions and bump-bar
 *                              keys, routed through tr-kitchen-rules to
 *                              ops submitted through the station
 * What a gesture means is not here: see src/core/tr-kitchen-rules.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-kitchen-rules.h"
#include "tr-recall.h"
#include "tr-kitchen-view.h"

G_BEGIN_DECLS

/* Rows of cards on one page. */
#define TR_KITCHEN_VIEW_PAGE_ROWS 3

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
  /* Derived from the tickets, the same on every screen (tr-recall.h). */
  TrRecallList *recalls;

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

enum
{
  TR_KITCHEN_VIEW_PROP_0,
  TR_KITCHEN_VIEW_PROP_STATION,
  TR_KITCHEN_VIEW_PROP_SETTINGS,
  TR_KITCHEN_VIEW_PROP_CLOCK,
  TR_KITCHEN_VIEW_PROP_SOUND_PLAYER,
  TR_KITCHEN_VIEW_PROP_KITCHEN_STATION,
  TR_KITCHEN_VIEW_PROP_ROLE,
  TR_KITCHEN_VIEW_PROP_ALL_DAY_VISIBLE,
  TR_KITCHEN_VIEW_PROP_N_CARDS,
  TR_KITCHEN_VIEW_PROP_SELECTED_TICKET,
  TR_KITCHEN_VIEW_PROP_PAGE,
  TR_KITCHEN_VIEW_PROP_N_PAGES,
  TR_KITCHEN_VIEW_N_PROPS
};

/* tr-kitchen-view.c */
void            _tr_kitchen_view_notify              (TrKitchenView *self, guint prop_id);
void            _tr_kitchen_view_emit_recalls_changed (TrKitchenView *self);
void            _tr_kitchen_view_show_toast          (TrKitchenView *self, const char *text);
/* This screen, for the rules: its role and station (borrowed). */
TrKitchenScreen _tr_kitchen_view_get_screen          (TrKitchenView *self);
gint64          _tr_kitchen_view_acked_at            (TrKitchenView *self, const char *ticket_id);
TrTicketObject *_tr_kitchen_view_object_at           (TrKitchenView *self, guint position);

/* tr-kitchen-view-board.c */
guint    _tr_kitchen_view_n_pages         (TrKitchenView *self);
void     _tr_kitchen_view_update_pager    (TrKitchenView *self);
void     _tr_kitchen_view_set_page        (TrKitchenView *self, guint page);
gboolean _tr_kitchen_view_find_position   (TrKitchenView *self, const char *ticket_id,
                                           guint *position);
void     _tr_kitchen_view_select_id       (TrKitchenView *self, const char *ticket_id,
                                           gboolean scroll);
void     _tr_kitchen_view_select_position (TrKitchenView *self, guint position);
void     _tr_kitchen_view_move_selection  (TrKitchenView *self, int delta);
guint    _tr_kitchen_view_n_columns       (TrKitchenView *self);
/* After the view is allocated @width: as many columns as fit, and a page
 * of that many rows. */
void     _tr_kitchen_view_lay_out         (TrKitchenView *self, int width);

/* tr-kitchen-view-actions.c */
void _tr_kitchen_view_class_actions_init (GtkWidgetClass *widget_class);
/* Reads the acknowledgements from the settings. */
void _tr_kitchen_view_load_state         (TrKitchenView *self);
/* Builds the recall list from the station's tickets, then follows their
 * changes and the clock. */
void _tr_kitchen_view_follow_recalls     (TrKitchenView *self);
/* tr-kitchen-view-actions.c: Reprint and P only while the station's
 * "can-reprint" (issue 13). */
void _tr_kitchen_view_follow_can_reprint (TrKitchenView *self);
void _tr_kitchen_view_on_op_rejected     (TrKitchenView *self, const char *op_id, const char *code,
                                          const char *message);

G_END_DECLS
