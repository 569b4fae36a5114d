#!/usr/bin/env python3
"""Small puts and gets through two networks' local HTTP APIs, interleaved request by request.

Usage: interleaved.py COUNT SIZE NAME=HOST:PORT:TOKEN NAME=HOST:PORT:TOKEN

Each step puts (then, in a second pass, gets) one SIZE-byte file on both networks, in an
order drawn at random per step, one connection per request as `p2p` does. Both networks run
at the same time on the same machine, so a change in the host's speed (other tenants, the
page cache, frequency) reaches both alike: the ratio of their percentiles is far steadier
than two runs one after the other. Prints one JSON object: per network the p50/p90/p99 in ms
of puts and gets, and per measure the ratio of the second to the first with a 95 % bootstrap
interval.
"""
import json
import os
import random
import sys

from timed_http import TimedConnection, percentile


def request(target, method, path, body=None):
    host, port, token = target
    status, answer, elapsed = TimedConnection(host, port, headers={"Authorization": "Bearer " + token}).call(method, path, body)
    return elapsed, status, answer


def bootstrap(first, second, fraction, rounds=400, seed=7):
    """95 % interval of percentile(second) / percentile(first), resampling both."""
    rng = random.Random(seed)
    ratios = []
    for _ in range(rounds):
        a = [rng.choice(first) for _ in first]
        b = [rng.choice(second) for _ in second]
        ratios.append(percentile(b, fraction) / percentile(a, fraction))
    ratios.sort()
    return round(ratios[int(0.025 * rounds)], 3), round(ratios[int(0.975 * rounds)], 3)


def main():
    count, size = int(sys.argv[1]), int(sys.argv[2])
    targets = {}
    for spec in sys.argv[3:5]:
        name, rest = spec.split("=", 1)
        host, port, token = rest.split(":", 2)
        targets[name] = (host, int(port), token)
    names = list(targets)
    rng = random.Random(1)
    times = {name: {"put": [], "get": []} for name in names}
    stored = {name: [] for name in names}
    for _ in range(count):
        body = os.urandom(size)
        for name in rng.sample(names, len(names)):
            elapsed, status, answer = request(targets[name], "POST", "/v1/files", body)
            if status != 201:
                sys.exit(f"interleaved: put on {name} failed: {status} {answer[:200]!r}")
            times[name]["put"].append(elapsed)
            stored[name].append((json.loads(answer)["cap"], body))
    for step in range(count):
        for name in rng.sample(names, len(names)):
            cap, body = stored[name][step]
            elapsed, status, answer = request(targets[name], "GET", "/v1/files/" + cap)
            if status != 200 or answer != body:
                sys.exit(f"interleaved: get on {name} failed: {status}")
            times[name]["get"].append(elapsed)
    result = {"count": count, "size": size, "networks": {}, "ratios": {}}
    for name in names:
        result["networks"][name] = {
            f"{kind}_{label}_ms": round(percentile(times[name][kind], fraction) * 1000, 3)
            for kind in ("put", "get") for label, fraction in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))
        }
    first, second = names
    for kind in ("put", "get"):
        for label, fraction in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99)):
            a, b = times[first][kind], times[second][kind]
            result["ratios"][f"{kind}_{label}"] = {
                "ratio": round(percentile(b, fraction) / percentile(a, fraction), 3),
                "interval95": bootstrap(a, b, fraction),
            }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
