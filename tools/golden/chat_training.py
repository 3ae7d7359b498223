"""Golden numbers for learning from conversations (issue: chat datasets and templates).

1. Targets: for the real Qwen3 and Llama 3 Instruct tokenizers and templates, each conversation's
   ids (rendered without the generation prompt) and which ids are targets: for assistant turn i,
   from the first id where the full ids and the ids of the conversation before i rendered with the
   generation prompt differ, through the template's end-of-turn token (its eos_token) that follows.
   Writes text/src/test/resources/chat-templates/targets.json.
3. DPO on conversational preference rows (tiny Qwen3, its real template): the prompt is the
   conversation rendered with the generation prompt, chosen and rejected the conversation followed
   by that assistant turn through its end-of-turn token, scored from the prompt's end; the
   notebook's masked-mean log-probabilities and loss (beta 0.1), a frozen copy as the reference,
   two AdamW steps. Writes training/src/test/resources/chat-golden/qwen3-dpo/.
2. Training: the tiny Qwen3 and Llama fixtures (models/src/test/resources/*-tiny) with the real
   templates, one batch of multi-turn rows masked as above (padded with the end-of-text id, no pad
   a target), two AdamW steps (lr 1e-3, weight decay 0.1) with transformers' own model classes in
   fp32 and PyTorch's cross-entropy over the targets. Writes
   training/src/test/resources/chat-golden/<family>/{golden.json, after-chat.safetensors}.

Run from the repository root after tools/golden/chat_templates.py:

  pip install torch transformers jinja2 safetensors
  python3 tools/golden/chat_training.py
"""
import gzip
import json
import os
import shutil
import sys
import tempfile

import torch
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast

sys.path.insert(0, os.path.dirname(__file__))
from chat_templates import CONVERSATIONS, TOOLS  # noqa: E402

TEXT_RES = os.path.join("text", "src", "test", "resources")
MODELS_RES = os.path.join("models", "src", "test", "resources")
OUT = os.path.join("training", "src", "test", "resources", "chat-golden")


def targets(tok, messages, tools=None, kwargs=None, train_on="assistant"):
    kwargs = kwargs or {}
    eot = tok.eos_token
    full = tok.apply_chat_template(messages, tools=tools, add_generation_prompt=False, tokenize=False, **kwargs)
    ids = tok.encode(full, add_special_tokens=False)
    mask = [train_on == "all"] * len(ids)
    if train_on == "all":
        return ids, mask
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        prefix = tok.apply_chat_template(messages[:i], tools=tools, add_generation_prompt=True, tokenize=False, **kwargs)
        if not full.startswith(prefix):
            raise ValueError("messages[%d]: the template renders the turns before it differently" % i)
        end_char = full.index(eot, len(prefix)) + len(eot)
        p = tok.encode(prefix, add_special_tokens=False)
        start = 0
        while start < len(ids) and start < len(p) and ids[start] == p[start]:
            start += 1
        end = len(tok.encode(full[:end_char], add_special_tokens=False))
        for k in range(start, min(end, len(ids))):
            mask[k] = True
    return ids, mask


def tokenizer_dir(tmp, name, tokenizer_json, config_json, gz=False):
    d = os.path.join(tmp, name)
    os.makedirs(d)
    if gz:
        with gzip.open(tokenizer_json, "rb") as f, open(os.path.join(d, "tokenizer.json"), "wb") as out:
            out.write(f.read())
    else:
        shutil.copy(tokenizer_json, os.path.join(d, "tokenizer.json"))
    shutil.copy(config_json, os.path.join(d, "tokenizer_config.json"))
    return d


TARGET_CASES = [
    ("qwen3", "system_and_turns", None, {}, "assistant"),
    ("qwen3", "complete", None, {}, "assistant"),
    ("qwen3", "unicode_and_spaces", None, {}, "assistant"),
    ("qwen3", "thinking", None, {}, "assistant"),
    ("qwen3", "tool_calls", "tools", {}, "assistant"),
    ("qwen3", "thinking", None, {"enable_thinking": False}, "assistant"),
    ("qwen3", "system_and_turns", None, {}, "all"),
    ("llama3", "system_and_turns", None, {}, "assistant"),
    ("llama3", "complete", None, {}, "assistant"),
    ("llama3", "unicode_and_spaces", None, {}, "assistant"),
    ("llama3", "thinking", None, {}, "assistant"),
]

