#!/usr/bin/env python3
"""S3 conformance checks with boto3, each response held to what AWS documents for S3.

Reads S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION (us-east-1), S3_WORKDIR.
Prints `ok <check>` per check; on the first failure prints `FAIL <check>: <reason>` to
stderr and exits 1, leaving its buckets for inspection. Passing, it removes them.
S3_SKIP_AUTH_CHECKS=1 skips the checks that need signatures verified (for mocks);
S3_SKIP_CHECKS=a,b skips the named checks.
"""
import concurrent.futures
import datetime
import hashlib
import http.client
import os
import secrets
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from unittest import mock

import boto3
import botocore.auth
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError



def required_env(name):
    if not os.environ.get(name):
        sys.exit(f"FAIL setup: {name} is not set (see Tests/S3Clients/README.md)")
    return os.environ[name]


ENDPOINT = required_env("S3_ENDPOINT").rstrip("/")
ACCESS_KEY = required_env("S3_ACCESS_KEY")
SECRET_KEY = required_env("S3_SECRET_KEY")
REGION = os.environ.get("S3_REGION") or "us-east-1"
SKIP_AUTH = os.environ.get("S3_SKIP_AUTH_CHECKS") == "1"
SKIP = {name for name in os.environ.get("S3_SKIP_CHECKS", "").split(",") if name}

RUN = secrets.token_hex(4)
BUCKET = f"s3c-{RUN}-main"
OTHER = f"s3c-{RUN}-other"
LISTING = f"s3c-{RUN}-list"
MiB = 1024 * 1024
BODY = b"0123456789abcdefghijklmnopqrstuvwxyz" * 3  # 108 bytes, ranges below rely on it
ETAG = '"%s"' % hashlib.md5(BODY).hexdigest()
UNICODE_KEY = "enc/a b ü.txt"


class CheckFailed(Exception):
    pass


def client(access_key=ACCESS_KEY, secret_key=SECRET_KEY):
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                    signature_version="s3v4", max_pool_connections=16)
    return boto3.client("s3", endpoint_url=ENDPOINT, region_name=REGION, config=config,
                        aws_access_key_id=access_key, aws_secret_access_key=secret_key)


s3 = client()


def expect(condition, reason):
    if not condition:
        raise CheckFailed(reason)


def expect_equal(got, want, what):
    expect(got == want, f"{what}: got {got!r}, want {want!r}")


def status(response):
    return response["ResponseMetadata"]["HTTPStatusCode"]


def headers(response):
    return response["ResponseMetadata"]["HTTPHeaders"]


def expect_error(call, code, http_status, **params):
    """Runs a boto3 call that must fail with this S3 error code and HTTP status."""
    try:
        call(**params)
    except ClientError as error:
        got_code = error.response["Error"].get("Code")
        got_status = error.response["ResponseMetadata"]["HTTPStatusCode"]
        expect(got_code == code and got_status == http_status,
               f"want {http_status} {code}, got {got_status} {got_code}: {error}")
        return error.response
    raise CheckFailed(f"want {http_status} {code}, the call succeeded")


def raw(method, bucket, key="", query="", body=b"", extra_headers=None,
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, clock_offset=None):
    """Sends one SigV4-signed request by hand; returns (status, headers, body).

    clock_offset (a timedelta) signs as if the clock were that far off."""
    path = "/" + bucket + ("/" + urllib.parse.quote(key, safe="/~") if key else "")
    url = ENDPOINT + path + ("?" + query if query else "")
    request = AWSRequest(method=method, url=url, data=body, headers=dict(extra_headers or {}))
    signer = S3SigV4Auth(Credentials(access_key, secret_key), "s3", REGION)
    if clock_offset is None:
        signer.add_auth(request)
    else:
        real_now = botocore.auth.get_current_datetime
        with mock.patch("botocore.auth.get_current_datetime",
                        lambda **kw: real_now(**kw) + clock_offset):
            signer.add_auth(request)
    prepared = request.prepare()
    parsed = urllib.parse.urlsplit(ENDPOINT)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    try:
        target = path + ("?" + query if query else "")
        connection.request(method, target, body=prepared.body, headers=dict(prepared.headers))
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def expect_raw_error(result, code, http_status):
    got_status, _, body = result
    expect(got_status == http_status and f"<Code>{code}</Code>".encode() in body,
           f"want {http_status} {code}, got {got_status}: {body[:300]!r}")


