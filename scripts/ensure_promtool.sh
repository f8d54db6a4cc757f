#!/usr/bin/env bash
# Makes `promtool` (Prometheus' own checker, from Debian's `prometheus` package) available for
# test/runtime/admin/promtool.test.ts. Prints the path of a working promtool on stdout.
# Order: PROMTOOL if set, promtool on PATH, a copy extracted earlier under .cache/promtool, else
# `apt-get download prometheus` + `dpkg -x` into .cache/promtool (no service is installed or
# started). .ci/run calls this before `npm test`; in CI the test fails when promtool is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
works() { [ -n "${1:-}" ] && [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }
if works "${PROMTOOL:-}"; then echo "$PROMTOOL"; exit 0; fi
if works "$(command -v promtool || true)"; then command -v promtool; exit 0; fi
cache=".cache/promtool"
extracted="$cache/root/usr/bin/promtool"
if works "$extracted"; then echo "$PWD/$extracted"; exit 0; fi
mkdir -p "$cache"
(
  cd "$cache"
  rm -f prometheus_*.deb
  if ! apt-get download prometheus >&2 2>&1; then
    apt-get update >&2
    apt-get download prometheus >&2
  fi
  rm -rf root
  dpkg -x prometheus_*.deb root
)
if works "$extracted"; then echo "$PWD/$extracted"; exit 0; fi
echo "ensure_promtool: could not provide promtool" >&2
exit 1
