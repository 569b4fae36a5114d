#!/usr/bin/env python3
"""`tools/bench geo`: p2pstore at 0, 50 and 100 ms between zones, in tools/netlab.

For each round trip: 5 peers in 3 zones (z0: peers 0 and 3, z1: 1 and 4, z2: 2), N=3, W=2;
a put and a get of SIZE bytes through peer 0, and COUNT puts and gets of 4 KiB through
peer 0's API (tools/bench-datapath/latency.py, run in the lab's client namespace). Beside
each 4 KiB figure, its ideal: the same operation's p50 at 0 ms (the work that does not
depend on distance) plus the round trips it cannot avoid — a get reads from the nearest
replica, which with one replica per zone is in the client's own zone (0 round trips); a
put needs W acknowledgements, the zone's own replica and the nearest other zone (1).
Then a checker run of CHECK_SECONDS with every fault (tools/netlab-check).

Environment: P2P_BIN (release binaries), SIZE (default 256 MiB), COUNT (default 200),
RTTS (default "0 50 100"), CHECK_SECONDS (default 600, 0 skips), CHECK_RTT (default 50).
Prints a markdown table; details go to stderr.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NETLAB = os.path.join(TOOLS, "netlab")
LATENCY = os.path.join(TOOLS, "bench-datapath", "latency.py")


def step(message):
    print(f"==> {message}", file=sys.stderr, flush=True)


def netlab(lab, *args, check=True):
    result = subprocess.run([NETLAB, "--dir", lab, *args], text=True, capture_output=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"netlab {' '.join(args)}: {result.stderr.strip()}")
    return result


def wait_measured(lab, rtt_ms, peers):
    """Until peer 0 sees every peer alive and has an answer time for each (the far zones' at
    least 80 % of the round trip): the read path's choice rests on those figures."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = json.loads(netlab(lab, "p2p", "0", "status", "--json").stdout)
        others = [p for p in status["peers"] if not p["isSelf"]]
        alive = [p for p in status["peers"] if p["state"] == "alive"]
        far = [p for p in others if p["zone"] != "z0"]
        if len(alive) == peers and all("answerMilliseconds" in p for p in others) and \
                all(p["answerMilliseconds"] >= 0.8 * rtt_ms for p in far):
            return {p["zone"] + ":" + p["nodeID"][:6]: p["answerMilliseconds"] for p in others}
        time.sleep(1)
    raise RuntimeError("peer 0 did not measure every peer within 120 s")


def timed(lab, *args):
    start = time.perf_counter()
    result = netlab(lab, "p2p", "0", *args)
    return time.perf_counter() - start, result.stdout.strip()


def one_distance(rtt_ms, size, count, work):
    lab = os.path.join(work, f"lab-{rtt_ms}")
    links = ["--rtt", f"{rtt_ms}ms"] if rtt_ms else []
    step(f"{rtt_ms} ms between zones: tools/netlab up 5 --zones 3 {' '.join(links)}")
    netlab(lab, "up", "5", "--zones", "3", "--capacity", "20G", *links)
    try:
        answers = wait_measured(lab, rtt_ms, 5)
        step(f"peer 0's answer times (ms): {answers}")
        source, copy = os.path.join(work, "file"), os.path.join(work, "copy")
        put_s, cap = timed(lab, "put", "--quiet", source)
        get_s, _ = timed(lab, "get", "--quiet", cap, "-o", copy)
        if subprocess.run(["cmp", "-s", source, copy]).returncode != 0:
            raise RuntimeError("the file read back differs")
        os.remove(copy)
        with open(os.path.join(lab, "lab.json")) as f:
            peer = json.load(f)["peers"][0]
        with open(os.path.join(lab, "peer0", "api.token")) as f:
            token = f.read().strip()
        latency = netlab(lab, "client", "python3", LATENCY, f"{peer['host']}:{peer['api']}", token, str(count), "4096").stdout
        figures = dict(line.split("=", 1) for line in latency.split() if "=" in line)
        stats = json.loads(netlab(lab, "stats", "--json").stdout)
        return {
            "rtt_ms": rtt_ms, "put_mb_s": size / put_s / 1e6, "get_mb_s": size / get_s / 1e6,
            **{key: float(value) for key, value in figures.items()},
            "relay_packets": sum(d["forwarded"] for d in stats["directions"].values()),
        }
    finally:
        netlab(lab, "down", check=False)


