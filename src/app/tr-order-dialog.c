/* tr-order-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-order-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "tr-error.h"
#include "tr-menu.h"
#include "tr-order-dialog.h"

/* One line of the order: an item already on the ticket (amending) or a
 * new one. */
typedef struct
{
  char *row_id;
  TrItem *original; /* an existing item, NULL for a new one */
  gboolean voided;
  GtkWidget *row;
  GtkSpinButton *quantity;
  /* New items only. */
  AdwEntryRow *name;
  AdwEntryRow *modifiers;
  AdwEntryRow *allergens;
  AdwEntryRow *note;
  AdwEntryRow *station;
  char *menu_name; /* the menu item it came from, or NULL */
} ItemRow;

struct _TrOrderDialog
{
  AdwWindow parent_instance;

  TrStation *station;
  TrTicket *ticket;
  GPtrArray *menu; /* TrMenuItem* */
  GPtrArray *rows; /* ItemRow* */
  char *message;

  AdwWindowTitle *window_title;
  GtkButton *send_button;
  GtkRevealer *message_revealer;
  GtkLabel *message_label;
  AdwComboRow *order_type_row;
  AdwEntryRow *table_row;
  AdwEntryRow *note_row;
  GtkSwitch *rush_switch;
  GtkFlowBox *menu_box;
  GtkListBox *items_list;
};

G_DEFINE_FINAL_TYPE (TrOrderDialog, tr_order_dialog, ADW_TYPE_WINDOW)

enum
{
  PROP_0,
  PROP_STATION,
  PROP_TICKET,
  PROP_MESSAGE,
  N_PROPS
};

enum
{
  SENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
item_row_free (ItemRow *row)
{
  g_free (row->row_id);
  g_clear_pointer (&row->original, tr_item_free);
  g_free (row->menu_name);
  g_free (row);
}

/* ---- Text helpers ---- */

static char *
join_strv (GStrv strv)
{
  return g_strjoinv (", ", strv ? strv : (char *[]){ NULL });
}

/* "a, b ,, c" → { "a", "b", "c" } */
static GStrv
split_list (const char *text)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) parts = g_strsplit (text ? text : "", ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);

      if (*part != '\0')
        g_strv_builder_add (builder, part);
    }
  return g_strv_builder_end (builder);
}

static const char *
entry_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

/* The trimmed text, NULL when empty. */
static char *
dup_entry_text (AdwEntryRow *row)
{
  g_autofree char *text = g_strstrip (g_strdup (entry_text (row)));

  return *text != '\0' ? g_steal_pointer (&text) : NULL;
}

/* ---- Message ---- */

static void
set_message (TrOrderDialog *self, const char *message)
{
  if (g_strcmp0 (self->message, message) == 0)
    return;
  g_free (self->message);
  self->message = g_strdup (message);
  if (message != NULL)
    gtk_label_set_text (self->message_label, message);
  gtk_revealer_set_reveal_child (self->message_revealer, message != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

/* ---- Rows ---- */

static ItemRow *
find_row (TrOrderDialog *self, const char *row_id)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      ItemRow *row = g_ptr_array_index (self->rows, i);

      if (g_strcmp0 (row->row_id, row_id) == 0)
        return row;
    }
  return NULL;
}

static const char *
row_name (ItemRow *row)
{
  return row->original ? row->original->name : entry_text (row->name);
}

static void
update_row_title (ItemRow *row)
{
  const char *name = row_name (row);
  g_autofree char *escaped = g_markup_escape_text (*name ? name : _ ("New item"), -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row), escaped);
}

static void
on_row_changed (TrOrderDialog *self)
{
  /* The message was about what was there before: recheck on send. */
  set_message (self, NULL);
  for (guint i = 0; i < self->rows->len; i++)
    {
      ItemRow *row = g_ptr_array_index (self->rows, i);

      if (row->original == NULL)
        update_row_title (row);
    }
}

