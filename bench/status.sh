#!/usr/bin/env bash
# Measures a full status of N sites: `sitevisor status` as a whole process (what an operator
# waits for), and the HTTP reads under it as curl sees them. Medians of ROUNDS runs, with min-max.
# Usage: bench/status.sh [SITES=300] [ROUNDS=31]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
sites=${1:-300}; rounds=${2:-31}
mvn -q -B -DskipTests package >&2

work=$(mktemp -d)
daemon=""
cleanup() {
  if [[ -n "$daemon" ]]; then kill -TERM "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
port=18791
{
  echo "home: var"
  echo "jolokia: { port: $port }"
  echo "sites:"
  for ((i = 0; i < sites; i++)); do
    printf '  site%d:\n    command: [sleep, "100000"]\n    directory: /tmp\n    environment: { APP_ENV: prod }\n' "$i"
    printf '    startSeconds: 0\n    restart: on-failure\n    stopTimeout: 10s\n    logs: { maxSize: 10MB, backups: 3 }\n'
  done
} >"$work/sitevisor.yml"
bin/sitevisor run -c "$work/sitevisor.yml" >"$work/out" 2>&1 &
daemon=$!
until grep -q "supervising:" "$work/out"; do sleep 0.2; kill -0 "$daemon"; done
grep -o "supervising:.*" "$work/out"

summary() { sort -n | awk '{a[NR] = $1} END {printf "%.1f ms (%.1f-%.1f)\n", a[int((NR + 1) / 2)], a[1], a[NR]}'; }
# a whole process, timed by the shell's own clock (no fork to read it); the first run is a warm-up
measure() {
  "$@" >/dev/null 2>&1
  for ((r = 0; r < rounds; r++)); do
    s=$EPOCHREALTIME; "$@" >/dev/null 2>&1; e=$EPOCHREALTIME
    awk -v s="$s" -v e="$e" 'BEGIN {printf "%.2f\n", (e - s) * 1000}'
  done | summary
}
credentials="$(cat "$work/var/credentials")"
# one HTTP request as curl times it, from connect to the last byte, without curl's own start-up
read_json() {
  curl -sf -o /dev/null -u "$credentials" --json "$1" "http://127.0.0.1:$port/jolokia/" >/dev/null
  for ((r = 0; r < rounds; r++)); do
    curl -sf -o /dev/null -w '%{time_total}\n' -u "$credentials" --json "$1" "http://127.0.0.1:$port/jolokia/" | awk '{printf "%.2f\n", $1 * 1000}'
  done | summary
}

echo "sitevisor status, whole process:          $(measure bin/sitevisor status -c "$work/sitevisor.yml")"
echo "sitevisor --help, the JVM's own start-up: $(measure bin/sitevisor --help)"
echo "HTTP, Supervisor Instances (status):      $(read_json '{"type":"read","mbean":"sitevisor:type=Supervisor","attribute":"Instances"}')"
echo "HTTP, every attribute of every site:      $(read_json '{"type":"read","mbean":"sitevisor:type=Site,name=*"}')"
echo "HTTP, version (the agent's floor):        $(read_json '{"type":"version"}')"
