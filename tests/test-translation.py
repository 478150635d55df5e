#!/usr/bin/env python3
# test-translation.py: the shipped translations are complete and reach users.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs the build into a temporary DESTDIR and, for every language in
# po/LINGUAS:
#   - the .po is complete (msgfmt --check --statistics: no fuzzy, no
#     untranslated message);
#   - the INSTALLED .mo, read back with msgunfmt, translates every message of
#     a POT extracted afresh from po/POTFILES.in, so a string added to the
#     code but not to the .po fails here even before anyone updates the .po;
#   - the installed desktop file and metainfo carry that language for every
#     translatable field;
#   - the installed app, run in that locale, prints translated text: its
#     --help lists option descriptions that go through gettext. The
#     installed binary looks in the configured LOCALEDIR, not in DESTDIR, so
#     TICKETRAIL_LOCALEDIR (read by main.c) points it at DESTDIR's copy.
#
# Prints TAP.

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

XML_LANG = '{http://www.w3.org/XML/1998/namespace}lang'

# The same keywords as i18n.gettext(preset: 'glib') in po/meson.build, so
# this POT has what `ninja ticketrail-pot` would put in one.
XGETTEXT_KEYWORDS = [
    '--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3', '--keyword=g_dpgettext2:2c,3',
]

DESKTOP_TRANSLATABLE = ('Name', 'GenericName', 'Comment', 'Keywords')
METAINFO_TRANSLATABLE = ('name', 'summary', 'developer_name', 'caption', 'p', 'li')


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what, detail=''):
        self.n += 1
        if cond:
            print(f'ok {self.n} - {what}')
        else:
            self.failed += 1
            print(f'not ok {self.n} - {what}')
            for line in str(detail).splitlines():
                print(f'# {line}')
        sys.stdout.flush()
        return cond

    def done(self):
        print(f'1..{self.n}')
        return 1 if self.failed else 0


def parse_po(text):
    """Returns {(msgctxt, msgid): entry}; entry has msgid_plural, msgstr
    (a list, one per plural form) and flags. The header is left out."""
    entries = {}
    cur = {}
    field = None

    def flush():
        nonlocal cur
        if 'msgid' in cur and cur['msgid'] != '':
            strs = [v for k, v in sorted(cur.items()) if k.startswith('msgstr')]
            entries[(cur.get('msgctxt'), cur['msgid'])] = {
                'msgid_plural': cur.get('msgid_plural'),
                'msgstr': strs,
                'flags': cur.get('flags', []),
            }
        cur = {}

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith('#'):
            if 'msgid' in cur and field is not None and field.startswith('msgstr'):
                flush()
                field = None
            if line.startswith('#,'):
                cur.setdefault('flags', []).extend(f.strip() for f in line[2:].split(','))
            continue
        if line.startswith('"'):
            cur[field] += ast.literal_eval(line)
            continue
        keyword, _, rest = line.partition(' ')
        m = re.fullmatch(r'msgstr\[(\d+)\]', keyword)
        if keyword in ('msgctxt', 'msgid') and field is not None and field.startswith('msgstr'):
            flush()
        field = f'msgstr[{int(m.group(1)):03d}]' if m else keyword
        cur[field] = ast.literal_eval(rest)
    flush()
    return entries


def read_linguas(path):
    langs = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            langs += line.split('#', 1)[0].split()
    return langs


