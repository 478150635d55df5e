/* tr-welcome-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-welcome-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "tr-connection-test.h"
#include "tr-found-hosts.h"
#include "tr-welcome-page.h"

struct _TrWelcomePage
{
  GtkWidget parent_instance;

  GCancellable *cancellable;
  GString *test_text;
  char *test_result;

  AdwStatusPage *status_page;
  GtkRevealer *join_revealer;
  TrFoundHosts *found_hosts;
  AdwEntryRow *address_row;
  GtkLabel *test_label;
};

G_DEFINE_FINAL_TYPE (TrWelcomePage, tr_welcome_page, GTK_TYPE_WIDGET)

static void
app_action (TrWelcomePage *self, const char *name, GVariant *param)
{
  GApplication *app = g_application_get_default ();

  g_assert (app != NULL);
  g_action_group_activate_action (G_ACTION_GROUP (app), name, param);
}

static void
finish (TrWelcomePage *self)
{
  app_action (self, "welcome-done", NULL);
}

static void
action_host (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrWelcomePage *self = TR_WELCOME_PAGE (widget);
  GApplication *app = g_application_get_default ();

  g_action_group_change_action_state (G_ACTION_GROUP (app), "host", g_variant_new_boolean (TRUE));
  finish (self);
}

static void
action_show_join (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrWelcomePage *self = TR_WELCOME_PAGE (widget);

  gtk_widget_set_visible (GTK_WIDGET (self->join_revealer), TRUE);
  gtk_revealer_set_reveal_child (self->join_revealer, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->address_row));
}

static char *
dup_url (TrWelcomePage *self)
{
  g_autofree char *text
    = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->address_row))));

  if (*text == '\0')
    return NULL;
  if (strstr (text, "://") != NULL)
    return g_steal_pointer (&text);
  return g_strconcat ("http://", text, NULL);
}

static void
show_test_text (TrWelcomePage *self, const char *text)
{
  gtk_label_set_text (self->test_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->test_label), text != NULL);
}

static const char *
step_label (TrConnectionStep step)
{
  switch (step)
    {
      case TR_CONNECTION_STEP_TCP:
        return _ ("Network");
      case TR_CONNECTION_STEP_HTTP:
        return _ ("Host answers");
      case TR_CONNECTION_STEP_WEBSOCKET:
        return _ ("Live link");
      case TR_CONNECTION_STEP_ROUND_TRIP:
        return _ ("Round trip");
      case TR_CONNECTION_N_STEPS:
      default:
        return "";
    }
}

static void
on_test_step (const TrConnectionStepResult *result, gpointer user_data)
{
  TrWelcomePage *self = user_data;

  if (self->test_text->len > 0)
    g_string_append (self->test_text, "\n");
  switch (result->status)
    {
      case TR_CONNECTION_STEP_OK:
        /* Translators: a passed connection-test step, e.g. "✓ Network: 2 ms" */
        g_string_append_printf (self->test_text, _ ("✓ %s: %u ms"), step_label (result->step),
                                (guint)(result->elapsed_us / 1000));
        break;
      case TR_CONNECTION_STEP_FAILED:
        /* Translators: a failed connection-test step, e.g. "✗ Network: connection refused" */
        g_string_append_printf (self->test_text, _ ("✗ %s: %s"), step_label (result->step),
                                result->detail ? result->detail : _ ("failed"));
        break;
      case TR_CONNECTION_STEP_SKIPPED:
      case TR_CONNECTION_STEP_PENDING:
      default:
        /* Translators: a connection-test step not run because an earlier one failed */
        g_string_append_printf (self->test_text, _ ("– %s: not tried"), step_label (result->step));
        break;
    }
  show_test_text (self, self->test_text->str);
}

static void
on_test_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (TrWelcomePage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) results = tr_connection_test_run_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (results == NULL)
    g_string_assign (self->test_text, error->message);
  else if (tr_connection_test_passed (results))
    g_string_append_printf (self->test_text, "\n%s", _ ("The host is reachable: press Join"));
  g_free (self->test_result);
  self->test_result = g_strdup (self->test_text->str);
  show_test_text (self, self->test_text->str);
}

