/* tr-service-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-service-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-error.h"
#include "tr-service-chart.h"
#include "tr-service-window.h"

/* A change asks again after this, and changes meanwhile ride along: a
 * rush of bumps costs one report every couple of seconds, not one each. */
#define REFRESH_DELAY_MS 1500
/* Preferences' defaults (the schema's), for a window without settings. */
#define DEFAULT_WARN_MINUTES 8
#define DEFAULT_LATE_MINUTES 15

typedef enum
{
  FIGURE_TICKETS,
  FIGURE_LATE,
  FIGURE_WARNING,
  FIGURE_READY_AVG,
  FIGURE_READY_P90,
  FIGURE_START_AVG,
  FIGURE_WAIT_AVG,
  FIGURE_CANCELLED,
  N_FIGURES
} Figure;

static const struct
{
  const char *key; /* tr_service_window_dup_figures()' */
  const char *caption;
} figures[N_FIGURES] = {
  [FIGURE_TICKETS] = { "tickets", N_ ("Tickets") },
  [FIGURE_LATE] = { "late", N_ ("Late") },
  [FIGURE_WARNING] = { "warning", N_ ("Past the warning time") },
  [FIGURE_READY_AVG] = { "ready-avg", N_ ("Average time to ready") },
  /* Translators: nine tickets in ten were ready within this time */
  [FIGURE_READY_P90] = { "ready-p90", N_ ("90% ready within") },
  [FIGURE_START_AVG] = { "start-avg", N_ ("Average time to start") },
  [FIGURE_WAIT_AVG] = { "wait-avg", N_ ("Average time at the pass") },
  [FIGURE_CANCELLED] = { "cancelled", N_ ("Cancelled") },
};

struct _TrServiceWindow
{
  AdwWindow parent_instance;

  TrStation *station;
  GSettings *settings;
  TrClock *clock;
  TrServiceRange range;

  TrServiceReport *report; /* the figures shown, or NULL */
  TrServiceRange report_range;
  gint64 report_time; /* the clock's ms when it came */
  guint n_updates;
  char *error;

  GCancellable *cancellable; /* the request in flight, or NULL */
  guint refresh_id;          /* a change waits for REFRESH_DELAY_MS */
  gboolean again;            /* a change came while a request was in flight */

  GtkRevealer *error_revealer;
  GtkLabel *error_label;
  GtkStack *stack;
  AdwStatusPage *empty_page;
  AdwStatusPage *error_page;
  GtkLabel *range_label;
  GtkFlowBox *figures_box;
  TrServiceChart *chart;
  GtkLabel *warn_legend;
  GtkLabel *late_legend;
  GtkGrid *routes_grid;
  GtkLabel *figure_values[N_FIGURES];
};

G_DEFINE_FINAL_TYPE (TrServiceWindow, tr_service_window, ADW_TYPE_WINDOW)

