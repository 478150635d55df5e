/* tr-slip.c: what a kitchen printer puts on paper, line by line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-slip"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tr-slip.h"

#include "tr-kitchen-rules.h"

/* ---- Lines ---- */

static void
slip_line_free (TrSlipLine *line)
{
  g_free (line->text);
  g_free (line);
}

void
tr_slip_free (TrSlip *slip)
{
  if (slip == NULL)
    return;
  g_ptr_array_unref (slip->lines);
  g_free (slip);
}

static TrSlip *
slip_new (TrSlipKind kind, const TrSlipOptions *options)
{
  TrSlip *slip = g_new0 (TrSlip, 1);

  slip->kind = kind;
  slip->columns = CLAMP (options->columns, TR_SLIP_MIN_COLUMNS, TR_SLIP_MAX_COLUMNS);
  slip->lines = g_ptr_array_new_with_free_func ((GDestroyNotify)slip_line_free);
  return slip;
}

static guint
width_of (const TrSlip *slip, TrSlipStyle style)
{
  return (style & TR_SLIP_STYLE_DOUBLE) ? slip->columns / 2 : slip->columns;
}

static void
add_line_take (TrSlip *slip, TrSlipStyle style, char *text)
{
  TrSlipLine *line = g_new (TrSlipLine, 1);

  line->text = text;
  line->style = style;
  g_ptr_array_add (slip->lines, line);
}

/* A reversed line is a black bar across the paper, not a black box
 * around the words: padded to the full width. */
static char *
pad_reversed (const char *text, guint width, TrSlipStyle style)
{
  glong length = g_utf8_strlen (text, -1);
  GString *line;
  guint left;

  if (!(style & TR_SLIP_STYLE_REVERSED) || length >= (glong)width)
    return g_strdup (text);
  line = g_string_new (NULL);
  left = (style & TR_SLIP_STYLE_CENTRED) ? (width - (guint)length) / 2 : 0;
  for (guint i = 0; i < left; i++)
    g_string_append_c (line, ' ');
  g_string_append (line, text);
  while ((guint)g_utf8_strlen (line->str, -1) < width)
    g_string_append_c (line, ' ');
  return g_string_free (line, FALSE);
}

/* Words onto lines of the style's width: @first before the first line,
 * @rest before the others, so that a long name or note hangs under its
 * own start. A word longer than a line is cut. */
static void
add_wrapped (TrSlip *slip, TrSlipStyle style, const char *first, const char *rest, const char *text)
{
  guint width = width_of (slip, style);
  guint rest_indent = (guint)g_utf8_strlen (rest, -1);
  g_auto (GStrv) words = g_strsplit_set (text != NULL ? text : "", " \t\r\n", -1);
  g_autoptr (GString) line = g_string_new (first);
  guint used = (guint)g_utf8_strlen (first, -1);
  gboolean empty = TRUE; /* no word on the line yet */
  guint added = 0;

  /* Indents never take the whole line (a double line on 58 mm paper
   * has 16 columns). */
  if (used >= width / 2)
    {
      g_string_truncate (line, 0);
      used = 0;
    }
  if (rest_indent >= width / 2)
    rest = "", rest_indent = 0;
  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *word = words[i];
      guint length = (guint)g_utf8_strlen (word, -1);

      if (length == 0)
        continue;
      if (!empty && used + 1 + length > width)
        {
          add_line_take (slip, style, pad_reversed (line->str, width, style));
          added++;
          g_string_assign (line, rest);
          used = rest_indent;
          empty = TRUE;
        }
      if (!empty)
        {
          g_string_append_c (line, ' ');
          used++;
        }
      /* Only a word alone on its line can be too wide: it goes on in
       * pieces. */
      while (used + length > width)
        {
          guint room = width - used;
          const char *cut = g_utf8_offset_to_pointer (word, room);

          g_string_append_len (line, word, cut - word);
          add_line_take (slip, style, pad_reversed (line->str, width, style));
          added++;
          g_string_assign (line, rest);
          used = rest_indent;
          word = cut;
          length -= room;
        }
      g_string_append (line, word);
      used += length;
      empty = FALSE;
    }
  if (!empty || added == 0)
    add_line_take (slip, style, pad_reversed (line->str, width, style));
}