def snapshot(bucket):
    """Keys with their ETags, to show a rejected request changed nothing."""
    keys = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            keys[item["Key"]] = item["ETag"]
    return keys


def expect_unchanged(before, bucket=BUCKET):
    expect_equal(snapshot(bucket), before, f"objects of {bucket} after the rejected request")
    body = s3.get_object(Bucket=bucket, Key="plain")["Body"].read()
    expect_equal(body, BODY, "bytes of plain after the rejected request")


def get_bytes(bucket, key, **params):
    return s3.get_object(Bucket=bucket, Key=key, **params)["Body"].read()


# --- buckets -----------------------------------------------------------------------

def check_create_bucket():
    response = s3.create_bucket(Bucket=BUCKET)
    expect_equal(status(response), 200, "CreateBucket status")
    for name in (OTHER, LISTING):
        s3.create_bucket(Bucket=name)


def check_list_buckets():
    response = s3.list_buckets()
    expect_equal(status(response), 200, "ListBuckets status")
    names = [b["Name"] for b in response["Buckets"]]
    for name in (BUCKET, OTHER, LISTING):
        expect(name in names, f"{name} missing from ListBuckets: {names}")
    for bucket in response["Buckets"]:
        expect(isinstance(bucket["CreationDate"], datetime.datetime), f"CreationDate of {bucket}")
    expect("Owner" in response and response["Owner"].get("ID"), "ListBuckets without Owner/ID")


def check_create_bucket_again():
    try:
        response = s3.create_bucket(Bucket=BUCKET)
    except ClientError as error:
        expect_equal((status(error.response), error.response["Error"]["Code"]),
                     (409, "BucketAlreadyOwnedByYou"), "recreating an own bucket")
        return
    # AWS documents 200 for this in us-east-1 only, "for legacy compatibility".
    expect(REGION == "us-east-1" and status(response) == 200,
           f"recreating an own bucket in {REGION} succeeded with {status(response)}")


def check_invalid_bucket_name():
    expect_error(s3.create_bucket, "InvalidBucketName", 400, Bucket="Bad_Name")


def check_head_bucket():
    response = s3.head_bucket(Bucket=BUCKET)
    expect_equal(status(response), 200, "HeadBucket status")
    expect_equal(headers(response).get("x-amz-bucket-region"), REGION, "x-amz-bucket-region")
    expect_error(s3.head_bucket, "404", 404, Bucket=f"s3c-{RUN}-missing")


def check_get_bucket_location():
    response = s3.get_bucket_location(Bucket=BUCKET)
    expect_equal(status(response), 200, "GetBucketLocation status")
    # us-east-1 is an empty LocationConstraint, which boto3 gives as None.
    want = None if REGION == "us-east-1" else REGION
    expect_equal(response.get("LocationConstraint"), want, "LocationConstraint")


# --- objects -----------------------------------------------------------------------

EXPIRES = "Wed, 21 Oct 2037 07:28:00 GMT"


def check_put_object():
    response = s3.put_object(
        Bucket=BUCKET, Key="plain", Body=BODY, ContentType="text/x-test; charset=utf-8",
        Metadata={"color": "blue", "multi-word": "Hello World"},
        CacheControl="max-age=60", ContentDisposition='attachment; filename="p.txt"',
        ContentEncoding="identity", ContentLanguage="en-GB",
        Expires=datetime.datetime(2037, 10, 21, 7, 28, tzinfo=datetime.timezone.utc))
    expect_equal(status(response), 200, "PutObject status")
    expect_equal(response["ETag"], ETAG, "PutObject ETag (quoted MD5 of the body)")


def check_head_object():
    response = s3.head_object(Bucket=BUCKET, Key="plain")
    expect_equal(status(response), 200, "HeadObject status")
    expect_equal(response["ContentLength"], len(BODY), "ContentLength")
    expect_equal(response["ETag"], ETAG, "ETag")
    expect_equal(response["ContentType"], "text/x-test; charset=utf-8", "ContentType")
    expect_equal(response["Metadata"], {"color": "blue", "multi-word": "Hello World"}, "Metadata")
    expect_equal(response["CacheControl"], "max-age=60", "CacheControl")
    expect_equal(response["ContentDisposition"], 'attachment; filename="p.txt"', "ContentDisposition")
    expect_equal(response["ContentEncoding"], "identity", "ContentEncoding")
    expect_equal(response["ContentLanguage"], "en-GB", "ContentLanguage")
    expect_equal(headers(response).get("expires"), EXPIRES, "Expires header")
    age = datetime.datetime.now(datetime.timezone.utc) - response["LastModified"]
    expect(abs(age.total_seconds()) < 900, f"LastModified {response['LastModified']} is not now")
    try:
        s3.head_object(Bucket=BUCKET, Key="missing")
        raise CheckFailed("HeadObject of a missing key succeeded")
    except ClientError as error:
        expect_equal(status(error.response), 404, "HeadObject of a missing key")
    got_status, _, body = raw("HEAD", BUCKET, "missing")
    expect_equal((got_status, body), (404, b""), "raw HEAD of a missing key (status, body)")