static GtkSpinButton *
quantity_button (TrOrderDialog *self, int value)
{
  /* 0 is allowed in the button so that the dialog, not the widget, says
   * what is wrong: a silently clamped quantity is a wrong order. */
  GtkWidget *spin = gtk_spin_button_new_with_range (0, TR_MAX_QUANTITY, 1);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (spin, "order-quantity");
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Quantity"), -1);
  g_signal_connect_object (spin, "value-changed", G_CALLBACK (on_row_changed), self,
                           G_CONNECT_SWAPPED);
  return GTK_SPIN_BUTTON (spin);
}

static AdwEntryRow *
entry_row (TrOrderDialog *self, AdwExpanderRow *expander, const char *title, const char *text)
{
  GtkWidget *entry = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (entry), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (entry), text ? text : "");
  g_signal_connect_object (entry, "changed", G_CALLBACK (on_row_changed), self, G_CONNECT_SWAPPED);
  adw_expander_row_add_row (expander, entry);
  return ADW_ENTRY_ROW (entry);
}

static ItemRow *
add_new_row (TrOrderDialog *self, const TrMenuItem *menu_item)
{
  ItemRow *row = g_new0 (ItemRow, 1);
  GtkWidget *expander = adw_expander_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  g_autofree char *allergens = NULL;
  g_autofree char *often = NULL;

  row->row_id = tr_uuid_new ();
  row->row = expander;
  row->menu_name = menu_item ? g_strdup (menu_item->name) : NULL;

  row->quantity = quantity_button (self, 1);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (expander), GTK_WIDGET (row->quantity));
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove, _ ("Remove Item"));
  gtk_widget_add_css_class (remove, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "order.remove-item");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "s", row->row_id);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (expander), remove);

  allergens = menu_item ? join_strv (menu_item->allergens) : NULL;
  row->name = entry_row (self, ADW_EXPANDER_ROW (expander), _ ("_Name"),
                         menu_item ? menu_item->name : NULL);
  row->modifiers
    = entry_row (self, ADW_EXPANDER_ROW (expander), _ ("_Modifiers, comma-separated"), NULL);
  row->allergens
    = entry_row (self, ADW_EXPANDER_ROW (expander), _ ("_Allergens, comma-separated"), allergens);
  row->note = entry_row (self, ADW_EXPANDER_ROW (expander), _ ("Item _note"), NULL);
  row->station = entry_row (self, ADW_EXPANDER_ROW (expander), _ ("Kitchen _station"),
                            menu_item ? menu_item->station : NULL);
  if (menu_item != NULL && menu_item->modifiers[0] != NULL)
    {
      g_autofree char *list = join_strv (menu_item->modifiers);

      /* Translators: the modifiers usually asked for with a dish */
      often = g_strdup_printf (_ ("Often: %s"), list);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), often);
    }
  update_row_title (row);

  g_ptr_array_add (self->rows, row);
  gtk_list_box_append (self->items_list, expander);
  return row;
}