static void
add_text (TrSlip *slip, TrSlipStyle style, const char *text)
{
  add_wrapped (slip, style, "", "", text);
}

static void
add_rule (TrSlip *slip)
{
  add_line_take (slip, TR_SLIP_STYLE_PLAIN, g_strnfill (slip->columns, '-'));
}

static void
add_blank (TrSlip *slip)
{
  add_line_take (slip, TR_SLIP_STYLE_PLAIN, g_strdup (""));
}

/* A word on a black bar across the paper: RUSH, AMENDED, REPRINT. */
static void
add_banner (TrSlip *slip, const char *word)
{
  add_text (slip,
            TR_SLIP_STYLE_DOUBLE | TR_SLIP_STYLE_BOLD | TR_SLIP_STYLE_REVERSED
              | TR_SLIP_STYLE_CENTRED,
            word);
}

/* ---- The ticket's head ---- */

static char *
format_time (gint64 at_ms, GTimeZone *time_zone)
{
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) local = NULL;

  if (at_ms <= 0)
    return g_strdup ("--:--");
  utc = g_date_time_new_from_unix_utc (at_ms / 1000);
  if (utc == NULL)
    return g_strdup ("--:--");
  if (time_zone != NULL)
    local = g_date_time_to_timezone (utc, time_zone);
  else
    local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%H:%M");
}

static char *
dup_destination (const TrTicket *ticket)
{
  switch (ticket->order_type)
    {
      case TR_ORDER_TYPE_DINE_IN:
        if (ticket->table != NULL && ticket->table[0] != '\0')
          /* Translators: the table a dine-in order goes to */
          return g_strdup_printf (C_ ("printed slip", "Table %s"), ticket->table);
        return g_strdup (C_ ("printed slip", "Dine-In"));

      case TR_ORDER_TYPE_TAKEAWAY:
        return g_strdup (C_ ("printed slip", "Takeaway"));

      case TR_ORDER_TYPE_DELIVERY:
        return g_strdup (C_ ("printed slip", "Delivery"));

      case TR_ORDER_TYPE_PICKUP:
        return g_strdup (C_ ("printed slip", "Pickup"));

      case TR_N_ORDER_TYPES:
      default:
        return g_strdup (C_ ("printed slip", "Order"));
    }
}

static void
add_number (TrSlip *slip, const TrTicket *ticket)
{
  /* Translators: a ticket number as cooks call it out, e.g. "#1042" */
  add_line_take (slip, TR_SLIP_STYLE_DOUBLE | TR_SLIP_STYLE_BOLD,
                 g_strdup_printf (C_ ("printed slip", "#%d"), ticket->number));
}

/* Number, route, where it goes, who serves it, when: the lines a cook
 * looks at first. @when_label says what the time is. */
static void
add_head (TrSlip *slip, const TrTicket *ticket, const TrSlipOptions *options, const char *mark,
          const char *when_label, gint64 when)
{
  g_autofree char *destination = dup_destination (ticket);
  g_autofree char *time = format_time (when, options->time_zone);
  g_autofree char *when_line = g_strdup_printf ("%s %s", when_label, time);
  g_autoptr (GString) people = g_string_new (NULL);

  if (mark != NULL)
    add_banner (slip, mark);
  add_number (slip, ticket);
  if (options->route != NULL && options->route[0] != '\0')
    {
      g_autofree char *route = g_utf8_strup (options->route, -1);

      add_text (slip, TR_SLIP_STYLE_BOLD, route);
    }
  if (ticket->priority == TR_PRIORITY_RUSH)
    /* Translators: printed reversed on a rush ticket's slip; short, in
     * capitals where the script has them */
    add_banner (slip, C_ ("printed slip", "RUSH"));
  add_text (slip, TR_SLIP_STYLE_DOUBLE | TR_SLIP_STYLE_BOLD, destination);
  if (ticket->server != NULL && ticket->server[0] != '\0')
    /* Translators: on a printed slip, who serves the order */
    g_string_append_printf (people, C_ ("printed slip", "Server: %s"), ticket->server);
  if (ticket->guests > 0)
    {
      if (people->len > 0)
        g_string_append (people, " · ");
      /* Translators: on a printed slip, how many guests */
      g_string_append_printf (people, C_ ("printed slip", "Guests: %d"), ticket->guests);
    }
  if (people->len > 0)
    add_text (slip, TR_SLIP_STYLE_PLAIN, people->str);
  add_text (slip, TR_SLIP_STYLE_PLAIN, when_line);
  add_rule (slip);
}

