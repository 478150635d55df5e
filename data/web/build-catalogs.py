#!/usr/bin/env python3
# build-catalogs.py: the browser display's translations, as JSON for the page.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run by data/web/meson.build. xgettext lists the messages the page's
# scripts use; for every language given, po/<lang>.po is cut down to those
# messages and written as i18n-<lang>.json:
#   {"language": "pt-BR", "plural": TREE, "messages": {KEY: MSGSTR | [FORMS]}}
# KEY is the msgid, after "context\u0004" for pgettext(). TREE is the
# Plural-Forms expression parsed into [operator, operand...] lists, "n"
# and integers, for app.js to evaluate without eval() (which the page's
# Content-Security-Policy forbids). Fuzzy and untranslated messages are
# left out: the page shows the English msgid for them.
#
# i18n.json maps each language, as a lower-case BCP 47 tag, to its file:
#   {"languages": {"es": "i18n-es.json", "pt-br": "i18n-pt_BR.json"}}
# and a copy of the page's resource XML gets a <file> for each of these.

import argparse
import ast
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

# po/meson.build's preset: 'glib', plus xgettext's own JavaScript keywords
# (_, gettext, ngettext, pgettext...), which it keeps.
XGETTEXT_KEYWORDS = [
    '--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3', '--keyword=g_dpgettext2:2c,3',
]


def parse_po(text, where):
    """Returns {(msgctxt, msgid): entry} and the header; an entry has
    msgid_plural, msgstr (a list, one per plural form) and flags."""
    entries = {}
    header = None
    cur = {}
    field = None

    def flush():
        nonlocal cur, header
        if 'msgid' in cur:
            strs = [v for k, v in sorted(cur.items()) if k.startswith('msgstr')]
            if cur['msgid'] == '' and 'msgctxt' not in cur:
                header = strs[0] if strs else ''
            else:
                entries[(cur.get('msgctxt'), cur['msgid'])] = {
                    'msgid_plural': cur.get('msgid_plural'),
                    'msgstr': strs,
                    'flags': cur.get('flags', []),
                }
        cur = {}

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith('#'):
            # Obsolete messages (#~) are comments here, as for msgfmt.
            if 'msgid' in cur and field is not None and field.startswith('msgstr'):
                flush()
                field = None
            if line.startswith('#,'):
                cur.setdefault('flags', []).extend(f.strip() for f in line[2:].split(','))
            continue
        try:
            if line.startswith('"'):
                cur[field] += ast.literal_eval(line)
                continue
            keyword, _, rest = line.partition(' ')
            m = re.fullmatch(r'msgstr\[(\d+)\]', keyword)
            if keyword not in ('msgctxt', 'msgid', 'msgid_plural', 'msgstr') and not m:
                raise ValueError(keyword)
            if keyword in ('msgctxt', 'msgid') and field is not None and field.startswith('msgstr'):
                flush()
            field = f'msgstr[{int(m.group(1)):03d}]' if m else keyword
            cur[field] = ast.literal_eval(rest)
        except (ValueError, SyntaxError, KeyError, TypeError) as e:
            raise SystemExit(f'{where}:{number}: cannot parse: {raw!r} ({e})')
    flush()
    return entries, header or ''


# Plural-Forms: the C expression gettext evaluates, with n unsigned.
TOKEN = re.compile(r'\s*(?:(\d+)|(n)|(\|\||&&|==|!=|<=|>=|[<>?:()!%*/+-]))')
BINARY = [  # lowest precedence first
    ('||',), ('&&',), ('==', '!='), ('<', '>', '<=', '>='), ('+', '-'), ('*', '/', '%'),
]


def parse_plural(text):
    tokens = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f'unexpected {text[pos:]!r}')
        number, n, op = m.groups()
        tokens.append(int(number) if number is not None else n or op)
        pos = m.end()
    tokens.append(None)
    at = 0

    def peek():
        return tokens[at]

    def take(expected=None):
        nonlocal at
        token = tokens[at]
        if expected is not None and token != expected:
            raise ValueError(f'expected {expected!r}, got {token!r}')
        at += 1
        return token

    def ternary():
        cond = binary(0)
        if peek() != '?':
            return cond
        take('?')
        yes = ternary()
        take(':')
        return ['?', cond, yes, ternary()]

    def binary(level):
        if level == len(BINARY):
            return unary()
        left = binary(level + 1)
        while isinstance(peek(), str) and peek() in BINARY[level]:
            left = [take(), left, binary(level + 1)]
        return left

    def unary():
        token = take()
        if token == '!':
            return ['!', unary()]
        if token == '(':
            inner = ternary()
            take(')')
            return inner
        if token == 'n' or isinstance(token, int):
            return token
        raise ValueError(f'unexpected {token!r}')

    tree = ternary()
    if peek() is not None:
        raise ValueError(f'trailing {peek()!r}')
    return tree


