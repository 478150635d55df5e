/* tr-service-chart.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-service-chart"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-service-chart.h"

#define LABEL_GAP 4
#define MIN_HEIGHT 180
#define MIN_BAR_WIDTH 8

struct _TrServiceChart
{
  GtkWidget parent_instance;

  guint tickets[24];
  gint64 avg_ready[24]; /* -1: no ticket of that hour is ready */
  gint64 warn_ms;
  gint64 late_ms;
  char *summary;
};

G_DEFINE_FINAL_TYPE (TrServiceChart, tr_service_chart, GTK_TYPE_WIDGET)

TrLateness
tr_service_chart_get_hour_lateness (TrServiceChart *self, guint hour)
{
  g_return_val_if_fail (TR_IS_SERVICE_CHART (self), TR_LATENESS_ON_TIME);
  g_return_val_if_fail (hour < 24, TR_LATENESS_ON_TIME);

  if (self->avg_ready[hour] < 0 || self->late_ms <= 0)
    return TR_LATENESS_ON_TIME;
  return tr_lateness_of (self->avg_ready[hour], self->warn_ms, self->late_ms);
}

/* The kitchen cards' colours, from style.css; the same values here
 * should the stylesheet not be loaded (a widget on its own in a test). */
static void
lookup_age_color (TrServiceChart *self, TrLateness lateness, GdkRGBA *out)
{
  static const char *const names[] = {
    [TR_LATENESS_ON_TIME] = "age_fresh_color",
    [TR_LATENESS_WARNING] = "age_warn_color",
    [TR_LATENESS_LATE] = "age_late_color",
  };
  static const char *const fallbacks[] = {
    [TR_LATENESS_ON_TIME] = "#26a269",
    [TR_LATENESS_WARNING] = "#f5c211",
    [TR_LATENESS_LATE] = "#c01c28",
  };
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  if (!gtk_style_context_lookup_color (context, names[lateness], out))
    gdk_rgba_parse (out, fallbacks[lateness]);
}

static void
append_text (GtkWidget *widget, GtkSnapshot *snapshot, const char *text, float center_x, float y,
             const GdkRGBA *color)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  int width, height;

  pango_layout_get_pixel_size (layout, &width, &height);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (center_x - width / 2.0f, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
  g_object_unref (layout);
}

static int
text_height (GtkWidget *widget)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, "0");
  int height;

  pango_layout_get_pixel_size (layout, NULL, &height);
  g_object_unref (layout);
  return height;
}

static void
tr_service_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  TrServiceChart *self = TR_SERVICE_CHART (widget);
  float width = gtk_widget_get_width (widget);
  float height = gtk_widget_get_height (widget);
  float line = text_height (widget);
  float slot = width / 24.0f;
  float top = line + LABEL_GAP;           /* the counts above the bars */
  float base = height - line - LABEL_GAP; /* the hours below */
  float bar_width = MAX (slot * 0.7f, 1.0f);
  GdkRGBA fg, faint;
  guint busiest = 0;

  /* GTK 4.8 has no gtk_widget_get_color() yet. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  faint = fg;
  faint.alpha *= 0.25f;

  for (guint h = 0; h < 24; h++)
    busiest = MAX (busiest, self->tickets[h]);

  gtk_snapshot_append_color (snapshot, &faint, &GRAPHENE_RECT_INIT (0, base, width, 1));
  for (guint h = 0; h < 24; h++)
    {
      float x = h * slot + (slot - bar_width) / 2.0f;
      float bar = busiest > 0 ? (base - top) * self->tickets[h] / busiest : 0;

      if (self->tickets[h] > 0)
        {
          g_autofree char *count = g_strdup_printf ("%u", self->tickets[h]);
          GdkRGBA color;

          lookup_age_color (self, tr_service_chart_get_hour_lateness (self, h), &color);
          bar = MAX (bar, 2.0f);
          gtk_snapshot_append_color (snapshot, &color,
                                     &GRAPHENE_RECT_INIT (x, base - bar, bar_width, bar));
          /* Counts only where they fit side by side. */
          if (slot >= 2 * line)
            append_text (widget, snapshot, count, x + bar_width / 2.0f, base - bar - line - 1, &fg);
        }
      /* Every hour when there is room, else every third. */
      if (slot >= 2.5f * line || h % 3 == 0)
        {
          g_autofree char *label = g_strdup_printf ("%u", h);

          append_text (widget, snapshot, label, h * slot + slot / 2.0f, base + LABEL_GAP, &fg);
        }
    }
}

static void
tr_service_chart_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                          int *natural, int *minimum_baseline, int *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = 24 * MIN_BAR_WIDTH;
  else
    *minimum = *natural = MIN_HEIGHT;
}

