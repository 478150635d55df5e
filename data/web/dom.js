/* Small helpers to build the page. All text from tickets goes in through
 * textContent, never as markup.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

export const $ = (id) => document.getElementById(id);

export function el (tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function button (className, text, onClick, title) {
  const b = el('button', className, text);
  b.type = 'button';
  if (title) b.title = title;
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    onClick(e);
  });
  return b;
}

/* Splits a translation at its one %s, for a node to go in between. */
export function splitOnce (text) {
  const i = text.indexOf('%s');
  return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + 2)];
}

export function toast (text, kind) {
  const node = el('div', `toast${kind ? ' toast-' + kind : ''}`, text);
  const box = $('toasts');
  box.append(node);
  while (box.childElementCount > 3) box.firstElementChild.remove();
  setTimeout(() => node.remove(), kind === 'error' ? 8000 : 3000);
}
