#!/usr/bin/env python3
# test-web-strings.py: the browser display's text goes through gettext.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: test-web-strings.py SOURCE_ROOT [WEB_BUILD_DIR]
#
#   - every script under data/web/ that marks strings is in po/POTFILES.in;
#   - xgettext extracts the marked strings from them;
#   - every piece of text in index.html (text, title, aria-label,
#     placeholder, alt) is a msgid of the scripts, so that app.js can put
#     its translation there (PAGE_TEXT), and no text is left out of it;
#   - no English literal reaches the screen unmarked: the arguments of the
#     calls and assignments that put text on the page (toast(), el(),
#     button(), textContent, title, aria-label...) hold no bare string
#     with words in it at their top level;
#   - with WEB_BUILD_DIR, the catalogs built from po/ (build-catalogs.py):
#     one per language of po/LINGUAS, with only the scripts' msgids, and a
#     plural rule that gives a valid form for every n.
# Prints TAP.

import html.parser
import json
import os
import re
import subprocess
import sys

MARKED = re.compile(r'(?<![\w$.])(?:_|N_|ngettext|pgettext|npgettext|gettext)\s*\(')
# Text that is no language: the product's name, a shell command.
NOT_TEXT = {'Ticketrail', 'ticketrail-host pair'}
# Where text reaches the page: call name → indexes of the arguments that
# are text (None: all of them).
SINK_CALLS = {
    'toast': (0,), 'el': (2,), 'button': (1, 3), 'format': (0,), 'Error': (0,),
    'append': None, 'replaceChildren': None, 'prepend': None,
}
SINK_PROPERTIES = ('textContent', 'innerText', 'title', 'placeholder', 'ariaLabel', 'alt', 'lastError')
TEXT_ATTRIBUTES = ('aria-label', 'title', 'placeholder', 'alt')


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what, detail=''):
        self.n += 1
        print(f'{"ok" if cond else "not ok"} {self.n} - {what}')
        if not cond:
            self.failed += 1
            for line in str(detail).splitlines():
                print(f'# {line}')
        return cond

    def done(self):
        print(f'1..{self.n}')
        return 1 if self.failed else 0


def strip_comments(code):
    """Blanks out comments (keeping line numbers), leaving strings and
    regular expressions alone as far as a scanner this small can."""
    out = []
    i = 0
    n = len(code)
    while i < n:
        c = code[i]
        if c in '\'"`':
            j = skip_string(code, i)
            out.append(code[i:j])
            i = j
        elif code.startswith('/*', i):
            j = code.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', code[i:j]))
            i = j
        elif code.startswith('//', i):
            j = code.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def skip_string(code, i):
    """Index just after the string literal that starts at @i."""
    quote = code[i]
    j = i + 1
    depth = 0
    while j < len(code):
        c = code[j]
        if c == '\\':
            j += 2
            continue
        if quote == '`' and code.startswith('${', j):
            depth += 1
            j += 2
            continue
        if quote == '`' and depth and c == '}':
            depth -= 1
        elif quote == '`' and depth and c in '\'"`':
            j = skip_string(code, j)
            continue
        elif c == quote and not depth:
            return j + 1
        elif c == '\n' and quote != '`':
            return j
        j += 1
    return j


def top_level_strings(expr):
    """The string literals of @expr that are not inside a call or an
    index (a translation function call holds its own, marked, strings),
    nor compared with something: the text it may evaluate to."""
    found = []
    stack = []  # per open bracket: does it hide its strings?
    i = 0
    while i < len(expr):
        c = expr[i]
        if c in '\'"`':
            j = skip_string(expr, i)
            before = expr[:i].rstrip()
            after = expr[j:].lstrip()
            compared = before.endswith(('==', '!=')) or after.startswith(('==', '!='))
            if not any(stack) and not compared:
                found.append(expr[i:j])
            i = j
            continue
        if c == '(':
            # A call hides its arguments; parentheses that only group do not.
            previous = expr[:i].rstrip()[-1:]
            stack.append(previous.isalnum() or previous in '_$)]')
        elif c in '[{':
            stack.append(True)
        elif c in ')]}' and stack:
            stack.pop()
        i += 1
    return found


def is_text(literal):
    body = literal[1:-1]
    if literal[0] == '`':
        body = re.sub(r'\$\{[^{}]*\}', ' ', body)
    body = body.strip()
    for word in NOT_TEXT:
        body = body.replace(word, ' ')
    return re.search(r'[A-Za-z]{2,}', body) is not None


def split_args(code, start):
    """The arguments of the call whose '(' is at @start, and its end."""
    args = []
    depth = 0
    i = start + 1
    begin = i
    while i < len(code):
        c = code[i]
        if c in '\'"`':
            i = skip_string(code, i)
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            if depth == 0:
                args.append(code[begin:i])
                return args, i
            depth -= 1
        elif c == ',' and depth == 0:
            args.append(code[begin:i])
            begin = i + 1
        i += 1
    return args, i


