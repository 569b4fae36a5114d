#!/usr/bin/env python3
"""Latencies of reads through a mount.

Usage: reads.py first-byte DIR COUNT      open each of COUNT files DIR/f-N and read one byte
       reads.py random FILE COUNT SEED    COUNT reads of 4 KiB at random offsets, twice
Prints key=value lines (milliseconds).
"""
import os
import random
import sys
import time


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def first_byte(directory, count):
    times = []
    for index in range(count):
        start = time.perf_counter()
        descriptor = os.open(os.path.join(directory, f"f-{index}"), os.O_RDONLY)
        data = os.read(descriptor, 1)
        times.append(time.perf_counter() - start)
        os.close(descriptor)
        if len(data) != 1:
            sys.exit(f"f-{index}: no first byte")
    print(f"first_byte_p50_ms={percentile(times, 0.5) * 1000:.2f}")
    print(f"first_byte_p99_ms={percentile(times, 0.99) * 1000:.2f}")


def random_reads(path, count, seed):
    generator = random.Random(seed)
    size = os.path.getsize(path)
    offsets = [generator.randrange(0, size - 4096) & ~4095 for _ in range(count)]
    descriptor = os.open(path, os.O_RDONLY)
    for name in ("cold", "warm"):
        times = []
        for offset in offsets:
            start = time.perf_counter()
            data = os.pread(descriptor, 4096, offset)
            times.append(time.perf_counter() - start)
            if len(data) != 4096:
                sys.exit(f"short read at {offset}")
        print(f"random_{name}_p50_ms={percentile(times, 0.5) * 1000:.3f}")
        print(f"random_{name}_p99_ms={percentile(times, 0.99) * 1000:.3f}")
    os.close(descriptor)


def main():
    if sys.argv[1] == "first-byte":
        first_byte(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "random":
        random_reads(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
