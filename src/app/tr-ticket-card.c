/* tr-ticket-card.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-ticket-card"

#include "config.h"

#include <glib/gi18n.h>

#include "tr-ticket-card.h"

#define MS_PER_MINUTE (60 * 1000)
/* Badges per row: two fit the narrowest card. */
#define ALLERGENS_PER_ROW 2

struct _TrTicketCard
{
  GtkWidget parent_instance;

  TrTicketObject *ticket;
  TrClock *clock;
  gulong tick_handler;
  char *station;
  gboolean expo;
  guint warn_minutes;
  guint late_minutes;
  gboolean selected;
  gboolean pending;
  gboolean can_reprint; /* a printer can print a Reprint (issue 13) */
  gint64 acked_at;
  gboolean modified;
  TrTicketAge age;
  char timer_text[32];
  GPtrArray *shown_item_ids;

  GtkLabel *number_label;
  GtkLabel *rush_label;
  GtkImage *pending_image;
  /* An inscription: its size does not follow its text, so the
   * ticking timer redraws without a relayout of the grid. */
  GtkInscription *timer_label;
  GtkLabel *destination_label;
  GtkLabel *server_label;
  GtkButton *modified_button;
  GtkLabel *modified_label;
  GtkLabel *cancelled_label;
  GtkBox *items_box;
  GtkLabel *other_label;
  GtkLabel *note_label;
  GtkButton *bump_button;
  GtkButton *reprint_button;
};

G_DEFINE_FINAL_TYPE (TrTicketCard, tr_ticket_card, GTK_TYPE_WIDGET)

/* ---- An item's first line ---- */

/* The quantity, the wrapping name, then tags and an icon, left to right.
 * A horizontal GtkBox would do, but GTK 4.8's box asks a wrapping label
 * for its width at many heights (a search) to find its height for a
 * width, and GtkLabel answers each of those with a search of its own:
 * rebuilding a page of cards took 300-400 ms of text shaping. This line
 * knows its layout: the tags keep their natural width, the name takes
 * the rest, and each child is asked only its height for that width. */

#define ITEM_LINE_SPACING 8

#define TR_TYPE_ITEM_LINE (tr_item_line_get_type ())
G_DECLARE_FINAL_TYPE (TrItemLine, tr_item_line, TR, ITEM_LINE, GtkWidget)

struct _TrItemLine
{
  GtkWidget parent_instance;
};

G_DEFINE_FINAL_TYPE (TrItemLine, tr_item_line, GTK_TYPE_WIDGET)

static guint
item_line_n_children (GtkWidget *widget)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_should_layout (child))
      n++;
  return n;
}

/* Fills @widths (one per child that takes part in the layout) for a
 * line @width wide: every child gets its minimum, then its natural
 * width as far as the room goes, and what is left goes to children that
 * expand. */
static void
item_line_distribute (GtkWidget *widget, int width, guint n, int *widths)
{
  GtkRequestedSize *sizes = g_newa (GtkRequestedSize, n);
  guint n_expand = 0, i = 0;
  int available = width - (int)(n > 0 ? n - 1 : 0) * ITEM_LINE_SPACING;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_should_layout (child))
        continue;
      gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &sizes[i].minimum_size,
                          &sizes[i].natural_size, NULL, NULL);
      sizes[i].data = child;
      available -= sizes[i].minimum_size;
      if (gtk_widget_compute_expand (child, GTK_ORIENTATION_HORIZONTAL))
        n_expand++;
      i++;
    }

  available = gtk_distribute_natural_allocation (MAX (available, 0), n, sizes);
  for (i = 0; i < n; i++)
    {
      widths[i] = sizes[i].minimum_size;
      if (n_expand > 0 && gtk_widget_compute_expand (sizes[i].data, GTK_ORIENTATION_HORIZONTAL))
        widths[i] += available / (int)n_expand;
    }
}