/* ---- Items ---- */

static char *
item_label (int quantity, const char *name)
{
  return g_strdup_printf ("%d x %s", quantity, name != NULL ? name : "");
}

/* Modifiers, allergens and the note under an item, indented under its
 * name. Allergens are what must not be missed: bold and reversed. */
static void
add_item_details (TrSlip *slip, const TrItem *item)
{
  for (guint i = 0; item->modifiers[i] != NULL; i++)
    add_wrapped (slip, TR_SLIP_STYLE_PLAIN, "    + ", "      ", item->modifiers[i]);
  if (item->allergens[0] != NULL)
    {
      g_autofree char *list = g_strjoinv (", ", item->allergens);
      /* Translators: on a printed slip, the allergens of an item, e.g.
       * "ALLERGY: gluten, milk"; in capitals where the script has them */
      g_autofree char *text = g_strdup_printf (C_ ("printed slip", "ALLERGY: %s"), list);

      add_wrapped (slip, TR_SLIP_STYLE_BOLD | TR_SLIP_STYLE_REVERSED, "    ", "    ", text);
    }
  if (item->note != NULL && item->note[0] != '\0')
    {
      /* Translators: on a printed slip, the note on an item or ticket */
      g_autofree char *text = g_strdup_printf (C_ ("printed slip", "Note: %s"), item->note);

      add_wrapped (slip, TR_SLIP_STYLE_BOLD, "    ", "      ", text);
    }
}

static void
add_item (TrSlip *slip, const TrItem *item, const char *prefix)
{
  g_autofree char *label = item_label (item->quantity, item->name);
  g_autofree char *first = g_strconcat (prefix, label, NULL);
  g_autofree char *rest = g_strnfill (MIN ((guint)g_utf8_strlen (prefix, -1) + 4, 8), ' ');

  add_wrapped (slip, TR_SLIP_STYLE_BOLD, "", rest, first);
  add_item_details (slip, item);
}

static gboolean
is_for (const TrItem *item, const TrSlipOptions *options)
{
  return tr_item_is_for_station (item, options->route);
}

static int
compare_course (gconstpointer a, gconstpointer b)
{
  const TrItem *x = *(const TrItem *const *)a;
  const TrItem *y = *(const TrItem *const *)b;

  return x->course - y->course;
}

/* The live items for the route, by course (stable: the order taken). */
static GPtrArray *
items_to_print (const TrTicket *ticket, const TrSlipOptions *options)
{
  GPtrArray *items = g_ptr_array_new ();

  for (guint i = 0; i < ticket->items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (ticket->items, i);

      if (item->status != TR_ITEM_STATUS_VOIDED && is_for (item, options))
        g_ptr_array_add (items, (gpointer)item);
    }
  /* g_ptr_array_sort is not stable; a merge by hand keeps the order. */
  for (guint i = 1; i < items->len; i++)
    for (guint j = i; j > 0 && compare_course (&items->pdata[j - 1], &items->pdata[j]) > 0; j--)
      {
        gpointer swap = items->pdata[j];

        items->pdata[j] = items->pdata[j - 1];
        items->pdata[j - 1] = swap;
      }
  return items;
}

static void
add_course_heading (TrSlip *slip, int course)
{
  /* Translators: a course heading on a printed slip, e.g. "Course 2" */
  g_autofree char *heading = g_strdup_printf (C_ ("printed slip", "Course %d"), course);

  add_text (slip, TR_SLIP_STYLE_BOLD | TR_SLIP_STYLE_REVERSED, heading);
}

static void
add_ticket_note (TrSlip *slip, const char *note)
{
  if (note != NULL && note[0] != '\0')
    {
      g_autofree char *text = g_strdup_printf (C_ ("printed slip", "Note: %s"), note);

      add_rule (slip);
      add_text (slip, TR_SLIP_STYLE_BOLD, text);
    }
}

