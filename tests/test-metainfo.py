#!/usr/bin/env python3
# test-metainfo.py: what appstreamcli cannot check without the network.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The screenshots are URLs into this repository's docs/screenshots/, so a
# renamed or missing picture would only show up as a broken software
# centre page; the newest release must be the version meson builds.

import os
import sys
import xml.etree.ElementTree as ET

metainfo, source_root, version = sys.argv[1:4]
PREFIX = 'https://raw.githubusercontent.com/ticketrail/ticketrail/main/'
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


root = ET.parse(metainfo).getroot()
shots = root.findall('./screenshots/screenshot')
ok(len(shots) > 0, 'the metainfo has screenshots')
ok(len([s for s in shots if s.get('type') == 'default']) == 1, 'exactly one screenshot is the default')
for shot in shots:
    url = (shot.findtext('image') or '').strip()
    path = url[len(PREFIX):] if url.startswith(PREFIX) else None
    ok(path is not None and path.startswith('docs/screenshots/') and
       os.path.isfile(os.path.join(source_root, path)),
       f'{url} is a picture in docs/screenshots/', f'missing: {path or url}')
    ok(bool((shot.findtext('caption') or '').strip()), f'{os.path.basename(url)} has a caption')

releases = root.findall('./releases/release')
ok(len(releases) > 0, 'the metainfo lists releases')
ok(releases and releases[0].get('version') == version,
   f'the newest release is {version}, the version meson builds',
   releases[0].get('version') if releases else None)
rating = root.find('content_rating')
ok(rating is not None and rating.get('type', '').startswith('oars-'), 'it has an OARS content rating')

print(f'1..{n}')
sys.exit(1 if failed else 0)