static void
add_existing_row (TrOrderDialog *self, const TrItem *item)
{
  ItemRow *row = g_new0 (ItemRow, 1);
  GtkWidget *action_row = adw_action_row_new ();
  GtkWidget *void_button = gtk_toggle_button_new_with_mnemonic (_ ("_Void"));
  g_autoptr (GString) subtitle = g_string_new (NULL);

  row->row_id = tr_uuid_new ();
  row->original = tr_item_copy (item);
  row->row = action_row;

  if (item->modifiers[0] != NULL)
    {
      g_autofree char *text = join_strv (item->modifiers);

      g_string_append (subtitle, text);
    }
  if (item->allergens[0] != NULL)
    {
      g_autofree char *text = join_strv (item->allergens);

      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      /* Translators: the allergens of an item */
      g_string_append_printf (subtitle, _ ("Allergens: %s"), text);
    }
  if (item->note != NULL)
    {
      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      g_string_append (subtitle, item->note);
    }
  {
    g_autofree char *escaped = g_markup_escape_text (subtitle->str, -1);

    adw_action_row_set_subtitle (ADW_ACTION_ROW (action_row), escaped);
  }
  update_row_title (row);

  row->quantity = quantity_button (self, item->quantity);
  adw_action_row_add_suffix (ADW_ACTION_ROW (action_row), GTK_WIDGET (row->quantity));
  gtk_widget_set_valign (void_button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (void_button, _ ("Void this item: the kitchen stops making it"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (void_button), "order.void-item");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (void_button), "s", row->row_id);
  adw_action_row_add_suffix (ADW_ACTION_ROW (action_row), void_button);

  g_ptr_array_add (self->rows, row);
  gtk_list_box_append (self->items_list, action_row);
}

/* ---- Checking ---- */

/* The fields with a size limit: each has its own whole sentences, so a
 * translation need not fit a field's name into a frame. */
typedef enum
{
  FIELD_TABLE,
  FIELD_NOTE,
  FIELD_ITEM_NAME,
  FIELD_ITEM_MODIFIERS,
  FIELD_ITEM_ALLERGENS,
  FIELD_ITEM_NOTE,
  FIELD_ITEM_STATION,
} Field;

/* @item is the item's name for the item fields. */
static gboolean
text_fits (const char *text, Field field, const char *item, GString *message)
{
  guint len = text ? (guint)strlen (text) : 0;

  if (len <= TR_MAX_TEXT_BYTES)
    return TRUE;
  switch (field)
    {
      case FIELD_TABLE:
        /* Translators: e.g. "The table is too long: 612 bytes, at most 500" */
        g_string_printf (message, _ ("The table is too long: %u bytes, at most %d"), len,
                         TR_MAX_TEXT_BYTES);
        break;
      case FIELD_NOTE:
        /* Translators: e.g. "The note for the kitchen is too long: 612 bytes, at most 500" */
        g_string_printf (message, _ ("The note for the kitchen is too long: %u bytes, at most %d"),
                         len, TR_MAX_TEXT_BYTES);
        break;
      case FIELD_ITEM_NAME:
        /* Translators: %.40s is an item's name, e.g. "The name of “Burger…” is
         * too long: 612 bytes, at most 500" */
        g_string_printf (message, _ ("The name of “%.40s” is too long: %u bytes, at most %d"), item,
                         len, TR_MAX_TEXT_BYTES);
        break;
      case FIELD_ITEM_MODIFIERS:
        /* Translators: %.40s is an item's name, e.g. "A modifier of “Burger” is
         * too long: 612 bytes, at most 500" */
        g_string_printf (message, _ ("A modifier of “%.40s” is too long: %u bytes, at most %d"),
                         item, len, TR_MAX_TEXT_BYTES);
        break;
      case FIELD_ITEM_ALLERGENS:
        /* Translators: %.40s is an item's name, e.g. "An allergen of “Burger” is
         * too long: 612 bytes, at most 500" */
        g_string_printf (message, _ ("An allergen of “%.40s” is too long: %u bytes, at most %d"),
                         item, len, TR_MAX_TEXT_BYTES);
        break;
      case FIELD_ITEM_NOTE:
        /* Translators: %.40s is an item's name, e.g. "The note of “Burger” is
         * too long: 612 bytes, at most 500" */
        g_string_printf (message, _ ("The note of “%.40s” is too long: %u bytes, at most %d"), item,
                         len, TR_MAX_TEXT_BYTES);
        break;
      case FIELD_ITEM_STATION:
        g_string_printf (message,
                         /* Translators: %.40s is an item's name, e.g. "The kitchen
                          * station of “Burger” is too long: 612 bytes, at most 500" */
                         _ ("The kitchen station of “%.40s” is too long: %u bytes, at most %d"),
                         item, len, TR_MAX_TEXT_BYTES);
        break;
      default:
        g_assert_not_reached ();
    }
  return FALSE;
}

/* @field is FIELD_ITEM_MODIFIERS or FIELD_ITEM_ALLERGENS. */
static gboolean
list_fits (GStrv list, Field field, const char *item, guint max, GString *message)
{
  g_assert (field == FIELD_ITEM_MODIFIERS || field == FIELD_ITEM_ALLERGENS);

  if (g_strv_length (list) > max)
    {
      if (field == FIELD_ITEM_MODIFIERS)
        /* Translators: %.40s is an item's name, e.g. "“Burger” has more than
         * 50 modifiers" */
        g_string_printf (message, _ ("“%.40s” has more than %u modifiers"), item, max);
      else
        /* Translators: %.40s is an item's name, e.g. "“Burger” has more than
         * 50 allergens" */
        g_string_printf (message, _ ("“%.40s” has more than %u allergens"), item, max);
      return FALSE;
    }
  for (guint i = 0; list[i] != NULL; i++)
    if (!text_fits (list[i], field, item, message))
      return FALSE;
  return TRUE;
}

/* Checks the form; the reason goes to @message. */
static gboolean
check_form (TrOrderDialog *self, GString *message)
{
  guint live = 0;

  if (!text_fits (entry_text (self->table_row), FIELD_TABLE, NULL, message)
      || !text_fits (entry_text (self->note_row), FIELD_NOTE, NULL, message))
    return FALSE;

  for (guint i = 0; i < self->rows->len; i++)
    {
      ItemRow *row = g_ptr_array_index (self->rows, i);
      int quantity = gtk_spin_button_get_value_as_int (row->quantity);
      const char *name = row_name (row);
      g_auto (GStrv) modifiers = NULL;
      g_auto (GStrv) allergens = NULL;

      if (row->voided)
        continue;
      live++;

      if (row->original == NULL)
        {
          g_autofree char *trimmed = g_strstrip (g_strdup (name));

          if (*trimmed == '\0')
            {
              g_string_assign (message, _ ("Every item needs a name"));
              return FALSE;
            }
          if (!text_fits (name, FIELD_ITEM_NAME, trimmed, message))
            return FALSE;
        }

      if (quantity < TR_MIN_QUANTITY || quantity > TR_MAX_QUANTITY)
        {
          /* Translators: e.g. "“Fries”: the quantity must be from 1 to 999" */
          g_string_printf (message, _ ("“%.40s”: the quantity must be from %d to %d"), name,
                           TR_MIN_QUANTITY, TR_MAX_QUANTITY);
          return FALSE;
        }

      if (row->original != NULL)
        continue;

      modifiers = split_list (entry_text (row->modifiers));
      allergens = split_list (entry_text (row->allergens));
      if (!list_fits (modifiers, FIELD_ITEM_MODIFIERS, name, TR_MAX_MODIFIERS, message)
          || !list_fits (allergens, FIELD_ITEM_ALLERGENS, name, TR_MAX_ALLERGENS, message)
          || !text_fits (entry_text (row->note), FIELD_ITEM_NOTE, name, message)
          || !text_fits (entry_text (row->station), FIELD_ITEM_STATION, name, message))
        return FALSE;
    }

  if (live == 0)
    {
      g_string_assign (message, self->ticket ? _ ("An order needs at least one item; to drop "
                                                  "all of them, cancel the order instead")
                                             : _ ("Add at least one item to the order"));
      return FALSE;
    }
  if (live > TR_MAX_ITEMS)
    {
      g_string_printf (message, _ ("An order can have at most %d items"), TR_MAX_ITEMS);
      return FALSE;
    }
  return TRUE;
}

/* ---- Building the op ---- */

static TrItem *
build_item (ItemRow *row)
{
  TrItem *item = tr_item_new ();

  item->id = tr_uuid_new ();
  item->name = dup_entry_text (row->name);
  item->quantity = gtk_spin_button_get_value_as_int (row->quantity);
  g_strfreev (item->modifiers);
  item->modifiers = split_list (entry_text (row->modifiers));
  g_strfreev (item->allergens);
  item->allergens = split_list (entry_text (row->allergens));
  item->note = dup_entry_text (row->note);
  item->station = dup_entry_text (row->station);
  return item;
}

static TrOrderType
selected_order_type (TrOrderDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->order_type_row);

  return selected < TR_N_ORDER_TYPES ? (TrOrderType)selected : TR_ORDER_TYPE_DINE_IN;
}

