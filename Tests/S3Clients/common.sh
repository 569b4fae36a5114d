# Sourced by the shell suites. Checks the environment; `check NAME FUNCTION` runs
# FUNCTION (under set -e, output kept in $log) and prints `ok NAME`, or on failure one
# line `FAIL NAME: <why>` on stderr, then the end of the output, and exits 1.
for var in S3_ENDPOINT S3_ACCESS_KEY S3_SECRET_KEY S3_WORKDIR; do
  if [ -z "${!var:-}" ]; then
    echo "FAIL setup: $var is not set (see Tests/S3Clients/README.md)" >&2
    exit 2
  fi
done
S3_REGION=${S3_REGION:-us-east-1}
S3_ENDPOINT=${S3_ENDPOINT%/}
hostport=${S3_ENDPOINT#*://}
run_id=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
log=$S3_WORKDIR/last-check.log
why=$S3_WORKDIR/last-check.why

check() {
  local name=$1 rc
  shift
  rm -f "$why"
  set +e
  ( set -eE; trap 'echo "exit $? from: $BASH_COMMAND" >"$why"' ERR; "$@" ) >"$log" 2>&1
  rc=$?
  set -e
  if [ $rc -eq 0 ]; then
    echo "ok $name"
    return
  fi
  echo "FAIL $name: $(cat "$why" 2>/dev/null || echo "exited $rc")" >&2
  tail -n 40 "$log" >&2
  exit 1
}

# Inside a check: fail with this reason.
fail() {
  echo "$*" >"$why"
  exit 1
}

# make_tree DIR COUNT: COUNT small files in nested folders, each with distinct bytes.
make_tree() {
  local dir=$1 count=$2 i path
  for ((i = 0; i < count; i++)); do
    path=$dir/d$((i % 10))/e$((i % 7))/f$i.txt
    mkdir -p "${path%/*}"
    printf 'file %d of %s\n%*s\n' "$i" "$run_id" $((i % 300)) "" >"$path"
  done
}
