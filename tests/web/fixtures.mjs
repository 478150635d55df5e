// Sample orders for the browser display tests, shaped as a POS sends them
// to POST /api/v1/tickets (docs/protocol-shapes.md). The menu is the
// demo's (src/core/tr-demo.c), so screenshots look like the GTK app's.
// SPDX-License-Identifier: GPL-3.0-or-later

import { randomUUID } from 'node:crypto';

const MENU = {
  'Paneer Tikka': ['tandoor', ['dairy']],
  'Butter Chicken': ['tandoor', ['dairy', 'nuts']],
  'Garlic Naan': ['tandoor', ['gluten', 'dairy']],
  'Dal Makhani': ['grill', ['dairy']],
  'Masala Dosa': ['grill', []],
  'Classic Burger': ['grill', ['gluten', 'dairy']],
  'Grilled Chicken Sandwich': ['grill', ['gluten']],
  'Fries': ['fry', []],
  'Onion Rings': ['fry', ['gluten']],
  'Vegetable Samosa': ['fry', ['gluten']],
  'Caesar Salad': ['cold', ['dairy', 'gluten', 'fish']],
  'Mango Lassi': ['bar', ['dairy']],
  'Masala Chai': ['bar', ['dairy']],
};

export function item (name, quantity = 1, extra = {}) {
  const [station, allergens] = MENU[name] || [null, []];
  return { id: randomUUID(), name, quantity, modifiers: [], allergens, station, ...extra };
}

export function ticket (fields) {
  return { id: randomUUID(), source: 'pos', order_type: 'dine_in', ...fields };
}

// A lunch rush: what the screenshots show.
export function lunch () {
  return [
    ticket({ table: '12', server: 'Priya', guests: 4, external_ref: 'POS-40007', items: [
      item('Classic Burger', 2, { modifiers: ['no cheese', 'medium rare'] }),
      item('Fries', 2, { modifiers: ['extra salt'] }),
      item('Mango Lassi', 2),
    ] }),
    ticket({ table: '4', server: 'Arjun', guests: 2, priority: 'rush', note: 'Guest has a severe nut allergy', items: [
      item('Butter Chicken', 1, { modifiers: ['mild'], allergens: ['dairy', 'nuts'] }),
      item('Garlic Naan', 2, { modifiers: ['extra butter'] }),
      item('Dal Makhani', 1, { note: 'less cream' }),
    ] }),
    ticket({ order_type: 'takeaway', server: 'Maria', external_ref: 'POS-40021', items: [
      item('Grilled Chicken Sandwich', 1, { modifiers: ['no mayo'] }),
      item('Onion Rings', 1),
    ] }),
    ticket({ table: '9', server: 'Tom', guests: 3, items: [
      item('Masala Dosa', 2, { modifiers: ['no onion', 'extra chutney'] }),
      item('Vegetable Samosa', 3),
      item('Masala Chai', 3, { modifiers: ['no sugar'] }),
    ] }),
    ticket({ table: '21', server: 'Aisha', guests: 2, note: 'Birthday — bring dessert with a candle', items: [
      item('Paneer Tikka', 1, { modifiers: ['extra spicy'] }),
      item('Caesar Salad', 1, { modifiers: ['dressing on the side'] }),
    ] }),
    ticket({ order_type: 'delivery', server: 'Ravi', external_ref: 'POS-40049', items: [
      item('Classic Burger', 1, { modifiers: ['no pickles'] }),
      item('Fries', 1),
    ] }),
    ticket({ table: '7', server: 'Priya', guests: 6, items: [
      item('Dal Makhani', 2),
      item('Garlic Naan', 4),
      item('Paneer Tikka', 2),
    ] }),
  ];
}

// Every text field a POS controls, holding markup that must stay text.
export const HOSTILE = [
  '<img src=x onerror=window.__pwned=1>',
  '<script>window.__pwned=1</script>',
];

export function hostile () {
  const [img, script] = HOSTILE;
  return ticket({
    table: img,
    server: script,
    note: `${script} ${img}`,
    external_ref: img,
    items: [item(img, 1, { modifiers: [script, img], note: img, allergens: [script], station: null }),
            item(script, 2, { station: null })],
  });
}
