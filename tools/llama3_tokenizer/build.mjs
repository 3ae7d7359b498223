// Builds text/src/test/resources/llama3-tokenizer/ from the npm package llama3-tokenizer-js
// (code MIT; the vocabulary is Meta's, under the Llama 3.2 Community License):
//   tokenizer.json.gz  Hugging Face's tokenizer.json of Llama 3 (byte-level BPE, its pre-tokenizer
//                      regex, ignore_merges, the 256 special tokens, <|begin_of_text|> first)
//   reference.json     a few hundred varied strings and the ids llama3-tokenizer-js gives them,
//                      an implementation independent of Hugging Face's tokenizers library
// Run: cd tools/llama3_tokenizer && npm install && node build.mjs
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import llama3Tokenizer from "llama3-tokenizer-js";

const OUT = path.join("..", "..", "text", "src", "test", "resources", "llama3-tokenizer");
const SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const FIRST_SPECIAL = 128000;

const byId = llama3Tokenizer.vocabById;
const vocab = {};
for (let id = 0; id < FIRST_SPECIAL; id++) vocab[byId[id]] = id;
const merges = [...llama3Tokenizer.merges.keys()]; // in priority order
const added = [];
for (let id = FIRST_SPECIAL; id < byId.length; id++) {
  added.push({ id, content: byId[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
}
const tokenizer = {
  version: "1.0",
  truncation: null,
  padding: null,
  added_tokens: added,
  normalizer: null,
  pre_tokenizer: {
    type: "Sequence",
    pretokenizers: [
      { type: "Split", pattern: { Regex: SPLIT }, behavior: "Isolated", invert: false },
      { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
    ],
  },
  post_processor: {
    type: "Sequence",
    processors: [
      { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
      {
        type: "TemplateProcessing",
        single: [{ SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
        pair: [
          { SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } },
          { Sequence: { id: "A", type_id: 0 } },
          { SpecialToken: { id: "<|begin_of_text|>", type_id: 1 } },
          { Sequence: { id: "B", type_id: 1 } },
        ],
        special_tokens: { "<|begin_of_text|>": { id: "<|begin_of_text|>", ids: [FIRST_SPECIAL], tokens: ["<|begin_of_text|>"] } },
      },
    ],
  },
  decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: {
    type: "BPE",
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: false,
    byte_fallback: false,
    ignore_merges: true,
    vocab,
    merges,
  },
};

// Varied strings: prose, digits (split in threes), whitespace runs, contractions, unicode, code,
// special tokens in the text, and deterministic random mixes of all of them.
const fixed = [
  "Hello world", " Hello world", "hello   world", "Hello\nworld", "Hello\n\n\nworld", "\t\ttabs\tand spaces  ",
  "1234567890", "3.14159265358979", "12,345,678.90", "The year 2024 had 366 days.", "0000000",
  "I'm sure you're right, they'll've done it; we'd, he's, it's, I've", "DON'T SHOUT, IT'S LOUD",
  "naïve café résumé", "Größe straße ÄÖÜ", "Привет, мир!", "こんにちは世界", "你好，世界。", "안녕하세요",
  "مرحبا بالعالم", "שלום עולם", "🙂🙃😀 emoji 👍🏽 family 👨‍👩‍👧", "∑ ∫ √ ∞ ≈ ≠", "ǅ ǈ ǋ ǲ",
  "def f(x):\n    return x ** 2  # square\n", "for (int i = 0; i < n; i++) {\n\tsum += a[i];\n}",
  "<html><body class=\"x\">&amp;</body></html>", "SELECT * FROM t WHERE id = 42;", "a\r\nb\rc",
  "   leading spaces", "trailing spaces   ", " ", "  ", "\n", "!!!???...", "---===___***",
  "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
  "text<|eot_id|>more text<|end_of_text|>", "<|reserved_special_token_5|> reserved",
  "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nName the author of Pride and Prejudice.\n\n### Response:\nJane Austen.",
];
const pieces = [
  "the", " quick", " brown", " fox", "1", "22", "333", "4444", " ", "  ", "\n", "\t", "é", "ß", "中", "🙂",
  "'s", "'LL", "x_y", "->", "==", "()", "{}", ";", "\u00a0", "\u2003", "Ω", "ﬁ", "0.5", "-7", "$", "%",
];
let seed = 20241202;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const mixed = [];
for (let i = 0; i < 300; i++) {
  let s = "";
  const n = 1 + Math.floor(rand() * 12);
  for (let j = 0; j < n; j++) s += pieces[Math.floor(rand() * pieces.length)];
  mixed.push(s);
}
const cases = [...fixed, ...mixed].map((text) => ({ text, ids: llama3Tokenizer.encode(text, { bos: true, eos: false }) }));

fs.mkdirSync(OUT, { recursive: true });
fs.writeFileSync(path.join(OUT, "tokenizer.json.gz"), zlib.gzipSync(JSON.stringify(tokenizer), { level: 9 }));
fs.writeFileSync(path.join(OUT, "reference.json"), JSON.stringify({ about: "ids of llama3-tokenizer-js 1.2.0, <|begin_of_text|> first", cases }, null, 1));
console.log(`wrote ${cases.length} cases and a vocabulary of ${byId.length} tokens to ${OUT}`);
