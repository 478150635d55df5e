/* tr-dnssd-advertiser.c: publishing the host's service through Avahi
 *
 * The life of the entry group follows the Avahi examples: publish when
 * the client is RUNNING, reset when the daemon re-registers its host
 * name, pick Avahi's alternative name on a service-name collision (two
 * hosts called "Ticketrail on till", or a promoted standby coming up
 * while the old name lingers in caches), and publish again when a new
 * daemon appears.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-dnssd"

#include "tr-dnssd-advertiser.h"

#ifdef TR_HAVE_DNSSD
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>

#include "tr-dnssd-client-private.h"
#endif

struct _TrDnssdAdvertiser
{
  GObject parent_instance;

  guint port;
  TrDnssdTxt *txt;
  char *service_name;
  TrDnssdState state;
  gboolean said_no_daemon;

#ifdef TR_HAVE_DNSSD
  TrDnssdClient *client;
  AvahiEntryGroup *group;
#endif
};

G_DEFINE_FINAL_TYPE (TrDnssdAdvertiser, tr_dnssd_advertiser, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PORT,
  PROP_TXT,
  PROP_SERVICE_NAME,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_state (TrDnssdAdvertiser *self, TrDnssdState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_service_name (TrDnssdAdvertiser *self, const char *name)
{
  if (g_strcmp0 (self->service_name, name) == 0)
    return;
  g_free (self->service_name);
  self->service_name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVICE_NAME]);
}

#ifdef TR_HAVE_DNSSD

static AvahiStringList *
txt_to_avahi (TrDnssdAdvertiser *self)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) strings = tr_dnssd_txt_encode (self->txt, &error);
  AvahiStringList *list = NULL;

  if (strings == NULL)
    {
      g_message ("not advertising a TXT record stations would refuse: %s", error->message);
      return NULL;
    }
  /* avahi_string_list_add() prepends: add from the end so v=1 is first. */
  for (guint i = g_strv_length (strings); i > 0; i--)
    list = avahi_string_list_add (list, strings[i - 1]);
  return list;
}

static void
publish (TrDnssdAdvertiser *self, AvahiClient *avahi);

static void
group_cb (AvahiEntryGroup *group, AvahiEntryGroupState state, void *user_data)
{
  TrDnssdAdvertiser *self = user_data;

  switch (state)
    {
      case AVAHI_ENTRY_GROUP_ESTABLISHED:
        g_debug ("advertising \"%s\" on port %u", self->service_name, self->port);
        set_state (self, TR_DNSSD_STATE_RUNNING);
        break;
      case AVAHI_ENTRY_GROUP_COLLISION:
        {
          /* Another service on the LAN has this name: take the next one
           * ("Name #2") rather than go unheard. */
          char *alternative = avahi_alternative_service_name (self->service_name);

          g_message ("the name \"%s\" is taken on this network; advertising as \"%s\"",
                     self->service_name, alternative);
          set_service_name (self, alternative);
          avahi_free (alternative);
          publish (self, avahi_entry_group_get_client (group));
        }
        break;
      case AVAHI_ENTRY_GROUP_FAILURE:
        g_message ("Avahi refused the advertisement: %s",
                   avahi_strerror (avahi_client_errno (avahi_entry_group_get_client (group))));
        set_state (self, TR_DNSSD_STATE_FAILED);
        break;
      case AVAHI_ENTRY_GROUP_UNCOMMITED:
      case AVAHI_ENTRY_GROUP_REGISTERING:
      default:
        break;
    }
}

