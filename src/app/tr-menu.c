/* tr-menu.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-menu"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "tr-codec.h"
#include "tr-error.h"
#include "tr-menu.h"

typedef struct
{
  const char *name;
  const char *station;
  const char *modifiers[4];
  const char *allergens[4];
} StarterItem;

/* Enough to take a real order with; a restaurant edits it in the
 * preferences. */
static const StarterItem starter_menu[] = {
  { "Classic Burger",
    "grill",
    { "no cheese", "medium rare", "no pickles", NULL },
    { "gluten", "dairy", NULL } },
  { "Grilled Chicken Sandwich", "grill", { "no mayo", NULL }, { "gluten", NULL } },
  { "Steak Frites", "grill", { "rare", "medium", "well done", NULL }, { NULL } },
  { "Fries", "fry", { "extra salt", "no salt", NULL }, { NULL } },
  { "Onion Rings", "fry", { NULL }, { "gluten", NULL } },
  { "Fish and Chips", "fry", { "extra lemon", NULL }, { "fish", "gluten", NULL } },
  { "Paneer Tikka", "tandoor", { "extra spicy", "no onion", NULL }, { "dairy", NULL } },
  { "Garlic Naan", "tandoor", { "extra butter", "no garlic", NULL }, { "gluten", "dairy", NULL } },
  { "Caesar Salad",
    "cold",
    { "no croutons", "dressing on the side", NULL },
    { "dairy", "gluten", "fish" } },
  { "Gulab Jamun", "cold", { "warm", NULL }, { "dairy", "gluten", NULL } },
  { "Mango Lassi", "bar", { "less sugar", "no ice", NULL }, { "dairy", NULL } },
  { "Fresh Lime Soda", "bar", { "sweet", "salted", NULL }, { NULL } },
};

static GStrv
strv_or_empty (const char *const *strv)
{
  return strv ? g_strdupv ((char **)strv) : g_new0 (char *, 1);
}

TrMenuItem *
tr_menu_item_new (const char *name, const char *station, const char *const *modifiers,
                  const char *const *allergens)
{
  TrMenuItem *item;

  g_return_val_if_fail (name != NULL, NULL);

  item = g_new0 (TrMenuItem, 1);
  item->name = g_strdup (name);
  item->station = station && *station ? g_strdup (station) : NULL;
  item->modifiers = strv_or_empty (modifiers);
  item->allergens = strv_or_empty (allergens);
  return item;
}

TrMenuItem *
tr_menu_item_copy (const TrMenuItem *item)
{
  g_return_val_if_fail (item != NULL, NULL);

  return tr_menu_item_new (item->name, item->station, (const char *const *)item->modifiers,
                           (const char *const *)item->allergens);
}

void
tr_menu_item_free (TrMenuItem *item)
{
  if (item == NULL)
    return;
  g_free (item->name);
  g_free (item->station);
  g_strfreev (item->modifiers);
  g_strfreev (item->allergens);
  g_free (item);
}

static gboolean
check_text (const char *text, const char *path, GError **error)
{
  if (strlen (text) > TR_MAX_TEXT_BYTES)
    {
      /* Translators: %s is the path of a field in a menu file, e.g.
       * menu[3].name: keep it first and as it is */
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, _ ("%s: longer than %u bytes"), path,
                   (guint)TR_MAX_TEXT_BYTES);
      return FALSE;
    }
  return TRUE;
}

static GStrv
read_strings (JsonObject *object, const char *member, const char *path, guint max, GError **error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *node = json_object_get_member (object, member);
  g_autofree char *list_path = g_strdup_printf ("%s.%s", path, member);
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strv_builder_end (builder);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      /* Translators: %s is the path of a field in a menu file, e.g.
       * menu[3].allergens: keep it first and as it is */
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, _ ("%s: must be an array"), list_path);
      return NULL;
    }
  array = json_node_get_array (node);
  if (json_array_get_length (array) > max)
    {
      /* Translators: %s is the path of a field in a menu file, e.g.
       * menu[3].allergens: keep it first and as it is */
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, _ ("%s: more than %u entries"), list_path,
                   max);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *where = g_strdup_printf ("%s[%u]", list_path, i);
      const char *text;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          /* Translators: %s is the path of a field in a menu file, e.g.
           * menu[3].allergens[0]: keep it first and as it is */
          g_set_error (error, TR_ERROR, TR_ERROR_INVALID, _ ("%s: must be a string"), where);
          return NULL;
        }
      text = json_node_get_string (element);
      if (!check_text (text, where, error))
        return NULL;
      if (*text != '\0')
        g_strv_builder_add (builder, text);
    }
  return g_strv_builder_end (builder);
}

