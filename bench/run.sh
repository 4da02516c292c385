#!/usr/bin/env bash
# One command: builds the jar and the bench, then measures the pull sync's backfill against the simulators
# and the local PostgreSQL (127.0.0.1:5432, user postgres). Figures go to stdout; bench/RESULTS.md keeps them.
#   bash bench/run.sh            the recorded configurations
#   bash bench/run.sh N W UTM NOTES LATENCY_MS   one configuration
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package test-compile
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
CP="target/test-classes:target/classes:$(cat target/bench.classpath)"
: > bench/backfill.log
run() { java -Xmx512m -cp "$CP" io.gotomautic.bridge.bench.Backfill "$@"; }
if [ $# -gt 0 ]; then
  run "$@"
else
  run 100000 50 false false 10    # UTM rows off: the call budget of the batched path
  run 10000 50 true false 10      # UTM rows on: one timeline call per registration
  run 10000 50 true true 10       # the defaults: UTM rows and notes
fi
