/* tr-error.h: the one error domain of the core library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TR_ERROR (tr_error_quark ())

/* Each code has a stable wire name (tr_error_code_to_string) that the
 * protocol sends in acks and error frames, so never renumber or rename. */
typedef enum
{
  TR_ERROR_INVALID,            /* "invalid": a field is missing, of the wrong type or out of bounds */
  TR_ERROR_ILLEGAL_TRANSITION, /* "illegal_transition": the state machine forbids it */
  TR_ERROR_UNKNOWN_TICKET,     /* "unknown_ticket" */
  TR_ERROR_UNKNOWN_ITEM,       /* "unknown_item" */
  TR_ERROR_DUPLICATE_ID,       /* "duplicate_id": a ticket or item id already exists */
  TR_ERROR_TICKET_CLOSED,      /* "ticket_closed": amending a served or cancelled ticket */
  TR_ERROR_STORE_CORRUPT,      /* "store_corrupt": the database file is not usable */
  TR_ERROR_STORE_TOO_NEW,      /* "store_too_new": written by a newer schema */
  TR_ERROR_STORE,              /* "store": any other SQLite failure */
  TR_ERROR_PROTOCOL,           /* "protocol": a frame that breaks the protocol */
  TR_ERROR_LIMIT,              /* "limit": a size or rate limit was exceeded */
  TR_ERROR_UNAUTHORIZED,       /* "unauthorized" */
  TR_ERROR_FORBIDDEN, /* "forbidden": a read-only token (a board) tried to change something */
} TrErrorCode;

GQuark       tr_error_quark              (void);
const char  *tr_error_code_to_string     (TrErrorCode code);
gboolean     tr_error_code_from_string   (const char  *name,
                                          TrErrorCode *out_code);

/* Why a change was refused, in the user's language, as the end of a
 * sentence: "someone else changed it first". For a refusal the host sent
 * back in an ack, whose message is in the host's language and meant for
 * logs: a station's UI builds its text from the code (the wire name)
 * with this instead. @code may be any value. */
const char  *tr_error_code_to_reason     (TrErrorCode  code);

/* Why an op was refused, as every screen words it after a colon ("#12
 * not changed: someone else changed it first"): the kitchen screen, the
 * front of house and the order dialog all take their words from here.
 * @code is the refusal's wire name (tr_error_code_to_string() of a
 * TR_ERROR, or an ack's code), NULL for an error of another domain.
 * @message is words a person can read in this station's language, or
 * NULL: pass it for a refusal made on this station (tr_station_submit's
 * GError), never for one the host sent back, whose message is in the
 * host's language and meant for its log.
 *
 * What a cook can act on (someone else changed it first, it no longer
 * exists, it is already closed) is said in the shared words; anything
 * else in @message when there is one, else in the words for @code. */
const char  *tr_error_describe_refusal   (const char  *code,
                                          const char  *message);
/* The same for @error, a refusal made on this station (e.g. by
 * tr_station_submit()): its code if it is a TR_ERROR, and its message. */
const char  *tr_error_describe_local_refusal (const GError *error);

G_END_DECLS
