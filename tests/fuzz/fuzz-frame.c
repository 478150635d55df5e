/* fuzz-frame.c: libFuzzer target for the host's frame path
 *
 * What the host does with one text frame from a station: parse it
 * (tr_frame_parse(), frame and JSON size limits included), and for an
 * op/ops frame apply the ops to a real store in one transaction, as
 * the host's group commit does. A frame that parses must build back to
 * a frame that parses to the same thing; the store must stay
 * consistent (its head never moves back, and a replayed batch is all
 * duplicates).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fuzz-frame"

#include <glib/gstdio.h>
#include <stdint.h>
#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-fuzz.h"
#include "tr-protocol.h"
#include "tr-store.h"

static TrStore *store;
static char *store_dir;

static void
remove_store (void)
{
  g_autofree char *path = NULL;

  g_clear_object (&store);
  if (store_dir == NULL)
    return;
  for (guint i = 0; i < 3; i++)
    {
      static const char *const names[] = { "fuzz.db", "fuzz.db-wal", "fuzz.db-shm" };

      path = g_build_filename (store_dir, names[i], NULL);
      g_unlink (path);
      g_clear_pointer (&path, g_free);
    }
  g_rmdir (store_dir);
  g_clear_pointer (&store_dir, g_free);
}

static TrStore *
get_store (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  if (store != NULL)
    return store;
  /* /dev/shm when there is one: the fuzzer commits once per input. */
  store_dir = g_dir_make_tmp ("ticketrail-fuzz-XXXXXX", &error);
  if (store_dir == NULL)
    g_error ("%s", error->message);
  path = g_build_filename (store_dir, "fuzz.db", NULL);
  if (!(store = tr_store_open (path, TR_STORE_DURABILITY_NORMAL, &error)))
    g_error ("%s", error->message);
  atexit (remove_store);
  return store;
}

static void
check_rebuilt (const TrFrame *frame)
{
  g_autofree char *text = NULL;
  g_autoptr (TrFrame) again = NULL;
  g_autoptr (GError) error = NULL;

  switch (frame->type)
    {
      case TR_FRAME_HELLO:
        if (frame->protocol != TR_PROTOCOL_VERSION)
          return;
        text = tr_frame_build_hello (frame->station_id, frame->station_name, frame->station_role,
                                     frame->token, frame->host_id, frame->since);
        break;
      case TR_FRAME_OPS:
        text = tr_frame_build_ops (frame->ops);
        break;
      case TR_FRAME_OP:
        text = tr_frame_build_op (g_ptr_array_index (frame->ops, 0));
        break;
      case TR_FRAME_PING:
        text
          = tr_frame_build_ping_full (frame->t, frame->last_seq, frame->queued, frame->latency_ms);
        break;
      case TR_FRAME_ERROR:
        text = tr_frame_build_error (frame->error_code, frame->error_message);
        break;
      case TR_FRAME_STANDBY_INVITE:
        text = tr_frame_build_standby_invite (frame->invite_code);
        break;
      case TR_FRAME_STANDBY_ACK:
        text = tr_frame_build_standby_ack (frame->seq, frame->standby_port);
        break;
      case TR_FRAME_WELCOME:
      case TR_FRAME_EVENTS:
      case TR_FRAME_SNAPSHOT:
      case TR_FRAME_ACK:
      case TR_FRAME_PONG:
      case TR_N_FRAME_TYPES:
      default:
        return;
    }

  if (!(again = tr_frame_parse (text, strlen (text), &error)))
    g_error ("a rebuilt %s frame does not parse: %s\n%s", tr_frame_type_to_string (frame->type),
             error->message, text);
  if (again->type != frame->type || g_strcmp0 (again->station_id, frame->station_id) != 0
      || g_strcmp0 (again->token, frame->token) != 0 || again->since != frame->since
      || g_strcmp0 (again->invite_code, frame->invite_code) != 0 || again->seq != frame->seq
      || again->standby_port != frame->standby_port
      || (frame->ops != NULL && again->ops->len != frame->ops->len))
    g_error ("a rebuilt frame parses differently:\n%s", text);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (TrFrame) frame = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) outcomes = NULL;
  g_autoptr (GPtrArray) replay = NULL;
  TrStore *s;
  gint64 head_before;

  tr_fuzz_init ();

  /* The host refuses larger frames before parsing them. */
  if (size > TR_MAX_FRAME_BYTES)
    return 0;
  if (!(frame = tr_frame_parse ((const char *)data, size, &error)))
    {
      if (error == NULL || error->domain != TR_ERROR
          || (error->code != TR_ERROR_PROTOCOL && error->code != TR_ERROR_INVALID))
        g_error ("tr_frame_parse() failed without a protocol or invalid error");
      return 0;
    }
  check_rebuilt (frame);

  if (frame->type != TR_FRAME_OP && frame->type != TR_FRAME_OPS)
    return 0;

  s = get_store ();
  head_before = tr_store_get_head_seq (s);
  if (!(outcomes = tr_store_apply_ops (s, frame->ops, &error)))
    g_error ("the store failed on a parsed batch: %s", error->message);
  if (outcomes->len != frame->ops->len || tr_store_get_head_seq (s) < head_before)
    g_error ("the store's outcomes do not match the batch");

  /* A resent batch changes nothing: every op is a duplicate. */
  head_before = tr_store_get_head_seq (s);
  if (!(replay = tr_store_apply_ops (s, frame->ops, &error)))
    g_error ("the store failed on a replayed batch: %s", error->message);
  for (guint i = 0; i < replay->len; i++)
    {
      TrOutcome *outcome = g_ptr_array_index (replay, i);

      if (outcome->result != TR_APPLY_DUPLICATE)
        g_error ("op %u of a replayed batch was not a duplicate", i);
    }
  if (tr_store_get_head_seq (s) != head_before)
    g_error ("a replayed batch moved the head");
  return 0;
}