def check_get_object():
    response = s3.get_object(Bucket=BUCKET, Key="plain")
    expect_equal(status(response), 200, "GetObject status")
    expect_equal(response["Body"].read(), BODY, "GetObject body")
    expect_equal(response["ETag"], ETAG, "GetObject ETag")
    expect_equal(response["ContentLength"], len(BODY), "GetObject ContentLength")
    expect_equal(response["Metadata"]["color"], "blue", "GetObject Metadata")
    expect_equal(headers(response).get("accept-ranges"), "bytes", "Accept-Ranges")
    expect_error(s3.get_object, "NoSuchKey", 404, Bucket=BUCKET, Key="missing")
    expect_error(s3.get_object, "NoSuchBucket", 404, Bucket=f"s3c-{RUN}-missing", Key="k")


def check_get_object_range():
    n = len(BODY)
    for spec, first, last in (("bytes=0-9", 0, 9), ("bytes=-5", n - 5, n - 1),
                              ("bytes=10-", 10, n - 1)):
        response = s3.get_object(Bucket=BUCKET, Key="plain", Range=spec)
        expect_equal(status(response), 206, f"{spec} status")
        expect_equal(response["ContentRange"], f"bytes {first}-{last}/{n}", f"{spec} Content-Range")
        expect_equal(response["ContentLength"], last - first + 1, f"{spec} ContentLength")
        expect_equal(response["Body"].read(), BODY[first:last + 1], f"{spec} body")
    expect_error(s3.get_object, "InvalidRange", 416, Bucket=BUCKET, Key="plain",
                 Range=f"bytes={n + 10}-{n + 20}")


def check_get_object_conditional():
    response = s3.get_object(Bucket=BUCKET, Key="plain", IfMatch=ETAG)
    expect_equal(status(response), 200, "If-Match with the ETag")
    expect_equal(response["Body"].read(), BODY, "If-Match body")
    expect_error(s3.get_object, "PreconditionFailed", 412, Bucket=BUCKET, Key="plain",
                 IfMatch='"00000000000000000000000000000000"')
    expect_error(s3.get_object, "304", 304, Bucket=BUCKET, Key="plain", IfNoneMatch=ETAG)
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    expect_error(s3.get_object, "304", 304, Bucket=BUCKET, Key="plain", IfModifiedSince=future)
    past = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    expect_equal(status(s3.get_object(Bucket=BUCKET, Key="plain", IfModifiedSince=past)), 200,
                 "If-Modified-Since 2000")
    expect_error(s3.get_object, "PreconditionFailed", 412, Bucket=BUCKET, Key="plain",
                 IfUnmodifiedSince=past)


def check_delete_object():
    s3.put_object(Bucket=BUCKET, Key="doomed", Body=b"x")
    expect_equal(status(s3.delete_object(Bucket=BUCKET, Key="doomed")), 204, "DeleteObject status")
    expect_error(s3.head_object, "404", 404, Bucket=BUCKET, Key="doomed")
    expect_equal(status(s3.delete_object(Bucket=BUCKET, Key="doomed")), 204,
                 "DeleteObject of a missing key")


def check_delete_objects():
    for quiet in (False, True):
        for key in ("d/1", "d/2"):
            s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
        objects = [{"Key": "d/1"}, {"Key": "d/2"}, {"Key": "d/missing"}]
        response = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": objects, "Quiet": quiet})
        expect_equal(status(response), 200, "DeleteObjects status")
        expect_equal(response.get("Errors", []), [], f"DeleteObjects Errors (Quiet={quiet})")
        deleted = sorted(d["Key"] for d in response.get("Deleted", []))
        # S3 reports a missing key as deleted; Quiet mode reports only errors.
        want = [] if quiet else ["d/1", "d/2", "d/missing"]
        expect_equal(deleted, want, f"DeleteObjects Deleted (Quiet={quiet})")
        left = s3.list_objects_v2(Bucket=BUCKET, Prefix="d/").get("KeyCount")
        expect_equal(left, 0, f"keys under d/ after DeleteObjects (Quiet={quiet})")


