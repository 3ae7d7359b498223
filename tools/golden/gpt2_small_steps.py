"""Per-step losses of the book's chapter-7 finetuning at gpt2-small size, from PyTorch.

The book's train_model_simple over its InstructionDataset and custom_collate_fn (pad 50256, targets
-100 after the first end-of-text, allowed_max_length 1024), written out again below, on a random
GPT-2 of gpt2-small's shape (Hugging Face's GPT2LMHeadModel with its own init, seed 123, the head
untied as the book's GPTModel keeps it); AdamW lr 5e-5, weight decay 0.1; batch 8 of the book's
first training entries in order (no shuffle); 20 fp32 steps. Records each step's loss before the
update and, after the last step, the loss of the first validation batch.

Two initialisations: "hf" (Hugging Face's, normal with std 0.02) and "book" (the book's GPTModel's
PyTorch defaults: embeddings N(0, 1), every linear layer and the head Kaiming-uniform with uniform
biases, LayerNorm scale 1 and shift 0), whose larger weights make the first steps far more
sensitive to rounding. The weights (config.json, model.safetensors: 650 MB) go to the directory
given, not into the repository; the numbers to
training/src/test/resources/gpt2-small-steps/golden-<init>.json. The Java side
is the training module's FidelityBenchmark (scripts/benchmark.sh fidelity), which reads both. Run from the
repository root (development only):
  pip install torch transformers tiktoken safetensors
  python3 tools/golden/gpt2_small_steps.py target/fidelity/gpt2-small-hf hf [threads]
  python3 tools/golden/gpt2_small_steps.py target/fidelity/gpt2-small-book book [threads]
"""

import json
import os
import sys

import torch
from transformers import GPT2Config, GPT2LMHeadModel

sys.path.insert(0, os.path.dirname(__file__))
from dpo import format_input, gpt2_tokenizer  # noqa: E402  (the notebook's Alpaca prompt)

DATA = os.path.join("dataset-service", "src", "main", "resources", "datasets", "instruction-data.json")
OUT = os.path.join("training", "src", "test", "resources", "gpt2-small-steps", "golden-{}.json")
PAD = 50256
BATCH = 8
STEPS = 20
ALLOWED_MAX_LENGTH = 1024


def training_text(entry):
    return format_input(entry) + f"\n\n### Response:\n{entry['output']}"


def collate(batch):
    """The book's custom_collate_fn."""
    longest = max(len(item) + 1 for item in batch)
    inputs, targets = [], []
    for item in batch:
        new_item = item.copy() + [PAD]
        padded = new_item + [PAD] * (longest - len(new_item))
        x = torch.tensor(padded[:-1])
        y = torch.tensor(padded[1:])
        mask = y == PAD
        indices = torch.nonzero(mask).squeeze()
        if indices.numel() > 1:
            y[indices[1:]] = -100
        inputs.append(x[:ALLOWED_MAX_LENGTH])
        targets.append(y[:ALLOWED_MAX_LENGTH])
    return torch.stack(inputs), torch.stack(targets)


def loss_of(model, x, y):
    logits = model(x).logits
    return torch.nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten())


def book_init(model):
    """What torch gives the book's GPTModel: nn.Embedding, nn.Linear and nn.LayerNorm defaults."""
    import math
    with torch.no_grad():
        torch.nn.init.normal_(model.transformer.wte.weight)
        torch.nn.init.normal_(model.transformer.wpe.weight)
        for module in model.modules():
            if isinstance(module, torch.nn.LayerNorm):
                torch.nn.init.ones_(module.weight)
                torch.nn.init.zeros_(module.bias)
        # GPT-2's Conv1D keeps its weight as (in, out): the Linear's (out, in), transposed
        for block in model.transformer.h:
            for conv in (block.attn.c_attn, block.attn.c_proj, block.mlp.c_fc, block.mlp.c_proj):
                fan_in, fan_out = conv.weight.shape
                w = torch.empty(fan_out, fan_in)
                torch.nn.init.kaiming_uniform_(w, a=math.sqrt(5))
                conv.weight.copy_(w.t())
                bound = 1 / math.sqrt(fan_in)
                torch.nn.init.uniform_(conv.bias, -bound, bound)
        torch.nn.init.kaiming_uniform_(model.lm_head.weight, a=math.sqrt(5))


def main():
    weights_dir = sys.argv[1]
    init = sys.argv[2] if len(sys.argv) > 2 else "hf"
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else torch.get_num_threads()
    torch.set_num_threads(threads)
    torch.manual_seed(123)
    config = GPT2Config(
        vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12,
        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, tie_word_embeddings=False,
        activation_function="gelu_new", layer_norm_epsilon=1e-5)
    model = GPT2LMHeadModel(config)
    model.lm_head.weight = torch.nn.Parameter(model.transformer.wte.weight.detach().clone())
    if init == "book":
        book_init(model)
    os.makedirs(weights_dir, exist_ok=True)
    model.save_pretrained(weights_dir, safe_serialization=True)

    tokenizer = gpt2_tokenizer()
    with open(DATA) as f:
        data = json.load(f)
    train = data[: int(len(data) * 0.85)]
    validation = data[int(len(data) * 0.85) + int(len(data) * 0.1):]
    encoded = [tokenizer.encode(training_text(e)) for e in train]
    held_out = collate([tokenizer.encode(training_text(e)) for e in validation[:BATCH]])

    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.1)
    model.train()
    losses = []
    for step in range(STEPS):
        x, y = collate(encoded[step * BATCH:(step + 1) * BATCH])
        optimizer.zero_grad()
        loss = loss_of(model, x, y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        print(f"step {step + 1}: {loss.item():.6f}", flush=True)
    model.eval()
    with torch.no_grad():
        held = loss_of(model, *held_out).item()
    print(f"held-out batch after {STEPS} steps: {held:.6f}")
    out = OUT.format(init)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump({
            "torch": torch.__version__,
            "threads": threads,
            "init": init,
            "settings": {"batchSize": BATCH, "steps": STEPS, "lr": 5e-5, "weightDecay": 0.1,
                         "seed": 123, "allowedMaxLength": ALLOWED_MAX_LENGTH},
            "stepLosses": losses,
            "heldOutLoss": held,
        }, f, indent=1)


if __name__ == "__main__":
    main()
