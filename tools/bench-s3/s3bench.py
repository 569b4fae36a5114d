#!/usr/bin/env python3
"""Measures an S3 endpoint with boto3 and prints one JSON object on stdout.

    S3_ENDPOINT=http://127.0.0.1:9000 S3_ACCESS_KEY=… S3_SECRET_KEY=… S3_WORKDIR=/tmp/x \\
        tools/s3-clients python tools/bench-s3/s3bench.py [--size-mib 1024] [--list-keys 10000]

- put_mb_s / get_mb_s: one object of --size-mib MiB, upload_file / download_file with
  64 MiB parts and boto3's default concurrency, in MB/s (10^6 bytes per second);
- small_put_ms / small_get_ms: p50 and p90 of 200 sequential 4 KiB PUTs and GETs;
- list_seconds: a full ListObjectsV2 listing of bucket bench-list-N, which holds N keys
  (created with a thread pool when missing, and kept for the next run); list_raw_seconds:
  the same pages fetched without an XML parser; list_parse_seconds: boto3's parser alone
  over those pages, in memory (the client's floor).
Progress goes to stderr. S3_REGION defaults to us-east-1.
"""
import argparse
import concurrent.futures
import filecmp
import json
import os
import secrets
import sys
import time

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

MiB = 1024 * 1024


def log(message):
    print(f"==> {message}", file=sys.stderr, flush=True)


def make_client():
    for name in ("S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_WORKDIR"):
        if not os.environ.get(name):
            sys.exit(f"s3bench: {name} is not set")
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                    signature_version="s3v4", max_pool_connections=16)
    return boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"], config=config,
                        region_name=os.environ.get("S3_REGION") or "us-east-1",
                        aws_access_key_id=os.environ["S3_ACCESS_KEY"],
                        aws_secret_access_key=os.environ["S3_SECRET_KEY"])


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def timed(action):
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def bench_large(s3, bucket, size_mib, workdir):
    source = os.path.join(workdir, "s3bench-source")
    copy = os.path.join(workdir, "s3bench-copy")
    log(f"writing {size_mib} MiB of random bytes to {source}")
    with open(source, "wb") as out:
        for _ in range(size_mib):
            out.write(os.urandom(MiB))
    transfer = TransferConfig(multipart_chunksize=64 * MiB)
    log(f"PUT {size_mib} MiB")
    put = timed(lambda: s3.upload_file(source, bucket, "large", Config=transfer))
    log(f"GET {size_mib} MiB")
    get = timed(lambda: s3.download_file(bucket, "large", copy, Config=transfer))
    if not filecmp.cmp(source, copy, shallow=False):
        sys.exit("s3bench: the object read back differs from the one written")
    os.remove(source)
    os.remove(copy)
    s3.delete_object(Bucket=bucket, Key="large")
    size = size_mib * MiB
    return round(size / put / 1e6, 1), round(size / get / 1e6, 1)


def bench_small(s3, bucket, count=200):
    body = os.urandom(4096)
    log(f"{count} PUTs and GETs of 4 KiB")
    puts = [timed(lambda i=i: s3.put_object(Bucket=bucket, Key=f"small/{i}", Body=body))
            for i in range(count)]
    gets = [timed(lambda i=i: s3.get_object(Bucket=bucket, Key=f"small/{i}")["Body"].read())
            for i in range(count)]
    # The floor: a request that touches neither the network nor an index (boto3, HTTP, auth).
    heads = [timed(lambda: s3.head_bucket(Bucket=bucket)) for _ in range(count)]
    for start in range(0, count, 1000):
        keys = [{"Key": f"small/{i}"} for i in range(start, min(count, start + 1000))]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
    as_ms = lambda samples: {"p50": round(percentile(samples, 0.5) * 1000, 2),
                             "p90": round(percentile(samples, 0.9) * 1000, 2)}
    return as_ms(puts), as_ms(gets), as_ms(heads)


def list_all(s3, bucket):
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys += [item["Key"] for item in page.get("Contents", [])]
    return keys


def list_raw(s3, bucket):
    """The full listing as raw HTTP (presigned ListObjectsV2 pages, keys counted with a
    regular expression, no XML parser): what the gateway costs without boto3's parsing.
    Returns the key count and the pages' bodies."""
    import re
    import urllib.request
    count, token, bodies = 0, None, []
    while True:
        params = {"Bucket": bucket, "MaxKeys": 1000}
        if token:
            params["ContinuationToken"] = token
        body = urllib.request.urlopen(s3.generate_presigned_url("list_objects_v2", Params=params, ExpiresIn=600)).read()
        bodies.append(body)
        count += body.count(b"<Key>")
        found = re.search(rb"<NextContinuationToken>([^<]*)</NextContinuationToken>", body)
        if not found:
            return count, bodies
        token = found.group(1).decode()


def bench_list(s3, count):
    bucket = f"bench-list-{count}"
    wanted = {f"k/{i:08d}" for i in range(count)}
    try:
        s3.head_bucket(Bucket=bucket)
        missing = wanted - set(list_all(s3, bucket))
    except ClientError:
        s3.create_bucket(Bucket=bucket)
        missing = wanted
    if missing:
        log(f"creating {len(missing)} keys in {bucket}")
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda key: s3.put_object(Bucket=bucket, Key=key, Body=b""), missing))
    log(f"listing {bucket}")
    start = time.perf_counter()
    listed = list_all(s3, bucket)
    seconds = time.perf_counter() - start
    if not wanted <= set(listed):
        sys.exit(f"s3bench: listing {bucket} missed {len(wanted - set(listed))} keys")
    start = time.perf_counter()
    raw_count, bodies = list_raw(s3, bucket)
    raw_seconds = time.perf_counter() - start
    if raw_count != len(listed):
        sys.exit(f"s3bench: the raw listing counted {raw_count} keys, boto3 {len(listed)}")
    return round(seconds, 3), len(listed), bool(missing), round(raw_seconds, 3), round(parse_seconds(s3, bodies), 3)


def parse_seconds(s3, bodies):
    """boto3's own floor: the seconds its parser takes over the same pages, already in
    memory (no network, no gateway)."""
    from botocore.parsers import RestXMLParser
    shape = s3.meta.service_model.operation_model("ListObjectsV2").output_shape
    parser = RestXMLParser()
    start = time.perf_counter()
    for body in bodies:
        parser.parse({"body": body, "headers": {}, "status_code": 200}, shape)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description="S3 throughput and latency with boto3")
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--list-keys", type=int, default=10000)
    args = parser.parse_args()
    s3 = make_client()
    bucket = f"bench-{secrets.token_hex(4)}"
    s3.create_bucket(Bucket=bucket)
    put_mb_s, get_mb_s = bench_large(s3, bucket, args.size_mib, os.environ["S3_WORKDIR"])
    small_put, small_get, small_head = bench_small(s3, bucket)
    s3.delete_bucket(Bucket=bucket)
    list_seconds, listed, created, list_raw_seconds, list_parse_seconds = bench_list(s3, args.list_keys)
    print(json.dumps({
        "endpoint": os.environ["S3_ENDPOINT"], "boto3": boto3.__version__,
        "size_mib": args.size_mib, "put_mb_s": put_mb_s, "get_mb_s": get_mb_s,
        "small_put_ms": small_put, "small_get_ms": small_get, "head_bucket_ms": small_head,
        "list_keys": args.list_keys, "list_listed": listed, "list_seconds": list_seconds, "list_raw_seconds": list_raw_seconds,
        "list_parse_seconds": list_parse_seconds,
        "list_keys_created": created,
    }))


if __name__ == "__main__":
    main()
