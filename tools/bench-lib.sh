# Helpers shared by tools/bench and tools/bench-compare (sourced, not run).
step() { echo "==> $*" >&2; }
run() { step "$*"; "$@"; }
# The value of KEY in `key=value` lines.
value() { sed -n "s/^$1=//p" <<<"$2" | head -n1; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a + 0 > b + 0) ? a : b }'; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
# Runs a command; prints its wall time in seconds.
seconds_of() { local start=$(date +%s.%N); "$@"; calc %.3f "$(date +%s.%N) - $start"; }