static GtkSizeRequestMode
tr_item_line_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
tr_item_line_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                      int *natural, int *minimum_baseline, int *natural_baseline)
{
  guint n = item_line_n_children (widget);
  int *widths;
  guint i = 0;

  *minimum = *natural = 0;
  if (n == 0)
    return;

  /* A width for a height is answered as the width for any height: the
   * line is only ever laid out height-for-width. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        {
          int child_min, child_nat;

          if (!gtk_widget_should_layout (child))
            continue;
          gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &child_min, &child_nat, NULL,
                              NULL);
          *minimum += child_min;
          *natural += child_nat;
        }
      *minimum += (int)(n - 1) * ITEM_LINE_SPACING;
      *natural += (int)(n - 1) * ITEM_LINE_SPACING;
      return;
    }

  if (for_size < 0)
    {
      int natural_width;

      tr_item_line_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &for_size, &natural_width, NULL,
                            NULL);
    }
  widths = g_newa (int, n);
  item_line_distribute (widget, for_size, n, widths);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min, child_nat;

      if (!gtk_widget_should_layout (child))
        continue;
      gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, widths[i++], &child_min, &child_nat,
                          NULL, NULL);
      *minimum = MAX (*minimum, child_min);
      *natural = MAX (*natural, child_nat);
    }
}

static void
tr_item_line_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  guint n = item_line_n_children (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  int *widths;
  int x = 0;
  guint i = 0;

  if (n == 0)
    return;
  widths = g_newa (int, n);
  item_line_distribute (widget, width, n, widths);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int w;

      if (!gtk_widget_should_layout (child))
        continue;
      w = widths[i++];
      gtk_widget_size_allocate (child, &(GtkAllocation){ rtl ? width - x - w : x, 0, w, height },
                                -1);
      x += w + ITEM_LINE_SPACING;
    }
}

static void
tr_item_line_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (tr_item_line_parent_class)->dispose (object);
}

static void
tr_item_line_class_init (TrItemLineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tr_item_line_dispose;
  widget_class->get_request_mode = tr_item_line_get_request_mode;
  widget_class->measure = tr_item_line_measure;
  widget_class->size_allocate = tr_item_line_size_allocate;
  gtk_widget_class_set_css_name (widget_class, "box");
  /* As the GtkBox it stands in for. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tr_item_line_init (TrItemLine *self)
{
}

static void
item_line_append (GtkWidget *line, GtkWidget *child)
{
  gtk_widget_set_parent (child, line);
}

/* What changed on @item since the acknowledgement, as a mask of
 * 1 << TrChangeKind. */
static guint
item_changes (const TrTicket *ticket, const TrItem *item, gint64 acked_at)
{
  guint mask = 0;

  for (guint i = 0; i < ticket->changes->len; i++)
    {
      const TrChange *change = g_ptr_array_index (ticket->changes, i);

      if (change->at > acked_at && g_strcmp0 (change->item_id, item->id) == 0)
        mask |= 1u << change->kind;
    }
  return mask;
}

static void
set_css_class (GtkWidget *widget, const char *css_class, gboolean set)
{
  if (set)
    gtk_widget_add_css_class (widget, css_class);
  else
    gtk_widget_remove_css_class (widget, css_class);
}

static void
format_elapsed (char *out, gsize out_len, gint64 elapsed_ms)
{
  gint64 seconds = MAX (elapsed_ms, 0) / 1000;

  /* Minutes keep counting past the hour: a cook reads "72:05" at once,
   * and a ticket that old is the problem anyway. */
  g_snprintf (out, out_len, "%02" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT, seconds / 60,
              seconds % 60);
}

static void
update_time (TrTicketCard *self)
{
  const TrTicket *ticket;
  TrTicketAge age = TR_TICKET_AGE_FRESH;
  gint64 elapsed;
  char text[32];

  if (self->ticket == NULL || self->clock == NULL)
    return;

  /* The grid keeps many more cards than it shows; a label that changes
   * queues a relayout, so only cards on screen follow the clock (they
   * catch up when mapped). */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;

  ticket = tr_ticket_object_get_ticket (self->ticket);
  elapsed = tr_clock_get_now (self->clock) - ticket->created_at;
  format_elapsed (text, sizeof text, elapsed);

  /* Most ticks change only the seconds; the label is the only thing to
   * redraw then. */
  if (g_strcmp0 (text, self->timer_text) != 0)
    {
      g_strlcpy (self->timer_text, text, sizeof self->timer_text);
      gtk_inscription_set_text (self->timer_label, text);
    }

  if (ticket->status != TR_TICKET_STATUS_CANCELLED)
    {
      if (elapsed >= (gint64)self->late_minutes * MS_PER_MINUTE)
        age = TR_TICKET_AGE_LATE;
      else if (elapsed >= (gint64)self->warn_minutes * MS_PER_MINUTE)
        age = TR_TICKET_AGE_WARN;
    }

  if (age != self->age)
    {
      self->age = age;
      set_css_class (GTK_WIDGET (self), "warn", age == TR_TICKET_AGE_WARN);
      set_css_class (GTK_WIDGET (self), "late", age == TR_TICKET_AGE_LATE);
    }
}

static GtkWidget *
new_label (const char *text, const char *css_class, gboolean wrap)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (wrap)
    {
      /* A wrapping label asks for its whole text as natural width; the
       * flow box would give such cards a line each. */
      gtk_label_set_max_width_chars (GTK_LABEL (label), 12);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
    }
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static GtkWidget *
new_allergen_rows (const TrItem *item)
{
  GtkWidget *rows = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *row = NULL;

  gtk_widget_add_css_class (rows, "allergens");
  for (guint i = 0; item->allergens[i] != NULL; i++)
    {
      g_autofree char *upper = g_utf8_strup (item->allergens[i], -1);
      /* Translators: an allergen badge, e.g. "⚠ NUTS"; keep the sign */
      g_autofree char *text = g_strdup_printf (_ ("⚠ %s"), upper);
      GtkWidget *badge = gtk_label_new (text);

      gtk_widget_add_css_class (badge, "allergen-badge");
      if (i % ALLERGENS_PER_ROW == 0)
        {
          row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
          gtk_box_append (GTK_BOX (rows), row);
        }
      gtk_box_append (GTK_BOX (row), badge);
    }
  return rows;
}

/* Tags sit on the first line of a name that wraps. */
static GtkWidget *
new_tag (const char *text, const char *css_class)
{
  GtkWidget *tag = new_label (text, css_class, FALSE);

  gtk_widget_set_valign (tag, GTK_ALIGN_START);
  return tag;
}

static GtkWidget *
new_item_row (TrTicketCard *self, const TrTicket *ticket, const TrItem *item, guint changes)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *line = g_object_new (TR_TYPE_ITEM_LINE, NULL);
  GtkWidget *name;
  g_autofree char *quantity = g_strdup_printf ("%d", item->quantity);
  const char *status_class = tr_item_status_to_string (item->status);
  gboolean voided = item->status == TR_ITEM_STATUS_VOIDED;

  gtk_widget_add_css_class (button, "ticket-item");
  gtk_widget_add_css_class (button, status_class);
  gtk_widget_set_focus_on_click (button, FALSE);
  gtk_button_set_child (GTK_BUTTON (button), box);

  /* A voided or cancelled line is not something to cook. */
  if (!voided && ticket->status != TR_TICKET_STATUS_CANCELLED)
    {
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(ss)", ticket->id, item->id);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "kitchen.tap-item");
    }
  else
    gtk_widget_set_can_target (button, FALSE);

  gtk_box_append (GTK_BOX (box), line);
  item_line_append (line, new_tag (quantity, "item-quantity"));
  name = new_label (item->name, "item-name", TRUE);
  gtk_widget_set_hexpand (name, TRUE);
  item_line_append (line, name);

  if (changes & (1u << TR_CHANGE_ITEM_VOIDED))
    /* Translators: tag on an item the front of house voided */
    item_line_append (line, new_tag (_ ("VOID"), "change-tag"));
  else if (changes & (1u << TR_CHANGE_ITEM_ADDED))
    /* Translators: tag on an item added after the ticket was sent */
    item_line_append (line, new_tag (_ ("NEW"), "change-tag"));
  else if (changes != 0)
    /* Translators: tag on an item whose quantity, modifiers or note changed */
    item_line_append (line, new_tag (_ ("CHANGED"), "change-tag"));

  if (changes & (1u << TR_CHANGE_ITEM_VOIDED))
    gtk_widget_add_css_class (button, "voided-change");
  else if (changes & (1u << TR_CHANGE_ITEM_ADDED))
    gtk_widget_add_css_class (button, "added");
  else if (changes != 0)
    gtk_widget_add_css_class (button, "changed");

  /* The expo sees every station; say whose line it is. */
  if ((self->station == NULL || *self->station == '\0') && item->station != NULL
      && *item->station != '\0')
    item_line_append (line, new_tag (item->station, "item-station"));

  if (item->status == TR_ITEM_STATUS_PREPARING)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("media-playback-start-symbolic");

      gtk_widget_add_css_class (icon, "item-status-icon");
      gtk_widget_set_valign (icon, GTK_ALIGN_START);
      item_line_append (line, icon);
    }
  else if (item->status == TR_ITEM_STATUS_READY || item->status == TR_ITEM_STATUS_SERVED)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("object-select-symbolic");

      gtk_widget_add_css_class (icon, "item-status-icon");
      gtk_widget_set_valign (icon, GTK_ALIGN_START);
      item_line_append (line, icon);
    }

  if (item->modifiers[0] != NULL)
    {
      /* Translators: between an item's modifiers */
      g_autofree char *joined = g_strjoinv (C_ ("list of modifiers", " · "), item->modifiers);
      g_autofree char *text = g_strdup_printf ("+ %s", joined);

      gtk_box_append (GTK_BOX (box), new_label (text, "item-modifiers", TRUE));
    }
  if (item->note != NULL && *item->note != '\0')
    {
      /* Translators: an item's note from the server, in quotes */
      g_autofree char *text = g_strdup_printf (_ ("“%s”"), item->note);

      gtk_box_append (GTK_BOX (box), new_label (text, "item-note", TRUE));
    }
  if (item->allergens[0] != NULL)
    gtk_box_append (GTK_BOX (box), new_allergen_rows (item));

  {
    /* Say the state in words for screen readers; the strike-through and
     * the icons say it to the eye. */
    const char *state = "";

    switch (item->status)
      {
        case TR_ITEM_STATUS_PENDING:
          state = C_ ("item status", "To do");
          break;
        case TR_ITEM_STATUS_PREPARING:
          state = C_ ("item status", "Preparing");
          break;
        case TR_ITEM_STATUS_READY:
          state = C_ ("item status", "Ready");
          break;
        case TR_ITEM_STATUS_SERVED:
          state = C_ ("item status", "Served");
          break;
        case TR_ITEM_STATUS_VOIDED:
          state = C_ ("item status", "Voided");
          break;
        case TR_ITEM_N_STATUSES:
        default:
          break;
      }
    {
      g_autofree char *a11y = g_strdup_printf ("%d %s, %s", item->quantity, item->name, state);

      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y,
                                      -1);
    }
  }

  g_object_set_data_full (G_OBJECT (button), "item-id", g_strdup (item->id), g_free);
  return button;
}

