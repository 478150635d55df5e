#!/usr/bin/env python3
# expect-caught.py: runs the chaos driver with a fault injected on
# purpose and passes only if the checks catch it: exit status 1 and a
# last line reporting exactly one lost op and no duplicate.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import re
import shutil
import subprocess
import sys
import tempfile

proc = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                      text=True, check=False)
sys.stdout.write(proc.stdout)
lines = proc.stdout.strip().splitlines()
last = lines[-1] if lines else ''
summary = re.fullmatch(r'chaos: ops=\d+ applied=\d+ rejected=\d+ lost=(\d+) duplicated=(\d+) diverged=\d+ '
                       r'reconnects=\d+ host_kills=\d+ station_kills=\d+ converge_ms=\d+ seed=\d+',
                       last)
if proc.returncode != 1:
    print(f'expect-caught: the driver exited with {proc.returncode}, expected 1 (checks failed)')
    sys.exit(1)
if summary is None:
    print(f'expect-caught: the last line is not the summary: {last!r}')
    sys.exit(1)
if summary.group(1) != '1' or summary.group(2) != '0':
    print(f'expect-caught: expected lost=1 duplicated=0, got lost={summary.group(1)} '
          f'duplicated={summary.group(2)}')
    sys.exit(1)
print('expect-caught: the injected fault was caught (lost=1)')
# The driver keeps a failed run's folder for inspection; this failure was
# the point, so it goes.
folder = re.search(r"the run's files are in (\S+)", proc.stdout)
if folder and os.path.dirname(folder.group(1)) == tempfile.gettempdir() \
        and os.path.basename(folder.group(1)).startswith('tr-chaos-'):
    shutil.rmtree(folder.group(1), ignore_errors=True)