def check_copy_object():
    source = {"Bucket": BUCKET, "Key": "plain"}
    response = s3.copy_object(Bucket=BUCKET, Key="copy-same", CopySource=source)
    expect_equal(status(response), 200, "CopyObject status")
    expect_equal(response["CopyObjectResult"]["ETag"], ETAG, "CopyObject result ETag")
    head = s3.head_object(Bucket=BUCKET, Key="copy-same")
    expect_equal(head["Metadata"], {"color": "blue", "multi-word": "Hello World"}, "COPY metadata")
    expect_equal(head["ContentType"], "text/x-test; charset=utf-8", "COPY content type")

    response = s3.copy_object(Bucket=BUCKET, Key="copy-replaced", CopySource=source,
                              MetadataDirective="REPLACE", Metadata={"shape": "round"},
                              ContentType="application/x-replaced")
    expect_equal(response["CopyObjectResult"]["ETag"], ETAG, "REPLACE result ETag")
    head = s3.head_object(Bucket=BUCKET, Key="copy-replaced")
    expect_equal(head["Metadata"], {"shape": "round"}, "REPLACE metadata")
    expect_equal(head["ContentType"], "application/x-replaced", "REPLACE content type")
    expect_equal(get_bytes(BUCKET, "copy-replaced"), BODY, "REPLACE bytes")

    response = s3.copy_object(Bucket=OTHER, Key="from-main", CopySource=source)
    expect_equal(response["CopyObjectResult"]["ETag"], ETAG, "cross-bucket copy ETag")
    expect_equal(get_bytes(OTHER, "from-main"), BODY, "cross-bucket copy bytes")
    expect_error(s3.copy_object, "NoSuchKey", 404, Bucket=BUCKET, Key="c",
                 CopySource={"Bucket": BUCKET, "Key": "missing"})


# --- listing -----------------------------------------------------------------------

LIST_KEYS = [f"p{i // 1000}/k{i:04d}" for i in range(2000)] + [f"top{i:03d}" for i in range(500)]


def check_list_setup():
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda key: s3.put_object(Bucket=LISTING, Key=key, Body=key.encode()),
                      LIST_KEYS))


def check_list_objects_v2_pages():
    keys, token, pages = [], None, 0
    while True:
        params = {"ContinuationToken": token} if token else {}
        page = s3.list_objects_v2(Bucket=LISTING, **params)
        pages += 1
        contents = page.get("Contents", [])
        expect_equal(page["KeyCount"], len(contents), f"KeyCount of page {pages}")
        expect_equal(page["MaxKeys"], 1000, "default MaxKeys")
        keys += [item["Key"] for item in contents]
        if not page["IsTruncated"]:
            expect("NextContinuationToken" not in page, "NextContinuationToken on the last page")
            break
        expect_equal(len(contents), 1000, f"keys on truncated page {pages}")
        token = page.get("NextContinuationToken")
        expect(token, f"page {pages} is truncated without a NextContinuationToken")
        expect(pages < 10, "more than 10 pages for 2,500 keys")
    expect_equal(pages, 3, "pages of 1,000 for 2,500 keys")
    expect(keys == sorted(LIST_KEYS), "listing is not all 2,500 keys in UTF-8 binary order")
    item = s3.list_objects_v2(Bucket=LISTING, Prefix="top000")["Contents"][0]
    expect_equal(item["Size"], 6, "Size of top000")
    expect_equal(item["ETag"], '"%s"' % hashlib.md5(b"top000").hexdigest(), "ETag of top000")
    expect_equal(item.get("StorageClass"), "STANDARD", "StorageClass")


