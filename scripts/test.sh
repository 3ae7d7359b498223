#!/usr/bin/env bash
# All tests: unit, @QuarkusTest per service and the Kafka flows over a real broker, and the
# end-to-end pipeline test. Starts a local KRaft broker (scripts/kafka.sh) unless one answers on
# localhost:9092, and stops it again afterwards.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

started_kafka=0
if ! scripts/kafka.sh status; then
  scripts/kafka.sh start
  started_kafka=1
fi
cleanup() { if [ "$started_kafka" = 1 ]; then scripts/kafka.sh stop; fi; }
trap cleanup EXIT
scripts/kafka.sh topics

mvn -B clean verify "$@"