/* NULL when missing or not a string. */
static const char *
string_member (JsonObject *object, const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

GPtrArray *
tr_menu_parse (const char *json, GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GPtrArray) items = NULL;
  JsonArray *array;

  g_return_val_if_fail (json != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = tr_json_parse (json, -1, error);
  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      /* Translators: keep "menu:", the path of the fault, as it is */
      g_set_error_literal (error, TR_ERROR, TR_ERROR_INVALID, _ ("menu: must be an array"));
      return NULL;
    }
  array = json_node_get_array (root);
  if (json_array_get_length (array) > TR_MENU_MAX_ITEMS)
    {
      /* Translators: keep "menu:", the path of the fault, as it is */
      g_set_error (error, TR_ERROR, TR_ERROR_INVALID, _ ("menu: more than %d items"),
                   TR_MENU_MAX_ITEMS);
      return NULL;
    }

  items = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_menu_item_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *path = g_strdup_printf ("menu[%u]", i);
      g_autofree char *name_path = g_strdup_printf ("%s.name", path);
      g_autofree char *station_path = g_strdup_printf ("%s.station", path);
      g_auto (GStrv) modifiers = NULL;
      g_auto (GStrv) allergens = NULL;
      JsonObject *object;
      const char *name;
      const char *station = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          /* Translators: %s is the path of an entry in a menu file, e.g.
           * menu[3]: keep it first and as it is */
          g_set_error (error, TR_ERROR, TR_ERROR_INVALID, _ ("%s: must be an object"), path);
          return NULL;
        }
      object = json_node_get_object (element);
      name = string_member (object, "name");
      if (name == NULL || *name == '\0')
        {
          /* Translators: %s is the path of a field in a menu file, e.g.
           * menu[3].name: keep it first and as it is */
          g_set_error (error, TR_ERROR, TR_ERROR_INVALID, _ ("%s: must be a non-empty string"),
                       name_path);
          return NULL;
        }
      if (!check_text (name, name_path, error))
        return NULL;
      if (json_object_has_member (object, "station")
          && !JSON_NODE_HOLDS_NULL (json_object_get_member (object, "station")))
        {
          station = string_member (object, "station");
          if (station == NULL)
            {
              /* Translators: %s is the path of a field in a menu file, e.g.
               * menu[3].station: keep it first and as it is */
              g_set_error (error, TR_ERROR, TR_ERROR_INVALID, _ ("%s: must be a string"),
                           station_path);
              return NULL;
            }
          if (!check_text (station, station_path, error))
            return NULL;
        }
      modifiers = read_strings (object, "modifiers", path, TR_MAX_MODIFIERS, error);
      if (modifiers == NULL)
        return NULL;
      allergens = read_strings (object, "allergens", path, TR_MAX_ALLERGENS, error);
      if (allergens == NULL)
        return NULL;
      g_ptr_array_add (items, tr_menu_item_new (name, station, (const char *const *)modifiers,
                                                (const char *const *)allergens));
    }
  return g_steal_pointer (&items);
}

static void
add_strings (JsonBuilder *builder, const char *member, GStrv strv)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; strv && strv[i]; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
}

char *
tr_menu_to_json (GPtrArray *items)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  g_return_val_if_fail (items != NULL, NULL);

  json_builder_begin_array (builder);
  for (guint i = 0; i < items->len; i++)
    {
      TrMenuItem *item = g_ptr_array_index (items, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, item->name);
      json_builder_set_member_name (builder, "station");
      if (item->station)
        json_builder_add_string_value (builder, item->station);
      else
        json_builder_add_null_value (builder);
      add_strings (builder, "modifiers", item->modifiers);
      add_strings (builder, "allergens", item->allergens);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return tr_json_to_string (root);
}

GPtrArray *
tr_menu_new_default (void)
{
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify)tr_menu_item_free);

  for (guint i = 0; i < G_N_ELEMENTS (starter_menu); i++)
    g_ptr_array_add (items,
                     tr_menu_item_new (starter_menu[i].name, starter_menu[i].station,
                                       starter_menu[i].modifiers, starter_menu[i].allergens));
  return items;
}

GPtrArray *
tr_menu_load (TrStation *station, GError **error)
{
  g_autofree char *json = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (TR_IS_STATION (station), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  json = tr_station_load_menu (station, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (json == NULL)
    return tr_menu_new_default ();
  return tr_menu_parse (json, error);
}
