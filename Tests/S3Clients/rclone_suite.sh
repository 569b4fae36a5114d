#!/usr/bin/env bash
# rclone against an S3 endpoint: mkdir, copy of a ~100-file tree with one 20 MiB file
# (multipart, 5 MiB chunks), check (MD5s), changes then sync, check, purge.
# Environment: see Tests/S3Clients/README.md.
set -euo pipefail
source "$(dirname "$0")/common.sh"

command -v rclone >/dev/null || { echo "FAIL setup: no rclone (apt-get install rclone)" >&2; exit 2; }
bucket=s3c-$run_id-rclone
work=$S3_WORKDIR/rclone-$run_id
mkdir -p "$work"
# rclone 1.60's AWS SDK cannot load a CA bundle into rclone's own HTTP transport, and
# fails on any request while AWS_CA_BUNDLE is set.
unset AWS_CA_BUNDLE
cat >"$work/rclone.conf" <<CONF
[gw]
type = s3
provider = Other
env_auth = false
endpoint = $S3_ENDPOINT
access_key_id = $S3_ACCESS_KEY
secret_access_key = $S3_SECRET_KEY
region = $S3_REGION
force_path_style = true
CONF
rclone=(rclone --config "$work/rclone.conf" --s3-upload-cutoff 5M --s3-chunk-size 5M)
echo "$(rclone version | head -n 1) against $S3_ENDPOINT, bucket $bucket"

make_files() {
  make_tree "$work/tree" 99
  head -c $((20 * 1024 * 1024)) /dev/urandom >"$work/tree/big.bin"
}

mkdir_bucket() {
  "${rclone[@]}" mkdir "gw:$bucket"
  "${rclone[@]}" lsd gw: | grep " $bucket\$" >/dev/null || fail "rclone lsd does not list $bucket"
}

copy_up() {
  "${rclone[@]}" copy "$work/tree" "gw:$bucket/tree"
  local count
  count=$("${rclone[@]}" lsf -R --files-only "gw:$bucket/tree" | wc -l)
  [ "$count" -eq 100 ] || fail "$count files in the bucket after copy, want 100"
}

# check_same N: rclone check finds N matching files, no difference, every hash checked.
check_same() {
  "${rclone[@]}" check "$work/tree" "gw:$bucket/tree" >"$work/check.out" 2>&1 ||
    fail "rclone check: $(grep -m1 -E 'ERROR|differences' "$work/check.out")"
  cat "$work/check.out"
  grep -q "0 differences found" "$work/check.out" || fail "rclone check did not say 0 differences"
  grep -q "$1 matching files" "$work/check.out" || fail "rclone check did not find $1 matching files"
  if grep -q "could not be checked" "$work/check.out"; then
    fail "rclone check could not compare some hashes: $(grep -m1 'could not be checked' "$work/check.out")"
  fi
}

change_files() {
  local i
  for i in 3 17 42; do echo "changed $i" >>"$work/tree/d$((i % 10))/e$((i % 7))/f$i.txt"; done
  rm "$work/tree/d5/e5/f5.txt" "$work/tree/d8/e1/f8.txt"
  echo "new file" >"$work/tree/d0/new.txt"
}

sync_up() {
  "${rclone[@]}" sync "$work/tree" "gw:$bucket/tree"
  check_same 99
  # Byte for byte too, reading every object back.
  "${rclone[@]}" check --download "$work/tree" "gw:$bucket/tree"
}

purge() {
  "${rclone[@]}" purge "gw:$bucket"
  if "${rclone[@]}" lsd gw: | grep " $bucket\$" >/dev/null; then fail "$bucket still listed after purge"; fi
}

check make-files make_files
check mkdir mkdir_bucket
check copy copy_up
check check check_same 100
check change-files change_files
check sync sync_up
check purge purge
rm -rf "$work" "$log" "$why"
echo "rclone suite passed"
