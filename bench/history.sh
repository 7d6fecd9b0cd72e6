#!/usr/bin/env bash
# Measures the history store (db): insert throughput with the durability chosen, the 50-event query
# of one site at 1M rows and its plan, the start-up the database adds, the file size per million
# events, and what pruning costs the writer. Medians of RUNS repeats.
# Usage: bench/history.sh [RUNS=5] [WORKDIR=a fresh temporary directory, removed after]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/db"
runs=${1:-5}
work=${2:-}
mvn -q -B -o -DskipTests test-compile >&2
mvn -q -B -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >&2
cp="target/classes:target/test-classes:$(cat target/bench-classpath.txt)"
if [[ -z "$work" ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
echo "== history store, work directory $work ($(df -h --output=source,fstype "$work" | tail -1 | tr -s ' '))"
# the store's warnings and errors still show; its opened:/closed: lines are not the figures
printf 'handlers=java.util.logging.ConsoleHandler\n.level=WARNING\n' >target/bench-logging.properties
java -Djava.util.logging.config.file=target/bench-logging.properties -cp "$cp" sitevisor.db.HistoryBenchmark all "$work" "$runs"