TrSlip *
tr_slip_new_ticket (const TrTicket *ticket, const TrSlipOptions *options)
{
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (TrSlip) slip = NULL;
  int course = -1;
  gboolean coursed = FALSE;

  g_return_val_if_fail (ticket != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);

  items = items_to_print (ticket, options);
  if (items->len == 0)
    return NULL;
  for (guint i = 0; i < items->len; i++)
    coursed |= ((const TrItem *)g_ptr_array_index (items, i))->course > 0;

  slip = slip_new (TR_SLIP_TICKET, options);
  /* Translators: printed reversed on a slip printed again on purpose */
  add_head (slip, ticket, options, options->reprint ? C_ ("printed slip", "REPRINT") : NULL,
            /* Translators: on a printed slip, before the time the order
             * was taken, e.g. "Ordered 12:03" */
            C_ ("printed slip", "Ordered"), ticket->created_at);
  for (guint i = 0; i < items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (items, i);

      if (coursed && item->course != course)
        {
          course = item->course;
          if (course > 0)
            add_course_heading (slip, course);
        }
      add_item (slip, item, "");
    }
  add_ticket_note (slip, ticket->note);
  return g_steal_pointer (&slip);
}

/* ---- Amendments ---- */

/* Modifiers that @a has and @b has not, one line each with @sign. */
static guint
add_modifier_changes (TrSlip *slip, const char *const *a, const char *const *b, const char *sign)
{
  guint n = 0;

  for (guint i = 0; a[i] != NULL; i++)
    if (!g_strv_contains (b, a[i]))
      {
        g_autofree char *first = g_strdup_printf ("    %s ", sign);

        add_wrapped (slip, TR_SLIP_STYLE_BOLD, first, "      ", a[i]);
        n++;
      }
  return n;
}

/* The lines of one item's change, or none. */
static guint
add_item_change (TrSlip *slip, const TrItem *before, const TrItem *after)
{
  gboolean was_live = before != NULL && before->status != TR_ITEM_STATUS_VOIDED;
  gboolean is_live = after->status != TR_ITEM_STATUS_VOIDED;
  guint n = 0;

  if (!was_live && is_live)
    {
      /* Translators: on an AMENDED slip, before an item added, e.g.
       * "ADD 1 x Salad"; short, capitals where the script has them */
      g_autofree char *prefix = g_strdup_printf ("%s ", C_ ("printed slip", "ADD"));

      add_item (slip, after, prefix);
      return 1;
    }
  if (was_live && !is_live)
    {
      g_autofree char *label = item_label (before->quantity, before->name);
      /* Translators: on an AMENDED slip, an item taken off the order,
       * e.g. "VOID 2 x Fries"; short, capitals where the script has
       * them */
      g_autofree char *text = g_strdup_printf (C_ ("printed slip", "VOID %s"), label);

      add_wrapped (slip, TR_SLIP_STYLE_BOLD | TR_SLIP_STYLE_REVERSED, "", "    ", text);
      return 1;
    }
  if (!is_live)
    return 0;
  if (before->quantity == after->quantity
      && g_strv_equal ((const char *const *)before->modifiers, (const char *const *)after->modifiers)
      && g_strv_equal ((const char *const *)before->allergens, (const char *const *)after->allergens)
      && g_strcmp0 (before->note, after->note) == 0 && g_strcmp0 (before->name, after->name) == 0)
    return 0;

  if (before->quantity != after->quantity)
    {
      /* Translators: on an AMENDED slip, a quantity changed, e.g.
       * "QTY 2 -> 3 x Burger" */
      g_autofree char *text = g_strdup_printf (C_ ("printed slip", "QTY %d -> %d x %s"),
                                               before->quantity, after->quantity, after->name);

      add_wrapped (slip, TR_SLIP_STYLE_BOLD, "", "    ", text);
    }
  else
    {
      g_autofree char *label = item_label (after->quantity, after->name);
      /* Translators: on an AMENDED slip, before an item whose details
       * changed, e.g. "CHANGE 1 x Burger" */
      g_autofree char *text = g_strdup_printf (C_ ("printed slip", "CHANGE %s"), label);

      add_wrapped (slip, TR_SLIP_STYLE_BOLD, "", "    ", text);
    }
  n++;
  n += add_modifier_changes (slip, (const char *const *)after->modifiers,
                             (const char *const *)before->modifiers, "+");
  n += add_modifier_changes (slip, (const char *const *)before->modifiers,
                             (const char *const *)after->modifiers, "-");
  if (!g_strv_equal ((const char *const *)before->allergens, (const char *const *)after->allergens)
      && after->allergens[0] != NULL)
    {
      g_autofree char *list = g_strjoinv (", ", after->allergens);
      g_autofree char *text = g_strdup_printf (C_ ("printed slip", "ALLERGY: %s"), list);

      add_wrapped (slip, TR_SLIP_STYLE_BOLD | TR_SLIP_STYLE_REVERSED, "    ", "    ", text);
    }
  if (g_strcmp0 (before->note, after->note) != 0)
    {
      g_autofree char *text
        = g_strdup_printf (C_ ("printed slip", "Note: %s"), after->note ? after->note : "-");

      add_wrapped (slip, TR_SLIP_STYLE_BOLD, "    ", "      ", text);
    }
  return n;
}