static void
publish (TrDnssdAdvertiser *self, AvahiClient *avahi)
{
  AvahiStringList *txt = NULL;
  int rc;

  if (self->group == NULL)
    self->group = avahi_entry_group_new (avahi, group_cb, self);
  if (self->group == NULL)
    {
      g_message ("Avahi: cannot make an entry group: %s",
                 avahi_strerror (avahi_client_errno (avahi)));
      set_state (self, TR_DNSSD_STATE_FAILED);
      return;
    }
  avahi_entry_group_reset (self->group);
  if ((txt = txt_to_avahi (self)) == NULL)
    {
      set_state (self, TR_DNSSD_STATE_FAILED);
      return;
    }
  set_state (self, TR_DNSSD_STATE_STARTING);
  for (;;)
    {
      rc = avahi_entry_group_add_service_strlst (self->group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
                                                 0, self->service_name, TR_DNSSD_SERVICE_TYPE, NULL,
                                                 NULL, (uint16_t)self->port, txt);
      if (rc != AVAHI_ERR_COLLISION)
        break;
      /* A local service already has the name: the same alternative rule. */
      {
        char *alternative = avahi_alternative_service_name (self->service_name);

        set_service_name (self, alternative);
        avahi_free (alternative);
      }
    }
  avahi_string_list_free (txt);
  if (rc >= 0)
    rc = avahi_entry_group_commit (self->group);
  if (rc < 0)
    {
      g_message ("Avahi refused the advertisement: %s", avahi_strerror (rc));
      set_state (self, TR_DNSSD_STATE_FAILED);
    }
}

static void
client_cb (AvahiClient *avahi, TrDnssdState state, gpointer user_data)
{
  TrDnssdAdvertiser *self = user_data;

  switch (state)
    {
      case TR_DNSSD_STATE_RUNNING:
        self->said_no_daemon = FALSE;
        if (self->group == NULL
            || avahi_entry_group_get_state (self->group) == AVAHI_ENTRY_GROUP_UNCOMMITED)
          publish (self, avahi);
        break;
      case TR_DNSSD_STATE_STARTING:
        /* The daemon is renaming its host: what we published names the
         * old host name, so withdraw it and publish again on RUNNING. */
        if (self->group != NULL)
          avahi_entry_group_reset (self->group);
        set_state (self, TR_DNSSD_STATE_STARTING);
        break;
      case TR_DNSSD_STATE_NO_DAEMON:
        /* The group dies with its client. */
        self->group = NULL;
        if (!self->said_no_daemon)
          g_message ("Avahi is not running: stations will not find this host by themselves "
                     "(they can still join it by its address); advertising as soon as it starts");
        self->said_no_daemon = TRUE;
        set_state (self, TR_DNSSD_STATE_NO_DAEMON);
        break;
      case TR_DNSSD_STATE_FAILED:
        self->group = NULL;
        g_message ("Avahi failed: this host is not advertised");
        set_state (self, TR_DNSSD_STATE_FAILED);
        break;
      default:
        break;
    }
}

#endif /* TR_HAVE_DNSSD */

TrDnssdAdvertiser *
tr_dnssd_advertiser_new (guint port, const TrDnssdTxt *txt)
{
  g_return_val_if_fail (port > 0 && port <= G_MAXUINT16, NULL);
  g_return_val_if_fail (txt != NULL, NULL);

  return g_object_new (TR_TYPE_DNSSD_ADVERTISER, "port", port, "txt", txt, NULL);
}

void
tr_dnssd_advertiser_start (TrDnssdAdvertiser *self)
{
  g_return_if_fail (TR_IS_DNSSD_ADVERTISER (self));

  if (self->service_name == NULL)
    set_service_name (self, self->txt->name != NULL && *self->txt->name != '\0' ? self->txt->name
                                                                                : "Ticketrail");
#ifdef TR_HAVE_DNSSD
  if (self->client != NULL)
    return;
  set_state (self, TR_DNSSD_STATE_STARTING);
  self->client = _tr_dnssd_client_new (client_cb, self);
#else
  set_state (self, TR_DNSSD_STATE_UNSUPPORTED);
#endif
}

void
tr_dnssd_advertiser_stop (TrDnssdAdvertiser *self)
{
  g_return_if_fail (TR_IS_DNSSD_ADVERTISER (self));

#ifdef TR_HAVE_DNSSD
  /* Freeing the client frees the group: the daemon sends the goodbye
   * packets, so browsers see the host go at once, not at the TTL. */
  self->group = NULL;
  g_clear_pointer (&self->client, _tr_dnssd_client_free);
#endif
  set_state (self, TR_DNSSD_STATE_STOPPED);
}

TrDnssdState
tr_dnssd_advertiser_get_state (TrDnssdAdvertiser *self)
{
  g_return_val_if_fail (TR_IS_DNSSD_ADVERTISER (self), TR_DNSSD_STATE_STOPPED);
  return self->state;
}