TRAIN_ROWS = [
    [{"role": "user", "content": "Sky?"},
     {"role": "assistant", "content": "Blue."},
     {"role": "user", "content": "Grass?"},
     {"role": "assistant", "content": "Green."}],
    [{"role": "user", "content": "Say hi."},
     {"role": "assistant", "content": "Hi!"}],
    [{"role": "user", "content": "2+2?"},
     {"role": "assistant", "content": "4"},
     {"role": "user", "content": "3+3?"},
     {"role": "assistant", "content": "6."}],
    [{"role": "system", "content": "Be kind."},
     {"role": "user", "content": "Thanks!"},
     {"role": "assistant", "content": "Welcome."}],
]


def train(name, fixture, config_json, tmp):
    d = os.path.join(tmp, "model-" + name)
    shutil.copytree(os.path.join(MODELS_RES, fixture), d)
    out = os.path.join(OUT, name)
    os.makedirs(out, exist_ok=True)
    # the real template and its special tokens, without the real vocabulary's added tokens (the
    # tiny tokenizer has its own ids): written beside the golden numbers for the Java test
    with open(config_json, encoding="utf-8") as f:
        real = json.load(f)
    reduced = {k: real[k] for k in ("chat_template", "bos_token", "eos_token", "pad_token") if k in real}
    with open(os.path.join(out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(reduced, f, indent=1, ensure_ascii=False)
    shutil.copy(os.path.join(out, "tokenizer_config.json"), os.path.join(d, "tokenizer_config.json"))
    tok = PreTrainedTokenizerFast.from_pretrained(d)
    model = AutoModelForCausalLM.from_pretrained(d, torch_dtype=torch.float32, attn_implementation="eager")
    items = [targets(tok, row) for row in TRAIN_ROWS]
    assert max(len(ids) for ids, _ in items) - 1 <= model.config.max_position_embeddings, [len(i) for i, _ in items]
    pad = 0
    length = max(len(ids) for ids, _ in items) - 1
    inputs, labels = [], []
    for ids, mask in items:
        x = ids[:-1] + [pad] * (length - (len(ids) - 1))
        y = [ids[k] if mask[k] else -100 for k in range(1, len(ids))] + [-100] * (length - (len(ids) - 1))
        inputs.append(x)
        labels.append(y)
    x = torch.tensor(inputs)
    y = torch.tensor(labels)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
    losses = []
    model.train()
    for _ in range(2):
        optimizer.zero_grad()
        logits = model(x).logits
        loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten(), ignore_index=-100)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    if model.config.tie_word_embeddings:
        state.pop("lm_head.weight", None)
    save_file(state, os.path.join(out, "after-chat.safetensors"))
    with open(os.path.join(out, "golden.json"), "w", encoding="utf-8") as f:
        json.dump({"about": "tools/golden/chat_training.py", "rows": TRAIN_ROWS,
                   "items": [{"ids": ids, "targets": mask} for ids, mask in items],
                   "lr": 1e-3, "weight_decay": 0.1, "losses": losses}, f, indent=1, ensure_ascii=False)
    print(name, "losses", losses)


PREF_ROWS = [
    ([{"role": "user", "content": "Sky?"}],
     {"role": "assistant", "content": "Blue."}, {"role": "assistant", "content": "No idea."}),
    ([{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Thanks!"}],
     {"role": "assistant", "content": "Welcome."}, {"role": "assistant", "content": "Whatever."}),
    ([{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"},
      {"role": "user", "content": "3+3?"}],
     {"role": "assistant", "content": "6."}, {"role": "assistant", "content": "7."}),
    ([{"role": "user", "content": "Hi"}],
     {"role": "assistant", "content": "Hello!"}, {"role": "assistant", "content": "Go."}),
]


def answered(tok, messages, answer):
    eot = tok.eos_token
    prompt = tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    full = tok.apply_chat_template(messages + [answer], add_generation_prompt=False, tokenize=False)
    assert full.startswith(prompt)
    end = full.index(eot, len(prompt)) + len(eot)
    p = tok.encode(prompt, add_special_tokens=False)
    sequence = tok.encode(full[:end], add_special_tokens=False)
    assert sequence[: len(p)] == p
    return p, sequence


def logprobs(logits, labels, mask):
    # the DPO notebook's compute_logprobs with its selection mask
    labels = labels[:, 1:].clone()
    logits = logits[:, :-1, :]
    selected = torch.gather(torch.nn.functional.log_softmax(logits, dim=-1), -1, labels.unsqueeze(-1)).squeeze(-1)
    mask = mask[:, 1:].clone()
    return (selected * mask).sum(-1) / mask.sum(-1)


def dpo(tmp):
    name = "qwen3-dpo"
    d = os.path.join(tmp, "model-" + name)
    shutil.copytree(os.path.join(MODELS_RES, "qwen3-tiny"), d)
    shutil.copy(os.path.join(OUT, "qwen3", "tokenizer_config.json"), os.path.join(d, "tokenizer_config.json"))
    tok = PreTrainedTokenizerFast.from_pretrained(d)
    policy = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32, attn_implementation="eager")
    reference = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32, attn_implementation="eager")
    reference.eval()
    items = []
    for messages, chosen, rejected in PREF_ROWS:
        p, c = answered(tok, messages, chosen)
        _, r = answered(tok, messages, rejected)
        items.append({"prompt": p, "chosen": c, "rejected": r})
    pad = 0
    longest = max(max(len(i["chosen"]), len(i["rejected"])) + 1 for i in items)
    batch = {}
    for key in ("chosen", "rejected"):
        ids, masks = [], []
        for i in items:
            seq = i[key]
            ids.append(seq + [pad] * (longest - len(seq)))
            mask = [False] * longest
            for k in range(len(i["prompt"]), len(seq)):
                mask[k] = True
            masks.append(mask)
        batch[key] = torch.tensor(ids)
        batch[key + "_mask"] = torch.tensor(masks)
    beta = 0.1
    optimizer = torch.optim.AdamW(policy.parameters(), lr=1e-3, weight_decay=0.1)
    losses, chosen_rewards, rejected_rewards = [], [], []
    policy.train()
    for _ in range(2):
        optimizer.zero_grad()
        pc = logprobs(policy(batch["chosen"]).logits, batch["chosen"], batch["chosen_mask"])
        pr = logprobs(policy(batch["rejected"]).logits, batch["rejected"], batch["rejected_mask"])
        with torch.no_grad():
            rc = logprobs(reference(batch["chosen"]).logits, batch["chosen"], batch["chosen_mask"])
            rr = logprobs(reference(batch["rejected"]).logits, batch["rejected"], batch["rejected_mask"])
        loss = -torch.nn.functional.logsigmoid(beta * ((pc - pr) - (rc - rr))).mean()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        chosen_rewards.append(((pc - rc) * beta).mean().item())
        rejected_rewards.append(((pr - rr) * beta).mean().item())
    out = os.path.join(OUT, name)
    os.makedirs(out, exist_ok=True)
    state = {k: v.detach().contiguous() for k, v in policy.state_dict().items()}
    if policy.config.tie_word_embeddings:
        state.pop("lm_head.weight", None)
    save_file(state, os.path.join(out, "after-dpo.safetensors"))
    with open(os.path.join(out, "golden.json"), "w", encoding="utf-8") as f:
        json.dump({"about": "tools/golden/chat_training.py",
                   "rows": [{"messages": m, "chosen": c, "rejected": r} for m, c, r in PREF_ROWS],
                   "items": items, "beta": beta, "lr": 1e-3, "weight_decay": 0.1, "losses": losses,
                   "chosenRewards": chosen_rewards, "rejectedRewards": rejected_rewards},
                  f, indent=1, ensure_ascii=False)
    print(name, "losses", losses)


def main():
    torch.manual_seed(0)
    qwen_config = os.path.join(TEXT_RES, "qwen3-tokenizer", "tokenizer_config.json")
    llama_config = os.path.join(TEXT_RES, "llama3-tokenizer", "tokenizer_config.json")
    with tempfile.TemporaryDirectory() as tmp:
        toks = {
            "qwen3": PreTrainedTokenizerFast.from_pretrained(tokenizer_dir(
                tmp, "qwen3", os.path.join(TEXT_RES, "qwen3-tokenizer", "tokenizer.json.gz"), qwen_config, gz=True)),
            "llama3": PreTrainedTokenizerFast.from_pretrained(tokenizer_dir(
                tmp, "llama3", os.path.join(TEXT_RES, "llama3-tokenizer", "tokenizer.json.gz"), llama_config, gz=True)),
        }
        cases = []
        for template, conversation, tools, kwargs, train_on in TARGET_CASES:
            case = {"template": template, "conversation": conversation, "messages": CONVERSATIONS[conversation],
                    "tools": TOOLS if tools else None, "chat_template_kwargs": kwargs, "train_on": train_on}
            try:
                case["ids"], case["targets"] = targets(
                    toks[template], CONVERSATIONS[conversation], TOOLS if tools else None, kwargs, train_on)
            except ValueError as e:
                case["unusable"] = str(e)  # the Java side refuses the row too
            cases.append(case)
        with open(os.path.join(TEXT_RES, "chat-templates", "targets.json"), "w", encoding="utf-8") as f:
            json.dump({"about": "tools/golden/chat_training.py", "cases": cases}, f, indent=1, ensure_ascii=False)
        print(len(cases), "target cases")
        train("qwen3", "qwen3-tiny", qwen_config, tmp)
        train("llama", "llama-tiny", llama_config, tmp)
        dpo(tmp)


if __name__ == "__main__":
    main()
