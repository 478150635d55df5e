/* tr-ctl-private.h: what ticketrail-ctl's files share
 *
 * ticketrail-ctl.c parses the global options and dispatches; each
 * command lives in its own tr-ctl-COMMAND.c and returns its exit status.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "tr-codec.h"
#include "tr-protocol.h"

G_BEGIN_DECLS

#define TR_CTL_DEFAULT_HOST "http://127.0.0.1:8787"
#define TR_CTL_STATION "ticketrail-ctl"

enum
{
  TR_CTL_EXIT_OK = 0,
  TR_CTL_EXIT_FAILED = 1, /* the host is unreachable, answered with an error, or rejected the op */
  TR_CTL_EXIT_USAGE = 2,  /* bad arguments or input file */
};

/* The global options: before the command or after it (--host, --token,
 * --station-id, --timeout). */
typedef struct
{
  char *host;
  char *token;
  char *station_id;
  int timeout;
} TrCtlOptions;

extern TrCtlOptions _tr_ctl_options;

/* ticketrail-ctl.c: the conventions every command follows */
gboolean _tr_ctl_parse_command_with_args (GOptionContext *context, const GOptionEntry *entries,
                                          guint n_args, int *argc, char ***argv, int *exit_code);
gboolean _tr_ctl_parse_command (GOptionContext *context, const GOptionEntry *entries, int *argc,
                                char ***argv, int *exit_code);
int      _tr_ctl_fail          (const char *what, const GError *error);
int      _tr_ctl_usage_error   (const char *command, const char *message);

/* tr-ctl-http.c */
SoupSession *_tr_ctl_session_new (void);
char        *_tr_ctl_make_url    (const char *path);
SoupMessage *_tr_ctl_message_new (const char *method, const char *path, GError **error);
JsonNode    *_tr_ctl_http_json   (SoupSession *session, const char *method, const char *path,
                                  const char *body, GError **error);
JsonNode    *_tr_ctl_get_health  (SoupSession *session, const char **host_id, gint64 *head_seq,
                                  GError **error);
void         _tr_ctl_print_json  (JsonNode *node);

/* tr-ctl-websocket.c */
typedef struct
{
  gboolean done;
  SoupWebsocketConnection *ws;
  GError *error;
  GQueue frames; /* char* texts, oldest first */
  gboolean closed;
  gushort close_code;
} TrCtlWsState;

gboolean _tr_ctl_wait_until     (gboolean *done, int timeout_s);
void     _tr_ctl_drain          (void);
void     _tr_ctl_ws_state_clear (TrCtlWsState *state);
gboolean _tr_ctl_ws_connect     (SoupSession *session, TrCtlWsState *state, GError **error);
TrFrame *_tr_ctl_ws_wait_frame  (TrCtlWsState *state, TrFrameType type, int timeout_s,
                                 GError **error);
gboolean _tr_ctl_ws_send        (TrCtlWsState *state, const char *text, GError **error);

/* One per command, in tr-ctl-COMMAND.c (health is in tr-ctl-test.c). */
int _tr_ctl_cmd_health (int argc, char **argv);
int _tr_ctl_cmd_watch  (int argc, char **argv);
int _tr_ctl_cmd_create (int argc, char **argv);
int _tr_ctl_cmd_bump   (int argc, char **argv);
int _tr_ctl_cmd_test   (int argc, char **argv);
int _tr_ctl_cmd_pair   (int argc, char **argv);
int _tr_ctl_cmd_discover (int argc, char **argv);
int _tr_ctl_cmd_test_screens (int argc, char **argv);
int _tr_ctl_cmd_stats    (int argc, char **argv);
int _tr_ctl_cmd_stations (int argc, char **argv);
int _tr_ctl_cmd_reprint  (int argc, char **argv);

G_END_DECLS
