#!/usr/bin/env python3
"""Latency of small puts and gets through a peer's local HTTP API.

Usage: latency.py HOST:PORT TOKEN COUNT SIZE [--keepalive]
Prints put_p50_ms, put_p99_ms, get_p50_ms, get_p99_ms as key=value lines. By default one
connection per request, as `p2p` does; with --keepalive, every request on one persistent
HTTP/1.1 connection, as API clients (boto3, browsers, language HTTP libraries) do. The
connection's setup is part of each request's time in the first mode and of none in the
second.
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
    arguments = [word for word in sys.argv[1:] if word != "--keepalive"]
    keepalive = len(arguments) < len(sys.argv) - 1
    address, token, count, size = arguments[0], arguments[1], int(arguments[2]), int(arguments[3])
    host, port = address.rsplit(":", 1)
    headers = {"Authorization": "Bearer " + token}
    shared = http.client.HTTPConnection(host, int(port), timeout=30) if keepalive else None

    def call(method, path, body=None):
        start = time.perf_counter()
        connection = shared or http.client.HTTPConnection(host, int(port), timeout=30)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        seconds = time.perf_counter() - start
        if not shared:
            connection.close()
        return response.status, data, seconds

    caps, put_times, get_times = [], [], []
    for _ in range(count):
        body = os.urandom(size)
        status, answer, seconds = call("POST", "/v1/files", body)
        if status != 201:
            sys.exit(f"put failed: {status} {answer[:200]!r}")
        put_times.append(seconds)
        caps.append((json.loads(answer)["cap"], body))
    for cap, body in caps:
        status, data, seconds = call("GET", "/v1/files/" + cap)
        if status != 200 or data != body:
            sys.exit(f"get failed: {status}")
        get_times.append(seconds)
    if shared:
        shared.close()
    for name, values in (("put", put_times), ("get", get_times)):
        print(f"{name}_p50_ms={percentile(values, 0.50) * 1000:.2f}")
        print(f"{name}_p99_ms={percentile(values, 0.99) * 1000:.2f}")


if __name__ == "__main__":
    main()
