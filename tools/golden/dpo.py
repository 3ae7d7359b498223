"""Golden numbers for preference tuning (DPO), from the book's notebook code.

The notebook is ch07/04_preference-tuning-with-dpo/dpo-from-scratch.ipynb of the book's repository:
its PreferenceDataset, custom_collate_fn (one padded length for chosen and rejected, the prompt and
the two newlines before "### Response" masked), compute_logprobs (the masked mean), compute_dpo_loss
(-logsigmoid(beta * ...), rewards without beta) and train_model_dpo_simple (backward, step,
tokens_seen += chosen.numel(), global_step from -1, evaluation every eval_freq steps over eval_iter
batches of train and validation), written out again below. The model is the tiny GPT-2 of
the golden tests (gpt2-tiny/, its output head untied as the book's GPTModel keeps it) through
Hugging Face's GPT2LMHeadModel, checked against that fixture's own logits first; the policy starts
as it and the reference is a frozen copy. The tokenizer is tiktoken's gpt2 encoding over the
r50k_base ranks that jtokkit bundles (no download).

The loaders are not shuffled here (the notebook shuffles the training loader with torch's
generator, which the Java loader does not reproduce); everything else is the notebook's.

Writes training/src/test/resources/dpo-golden/golden.json. Run from the repository root:
  pip install torch transformers tiktoken
  python3 tools/golden/dpo.py
"""

import glob
import json
import os
import zipfile

import tiktoken
import torch
import torch.nn.functional as F
from tiktoken.load import load_tiktoken_bpe
from transformers import GPT2LMHeadModel

FIXTURE = os.path.join("models", "src", "test", "resources", "gpt2-tiny")
OUT = os.path.join("training", "src", "test", "resources", "dpo-golden")
DATA = os.path.join("dataset-service", "src", "main", "resources", "datasets", "instruction-data-with-preference.json")
PAD = 50256


