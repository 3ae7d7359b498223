// Reads GGUF files with llama.cpp (node-llama-cpp's prebuilt CPU build) and prints what it makes
// of them, for the suite's tests to compare with its own tokenizer and model.
// Input (a JSON file named by the first argument):
//   {"models": [{"path": "...", "texts": ["..."], "prompts": [{"ids": [1, 2], "tokens": 8}]}]}
// Output (stdout, one JSON document):
//   {"models": [{"path": "...", "ids": [[...]], "greedy": [[...]]}]}
// "ids" are llama.cpp's token ids of each text (special-token markers parsed, no BOS added);
// "greedy" the tokens llama.cpp generates after each prompt at temperature 0.
import {readFile} from "node:fs/promises";
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const request = JSON.parse(await readFile(process.argv[2], "utf8"));
const llama = await getLlama({build: "never", gpu: false, logLevel: LlamaLogLevel.error});
const results = [];
for (const spec of request.models) {
  const model = await llama.loadModel({modelPath: spec.path, gpuLayers: 0});
  const ids = spec.texts.map((text) => Array.from(model.tokenize(text, true)));
  const greedy = [];
  if (spec.prompts.length > 0) {
    // one thread: llama.cpp's threads spin while they wait, and on a busy 2-core machine several of
    // them make each token take a second instead of a millisecond
    const context = await model.createContext({contextSize: 64, sequences: 1, threads: 1});
    for (const prompt of spec.prompts) {
      const sequence = context.getSequence();
      const generated = [];
      for await (const token of sequence.evaluate(prompt.ids, {temperature: 0})) {
        generated.push(token);
        if (generated.length >= prompt.tokens) {
          break;
        }
      }
      greedy.push(generated);
      sequence.dispose();
    }
    await context.dispose();
  }
  await model.dispose();
  results.push({path: spec.path, ids, greedy});
}
process.stdout.write(JSON.stringify({models: results}) + "\n");
await llama.dispose();
