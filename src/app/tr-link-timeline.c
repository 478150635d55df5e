/* tr-link-timeline.c: a station's connection history as a strip, drawn
 * with GtkSnapshot: what the host monitor shows for the last 24 hours
 *
 * What the history says (segments, drops, outages) is
 * tr-link-history.c's; this widget only draws it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-link-timeline"

#include "config.h"

#include "tr-link-timeline.h"

#define STRIP_WIDTH 168
#define STRIP_HEIGHT 10

struct _TrLinkTimeline
{
  GtkWidget parent_instance;

  gint64 from;
  gint64 to;
  GArray *segments; /* TrLinkSegment */
};

G_DEFINE_FINAL_TYPE (TrLinkTimeline, tr_link_timeline, GTK_TYPE_WIDGET)

/* The theme's named colour (libadwaita defines success_color and
 * error_color, light and dark), or @fallback. */
static GdkRGBA
theme_color (GtkWidget *widget, const char *name, const char *fallback)
{
  GdkRGBA color;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, &color))
    gdk_rgba_parse (&color, fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS
  return color;
}

static void
tr_link_timeline_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  TrLinkTimeline *self = TR_LINK_TIMELINE (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  float y = (height - STRIP_HEIGHT) / 2.0f;
  GdkRGBA up = theme_color (widget, "success_color", "#26a269");
  GdkRGBA down = theme_color (widget, "error_color", "#c01c28");
  GdkRGBA unknown;
  double span = (double)(self->to - self->from);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &unknown);
  G_GNUC_END_IGNORE_DEPRECATIONS
  unknown.alpha = 0.15f;
  gtk_snapshot_append_color (snapshot, &unknown, &GRAPHENE_RECT_INIT (0, y, width, STRIP_HEIGHT));
  if (span <= 0)
    return;
  for (guint i = 0; i < self->segments->len; i++)
    {
      const TrLinkSegment *segment = &g_array_index (self->segments, TrLinkSegment, i);
      float x0 = (float)((segment->start - self->from) / span * width);
      float x1 = (float)((segment->end - self->from) / span * width);

      /* A drop of a few seconds in 24 hours is still a mark one can see. */
      if (x1 - x0 < 1.0f)
        x1 = x0 + 1.0f;
      gtk_snapshot_append_color (snapshot, segment->up ? &up : &down,
                                 &GRAPHENE_RECT_INIT (x0, y, x1 - x0, STRIP_HEIGHT));
    }
}

static void
tr_link_timeline_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                          int *minimum, int *natural, int *minimum_baseline,
                          int *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = STRIP_WIDTH / 2;
      *natural = STRIP_WIDTH;
    }
  else
    *minimum = *natural = STRIP_HEIGHT;
}

static void
tr_link_timeline_finalize (GObject *object)
{
  TrLinkTimeline *self = TR_LINK_TIMELINE (object);

  g_array_unref (self->segments);
  G_OBJECT_CLASS (tr_link_timeline_parent_class)->finalize (object);
}

static void
tr_link_timeline_class_init (TrLinkTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = tr_link_timeline_finalize;
  widget_class->snapshot = tr_link_timeline_snapshot;
  widget_class->measure = tr_link_timeline_measure;
  gtk_widget_class_set_css_name (widget_class, "linktimeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
tr_link_timeline_init (TrLinkTimeline *self)
{
  self->segments = g_array_new (FALSE, FALSE, sizeof (TrLinkSegment));
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
}

GtkWidget *
tr_link_timeline_new (void)
{
  return g_object_new (TR_TYPE_LINK_TIMELINE, NULL);
}

void
tr_link_timeline_set_summary (TrLinkTimeline *self, const TrLinkSummary *summary)
{
  g_return_if_fail (TR_IS_LINK_TIMELINE (self));

  g_array_set_size (self->segments, 0);
  self->from = summary != NULL ? summary->from : 0;
  self->to = summary != NULL ? summary->to : 0;
  if (summary != NULL)
    g_array_append_vals (self->segments, summary->segments->data, summary->segments->len);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