def check_list_objects_v2_params():
    page = s3.list_objects_v2(Bucket=LISTING, Prefix="p1/", MaxKeys=7)
    expect_equal((page["Prefix"], page["MaxKeys"], page["KeyCount"], page["IsTruncated"]),
                 ("p1/", 7, 7, True), "Prefix=p1/ MaxKeys=7 (Prefix, MaxKeys, KeyCount, IsTruncated)")
    expect_equal([c["Key"] for c in page["Contents"]], [f"p1/k{i}" for i in range(1000, 1007)],
                 "first keys under p1/")

    page = s3.list_objects_v2(Bucket=LISTING, Delimiter="/")
    expect_equal(page["Delimiter"], "/", "Delimiter echoed")
    expect_equal([p["Prefix"] for p in page.get("CommonPrefixes", [])], ["p0/", "p1/"],
                 "CommonPrefixes")
    expect_equal(len(page.get("Contents", [])), 500, "top-level keys with Delimiter /")
    expect_equal((page["KeyCount"], page["IsTruncated"]), (502, False),
                 "KeyCount counts common prefixes too; IsTruncated")

    # Common prefixes count toward MaxKeys.
    page = s3.list_objects_v2(Bucket=LISTING, Delimiter="/", MaxKeys=2)
    expect_equal(([p["Prefix"] for p in page.get("CommonPrefixes", [])], page.get("Contents", []),
                  page["KeyCount"], page["IsTruncated"]), (["p0/", "p1/"], [], 2, True),
                 "Delimiter / MaxKeys=2 (CommonPrefixes, Contents, KeyCount, IsTruncated)")
    page = s3.list_objects_v2(Bucket=LISTING, Delimiter="/", MaxKeys=2,
                              ContinuationToken=page["NextContinuationToken"])
    expect_equal([c["Key"] for c in page["Contents"]], ["top000", "top001"],
                 "second page of Delimiter / MaxKeys=2")

    page = s3.list_objects_v2(Bucket=LISTING, StartAfter="p1/k1998", MaxKeys=2)
    expect_equal(page["StartAfter"], "p1/k1998", "StartAfter echoed")
    expect_equal([c["Key"] for c in page["Contents"]], ["p1/k1999", "top000"], "keys after StartAfter")
    expect_equal(s3.list_objects_v2(Bucket=LISTING, Prefix="nothing/")["KeyCount"], 0,
                 "KeyCount for an empty prefix")


def check_list_objects_v2_encoding():
    s3.put_object(Bucket=BUCKET, Key=UNICODE_KEY, Body=b"u")
    response = s3.list_objects_v2(Bucket=BUCKET, Prefix="enc/", EncodingType="url")
    expect_equal(response.get("EncodingType"), "url", "EncodingType echoed")
    # With EncodingType given by the caller, boto3 leaves keys as the server sent them.
    [encoded] = [c["Key"] for c in response["Contents"]]
    expect(" " not in encoded and "ü" not in encoded, f"key not URL-encoded: {encoded!r}")
    expect_equal(urllib.parse.unquote_plus(encoded), UNICODE_KEY, "URL-decoded key")
    # Without it, boto3 asks for url encoding itself and decodes the answer.
    decoded = [c["Key"] for c in s3.list_objects_v2(Bucket=BUCKET, Prefix="enc/")["Contents"]]
    expect_equal(decoded, [UNICODE_KEY], "key round trip through ListObjectsV2")
    expect_equal(get_bytes(BUCKET, UNICODE_KEY), b"u", "GetObject of the unicode key")


def check_list_objects_v1():
    keys, marker, pages = [], "", 0
    while True:
        page = s3.list_objects(Bucket=LISTING, Marker=marker)
        pages += 1
        expect_equal(page.get("Marker", ""), marker, "Marker echoed")
        contents = [item["Key"] for item in page.get("Contents", [])]
        keys += contents
        if not page["IsTruncated"]:
            break
        # Without a delimiter NextMarker is optional; the last key is the next marker.
        expect(page.get("NextMarker", contents[-1]) == contents[-1],
               f"NextMarker {page.get('NextMarker')!r} is not the last key {contents[-1]!r}")
        marker = contents[-1]
        expect(pages < 10, "more than 10 pages for 2,500 keys")
    expect_equal((pages, keys == sorted(LIST_KEYS)), (3, True), "v1 pages, all keys in order")

    page = s3.list_objects(Bucket=LISTING, Delimiter="/", MaxKeys=1)
    expect_equal((page["IsTruncated"], page.get("NextMarker")), (True, "p0/"),
                 "v1 Delimiter / MaxKeys=1 (IsTruncated, NextMarker)")
    page = s3.list_objects(Bucket=LISTING, Delimiter="/", MaxKeys=1, Marker=page["NextMarker"])
    expect_equal([p["Prefix"] for p in page.get("CommonPrefixes", [])], ["p1/"],
                 "v1 page after Marker=p0/")
    page = s3.list_objects(Bucket=LISTING, Marker="p1/k1998", MaxKeys=2)
    expect_equal([c["Key"] for c in page["Contents"]], ["p1/k1999", "top000"], "v1 keys after Marker")


