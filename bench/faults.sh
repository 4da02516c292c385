#!/usr/bin/env bash
# The fault suite: builds the jar and the bench, then drives the packaged service against the simulators and the local
# PostgreSQL (127.0.0.1:5432, user postgres) through kills, GoTo and Mautic faults, two instances and bad inputs
# (io.gotomautic.bridge.bench.FaultSuite). One line per scenario: lost, duplicated, wrong, dead letters. Exits 1 when
# any is not zero. The services' log goes to bench/faults.log (emptied first). bench/FAULTS.md keeps the figures.
#   bash bench/faults.sh              full: ten kill trials per kill scenario, Mautic down for two minutes
#   bash bench/faults.sh short        one trial each, short outages (what CI runs)
#   bash bench/faults.sh full|short SCENARIO...   only these (backfill-kill burst-kill goto-faults mautic-down revoked-token no-field-permission two-instances bad-webhooks log-privacy)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-full}"
case "$mode" in
  full|short) shift || true ;;
  *) echo "usage: bash bench/faults.sh [full|short] [SCENARIO...]" >&2; exit 2 ;;
esac
mvn -B -q -DskipTests package test-compile
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
: > bench/faults.log
java -Xmx1g -Dsun.net.httpserver.nodelay=true -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  io.gotomautic.bridge.bench.FaultSuite "$mode" "$@"
