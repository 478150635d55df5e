#!/usr/bin/env python3
# test-install.py: `meson install` puts everything where a desktop expects
# it, and the installed headless host serves.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs the build into a temporary DESTDIR, checks the binaries, the
# desktop data, the schema, the icons, the systemd unit and one .mo per
# language in po/LINGUAS, then starts the INSTALLED ticketrail-host on
# loopback, asks it for /api/v1/health and stops it with SIGTERM, which
# must end it with status 0. Prints TAP.

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.request


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


def read_linguas(path):
    langs = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            langs += line.split('#', 1)[0].split()
    return langs


def check_host(tap, host_bin, tmp, version):
    data_dir = os.path.join(tmp, 'host-data')
    os.makedirs(data_dir)
    # Port 0: the host picks a free port and prints it, so nothing races
    # for it between choosing and binding.
    proc = subprocess.Popen([host_bin, '--loopback', '--port', '0', '--data-dir', data_dir],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    found = threading.Event()
    url = []

    def read_stdout():
        for line in proc.stdout:
            lines.append(line)
            m = re.search(r'listening on (http://(?:127\.0\.0\.1|\[::1\]):\d+)', line)
            if m and not url:
                url.append(m.group(1))
                found.set()
        found.set()

    reader = threading.Thread(target=read_stdout, daemon=True)
    reader.start()
    # Generous: a sanitizer build under a loaded CI machine starts slowly.
    found.wait(120)
    try:
        if not tap.ok(bool(url), 'the installed ticketrail-host starts and says where it listens',
                      ''.join(lines)):
            return
        try:
            with urllib.request.urlopen(url[0] + '/api/v1/health', timeout=60) as response:
                status = response.status
                body = json.loads(response.read().decode('utf-8'))
        except (OSError, ValueError) as e:
            status, body = None, {'error': repr(e)}
        tap.ok(status == 200 and body.get('status') == 'ok',
               'GET /api/v1/health answers 200 {"status":"ok"}', f'{status} {body}')
        tap.ok(body.get('version') == version, f'the health report names version {version}', body)
        tap.ok(os.path.exists(os.path.join(data_dir, 'ticketrail.db')),
               'the host keeps its database in --data-dir', os.listdir(data_dir))
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
        reader.join(10)
        stderr = proc.stderr.read()
        tap.ok(rc == 0, 'SIGTERM stops the installed host with status 0', f'status {rc}\n{stderr}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--meson', required=True)
    ap.add_argument('--build-dir', required=True)
    ap.add_argument('--source-dir', required=True)
    ap.add_argument('--prefix', required=True)
    ap.add_argument('--bindir', required=True)
    ap.add_argument('--datadir', required=True)
    ap.add_argument('--localedir', required=True)
    ap.add_argument('--unitdir', required=True)
    ap.add_argument('--app-id', required=True)
    ap.add_argument('--version', required=True)
    ap.add_argument('--with-app', action='store_true', help='the GTK app is part of this build')
    args = ap.parse_args()

    tap = Tap()
    tmp = tempfile.mkdtemp(prefix='ticketrail-install-')
    try:
        dest = os.path.join(tmp, 'dest')
        root = lambda path: dest + os.path.join(args.prefix, path)
        r = subprocess.run([args.meson, 'install', '-C', args.build_dir, '--no-rebuild', '--quiet'],
                           env=dict(os.environ, DESTDIR=dest), capture_output=True, text=True)
        if not tap.ok(r.returncode == 0, 'meson install into a DESTDIR', r.stdout + r.stderr):
            return tap.done()

        binaries = ['ticketrail-host', 'ticketrail-ctl'] + (['ticketrail'] if args.with_app else [])
        for name in binaries:
            path = root(os.path.join(args.bindir, name))
            tap.ok(os.path.isfile(path) and os.access(path, os.X_OK), f'{args.bindir}/{name} is installed',
                   path)

        share = lambda *parts: root(os.path.join(args.datadir, *parts))
        app_id = args.app_id
        files = {
            'the desktop file': share('applications', app_id + '.desktop'),
            'the AppStream metainfo': share('metainfo', app_id + '.metainfo.xml'),
            'the GSettings schema': share('glib-2.0', 'schemas', app_id + '.gschema.xml'),
            'the scalable icon': share('icons', 'hicolor', 'scalable', 'apps', app_id + '.svg'),
            'the symbolic icon': share('icons', 'hicolor', 'symbolic', 'apps', app_id + '-symbolic.svg'),
            'the systemd unit': root(os.path.join(args.unitdir, 'ticketrail-host.service')),
        }
        for what, path in files.items():
            tap.ok(os.path.isfile(path) and os.path.getsize(path) > 0, f'{what} is installed', path)

        # The merged files, not the .in templates, get installed.
        with open(files['the desktop file'], encoding='utf-8') as f:
            desktop = f.read()
        tap.ok(re.search(r'^Exec=ticketrail\b', desktop, re.M) and f'Icon={app_id}\n' in desktop,
               'the desktop file runs ticketrail and names the installed icon', desktop)

        r = subprocess.run(['glib-compile-schemas', '--strict', '--dry-run',
                            os.path.dirname(files['the GSettings schema'])], capture_output=True, text=True)
        tap.ok(r.returncode == 0, 'the installed schema compiles', r.stderr)

        with open(files['the systemd unit'], encoding='utf-8') as f:
            unit = f.read()
        exec_start = re.search(r'^ExecStart=(\S+)', unit, re.M)
        host_path = os.path.join(args.prefix, args.bindir, 'ticketrail-host')
        tap.ok(exec_start is not None and exec_start.group(1) == host_path,
               f'the unit runs the installed host ({host_path})', exec_start.group(0) if exec_start else unit)

        langs = read_linguas(os.path.join(args.source_dir, 'po', 'LINGUAS'))
        for lang in langs:
            mo = root(os.path.join(args.localedir, lang, 'LC_MESSAGES', 'ticketrail.mo'))
            tap.ok(os.path.isfile(mo), f'the {lang} translation is installed', mo)

        if args.with_app:
            # No display and GTK never started: --version must print and
            # exit, not trip over a sound warming up (it once aborted).
            app = root(os.path.join(args.bindir, 'ticketrail'))
            env = {k: v for k, v in os.environ.items() if k not in ('DISPLAY', 'WAYLAND_DISPLAY')}
            r = subprocess.run([app, '--version'], env=env, capture_output=True, text=True, timeout=60)
            tap.ok(r.returncode == 0 and r.stdout == f'ticketrail {args.version}\n',
                   'the installed app prints its version and exits', f'status {r.returncode}\n{r.stdout}{r.stderr}')

        check_host(tap, root(host_path), tmp, args.version)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