enum
{
  PROP_0,
  PROP_STATION,
  PROP_SETTINGS,
  PROP_CLOCK,
  PROP_RANGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
start_request (TrServiceWindow *self);

/* ---- Formatting ---- */

/* m:ss, or h:mm:ss from an hour; a dash for a time no ticket has. */
static char *
format_duration (const TrDurationSummary *summary, gint64 ms)
{
  gint64 seconds = (ms + 500) / 1000;

  if (summary->count == 0)
    /* Translators: a time no ticket in the range has yet */
    return g_strdup (C_ ("no figure", "—"));
  if (seconds >= 3600)
    return g_strdup_printf ("%d:%02d:%02d", (int)(seconds / 3600), (int)(seconds / 60 % 60),
                            (int)(seconds % 60));
  return g_strdup_printf ("%d:%02d", (int)(seconds / 60), (int)(seconds % 60));
}

static guint
warn_minutes (TrServiceWindow *self)
{
  return self->settings != NULL ? g_settings_get_uint (self->settings, "warn-minutes")
                                : DEFAULT_WARN_MINUTES;
}

static guint
late_minutes (TrServiceWindow *self)
{
  return self->settings != NULL ? g_settings_get_uint (self->settings, "late-minutes")
                                : DEFAULT_LATE_MINUTES;
}

static GDateTime *
dup_now (TrServiceWindow *self)
{
  return g_date_time_new_from_unix_local (tr_clock_get_now (self->clock) / 1000);
}

static char *
describe_range (TrServiceWindow *self, const TrServiceReport *report)
{
  g_autoptr (GDateTime) from = g_date_time_new_from_unix_local (report->from / 1000);
  g_autoptr (GDateTime) last = g_date_time_new_from_unix_local ((report->to - 1) / 1000);
  g_autoptr (GDateTime) updated = g_date_time_new_from_unix_local (self->report_time / 1000);
  /* Translators: a date, as g_date_time_format() takes it, e.g. "Tuesday 10 March" */
  g_autofree char *first_day = g_date_time_format (from, _ ("%A %-d %B"));
  g_autofree char *last_day = g_date_time_format (last, _ ("%A %-d %B"));
  g_autofree char *time = g_date_time_format (updated, "%H:%M:%S");
  g_autofree char *days = NULL;

  if (g_date_time_get_day_of_year (from) == g_date_time_get_day_of_year (last)
      && g_date_time_get_year (from) == g_date_time_get_year (last))
    days = g_strdup (first_day);
  else
    /* Translators: a range of days, e.g. "Wednesday 4 March to Tuesday 10 March" */
    days = g_strdup_printf (_ ("%s to %s"), first_day, last_day);
  /* Translators: e.g. "Tuesday 10 March · updated at 14:02:31" */
  return g_strdup_printf (_ ("%s · updated at %s"), days, time);
}

/* ---- Showing a report ---- */

static void
set_figure (TrServiceWindow *self, Figure figure, char *text)
{
  gtk_label_set_text (self->figure_values[figure], text);
  g_free (text);
}

static GtkWidget *
grid_label (const char *text, float xalign, gboolean heading)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  if (heading)
    gtk_widget_add_css_class (label, "dim-label");
  return label;
}

static void
show_routes (TrServiceWindow *self, const TrServiceReport *report)
{
  const char *const headings[]
    = { C_ ("column", "Route"), C_ ("column", "Items"), C_ ("column", "Average to ready"),
        C_ ("column", "90% within"), C_ ("column", "Late") };
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->routes_grid))) != NULL)
    gtk_grid_remove (self->routes_grid, child);
  for (guint c = 0; c < G_N_ELEMENTS (headings); c++)
    gtk_grid_attach (self->routes_grid, grid_label (headings[c], c == 0 ? 0 : 1, TRUE), c, 0, 1, 1);
  for (guint i = 0; i < report->by_station->len; i++)
    {
      const TrServiceGroup *group = g_ptr_array_index (report->by_station, i);
      g_autofree char *items = g_strdup_printf ("%u", group->items);
      g_autofree char *avg = format_duration (&group->ready, group->ready.avg);
      g_autofree char *p90 = format_duration (&group->ready, group->ready.p90);
      g_autofree char *late = g_strdup_printf ("%u", group->late);
      /* Translators: the route of items sent to no kitchen station */
      const char *cells[]
        = { group->key != NULL ? group->key : _ ("No route"), items, avg, p90, late };

      for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
        {
          GtkWidget *label = grid_label (cells[c], c == 0 ? 0 : 1, FALSE);

          gtk_widget_set_hexpand (label, c == 0);
          gtk_grid_attach (self->routes_grid, label, c, i + 1, 1, 1);
        }
    }
  gtk_widget_set_visible (GTK_WIDGET (self->routes_grid), report->by_station->len > 0);
}

