#!/usr/bin/env python3
"""standby-ack.py: op -> answer latency on loopback with and without a
standby (issue 17, docs/performance.md "Semi-synchronous acks").

Starts a real ticketrail-host (pairing required, synchronous=FULL), pairs
a POS, posts N orders one after the other over one keep-alive HTTP
connection and prints p50/p99 of POST /api/v1/tickets -> 201; then the
same with a standby (ticketrail-host --standby-of) in sync, whose
confirmation every answer waits for.

  bench/standby-ack.py --host-bin _build/src/host/ticketrail-host [-n 1000]
"""
import argparse, http.client, json, os, re, shutil, signal, statistics, subprocess, tempfile, time


def spawn_host(binary, data_dir, *extra):
    p = subprocess.Popen([binary, "--loopback", "--port", "0", "--data-dir", data_dir, *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in p.stdout:
        m = re.search(r"listening on http://[^:]+:(\d+)", line)
        if m:
            return p, int(m.group(1))
    raise SystemExit("the host did not start")


def code(binary, data_dir):
    out = subprocess.run([binary, "pair", "--data-dir", data_dir], capture_output=True, text=True).stdout
    return re.search(r"\d{6}", out).group(0)


def health(port):
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("GET", "/api/v1/health")
    return json.loads(c.getresponse().read())


def run(binary, n, with_standby):
    tmp = tempfile.mkdtemp(prefix="standby-ack-")
    host_dir, standby_dir = os.path.join(tmp, "host"), os.path.join(tmp, "standby")
    os.mkdir(host_dir)
    host, port = spawn_host(binary, host_dir, "--ops-rate", "0")
    standby = None
    try:
        c = http.client.HTTPConnection("127.0.0.1", port)
        c.request("POST", "/api/v1/pair", json.dumps(
            {"code": code(binary, host_dir), "station": {"id": "pos", "name": "POS", "role": "pos"}}))
        token = json.loads(c.getresponse().read())["token"]
        if with_standby:
            standby = subprocess.Popen([binary, "--standby-of", f"http://127.0.0.1:{port}",
                                        "--pairing-code", code(binary, host_dir), "--data-dir", standby_dir],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            while not health(port).get("standby_connected"):
                if time.monotonic() > deadline:
                    raise SystemExit("the standby did not get in sync")
                time.sleep(0.05)
        headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
        times = []
        for i in range(n):
            body = json.dumps({"op_id": f"bench-{i}", "table": "4",
                               "items": [{"name": "Soup", "quantity": 1}]})
            t0 = time.perf_counter()
            c.request("POST", "/api/v1/tickets", body, headers)
            r = c.getresponse()
            r.read()
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status == 201, r.status
        if with_standby:
            assert health(port)["standby_connected"], "the standby fell behind during the run"
        times.sort()
        return statistics.median(times), times[int(len(times) * 0.99) - 1]
    finally:
        for p in (standby, host):
            if p is not None:
                p.send_signal(signal.SIGTERM)
                p.wait()
        shutil.rmtree(tmp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host-bin", required=True)
    ap.add_argument("-n", type=int, default=1000)
    a = ap.parse_args()
    for with_standby in (False, True):
        p50, p99 = run(a.host_bin, a.n, with_standby)
        print(f"standby-ack: standby={'yes' if with_standby else 'no'} n={a.n} "
              f"p50_ms={p50:.3f} p99_ms={p99:.3f}")


if __name__ == "__main__":
    main()