/* The ticket's own changes that concern every cook on it: where it
 * goes, that it became a rush, its note. */
static guint
add_ticket_changes (TrSlip *slip, const TrTicket *before, const TrTicket *after)
{
  guint n = 0;

  if (g_strcmp0 (before->table, after->table) != 0 || before->order_type != after->order_type)
    {
      g_autofree char *was = dup_destination (before);
      g_autofree char *now = dup_destination (after);
      g_autofree char *text = g_strdup_printf ("%s -> %s", was, now);

      add_text (slip, TR_SLIP_STYLE_BOLD, text);
      n++;
    }
  if (g_strcmp0 (before->note, after->note) != 0)
    {
      g_autofree char *text
        = g_strdup_printf (C_ ("printed slip", "Note: %s"), after->note ? after->note : "-");

      add_text (slip, TR_SLIP_STYLE_BOLD, text);
      n++;
    }
  return n;
}

TrSlip *
tr_slip_new_amendment (const TrTicket *before, const TrTicket *after, const TrSlipOptions *options)
{
  g_autoptr (TrSlip) body = NULL;
  g_autoptr (TrSlip) slip = NULL;
  guint n = 0;

  g_return_val_if_fail (before != NULL && after != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);

  /* The body first, to know whether there is anything to print. */
  body = slip_new (TR_SLIP_AMENDMENT, options);
  for (guint i = 0; i < after->items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (after->items, i);

      if (is_for (item, options))
        n += add_item_change (body, tr_ticket_find_item (before, item->id), item);
    }
  /* A ticket that turns rush matters only where something is cooked. */
  if (n == 0 && !(before->priority != after->priority && after->priority == TR_PRIORITY_RUSH))
    {
      g_autoptr (GPtrArray) items = items_to_print (after, options);

      if (items->len == 0)
        return NULL;
    }
  n += add_ticket_changes (body, before, after);
  if (before->priority != after->priority && after->priority == TR_PRIORITY_RUSH)
    n++;
  if (n == 0)
    return NULL;

  slip = slip_new (TR_SLIP_AMENDMENT, options);
  /* Translators: printed reversed on top of a slip that lists only the
   * changes to a ticket; short, capitals where the script has them */
  add_head (slip, after, options, C_ ("printed slip", "AMENDED"),
            /* Translators: on a printed slip, before the time the order
             * was changed, e.g. "Amended 12:10" */
            C_ ("printed slip", "Amended"), after->updated_at);
  for (guint i = 0; i < body->lines->len; i++)
    {
      TrSlipLine *line = g_ptr_array_index (body->lines, i);

      add_line_take (slip, line->style, g_steal_pointer (&line->text));
    }
  return g_steal_pointer (&slip);
}

/* ---- Ready chits and test pages ---- */