static void
show_report (TrServiceWindow *self)
{
  const TrServiceReport *report = self->report;
  g_autofree char *range = describe_range (self, report);
  g_autofree char *warn = NULL;
  g_autofree char *late = NULL;

  if (report->tickets + report->cancelled == 0)
    {
      static const char *const descriptions[] = {
        [TR_SERVICE_RANGE_TODAY] = N_ ("No ticket has been ordered today yet"),
        [TR_SERVICE_RANGE_YESTERDAY] = N_ ("No ticket was ordered yesterday"),
        [TR_SERVICE_RANGE_LAST_7_DAYS] = N_ ("No ticket was ordered in the last 7 days"),
      };

      adw_status_page_set_description (self->empty_page, _ (descriptions[self->report_range]));
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  gtk_label_set_text (self->range_label, range);
  set_figure (self, FIGURE_TICKETS, g_strdup_printf ("%u", report->tickets));
  set_figure (self, FIGURE_LATE, g_strdup_printf ("%u", report->late));
  set_figure (self, FIGURE_WARNING, g_strdup_printf ("%u", report->warning));
  set_figure (self, FIGURE_READY_AVG, format_duration (&report->ready, report->ready.avg));
  set_figure (self, FIGURE_READY_P90, format_duration (&report->ready, report->ready.p90));
  set_figure (self, FIGURE_START_AVG, format_duration (&report->start, report->start.avg));
  set_figure (self, FIGURE_WAIT_AVG, format_duration (&report->wait, report->wait.avg));
  set_figure (self, FIGURE_CANCELLED, g_strdup_printf ("%u", report->cancelled));

  tr_service_chart_set_report (self->chart, report);
  /* Translators: the chart's legend: an hour whose average time to
   * ready reached the warning time, e.g. "8 min or more" */
  warn = g_strdup_printf (_ ("%d min or more"), (int)(report->warn_ms / 60000));
  /* Translators: the chart's legend: an hour whose average time to
   * ready reached the late time, e.g. "Late: 15 min or more" */
  late = g_strdup_printf (_ ("Late: %d min or more"), (int)(report->late_ms / 60000));
  gtk_label_set_text (self->warn_legend, warn);
  gtk_label_set_text (self->late_legend, late);
  show_routes (self, report);
  gtk_stack_set_visible_child_name (self->stack, "report");
}

/* What went wrong, in words a manager can act on. */
static char *
describe_error (const GError *error)
{
  if (error->domain == TR_ERROR)
    switch (error->code)
      {
        case TR_ERROR_UNAUTHORIZED:
          return g_strdup (
            _ ("This station is not paired with the host, or its pairing was revoked"));
        case TR_ERROR_FORBIDDEN:
          return g_strdup (_ ("The host does not let this station read the figures"));
        case TR_ERROR_LIMIT:
          return g_strdup (_ ("The host is busy with other reports; try again in a moment"));
        case TR_ERROR_STORE:
        case TR_ERROR_STORE_CORRUPT:
          /* Translators: %s is the database's own message, in English */
          return g_strdup_printf (_ ("The host could not read its database: %s"), error->message);
        default:
          /* Translators: %s is the host's own message, in English */
          return g_strdup_printf (_ ("The host's answer was not understood: %s"), error->message);
      }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_strdup (_ ("The host did not answer"));
  if (error->domain == G_IO_ERROR || error->domain == G_RESOLVER_ERROR
      || error->domain == G_TLS_ERROR)
    /* Translators: %s is the system's own message, e.g. "Connection refused" */
    return g_strdup_printf (_ ("The host cannot be reached: %s"), error->message);
  return g_strdup (error->message);
}

static void
show_error (TrServiceWindow *self, const GError *error)
{
  g_autofree char *reason = describe_error (error);

  g_free (self->error);
  /* The last figures stay, said to be from before. */
  if (self->report != NULL && self->report_range == self->range)
    {
      g_autoptr (GDateTime) updated = g_date_time_new_from_unix_local (self->report_time / 1000);
      g_autofree char *time = g_date_time_format (updated, "%H:%M:%S");

      /* Translators: %s is why, then the time of the figures shown, e.g.
       * "Could not update: The host did not answer. The figures are from 14:02:31." */
      self->error
        = g_strdup_printf (_ ("Could not update: %s. The figures are from %s."), reason, time);
      gtk_label_set_text (self->error_label, self->error);
      gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
    }
  else
    {
      self->error = g_steal_pointer (&reason);
      adw_status_page_set_description (self->error_page, self->error);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
}

/* ---- Asking ---- */

static void
on_report (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  TrServiceReport *report = tr_station_get_stats_finish (TR_STATION (source), result, &error);
  TrServiceWindow *self;

  /* Cancelled: the window may be gone, and nothing is wanted. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = TR_SERVICE_WINDOW (user_data);
  g_clear_object (&self->cancellable);

  if (report == NULL)
    show_error (self, error);
  else
    {
      g_clear_pointer (&self->report, tr_service_report_free);
      self->report = report;
      self->report_range = self->range;
      self->report_time = tr_clock_get_now (self->clock);
      self->n_updates++;
      g_clear_pointer (&self->error, g_free);
      gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
      show_report (self);
    }
  if (self->again)
    {
      self->again = FALSE;
      start_request (self);
    }
}

static void
cancel_request (TrServiceWindow *self)
{
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  self->again = FALSE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

static void
start_request (TrServiceWindow *self)
{
  g_autoptr (GDateTime) now = dup_now (self);
  gint64 from = 0, to = 0;

  cancel_request (self);
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  if (!tr_service_range_get_bounds (self->range, now, &from, &to))
    g_return_if_reached ();
  /* New figures for another range: not the old ones meanwhile. */
  if (self->report == NULL || self->report_range != self->range)
    {
      gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
      gtk_stack_set_visible_child_name (self->stack, "loading");
    }
  self->cancellable = g_cancellable_new ();
  tr_station_get_stats_async (self->station, from, to, warn_minutes (self), late_minutes (self),
                              self->cancellable, on_report, self);
}

static gboolean
refresh_cb (gpointer user_data)
{
  TrServiceWindow *self = user_data;

  self->refresh_id = 0;
  if (self->cancellable != NULL)
    self->again = TRUE;
  else
    start_request (self);
  return G_SOURCE_REMOVE;
}

/* A ticket changed (or a threshold): ask again soon, while shown. */
static void
schedule_refresh (TrServiceWindow *self)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || self->refresh_id != 0)
    return;
  self->refresh_id = g_timeout_add (REFRESH_DELAY_MS, refresh_cb, self);
}