def find_utf8_locale(lang):
    out = subprocess.run(['locale', '-a'], capture_output=True, text=True).stdout.split()
    for name in sorted(out):
        base, _, codeset = name.partition('.')
        if (base == lang or base.startswith(lang + '_')) and codeset.lower().replace('-', '') == 'utf8':
            return name
    return None


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--meson', required=True)
    ap.add_argument('--build-dir', required=True)
    ap.add_argument('--source-dir', required=True)
    ap.add_argument('--prefix', required=True)
    ap.add_argument('--bindir', required=True)
    ap.add_argument('--datadir', required=True)
    ap.add_argument('--localedir', required=True)
    ap.add_argument('--app-id', required=True)
    args = ap.parse_args()

    tap = Tap()
    src = args.source_dir
    langs = read_linguas(os.path.join(src, 'po', 'LINGUAS'))
    tap.ok(len(langs) > 0, 'po/LINGUAS names at least one language', 'no language is shipped')

    tmp = tempfile.mkdtemp(prefix='ticketrail-i18n-')
    try:
        root = lambda path: os.path.join(tmp, 'dest') + os.path.join(args.prefix, path)
        env = dict(os.environ, DESTDIR=os.path.join(tmp, 'dest'))
        r = run([args.meson, 'install', '-C', args.build_dir, '--no-rebuild', '--quiet'], env=env)
        if not tap.ok(r.returncode == 0, 'meson install into a DESTDIR', r.stdout + r.stderr):
            return tap.done()

        pot = os.path.join(tmp, 'ticketrail.pot')
        r = run(['xgettext', '--package-name=ticketrail', '--from-code=UTF-8', '--add-comments',
                 *XGETTEXT_KEYWORDS, '-D', src, '-f', os.path.join(src, 'po', 'POTFILES.in'),
                 '-o', pot])
        if not tap.ok(r.returncode == 0 and os.path.exists(pot), 'xgettext extracts a POT from POTFILES.in',
                      r.stderr):
            return tap.done()
        with open(pot, encoding='utf-8') as f:
            template = parse_po(f.read())
        tap.ok(len(template) > 0, f'the POT has messages ({len(template)})')

        app = root(os.path.join(args.bindir, 'ticketrail'))
        c_help = run([app, '--help'], env=dict(os.environ, LC_ALL='C', LANGUAGE=''))
        tap.ok(c_help.returncode == 0, 'the installed app prints --help in the C locale', c_help.stderr)
        # "  --demo     Add sample tickets…": the text after the option column.
        help_descriptions = {m.group(1) for m in re.finditer(r'^ +-\S.*?\s{2,}(\S.*)$', c_help.stdout, re.M)}

        desktop = root(os.path.join(args.datadir, 'applications', args.app_id + '.desktop'))
        metainfo = root(os.path.join(args.datadir, 'metainfo', args.app_id + '.metainfo.xml'))

        for lang in langs:
            po = os.path.join(src, 'po', lang + '.po')
            r = run(['msgfmt', '--check', '--statistics', '-o', '/dev/null', po],
                    env=dict(os.environ, LC_ALL='C'))
            stats = r.stderr.strip()
            tap.ok(r.returncode == 0 and 'fuzzy' not in stats and 'untranslated' not in stats,
                   f'{lang}.po is complete: {stats}', stats)

            mo = root(os.path.join(args.localedir, lang, 'LC_MESSAGES', 'ticketrail.mo'))
            if not tap.ok(os.path.exists(mo), f'{lang}: ticketrail.mo is installed', mo):
                continue
            r = run(['msgunfmt', mo])
            installed = parse_po(r.stdout) if r.returncode == 0 else {}
            tap.ok(r.returncode == 0, f'{lang}: msgunfmt reads the installed .mo', r.stderr)

            missing = []
            for key, entry in template.items():
                got = installed.get(key)
                if got is None or not got['msgstr'] or any(s == '' for s in got['msgstr']):
                    missing.append(key)
                elif entry['msgid_plural'] is not None and got['msgid_plural'] is None:
                    missing.append(key)
            tap.ok(not missing, f'{lang}: the installed .mo translates all {len(template)} messages',
                   '\n'.join(f'untranslated: {ctx + " | " if ctx else ""}{msgid!r}' for ctx, msgid in missing))

            # The data files are merged at build time; check what got installed.
            lacking = []
            with open(desktop, encoding='utf-8') as f:
                keys = {line.split('=', 1)[0] for line in f if '=' in line}
            for key in DESKTOP_TRANSLATABLE:
                if key in keys and f'{key}[{lang}]' not in keys:
                    lacking.append(key)
            tap.ok(not lacking, f'{lang}: the installed desktop file is translated', f'untranslated keys: {lacking}')

            lacking = []
            for parent in ET.parse(metainfo).getroot().iter():
                children = list(parent)
                for child in children:
                    if child.tag in METAINFO_TRANSLATABLE and XML_LANG not in child.attrib:
                        if not any(c.tag == child.tag and c.get(XML_LANG) == lang for c in children):
                            lacking.append(f'<{child.tag}> {"".join(child.itertext()).strip()[:60]!r}')
            tap.ok(not lacking, f'{lang}: the installed metainfo is translated', '\n'.join(lacking))

            locale = find_utf8_locale(lang)
            if not tap.ok(locale is not None, f'{lang}: a UTF-8 locale for it exists ({locale})',
                          'generate it: scripts/install-deps (locale-gen)'):
                continue
            lenv = {k: v for k, v in os.environ.items() if not k.startswith('LC_')}
            lenv.update(LANG=locale, LANGUAGE=lang, TICKETRAIL_LOCALEDIR=root(args.localedir))
            r = run([app, '--help'], env=lenv)
            # Every message the C-locale --help shows and this language
            # translates must show up translated.
            shown = [(k, e) for k, e in installed.items()
                     if k[0] is None and k[1] in help_descriptions
                     and e['msgstr'] and e['msgstr'][0] != k[1]]
            tap.ok(len(shown) > 0, f'{lang}: --help shows translatable messages', c_help.stdout)
            not_shown = [k[1] for k, e in shown if e['msgstr'][0] not in r.stdout or k[1] in r.stdout]
            tap.ok(r.returncode == 0 and shown and not not_shown,
                   f'{lang}: the installed app run in {locale} prints its --help translated',
                   f'still in English: {not_shown}\n{r.stdout}{r.stderr}')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