static char *
describe_ticket_changes (const TrTicket *ticket, const char *station, gint64 acked_at)
{
  guint added = 0, voided = 0, changed = 0;
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < ticket->changes->len; i++)
    {
      const TrChange *change = g_ptr_array_index (ticket->changes, i);

      if (change->at <= acked_at || !tr_change_is_for_station (ticket, change, station))
        continue;
      switch (change->kind)
        {
          case TR_CHANGE_ITEM_ADDED:
            added++;
            break;
          case TR_CHANGE_ITEM_VOIDED:
            voided++;
            break;
          case TR_CHANGE_TABLE:
            g_ptr_array_add (parts,
                             /* Translators: a changed table, e.g. "Table 4 → 7" */
                             g_strdup_printf (_ ("Table %s → %s"),
                                              change->before ? change->before : "–",
                                              change->after ? change->after : "–"));
            break;
          case TR_CHANGE_NOTE:
            g_ptr_array_add (parts, g_strdup (_ ("Note changed")));
            break;
          case TR_CHANGE_PRIORITY:
            g_ptr_array_add (parts, g_strdup (_ ("Priority changed")));
            break;
          case TR_CHANGE_QUANTITY:
          case TR_CHANGE_MODIFIERS:
          case TR_CHANGE_ITEM_NOTE:
          case TR_N_CHANGE_KINDS:
          default:
            changed++;
            break;
        }
    }

  if (added > 0)
    g_ptr_array_insert (
      parts, 0,
      g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u added", "%u added", added), added));
  if (voided > 0)
    g_ptr_array_add (
      parts,
      g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u voided", "%u voided", voided), voided));
  if (changed > 0)
    g_ptr_array_add (
      parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u changed", "%u changed", changed),
                              changed));
  g_ptr_array_add (parts, NULL);

  {
    /* Translators: between the parts of a ticket's header line */
    g_autofree char *joined = g_strjoinv (C_ ("list of facts", " · "), (char **)parts->pdata);

    /* Translators: the banner on a modified ticket; %s lists the changes */
    return g_strdup_printf (_ ("MODIFIED: %s — tap to acknowledge"), joined);
  }
}

