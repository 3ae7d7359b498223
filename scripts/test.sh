#!/usr/bin/env bash
# All tests: unit, @QuarkusTest per service and the Kafka flows over a real broker, the process
# tests, the browser tests and the end-to-end pipeline test. Starts a local KRaft broker (scripts/kafka.sh) unless one answers on
# localhost:9092, and stops it again afterwards.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# The browser tests (the chat page, the main job's report) drive Debian's Chromium through its
# ChromeDriver; nothing is downloaded by the tests themselves.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq chromium chromium-driver
  else
    echo "the browser tests need Debian's chromium and chromium-driver:" \
      "sudo apt-get install chromium chromium-driver" >&2
    exit 2
  fi
fi

# shellcheck source=lib/broker.sh
. "$ROOT/scripts/lib/broker.sh"
use_broker

mvn -B clean verify "$@"