def assigned_expression(code, start):
    """The right-hand side that starts at @start, up to ; or the end of
    the statement at depth 0."""
    depth = 0
    i = start
    while i < len(code):
        c = code[i]
        if c in '\'"`':
            i = skip_string(code, i)
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            if depth == 0:
                break
            depth -= 1
        elif c in ';,' and depth == 0:
            break
        i += 1
    return code[start:i]


def unmarked_text(code):
    """(line, literal) for each English literal that reaches the page
    without a translation function."""
    code = strip_comments(code)
    problems = []

    def line_of(pos):
        return code.count('\n', 0, pos) + 1

    for m in re.finditer(r'(?<![\w$])(?:new\s+)?([A-Za-z_$][\w$]*)\s*\(', code):
        name = m.group(1)
        if name not in SINK_CALLS:
            continue
        args, _ = split_args(code, m.end() - 1)
        wanted = SINK_CALLS[name]
        for index, arg in enumerate(args):
            if wanted is not None and index not in wanted:
                continue
            for literal in top_level_strings(arg):
                if is_text(literal):
                    problems.append((line_of(m.start()), literal))
    for m in re.finditer(r'\.setAttribute\s*\(', code):
        args, _ = split_args(code, m.end() - 1)
        if len(args) == 2 and args[0].strip()[1:-1] in TEXT_ATTRIBUTES:
            for literal in top_level_strings(args[1]):
                if is_text(literal):
                    problems.append((line_of(m.start()), literal))
    prop = '|'.join(SINK_PROPERTIES)
    for m in re.finditer(rf'\.(?:{prop})\s*\+?=(?!=)', code):
        for literal in top_level_strings(assigned_expression(code, m.end())):
            if is_text(literal):
                problems.append((line_of(m.start()), literal))
    return sorted(set(problems))


class PageText(html.parser.HTMLParser):
    """Text and text attributes of a page, outside <title>, <noscript>,
    <code>, <script> and <style>."""
    SKIP = {'title', 'noscript', 'code', 'script', 'style'}

    def __init__(self):
        super().__init__()
        self.skipping = []
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping.append(tag)
        for name, value in attrs:
            if name in TEXT_ATTRIBUTES and value and re.search(r'[A-Za-z]', value):
                self.found.append((f'<{tag}> {name}', value))

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        text = ' '.join(data.split())
        if text and not self.skipping and re.search(r'[A-Za-z]', text):
            self.found.append(('text', text))


def parse_pot(text):
    """{(msgctxt, msgid): msgid_plural} of xgettext's output."""
    entries = {}
    cur = {}
    field = None

    def flush():
        if 'msgid' in cur and cur['msgid']:
            entries[(cur.get('msgctxt'), cur['msgid'])] = cur.get('msgid_plural')

    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        if line.startswith('"'):
            cur[field] += json.loads(line)
            continue
        keyword, _, rest = line.partition(' ')
        if keyword in ('msgctxt', 'msgid') and field and field.startswith('msgstr'):
            flush()
            cur = {}
        field = keyword
        cur[field] = json.loads(rest)
    flush()
    return entries


def plural_value(e, n):
    if e == 'n':
        return n
    if isinstance(e, int):
        return e
    op, *args = e
    x = plural_value(args[0], n)
    if op == '!':
        return int(not x)
    if op == '?':
        return plural_value(args[1] if x else args[2], n)
    y = plural_value(args[1], n)
    return int({
        '||': bool(x or y), '&&': bool(x and y), '==': x == y, '!=': x != y, '<': x < y, '>': x > y,
        '<=': x <= y, '>=': x >= y, '+': x + y, '-': x - y, '*': x * y,
        '/': x // y if y else 0, '%': x % y if y else 0,
    }[op])


