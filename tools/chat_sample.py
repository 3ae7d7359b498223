"""Builds the bundled chat sample, dataset-service/src/main/resources/datasets/chat-sample.jsonl.

Conversations made from the book's chapter-7 entries (instruction-data.json, Apache License 2.0):
every fifth entry is a user turn (its instruction, its input after a blank line) answered by its
output; every other conversation has a system prompt, and every third a second exchange from the
next entry. 220 rows of OpenAI-style messages, one JSON object a line. Run from the repository root:

  python3 tools/chat_sample.py
"""
import json
import os

DATA = os.path.join("dataset-service", "src", "main", "resources", "datasets")


def user_turn(entry):
    text = entry["instruction"]
    if entry["input"]:
        text += "\n\n" + entry["input"]
    return {"role": "user", "content": text}


def main():
    with open(os.path.join(DATA, "instruction-data.json"), encoding="utf-8") as f:
        entries = json.load(f)
    with open(os.path.join(DATA, "chat-sample.jsonl"), "w", encoding="utf-8") as out:
        for n, i in enumerate(range(0, len(entries), 5)):
            messages = []
            if n % 2 == 0:
                messages.append({"role": "system", "content": "You are a helpful assistant. Answer briefly."})
            messages += [user_turn(entries[i]), {"role": "assistant", "content": entries[i]["output"]}]
            if n % 3 == 0 and i + 1 < len(entries):
                messages += [user_turn(entries[i + 1]), {"role": "assistant", "content": entries[i + 1]["output"]}]
            out.write(json.dumps({"messages": messages}, ensure_ascii=False) + "\n")
    print(n + 1, "conversations")


if __name__ == "__main__":
    main()
