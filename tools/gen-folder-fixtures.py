#!/usr/bin/env python3
"""Writes the seed vectors of fixtures/folder (folder indexes and announcement plaintexts, both versions).

An encoder of its own, written from docs/sync.md rather than from the Swift code, so the
vectors check the format: FolderIndexFuzzTests builds the same values in Swift and expects
`encoded()` to give exactly these bytes. Usage: tools/gen-folder-fixtures.py
"""
import base64
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "folder")
KINDS = {"file": 1, "directory": 2, "symlink": 3}
DEVICE = bytes(range(0xA0, 0xC0))  # the announcing device's 32-byte id
A, B, C = 0x1111111111111111, 0x2222222222222222, 0x3333333333333333
CAPABILITY = "p2p1:" + base64.b32encode(bytes(range(69))).decode().lower().rstrip("=")


def u(fmt, value):
    return struct.pack(">" + fmt, value).hex()


def prefixed(text, label):
    data = text.encode()
    lines = [(u("I", len(data)), f"{label}: {len(data)} bytes")]
    for start in range(0, len(data), 24):  # long strings over several lines
        lines.append((data[start:start + 24].hex(), (repr(text) if len(text) <= 40 else repr(text[:36]) + "…") if start == 0 else "…"))
    return lines


def entry(path, kind, mode=0, mtime=0, size=0, capability="", target="", deleted=False, by=0, counters=()):
    lines = prefixed(path, "path")
    lines += [
        (u("B", KINDS[kind]), f"kind {KINDS[kind]} = {kind}"),
        (u("B", int(deleted)), "deleted" if deleted else "not deleted"),
        (u("I", mode), f"mode 0o{mode:o}"),
        (u("q", mtime), f"modified: {mtime} ns since 1970"),
        (u("Q", size), f"size {size}"),
    ]
    lines += prefixed(capability, "capability")
    lines += prefixed(target, "symlink target")
    lines.append((u("Q", by), f"modified by device {by:#x}"))
    lines.append((u("H", len(counters)), f"version counters: {len(counters)}"))
    lines += [(u("Q", d) + " " + u("Q", v), f"  device {d:#x}: {v}") for d, v in counters]
    return [("", f"-- entry {path!r}")] + lines


def index(entries):
    lines = [(b"p2pidx".hex(), 'magic "p2pidx"'), ("01", "format version 1"),
             (DEVICE[:16].hex(), "device id (32 bytes)"), (DEVICE[16:].hex(), "…"), (u("I", len(entries)), f"entries: {len(entries)}")]
    for fields in entries:
        lines += fields
    return lines


def announcement(capability, count, published):
    return [("01", "format version 1")] + prefixed(capability, "index capability") + [
        (u("I", count), f"entries in the index: {count}"),
        (u("q", published), f"published: {published} ms since 1970"),
    ]


def page_announcement(root_id, root_key, count, published):
    return [("02", "format version 2: an index tree"), (root_id[:16].hex(), "root page id (32 bytes)"), (root_id[16:].hex(), "…"),
            (root_key[:16].hex(), "root page key (32 bytes)"), (root_key[16:].hex(), "…"),
            (u("I", count), f"entries in the index: {count}"),
            (u("q", published), f"published: {published} ms since 1970")]


def write(name, title, lines):
    width = min(max(len(hexed) for hexed, _ in lines), 48) + 2
    with open(os.path.join(OUT, name + ".hex"), "w") as out:
        out.write(f"# {title}\n# Written by tools/gen-folder-fixtures.py; hex digits, '#' starts a comment.\n")
        for hexed, comment in lines:
            out.write(f"{hexed:<{width}}# {comment}\n" if hexed else f"# {comment}\n")


write("index-small", "A valid index: a directory, a file with a 3-device version, a symlink, a tombstone.", index([
    entry("docs", "directory", mode=0o755, by=A, counters=[(A, 1)]),
    entry("docs/readme.txt", "file", mode=0o644, mtime=1_700_000_000_123_456_789, size=12,
          capability=CAPABILITY, by=C, counters=[(A, 3), (B, 1), (C, 2)]),
    entry("link", "symlink", target="docs/readme.txt", by=B, counters=[(B, 1)]),
    entry("old.txt", "file", mode=0o600, mtime=1_600_000_000_000_000_000, deleted=True, by=A, counters=[(A, 2), (B, 1)]),
]))
write("index-empty", "A valid index with no entries.", index([]))
write("index-extremes", "A valid index of extreme values: mtimes Int64.min and Int64.max, size UInt64.max, "
      "a counter of UInt64.max, mode 0o7777.", index([
    entry("max", "file", mode=0o7777, mtime=2**63 - 1, size=2**64 - 1, capability=CAPABILITY,
          by=2**64 - 1, counters=[(0, 1), (2**64 - 1, 2**64 - 1)]),
    entry("min", "file", mode=0o7777, mtime=-2**63, size=2**64 - 1, by=0, counters=[(A, 1)]),
]))
write("announcement", "A valid announcement plaintext: the index's capability, 4 entries, published 2023-11-14.",
      announcement(CAPABILITY, 4, 1_700_000_000_123))
write("announcement-extremes", "A valid announcement plaintext: empty capability, UInt32.max entries, "
      "published Int64.min.", announcement("", 2**32 - 1, -2**63))
write("announcement-pages", "A valid announcement plaintext of an index tree: its root page, 4 entries, published 2023-11-14.",
      page_announcement(bytes(range(32)), bytes(range(32, 64)), 4, 1_700_000_000_123))
write("crash-version-counter-max", "Crashes a device today (issue 13, item 3): VersionVector.incremented(by:) computes "
      "max + 1 on the counter UInt64.max (VersionVector.swift:39).", index([
    entry("a", "file", mode=0o644, by=A, counters=[(A, 2**64 - 1)]),
]))
