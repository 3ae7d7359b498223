// Greedy decoding speed of llama.cpp (node-llama-cpp's prebuilt CPU build) on one GGUF file, for
// scripts/benchmark.sh anchor: node bench.mjs MODEL.gguf THREADS NEW_TOKENS ID,ID,... (the prompt).
// Prints one line: RESULT llama.cpp <file type> prefill <tokens/s> decode <tokens/s> resident <GB>
// first [...] (resident: after loading the model, before its context)
// (prefill: the prompt's evaluation and the first token; decode: the tokens after it).
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const [path, threads, newTokens, idList] = process.argv.slice(2);
const ids = idList.split(",").map(Number);
const count = Number(newTokens);
const llama = await getLlama({build: "never", gpu: false, logLevel: LlamaLogLevel.error});
const model = await llama.loadModel({modelPath: path, gpuLayers: 0});
// the loaded model's memory (its file is mapped: the pages read so far), before the context
const resident = (process.memoryUsage().rss / 1073741824).toFixed(2);
const context = await model.createContext({
  contextSize: ids.length + count + 16,
  sequences: 1,
  threads: Number(threads),
  batchSize: 512
});
async function run(tokens) {
  const sequence = context.getSequence();
  const times = [];
  const generated = [];
  const start = performance.now();
  for await (const token of sequence.evaluate(ids, {temperature: 0})) {
    generated.push(token);
    times.push(performance.now() - start);
    if (generated.length >= tokens) {
      break;
    }
  }
  sequence.dispose();
  return {times, generated};
}
await run(2); // warm-up
const {times, generated} = await run(count);
const prefill = times[0] / 1000;
const decode = (generated.length - 1) / ((times[times.length - 1] - times[0]) / 1000);
const label = path.replace(/.*-/, "").replace(/\.gguf$/, "").toUpperCase();
console.log(
  `RESULT llama.cpp ${label} prefill ${(ids.length / prefill).toFixed(2)} decode ${decode.toFixed(2)} ` +
    `resident ${resident} ` +
    `first [${generated.slice(0, 8).join(", ")}]`
);
await context.dispose();
await model.dispose();
await llama.dispose();