def gpt2_tokenizer():
    jars = glob.glob(os.path.expanduser("~/.m2/repository/com/knuddels/jtokkit/*/jtokkit-*.jar"))
    path = "/tmp/r50k_base.tiktoken"
    with zipfile.ZipFile(sorted(jars)[-1]) as z, open(path, "wb") as f:
        f.write(z.read("com/knuddels/jtokkit/r50k_base.tiktoken"))
    return tiktoken.Encoding(
        name="gpt2",
        pat_str=r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""",
        mergeable_ranks=load_tiktoken_bpe(path),
        special_tokens={"<|endoftext|>": PAD},
    )


def format_input(entry):
    instruction_text = (
        "Below is an instruction that describes a task. "
        "Write a response that appropriately completes the request."
        f"\n\n### Instruction:\n{entry['instruction']}"
    )
    input_text = f"\n\n### Input:\n{entry['input']}" if entry["input"] else ""
    return instruction_text + input_text


def encode(data, tokenizer):
    encoded = []
    for entry in data:
        prompt = format_input(entry)
        encoded.append(
            {
                "prompt": tokenizer.encode(prompt),
                "chosen": tokenizer.encode(f"{prompt}\n\n### Response:\n{entry['chosen']}"),
                "rejected": tokenizer.encode(f"{prompt}\n\n### Response:\n{entry['rejected']}"),
            }
        )
    return encoded


def collate(batch, allowed_max_length):
    out = {"chosen": [], "rejected": [], "chosen_mask": [], "rejected_mask": []}
    longest = max(max(len(item[k]) + 1 for item in batch) for k in ("chosen", "rejected"))
    for item in batch:
        for key in ("chosen", "rejected"):
            sequence = item[key]
            padded = sequence + [PAD] * (longest - len(sequence))
            mask = torch.ones(len(padded)).bool()
            mask[len(sequence) :] = False
            mask[: len(item["prompt"]) + 2] = False
            out[key].append(torch.tensor(padded))
            out[f"{key}_mask"].append(mask)
    return {k: torch.stack(v)[:, :allowed_max_length] for k, v in out.items()}


def batches(encoded, batch_size, drop_last, allowed_max_length):
    end = len(encoded) - len(encoded) % batch_size if drop_last else len(encoded)
    return [collate(encoded[i : i + batch_size], allowed_max_length) for i in range(0, end, batch_size)]


def logprobs(logits, labels, mask):
    labels = labels[:, 1:].clone()
    logits = logits[:, :-1, :]
    selected = torch.gather(F.log_softmax(logits, dim=-1), -1, labels.unsqueeze(-1)).squeeze(-1)
    mask = mask[:, 1:].clone()
    return (selected * mask).sum(-1) / mask.sum(-1)


def dpo_loss(pc, pr, rc, rr, beta):
    logits = (pc - pr) - (rc - rr)
    losses = -F.logsigmoid(beta * logits)
    return losses.mean(), (pc - rc).detach().mean(), (pr - rr).detach().mean()


def batch_loss(batch, policy, reference, beta):
    pc = logprobs(policy(batch["chosen"]).logits, batch["chosen"], batch["chosen_mask"])
    pr = logprobs(policy(batch["rejected"]).logits, batch["rejected"], batch["rejected_mask"])
    with torch.no_grad():
        rc = logprobs(reference(batch["chosen"]).logits, batch["chosen"], batch["chosen_mask"])
        rr = logprobs(reference(batch["rejected"]).logits, batch["rejected"], batch["rejected_mask"])
    return dpo_loss(pc, pr, rc, rr, beta)


def loader_loss(loader, policy, reference, beta, num_batches):
    num_batches = min(num_batches, len(loader))
    totals = [0.0, 0.0, 0.0]
    for batch in loader[:num_batches]:
        for i, v in enumerate(batch_loss(batch, policy, reference, beta)):
            totals[i] += v.item()
    return [t / num_batches for t in totals]


def evaluate(policy, reference, train, val, beta, eval_iter):
    policy.eval()
    with torch.no_grad():
        t = loader_loss(train, policy, reference, beta, eval_iter)
        v = loader_loss(val, policy, reference, beta, eval_iter)
    policy.train()
    return {
        "trainLoss": t[0],
        "trainChosenReward": t[1],
        "trainRejectedReward": t[2],
        "valLoss": v[0],
        "valChosenReward": v[1],
        "valRejectedReward": v[2],
    }


def tiny_gpt2():
    model = GPT2LMHeadModel.from_pretrained(FIXTURE, tie_word_embeddings=False, attn_implementation="eager")
    with torch.no_grad():
        model.lm_head.weight.copy_(model.transformer.wte.weight)
    golden = json.load(open(os.path.join(FIXTURE, "golden.json")))
    with torch.no_grad():
        last = model(torch.tensor([golden["prompt_ids"]])).logits[0, -1]
    diff = (last[:8] - torch.tensor(golden["last_logits"]["first8"])).abs().max().item()
    assert diff < 1e-4, f"GPT2LMHeadModel does not compute the fixture's logits: {diff}"
    return model


def main():
    torch.set_num_threads(2)
    tokenizer = gpt2_tokenizer()
    settings = {"beta": 0.1, "lr": 5e-4, "weightDecay": 0.01, "batchSize": 4, "evalFreq": 2, "evalIter": 2, "epochs": 2}
    context = 96
    data = [e for e in json.load(open(DATA, encoding="utf-8"))]
    fits = [e for e, t in zip(data, encode(data, tokenizer)) if max(len(t["chosen"]), len(t["rejected"])) + 1 <= context]
    train_data, val_data = fits[:18], fits[18:24]
    train = batches(encode(train_data, tokenizer), settings["batchSize"], True, context)
    val = batches(encode(val_data, tokenizer), settings["batchSize"], False, context)
    first_two = collate(encode(data[:2], tokenizer), 1024)

    policy = tiny_gpt2()
    reference = tiny_gpt2()
    reference.eval()
    for p in reference.parameters():
        p.requires_grad = False
    initial = evaluate(policy, reference, train, val, settings["beta"], settings["evalIter"])

    optimizer = torch.optim.AdamW(policy.parameters(), lr=settings["lr"], weight_decay=settings["weightDecay"])
    tokens_seen, global_step = 0, -1
    evaluations, step_losses = [], []
    for epoch in range(settings["epochs"]):
        policy.train()
        for batch in train:
            optimizer.zero_grad()
            loss, _, _ = batch_loss(batch, policy, reference, settings["beta"])
            loss.backward()
            optimizer.step()
            step_losses.append(loss.item())
            tokens_seen += batch["chosen"].numel()
            global_step += 1
            if global_step % settings["evalFreq"] == 0:
                res = evaluate(policy, reference, train, val, settings["beta"], settings["evalIter"])
                evaluations.append({"step": global_step, "epoch": epoch + 1, "tokensSeen": tokens_seen, **res})

    # The attention's key bias has a zero gradient in exact arithmetic (softmax is shift-invariant
    # per row): AdamW turns its float noise into updates, so two correct implementations disagree
    # there. Its third of c_attn.bias is left out of the comparison.
    weights = {}
    width = policy.config.n_embd
    for name, p in policy.named_parameters():
        key = name.removeprefix("transformer.")
        v = p.detach().flatten()
        if key.endswith("attn.c_attn.bias"):
            v = torch.cat([v[:width], v[2 * width :]])
        weights[key] = {"sum": v.sum().item(), "absSum": v.abs().sum().item(), "first4": v[:4].tolist()}

    os.makedirs(OUT, exist_ok=True)
    golden = {
        "about": "the DPO notebook's numbers on gpt2-tiny (tools/golden/dpo.py); loaders not shuffled",
        "settings": {**settings, "allowedMaxLength": context},
        "train": train_data,
        "validation": val_data,
        "collateFirstTwo": {k: v.int().tolist() for k, v in first_two.items()},
        "collateFirstTwoEntries": data[:2],
        "initial": initial,
        "stepLosses": step_losses,
        "evaluations": evaluations,
        "tokensSeen": tokens_seen,
        "finalWeights": weights,
    }
    with open(os.path.join(OUT, "golden.json"), "w", encoding="utf-8") as f:
        json.dump(golden, f, indent=1, ensure_ascii=False)
    print(f"{len(step_losses)} steps, {len(evaluations)} evaluations, initial {initial}")


if __name__ == "__main__":
    main()
