#!/usr/bin/env python3
"""Tahoe-LAFS reference for `tools/bench datapath` (issue 16).

Usage: tahoe.py --scratch DIR --file FILE [--small-file FILE] [--count N] [--size BYTES]
                [--tahoe-version V]

Installs tahoe-lafs (pinned, default 1.20.0, its dependencies constrained by
tahoe-constraints.txt beside this script) into a virtualenv DIR/venv (kept and reused),
starts a grid in a fresh folder under DIR, all on 127.0.0.1 with ports the kernel picks
(1 introducer, 3 storage nodes, 1 client node with the web API; shares.needed=2,
shares.happy=3, shares.total=3), waits until the client is connected to all 3 storage
servers, then measures through the client's web API:

- `PUT /uri` of FILE, streamed from disk (immutable CHK file), until the cap comes back;
- `GET /uri/CAP` of that cap into a file, synced to disk as `p2p get -o` syncs its own;
  the SHA-256 of what came back must match;
- the same for --small-file when given (keys prefixed `small_`);
- COUNT puts of distinct SIZE-byte random payloads, then a get of each (bytes compared),
  p50 and p99 in ms, twice: one new connection per request, then all of them on one
  persistent connection, as latency.py does for p2pstore.

Prints key=value lines on stdout: tahoe_version, tahoe_storage_protocol, size_bytes,
put_seconds, put_mb_per_s, get_seconds, get_mb_per_s (MB = 10^6 bytes), small_* likewise,
put4k_p50_ms, put4k_p99_ms, get4k_p50_ms, get4k_p99_ms (a connection per request), the same
prefixed `keepalive_`. Progress goes to stderr.

Every node it started is stopped (SIGTERM to its process group, SIGKILL after 15 s) and
the grid folder removed, also on errors, SIGINT, SIGTERM and SIGHUP. The nodes run with
stdin on a pipe from this script, so `tahoe run` also exits by itself if this script is
killed outright. The venv is kept.
"""
import argparse
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

from timed_http import TimedConnection, percentile

TAHOE_VERSION = "1.20.0"
HOST = "127.0.0.1"
STORAGE_NODES = 3
NEEDED, HAPPY, TOTAL = 2, 3, 3
BLOCK = 1 << 20
CONSTRAINTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tahoe-constraints.txt")
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def say(message):
    print(f"==> tahoe: {message}", file=sys.stderr, flush=True)


class Interrupted(BaseException):
    """Raised from a signal handler so that `finally` blocks run."""


def on_signal(number, _frame):
    raise Interrupted(f"signal {signal.Signals(number).name}")


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


