/* tr-clock.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-clock"

#include "config.h"

#include "tr-clock.h"
#include "tr-ticket.h"

struct _TrClock
{
  GObject parent_instance;
  gint64 offset;
  guint source;
};

G_DEFINE_FINAL_TYPE (TrClock, tr_clock, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_OFFSET,
  N_PROPS
};

enum
{
  TICK,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
on_tick (gpointer user_data)
{
  TrClock *self = user_data;

  g_signal_emit (self, signals[TICK], 0);
  return G_SOURCE_CONTINUE;
}

static void
tr_clock_dispose (GObject *object)
{
  TrClock *self = TR_CLOCK (object);

  g_clear_handle_id (&self->source, g_source_remove);

  G_OBJECT_CLASS (tr_clock_parent_class)->dispose (object);
}

static void
tr_clock_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrClock *self = TR_CLOCK (object);

  switch (prop_id)
    {
      case PROP_OFFSET:
        g_value_set_int64 (value, self->offset);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_clock_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrClock *self = TR_CLOCK (object);

  switch (prop_id)
    {
      case PROP_OFFSET:
        tr_clock_set_offset (self, g_value_get_int64 (value));
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_clock_class_init (TrClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tr_clock_dispose;
  object_class->get_property = tr_clock_get_property;
  object_class->set_property = tr_clock_set_property;

  properties[PROP_OFFSET]
    = g_param_spec_int64 ("offset", NULL, NULL, G_MININT64 / 2, G_MAXINT64 / 2, 0,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TICK] = g_signal_new ("tick", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                NULL, G_TYPE_NONE, 0);
}

static void
tr_clock_init (TrClock *self)
{
  /* Whole seconds let GLib wake us together with other such timers,
   * which is what keeps an idle kitchen screen cheap. */
  self->source = g_timeout_add_seconds (1, on_tick, self);
  g_source_set_name_by_id (self->source, "[ticketrail] clock tick");
}

TrClock *
tr_clock_new (void)
{
  return g_object_new (TR_TYPE_CLOCK, NULL);
}

gint64
tr_clock_get_now (TrClock *self)
{
  g_return_val_if_fail (TR_IS_CLOCK (self), 0);

  return tr_now_ms () + self->offset;
}

gint64
tr_clock_get_offset (TrClock *self)
{
  g_return_val_if_fail (TR_IS_CLOCK (self), 0);

  return self->offset;
}

void
tr_clock_set_offset (TrClock *self, gint64 offset_ms)
{
  g_return_if_fail (TR_IS_CLOCK (self));

  if (self->offset == offset_ms)
    return;
  self->offset = offset_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFSET]);
  /* Everyone shows the new time at once rather than within a second. */
  g_signal_emit (self, signals[TICK], 0);
}