def plural_of(header, where):
    m = re.search(r'^Plural-Forms:\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*([^;\n]+);?', header, re.M)
    if not m:
        return 2, ['!=', 'n', 1]
    try:
        return int(m.group(1)), parse_plural(m.group(2))
    except ValueError as e:
        raise SystemExit(f'{where}: bad Plural-Forms {m.group(2)!r}: {e}')


def bcp47(lang):
    """pt_BR → pt-BR, sr@latin → sr-Latn, ca@valencia → ca-valencia."""
    base, _, modifier = lang.partition('@')
    parts = base.replace('_', '-').split('-')
    if modifier:
        parts.insert(1, {'latin': 'Latn', 'cyrillic': 'Cyrl'}.get(modifier, modifier))
    return '-'.join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--xgettext', required=True)
    ap.add_argument('--resources', required=True, help="the page's .gresource.xml")
    ap.add_argument('--po-dir', required=True)
    ap.add_argument('--outdir', required=True)
    ap.add_argument('--output-resources', required=True, help='name of the XML to write in --outdir')
    ap.add_argument('--languages', nargs='*', default=[])
    ap.add_argument('sources', nargs='+', help="the page's scripts")
    args = ap.parse_args()

    r = subprocess.run([args.xgettext, '--language=JavaScript', '--from-code=UTF-8', *XGETTEXT_KEYWORDS,
                        '--output=-', *args.sources],
                       capture_output=True, text=True, encoding='utf-8',
                       env=dict(os.environ, LC_ALL='C.UTF-8'))
    # Its only warnings on success are about the msgids' "…", which the
    # project uses on purpose; po/ extracts them the same way.
    if r.returncode != 0:
        raise SystemExit(f'xgettext failed:\n{r.stderr}')
    wanted, _ = parse_po(r.stdout, 'xgettext output')
    if not wanted:
        raise SystemExit(f'xgettext found no messages in {args.sources}')

    index = {}
    files = ['i18n.json']
    for lang in args.languages:
        where = os.path.join(args.po_dir, lang + '.po')
        with open(where, encoding='utf-8') as f:
            entries, header = parse_po(f.read(), where)
        charset = re.search(r'charset=([\w-]+)', header)
        if charset and charset.group(1).lower().replace('-', '') != 'utf8':
            raise SystemExit(f'{where}: charset {charset.group(1)}, not UTF-8')
        nplurals, plural = plural_of(header, where)

        messages = {}
        for key in wanted:
            entry = entries.get(key)
            if entry is None or 'fuzzy' in entry['flags']:
                continue
            forms = entry['msgstr']
            if not forms or any(s == '' for s in forms):
                continue
            name = key[1] if key[0] is None else key[0] + '\u0004' + key[1]
            if wanted[key]['msgid_plural'] is not None:
                if entry['msgid_plural'] is None or len(forms) != nplurals:
                    continue
                messages[name] = forms
            elif entry['msgid_plural'] is None and forms[0] != key[1]:
                messages[name] = forms[0]

        tag = bcp47(lang)
        filename = 'i18n-' + re.sub(r'[^A-Za-z0-9_-]', '-', lang) + '.json'
        catalog = {'language': tag, 'plural': plural, 'messages': messages}
        with open(os.path.join(args.outdir, filename), 'w', encoding='utf-8') as f:
            json.dump(catalog, f, ensure_ascii=False, sort_keys=True, separators=(',', ':'))
            f.write('\n')
        index[tag.lower()] = filename
        files.append(filename)

    with open(os.path.join(args.outdir, 'i18n.json'), 'w', encoding='utf-8') as f:
        json.dump({'languages': index}, f, sort_keys=True, separators=(',', ':'))
        f.write('\n')

    tree = ET.parse(args.resources)
    resource = tree.getroot().find('gresource')
    if resource is None:
        raise SystemExit(f'{args.resources}: no <gresource>')
    for name in files:
        ET.SubElement(resource, 'file').text = name
    ET.indent(tree)
    tree.write(os.path.join(args.outdir, args.output_resources), encoding='UTF-8', xml_declaration=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