static gboolean
tr_service_chart_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard,
                                GtkTooltip *tooltip)
{
  TrServiceChart *self = TR_SERVICE_CHART (widget);
  int width = gtk_widget_get_width (widget);
  guint hour;
  g_autofree char *text = NULL;

  if (keyboard || width <= 0 || x < 0 || x >= width)
    return FALSE;
  hour = (guint)(x * 24 / width);
  if (self->avg_ready[hour] >= 0)
    {
      gint64 seconds = (self->avg_ready[hour] + 500) / 1000;
      g_autofree char *time = g_strdup_printf ("%d:%02d", (int)(seconds / 60), (int)(seconds % 60));

      text = g_strdup_printf (
        /* Translators: a bar of the chart, e.g. "13:00: 12 tickets, ready in 6:05 on average" */
        g_dngettext (GETTEXT_PACKAGE, "%02u:00: %u ticket, ready in %s on average",
                     "%02u:00: %u tickets, ready in %s on average", self->tickets[hour]),
        hour, self->tickets[hour], time);
    }
  else
    /* Translators: a bar of the chart, e.g. "13:00: 2 tickets" */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%02u:00: %u ticket",
                                         "%02u:00: %u tickets", self->tickets[hour]),
                            hour, self->tickets[hour]);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
update_summary (TrServiceChart *self)
{
  g_autoptr (GString) text = g_string_new (NULL);
  guint total = 0, busiest = 0, warning = 0, late = 0;

  for (guint h = 0; h < 24; h++)
    {
      total += self->tickets[h];
      if (self->tickets[h] > self->tickets[busiest])
        busiest = h;
      switch (tr_service_chart_get_hour_lateness (self, h))
        {
          case TR_LATENESS_WARNING:
            warning++;
            break;
          case TR_LATENESS_LATE:
            late++;
            break;
          case TR_LATENESS_ON_TIME:
          default:
            break;
        }
    }
  if (total == 0)
    g_string_append (text, _ ("No tickets"));
  else
    {
      g_string_append_printf (
        text, g_dngettext (GETTEXT_PACKAGE, "%u ticket.", "%u tickets.", total), total);
      g_string_append_c (text, ' ');
      g_string_append_printf (text,
                              /* Translators: e.g. "Busiest hour: 13:00, 12 tickets." */
                              g_dngettext (GETTEXT_PACKAGE, "Busiest hour: %02u:00, %u ticket.",
                                           "Busiest hour: %02u:00, %u tickets.",
                                           self->tickets[busiest]),
                              busiest, self->tickets[busiest]);
      g_string_append_c (text, ' ');
      g_string_append_printf (text,
                              /* Translators: hours whose average time to ready passed the
                               * warning time; followed by how many passed the late time */
                              g_dngettext (GETTEXT_PACKAGE, "%u hour past the warning time,",
                                           "%u hours past the warning time,", warning),
                              warning);
      g_string_append_c (text, ' ');
      g_string_append_printf (
        text,
        g_dngettext (GETTEXT_PACKAGE, "%u past the late time.", "%u past the late time.", late),
        late);
    }
  g_free (self->summary);
  self->summary = g_string_free (g_steal_pointer (&text), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  self->summary, -1);
}

void
tr_service_chart_set_report (TrServiceChart *self, const TrServiceReport *report)
{
  g_return_if_fail (TR_IS_SERVICE_CHART (self));

  for (guint h = 0; h < 24; h++)
    {
      self->tickets[h] = report != NULL ? report->by_hour[h].tickets : 0;
      self->avg_ready[h]
        = report != NULL && report->by_hour[h].ready.count > 0 ? report->by_hour[h].ready.avg : -1;
    }
  self->warn_ms = report != NULL ? report->warn_ms : 0;
  self->late_ms = report != NULL ? report->late_ms : 0;
  update_summary (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
tr_service_chart_get_summary (TrServiceChart *self)
{
  g_return_val_if_fail (TR_IS_SERVICE_CHART (self), NULL);

  return self->summary;
}

static void
tr_service_chart_finalize (GObject *object)
{
  TrServiceChart *self = TR_SERVICE_CHART (object);

  g_free (self->summary);

  G_OBJECT_CLASS (tr_service_chart_parent_class)->finalize (object);
}

static void
tr_service_chart_class_init (TrServiceChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = tr_service_chart_finalize;
  widget_class->snapshot = tr_service_chart_snapshot;
  widget_class->measure = tr_service_chart_measure;
  widget_class->query_tooltip = tr_service_chart_query_tooltip;

  gtk_widget_class_set_css_name (widget_class, "servicechart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
tr_service_chart_init (TrServiceChart *self)
{
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Tickets per hour of day"), -1);
  tr_service_chart_set_report (self, NULL);
}

GtkWidget *
tr_service_chart_new (void)
{
  return g_object_new (TR_TYPE_SERVICE_CHART, NULL);
}
