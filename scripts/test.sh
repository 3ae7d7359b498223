#!/usr/bin/env bash
# All tests: unit, @QuarkusTest per service and the Kafka flows over a real broker, the process
# tests, the browser tests, llama.cpp reading the GGUF exports and the end-to-end pipeline test.
# Starts a local KRaft broker (scripts/kafka.sh) unless one answers on localhost:9092, and stops
# it again afterwards.
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

# The GGUF tests read the suite's exports with the real llama.cpp: node-llama-cpp's prebuilt CPU
# build (Node.js 20 or later) from the npm registry, installed into tools/llama_cpp/node_modules
# when its lock file changed; nothing is compiled and no model is downloaded.
if ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq nodejs npm
  else
    echo "the GGUF tests need Node.js 20+ and npm (they run llama.cpp through node-llama-cpp)" >&2
    exit 2
  fi
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "the GGUF tests need Node.js 20 or later (node-llama-cpp), found $(node --version)" >&2
  exit 2
fi
if [ ! tools/llama_cpp/node_modules/.package-lock.json -nt tools/llama_cpp/package-lock.json ]; then
  (cd tools/llama_cpp && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm ci --ignore-scripts --omit=optional --no-audit --no-fund)
fi

# shellcheck source=lib/broker.sh
. "$ROOT/scripts/lib/broker.sh"
use_broker

mvn -B clean verify "$@"