/* Past midnight "today" is another day, and "yesterday" too: asked
 * again once the range the figures are for is no longer the range. */
static void
on_tick (TrServiceWindow *self)
{
  g_autoptr (GDateTime) now = NULL;
  gint64 from = 0, to = 0;

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || self->cancellable != NULL
      || self->report == NULL || self->report_range != self->range)
    return;
  now = dup_now (self);
  if (tr_service_range_get_bounds (self->range, now, &from, &to) && from != self->report->from)
    start_request (self);
}

/* A link back (a client's host came back, a new token): the figures
 * may be there again. */
static void
on_link_state_changed (TrServiceWindow *self)
{
  if (self->error != NULL)
    schedule_refresh (self);
}

static void
action_refresh (GtkWidget *widget, const char *action_name, GVariant *param)
{
  start_request (TR_SERVICE_WINDOW (widget));
}

static void
set_range (TrServiceWindow *self, TrServiceRange range)
{
  if (range == self->range)
    return;
  self->range = range;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RANGE]);
  start_request (self);
}

/* ---- Accessors (tests) ---- */

const char *
tr_service_window_get_page (TrServiceWindow *self)
{
  g_return_val_if_fail (TR_IS_SERVICE_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

const TrServiceReport *
tr_service_window_get_report (TrServiceWindow *self)
{
  g_return_val_if_fail (TR_IS_SERVICE_WINDOW (self), NULL);

  return self->report;
}

guint
tr_service_window_get_n_updates (TrServiceWindow *self)
{
  g_return_val_if_fail (TR_IS_SERVICE_WINDOW (self), 0);

  return self->n_updates;
}

const char *
tr_service_window_get_error (TrServiceWindow *self)
{
  g_return_val_if_fail (TR_IS_SERVICE_WINDOW (self), NULL);

  return self->error;
}

GStrv
tr_service_window_dup_figures (TrServiceWindow *self)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (TR_IS_SERVICE_WINDOW (self), NULL);

  for (guint i = 0; i < N_FIGURES; i++)
    {
      g_autofree char *line
        = g_strdup_printf ("%s\t%s", figures[i].key, gtk_label_get_text (self->figure_values[i]));

      g_strv_builder_add (builder, line);
    }
  return g_strv_builder_end (builder);
}

GStrv
tr_service_window_dup_routes (TrServiceWindow *self)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (TR_IS_SERVICE_WINDOW (self), NULL);

  for (int row = 1; gtk_grid_get_child_at (self->routes_grid, 0, row) != NULL; row++)
    {
      g_autoptr (GPtrArray) cells = g_ptr_array_new ();
      g_autofree char *line = NULL;

      for (int c = 0; c < 5; c++)
        g_ptr_array_add (cells, (gpointer)gtk_label_get_text (
                                  GTK_LABEL (gtk_grid_get_child_at (self->routes_grid, c, row))));
      g_ptr_array_add (cells, NULL);
      line = g_strjoinv ("\t", (char **)cells->pdata);
      g_strv_builder_add (builder, line);
    }
  return g_strv_builder_end (builder);
}

