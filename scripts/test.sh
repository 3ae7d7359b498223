#!/usr/bin/env bash
# All tests: unit, @QuarkusTest per service and the Kafka flows over a real broker, and the
# end-to-end pipeline test. Starts a local KRaft broker (scripts/kafka.sh) unless one answers on
# localhost:9092, and stops it again afterwards.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=lib/broker.sh
. "$ROOT/scripts/lib/broker.sh"
use_broker

mvn -B clean verify "$@"
