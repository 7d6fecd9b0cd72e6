#!/usr/bin/env bash
# Measures the supervising core: crash recovery and restart on many sites (in-process), then the
# daemon's RSS and idle CPU as operators run it (bin/sitevisor), with N sites.
# Usage: bench/core.sh [SITES=100] [ROUNDS=30] [IDLE_SITES=300] [IDLE_SECONDS=60]
# TASKS_PER_SITE=N gives each idle site N tasks (due on January 1st, so none runs during the measure:
# the cost of holding them scheduled).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
sites=${1:-100}; rounds=${2:-30}; idle_sites=${3:-300}; idle_seconds=${4:-60}
# package alone: -DskipTests still compiles the test classes; a phase run after package would leave
# the sibling modules out of the jar's manifest, and bin/sitevisor could not start
mvn -q -B -DskipTests package >&2
cp="service/target/classes:service/target/test-classes:$(ls service/target/lib/*.jar | tr '\n' ':')"

if ((rounds > 0)); then
  echo "== crash recovery and restart, $sites python sites, $rounds rounds"
  java -XX:+UseSerialGC -cp "$cp" sitevisor.bench.CoreBenchmark "$sites" "$rounds" 21000 bench/site.py
fi

echo "== daemon RSS and idle CPU, $idle_sites sites (sleep processes), ${TASKS_PER_SITE:-0} tasks each, ${idle_seconds}s idle"
work=$(mktemp -d)
trap 'kill "$daemon" 2>/dev/null || true; rm -rf "$work"' EXIT
{
  echo "home: var"
  echo "jolokia: { port: 18781 }"
  echo "sites:"
  for ((i = 0; i < idle_sites; i++)); do
    printf '  idle%d:\n    command: [sleep, "100000"]\n    startSeconds: 0\n' "$i"
    if ((${TASKS_PER_SITE:-0} > 0)); then
      echo "    tasks:"
      for ((t = 0; t < TASKS_PER_SITE; t++)); do
        printf '      task%d: { cron: "%d %d 1 1 *", command: [true] }\n' "$t" "$(( (i + t * 7) % 60 ))" "$(( t + 1 ))"
      done
    fi
  done
} >"$work/sitevisor.yml"
bin/sitevisor run -c "$work/sitevisor.yml" >"$work/out" 2>&1 &
daemon=$!
until grep -q "supervising:" "$work/out"; do sleep 0.2; kill -0 "$daemon"; done
grep "supervising:" "$work/out"
sleep 20 # past the start-up burst: worker threads ending, the heap trim after it
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$daemon/stat"; }
c0=$(cpu); sleep "$idle_seconds"; c1=$(cpu)
echo "daemon RSS: $(awk '/VmRSS/ {print $2, $3}' "/proc/$daemon/status"), threads: $(awk '/Threads/ {print $2}' "/proc/$daemon/status")"
awk -v c="$((c1 - c0))" -v t="$ticks" -v s="$idle_seconds" 'BEGIN { printf "idle CPU: %.3f%% of one core (%d ticks in %ds)\n", 100 * c / t / s, c, s }'
kill -TERM "$daemon"; wait "$daemon" || true
grep -E "exiting:" "$work/out" || tail -5 "$work/out"