static TrOp *
build_create_op (TrOrderDialog *self)
{
  g_autoptr (TrTicket) ticket = tr_ticket_new ();

  ticket->id = tr_uuid_new ();
  ticket->source = TR_SOURCE_APP;
  ticket->order_type = selected_order_type (self);
  if (ticket->order_type == TR_ORDER_TYPE_DINE_IN)
    ticket->table = dup_entry_text (self->table_row);
  ticket->note = dup_entry_text (self->note_row);
  ticket->priority
    = gtk_switch_get_active (self->rush_switch) ? TR_PRIORITY_RUSH : TR_PRIORITY_NORMAL;
  for (guint i = 0; i < self->rows->len; i++)
    g_ptr_array_add (ticket->items, build_item (g_ptr_array_index (self->rows, i)));

  return tr_op_new_create_ticket (tr_station_get_station_id (self->station), ticket);
}

static void
add_text_amendment (TrOp *op, TrAmendKind kind, const char *before, char *after)
{
  TrAmendment *amendment;

  if (g_strcmp0 (before, after) == 0)
    {
      g_free (after);
      return;
    }
  amendment = tr_amendment_new (kind);
  amendment->text = after;
  g_ptr_array_add (op->amendments, amendment);
}

static TrOp *
build_amend_op (TrOrderDialog *self)
{
  TrOp *op = tr_op_new_amend_ticket (tr_station_get_station_id (self->station), self->ticket->id);
  gboolean rush = gtk_switch_get_active (self->rush_switch);

  if (self->ticket->order_type == TR_ORDER_TYPE_DINE_IN)
    add_text_amendment (op, TR_AMEND_SET_TABLE, self->ticket->table,
                        dup_entry_text (self->table_row));
  add_text_amendment (op, TR_AMEND_SET_NOTE, self->ticket->note, dup_entry_text (self->note_row));
  if (rush != (self->ticket->priority == TR_PRIORITY_RUSH))
    {
      TrAmendment *amendment = tr_amendment_new (TR_AMEND_SET_PRIORITY);

      amendment->priority = rush ? TR_PRIORITY_RUSH : TR_PRIORITY_NORMAL;
      g_ptr_array_add (op->amendments, amendment);
    }

  for (guint i = 0; i < self->rows->len; i++)
    {
      ItemRow *row = g_ptr_array_index (self->rows, i);
      TrAmendment *amendment;
      int quantity = gtk_spin_button_get_value_as_int (row->quantity);

      if (row->original == NULL)
        {
          amendment = tr_amendment_new (TR_AMEND_ADD_ITEM);
          amendment->item = build_item (row);
        }
      else if (row->voided)
        {
          amendment = tr_amendment_new (TR_AMEND_VOID_ITEM);
          amendment->item_id = g_strdup (row->original->id);
        }
      else if (quantity != row->original->quantity)
        {
          amendment = tr_amendment_new (TR_AMEND_SET_QUANTITY);
          amendment->item_id = g_strdup (row->original->id);
          amendment->quantity = quantity;
        }
      else
        continue;
      g_ptr_array_add (op->amendments, amendment);
    }

  return op;
}

