/* tr-screen-check.h: which screens show a test ticket (issue 14, "test every screen")
 *
 * The host sends one test ticket and watches the stations' reports of
 * the last seq they applied. These are the rules of that check, kept
 * apart from the host so that they can be tested without a network:
 * who counts, when a screen counts as showing the ticket, and when the
 * check is over.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  TR_SCREEN_WAITING,   /* connected, has not reported the ticket yet */
  TR_SCREEN_SHOWN,     /* reported a last seq at or past the ticket's event */
  TR_SCREEN_NO_ANSWER, /* was connected, the check ended before it reported */
  TR_SCREEN_OFFLINE,   /* paired, never connected while the check ran */
} TrScreenState;

const char   *tr_screen_state_to_string   (TrScreenState state); /* "waiting" "shown" "no_answer" "offline" */
TrScreenState tr_screen_state_from_string (const char *text); /* OFFLINE when unknown */
/* Translated, for people: "shows it", "did not show it in time", "offline". */
const char   *tr_screen_state_label       (TrScreenState state);

typedef struct
{
  char          *station_id;
  char          *name;
  char          *role;
  TrScreenState  state;
  gint64         shown_after_ms; /* SHOWN: from the ticket's commit to the report; else -1 */
} TrScreenResult;

typedef struct _TrScreenCheck TrScreenCheck;

/* @seq is the test ticket's event; @committed_at (ms) when it was
 * committed, the zero of shown_after_ms. */
TrScreenCheck        *tr_screen_check_new       (const char *ticket_id,
                                                 int         number,
                                                 gint64      seq,
                                                 gint64      committed_at);
void                  tr_screen_check_free      (TrScreenCheck *check);

/* One station as the host's roster has it at @now. */
void                  tr_screen_check_observe   (TrScreenCheck *check,
                                                 const char    *station_id,
                                                 const char    *name,
                                                 const char    *role,
                                                 gboolean       connected,
                                                 gint64         last_seq,
                                                 gint64         now);

/* Over when no connected screen is still waiting (at least one roster
 * has been observed), or when @timeout_ms have passed since the commit. */
gboolean              tr_screen_check_is_done   (const TrScreenCheck *check,
                                                 gint64               now,
                                                 gint64               timeout_ms);

/* Ends the check: who is still waiting did not answer in time. */
void                  tr_screen_check_finish    (TrScreenCheck *check,
                                                 gint64         now);

const char           *tr_screen_check_get_ticket_id (const TrScreenCheck *check);
int                   tr_screen_check_get_number    (const TrScreenCheck *check);
gint64                tr_screen_check_get_seq       (const TrScreenCheck *check);
/* In roster order: by name, then station id. */
guint                 tr_screen_check_get_n_results (const TrScreenCheck *check);
const TrScreenResult *tr_screen_check_get_result    (const TrScreenCheck *check,
                                                     guint                index);
guint                 tr_screen_check_count         (const TrScreenCheck *check,
                                                     TrScreenState        state);

/* {"ticket_id", "number", "seq", "elapsed_ms", "shown", "no_answer",
 *  "offline", "stations": [{"station", "name", "role", "state",
 *  "shown_after_ms"}]} (docs/protocol.md) */
JsonNode             *tr_screen_check_to_json   (const TrScreenCheck *check);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrScreenCheck, tr_screen_check_free)

G_END_DECLS
