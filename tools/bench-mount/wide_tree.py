#!/usr/bin/env python3
"""Stores a wide tree through a peer's API without uploading 100,000 files: every entry
names the same small file, so only the directory listings are new.

Usage: wide_tree.py HOST:PORT TOKEN DIRECTORIES FILES_PER_DIRECTORY
Prints the root directory's capability.
"""
import http.client
import json
import sys


def call(address, token, method, path, body):
    host, port = address.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    connection.request(method, path, body=body, headers={"Authorization": "Bearer " + token})
    response = connection.getresponse()
    answer = response.read()
    connection.close()
    if response.status not in (200, 201):
        sys.exit(f"{method} {path}: {response.status} {answer[:300]!r}")
    return json.loads(answer)


def main():
    address, token, directories, files = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    stored = call(address, token, "POST", "/v1/files", b"one small file, named 100,000 times\n")
    entry = lambda name: {"name": name, "type": "file", "mode": 0o644, "mtimeNanoseconds": 1_700_000_000_000_000_000,
                          "size": stored["size"], "cap": stored["cap"]}
    subdirectories = []
    for index in range(directories):
        document = {"entries": [entry(f"file-{n:06d}") for n in range(files)]}
        listing = call(address, token, "POST", "/v1/dirs", json.dumps(document).encode())
        subdirectories.append({"name": f"dir-{index:04d}", "type": "directory", "mode": 0o755,
                               "mtimeNanoseconds": 1_700_000_000_000_000_000, "size": 0, "cap": listing["cap"]})
    root = call(address, token, "POST", "/v1/dirs", json.dumps({"entries": subdirectories}).encode())
    print(root["cap"])


if __name__ == "__main__":
    main()