gboolean
tr_order_dialog_send (TrOrderDialog *self)
{
  g_autoptr (GString) message = g_string_new (NULL);
  g_autoptr (TrOp) op = NULL;
  g_autoptr (GError) error = NULL;

  g_return_val_if_fail (TR_IS_ORDER_DIALOG (self), FALSE);

  if (!check_form (self, message))
    {
      set_message (self, message->str);
      return FALSE;
    }

  op = self->ticket ? build_amend_op (self) : build_create_op (self);
  if (op->kind == TR_OP_AMEND_TICKET && op->amendments->len == 0)
    {
      set_message (self, _ ("Nothing has changed"));
      return FALSE;
    }

  if (!tr_station_submit (self->station, op, &error))
    {
      /* Translators: the station or host refused the order; %s says why */
      g_autofree char *text = g_strdup_printf (_ ("The order was not sent: %s"),
                                               tr_error_describe_local_refusal (error));

      set_message (self, text);
      return FALSE;
    }

  set_message (self, NULL);
  g_signal_emit (self, signals[SENT], 0, op->op_id, op->ticket_id);
  gtk_window_close (GTK_WINDOW (self));
  return TRUE;
}

/* ---- Actions ---- */

static void
action_send (GtkWidget *widget, const char *action_name, GVariant *param)
{
  tr_order_dialog_send (TR_ORDER_DIALOG (widget));
}