/* ---- GtkWidget ---- */

static void
tr_service_window_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (tr_service_window_parent_class)->map (widget);

  /* Whatever changed while hidden. */
  start_request (TR_SERVICE_WINDOW (widget));
}

static void
tr_service_window_unmap (GtkWidget *widget)
{
  cancel_request (TR_SERVICE_WINDOW (widget));

  GTK_WIDGET_CLASS (tr_service_window_parent_class)->unmap (widget);
}

/* ---- GObject ---- */

static void
build_figures (TrServiceWindow *self)
{
  for (guint i = 0; i < N_FIGURES; i++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *value = gtk_label_new (C_ ("no figure", "—"));
      GtkWidget *caption = gtk_label_new (_ (figures[i].caption));

      gtk_widget_add_css_class (box, "service-figure");
      gtk_widget_add_css_class (value, "figure-value");
      gtk_widget_add_css_class (caption, "dim-label");
      gtk_label_set_xalign (GTK_LABEL (value), 0);
      gtk_label_set_xalign (GTK_LABEL (caption), 0);
      gtk_label_set_wrap (GTK_LABEL (caption), TRUE);
      /* Narrow enough for four a line in a window of 900 or so. */
      gtk_label_set_max_width_chars (GTK_LABEL (caption), 14);
      gtk_box_append (GTK_BOX (box), value);
      gtk_box_append (GTK_BOX (box), caption);
      /* A screen reader reads "Tickets: 42", not two loose labels. */
      gtk_accessible_update_relation (GTK_ACCESSIBLE (value), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                      caption, NULL, -1);
      gtk_flow_box_append (self->figures_box, box);
      self->figure_values[i] = GTK_LABEL (value);
    }
}

static void
tr_service_window_constructed (GObject *object)
{
  TrServiceWindow *self = (TrServiceWindow *)object;

  G_OBJECT_CLASS (tr_service_window_parent_class)->constructed (object);

  g_assert (TR_IS_STATION (self->station));
  if (self->clock == NULL)
    self->clock = tr_clock_new ();
  build_figures (self);
  g_signal_connect_object (self->station, "ticket-changed", G_CALLBACK (schedule_refresh), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->station, "notify::link-state", G_CALLBACK (on_link_state_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->clock, "tick", G_CALLBACK (on_tick), self, G_CONNECT_SWAPPED);
  if (self->settings != NULL)
    {
      g_signal_connect_object (self->settings, "changed::warn-minutes",
                               G_CALLBACK (schedule_refresh), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->settings, "changed::late-minutes",
                               G_CALLBACK (schedule_refresh), self, G_CONNECT_SWAPPED);
    }
}

static void
tr_service_window_dispose (GObject *object)
{
  TrServiceWindow *self = (TrServiceWindow *)object;

  cancel_request (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), TR_TYPE_SERVICE_WINDOW);
  g_clear_object (&self->station);
  g_clear_object (&self->settings);
  g_clear_object (&self->clock);
  g_clear_pointer (&self->report, tr_service_report_free);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (tr_service_window_parent_class)->dispose (object);
}

