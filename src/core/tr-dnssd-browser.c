/* tr-dnssd-browser.c: browsing and resolving _ticketrail._tcp
 *
 * Avahi reports one browse item per (interface, protocol) a service is
 * seen on; people want one row per host. So a service (instance name +
 * domain) gathers its instances, each with a resolver kept alive for the
 * service's life (the daemon tells it when the TXT record changes, as at
 * a promotion), and the list shows the service's best resolved instance:
 * IPv4 first, since a link-local IPv6 address is useless in a URL
 * without its zone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-dnssd"

#include "tr-dnssd-browser.h"

#ifdef TR_HAVE_DNSSD
#include <avahi-client/lookup.h>
#include <avahi-common/address.h>
#include <avahi-common/error.h>

#include "tr-dnssd-client-private.h"
#endif

struct _TrDnssdBrowser
{
  GObject parent_instance;

  TrDnssdState state;
  GPtrArray *hosts; /* TrDnssdHost*: the list */

#ifdef TR_HAVE_DNSSD
  TrDnssdClient *client;
  AvahiServiceBrowser *browser;
  GHashTable *services; /* "name\x1fdomain" → Service* */
#endif
};

static void
tr_dnssd_browser_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TrDnssdBrowser, tr_dnssd_browser, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      tr_dnssd_browser_list_model_init))