# --- multipart ---------------------------------------------------------------------

PARTS = {1: os.urandom(5 * MiB), 2: os.urandom(5 * MiB), 3: os.urandom(1 * MiB)}


def md5_etag(data):
    return '"%s"' % hashlib.md5(data).hexdigest()


def multipart_etag(parts):
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return f'"{digest}-{len(parts)}"'


def check_multipart_upload():
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="mp", ContentType="application/x-mp",
                                        Metadata={"kind": "multipart"})
    expect_equal((upload["Bucket"], upload["Key"]), (BUCKET, "mp"), "CreateMultipartUpload result")
    upload_id = upload["UploadId"]
    for number in (3, 1, 2):
        part = s3.upload_part(Bucket=BUCKET, Key="mp", UploadId=upload_id, PartNumber=number,
                              Body=PARTS[number])
        expect_equal(part["ETag"], md5_etag(PARTS[number]), f"UploadPart {number} ETag")

    listed = s3.list_parts(Bucket=BUCKET, Key="mp", UploadId=upload_id)
    got = [(p["PartNumber"], p["Size"], p["ETag"]) for p in listed["Parts"]]
    want = [(n, len(PARTS[n]), md5_etag(PARTS[n])) for n in (1, 2, 3)]
    expect_equal(got, want, "ListParts (PartNumber, Size, ETag)")

    uploads = s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    expect(any(u["UploadId"] == upload_id and u["Key"] == "mp" for u in uploads),
           f"ListMultipartUploads does not show {upload_id}: {uploads}")

    parts = [{"PartNumber": n, "ETag": md5_etag(PARTS[n])} for n in (1, 2, 3)]
    done = s3.complete_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=upload_id,
                                        MultipartUpload={"Parts": parts})
    expect_equal(status(done), 200, "CompleteMultipartUpload status")
    whole = PARTS[1] + PARTS[2] + PARTS[3]
    want_etag = multipart_etag([PARTS[1], PARTS[2], PARTS[3]])
    expect_equal(done["ETag"], want_etag, "CompleteMultipartUpload ETag")
    expect_equal((done["Bucket"], done["Key"]), (BUCKET, "mp"), "CompleteMultipartUpload result")
    response = s3.get_object(Bucket=BUCKET, Key="mp")
    expect(response["Body"].read() == whole, "multipart object bytes differ from the parts")
    expect_equal((response["ETag"], response["ContentLength"], response["ContentType"],
                  response["Metadata"]), (want_etag, len(whole), "application/x-mp",
                                          {"kind": "multipart"}), "GetObject of the multipart object")
    uploads = s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    expect(all(u["UploadId"] != upload_id for u in uploads), "completed upload still listed")


def check_upload_part_copy():
    upload_id = s3.create_multipart_upload(Bucket=BUCKET, Key="mp-copy")["UploadId"]
    copied = s3.upload_part_copy(Bucket=BUCKET, Key="mp-copy", UploadId=upload_id, PartNumber=1,
                                 CopySource={"Bucket": BUCKET, "Key": "mp"},
                                 CopySourceRange=f"bytes=0-{5 * MiB - 1}")
    expect_equal(copied["CopyPartResult"]["ETag"], md5_etag(PARTS[1]), "UploadPartCopy ETag")
    tail = b"tail" * 100
    second = s3.upload_part(Bucket=BUCKET, Key="mp-copy", UploadId=upload_id, PartNumber=2, Body=tail)
    parts = [{"PartNumber": 1, "ETag": copied["CopyPartResult"]["ETag"]},
             {"PartNumber": 2, "ETag": second["ETag"]}]
    done = s3.complete_multipart_upload(Bucket=BUCKET, Key="mp-copy", UploadId=upload_id,
                                        MultipartUpload={"Parts": parts})
    expect_equal(done["ETag"], multipart_etag([PARTS[1], tail]), "ETag after UploadPartCopy")
    expect(get_bytes(BUCKET, "mp-copy") == PARTS[1] + tail, "bytes after UploadPartCopy differ")


