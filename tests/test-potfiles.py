#!/usr/bin/env python3
# test-potfiles.py: po/POTFILES.in lists exactly the files that exist, and
# every file with translatable strings.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A string whose file is missing from POTFILES.in never reaches a
# translator, and nothing else would notice. Looks at:
#   - C and JavaScript under src/ and data/ calling _(), N_(), C_(), NC_(),
#     the g_d*gettext family or ngettext();
#   - .ui files with translatable="yes";
#   - data/ templates merged with gettext (*.desktop.in, *.metainfo.xml.in)
#     and GSettings schemas, whose summaries and descriptions are
#     translatable.
# Prints TAP.

import os
import re
import sys

C_CALL = re.compile(r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|g_dgettext|g_dngettext|g_dpgettext2|g_dcgettext'
                    r'|gettext|ngettext|pgettext|npgettext)\s*\(\s*["A-Za-z]')
UI_TRANSLATABLE = re.compile(r'translatable\s*=\s*"(?:yes|true|1)"')
SCHEMA_TEXT = re.compile(r'<(?:summary|description)>')
SKIP_DIRS = {'node_modules', '.git'}


def translatable(path, text):
    name = os.path.basename(path)
    if name.endswith(('.c', '.h', '.js', '.mjs')):
        # Comments may quote code; strings they hold are no reason to list a file.
        code = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
        code = re.sub(r'(?m)^\s*//.*$', '', code)
        return bool(C_CALL.search(code))
    if name.endswith('.ui'):
        return bool(UI_TRANSLATABLE.search(text))
    if name.endswith(('.desktop.in', '.metainfo.xml.in', '.appdata.xml.in')):
        return True
    if name.endswith('.gschema.xml'):
        return bool(SCHEMA_TEXT.search(text))
    return False


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..')
    src = os.path.abspath(src)
    n = 0
    failed = 0

    def ok(cond, what, detail=''):
        nonlocal n, failed
        n += 1
        print(f'{"ok" if cond else "not ok"} {n} - {what}')
        if not cond:
            failed += 1
            for line in detail.splitlines():
                print(f'# {line}')

    listed = []
    with open(os.path.join(src, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line and not line.startswith('['):
                listed.append(line)

    ok(len(listed) == len(set(listed)), 'POTFILES.in lists each file once',
       '\n'.join(sorted({p for p in listed if listed.count(p) > 1})))
    gone = [p for p in listed if not os.path.isfile(os.path.join(src, p))]
    ok(not gone, f'every file POTFILES.in lists exists ({len(listed)} files)',
       '\n'.join(f'listed but missing: {p}' for p in gone))

    found = []
    for top in ('src', 'data'):
        for dirpath, dirnames, filenames in os.walk(os.path.join(src, top)):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                try:
                    with open(path, encoding='utf-8') as f:
                        text = f.read()
                except (UnicodeDecodeError, OSError):
                    continue
                if translatable(path, text):
                    found.append(os.path.relpath(path, src))

    ok(len(found) > 0, f'the tree has files with translatable strings ({len(found)})')
    unlisted = [p for p in found if p not in listed]
    ok(not unlisted, 'every file with translatable strings is in POTFILES.in',
       '\n'.join(f'not in po/POTFILES.in: {p}' for p in unlisted))

    print(f'1..{n}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
