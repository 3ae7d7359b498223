"""Golden numbers for the Llama 3.2 and Qwen3 families, from the book's own classes.

The model code below is the book's: `Llama3Model` of ch05/07_gpt_to_llama (standalone Llama 3.2)
and `Qwen3Model` of ch05/11_qwen3 (standalone Qwen3), with their RMSNorm, SwiGLU feed-forward,
grouped-query attention (repeat_interleave) and rotate-half RoPE (with Llama 3's frequency
scaling). Tiny random models are written in the Hugging Face layout (what `LlamaForCausalLM` and
`Qwen3ForCausalLM` read), and the script checks that transformers computes the same logits from
those files, so the key names and the RoPE convention are the ones Hugging Face expects.

For each family it writes, under models/src/test/resources/<family>-tiny/:
  config.json, model.safetensors            the random model (fp32)
  golden.json                               logits, greedy tokens, a padded batch's loss,
                                            AdamW losses (full finetune and LoRA)
  after-adamw.safetensors                   every weight after the full-finetune steps
  lora-init.safetensors                     the LoRA A matrices PyTorch drew (B starts at zero)
  after-lora.safetensors                    the adapters after the LoRA steps
and for Llama also llama-tiny-bf16-sharded/ (the same weights in BF16, two shards and an index).

Run from the repository root (development only; nothing at run time needs Python):
  pip install torch safetensors transformers
  python3 tools/golden/llama_family.py
"""

import json
import math
import os

import torch
import torch.nn as nn
from safetensors.torch import save_file

OUT = os.path.join("models", "src", "test", "resources")


# ---- the book's classes (ch05/07_gpt_to_llama, ch05/11_qwen3) -----------------------------------


