#!/usr/bin/env bash
# Benchmarks on this machine's CPU (or the GPU DJL finds), fp32:
#   scripts/benchmark.sh [train] [PRESET] [B] [T] [STEPS]      one training step (forward, backward, AdamW)
#   scripts/benchmark.sh generation [PRESET] [PROMPT] [NEW]    greedy generation with and without the KV cache
#   scripts/benchmark.sh memory [STEPS] [EMB] [LAYERS]          resident memory over many training steps
# e.g. scripts/benchmark.sh train "gpt2-small (124M)" 8 64 3 ; scripts/benchmark.sh generation "gpt2-small (124M)" 60 256
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mvn -B -q -pl gpt-core -am install -DskipTests
mvn -B -q -pl gpt-core test-compile dependency:build-classpath -Dmdep.outputFile=target/benchmark.classpath
CP="gpt-core/target/test-classes:gpt-core/target/classes:$(cat gpt-core/target/benchmark.classpath)"
case "${1:-train}" in
  generation) shift; exec java -Xmx8g -Dai.djl.offline=true -cp "$CP" io.llmft.core.bench.GenerationBenchmark \
                "${1:-gpt2-small (124M)}" "${2:-60}" "${3:-256}" ;;
  train) shift; exec java -Xmx8g -Dai.djl.offline=true -cp "$CP" io.llmft.core.bench.TrainStepBenchmark \
           "${1:-gpt2-small (124M)}" "${2:-8}" "${3:-64}" "${4:-3}" ;;
  memory) shift; exec java -Xmx2g -Dai.djl.offline=true -cp "$CP" io.llmft.core.bench.MemoryBenchmark \
            "${1:-1000}" "${2:-32}" "${3:-1}" ;;
  *) echo "usage: $0 [train|generation|memory] ..." >&2; exit 2 ;;
esac
