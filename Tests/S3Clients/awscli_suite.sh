#!/usr/bin/env bash
# The aws CLI (Debian's v2) against an S3 endpoint: mb, cp up and down (0 B, 5 MiB and
# S3_BIG_MIB, default 200, which goes multipart), ls, sync of a 500-file tree both
# ways, rm --recursive, rb. Environment: see Tests/S3Clients/README.md.
set -euo pipefail
source "$(dirname "$0")/common.sh"

# Debian's aws (v2) over any other `aws` on PATH (pip's v1).
aws_cli=${S3_AWS_CLI:-$(command -v /usr/bin/aws || command -v aws || true)}
[ -n "$aws_cli" ] || { echo "FAIL setup: no aws CLI (apt-get install awscli)" >&2; exit 2; }
big_mib=${S3_BIG_MIB:-200}
bucket=s3c-$run_id-awscli
work=$S3_WORKDIR/awscli-$run_id
mkdir -p "$work/up" "$work/down"

export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
export AWS_DEFAULT_REGION=$S3_REGION AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""
export AWS_CONFIG_FILE=$work/config AWS_SHARED_CREDENTIALS_FILE=$work/credentials
printf '[default]\nregion = %s\ns3 =\n  addressing_style = path\n' "$S3_REGION" >"$AWS_CONFIG_FILE"
: >"$AWS_SHARED_CREDENTIALS_FILE"

aws=("$aws_cli" --endpoint-url "$S3_ENDPOINT")
echo "$("$aws_cli" --version) against $S3_ENDPOINT, bucket $bucket"

make_files() {
  : >"$work/up/zero"
  head -c $((5 * 1024 * 1024)) /dev/urandom >"$work/up/five"
  head -c $((big_mib * 1024 * 1024)) /dev/urandom >"$work/up/big"
  make_tree "$work/tree" 500
}

mb() {
  "${aws[@]}" s3 mb "s3://$bucket"
  "${aws[@]}" s3 ls | grep " $bucket\$" >/dev/null || fail "s3 ls does not list $bucket"
}

cp_up() {
  local name
  for name in zero five big; do
    "${aws[@]}" s3 cp --only-show-errors "$work/up/$name" "s3://$bucket/$name"
  done
}

ls_bucket() {
  local name size
  "${aws[@]}" s3 ls "s3://$bucket/" >"$work/ls"
  for name in zero five big; do
    size=$(stat -c %s "$work/up/$name")
    grep -Eq "^[0-9-]+ [0-9:]+ +$size $name\$" "$work/ls" || fail "s3 ls has no '$size $name': $(tr '\n' '|' <"$work/ls")"
  done
}

big_is_multipart() {
  local etag
  etag=$("${aws[@]}" s3api head-object --bucket "$bucket" --key big --query ETag --output text)
  # Above the CLI's 8 MiB multipart threshold the ETag is "<md5 of part md5s>-<parts>".
  if [ "$big_mib" -gt 8 ]; then
    [[ $etag =~ ^\"[0-9a-f]{32}-[0-9]+\"$ ]] || fail "big's ETag $etag is not a multipart ETag"
  fi
}

cp_down() {
  local name
  for name in zero five big; do
    "${aws[@]}" s3 cp --only-show-errors "s3://$bucket/$name" "$work/down/$name"
    cmp "$work/up/$name" "$work/down/$name"
  done
}

sync_up() {
  "${aws[@]}" s3 sync --only-show-errors "$work/tree" "s3://$bucket/tree"
  local count
  count=$("${aws[@]}" s3 ls --recursive "s3://$bucket/tree/" | wc -l)
  [ "$count" -eq 500 ] || fail "$count keys under tree/ after sync, want 500"
}

sync_down() {
  "${aws[@]}" s3 sync --only-show-errors "s3://$bucket/tree" "$work/tree-down"
  diff -r "$work/tree" "$work/tree-down"
  # A second sync has nothing left to do.
  [ -z "$("${aws[@]}" s3 sync "$work/tree" "s3://$bucket/tree")" ] || fail "second sync up copied files again"
}

rm_recursive() {
  "${aws[@]}" s3 rm --recursive --only-show-errors "s3://$bucket"
  [ -z "$("${aws[@]}" s3 ls --recursive "s3://$bucket")" ] || fail "keys left after rm --recursive"
}

rb() {
  "${aws[@]}" s3 rb "s3://$bucket"
  if "${aws[@]}" s3 ls | grep " $bucket\$" >/dev/null; then fail "$bucket still listed after rb"; fi
}

check make-files make_files
check mb mb
check cp-up cp_up
check ls ls_bucket
check multipart-etag big_is_multipart
check cp-down cp_down
check sync-up sync_up
check sync-down sync_down
check rm-recursive rm_recursive
check rb rb
rm -rf "$work" "$log" "$why"
echo "awscli suite passed"
