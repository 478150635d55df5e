/* tr-foh-view-private.h: what the board's files share
 *
 * tr-foh-view.c follows the station and owns the widget's life;
 * tr-foh-view-rows.c draws columns and rows; tr-foh-view-actions.c
 * holds the foh.* actions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tr-foh-view.h"

G_BEGIN_DECLS

struct _TrFohView
{
  GtkWidget parent_instance;

  TrStation *station;
  TrClock *clock;
  TrSoundPlayer *sound_player;
  gulong changed_handler;
  /* Rush orders ahead of the others (the "rush-first" setting). */
  gboolean rush_first;

  /* TrTicketObject per section, in display order. */
  GListStore *sections[TR_FOH_N_SECTIONS];
  /* What the lists show: the sections as they were when the board was
   * last on screen (see sync_shown()). */
  GListStore *shown[TR_FOH_N_SECTIONS];
  gboolean shown_stale;
  GtkListBox *lists[TR_FOH_N_SECTIONS];
  GtkLabel *counts[TR_FOH_N_SECTIONS];
  /* ticket id → section + 1, for the ones listed. */
  GHashTable *listed;
  char *last_toast;
  GtkWindow *dialog;
  /* Which notification services are on the bus (a bit each): sending
   * a notification where nothing listens only fills the log. */
  guint notify_watches[3];
  guint notifiers;

  AdwToastOverlay *toast_overlay;
  GtkWidget *columns;
  GtkLabel *summary_label;
};

/* tr-foh-view.c */
gint64    _tr_foh_view_now_ms        (TrFohView *self);
void      _tr_foh_view_show_toast    (TrFohView *self, const char *text);
/* The current ticket, or NULL after a toast saying why. */
TrTicket *_tr_foh_view_lookup_ticket (TrFohView *self, const char *ticket_id);

/* tr-foh-view-rows.c */
void      _tr_foh_view_build_column       (TrFohView *self, TrFohSection section);
void      _tr_foh_view_update_time_label  (TrFohView *self, GtkLabel *label);
/* Shows or hides the Reprint button of every row (issue 13). */
void      _tr_foh_view_show_reprint       (TrFohView *self, gboolean can_reprint);

/* tr-foh-view-actions.c */
void      _tr_foh_view_class_actions_init (GtkWidgetClass *widget_class);
/* foh.reprint and the rows' Reprint only while the station's
 * "can-reprint" (issue 13). */
void      _tr_foh_view_follow_can_reprint (TrFohView *self);
/* Closes the create/amend or cancel dialog, if one is open. */
void      _tr_foh_view_close_dialog       (TrFohView *self);

G_END_DECLS