class FeedForward(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.fc1 = nn.Linear(cfg["emb_dim"], cfg["hidden_dim"], bias=False)
        self.fc2 = nn.Linear(cfg["emb_dim"], cfg["hidden_dim"], bias=False)
        self.fc3 = nn.Linear(cfg["hidden_dim"], cfg["emb_dim"], bias=False)

    def forward(self, x):
        return self.fc3(nn.functional.silu(self.fc1(x)) * self.fc2(x))


class RMSNorm(nn.Module):
    """Qwen3's RMSNorm of the book (computes in fp32); equal to nn.RMSNorm for fp32 inputs."""

    def __init__(self, emb_dim, eps):
        super().__init__()
        self.eps = eps
        self.scale = nn.Parameter(torch.ones(emb_dim))

    def forward(self, x):
        input_dtype = x.dtype
        x = x.to(torch.float32)
        variance = x.pow(2).mean(dim=-1, keepdim=True)
        norm_x = x * torch.rsqrt(variance + self.eps)
        return (norm_x * self.scale).to(input_dtype)


def compute_rope_params(head_dim, theta_base, context_length, freq_config=None):
    inv_freq = 1.0 / (
        theta_base ** (torch.arange(0, head_dim, 2, dtype=torch.float32)[: head_dim // 2].float() / head_dim)
    )
    if freq_config is not None:
        low_freq_wavelen = freq_config["original_context_length"] / freq_config["low_freq_factor"]
        high_freq_wavelen = freq_config["original_context_length"] / freq_config["high_freq_factor"]
        wavelen = 2 * torch.pi / inv_freq
        inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / freq_config["factor"], inv_freq)
        smooth_factor = (freq_config["original_context_length"] / wavelen - freq_config["low_freq_factor"]) / (
            freq_config["high_freq_factor"] - freq_config["low_freq_factor"]
        )
        smoothed_inv_freq = (1 - smooth_factor) * (inv_freq / freq_config["factor"]) + smooth_factor * inv_freq
        is_medium_freq = (wavelen <= low_freq_wavelen) & (wavelen >= high_freq_wavelen)
        inv_freq = torch.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama)
    positions = torch.arange(context_length, dtype=torch.float32)
    angles = positions.unsqueeze(1) * inv_freq.unsqueeze(0)
    angles = torch.cat([angles, angles], dim=1)
    return torch.cos(angles), torch.sin(angles)


def apply_rope(x, cos, sin):
    _, _, seq_len, head_dim = x.shape
    x1 = x[..., : head_dim // 2]
    x2 = x[..., head_dim // 2 :]
    cos = cos[:seq_len, :].unsqueeze(0).unsqueeze(0)
    sin = sin[:seq_len, :].unsqueeze(0).unsqueeze(0)
    rotated = torch.cat((-x2, x1), dim=-1)
    return ((x * cos) + (rotated * sin)).to(dtype=x.dtype)


class GroupedQueryAttention(nn.Module):
    def __init__(self, d_in, num_heads, num_kv_groups, head_dim, qk_norm):
        super().__init__()
        self.num_heads = num_heads
        self.num_kv_groups = num_kv_groups
        self.group_size = num_heads // num_kv_groups
        self.head_dim = head_dim
        self.d_out = num_heads * head_dim
        self.W_query = nn.Linear(d_in, self.d_out, bias=False)
        self.W_key = nn.Linear(d_in, num_kv_groups * head_dim, bias=False)
        self.W_value = nn.Linear(d_in, num_kv_groups * head_dim, bias=False)
        self.out_proj = nn.Linear(self.d_out, d_in, bias=False)
        self.q_norm = RMSNorm(head_dim, 1e-6) if qk_norm else None
        self.k_norm = RMSNorm(head_dim, 1e-6) if qk_norm else None

    def forward(self, x, mask, cos, sin):
        b, n, _ = x.shape
        q = self.W_query(x).view(b, n, self.num_heads, self.head_dim).transpose(1, 2)
        k = self.W_key(x).view(b, n, self.num_kv_groups, self.head_dim).transpose(1, 2)
        v = self.W_value(x).view(b, n, self.num_kv_groups, self.head_dim).transpose(1, 2)
        if self.q_norm is not None:
            q = self.q_norm(q)
            k = self.k_norm(k)
        q = apply_rope(q, cos, sin)
        k = apply_rope(k, cos, sin)
        k = k.repeat_interleave(self.group_size, dim=1)
        v = v.repeat_interleave(self.group_size, dim=1)
        scores = (q @ k.transpose(2, 3)).masked_fill(mask, -torch.inf)
        weights = torch.softmax(scores / self.head_dim**0.5, dim=-1)
        context = (weights @ v).transpose(1, 2).reshape(b, n, self.d_out)
        return self.out_proj(context)


class TransformerBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.att = GroupedQueryAttention(
            cfg["emb_dim"], cfg["n_heads"], cfg["n_kv_groups"], cfg["head_dim"], cfg["qk_norm"]
        )
        self.ff = FeedForward(cfg)
        self.norm1 = RMSNorm(cfg["emb_dim"], cfg["norm_eps"])
        self.norm2 = RMSNorm(cfg["emb_dim"], cfg["norm_eps"])

    def forward(self, x, mask, cos, sin):
        x = x + self.att(self.norm1(x), mask, cos, sin)
        return x + self.ff(self.norm2(x))


class DecoderModel(nn.Module):
    """Llama3Model (qk_norm False, rope freq_config) and Qwen3Model (qk_norm True) of the book."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.tok_emb = nn.Embedding(cfg["vocab_size"], cfg["emb_dim"])
        self.trf_blocks = nn.ModuleList([TransformerBlock(cfg) for _ in range(cfg["n_layers"])])
        self.final_norm = RMSNorm(cfg["emb_dim"], cfg["norm_eps"])
        self.out_head = nn.Linear(cfg["emb_dim"], cfg["vocab_size"], bias=False)
        if cfg["tied"]:
            self.out_head.weight = self.tok_emb.weight
        cos, sin = compute_rope_params(cfg["head_dim"], cfg["rope_base"], cfg["context_length"], cfg["rope_freq"])
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)

    def forward(self, idx):
        x = self.tok_emb(idx)
        n = x.shape[1]
        mask = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)
        for block in self.trf_blocks:
            x = block(x, mask, self.cos, self.sin)
        return self.out_head(self.final_norm(x))


class LoRALayer(nn.Module):
    """The book's Exercise 7.4 adapter: alpha * (x @ A @ B)."""

    def __init__(self, in_dim, out_dim, rank, alpha):
        super().__init__()
        self.A = nn.Parameter(torch.empty(in_dim, rank))
        nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))
        self.B = nn.Parameter(torch.zeros(rank, out_dim))
        self.alpha = alpha

    def forward(self, x):
        return self.alpha * (x @ self.A @ self.B)


class LinearWithLoRA(nn.Module):
    def __init__(self, linear, rank, alpha):
        super().__init__()
        self.linear = linear
        self.lora = LoRALayer(linear.in_features, linear.out_features, rank, alpha)

    def forward(self, x):
        return self.linear(x) + self.lora(x)


# ---- Hugging Face layout -------------------------------------------------------------------------

PROJECTIONS = [  # book attribute -> Hugging Face name, in the order LoRA adapts (and draws) them
    ("att.W_query", "self_attn.q_proj"),
    ("att.W_key", "self_attn.k_proj"),
    ("att.W_value", "self_attn.v_proj"),
    ("att.out_proj", "self_attn.o_proj"),
    ("ff.fc1", "mlp.gate_proj"),
    ("ff.fc2", "mlp.up_proj"),
    ("ff.fc3", "mlp.down_proj"),
]


def hf_state(model):
    cfg = model.cfg
    s = {"model.embed_tokens.weight": model.tok_emb.weight}
    for i, b in enumerate(model.trf_blocks):
        p = f"model.layers.{i}."
        s[p + "input_layernorm.weight"] = b.norm1.scale
        for attr, name in PROJECTIONS:
            s[p + name + ".weight"] = b.get_submodule(attr).weight
        if cfg["qk_norm"]:
            s[p + "self_attn.q_norm.weight"] = b.att.q_norm.scale
            s[p + "self_attn.k_norm.weight"] = b.att.k_norm.scale
        s[p + "post_attention_layernorm.weight"] = b.norm2.scale
    s["model.norm.weight"] = model.final_norm.scale
    if not cfg["tied"]:
        s["lm_head.weight"] = model.out_head.weight
    return {k: v.detach().clone().contiguous() for k, v in s.items()}


def hf_config(cfg):
    c = {
        "model_type": cfg["model_type"],
        "architectures": [cfg["architecture"]],
        "vocab_size": cfg["vocab_size"],
        "hidden_size": cfg["emb_dim"],
        "intermediate_size": cfg["hidden_dim"],
        "num_hidden_layers": cfg["n_layers"],
        "num_attention_heads": cfg["n_heads"],
        "num_key_value_heads": cfg["n_kv_groups"],
        "head_dim": cfg["head_dim"],
        "max_position_embeddings": cfg["context_length"],
        "rms_norm_eps": cfg["norm_eps"],
        "rope_theta": cfg["rope_base"],
        "hidden_act": "silu",
        "attention_bias": False,
        "mlp_bias": False,
        "tie_word_embeddings": cfg["tied"],
        "bos_token_id": cfg["bos"],
        "eos_token_id": cfg["eos"],
        "torch_dtype": "float32",
    }
    if cfg["rope_freq"] is not None:
        f = cfg["rope_freq"]
        c["rope_scaling"] = {  # Hugging Face's names for the book's freq_config
            "rope_type": "llama3",
            "factor": f["factor"],
            "low_freq_factor": f["low_freq_factor"],
            "high_freq_factor": f["high_freq_factor"],
            "original_max_position_embeddings": f["original_context_length"],
        }
    return c


def collate(items, pad, context):
    """The book's custom_collate_fn: pad with end-of-text + 1, shift, -100 after the first pad."""
    longest = max(len(i) + 1 for i in items)
    inputs, targets = [], []
    for item in items:
        padded = item + [pad] + [pad] * (longest - len(item) - 1)
        x = torch.tensor(padded[:-1])
        y = torch.tensor(padded[1:])
        idx = torch.nonzero(y == pad).squeeze()
        if idx.numel() > 1:
            y[idx[1:]] = -100
        inputs.append(x[:context])
        targets.append(y[:context])
    return torch.stack(inputs), torch.stack(targets)


def generate_greedy(model, idx, max_new_tokens, context_size):
    """The book's generate (chapter 5) with greedy decoding and no end-of-text stop."""
    for _ in range(max_new_tokens):
        with torch.no_grad():
            logits = model(idx[:, -context_size:])[:, -1, :]
        idx = torch.cat((idx, torch.argmax(logits, dim=-1, keepdim=True)), dim=1)
    return idx


def loss_of(model, inputs, targets):
    logits = model(inputs)
    return nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten())


