#!/usr/bin/env python3
# test-service-unit.py: systemd accepts the headless host's unit as it is.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# `systemd-analyze verify` exits 0 on unknown keys and on values it cannot
# parse, printing a warning and ignoring the line; an ignored hardening
# line is a silent hole, so any word from it about the unit fails too.
# The unit checked here runs the build tree's ticketrail-host, because
# verify also wants ExecStart to be an executable that exists.

import os
import subprocess
import sys

systemd_analyze, unit = sys.argv[1], sys.argv[2]
r = subprocess.run([systemd_analyze, 'verify', unit], capture_output=True, text=True,
                   env=dict(os.environ, SYSTEMD_LOG_COLOR='0', LC_ALL='C'))
name = os.path.basename(unit)
complaints = [line for line in (r.stdout + r.stderr).splitlines() if name in line or unit in line]
print(f'{"ok" if r.returncode == 0 else "not ok"} 1 - systemd-analyze verify {name} exits 0')
print(f'{"ok" if not complaints else "not ok"} 2 - systemd-analyze has nothing to say about {name}')
for line in (r.stdout + r.stderr).splitlines():
    print(f'# {line}')
print('1..2')
sys.exit(0 if r.returncode == 0 and not complaints else 1)
