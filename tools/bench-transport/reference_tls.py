#!/usr/bin/env python3
"""Reference for bench-transport: bulk TLS 1.3 over loopback with Python's ssl module.

A server process and a client process (fork), one connection, TLS 1.3 only, an Ed25519
certificate like ours. The client sends a 64 MiB warm-up and then BYTES (default 1 GiB)
in 1 MiB writes; the server acknowledges each transfer with one byte once it has read
it all. Prints key=value lines: openssl, cipher, bulk_bytes, bulk_seconds, bulk_mib_per_s.
"""
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time

WRITE = 1 << 20


def make_certificate(directory):
    key, cert = os.path.join(directory, "key.pem"), os.path.join(directory, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=reference"], check=True, capture_output=True)
    return cert, key


def context(purpose):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if purpose == "server" else ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    return ctx


def serve(listener, cert, key):
    ctx = context("server")
    ctx.load_cert_chain(cert, key)
    conn, _ = listener.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    tls = ctx.wrap_socket(conn, server_side=True)
    buffer = memoryview(bytearray(WRITE))
    while True:
        header = tls.recv(8)
        if not header:
            break
        remaining = int.from_bytes(header, "big")
        while remaining > 0:
            remaining -= tls.recv_into(buffer, min(remaining, WRITE))
        tls.sendall(b"\x01")
    tls.close()


def send(tls, total):
    payload = bytes(WRITE)
    start = time.perf_counter()
    tls.sendall(total.to_bytes(8, "big"))
    for _ in range(total // WRITE):
        tls.sendall(payload)
    assert tls.recv(1) == b"\x01"
    return time.perf_counter() - start


def main():
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 1 << 30
    with tempfile.TemporaryDirectory() as directory:
        cert, key = make_certificate(directory)
        listener = socket.create_server(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        child = os.fork()
        if child == 0:
            serve(listener, cert, key)
            os._exit(0)
        listener.close()
        ctx = context("client")
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        tls = ctx.wrap_socket(sock)
        send(tls, 64 << 20)
        seconds = send(tls, total)
        print(f"openssl={ssl.OPENSSL_VERSION}")
        print(f"cipher={tls.cipher()[0]} {tls.version()}")
        print(f"bulk_bytes={total}")
        print(f"bulk_seconds={seconds:.3f}")
        print(f"bulk_mib_per_s={total / seconds / 1048576:.1f}")
        tls.close()
        os.waitpid(child, 0)


if __name__ == "__main__":
    main()
