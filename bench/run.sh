#!/usr/bin/env bash
# One command: builds the jar and the bench, then measures the packaged service against the simulators and the
# local PostgreSQL (127.0.0.1:5432, user postgres): the pull sync's backfill (Backfill), then the inbound path —
# webhook acknowledgement latency under open-loop load and a burst of form submissions drained through the GoTo
# rate limit (Inbound), and real time: from a registration made in GoTo to the contact in its Mautic segment, with
# GoTo's webhooks and with polling only (RealTime). Figures go to stdout; bench/RESULTS.md keeps them. The service's
# log goes to bench/backfill.log, bench/inbound.log and bench/realtime.log (emptied when that benchmark runs).
#   bash bench/run.sh                                            everything recorded
#   bash bench/run.sh backfill N W UTM NOTES LATENCY_MS          one backfill configuration
#   bash bench/run.sh inbound ack [RATE SECONDS]                 acknowledgement latency (default 200 60)
#   bash bench/run.sh inbound burst [SUBMISSIONS LIMIT SENDERS]  burst and drain (default 5000 500/10s 32)
#   bash bench/run.sh realtime [REGISTRATIONS RATE MODES]         GoTo -> Mautic latency (default 1000 10 webhooks,polling)
set -euo pipefail
cd "$(dirname "$0")/.."
usage() {
  echo "usage: bash bench/run.sh [backfill N W UTM NOTES LATENCY_MS | inbound ack [RATE SECONDS] | inbound burst [SUBMISSIONS LIMIT SENDERS] | realtime [REGISTRATIONS RATE MODES]]" >&2
  exit 2
}
case "${1:-}" in
  "") ;;
  backfill) [ $# -eq 6 ] || usage ;;
  inbound) [ "${2:-}" = ack ] || [ "${2:-}" = burst ] || usage ;;
  realtime) ;;
  *) usage ;;
esac
mvn -B -q -DskipTests package test-compile
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
CP="target/test-classes:target/classes:$(cat target/bench.classpath)"
backfill() { java -Xmx512m -cp "$CP" io.gotomautic.bridge.bench.Backfill "$@"; }
inbound() { java -Xmx512m -cp "$CP" io.gotomautic.bridge.bench.Inbound "$@"; }
realtime() { java -Xmx512m -cp "$CP" io.gotomautic.bridge.bench.RealTime "$@"; }
case "${1:-}" in
  backfill)
    shift
    : > bench/backfill.log
    backfill "$@"
    ;;
  inbound)
    shift
    : > bench/inbound.log
    inbound "$@"
    ;;
  realtime)
    shift
    : > bench/realtime.log
    realtime "$@"
    ;;
  "")
    : > bench/backfill.log
    : > bench/inbound.log
    : > bench/realtime.log
    backfill 100000 50 false false 10    # UTM rows off: the call budget of the batched path
    backfill 10000 50 true false 10      # UTM rows on: one timeline call per registration
    backfill 10000 50 true true 10       # the defaults: UTM rows and notes
    inbound ack 200 60                   # webhook acknowledgement latency, 200 requests/s for 60 s
    inbound burst 5000 500/10s           # 5,000 submissions at once, drained at the GoTo rate limit
    realtime 1000 10 webhooks,polling    # GoTo registration -> Mautic segment, p50/p99, webhooks and polling
    ;;
esac