def check_abort_multipart_upload():
    upload_id = s3.create_multipart_upload(Bucket=BUCKET, Key="mp-abort")["UploadId"]
    s3.upload_part(Bucket=BUCKET, Key="mp-abort", UploadId=upload_id, PartNumber=1, Body=b"x")
    response = s3.abort_multipart_upload(Bucket=BUCKET, Key="mp-abort", UploadId=upload_id)
    expect_equal(status(response), 204, "AbortMultipartUpload status")
    expect_error(s3.list_parts, "NoSuchUpload", 404, Bucket=BUCKET, Key="mp-abort", UploadId=upload_id)
    expect_error(s3.head_object, "404", 404, Bucket=BUCKET, Key="mp-abort")


def check_complete_multipart_errors():
    upload_id = s3.create_multipart_upload(Bucket=BUCKET, Key="mp-bad")["UploadId"]
    # Two 5 MiB parts, so that no part is too small whatever order they are listed in.
    etags = {n: s3.upload_part(Bucket=BUCKET, Key="mp-bad", UploadId=upload_id, PartNumber=n,
                               Body=PARTS[n])["ETag"] for n in (1, 2)}
    before = snapshot(BUCKET)
    wrong = [{"PartNumber": 1, "ETag": '"0123456789abcdef0123456789abcdef"'},
             {"PartNumber": 2, "ETag": etags[2]}]
    expect_error(s3.complete_multipart_upload, "InvalidPart", 400, Bucket=BUCKET, Key="mp-bad",
                 UploadId=upload_id, MultipartUpload={"Parts": wrong})
    expect_unchanged(before)
    unordered = [{"PartNumber": 2, "ETag": etags[2]}, {"PartNumber": 1, "ETag": etags[1]}]
    expect_error(s3.complete_multipart_upload, "InvalidPartOrder", 400, Bucket=BUCKET, Key="mp-bad",
                 UploadId=upload_id, MultipartUpload={"Parts": unordered})
    expect_unchanged(before)
    listed = s3.list_parts(Bucket=BUCKET, Key="mp-bad", UploadId=upload_id)["Parts"]
    expect_equal([p["PartNumber"] for p in listed], [1, 2], "parts kept after failed Completes")
    s3.abort_multipart_upload(Bucket=BUCKET, Key="mp-bad", UploadId=upload_id)


# --- presigned URLs ----------------------------------------------------------------

def fetch(url, method="GET", data=None):
    # urllib would label a body as a form; S3 stores whatever Content-Type it is sent.
    extra = {"Content-Type": "application/octet-stream"} if data is not None else {}
    request = urllib.request.Request(url, data=data, method=method, headers=extra)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def check_presigned_get():
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "plain"},
                                    ExpiresIn=300)
    expect("X-Amz-Signature=" in url, f"not a SigV4 presigned URL: {url}")
    expect_equal(fetch(url), (200, BODY), "presigned GET (status, bytes)")


def check_presigned_put():
    data = b"put through a presigned URL"
    url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "presigned"},
                                    ExpiresIn=300)
    got_status, body = fetch(url, "PUT", data)
    expect_equal(got_status, 200, f"presigned PUT status ({body[:200]!r})")
    expect_equal(get_bytes(BUCKET, "presigned"), data, "bytes of the presigned PUT")


def check_presigned_expired():
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "plain"},
                                    ExpiresIn=1)
    # Waiting for the wall clock itself: the URL must be past its 1 s lifetime.
    time.sleep(2)
    got_status, body = fetch(url)
    expect(got_status == 403 and b"<Code>AccessDenied</Code>" in body,
           f"want 403 AccessDenied for an expired URL, got {got_status}: {body[:300]!r}")


# --- bad requests --------------------------------------------------------------------

def check_wrong_secret():
    before = snapshot(BUCKET)
    expect_error(client(secret_key=SECRET_KEY + "x").put_object, "SignatureDoesNotMatch", 403,
                 Bucket=BUCKET, Key="plain", Body=b"overwritten")
    expect_unchanged(before)


def check_unknown_access_key():
    before = snapshot(BUCKET)
    expect_error(client(access_key="AKIAUNKNOWN" + RUN.upper()).put_object, "InvalidAccessKeyId",
                 403, Bucket=BUCKET, Key="plain", Body=b"overwritten")
    expect_unchanged(before)


def check_clock_skew():
    before = snapshot(BUCKET)
    for minutes in (20, -20):
        result = raw("PUT", BUCKET, "plain", body=b"skewed",
                     clock_offset=datetime.timedelta(minutes=minutes))
        expect_raw_error(result, "RequestTimeTooSkewed", 403)
    expect_unchanged(before)


def content_md5(body):
    import base64
    return base64.b64encode(hashlib.md5(body).digest()).decode()