static void
clear_items (TrTicketCard *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->items_box))) != NULL)
    gtk_box_remove (self->items_box, child);
  g_ptr_array_set_size (self->shown_item_ids, 0);
}

static void
rebuild (TrTicketCard *self)
{
  const TrTicket *ticket;
  g_autofree char *title = NULL;
  g_autofree char *destination = NULL;
  gboolean cancelled;
  guint others = 0;

  clear_items (self);
  self->timer_text[0] = '\0';

  if (self->ticket == NULL)
    return;

  ticket = tr_ticket_object_get_ticket (self->ticket);
  cancelled = ticket->status == TR_TICKET_STATUS_CANCELLED;
  title = tr_ticket_object_dup_title (self->ticket);
  destination = tr_ticket_object_dup_destination (self->ticket);

  gtk_label_set_label (self->number_label, title);
  gtk_label_set_label (self->destination_label, destination);
  gtk_label_set_label (self->server_label, ticket->server);
  gtk_widget_set_visible (GTK_WIDGET (self->server_label),
                          ticket->server != NULL && *ticket->server != '\0');
  gtk_widget_set_visible (GTK_WIDGET (self->rush_label), ticket->priority == TR_PRIORITY_RUSH);
  set_css_class (GTK_WIDGET (self), "rush", ticket->priority == TR_PRIORITY_RUSH);
  set_css_class (GTK_WIDGET (self), "cancelled", cancelled);
  set_css_class (GTK_WIDGET (self), "ready", ticket->status == TR_TICKET_STATUS_READY);
  gtk_widget_set_visible (GTK_WIDGET (self->cancelled_label), cancelled);

  self->modified = !cancelled && tr_ticket_has_changes_for (ticket, self->station, self->acked_at);
  set_css_class (GTK_WIDGET (self), "modified", self->modified);
  gtk_widget_set_visible (GTK_WIDGET (self->modified_button), self->modified);
  if (self->modified)
    {
      g_autofree char *text = describe_ticket_changes (ticket, self->station, self->acked_at);

      gtk_label_set_label (self->modified_label, text);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->modified_button), "s", ticket->id);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->modified_button),
                                      "kitchen.acknowledge");
    }

  for (guint i = 0; i < ticket->items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (ticket->items, i);
      guint changes;

      if (!tr_item_is_for_station (item, self->station))
        {
          if (item->status != TR_ITEM_STATUS_VOIDED)
            others++;
          continue;
        }
      changes = item_changes (ticket, item, self->acked_at);
      /* A void is news until acknowledged, then only clutter; a
       * cancelled ticket keeps its lines so the cook sees what stopped. */
      if (item->status == TR_ITEM_STATUS_VOIDED && !cancelled
          && !(changes & (1u << TR_CHANGE_ITEM_VOIDED)))
        continue;

      gtk_box_append (self->items_box, new_item_row (self, ticket, item, changes));
      g_ptr_array_add (self->shown_item_ids, g_strdup (item->id));
    }

  gtk_widget_set_visible (GTK_WIDGET (self->other_label), others > 0);
  if (others > 0)
    {
      g_autofree char *text = g_strdup_printf (
        /* Translators: items of this ticket that other kitchen stations make */
        g_dngettext (GETTEXT_PACKAGE, "+ %u item at other stations", "+ %u items at other stations",
                     others),
        others);

      gtk_label_set_label (self->other_label, text);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->note_label), ticket->note != NULL && *ticket->note);
  gtk_label_set_label (self->note_label, ticket->note);

  /* The target first: an action name without its target is a warning. */
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->bump_button), "s", ticket->id);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->reprint_button), "s", ticket->id);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->reprint_button), "kitchen.reprint");
  /* A cancelled ticket is not to be made: no slip for it. */
  gtk_widget_set_visible (GTK_WIDGET (self->reprint_button), !cancelled && self->can_reprint);
  if (cancelled)
    {
      gtk_button_set_label (self->bump_button, _ ("Dismiss"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->bump_button), "kitchen.dismiss");
    }
  else
    {
      gtk_button_set_label (self->bump_button,
                            self->expo ? C_ ("expo bump", "Served") : C_ ("kitchen bump", "Bump"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->bump_button), "kitchen.bump");
    }

  {
    /* Translators: a ticket card's accessible name: its title, then its
     * table or order type */
    g_autofree char *a11y = g_strdup_printf (C_ ("ticket card", "%s, %s"), title, destination);

    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  }

  /* Start from fresh; update_time() adds the age class it finds. */
  self->age = TR_TICKET_AGE_FRESH;
  gtk_widget_remove_css_class (GTK_WIDGET (self), "warn");
  gtk_widget_remove_css_class (GTK_WIDGET (self), "late");
  update_time (self);
}