static void
action_add_menu_item (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrOrderDialog *self = TR_ORDER_DIALOG (widget);
  guint index = g_variant_get_uint32 (param);
  const TrMenuItem *menu_item;

  if (index >= self->menu->len)
    return;
  menu_item = g_ptr_array_index (self->menu, index);

  /* A second tap on a dish just added makes it two, as a server
   * expects; a line someone has already changed stays as it is. */
  for (guint i = 0; i < self->rows->len; i++)
    {
      ItemRow *row = g_ptr_array_index (self->rows, i);

      if (row->original == NULL && g_strcmp0 (row->menu_name, menu_item->name) == 0
          && g_strcmp0 (entry_text (row->name), menu_item->name) == 0
          && *entry_text (row->modifiers) == '\0' && *entry_text (row->note) == '\0')
        {
          gtk_spin_button_set_value (row->quantity,
                                     gtk_spin_button_get_value_as_int (row->quantity) + 1);
          return;
        }
    }
  add_new_row (self, menu_item);
  set_message (self, NULL);
}

static void
action_add_custom_item (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrOrderDialog *self = TR_ORDER_DIALOG (widget);
  ItemRow *row = add_new_row (self, NULL);

  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row->row), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (row->name));
  set_message (self, NULL);
}

static void
action_remove_item (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrOrderDialog *self = TR_ORDER_DIALOG (widget);
  ItemRow *row = find_row (self, g_variant_get_string (param, NULL));

  if (row == NULL || row->original != NULL)
    return;
  gtk_list_box_remove (self->items_list, row->row);
  g_ptr_array_remove (self->rows, row);
  set_message (self, NULL);
}

static void
action_void_item (GtkWidget *widget, const char *action_name, GVariant *param)
{
  TrOrderDialog *self = TR_ORDER_DIALOG (widget);
  ItemRow *row = find_row (self, g_variant_get_string (param, NULL));

  if (row == NULL || row->original == NULL)
    return;
  row->voided = !row->voided;
  if (row->voided)
    gtk_widget_add_css_class (row->row, "voided");
  else
    gtk_widget_remove_css_class (row->row, "voided");
  gtk_widget_set_sensitive (GTK_WIDGET (row->quantity), !row->voided);
  set_message (self, NULL);
}

static void
on_order_type_changed (TrOrderDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->table_row),
                          selected_order_type (self) == TR_ORDER_TYPE_DINE_IN);
}

/* ---- Setup ---- */

