/* Translations for the browser display. The msgids are the English text;
 * the host serves a catalog per language of po/LINGUAS, built from the
 * .po files (data/web/build-catalogs.py). Anything wrong with one leaves
 * the page in English.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
import { log } from './log.js';

/* How long the page waits for its catalog before it starts in English. */
export const CATALOG_WAIT_MS = 3000;
/* One attempt at a file; a request that hangs (a dead connection) is
 * given up and tried again, so a catalog that comes late still comes. */
const ATTEMPT_MS = CATALOG_WAIT_MS * 5;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 10000;

const has = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

/* { language, plural, messages }: plural is Plural-Forms as a tree of
 * [operator, operands...] (the page may not eval), messages maps a
 * msgid (after "context\u0004" for pgettext) to its msgstr, or to the
 * list of plural forms. */
let catalog = null;

export function catalogLanguage () {
  return catalog ? catalog.language : '';
}

function lookup (key) {
  return catalog ? catalog.messages[key] : undefined;
}

export function _ (msgid) {
  const s = lookup(msgid);
  if (typeof s === 'string' && s) return s;
  /* An NC_() key untranslated: its msgid, without the context. */
  const eot = msgid.indexOf('\u0004');
  return eot < 0 ? msgid : msgid.slice(eot + 1);
}

/* Marks a string for xgettext; _() translates it where it is shown. */
export function N_ (msgid) {
  return msgid;
}

/* The same with a context, for words whose translation depends on what
 * they describe (Spanish: an item is "Listo", a ticket "Lista"). */
export function NC_ (context, msgid) {
  return context + '\u0004' + msgid;
}

export function pgettext (context, msgid) {
  const s = lookup(context + '\u0004' + msgid);
  return typeof s === 'string' && s ? s : msgid;
}

export function ngettext (singular, plural, n) {
  const forms = lookup(singular);
  if (Array.isArray(forms)) {
    const s = forms[pluralForm(n)];
    if (typeof s === 'string' && s) return s;
  }
  return n === 1 ? singular : plural;
}

const PLURAL_OPS = {
  '==': (x, y) => +(x === y), '!=': (x, y) => +(x !== y),
  '<': (x, y) => +(x < y), '>': (x, y) => +(x > y), '<=': (x, y) => +(x <= y), '>=': (x, y) => +(x >= y),
  '+': (x, y) => x + y, '-': (x, y) => x - y, '*': (x, y) => x * y,
  '/': (x, y) => (y ? Math.trunc(x / y) : 0), '%': (x, y) => (y ? x % y : 0),
};

function evalPlural (e, n) {
  if (e === 'n') return n;
  if (Number.isInteger(e)) return e;
  if (!Array.isArray(e)) throw new TypeError('bad plural expression');
  const [op, a, b, c] = e;
  const x = evalPlural(a, n);
  if (op === '!') return +!x;
  if (op === '?') return evalPlural(x ? b : c, n);
  if (op === '&&') return +(!!x && !!evalPlural(b, n));
  if (op === '||') return +(!!x || !!evalPlural(b, n));
  if (!has(PLURAL_OPS, op)) throw new TypeError('bad plural operator');
  return PLURAL_OPS[op](x, evalPlural(b, n));
}

/* -1 (no such form) falls back to English. */
function pluralForm (n) {
  try {
    return evalPlural(catalog.plural, Math.abs(Math.trunc(Number(n) || 0)));
  } catch (e) {
    return -1;
  }
}

/* printf's %s, %d and %%, with %2$s and the like so that a translation
 * may reorder them (xgettext's javascript-format). */
export function format (template, ...args) {
  let next = 0;
  return template.replace(/%(?:(\d+)\$)?([sd%])/g, (match, position, conversion) => {
    if (conversion === '%') return '%';
    const value = args[position ? Number(position) - 1 : next++];
    return conversion === 'd' ? String(Math.trunc(Number(value))) : String(value);
  });
}

/* The first of the browser's languages the host has a catalog for, by
 * full tag then by primary subtag ("es-MX", then "es"). English is the
 * msgids: it needs no catalog, and wins where it comes first. */
function pickLanguage (tags, available) {
  for (const tag of tags) {
    const full = String(tag).toLowerCase().replace(/_/g, '-');
    const primary = full.split('-')[0];
    if (has(available, full)) return available[full];
    if (primary === 'en') return null;
    if (has(available, primary)) return available[primary];
  }
  return null;
}

/* The host's answer, or what went wrong with it. */
class CatalogError extends Error {
  constructor (message, { transient }) {
    super(message);
    this.transient = transient;
  }
}

async function fetchCatalogFile (name) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), ATTEMPT_MS);
  let res;
  try {
    res = await fetch('/static/' + name, { signal: ctl.signal });
  } catch (e) {
    /* No answer: the network, or an attempt that hung and was aborted. */
    clearTimeout(timer);
    throw new CatalogError(`${name}: ${e.message}`, { transient: true });
  }
  try {
    /* A busy host (429, 503) may answer later; any other status will not change. */
    if (!res.ok) throw new CatalogError(`${name}: ${res.status}`, { transient: res.status === 429 || res.status >= 500 });
    return await res.json().catch((e) => {
      throw new CatalogError(`${name}: ${e.message}`, { transient: e.name === 'AbortError' });
    });
  } finally {
    clearTimeout(timer);
  }
}

/* One try: a usable catalog, null when there is none for the browser's
 * languages or the host's is unusable, or a transient CatalogError. */
async function tryLoadCatalog (tags) {
  try {
    const index = await fetchCatalogFile('i18n.json');
    const available = index && typeof index.languages === 'object' && index.languages !== null ? index.languages : {};
    const file = pickLanguage(tags, available);
    if (typeof file !== 'string') return null;
    const c = await fetchCatalogFile(file);
    if (!c || typeof c.messages !== 'object' || c.messages === null || Array.isArray(c.messages)) {
      log.warn(`translation catalog ${file} is not usable: staying in English`);
      return null;
    }
    return { language: typeof c.language === 'string' ? c.language : '', plural: c.plural, messages: c.messages };
  } catch (e) {
    if (e instanceof CatalogError && e.transient) throw e;
    log.warn(`translation catalog failed: ${e.message}; staying in English`);
    return null;
  }
}

/* Resolves when the page has its catalog (true) or will stay in English
 * (false); never rejects. A failure that may pass (no answer, a busy
 * host) is tried again for as long as the page is open: a screen that
 * started while the network was down gets its language when it is back. */
export async function loadCatalog () {
  const tags = [...(navigator.languages || []), navigator.language].filter(Boolean);
  /* Nothing to fetch for a browser that puts English first. */
  if (!tags.length || String(tags[0]).toLowerCase().split(/[-_]/)[0] === 'en') return false;
  for (let delay = RETRY_MIN_MS; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
    try {
      catalog = await tryLoadCatalog(tags);
      return catalog !== null;
    } catch (e) {
      log.warn(`translation catalog failed: ${e.message}; trying again in ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
