/* tr-printer.h: a kitchen printer as the host knows it, and how it is doing
 *
 * A printer is a name, a raw ESC/POS address ("tcp://HOST:9100"), a
 * paper width in columns, the routes (kitchen stations such as "grill")
 * it serves, and when it prints (its mode). The host keeps them in its
 * database (tr-store-printers.c) and drives them off its loop
 * (tr-print-spool.c); what a slip says is tr-slip.c's.
 *
 * Pure: parsing, validating and the JSON of GET /api/v1/printers,
 * unit-tested in tests/test-printer.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define TR_PRINTER_DEFAULT_PORT 9100
#define TR_PRINTER_DEFAULT_COLUMNS 42
#define TR_PRINTER_DEFAULT_GRACE_SECONDS 20
/* A name is shown on the host monitor and typed on a command line. */
#define TR_PRINTER_MAX_NAME 64

typedef enum
{
  /* Every new ticket for its routes, and every amendment as a change slip. */
  TR_PRINTER_MODE_ALWAYS,
  /* Only while no live screen shows a route it serves, for longer than
   * the grace time: the tickets that arrive meanwhile, and after. */
  TR_PRINTER_MODE_FALLBACK,
  /* A short chit when a ticket turns ready (expo, runners). */
  TR_PRINTER_MODE_READY_CHIT,
} TrPrinterMode;

/* "always", "fallback", "ready-chit" */
const char *tr_printer_mode_to_string (TrPrinterMode mode);
gboolean    tr_printer_mode_from_string (const char *text, TrPrinterMode *out, GError **error);

typedef enum
{
  TR_PRINTER_STATE_UNKNOWN,   /* not reached yet since the host started */
  TR_PRINTER_STATE_READY,
  TR_PRINTER_STATE_OFFLINE,   /* no TCP connection, no answer, or it says offline */
  TR_PRINTER_STATE_PAPER_OUT,
  TR_PRINTER_STATE_COVER_OPEN,
} TrPrinterState;

/* "unknown", "ready", "offline", "paper-out", "cover-open" */
const char *tr_printer_state_to_string (TrPrinterState state);
TrPrinterState tr_printer_state_from_string (const char *text);
/* TRUE for the states that raise an alert, as a dropped screen does:
 * offline, paper out, cover open. */
gboolean    tr_printer_state_is_alert (TrPrinterState state);

#define TR_TYPE_PRINTER (tr_printer_get_type ())

typedef struct
{
  char          *name;
  char          *address;       /* "tcp://HOST:PORT" */
  guint          columns;       /* 32, 42 or 48 */
  GStrv          routes;        /* never NULL; empty: every route */
  TrPrinterMode  mode;
  guint          grace_seconds; /* fallback only; default 20 */
} TrPrinter;

GType      tr_printer_get_type (void) G_GNUC_CONST;
/* Columns 42, no routes, always, grace 20 s. */
TrPrinter *tr_printer_new      (const char *name, const char *address);
TrPrinter *tr_printer_copy     (const TrPrinter *printer);
void       tr_printer_free     (TrPrinter *printer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrPrinter, tr_printer_free)

/* A clear TR_ERROR_INVALID for a bad name, address, width, route, mode
 * or grace time; TRUE when the host can drive it. */
gboolean   tr_printer_validate (const TrPrinter *printer, GError **error);

/* "tcp://HOST:PORT" (PORT optional: 9100; an IPv6 host in brackets). */
gboolean   tr_printer_parse_address (const char  *address,
                                     char       **out_host,
                                     guint16     *out_port,
                                     GError     **error);

/* TRUE when @printer prints for @route (NULL: items routed nowhere). */
gboolean   tr_printer_serves_route (const TrPrinter *printer, const char *route);

/* What the host monitor shows of one printer. */
#define TR_TYPE_PRINTER_INFO (tr_printer_info_get_type ())

typedef struct
{
  TrPrinter      *printer;       /* its configuration, owned */
  TrPrinterState  state;
  gint64          state_since;   /* ms; 0 unknown */
  char           *last_error;    /* NULL when the last attempt worked */
  guint           pending_slips; /* waiting to print */
  gint64          last_printed_at; /* ms; 0 never */
} TrPrinterInfo;

GType          tr_printer_info_get_type (void) G_GNUC_CONST;
TrPrinterInfo *tr_printer_info_new  (const TrPrinter *printer);
TrPrinterInfo *tr_printer_info_copy (const TrPrinterInfo *info);
void           tr_printer_info_free (TrPrinterInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrPrinterInfo, tr_printer_info_free)

/* JSON of one printer ({"name","address","columns","routes","mode",
 * "grace_seconds"}), and of GET /api/v1/printers
 * ({"printers":[{…, "state","state_since","last_error","pending_slips",
 * "last_printed_at"}]}). */
JsonNode  *tr_printer_to_json      (const TrPrinter *printer);
TrPrinter *tr_printer_from_json    (JsonNode *node, GError **error);
char      *tr_printer_infos_to_json (GPtrArray *infos);
/* TrPrinterInfo*, or NULL with TR_ERROR_PROTOCOL. */
GPtrArray *tr_printer_infos_parse  (const char *json, gssize length, GError **error);

/* The end of a reprint, for the host's, the station's and the client's
 * _finish(): the number of printers that took it, from a GTask that
 * returned it with g_task_return_int(). */
gboolean   tr_printer_reprint_task_finish (GTask *task, guint *out_n_printers, GError **error);

G_END_DECLS