def venv_version(python):
    if not os.path.exists(python):
        return None
    result = subprocess.run([python, "-c", "import allmydata; print(allmydata.__version__)"],
                            capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else None


def ensure_venv(scratch, version, constraints):
    venv = os.path.join(scratch, "venv")
    python = os.path.join(venv, "bin", "python")
    installed = venv_version(python)
    if installed == version:
        say(f"reusing {venv} (tahoe-lafs {installed})")
        return venv, installed
    if installed is None and os.path.exists(venv):
        say(f"{venv} has no working tahoe-lafs: recreating it")
        shutil.rmtree(venv)
    if not os.path.exists(venv):
        say(f"{sys.executable} -m venv {venv}")
        subprocess.run([sys.executable, "-m", "venv", venv], check=True, stdout=sys.stderr)
    command = [python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet",
               f"tahoe-lafs=={version}"]
    if constraints:
        command += ["--constraint", constraints]
    say(" ".join(command[2:]) + f" (into {venv})")
    subprocess.run(command, check=True, stdout=sys.stderr)
    installed = venv_version(python)
    if installed != version:
        sys.exit(f"tahoe: installed tahoe-lafs reports version {installed!r}, wanted {version}")
    # What the resolver picked, for the record (dependencies are not pinned).
    with open(os.path.join(scratch, "pip-freeze.txt"), "w") as f:
        subprocess.run([python, "-m", "pip", "freeze", "--disable-pip-version-check"],
                       stdout=f, check=False)
    return venv, installed


class Grid:
    """The nodes of one grid; `stop` ends every process it started."""

    def __init__(self, venv, root):
        self.tahoe = os.path.join(venv, "bin", "tahoe")
        self.root = root
        self.processes = []  # (name, Popen, log path)

    def create(self, *nodes):
        """Runs `tahoe KIND OPTIONS… DIR` for each (kind, name, options), in parallel."""
        running = []
        for kind, name, options in nodes:
            directory = os.path.join(self.root, name)
            command = [self.tahoe, kind, *options, directory]
            running.append((command, directory, subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
        for command, _, process in running:
            output, _ = process.communicate()
            if process.returncode != 0:
                raise RuntimeError(f"{' '.join(command)} failed:\n{output}")
        return [directory for _, directory, _ in running]

    def start(self, name, directory):
        log_path = os.path.join(self.root, name + ".log")
        log = open(log_path, "wb")
        # Own session: a terminal's Ctrl-C reaches only this script, which stops the nodes
        # itself; stdin stays an open pipe (`tahoe run` exits when its stdin closes).
        # Signals are held until the process is on the list `stop` goes through; the child
        # must not inherit that mask (it would ignore our SIGTERM).
        held = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
        try:
            process = subprocess.Popen([self.tahoe, "run", directory], stdin=subprocess.PIPE,
                                       stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True,
                                       preexec_fn=lambda: signal.pthread_sigmask(
                                           signal.SIG_SETMASK, held))
            self.processes.append((name, process, log_path))
        finally:
            log.close()
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return process

    def check_running(self):
        for name, process, log_path in self.processes:
            if process.poll() is not None:
                raise RuntimeError(f"node {name} exited with {process.returncode}:\n"
                                   + tail(log_path))

    def stop(self):
        for name, process, _ in self.processes:
            if process.poll() is None:
                say(f"stopping {name} (SIGTERM to pid {process.pid})")
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for name, process, _ in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                say(f"{name} still running after 15 s: SIGKILL to pid {process.pid}")
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(timeout=5)
            if process.stdin:
                process.stdin.close()

    def logs(self):
        return "".join(f"--- {name} ---\n{tail(log_path)}" for name, _, log_path in self.processes)


def tail(path, lines=30):
    try:
        with open(path, "rb") as f:
            return b"".join(f.readlines()[-lines:]).decode(errors="replace")
    except OSError:
        return ""


def wait_until(description, deadline, check, grid):
    while True:
        grid.check_running()
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {description}")
        time.sleep(0.1)


def start_grid(grid, timeout):
    deadline = time.monotonic() + timeout
    port = free_port()
    [introducer] = grid.create(("create-introducer", "introducer", [
        "--listen=tcp", f"--port=tcp:{port}:interface={HOST}", f"--location=tcp:{HOST}:{port}"]))
    grid.start("introducer", introducer)
    furl_path = os.path.join(introducer, "private", "introducer.furl")

    def furl():
        try:
            with open(furl_path) as f:
                return f.read().strip()
        except FileNotFoundError:
            return None

    introducer_furl = wait_until("the introducer's fURL", deadline, furl, grid)
    encoding = [f"--shares-needed={NEEDED}", f"--shares-happy={HAPPY}", f"--shares-total={TOTAL}"]
    nodes = []
    for index in range(STORAGE_NODES):
        port = free_port()
        nodes.append(("create-node", f"storage{index}", [
            f"--nickname=storage{index}", f"--introducer={introducer_furl}", "--listen=tcp",
            f"--port=tcp:{port}:interface={HOST}", f"--location=tcp:{HOST}:{port}",
            "--webport=none", *encoding]))
    web_port = free_port()
    nodes.append(("create-client", "client", [
        "--nickname=client", f"--introducer={introducer_furl}",
        f"--webport=tcp:{web_port}:interface={HOST}", *encoding]))
    for (_, name, _), directory in zip(nodes, grid.create(*nodes)):
        grid.start(name, directory)

    def connected_servers():
        try:
            connection = http.client.HTTPConnection(HOST, web_port, timeout=5)
            connection.request("GET", "/?t=json")
            response = connection.getresponse()
            body = response.read()
            connection.close()
        except OSError:
            return None
        if response.status != 200:
            return None
        servers = [s for s in json.loads(body)["servers"]
                   if (s.get("connection_status") or "").lower().startswith("connected")]
        return servers if len(servers) >= STORAGE_NODES else None

    servers = wait_until(f"the client to connect to {STORAGE_NODES} storage servers", deadline,
                         connected_servers, grid)
    # HTTP storage ("Great Black Swamp") reports "connected"; Foolscap "Connected to HINT via …".
    protocol = "http" if all(s["connection_status"] == "connected" for s in servers) else "foolscap"
    say(f"grid up in {time.monotonic() - deadline + timeout:.1f} s: client web API on "
        f"{HOST}:{web_port}, {len(servers)} storage servers ({protocol} storage protocol)")
    return web_port, protocol


def cap_path(cap):
    return "/uri/" + urllib.parse.quote(cap, safe="")


def put_file(port, path):
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        start = time.perf_counter()
        connection = http.client.HTTPConnection(HOST, port, timeout=3600, blocksize=BLOCK)
        connection.request("PUT", "/uri", body=f, headers={"Content-Length": str(size)})
        response = connection.getresponse()
        answer = response.read()
        seconds = time.perf_counter() - start
        connection.close()
    if response.status not in (200, 201):
        raise RuntimeError(f"PUT /uri failed: {response.status} {answer[:500]!r}")
    return answer.decode().strip(), seconds


def get_file(port, cap, path):
    start = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=3600)
    connection.request("GET", cap_path(cap))
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"GET {cap} failed: {response.status} {response.read(500)!r}")
    with open(path, "wb") as out:
        while block := response.read(BLOCK):
            out.write(block)
        # As `p2p get -o` does before its rename: the same durable file on both sides.
        out.flush()
        os.fsync(out.fileno())
    seconds = time.perf_counter() - start
    connection.close()
    return seconds


def measure_file(port, path, work, prefix):
    size = os.path.getsize(path)
    say(f"sha256 of {path} ({size} bytes)")
    expected = sha256_of(path)
    say(f"PUT /uri of {path}")
    cap, put_seconds = put_file(port, path)
    say(f"GET {cap[:40]}… into {work}")
    back = os.path.join(work, prefix + "back.bin")
    get_seconds = get_file(port, cap, back)
    if sha256_of(back) != expected:
        raise RuntimeError(f"GET returned different bytes for {path}")
    os.remove(back)
    return {
        f"{prefix}size_bytes": size,
        f"{prefix}put_seconds": f"{put_seconds:.3f}",
        f"{prefix}put_mb_per_s": f"{size / put_seconds / 1e6:.1f}",
        f"{prefix}get_seconds": f"{get_seconds:.3f}",
        f"{prefix}get_mb_per_s": f"{size / get_seconds / 1e6:.1f}",
    }


def measure_small(port, count, size, keepalive):
    say(f"{count} puts and {count} gets of {size} bytes "
        f"({'one persistent connection' if keepalive else 'one connection per request'})")
    server = TimedConnection(HOST, port, keepalive=keepalive, timeout=60)

    caps, put_times, get_times = [], [], []
    for _ in range(count):
        body = os.urandom(size)
        status, answer, seconds = server.call("PUT", "/uri", body)
        if status not in (200, 201):
            raise RuntimeError(f"small PUT failed: {status} {answer[:300]!r}")
        put_times.append(seconds)
        caps.append((answer.decode().strip(), body))
    for cap, body in caps:
        status, data, seconds = server.call("GET", cap_path(cap))
        if status != 200 or data != body:
            raise RuntimeError(f"small GET failed: {status}")
        get_times.append(seconds)
    server.close()
    result = {}
    for name, values in (("put4k", put_times), ("get4k", get_times)):
        result[f"{name}_p50_ms"] = f"{percentile(values, 0.50) * 1000:.2f}"
        result[f"{name}_p99_ms"] = f"{percentile(values, 0.99) * 1000:.2f}"
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scratch", default=".build-bench/tahoe",
                        help="folder for the venv (kept) and the grid (removed)")
    parser.add_argument("--file", help="file to put and get (optional)")
    parser.add_argument("--small-file", help="second file to put and get, keys prefixed small_")
    parser.add_argument("--count", type=int, default=500, help="small puts and gets (0: none)")
    parser.add_argument("--size", type=int, default=4096, help="bytes per small put")
    parser.add_argument("--tahoe-version", default=TAHOE_VERSION)
    parser.add_argument("--no-constraints", action="store_true",
                        help=f"let pip pick tahoe-lafs's dependencies (else {CONSTRAINTS})")
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds for the grid to come up")
    args = parser.parse_args()

    for number in SIGNALS:
        signal.signal(number, on_signal)

    for path in (args.file, args.small_file):
        if path and not os.path.isfile(path):
            sys.exit(f"tahoe: no file {path}")
    scratch = os.path.abspath(args.scratch)
    os.makedirs(scratch, exist_ok=True)
    pinned = args.tahoe_version == TAHOE_VERSION and not args.no_constraints
    venv, version = ensure_venv(scratch, args.tahoe_version, CONSTRAINTS if pinned else None)
    root = None
    grid = None
    results = {"tahoe_version": version}
    failed = True
    try:
        root = tempfile.mkdtemp(prefix="grid.", dir=scratch)
        grid = Grid(venv, root)
        port, protocol = start_grid(grid, args.timeout)
        results["tahoe_storage_protocol"] = protocol
        if args.file:
            results.update(measure_file(port, args.file, root, ""))
        if args.small_file:
            results.update(measure_file(port, args.small_file, root, "small_"))
        if args.count > 0:
            for keepalive in (False, True):
                measured = measure_small(port, args.count, args.size, keepalive)
                results.update({("keepalive_" if keepalive else "") + key: value for key, value in measured.items()})
        failed = False
    finally:
        # No second signal may interrupt the cleanup.
        for number in SIGNALS:
            signal.signal(number, signal.SIG_IGN)
        if grid:
            if failed and not isinstance(sys.exc_info()[1], Interrupted):
                print(grid.logs(), file=sys.stderr)
            grid.stop()
        if root:
            say(f"removing {root}")
            shutil.rmtree(root, ignore_errors=True)
    for key, value in results.items():
        print(f"{key}={value}")


if __name__ == "__main__":
    try:
        main()
    except Interrupted as error:
        sys.exit(f"tahoe: interrupted ({error})")
    except RuntimeError as error:
        sys.exit(f"tahoe: {error}")