const char *
tr_dnssd_advertiser_get_service_name (TrDnssdAdvertiser *self)
{
  g_return_val_if_fail (TR_IS_DNSSD_ADVERTISER (self), NULL);
  return self->service_name;
}

const TrDnssdTxt *
tr_dnssd_advertiser_get_txt (TrDnssdAdvertiser *self)
{
  g_return_val_if_fail (TR_IS_DNSSD_ADVERTISER (self), NULL);
  return self->txt;
}

void
tr_dnssd_advertiser_set_txt (TrDnssdAdvertiser *self, const TrDnssdTxt *txt)
{
  g_return_if_fail (TR_IS_DNSSD_ADVERTISER (self));
  g_return_if_fail (txt != NULL);

  tr_dnssd_txt_free (self->txt);
  self->txt = tr_dnssd_txt_copy (txt);
#ifdef TR_HAVE_DNSSD
  if (self->group != NULL && !avahi_entry_group_is_empty (self->group))
    {
      AvahiStringList *list = txt_to_avahi (self);

      if (list != NULL)
        {
          int rc = avahi_entry_group_update_service_txt_strlst (
            self->group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, 0, self->service_name,
            TR_DNSSD_SERVICE_TYPE, NULL, list);

          if (rc < 0)
            g_message ("Avahi refused the new TXT record: %s", avahi_strerror (rc));
          avahi_string_list_free (list);
        }
    }
#endif
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TXT]);
}

static void
tr_dnssd_advertiser_dispose (GObject *object)
{
#ifdef TR_HAVE_DNSSD
  TrDnssdAdvertiser *self = TR_DNSSD_ADVERTISER (object);

  self->group = NULL;
  g_clear_pointer (&self->client, _tr_dnssd_client_free);
#endif

  G_OBJECT_CLASS (tr_dnssd_advertiser_parent_class)->dispose (object);
}

static void
tr_dnssd_advertiser_finalize (GObject *object)
{
  TrDnssdAdvertiser *self = TR_DNSSD_ADVERTISER (object);

  tr_dnssd_txt_free (self->txt);
  g_free (self->service_name);

  G_OBJECT_CLASS (tr_dnssd_advertiser_parent_class)->finalize (object);
}

static void
tr_dnssd_advertiser_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrDnssdAdvertiser *self = TR_DNSSD_ADVERTISER (object);

  switch (prop_id)
    {
      case PROP_PORT:
        g_value_set_uint (value, self->port);
        break;
      case PROP_TXT:
        g_value_set_boxed (value, self->txt);
        break;
      case PROP_SERVICE_NAME:
        g_value_set_string (value, self->service_name);
        break;
      case PROP_STATE:
        g_value_set_enum (value, self->state);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_dnssd_advertiser_set_property (GObject *object, guint prop_id, const GValue *value,
                                  GParamSpec *pspec)
{
  TrDnssdAdvertiser *self = TR_DNSSD_ADVERTISER (object);

  switch (prop_id)
    {
      case PROP_PORT:
        self->port = g_value_get_uint (value);
        break;
      case PROP_TXT:
        if (self->txt == NULL)
          self->txt = g_value_dup_boxed (value);
        else if (g_value_get_boxed (value) != NULL)
          tr_dnssd_advertiser_set_txt (self, g_value_get_boxed (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_dnssd_advertiser_class_init (TrDnssdAdvertiserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tr_dnssd_advertiser_dispose;
  object_class->finalize = tr_dnssd_advertiser_finalize;
  object_class->get_property = tr_dnssd_advertiser_get_property;
  object_class->set_property = tr_dnssd_advertiser_set_property;

  properties[PROP_PORT]
    = g_param_spec_uint ("port", NULL, NULL, 1, G_MAXUINT16, 1,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TXT]
    = g_param_spec_boxed ("txt", NULL, NULL, TR_TYPE_DNSSD_TXT,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVICE_NAME] = g_param_spec_string ("service-name", NULL, NULL, NULL,
                                                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE]
    = g_param_spec_enum ("state", NULL, NULL, TR_TYPE_DNSSD_STATE, TR_DNSSD_STATE_STOPPED,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tr_dnssd_advertiser_init (TrDnssdAdvertiser *self)
{
}