static void
action_test (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrWelcomePage *self = TR_WELCOME_PAGE (widget);
  g_autofree char *url = dup_url (self);

  if (url == NULL)
    {
      show_test_text (self, _ ("Enter the address the host shows in its preferences"));
      return;
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_string_truncate (self->test_text, 0);
  show_test_text (self, _ ("Testing…"));
  tr_connection_test_run_async (url, NULL, 0, on_test_step, self, NULL, self->cancellable,
                                on_test_done, g_object_ref (self));
}

static void
action_join (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrWelcomePage *self = TR_WELCOME_PAGE (widget);
  g_autofree char *url = dup_url (self);

  if (url == NULL)
    {
      show_test_text (self, _ ("Enter the address the host shows in its preferences"));
      return;
    }
  app_action (self, "join",
              g_variant_new_string (gtk_editable_get_text (GTK_EDITABLE (self->address_row))));
  finish (self);
}

static void
action_demo (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrWelcomePage *self = TR_WELCOME_PAGE (widget);

  app_action (self, "demo", NULL);
  finish (self);
}

/* A host found on the LAN joins exactly as its typed address would. */
static void
on_found_host_activated (TrWelcomePage *self, TrDnssdHost *host)
{
  gtk_editable_set_text (GTK_EDITABLE (self->address_row), tr_dnssd_host_get_url (host));
  gtk_widget_activate_action (GTK_WIDGET (self), "welcome.join", NULL);
}

static void
on_address_activate (TrWelcomePage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "welcome.join", NULL);
}

static void
tr_welcome_page_dispose (GObject *object)
{
  TrWelcomePage *self = (TrWelcomePage *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), TR_TYPE_WELCOME_PAGE);

  G_OBJECT_CLASS (tr_welcome_page_parent_class)->dispose (object);
}

static void
tr_welcome_page_finalize (GObject *object)
{
  TrWelcomePage *self = (TrWelcomePage *)object;

  g_string_free (self->test_text, TRUE);
  g_free (self->test_result);

  G_OBJECT_CLASS (tr_welcome_page_parent_class)->finalize (object);
}

static void
tr_welcome_page_class_init (TrWelcomePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tr_welcome_page_dispose;
  object_class->finalize = tr_welcome_page_finalize;

  g_type_ensure (TR_TYPE_FOUND_HOSTS);
  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/ticketrail/Ticketrail/tr-welcome-page.ui");
  gtk_widget_class_set_css_name (widget_class, "welcomepage");
  gtk_widget_class_bind_template_child (widget_class, TrWelcomePage, status_page);
  gtk_widget_class_bind_template_child (widget_class, TrWelcomePage, join_revealer);
  gtk_widget_class_bind_template_child (widget_class, TrWelcomePage, found_hosts);
  gtk_widget_class_bind_template_child (widget_class, TrWelcomePage, address_row);
  gtk_widget_class_bind_template_child (widget_class, TrWelcomePage, test_label);

  gtk_widget_class_install_action (widget_class, "welcome.host", NULL, action_host);
  gtk_widget_class_install_action (widget_class, "welcome.show-join", NULL, action_show_join);
  gtk_widget_class_install_action (widget_class, "welcome.test", NULL, action_test);
  gtk_widget_class_install_action (widget_class, "welcome.join", NULL, action_join);
  gtk_widget_class_install_action (widget_class, "welcome.demo", NULL, action_demo);
}

static void
tr_welcome_page_init (TrWelcomePage *self)
{
  self->test_text = g_string_new (NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->address_row, "entry-activated", G_CALLBACK (on_address_activate),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->found_hosts, "host-activated",
                           G_CALLBACK (on_found_host_activated), self, G_CONNECT_SWAPPED);
}

GtkWidget *
tr_welcome_page_new (void)
{
  return g_object_new (TR_TYPE_WELCOME_PAGE, NULL);
}

GtkEditable *
tr_welcome_page_get_address (TrWelcomePage *self)
{
  g_return_val_if_fail (TR_IS_WELCOME_PAGE (self), NULL);
  return GTK_EDITABLE (self->address_row);
}

const char *
tr_welcome_page_get_test_result (TrWelcomePage *self)
{
  g_return_val_if_fail (TR_IS_WELCOME_PAGE (self), NULL);
  return self->test_result;
}