static void
fill_menu (TrOrderDialog *self)
{
  g_autoptr (GError) error = NULL;

  self->menu = tr_menu_load (self->station, &error);
  if (self->menu == NULL)
    {
      /* A broken menu must not stop an order: typed items still work. */
      g_warning ("Cannot read the menu: %s", error->message);
      self->menu = tr_menu_new_default ();
    }

  for (guint i = 0; i < self->menu->len; i++)
    {
      const TrMenuItem *item = g_ptr_array_index (self->menu, i);
      GtkWidget *button = gtk_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *name = gtk_label_new (item->name);
      GtkWidget *child;

      gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
      gtk_label_set_wrap (GTK_LABEL (name), TRUE);
      gtk_label_set_justify (GTK_LABEL (name), GTK_JUSTIFY_CENTER);
      gtk_label_set_max_width_chars (GTK_LABEL (name), 16);
      gtk_box_append (GTK_BOX (box), name);
      if (item->station != NULL)
        {
          GtkWidget *station = gtk_label_new (item->station);

          gtk_widget_add_css_class (station, "caption");
          gtk_widget_add_css_class (station, "dim-label");
          gtk_box_append (GTK_BOX (box), station);
        }
      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_widget_add_css_class (button, "order-menu-item");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "order.add-menu-item");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "u", i);
      gtk_flow_box_append (self->menu_box, button);
      child = gtk_widget_get_parent (button);
      gtk_widget_set_focusable (child, FALSE);
    }
}