enum
{
  PROP_0,
  PROP_STATE,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_state (TrDnssdBrowser *self, TrDnssdState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
remove_all (TrDnssdBrowser *self)
{
  guint n = self->hosts->len;

  if (n == 0)
    return;
  g_ptr_array_set_size (self->hosts, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

#ifdef TR_HAVE_DNSSD

typedef struct Service Service;

typedef struct
{
  Service *service;
  AvahiIfIndex interface;
  AvahiProtocol protocol;
  AvahiServiceResolver *resolver;
  TrDnssdHost *resolved; /* NULL until resolved with a valid TXT */
} Instance;

struct Service
{
  TrDnssdBrowser *browser;
  char *name;
  char *type;
  char *domain;
  GPtrArray *instances; /* Instance* */
  TrDnssdHost *shown;   /* the item in the list, or NULL */
};

static void
instance_free (gpointer data)
{
  Instance *instance = data;

  if (instance->resolver != NULL)
    avahi_service_resolver_free (instance->resolver);
  g_clear_object (&instance->resolved);
  g_free (instance);
}

static void
service_free (gpointer data)
{
  Service *service = data;

  g_ptr_array_unref (service->instances);
  g_clear_object (&service->shown);
  g_free (service->name);
  g_free (service->type);
  g_free (service->domain);
  g_free (service);
}

static char *
service_key (const char *name, const char *domain)
{
  return g_strconcat (name, "\x1f", domain, NULL);
}

static gboolean
same_host (TrDnssdHost *a, TrDnssdHost *b)
{
  const TrDnssdTxt *ta, *tb;

  if (a == NULL || b == NULL)
    return a == b;
  ta = tr_dnssd_host_get_txt (a);
  tb = tr_dnssd_host_get_txt (b);
  return g_str_equal (tr_dnssd_host_get_url (a), tr_dnssd_host_get_url (b))
         && g_strcmp0 (ta->lineage, tb->lineage) == 0 && g_strcmp0 (ta->host_id, tb->host_id) == 0
         && ta->gen == tb->gen && ta->tls == tb->tls && g_strcmp0 (ta->name, tb->name) == 0;
}

/* Puts the service's best resolved instance in the list, in place of
 * what it showed before. */
static void
service_update (Service *service)
{
  TrDnssdBrowser *self = service->browser;
  TrDnssdHost *best = NULL;
  guint position;
  gboolean listed;

  for (guint i = 0; i < service->instances->len; i++)
    {
      Instance *instance = g_ptr_array_index (service->instances, i);

      if (instance->resolved == NULL)
        continue;
      if (best == NULL
          || (instance->protocol == AVAHI_PROTO_INET
              && g_strstr_len (tr_dnssd_host_get_address (best), -1, ":") != NULL))
        best = instance->resolved;
    }
  if (same_host (best, service->shown))
    return;

  listed = service->shown != NULL && g_ptr_array_find (self->hosts, service->shown, &position);
  if (best == NULL)
    {
      if (listed)
        {
          g_ptr_array_remove_index (self->hosts, position);
          g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
        }
    }
  else if (listed)
    {
      g_ptr_array_index (self->hosts, position) = g_object_ref (best);
      g_object_unref (service->shown);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
    }
  else
    {
      g_ptr_array_add (self->hosts, g_object_ref (best));
      g_list_model_items_changed (G_LIST_MODEL (self), self->hosts->len - 1, 0, 1);
    }
  g_clear_object (&service->shown);
  service->shown = best != NULL ? g_object_ref (best) : NULL;
  if (best == NULL || !listed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static TrDnssdTxt *
parse_avahi_txt (AvahiStringList *list, const char *service_name, GError **error)
{
  guint n = avahi_string_list_length (list);
  g_autofree const char **entries = g_new0 (const char *, n + 1);
  g_autofree gsize *lengths = g_new0 (gsize, n + 1);
  guint i = 0;

  /* Avahi keeps the strings in reverse order of the record; order only
   * matters for repeated keys, so restore it. */
  for (AvahiStringList *l = list; l != NULL; l = avahi_string_list_get_next (l), i++)
    {
      entries[n - 1 - i] = (const char *)avahi_string_list_get_text (l);
      lengths[n - 1 - i] = avahi_string_list_get_size (l);
    }
  return tr_dnssd_txt_parse (entries, lengths, n, service_name, error);
}

static void
resolve_cb (AvahiServiceResolver *resolver, AvahiIfIndex interface, AvahiProtocol protocol,
            AvahiResolverEvent event, const char *name, const char *type, const char *domain,
            const char *host_name, const AvahiAddress *address, uint16_t port, AvahiStringList *txt,
            AvahiLookupResultFlags flags, void *user_data)
{
  Instance *instance = user_data;
  Service *service = instance->service;

  if (event == AVAHI_RESOLVER_FOUND)
    {
      char text[AVAHI_ADDRESS_STR_MAX];
      g_autoptr (GError) error = NULL;
      g_autoptr (TrDnssdTxt) parsed = parse_avahi_txt (txt, name, &error);

      g_clear_object (&instance->resolved);
      avahi_address_snprint (text, sizeof text, address);
      if (parsed == NULL)
        g_debug ("ignoring \"%s\" at %s: its TXT record is invalid: %s", name, text,
                 error->message);
      else
        instance->resolved = tr_dnssd_host_new (name, text, port, parsed);
    }
  else
    {
      /* A resolver that failed (timed out) is dead: free it, and list
       * the service again only if a new browse event brings it back. */
      g_debug ("could not resolve \"%s\": %s", name,
               avahi_strerror (avahi_client_errno (avahi_service_resolver_get_client (resolver))));
      avahi_service_resolver_free (instance->resolver);
      instance->resolver = NULL;
      g_clear_object (&instance->resolved);
    }
  service_update (service);
}

static Instance *
find_instance (Service *service, AvahiIfIndex interface, AvahiProtocol protocol, guint *index)
{
  for (guint i = 0; i < service->instances->len; i++)
    {
      Instance *instance = g_ptr_array_index (service->instances, i);

      if (instance->interface == interface && instance->protocol == protocol)
        {
          if (index != NULL)
            *index = i;
          return instance;
        }
    }
  return NULL;
}

static void
browse_cb (AvahiServiceBrowser *browser, AvahiIfIndex interface, AvahiProtocol protocol,
           AvahiBrowserEvent event, const char *name, const char *type, const char *domain,
           AvahiLookupResultFlags flags, void *user_data)
{
  TrDnssdBrowser *self = user_data;
  g_autofree char *key = NULL;
  Service *service;
  Instance *instance;
  guint index;

  switch (event)
    {
      case AVAHI_BROWSER_NEW:
        key = service_key (name, domain);
        service = g_hash_table_lookup (self->services, key);
        if (service == NULL)
          {
            service = g_new0 (Service, 1);
            service->browser = self;
            service->name = g_strdup (name);
            service->type = g_strdup (type);
            service->domain = g_strdup (domain);
            service->instances = g_ptr_array_new_with_free_func (instance_free);
            g_hash_table_insert (self->services, g_steal_pointer (&key), service);
          }
        instance = find_instance (service, interface, protocol, NULL);
        if (instance == NULL)
          {
            instance = g_new0 (Instance, 1);
            instance->service = service;
            instance->interface = interface;
            instance->protocol = protocol;
            g_ptr_array_add (service->instances, instance);
          }
        if (instance->resolver == NULL)
          instance->resolver = avahi_service_resolver_new (
            avahi_service_browser_get_client (browser), interface, protocol, name, type, domain,
            protocol, 0, resolve_cb, instance);
        break;
      case AVAHI_BROWSER_REMOVE:
        key = service_key (name, domain);
        service = g_hash_table_lookup (self->services, key);
        if (service == NULL || find_instance (service, interface, protocol, &index) == NULL)
          break;
        g_ptr_array_remove_index (service->instances, index);
        service_update (service);
        if (service->instances->len == 0)
          g_hash_table_remove (self->services, key);
        break;
      case AVAHI_BROWSER_FAILURE:
        g_message ("Avahi stopped browsing: %s", avahi_strerror (avahi_client_errno (
                                                   avahi_service_browser_get_client (browser))));
        set_state (self, TR_DNSSD_STATE_FAILED);
        break;
      case AVAHI_BROWSER_CACHE_EXHAUSTED:
      case AVAHI_BROWSER_ALL_FOR_NOW:
      default:
        break;
    }
}

/* Every Avahi object dies with its client: forget them all. */
static void
forget_all (TrDnssdBrowser *self)
{
  GHashTableIter iter;
  Service *service;

  g_hash_table_iter_init (&iter, self->services);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&service))
    for (guint i = 0; i < service->instances->len; i++)
      ((Instance *)g_ptr_array_index (service->instances, i))->resolver = NULL;
  g_hash_table_remove_all (self->services);
  self->browser = NULL;
  remove_all (self);
}

static void
client_cb (AvahiClient *avahi, TrDnssdState state, gpointer user_data)
{
  TrDnssdBrowser *self = user_data;

  switch (state)
    {
      case TR_DNSSD_STATE_RUNNING:
        if (self->browser == NULL)
          self->browser
            = avahi_service_browser_new (avahi, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
                                         TR_DNSSD_SERVICE_TYPE, NULL, 0, browse_cb, self);
        if (self->browser == NULL)
          {
            g_message ("Avahi will not browse: %s", avahi_strerror (avahi_client_errno (avahi)));
            set_state (self, TR_DNSSD_STATE_FAILED);
          }
        else
          set_state (self, TR_DNSSD_STATE_RUNNING);
        break;
      case TR_DNSSD_STATE_STARTING:
        /* The daemon renaming its own host changes nothing we browse. */
        break;
      case TR_DNSSD_STATE_NO_DAEMON:
      case TR_DNSSD_STATE_FAILED:
        forget_all (self);
        set_state (self, state);
        break;
      default:
        break;
    }
}

#endif /* TR_HAVE_DNSSD */

TrDnssdBrowser *
tr_dnssd_browser_new (void)
{
  return g_object_new (TR_TYPE_DNSSD_BROWSER, NULL);
}

void
tr_dnssd_browser_start (TrDnssdBrowser *self)
{
  g_return_if_fail (TR_IS_DNSSD_BROWSER (self));

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
tr_dnssd_browser_stop (TrDnssdBrowser *self)
{
  g_return_if_fail (TR_IS_DNSSD_BROWSER (self));

#ifdef TR_HAVE_DNSSD
  if (self->client != NULL)
    {
      forget_all (self);
      g_clear_pointer (&self->client, _tr_dnssd_client_free);
    }
#endif
  remove_all (self);
  set_state (self, TR_DNSSD_STATE_STOPPED);
}

TrDnssdState
tr_dnssd_browser_get_state (TrDnssdBrowser *self)
{
  g_return_val_if_fail (TR_IS_DNSSD_BROWSER (self), TR_DNSSD_STATE_STOPPED);
  return self->state;
}

TrDnssdHost *
tr_dnssd_browser_pick_host (TrDnssdBrowser *self, const char *lineage, gint64 min_gen,
                            const char *current_host_id)
{
  g_autofree const TrDnssdTxt **txts = NULL;
  int best;

  g_return_val_if_fail (TR_IS_DNSSD_BROWSER (self), NULL);

  txts = g_new0 (const TrDnssdTxt *, self->hosts->len + 1);
  for (guint i = 0; i < self->hosts->len; i++)
    txts[i] = tr_dnssd_host_get_txt (g_ptr_array_index (self->hosts, i));
  best = tr_dnssd_pick_host (txts, self->hosts->len, lineage, min_gen, current_host_id);
  return best >= 0 ? g_ptr_array_index (self->hosts, best) : NULL;
}

static GType
list_get_item_type (GListModel *model)
{
  return TR_TYPE_DNSSD_HOST;
}

static guint
list_get_n_items (GListModel *model)
{
  return TR_DNSSD_BROWSER (model)->hosts->len;
}

static gpointer
list_get_item (GListModel *model, guint position)
{
  TrDnssdBrowser *self = TR_DNSSD_BROWSER (model);

  if (position >= self->hosts->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->hosts, position));
}

static void
tr_dnssd_browser_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = list_get_item_type;
  iface->get_n_items = list_get_n_items;
  iface->get_item = list_get_item;
}

static void
tr_dnssd_browser_dispose (GObject *object)
{
  TrDnssdBrowser *self = TR_DNSSD_BROWSER (object);

#ifdef TR_HAVE_DNSSD
  if (self->client != NULL)
    {
      GHashTableIter iter;
      Service *service;

      /* No signals from a dying object: just forget. */
      g_hash_table_iter_init (&iter, self->services);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&service))
        for (guint i = 0; i < service->instances->len; i++)
          ((Instance *)g_ptr_array_index (service->instances, i))->resolver = NULL;
      self->browser = NULL;
      g_clear_pointer (&self->client, _tr_dnssd_client_free);
    }
  g_hash_table_remove_all (self->services);
#endif
  g_ptr_array_set_size (self->hosts, 0);

  G_OBJECT_CLASS (tr_dnssd_browser_parent_class)->dispose (object);
}

static void
tr_dnssd_browser_finalize (GObject *object)
{
  TrDnssdBrowser *self = TR_DNSSD_BROWSER (object);

  g_ptr_array_unref (self->hosts);
#ifdef TR_HAVE_DNSSD
  g_hash_table_unref (self->services);
#endif

  G_OBJECT_CLASS (tr_dnssd_browser_parent_class)->finalize (object);
}

static void
tr_dnssd_browser_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrDnssdBrowser *self = TR_DNSSD_BROWSER (object);

  switch (prop_id)
    {
      case PROP_STATE:
        g_value_set_enum (value, self->state);
        break;
      case PROP_N_ITEMS:
        g_value_set_uint (value, self->hosts->len);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_dnssd_browser_class_init (TrDnssdBrowserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tr_dnssd_browser_dispose;
  object_class->finalize = tr_dnssd_browser_finalize;
  object_class->get_property = tr_dnssd_browser_get_property;

  properties[PROP_STATE]
    = g_param_spec_enum ("state", NULL, NULL, TR_TYPE_DNSSD_STATE, TR_DNSSD_STATE_STOPPED,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tr_dnssd_browser_init (TrDnssdBrowser *self)
{
  self->hosts = g_ptr_array_new_with_free_func (g_object_unref);
#ifdef TR_HAVE_DNSSD
  self->services = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, service_free);
#endif
}