def check_against_transformers(directory, model, ids):
    """Hugging Face transformers must read the files as the book's class computes."""
    from transformers import AutoModelForCausalLM

    hf = AutoModelForCausalLM.from_pretrained(directory, dtype=torch.float32, attn_implementation="eager")
    hf.eval()
    with torch.no_grad():
        diff = (hf(ids).logits - model(ids)).abs().max().item()
    assert diff < 1e-4, f"transformers disagrees with the book's class on {directory}: {diff}"
    return diff


def fresh(cfg):
    """The random model: seed 123, norm scales random too (a scale read from the wrong place shows)."""
    torch.manual_seed(123)
    model = DecoderModel(cfg)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, RMSNorm):
                m.scale.uniform_(0.5, 1.5)
    return model.eval()


def family(name, cfg, lr, lora_rank, lora_alpha):
    model = fresh(cfg)
    directory = os.path.join(OUT, name)
    os.makedirs(directory, exist_ok=True)
    save_file(hf_state(model), os.path.join(directory, "model.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(hf_config(cfg), f, indent=2)

    gen = torch.Generator().manual_seed(7)
    prompt = torch.randint(0, cfg["vocab_size"] - 1, (1, 24), generator=gen)
    transformers_diff = check_against_transformers(directory, model, prompt)
    with torch.no_grad():
        last = model(prompt)[0, -1]
    greedy = generate_greedy(model, prompt, 20, cfg["context_length"])[0, prompt.shape[1] :]

    eos = cfg["eos"] if isinstance(cfg["eos"], int) else cfg["eos"][0]
    items = [torch.randint(0, cfg["vocab_size"] - 1, (n,), generator=gen).tolist() for n in (11, 7, 9)]
    inputs, targets = collate(items, eos, cfg["context_length"])
    with torch.no_grad():
        batch_loss = loss_of(model, inputs, targets).item()

    # full finetune: the book's loop, AdamW over every parameter (the tied one once)
    start = hf_state(model)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.1)
    adamw_losses = []
    for _ in range(4):
        optimizer.zero_grad()
        loss = loss_of(model, inputs, targets)
        loss.backward()
        optimizer.step()
        adamw_losses.append(loss.item())
    save_file(hf_state(model), os.path.join(directory, "after-adamw.safetensors"))

    # LoRA: the book's replace_linear_with_lora on every block projection (not the head), over the
    # saved random weights, the base frozen
    lora_model = fresh(cfg)
    for p in lora_model.parameters():
        p.requires_grad = False
    torch.manual_seed(321)
    init, adapters = {}, []
    for i, block in enumerate(lora_model.trf_blocks):
        for attr, hf_name in PROJECTIONS:
            parent_name, child = attr.split(".")
            parent = block.get_submodule(parent_name)
            wrapped = LinearWithLoRA(getattr(parent, child), lora_rank, lora_alpha)
            setattr(parent, child, wrapped)
            key = f"model.layers.{i}.{hf_name}"
            init[key + ".lora_A"] = wrapped.lora.A.detach().clone()
            adapters.append((key, wrapped.lora))
    save_file(init, os.path.join(directory, "lora-init.safetensors"))
    lora_params = [p for _, l in adapters for p in (l.A, l.B)]
    optimizer = torch.optim.AdamW(lora_params, lr=lr, weight_decay=0.1)
    lora_losses = []
    for _ in range(4):
        optimizer.zero_grad()
        loss = loss_of(lora_model, inputs, targets)
        loss.backward()
        optimizer.step()
        lora_losses.append(loss.item())
    after = {}
    for key, l in adapters:
        after[key + ".lora_A"] = l.A.detach().clone()
        after[key + ".lora_B"] = l.B.detach().clone()
    save_file(after, os.path.join(directory, "after-lora.safetensors"))

    golden = {
        "about": f"Golden numbers of the book's {cfg['architecture']}-equivalent class (tools/golden/llama_family.py); "
        f"transformers gives the same logits from these files (max difference {transformers_diff:.2e}).",
        "prompt_ids": prompt[0].tolist(),
        "last_logits": {
            "first8": last[:8].tolist(),
            "argmax": int(last.argmax()),
            "max": last.max().item(),
            "mean": last.mean().item(),
        },
        "greedy_20": greedy.tolist(),
        "batch": {
            "items": items,
            "pad": eos,
            "inputs": inputs.tolist(),
            "targets": targets.tolist(),
            "loss": batch_loss,
        },
        "adamw": {"lr": lr, "weight_decay": 0.1, "losses": adamw_losses},
        "lora": {"rank": lora_rank, "alpha": lora_alpha, "lr": lr, "weight_decay": 0.1, "losses": lora_losses},
    }
    with open(os.path.join(directory, "golden.json"), "w") as f:
        json.dump(golden, f, indent=2)
    return start


def bf16_sharded(name, state, cfg):
    """The same weights as BF16 in two shards with a model.safetensors.index.json."""
    directory = os.path.join(OUT, name)
    os.makedirs(directory, exist_ok=True)
    keys = list(state.keys())
    half = len(keys) // 2
    shards = {"model-00001-of-00002.safetensors": keys[:half], "model-00002-of-00002.safetensors": keys[half:]}
    weight_map = {}
    for file, names in shards.items():
        save_file({k: state[k].to(torch.bfloat16) for k in names}, os.path.join(directory, file), metadata={"format": "pt"})
        weight_map.update({k: file for k in names})
    with open(os.path.join(directory, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f, indent=2)
    config = hf_config(cfg)
    config["torch_dtype"] = "bfloat16"
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(config, f, indent=2)


LLAMA = {
    "model_type": "llama",
    "architecture": "LlamaForCausalLM",
    "vocab_size": 384,
    "emb_dim": 64,
    "hidden_dim": 96,
    "n_layers": 2,
    "n_heads": 4,
    "n_kv_groups": 2,
    "head_dim": 16,
    "context_length": 96,
    "norm_eps": 1e-5,
    "rope_base": 10000.0,
    # scaled down so that all three bands of Llama 3's frequency scaling occur for head_dim 16
    "rope_freq": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_context_length": 64},
    "qk_norm": False,
    "tied": True,
    "bos": 380,
    "eos": [381, 382, 383],
}

QWEN3 = {
    "model_type": "qwen3",
    "architecture": "Qwen3ForCausalLM",
    "vocab_size": 320,
    "emb_dim": 48,
    "hidden_dim": 80,
    "n_layers": 2,
    "n_heads": 4,
    "n_kv_groups": 2,
    "head_dim": 24,  # not emb_dim / n_heads (12), as in Qwen3 0.6B (1024 / 16 = 64, head_dim 128)
    "context_length": 80,
    "norm_eps": 1e-6,
    "rope_base": 1000000.0,
    "rope_freq": None,
    "qk_norm": True,
    "tied": False,
    "bos": None,
    "eos": 319,
}

LLAMA3_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def tiny_tokenizer(name, cfg, specials):
    """A byte-level BPE tokenizer.json of the model's small vocabulary, laid out as Llama 3's and
    Qwen3's (the Llama 3 split regex, ByteLevel, the specials as added tokens at the top ids, the
    begin-of-text first where the family has one), trained on the bundled instruction data, so
    that the tiny models can be finetuned and served end to end."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.BPE(ignore_merges=True))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(LLAMA3_SPLIT), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    data = json.load(open(os.path.join("dataset-service", "src", "main", "resources", "datasets", "instruction-data.json")))
    texts = [e["instruction"] + "\n" + e["input"] + "\n" + e["output"] for e in data]
    trainer = trainers.BpeTrainer(
        vocab_size=cfg["vocab_size"] - len(specials),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer)
    tok.add_special_tokens(specials)
    assert tok.get_vocab_size() == cfg["vocab_size"], tok.get_vocab_size()
    if cfg["bos"] is not None:
        bos = "<|begin_of_text|>"
        tok.post_processor = processors.TemplateProcessing(
            single=f"{bos} $A", pair=f"{bos} $A {bos} $B", special_tokens=[(bos, tok.token_to_id(bos))]
        )
        assert tok.token_to_id(bos) == cfg["bos"]
    tok.save(os.path.join(OUT, name, "tokenizer.json"))


if __name__ == "__main__":
    torch.set_num_threads(2)
    start = family("llama-tiny", LLAMA, lr=1e-3, lora_rank=4, lora_alpha=8.0)
    bf16_sharded("llama-tiny-bf16-sharded", start, LLAMA)
    family("qwen3-tiny", QWEN3, lr=1e-3, lora_rank=4, lora_alpha=8.0)
    tiny_tokenizer(
        "llama-tiny",
        LLAMA,
        # ids 378-383: bos 380 and eos [381, 382, 383] as config.json says (Llama 3.2's order)
        ["<|start_header_id|>", "<|end_header_id|>", "<|begin_of_text|>", "<|end_of_text|>", "<|eom_id|>", "<|eot_id|>"],
    )
    tiny_tokenizer("qwen3-tiny", QWEN3, ["<|im_start|>", "<|im_end|>", "<|endoftext|>"])  # eos 319
    print("written under", OUT)