static gint64
ready_at (const TrTicket *ticket)
{
  gint64 at = 0;

  for (guint i = 0; i < ticket->items->len; i++)
    at = MAX (at, ((const TrItem *)g_ptr_array_index (ticket->items, i))->ready_at);
  return at != 0 ? at : ticket->updated_at;
}

TrSlip *
tr_slip_new_ready_chit (const TrTicket *ticket, const TrSlipOptions *options)
{
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (TrSlip) slip = NULL;

  g_return_val_if_fail (ticket != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);

  items = items_to_print (ticket, options);
  if (items->len == 0)
    return NULL;
  slip = slip_new (TR_SLIP_READY_CHIT, options);
  /* Translators: printed reversed on the chit of a ticket that is ready
   * to go out; short, capitals where the script has them */
  add_head (slip, ticket, options, C_ ("printed slip", "READY"),
            /* Translators: on a printed chit, before the time the order
             * was ready, e.g. "Ready 12:20" */
            C_ ("printed slip", "Ready"), ready_at (ticket));
  for (guint i = 0; i < items->len; i++)
    {
      const TrItem *item = g_ptr_array_index (items, i);
      g_autofree char *label = item_label (item->quantity, item->name);

      add_wrapped (slip, TR_SLIP_STYLE_PLAIN, "", "    ", label);
    }
  return g_steal_pointer (&slip);
}

TrSlip *
tr_slip_new_test_page (const char *printer_name, const char *address, gint64 now,
                       const TrSlipOptions *options)
{
  g_autoptr (TrSlip) slip = NULL;
  g_autofree char *time = NULL;
  g_autofree char *columns = NULL;
  g_autofree char *at = NULL;
  GString *ruler;

  g_return_val_if_fail (options != NULL, NULL);

  slip = slip_new (TR_SLIP_TEST_PAGE, options);
  /* Translators: printed reversed on top of a printer's test page */
  add_banner (slip, C_ ("printed slip", "TEST PAGE"));
  add_text (slip, TR_SLIP_STYLE_DOUBLE | TR_SLIP_STYLE_BOLD,
            printer_name != NULL ? printer_name : "");
  if (address != NULL)
    add_text (slip, TR_SLIP_STYLE_PLAIN, address);
  /* Translators: on a printer's test page, how many characters fit on a
   * line */
  columns = g_strdup_printf (C_ ("printed slip", "Columns: %u"), slip->columns);
  add_text (slip, TR_SLIP_STYLE_PLAIN, columns);
  time = format_time (now, options->time_zone);
  /* Translators: on a printer's test page, when it was printed */
  at = g_strdup_printf (C_ ("printed slip", "Printed %s"), time);
  add_text (slip, TR_SLIP_STYLE_PLAIN, at);
  add_rule (slip);
  /* Every column numbered: a cut-off ruler shows a wrong width. */
  ruler = g_string_new (NULL);
  for (guint i = 1; i <= slip->columns; i++)
    g_string_append_c (ruler, (char)('0' + i % 10));
  add_line_take (slip, TR_SLIP_STYLE_PLAIN, g_string_free (ruler, FALSE));
  /* Translators: on a printer's test page, printed in bold */
  add_text (slip, TR_SLIP_STYLE_BOLD, C_ ("printed slip", "Bold"));
  /* Translators: on a printer's test page, printed double size */
  add_text (slip, TR_SLIP_STYLE_DOUBLE, C_ ("printed slip", "Double"));
  /* Translators: on a printer's test page, printed white on black */
  add_text (slip, TR_SLIP_STYLE_REVERSED, C_ ("printed slip", "Reversed"));
  /* Letters a Western European kitchen needs; what the code page lacks
   * comes out transliterated or as "?". */
  add_text (slip, TR_SLIP_STYLE_PLAIN, "àéîõü ñ ç ß € £");
  add_blank (slip);
  return g_steal_pointer (&slip);
}

char *
tr_slip_to_text (const TrSlip *slip)
{
  GString *text;

  g_return_val_if_fail (slip != NULL, NULL);

  text = g_string_new (NULL);
  for (guint i = 0; i < slip->lines->len; i++)
    {
      const TrSlipLine *line = g_ptr_array_index (slip->lines, i);

      g_string_append (text, line->text);
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}
