#!/usr/bin/env python3
"""Latency of small puts and gets through a peer's local HTTP API.

Usage: latency.py HOST:PORT TOKEN COUNT SIZE [--keepalive]
Prints put_p50_ms, put_p99_ms, get_p50_ms, get_p99_ms as key=value lines. By default one
connection per request, as `p2p` does; with --keepalive, every request on one persistent
HTTP/1.1 connection, as API clients (boto3, browsers, language HTTP libraries) do. The
connection's setup is part of each request's time in the first mode and of none in the
second.
"""
import json
import os
import sys

from timed_http import TimedConnection, percentile


def main():
    arguments = [word for word in sys.argv[1:] if word != "--keepalive"]
    keepalive = len(arguments) < len(sys.argv) - 1
    address, token, count, size = arguments[0], arguments[1], int(arguments[2]), int(arguments[3])
    host, port = address.rsplit(":", 1)
    server = TimedConnection(host, port, headers={"Authorization": "Bearer " + token}, keepalive=keepalive)

    caps, put_times, get_times = [], [], []
    for _ in range(count):
        body = os.urandom(size)
        status, answer, seconds = server.call("POST", "/v1/files", body)
        if status != 201:
            sys.exit(f"put failed: {status} {answer[:200]!r}")
        put_times.append(seconds)
        caps.append((json.loads(answer)["cap"], body))
    for cap, body in caps:
        status, data, seconds = server.call("GET", "/v1/files/" + cap)
        if status != 200 or data != body:
            sys.exit(f"get failed: {status}")
        get_times.append(seconds)
    server.close()
    for name, values in (("put", put_times), ("get", get_times)):
        print(f"{name}_p50_ms={percentile(values, 0.50) * 1000:.2f}")
        print(f"{name}_p99_ms={percentile(values, 0.99) * 1000:.2f}")


if __name__ == "__main__":
    main()