static void
tr_service_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrServiceWindow *self = TR_SERVICE_WINDOW (object);

  switch (prop_id)
    {
      case PROP_STATION:
        g_value_set_object (value, self->station);
        break;
      case PROP_SETTINGS:
        g_value_set_object (value, self->settings);
        break;
      case PROP_CLOCK:
        g_value_set_object (value, self->clock);
        break;
      case PROP_RANGE:
        g_value_set_string (value, tr_service_range_to_string (self->range));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_service_window_set_property (GObject *object, guint prop_id, const GValue *value,
                                GParamSpec *pspec)
{
  TrServiceWindow *self = TR_SERVICE_WINDOW (object);
  TrServiceRange range;

  switch (prop_id)
    {
      case PROP_STATION:
        self->station = g_value_dup_object (value);
        break;
      case PROP_SETTINGS:
        self->settings = g_value_dup_object (value);
        break;
      case PROP_CLOCK:
        self->clock = g_value_dup_object (value);
        break;
      case PROP_RANGE:
        if (tr_service_range_from_string (g_value_get_string (value), &range))
          set_range (self, range);
        else
          g_warning ("Unknown range “%s”", g_value_get_string (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_service_window_class_init (TrServiceWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = tr_service_window_constructed;
  object_class->dispose = tr_service_window_dispose;
  object_class->get_property = tr_service_window_get_property;
  object_class->set_property = tr_service_window_set_property;
  widget_class->map = tr_service_window_map;
  widget_class->unmap = tr_service_window_unmap;

  properties[PROP_STATION]
    = g_param_spec_object ("station", NULL, NULL, TR_TYPE_STATION, construct);
  properties[PROP_SETTINGS]
    = g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS, construct);
  properties[PROP_CLOCK] = g_param_spec_object ("clock", NULL, NULL, TR_TYPE_CLOCK, construct);
  properties[PROP_RANGE]
    = g_param_spec_string ("range", NULL, NULL, "today",
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TR_TYPE_SERVICE_CHART);
  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/ticketrail/Ticketrail/tr-service-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TrServiceWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, TrServiceWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, TrServiceWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, TrServiceWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, TrServiceWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, TrServiceWindow, range_label);
  gtk_widget_class_bind_template_child (widget_class, TrServiceWindow, figures_box);
  gtk_widget_class_bind_template_child (widget_class, TrServiceWindow, chart);
  gtk_widget_class_bind_template_child (widget_class, TrServiceWindow, warn_legend);
  gtk_widget_class_bind_template_child (widget_class, TrServiceWindow, late_legend);
  gtk_widget_class_bind_template_child (widget_class, TrServiceWindow, routes_grid);

  gtk_widget_class_install_property_action (widget_class, "service.range", "range");
  gtk_widget_class_install_action (widget_class, "service.refresh", NULL, action_refresh);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "service.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "service.refresh",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tr_service_window_init (TrServiceWindow *self)
{
  self->range = TR_SERVICE_RANGE_TODAY;
  gtk_widget_init_template (GTK_WIDGET (self));
}

TrServiceWindow *
tr_service_window_new (GtkWindow *parent, TrStation *station, GSettings *settings, TrClock *clock)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TR_IS_STATION (station), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (TR_TYPE_SERVICE_WINDOW, "transient-for", parent, "station", station,
                       "settings", settings, "clock", clock, NULL);
}
