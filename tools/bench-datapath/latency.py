#!/usr/bin/env python3
"""Latency of small puts and gets through a peer's local HTTP API.

Usage: latency.py HOST:PORT TOKEN COUNT SIZE
Prints put_p50_ms, put_p99_ms, get_p50_ms, get_p99_ms as key=value lines. One
keep-alive-free connection per request, as `p2p` does.
"""
import http.client
import json
import os
import sys
import time


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    address, token, count, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    host, port = address.rsplit(":", 1)
    headers = {"Authorization": "Bearer " + token}
    caps, put_times, get_times = [], [], []
    for _ in range(count):
        body = os.urandom(size)
        start = time.perf_counter()
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.request("POST", "/v1/files", body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        put_times.append(time.perf_counter() - start)
        connection.close()
        if response.status != 201:
            sys.exit(f"put failed: {response.status} {answer[:200]!r}")
        caps.append((json.loads(answer)["cap"], body))
    for cap, body in caps:
        start = time.perf_counter()
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.request("GET", "/v1/files/" + cap, headers=headers)
        response = connection.getresponse()
        data = response.read()
        get_times.append(time.perf_counter() - start)
        connection.close()
        if response.status != 200 or data != body:
            sys.exit(f"get failed: {response.status}")
    for name, values in (("put", put_times), ("get", get_times)):
        print(f"{name}_p50_ms={percentile(values, 0.50) * 1000:.2f}")
        print(f"{name}_p99_ms={percentile(values, 0.99) * 1000:.2f}")


if __name__ == "__main__":
    main()
