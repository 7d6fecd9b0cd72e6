#!/usr/bin/env bash
# Measures the scheduler: what a maintenance restart adds beyond the drain and the site's own stop
# and start, then the daemon's RSS and idle CPU with every site holding tasks.
# Usage: bench/tasks.sh [ROUNDS=15] [IDLE_SITES=300] [TASKS_PER_SITE=3] [IDLE_SECONDS=60]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
rounds=${1:-15}; idle_sites=${2:-300}; tasks=${3:-3}; idle_seconds=${4:-60}
# package alone: -DskipTests still compiles the test classes; a phase run after package would leave
# the sibling modules out of the jar's manifest, and bin/sitevisor could not start
mvn -q -B -DskipTests package >&2
cp="service/target/classes:service/target/test-classes:$(ls service/target/lib/*.jar | tr '\n' ':')"

echo "== maintenance restart of one small python site, $rounds one-off windows"
java -XX:+UseSerialGC -cp "$cp" sitevisor.daemon.MaintenanceBenchmark "$rounds" python3 "$root/bench/site.py" 18123

TASKS_PER_SITE=$tasks bench/core.sh 1 0 "$idle_sites" "$idle_seconds"
