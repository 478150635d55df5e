/* tr-dnssd-host.c: one host found over DNS-SD, and the state enum
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-dnssd"

#include "tr-dnssd-host.h"

#include <string.h>

G_DEFINE_ENUM_TYPE (TrDnssdState, tr_dnssd_state,
                    G_DEFINE_ENUM_VALUE (TR_DNSSD_STATE_STOPPED, "stopped"),
                    G_DEFINE_ENUM_VALUE (TR_DNSSD_STATE_UNSUPPORTED, "unsupported"),
                    G_DEFINE_ENUM_VALUE (TR_DNSSD_STATE_STARTING, "starting"),
                    G_DEFINE_ENUM_VALUE (TR_DNSSD_STATE_NO_DAEMON, "no-daemon"),
                    G_DEFINE_ENUM_VALUE (TR_DNSSD_STATE_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (TR_DNSSD_STATE_FAILED, "failed"))

G_DEFINE_BOXED_TYPE (TrDnssdTxt, tr_dnssd_txt, tr_dnssd_txt_copy, tr_dnssd_txt_free)

const char *
tr_dnssd_state_to_string (TrDnssdState state)
{
  switch (state)
    {
      case TR_DNSSD_STATE_STOPPED:
        return "stopped";
      case TR_DNSSD_STATE_UNSUPPORTED:
        return "unsupported";
      case TR_DNSSD_STATE_STARTING:
        return "starting";
      case TR_DNSSD_STATE_NO_DAEMON:
        return "no-daemon";
      case TR_DNSSD_STATE_RUNNING:
        return "running";
      case TR_DNSSD_STATE_FAILED:
        return "failed";
      default:
        return "unknown";
    }
}

struct _TrDnssdHost
{
  GObject parent_instance;

  char *service_name;
  char *address;
  guint port;
  TrDnssdTxt *txt;
  char *url;
};

G_DEFINE_FINAL_TYPE (TrDnssdHost, tr_dnssd_host, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SERVICE_NAME,
  PROP_ADDRESS,
  PROP_PORT,
  PROP_TXT,
  PROP_NAME,
  PROP_LINEAGE,
  PROP_HOST_ID,
  PROP_GEN,
  PROP_TLS,
  PROP_URL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

TrDnssdHost *
tr_dnssd_host_new (const char *service_name, const char *address, guint port, const TrDnssdTxt *txt)
{
  g_return_val_if_fail (service_name != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (txt != NULL, NULL);

  return g_object_new (TR_TYPE_DNSSD_HOST, "service-name", service_name, "address", address, "port",
                       port, "txt", txt, NULL);
}

const char *
tr_dnssd_host_get_service_name (TrDnssdHost *self)
{
  g_return_val_if_fail (TR_IS_DNSSD_HOST (self), NULL);
  return self->service_name;
}

const char *
tr_dnssd_host_get_address (TrDnssdHost *self)
{
  g_return_val_if_fail (TR_IS_DNSSD_HOST (self), NULL);
  return self->address;
}

guint
tr_dnssd_host_get_port (TrDnssdHost *self)
{
  g_return_val_if_fail (TR_IS_DNSSD_HOST (self), 0);
  return self->port;
}

const TrDnssdTxt *
tr_dnssd_host_get_txt (TrDnssdHost *self)
{
  g_return_val_if_fail (TR_IS_DNSSD_HOST (self), NULL);
  return self->txt;
}

const char *
tr_dnssd_host_get_name (TrDnssdHost *self)
{
  g_return_val_if_fail (TR_IS_DNSSD_HOST (self), NULL);
  return self->txt->name;
}

const char *
tr_dnssd_host_get_url (TrDnssdHost *self)
{
  g_return_val_if_fail (TR_IS_DNSSD_HOST (self), NULL);
  return self->url;
}

static void
tr_dnssd_host_constructed (GObject *object)
{
  TrDnssdHost *self = TR_DNSSD_HOST (object);
  const char *scheme = self->txt != NULL && self->txt->tls ? "https" : "http";

  G_OBJECT_CLASS (tr_dnssd_host_parent_class)->constructed (object);

  if (self->txt == NULL)
    self->txt = tr_dnssd_txt_new (NULL, NULL, 0, FALSE, self->service_name);
  /* An IPv6 literal needs brackets in a URL; a link-local one would also
   * need its zone, which stations cannot type either, so it is left as
   * resolved and the IPv4 address is preferred by the browser. */
  if (self->address != NULL && strchr (self->address, ':') != NULL)
    self->url = g_strdup_printf ("%s://[%s]:%u", scheme, self->address, self->port);
  else
    self->url
      = g_strdup_printf ("%s://%s:%u", scheme, self->address ? self->address : "", self->port);
}

static void
tr_dnssd_host_finalize (GObject *object)
{
  TrDnssdHost *self = TR_DNSSD_HOST (object);

  g_free (self->service_name);
  g_free (self->address);
  tr_dnssd_txt_free (self->txt);
  g_free (self->url);

  G_OBJECT_CLASS (tr_dnssd_host_parent_class)->finalize (object);
}

static void
tr_dnssd_host_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrDnssdHost *self = TR_DNSSD_HOST (object);

  switch (prop_id)
    {
      case PROP_SERVICE_NAME:
        g_value_set_string (value, self->service_name);
        break;
      case PROP_ADDRESS:
        g_value_set_string (value, self->address);
        break;
      case PROP_PORT:
        g_value_set_uint (value, self->port);
        break;
      case PROP_TXT:
        g_value_set_boxed (value, self->txt);
        break;
      case PROP_NAME:
        g_value_set_string (value, self->txt->name);
        break;
      case PROP_LINEAGE:
        g_value_set_string (value, self->txt->lineage);
        break;
      case PROP_HOST_ID:
        g_value_set_string (value, self->txt->host_id);
        break;
      case PROP_GEN:
        g_value_set_int64 (value, self->txt->gen);
        break;
      case PROP_TLS:
        g_value_set_boolean (value, self->txt->tls);
        break;
      case PROP_URL:
        g_value_set_string (value, self->url);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_dnssd_host_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TrDnssdHost *self = TR_DNSSD_HOST (object);

  switch (prop_id)
    {
      case PROP_SERVICE_NAME:
        self->service_name = g_value_dup_string (value);
        break;
      case PROP_ADDRESS:
        self->address = g_value_dup_string (value);
        break;
      case PROP_PORT:
        self->port = g_value_get_uint (value);
        break;
      case PROP_TXT:
        self->txt = g_value_dup_boxed (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_dnssd_host_class_init (TrDnssdHostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  const GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = tr_dnssd_host_constructed;
  object_class->finalize = tr_dnssd_host_finalize;
  object_class->get_property = tr_dnssd_host_get_property;
  object_class->set_property = tr_dnssd_host_set_property;

  properties[PROP_SERVICE_NAME] = g_param_spec_string ("service-name", NULL, NULL, NULL, co);
  properties[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, co);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0, co);
  properties[PROP_TXT] = g_param_spec_boxed ("txt", NULL, NULL, TR_TYPE_DNSSD_TXT, co);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_LINEAGE] = g_param_spec_string ("lineage", NULL, NULL, NULL, ro);
  properties[PROP_HOST_ID] = g_param_spec_string ("host-id", NULL, NULL, NULL, ro);
  properties[PROP_GEN] = g_param_spec_int64 ("gen", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_TLS] = g_param_spec_boolean ("tls", NULL, NULL, FALSE, ro);
  properties[PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tr_dnssd_host_init (TrDnssdHost *self)
{
}
