"""Timed HTTP requests for the small-request benchmarks (latency.py, tahoe.py,
interleaved.py): one connection per request, or every request on one keep-alive
connection; each request timed from before the connection is opened (when it is) to the
last byte of the answer."""
import http.client
import time


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class TimedConnection:
    """Requests to one HTTP server, each answered as (status, body, seconds)."""

    def __init__(self, host, port, headers=None, keepalive=False, timeout=30):
        self.host, self.port, self.timeout = host, int(port), timeout
        self.headers = headers or {}
        self.shared = http.client.HTTPConnection(self.host, self.port, timeout=timeout) if keepalive else None

    def call(self, method, path, body=None):
        start = time.perf_counter()
        connection = self.shared or http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        connection.request(method, path, body=body, headers=self.headers)
        response = connection.getresponse()
        data = response.read()
        seconds = time.perf_counter() - start
        if not self.shared:
            connection.close()
        return response.status, data, seconds

    def close(self):
        if self.shared:
            self.shared.close()