def check_malformed_xml():
    before = snapshot(BUCKET)
    body = b"<Delete><Object><Key>plain</Key></Obj"
    result = raw("POST", BUCKET, query="delete=", body=body,
                 extra_headers={"Content-MD5": content_md5(body), "Content-Type": "application/xml"})
    expect_raw_error(result, "MalformedXML", 400)
    expect_unchanged(before)

    upload_id = s3.create_multipart_upload(Bucket=BUCKET, Key="mp-xml")["UploadId"]
    s3.upload_part(Bucket=BUCKET, Key="mp-xml", UploadId=upload_id, PartNumber=1, Body=b"x")
    body = b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
    result = raw("POST", BUCKET, "mp-xml", query="uploadId=" + urllib.parse.quote(upload_id),
                 body=body, extra_headers={"Content-Type": "application/xml"})
    expect_raw_error(result, "MalformedXML", 400)
    expect_unchanged(before)
    expect_equal(len(s3.list_parts(Bucket=BUCKET, Key="mp-xml", UploadId=upload_id)["Parts"]), 1,
                 "parts kept after a malformed Complete")
    s3.abort_multipart_upload(Bucket=BUCKET, Key="mp-xml", UploadId=upload_id)


def check_oversize_metadata():
    before = snapshot(BUCKET)
    try:
        s3.put_object(Bucket=BUCKET, Key="huge-meta", Body=b"x", Metadata={"big": "v" * 65536})
        raise CheckFailed("a 64 KiB x-amz-meta value was accepted (S3 allows 2 KB of metadata)")
    except ClientError as error:
        got = (status(error.response), error.response["Error"].get("Code"))
        expect(got[0] == 400, f"want 400 (MetadataTooLarge ideally), got {got}")
    expect_unchanged(before)


# --- bucket deletion -----------------------------------------------------------------

def empty_bucket(bucket):
    for upload in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        objects = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if objects:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})


def check_delete_bucket():
    expect_error(s3.delete_bucket, "BucketNotEmpty", 409, Bucket=BUCKET)
    expect_equal(s3.head_object(Bucket=BUCKET, Key="plain")["ETag"], ETAG, "plain after BucketNotEmpty")
    for bucket in (BUCKET, OTHER, LISTING):
        empty_bucket(bucket)
        expect_equal(status(s3.delete_bucket(Bucket=bucket)), 204, f"DeleteBucket {bucket}")
        expect_error(s3.head_bucket, "404", 404, Bucket=bucket)
    expect_error(s3.delete_bucket, "NoSuchBucket", 404, Bucket=BUCKET)


CHECKS = [
    check_create_bucket, check_list_buckets, check_create_bucket_again, check_invalid_bucket_name,
    check_head_bucket, check_get_bucket_location,
    check_put_object, check_head_object, check_get_object, check_get_object_range,
    check_get_object_conditional, check_delete_object, check_delete_objects, check_copy_object,
    check_list_setup, check_list_objects_v2_pages, check_list_objects_v2_params,
    check_list_objects_v2_encoding, check_list_objects_v1,
    check_multipart_upload, check_upload_part_copy, check_abort_multipart_upload,
    check_complete_multipart_errors,
    check_presigned_get, check_presigned_put, check_presigned_expired,
    check_wrong_secret, check_unknown_access_key, check_clock_skew,
    check_malformed_xml, check_oversize_metadata,
    check_delete_bucket,
]
AUTH_CHECKS = {"presigned_expired", "wrong_secret", "unknown_access_key", "clock_skew"}


def main():
    print(f"boto3 {boto3.__version__} against {ENDPOINT} ({REGION}), buckets s3c-{RUN}-*")
    skipped = 0
    for check in CHECKS:
        name = check.__name__.removeprefix("check_")
        if name in SKIP or (SKIP_AUTH and name in AUTH_CHECKS):
            print(f"skip {name}")
            skipped += 1
            continue
        try:
            check()
        except CheckFailed as failure:
            print(f"FAIL {name}: " + str(failure).replace("\n", " "), file=sys.stderr)
            sys.exit(1)
        except Exception as error:  # an unexpected error fails the check, with its type
            reason = f"{type(error).__name__}: {error}".replace("\n", " ")
            print(f"FAIL {name}: {reason}", file=sys.stderr)
            sys.exit(1)
        print(f"ok {name}")
    print(f"boto3 suite passed: {len(CHECKS) - skipped} checks ok, {skipped} skipped")


if __name__ == "__main__":
    main()
