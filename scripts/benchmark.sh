#!/usr/bin/env bash
# Training-step benchmark: forward + backward + AdamW of a GPT-2 config at batch B x T, fp32, on
# this machine's CPU (or the GPU DJL finds). Usage: scripts/benchmark.sh [PRESET] [B] [T] [STEPS]
#   scripts/benchmark.sh "gpt2-small (124M)" 8 64 3
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mvn -B -q -pl gpt-core -am install -DskipTests
mvn -B -q -pl gpt-core test-compile dependency:build-classpath -Dmdep.outputFile=target/benchmark.classpath
exec java -Xmx8g -Dai.djl.offline=true \
  -cp "gpt-core/target/test-classes:gpt-core/target/classes:$(cat gpt-core/target/benchmark.classpath)" \
  io.llmft.core.bench.TrainStepBenchmark "${1:-gpt2-small (124M)}" "${2:-8}" "${3:-64}" "${4:-3}"
