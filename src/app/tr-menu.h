/* tr-menu.h: the small editable menu orders are picked from
 *
 * Kept as JSON in the station's database (tr_station_load_menu), so it
 * lives with the tickets it is used for. A store that never had one gets a
 * starter menu, which the preferences can change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "tr-station.h"

G_BEGIN_DECLS

/* Bounds of the menu document: it is small by design. */
#define TR_MENU_MAX_ITEMS 300

typedef struct
{
  char *name;      /* never NULL or empty */
  char *station;   /* routing station, NULL = any */
  GStrv modifiers; /* the usual modifiers offered for it; never NULL */
  GStrv allergens; /* never NULL */
} TrMenuItem;

TrMenuItem *
tr_menu_item_new (const char *name, const char *station, const char *const *modifiers,
                  const char *const *allergens);
TrMenuItem *
tr_menu_item_copy (const TrMenuItem *item);
void
tr_menu_item_free (TrMenuItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrMenuItem, tr_menu_item_free)

/* TrMenuItem*, in the menu's order. Fails with TR_ERROR_INVALID on a
 * document that is not a menu, or breaks the text limits. */
GPtrArray *
tr_menu_parse (const char *json, GError **error);
char *
tr_menu_to_json (GPtrArray *items);
/* The starter menu. */
GPtrArray *
tr_menu_new_default (void);
/* The station's menu, or the starter menu when it has none. Saving is
 * the station's: tr_station_save_menu_async (tr_menu_to_json (items)). */
GPtrArray *
tr_menu_load (TrStation *station, GError **error);

G_END_DECLS