static void
tr_order_dialog_constructed (GObject *object)
{
  TrOrderDialog *self = (TrOrderDialog *)object;

  G_OBJECT_CLASS (tr_order_dialog_parent_class)->constructed (object);

  g_assert (TR_IS_STATION (self->station));
  fill_menu (self);

  if (self->ticket != NULL)
    {
      g_autoptr (GString) title = g_string_new (NULL);

      if (self->ticket->number > 0)
        /* Translators: the amend dialog's title, e.g. "Amend Order #1042" */
        g_string_printf (title, _ ("Amend Order #%d"), self->ticket->number);
      else
        g_string_assign (title, _ ("Amend Order"));
      adw_window_title_set_title (self->window_title, title->str);
      gtk_button_set_label (self->send_button, _ ("_Save Changes"));
      gtk_window_set_title (GTK_WINDOW (self), title->str);

      adw_combo_row_set_selected (self->order_type_row, self->ticket->order_type);
      /* There is no amendment for the order type. */
      gtk_widget_set_sensitive (GTK_WIDGET (self->order_type_row), FALSE);
      gtk_editable_set_text (GTK_EDITABLE (self->table_row),
                             self->ticket->table ? self->ticket->table : "");
      gtk_editable_set_text (GTK_EDITABLE (self->note_row),
                             self->ticket->note ? self->ticket->note : "");
      gtk_switch_set_active (self->rush_switch, self->ticket->priority == TR_PRIORITY_RUSH);
      for (guint i = 0; i < self->ticket->items->len; i++)
        {
          const TrItem *item = g_ptr_array_index (self->ticket->items, i);

          if (item->status != TR_ITEM_STATUS_VOIDED)
            add_existing_row (self, item);
        }
    }
  else
    {
      adw_window_title_set_title (self->window_title, _ ("New Order"));
      gtk_button_set_label (self->send_button, _ ("_Send to Kitchen"));
      gtk_window_set_title (GTK_WINDOW (self), _ ("New Order"));
    }
  on_order_type_changed (self);
  g_signal_connect_object (self->order_type_row, "notify::selected",
                           G_CALLBACK (on_order_type_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->table_row, "changed", G_CALLBACK (on_row_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->note_row, "changed", G_CALLBACK (on_row_changed), self,
                           G_CONNECT_SWAPPED);
}

static void
tr_order_dialog_dispose (GObject *object)
{
  TrOrderDialog *self = (TrOrderDialog *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), TR_TYPE_ORDER_DIALOG);
  g_clear_object (&self->station);

  G_OBJECT_CLASS (tr_order_dialog_parent_class)->dispose (object);
}

static void
tr_order_dialog_finalize (GObject *object)
{
  TrOrderDialog *self = (TrOrderDialog *)object;

  g_clear_pointer (&self->ticket, tr_ticket_free);
  g_clear_pointer (&self->menu, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->message, g_free);

  G_OBJECT_CLASS (tr_order_dialog_parent_class)->finalize (object);
}

static void
tr_order_dialog_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TrOrderDialog *self = TR_ORDER_DIALOG (object);

  switch (prop_id)
    {
      case PROP_STATION:
        g_value_set_object (value, self->station);
        break;
      case PROP_TICKET:
        g_value_set_boxed (value, self->ticket);
        break;
      case PROP_MESSAGE:
        g_value_set_string (value, self->message);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_order_dialog_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  TrOrderDialog *self = TR_ORDER_DIALOG (object);

  switch (prop_id)
    {
      case PROP_STATION:
        self->station = g_value_dup_object (value);
        break;
      case PROP_TICKET:
        self->ticket = g_value_dup_boxed (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tr_order_dialog_class_init (TrOrderDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = tr_order_dialog_constructed;
  object_class->dispose = tr_order_dialog_dispose;
  object_class->finalize = tr_order_dialog_finalize;
  object_class->get_property = tr_order_dialog_get_property;
  object_class->set_property = tr_order_dialog_set_property;

  properties[PROP_STATION]
    = g_param_spec_object ("station", NULL, NULL, TR_TYPE_STATION, construct);
  properties[PROP_TICKET] = g_param_spec_boxed ("ticket", NULL, NULL, TR_TYPE_TICKET, construct);
  properties[PROP_MESSAGE]
    = g_param_spec_string ("message", NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SENT] = g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/ticketrail/Ticketrail/tr-order-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TrOrderDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, TrOrderDialog, send_button);
  gtk_widget_class_bind_template_child (widget_class, TrOrderDialog, message_revealer);
  gtk_widget_class_bind_template_child (widget_class, TrOrderDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, TrOrderDialog, order_type_row);
  gtk_widget_class_bind_template_child (widget_class, TrOrderDialog, table_row);
  gtk_widget_class_bind_template_child (widget_class, TrOrderDialog, note_row);
  gtk_widget_class_bind_template_child (widget_class, TrOrderDialog, rush_switch);
  gtk_widget_class_bind_template_child (widget_class, TrOrderDialog, menu_box);
  gtk_widget_class_bind_template_child (widget_class, TrOrderDialog, items_list);

  gtk_widget_class_install_action (widget_class, "order.send", NULL, action_send);
  gtk_widget_class_install_action (widget_class, "order.add-menu-item", "u", action_add_menu_item);
  gtk_widget_class_install_action (widget_class, "order.add-custom-item", NULL,
                                   action_add_custom_item);
  gtk_widget_class_install_action (widget_class, "order.remove-item", "s", action_remove_item);
  gtk_widget_class_install_action (widget_class, "order.void-item", "s", action_void_item);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "order.send",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "order.send", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK,
                                       "order.add-custom-item", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tr_order_dialog_init (TrOrderDialog *self)
{
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify)item_row_free);
  gtk_widget_init_template (GTK_WIDGET (self));
}

TrOrderDialog *
tr_order_dialog_new (GtkWindow *parent, TrStation *station, const TrTicket *ticket)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TR_IS_STATION (station), NULL);

  return g_object_new (TR_TYPE_ORDER_DIALOG, "transient-for", parent, "station", station, "ticket",
                       ticket, NULL);
}

gboolean
tr_order_dialog_is_amending (TrOrderDialog *self)
{
  g_return_val_if_fail (TR_IS_ORDER_DIALOG (self), FALSE);
  return self->ticket != NULL;
}

const char *
tr_order_dialog_get_message (TrOrderDialog *self)
{
  g_return_val_if_fail (TR_IS_ORDER_DIALOG (self), NULL);
  return self->message;
}

GPtrArray *
tr_order_dialog_get_quantity_buttons (TrOrderDialog *self)
{
  GPtrArray *buttons;

  g_return_val_if_fail (TR_IS_ORDER_DIALOG (self), NULL);

  buttons = g_ptr_array_new ();
  for (guint i = 0; i < self->rows->len; i++)
    {
      ItemRow *row = g_ptr_array_index (self->rows, i);

      if (row->original == NULL)
        g_ptr_array_add (buttons, row->quantity);
    }
  return buttons;
}
