#!/usr/bin/env bash
# s3cmd against an S3 endpoint, path style: mb, put (1 MiB, and 20 MiB: multipart in
# 15 MiB chunks), ls, get (cmp), del, rb. Environment: see Tests/S3Clients/README.md.
set -euo pipefail
source "$(dirname "$0")/common.sh"

command -v s3cmd >/dev/null || { echo "FAIL setup: no s3cmd (apt-get install s3cmd)" >&2; exit 2; }
bucket=s3c-$run_id-s3cmd
work=$S3_WORKDIR/s3cmd-$run_id
mkdir -p "$work/up" "$work/down"
# host_bucket without %(bucket)s keeps requests path style.
cat >"$work/s3cfg" <<CONF
[default]
access_key = $S3_ACCESS_KEY
secret_key = $S3_SECRET_KEY
host_base = $hostport
host_bucket = $hostport
bucket_location = $S3_REGION
use_https = False
signature_v2 = False
CONF
s3cmd=(s3cmd --config "$work/s3cfg")
echo "$(s3cmd --version) against $S3_ENDPOINT, bucket $bucket"

make_files() {
  head -c $((1024 * 1024)) /dev/urandom >"$work/up/small"
  head -c $((20 * 1024 * 1024)) /dev/urandom >"$work/up/big"
}

mb() {
  "${s3cmd[@]}" mb "s3://$bucket"
  "${s3cmd[@]}" ls | grep " s3://$bucket\$" >/dev/null || fail "s3cmd ls does not list $bucket"
}

put() {
  "${s3cmd[@]}" put "$work/up/small" "$work/up/big" "s3://$bucket/"
}

ls_bucket() {
  local name size
  "${s3cmd[@]}" ls "s3://$bucket/" >"$work/ls"
  for name in small big; do
    size=$(stat -c %s "$work/up/$name")
    grep -Eq " $size +s3://$bucket/$name\$" "$work/ls" || fail "s3cmd ls has no '$size $name': $(tr '\n' '|' <"$work/ls")"
  done
}

get() {
  local name
  for name in small big; do
    "${s3cmd[@]}" get "s3://$bucket/$name" "$work/down/$name"
    cmp "$work/up/$name" "$work/down/$name"
  done
}

del() {
  "${s3cmd[@]}" del "s3://$bucket/small" "s3://$bucket/big"
  [ -z "$("${s3cmd[@]}" ls "s3://$bucket/")" ] || fail "objects left after del"
}

rb() {
  "${s3cmd[@]}" rb "s3://$bucket"
  if "${s3cmd[@]}" ls | grep " s3://$bucket\$" >/dev/null; then fail "$bucket still listed after rb"; fi
}

check make-files make_files
check mb mb
check put put
check ls ls_bucket
check get get
check del del
check rb rb
rm -rf "$work" "$log" "$why"
echo "s3cmd suite passed"