def checker_run(seconds, rtt_ms, work):
    lab = os.path.join(work, "lab-check")
    history = os.path.join(work, "history.jsonl")
    step(f"checker: {seconds} s at {rtt_ms} ms with partitions, crashes, a join and a leave")
    # Repair every 5 s, so that the settle after the faults takes seconds, not minutes.
    os.environ["P2P_REPAIR_INTERVAL"] = "5s"
    netlab(lab, "up", "5", "--zones", "3", "--capacity", "20G", "--rtt", f"{rtt_ms}ms")
    try:
        result = subprocess.run(
            [os.path.join(TOOLS, "netlab-check"), "run", "--lab", lab, "--duration", str(seconds), "--history", history,
             "--nemesis", "partition,crash,join,leave,clock", "--nemesis-interval", "20", "--settle", "180"],
            text=True, capture_output=True)
        sys.stderr.write(result.stderr[-4000:])
        with open(history + ".verdict.json") as f:
            verdict = json.load(f)
        with open(history) as f:
            settles = [json.loads(line) for line in f if '"op": "settle"' in line]
        for settle in settles:
            print(f"settle: ok {settle.get('ok')} after {settle['end'] - settle['start']:.0f} s; repair passes per peer "
                  f"(first, last answer; last pass s): {json.dumps(settle.get('repair'))}")
        return result.returncode, verdict
    finally:
        netlab(lab, "down", check=False)


def main():
    size = int(os.environ.get("SIZE", 256 << 20))
    count = int(os.environ.get("COUNT", 200))
    rtts = [int(x) for x in os.environ.get("RTTS", "0 50 100").split()]
    check_seconds = int(os.environ.get("CHECK_SECONDS", 600))
    work = tempfile.mkdtemp(prefix="bench-geo-")
    with open(os.path.join(work, "file"), "wb") as f:
        for _ in range(size >> 20):
            f.write(os.urandom(1 << 20))
    rows = [one_distance(rtt, size, count, work) for rtt in rtts]
    base = next((r for r in rows if r["rtt_ms"] == 0), None)
    print(f"geo: 5 peers in 3 zones (2, 2, 1), N=3, W=2, release build; {size >> 20} MiB file and {count} × 4 KiB through peer 0")
    print()
    print("| RTT between zones | put MB/s | get MB/s | 4 KiB put p50 / p99 ms | ideal put p50 | ratio | 4 KiB get p50 / p99 ms | ideal get p50 | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        ideal_put = base["put_p50_ms"] + r["rtt_ms"] if base else float("nan")
        ideal_get = base["get_p50_ms"] if base else float("nan")
        print(f"| {r['rtt_ms']} ms | {r['put_mb_s']:.0f} | {r['get_mb_s']:.0f} | {r['put_p50_ms']:.1f} / {r['put_p99_ms']:.1f} | "
              f"{ideal_put:.1f} | {r['put_p50_ms'] / ideal_put:.2f} | {r['get_p50_ms']:.1f} / {r['get_p99_ms']:.1f} | "
              f"{ideal_get:.1f} | {r['get_p50_ms'] / ideal_get:.2f} |")
    if check_seconds:
        rtt = int(os.environ.get("CHECK_RTT", 50))
        code, verdict = checker_run(check_seconds, rtt, work)
        print()
        print(f"checker, {check_seconds} s at {rtt} ms: exit {code}; {json.dumps(verdict.get('counts', verdict))}")
        for violation in verdict.get("violations", [])[:20]:
            print(f"  violation: {json.dumps(violation)}")
        if code != 0:
            # The history, the peers' logs and homes are what a violation is diagnosed from.
            os.remove(os.path.join(work, "file"))
            print(f"checker artifacts kept in {work} (history.jsonl, lab-check/peer*.log, homes)")
            return
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
