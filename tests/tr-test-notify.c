/* tr-test-notify.c: a notification server on the test's session bus
 * (see the header)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tr-test-notify.h"

#include <string.h>

static const char notifications_xml[]
  = "<node><interface name='org.freedesktop.Notifications'>"
    "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
    "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
    "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/>"
    "<arg type='i' direction='in'/><arg type='u' direction='out'/></method>"
    "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
    "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
    "<method name='GetServerInformation'><arg type='s' direction='out'/>"
    "<arg type='s' direction='out'/><arg type='s' direction='out'/>"
    "<arg type='s' direction='out'/></method>"
    "</interface></node>";

static GPtrArray *notifications;
static gboolean notifier_owned;

static void
on_notifications_call (GDBusConnection *connection, const char *sender, const char *path,
                       const char *interface, const char *method, GVariant *params,
                       GDBusMethodInvocation *invocation, gpointer user_data)
{
  if (g_str_equal (method, "Notify"))
    {
      const char *summary = NULL;

      g_variant_get_child (params, 3, "&s", &summary);
      g_ptr_array_add (notifications, g_strdup (summary));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notifications->len));
    }
  else if (g_str_equal (method, "CloseNotification"))
    {
      g_ptr_array_add (notifications, g_strdup ("closed"));
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method, "GetCapabilities"))
    {
      const char *caps[] = { "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else
    g_dbus_method_invocation_return_value (
      invocation, g_variant_new ("(ssss)", "test", "ticketrail", "1", "1.2"));
}

static void
on_notifier_acquired (GDBusConnection *connection, const char *name, gpointer user_data)
{
  notifier_owned = TRUE;
}

void
tr_test_notify_start (void)
{
  static const GDBusInterfaceVTable vtable = { on_notifications_call, NULL, NULL, { 0 } };
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (GDBusNodeInfo) info = NULL;
  g_autoptr (GError) error = NULL;

  notifications = g_ptr_array_new_with_free_func (g_free);
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  info = g_dbus_node_info_new_for_xml (notifications_xml, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications", info->interfaces[0],
                                     &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE,
                                on_notifier_acquired, NULL, NULL, NULL);
  while (!notifier_owned)
    g_main_context_iteration (NULL, TRUE);
}

void
tr_test_notify_stop (void)
{
  g_clear_pointer (&notifications, g_ptr_array_unref);
}

GPtrArray *
tr_test_notify_get_sent (void)
{
  return notifications;
}

gboolean
tr_test_notify_has (const char *text)
{
  for (guint i = 0; i < notifications->len; i++)
    if (strstr (notifications->pdata[i], text) != NULL)
      return TRUE;
  return FALSE;
}
