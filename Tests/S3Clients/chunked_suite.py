#!/usr/bin/env python3
"""aws-chunked uploads, signed by hand as the SDKs sign them over HTTPS (which the
gateway does not serve, so no client sends them to it here): STREAMING-AWS4-HMAC-SHA256-PAYLOAD
with a signature per chunk, and STREAMING-UNSIGNED-PAYLOAD-TRAILER with a trailing
checksum. A tampered chunk is refused and stores nothing. Same environment as
boto3_suite.py (S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION).
"""
import base64
import datetime
import hashlib
import hmac
import http.client
import os
import secrets
import sys
import urllib.parse
import zlib

import boto3
from botocore.config import Config

ENDPOINT = os.environ["S3_ENDPOINT"]
ACCESS, SECRET = os.environ["S3_ACCESS_KEY"], os.environ["S3_SECRET_KEY"]
REGION = os.environ.get("S3_REGION", "us-east-1")
HOST = urllib.parse.urlparse(ENDPOINT).netloc
EMPTY = hashlib.sha256(b"").hexdigest()


def fail(name, reason):
    print(f"FAIL {name}: {reason}", file=sys.stderr)
    sys.exit(1)


def sign(key, text):
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signing_key(day):
    key = sign(("AWS4" + SECRET).encode(), day)
    for part in (REGION, "s3", "aws4_request"):
        key = sign(key, part)
    return key


def put_chunked(path, body, chunk_size, mode, tamper=False):
    """PUTs `body` as aws-chunked; returns (status, response body)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    amzdate, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    scope = f"{day}/{REGION}/s3/aws4_request"
    key = signing_key(day)
    chunks = [body[i:i + chunk_size] for i in range(0, len(body), chunk_size)] + [b""]
    payload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" if mode == "signed" else "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    trailer = "x-amz-checksum-crc32:" + base64.b64encode((zlib.crc32(body) & 0xffffffff).to_bytes(4, "big")).decode()
    headers = {
        "host": HOST, "x-amz-date": amzdate, "x-amz-content-sha256": payload, "content-encoding": "aws-chunked",
        "x-amz-decoded-content-length": str(len(body)),
    }
    if mode == "trailer":
        headers["x-amz-trailer"] = "x-amz-checksum-crc32"
    signed = sorted(headers)
    canonical = "\n".join([
        "PUT", urllib.parse.quote(path), "", "".join(f"{name}:{headers[name]}\n" for name in signed), ";".join(signed), payload])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amzdate, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    seed = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    encoded = bytearray()
    previous = seed
    for index, chunk in enumerate(chunks):
        if mode == "signed":
            string = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amzdate, scope, previous, EMPTY, hashlib.sha256(chunk).hexdigest()])
            previous = hmac.new(key, string.encode(), hashlib.sha256).hexdigest()
            encoded += f"{len(chunk):x};chunk-signature={previous}\r\n".encode()
        else:
            encoded += f"{len(chunk):x}\r\n".encode()
        if tamper and index == 1:
            chunk = bytes([chunk[0] ^ 1]) + chunk[1:]
        encoded += chunk
        if chunk or mode == "signed":
            encoded += b"\r\n"
    if mode == "trailer":
        encoded += f"{trailer}\r\n\r\n".encode()
    headers["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={ACCESS}/{scope}, SignedHeaders={';'.join(signed)}, Signature={seed}")
    headers["content-length"] = str(len(encoded))
    connection = http.client.HTTPConnection(HOST, timeout=60)
    connection.request("PUT", path, body=bytes(encoded), headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def main():
    client = boto3.client(
        "s3", endpoint_url=ENDPOINT, aws_access_key_id=ACCESS, aws_secret_access_key=SECRET, region_name=REGION,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    bucket = "s3c-chunked-" + secrets.token_hex(4)
    client.create_bucket(Bucket=bucket)
    body = os.urandom(3 * 65536 + 1234)

    status, answer = put_chunked(f"/{bucket}/signed", body, 65536, "signed")
    if status != 200:
        fail("signed_chunks", f"status {status}: {answer[:300]!r}")
    got = client.get_object(Bucket=bucket, Key="signed")
    if got["Body"].read() != body or got["ETag"] != '"%s"' % hashlib.md5(body).hexdigest():
        fail("signed_chunks", "the object read back differs")
    print("ok signed_chunks")

    status, answer = put_chunked(f"/{bucket}/trailer", body, 65536, "trailer")
    if status != 200:
        fail("unsigned_trailer", f"status {status}: {answer[:300]!r}")
    if client.get_object(Bucket=bucket, Key="trailer")["Body"].read() != body:
        fail("unsigned_trailer", "the object read back differs")
    print("ok unsigned_trailer")

    status, answer = put_chunked(f"/{bucket}/tampered", body, 65536, "signed", tamper=True)
    if status != 403 or b"SignatureDoesNotMatch" not in answer:
        fail("tampered_chunk", f"expected 403 SignatureDoesNotMatch, got {status}: {answer[:300]!r}")
    listed = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    if listed != ["signed", "trailer"]:
        fail("tampered_chunk", f"the bucket changed: {listed}")
    print("ok tampered_chunk")

    for key in ("signed", "trailer"):
        client.delete_object(Bucket=bucket, Key=key)
    client.delete_bucket(Bucket=bucket)
    print("chunked suite passed")


if __name__ == "__main__":
    main()