static void
tr_ticket_card_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (tr_ticket_card_parent_class)->map (widget);
  update_time (TR_TICKET_CARD (widget));
}

static void
tr_ticket_card_dispose (GObject *object)
{
  TrTicketCard *self = TR_TICKET_CARD (object);
  GtkWidget *child;

  if (self->clock != NULL)
    g_clear_signal_handler (&self->tick_handler, self->clock);
  g_clear_object (&self->clock);
  g_clear_object (&self->ticket);
  gtk_widget_dispose_template (GTK_WIDGET (self), TR_TYPE_TICKET_CARD);
  /* The header boxes are template children too, only not bound. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (tr_ticket_card_parent_class)->dispose (object);
}

static void
tr_ticket_card_finalize (GObject *object)
{
  TrTicketCard *self = TR_TICKET_CARD (object);

  g_free (self->station);
  g_ptr_array_unref (self->shown_item_ids);

  G_OBJECT_CLASS (tr_ticket_card_parent_class)->finalize (object);
}

static void
tr_ticket_card_class_init (TrTicketCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tr_ticket_card_dispose;
  object_class->finalize = tr_ticket_card_finalize;
  widget_class->map = tr_ticket_card_map;

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/ticketrail/Ticketrail/tr-ticket-card.ui");
  gtk_widget_class_set_css_name (widget_class, "ticketcard");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_bind_template_child (widget_class, TrTicketCard, number_label);
  gtk_widget_class_bind_template_child (widget_class, TrTicketCard, rush_label);
  gtk_widget_class_bind_template_child (widget_class, TrTicketCard, pending_image);
  gtk_widget_class_bind_template_child (widget_class, TrTicketCard, timer_label);
  gtk_widget_class_bind_template_child (widget_class, TrTicketCard, destination_label);
  gtk_widget_class_bind_template_child (widget_class, TrTicketCard, server_label);
  gtk_widget_class_bind_template_child (widget_class, TrTicketCard, modified_button);
  gtk_widget_class_bind_template_child (widget_class, TrTicketCard, modified_label);
  gtk_widget_class_bind_template_child (widget_class, TrTicketCard, cancelled_label);
  gtk_widget_class_bind_template_child (widget_class, TrTicketCard, items_box);
  gtk_widget_class_bind_template_child (widget_class, TrTicketCard, other_label);
  gtk_widget_class_bind_template_child (widget_class, TrTicketCard, note_label);
  gtk_widget_class_bind_template_child (widget_class, TrTicketCard, bump_button);
  gtk_widget_class_bind_template_child (widget_class, TrTicketCard, reprint_button);
}

static void
tr_ticket_card_init (TrTicketCard *self)
{
  self->shown_item_ids = g_ptr_array_new_with_free_func (g_free);
  self->warn_minutes = 8;
  self->late_minutes = 15;
  self->can_reprint = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self->pending_image), FALSE);
}

GtkWidget *
tr_ticket_card_new (void)
{
  return g_object_new (TR_TYPE_TICKET_CARD, NULL);
}

TrTicketObject *
tr_ticket_card_get_ticket (TrTicketCard *self)
{
  g_return_val_if_fail (TR_IS_TICKET_CARD (self), NULL);

  return self->ticket;
}

void
tr_ticket_card_set_ticket (TrTicketCard *self, TrTicketObject *ticket)
{
  g_return_if_fail (TR_IS_TICKET_CARD (self));
  g_return_if_fail (ticket == NULL || TR_IS_TICKET_OBJECT (ticket));

  if (self->ticket == ticket)
    return;
  g_set_object (&self->ticket, ticket);
  rebuild (self);
}

void
tr_ticket_card_configure (TrTicketCard *self, TrClock *clock, const char *station, gboolean expo,
                          guint warn_minutes, guint late_minutes)
{
  gboolean changed = FALSE;

  g_return_if_fail (TR_IS_TICKET_CARD (self));
  g_return_if_fail (clock == NULL || TR_IS_CLOCK (clock));

  if (clock != self->clock)
    {
      if (self->clock != NULL)
        g_clear_signal_handler (&self->tick_handler, self->clock);
      g_set_object (&self->clock, clock);
      if (clock != NULL)
        self->tick_handler
          = g_signal_connect_swapped (clock, "tick", G_CALLBACK (update_time), self);
      changed = TRUE;
    }
  if (station != NULL && *station == '\0')
    station = NULL;
  if (g_strcmp0 (station, self->station) != 0)
    {
      g_free (self->station);
      self->station = g_strdup (station);
      changed = TRUE;
    }
  if (!!expo != self->expo || warn_minutes != self->warn_minutes
      || late_minutes != self->late_minutes)
    {
      self->expo = !!expo;
      self->warn_minutes = warn_minutes;
      self->late_minutes = late_minutes;
      changed = TRUE;
    }

  if (changed)
    rebuild (self);
}

void
tr_ticket_card_set_selected (TrTicketCard *self, gboolean selected)
{
  g_return_if_fail (TR_IS_TICKET_CARD (self));

  selected = !!selected;
  if (self->selected == selected)
    return;
  self->selected = selected;
  set_css_class (GTK_WIDGET (self), "selected", selected);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_STATE_SELECTED, selected, -1);
}

gboolean
tr_ticket_card_get_selected (TrTicketCard *self)
{
  g_return_val_if_fail (TR_IS_TICKET_CARD (self), FALSE);

  return self->selected;
}

void
tr_ticket_card_set_pending (TrTicketCard *self, gboolean pending)
{
  g_return_if_fail (TR_IS_TICKET_CARD (self));

  self->pending = !!pending;
  gtk_widget_set_visible (GTK_WIDGET (self->pending_image), self->pending);
}

void
tr_ticket_card_set_can_reprint (TrTicketCard *self, gboolean can_reprint)
{
  const TrTicket *ticket;

  g_return_if_fail (TR_IS_TICKET_CARD (self));

  if (self->can_reprint == !!can_reprint)
    return;
  self->can_reprint = !!can_reprint;
  ticket = self->ticket != NULL ? tr_ticket_object_get_ticket (self->ticket) : NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->reprint_button),
                          self->can_reprint && ticket != NULL
                            && ticket->status != TR_TICKET_STATUS_CANCELLED);
}

gboolean
tr_ticket_card_get_pending (TrTicketCard *self)
{
  g_return_val_if_fail (TR_IS_TICKET_CARD (self), FALSE);

  return self->pending;
}

void
tr_ticket_card_set_acknowledged (TrTicketCard *self, gint64 acked_at)
{
  g_return_if_fail (TR_IS_TICKET_CARD (self));

  if (self->acked_at == acked_at)
    return;
  self->acked_at = acked_at;
  rebuild (self);
}

gboolean
tr_ticket_card_get_modified (TrTicketCard *self)
{
  g_return_val_if_fail (TR_IS_TICKET_CARD (self), FALSE);

  return self->modified;
}

TrTicketAge
tr_ticket_card_get_age (TrTicketCard *self)
{
  g_return_val_if_fail (TR_IS_TICKET_CARD (self), TR_TICKET_AGE_FRESH);

  return self->age;
}

const char *
tr_ticket_card_get_timer_text (TrTicketCard *self)
{
  g_return_val_if_fail (TR_IS_TICKET_CARD (self), NULL);

  return self->timer_text;
}

GStrv
tr_ticket_card_dup_shown_item_ids (TrTicketCard *self)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (TR_IS_TICKET_CARD (self), NULL);

  for (guint i = 0; i < self->shown_item_ids->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->shown_item_ids, i));
  return g_strv_builder_end (builder);
}
