#!/usr/bin/env bash
# All tests: unit, @QuarkusTest per service and the Kafka flows over a real broker, the process
# tests, the browser tests and the end-to-end pipeline test. Starts a local KRaft broker (scripts/kafka.sh) unless one answers on
# localhost:9092, and stops it again afterwards.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# The browser tests (the chat page, the main job's report) drive Debian's Chromium through its
# ChromeDriver; nothing is downloaded by the tests themselves. The trainer and inference processes
# the process tests start get tcmalloc preloaded, as in their images, where it is installed (else
# glibc's malloc with the tunables of ServiceProcess.GLIBC_TUNABLES).
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
[ -r /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 ] || missing+=(libtcmalloc-minimal4)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}"
  elif [[ " ${missing[*]} " == *" chromium"* ]]; then
    echo "the browser tests need Debian's chromium and chromium-driver:" \
      "sudo apt-get install chromium chromium-driver" >&2
    exit 2
  else
    echo "libtcmalloc-minimal4 is not installed: the process tests run trainer and inference on glibc malloc, tuned" >&2
  fi
fi

# shellcheck source=lib/broker.sh
. "$ROOT/scripts/lib/broker.sh"
use_broker

mvn -B clean verify "$@"