def main():
    src = os.path.abspath(sys.argv[1])
    build = sys.argv[2] if len(sys.argv) > 2 else None
    web = os.path.join(src, 'data', 'web')
    tap = Tap()

    listed = set()
    with open(os.path.join(src, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                listed.add(line)

    scripts = sorted(name for name in os.listdir(web) if name.endswith(('.js', '.mjs')))
    marking = []
    for name in scripts:
        with open(os.path.join(web, name), encoding='utf-8') as f:
            if MARKED.search(strip_comments(f.read())):
                marking.append(f'data/web/{name}')
    # The page's text is spread over its modules: the ones that show
    # text must be among those that mark it (a module dropped from here
    # by mistake would leave its strings out of every catalog).
    showing = ['data/web/app.js', 'data/web/render.js', 'data/web/actions.js', 'data/web/pairing.js',
               'data/web/connection.js']
    tap.ok(all(p in marking for p in showing), f'the modules that show text mark it for translation ({marking})',
           '\n'.join(f'marks nothing: {p}' for p in showing if p not in marking))
    missing = [p for p in marking if p not in listed]
    tap.ok(not missing, 'every web script that marks strings is in po/POTFILES.in',
           '\n'.join(f'not in po/POTFILES.in: {p}' for p in missing))

    r = subprocess.run(['xgettext', '--language=JavaScript', '--from-code=UTF-8', '--keyword=N_', '--keyword=NC_:1c,2',
                        '--output=-', *(os.path.join(src, p) for p in marking)],
                       capture_output=True, text=True, encoding='utf-8', env=dict(os.environ, LC_ALL='C.UTF-8'))
    msgids = parse_pot(r.stdout) if r.returncode == 0 else {}
    tap.ok(r.returncode == 0 and len(msgids) >= 50,
           f'xgettext extracts the web scripts\' messages ({len(msgids)})', r.stderr)
    plain = {msgid for ctx, msgid in msgids if ctx is None}

    parser = PageText()
    with open(os.path.join(web, 'index.html'), encoding='utf-8') as f:
        parser.feed(f.read())
    page_text = [(where, text) for where, text in parser.found if text not in NOT_TEXT]
    tap.ok(len(page_text) >= 8, f'index.html has text ({len(page_text)} pieces)')
    untranslated = [f'{where}: {text!r}' for where, text in page_text if text not in plain]
    tap.ok(not untranslated, 'every text in index.html is a msgid of the web scripts',
           '\n'.join(untranslated))

    # The lint itself must see an unmarked string, or it proves nothing.
    sample = ("toast('Nothing here'); el('p', 'x', `Table ${t}`); node.title = 'Hi there';\n"
              "row.setAttribute('aria-label', 'Some text'); button('btn', ok ? 'Yes' : _('No'));\n"
              "toast(_('Fine')); el('p', 'muted column-empty', f('ready') ? _('A') : '—');\n"
              "x.textContent = e.status === 401 ? (e.reason === 'expired' ? 'Wrong' : _('B')) : e.message;")
    caught = [literal for _, literal in unmarked_text(sample)]
    expected = ["'Nothing here'", "'Hi there'", "'Some text'", "'Yes'", "'Wrong'", '`Table ${t}`']
    tap.ok(sorted(caught) == sorted(expected), 'the lint finds unmarked text in a sample, and only that',
           f'found {caught}\nwanted {expected}')

    for name in marking + [f'data/web/{n}' for n in scripts if f'data/web/{n}' not in marking]:
        with open(os.path.join(src, name), encoding='utf-8') as f:
            problems = unmarked_text(f.read())
        tap.ok(not problems, f'{name}: no unmarked English text reaches the page',
               '\n'.join(f'{name}:{line}: {literal} is not marked for translation' for line, literal in problems))

    if build:
        langs = []
        with open(os.path.join(src, 'po', 'LINGUAS'), encoding='utf-8') as f:
            for line in f:
                langs += line.split('#', 1)[0].split()
        with open(os.path.join(build, 'i18n.json'), encoding='utf-8') as f:
            index = json.load(f)['languages']
        tap.ok(len(index) == len(langs), f'i18n.json lists every language of po/LINGUAS ({sorted(index)})',
               f'LINGUAS: {langs}')
        keys = {msgid if ctx is None else f'{ctx}\u0004{msgid}': plural for (ctx, msgid), plural in msgids.items()}
        for lang in langs:
            tag = lang.replace('_', '-').split('@')[0].lower()
            name = index.get(tag) or next((v for k, v in index.items() if k.startswith(tag)), None)
            if not tap.ok(name is not None and os.path.exists(os.path.join(build, name)),
                          f'{lang}: a catalog is built ({name})'):
                continue
            with open(os.path.join(build, name), encoding='utf-8') as f:
                catalog = json.load(f)
            extra = [k for k in catalog['messages'] if k not in keys]
            tap.ok(not extra, f'{lang}: the catalog holds only the web scripts\' messages '
                   f'({len(catalog["messages"])} of {len(keys)})', '\n'.join(map(repr, extra)))
            shapes = [k for k, v in catalog['messages'].items()
                      if (keys.get(k) is None) != isinstance(v, str) or not v]
            tap.ok(not shapes, f'{lang}: plural messages have forms, the others a string', '\n'.join(shapes))
            counts = {len(v) for v in catalog['messages'].values() if isinstance(v, list)}
            nplurals = max(counts) if counts else 2
            try:
                bad = [n for n in range(0, 1001) if not 0 <= plural_value(catalog['plural'], n) < nplurals]
                detail = f'out of range for n = {bad[:10]}'
            except (KeyError, TypeError, ValueError, ZeroDivisionError) as e:
                bad, detail = [e], f'cannot evaluate {catalog["plural"]!r}: {e}'
            tap.ok(len(counts) <= 1 and not bad,
                   f'{lang}: the plural rule picks one of {nplurals} forms for every n', detail)

    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
