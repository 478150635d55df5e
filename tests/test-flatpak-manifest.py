#!/usr/bin/env python3
# test-flatpak-manifest.py: flatpak-builder reads the manifest, and every
# permission it asks for is explained in docs/install.md.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# flatpak-builder only warns about an unknown property (a typo such as
# "finish-arg" would silently drop the permissions), so its warnings fail
# the test too.

import json
import os
import re
import subprocess
import sys

flatpak_builder, manifest, source_root, app_id = sys.argv[1:5]
n = 0
failed = 0


def ok(cond, what, detail=''):
    global n, failed
    n += 1
    print(f'{"ok" if cond else "not ok"} {n} - {what}')
    if not cond:
        failed += 1
        for line in str(detail).splitlines():
            print(f'# {line}')
    return cond


r = subprocess.run([flatpak_builder, '--show-manifest', manifest], capture_output=True, text=True,
                   env=dict(os.environ, LC_ALL='C'))
ok(r.returncode == 0, 'flatpak-builder --show-manifest parses the manifest', r.stderr)
ok(r.stderr.strip() == '', 'flatpak-builder has no warnings about it', r.stderr)
try:
    parsed = json.loads(r.stdout)
except ValueError as e:
    parsed = {}
    ok(False, 'flatpak-builder prints the manifest back as JSON', e)

ok(parsed.get('id') == app_id, f'the app id is {app_id}', parsed.get('id'))
ok(parsed.get('command') == 'ticketrail', 'the command is ticketrail', parsed.get('command'))
ok(parsed.get('runtime') == 'org.gnome.Platform' and parsed.get('sdk') == 'org.gnome.Sdk',
   'it builds against the GNOME runtime and SDK', f'{parsed.get("runtime")} {parsed.get("sdk")}')

app_modules = [m for m in parsed.get('modules', []) if isinstance(m, dict) and m.get('name') == 'ticketrail']
module = app_modules[0] if app_modules else {}
ok(module.get('buildsystem') == 'meson', 'the ticketrail module builds with meson', module)
dirs = [s for s in module.get('sources', []) if s.get('type') == 'dir']
here = os.path.dirname(os.path.abspath(manifest))
ok(len(dirs) == 1 and os.path.samefile(os.path.join(here, dirs[0]['path']), source_root),
   'its source is this repository (a "dir" source)', dirs)
ok(any(o == '-Dui_tests=false' for o in module.get('config-opts', [])),
   'the build in the sandbox leaves out the tests that need Xvfb', module.get('config-opts'))

with open(os.path.join(source_root, 'docs', 'install.md'), encoding='utf-8') as f:
    docs = f.read()
args = parsed.get('finish-args', [])
ok(len(args) > 0, 'the manifest asks for the permissions the app needs', args)
undocumented = [a for a in args if not re.search(r'`' + re.escape(a) + r'`', docs)]
ok(not undocumented, 'docs/install.md explains every finish-arg', '\n'.join(undocumented))

print(f'1..{n}')
sys.exit(1 if failed else 0)
