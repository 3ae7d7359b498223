"""Golden files for LoRA adapters in Hugging Face PEFT's layout, checked by `peft` itself.

For each tiny model of models/src/test/resources (gpt2-tiny, llama-tiny, qwen3-tiny) it writes,
under models/src/test/resources/peft/:

  <family>-from-peft/        an adapter `peft` trained shape (LoraConfig, random nonzero A and B,
                             GPT-2's fused c_attn, a rank_pattern and an alpha_pattern), saved with
                             save_pretrained, and golden.json: peft's logits on TOKENS
  <family>-suite/            the suite's own adapter files of earlier releases
                             (lora_adapters.safetensors, lora_config.json: A (in, r), B (r, out),
                             alpha applied as it is, GPT-2's query, key and value apart), and
                             adapter/: the same adapters as the suite writes them in PEFT's layout
                             (A and B transposed, lora_alpha = r * alpha, GPT-2's q, k, v adapters
                             as one c_attn adapter of rank 3r, A stacked and B block-diagonal),
                             loaded by PeftModel.from_pretrained; golden.json: peft's logits.

The Java tests read the first through the suite and match peft's logits; for the second they write
the suite's files as PEFT and compare them with adapter/, and match the logits.

Run from the repository root (development only; nothing at run time needs Python):
  pip install torch transformers peft
  python3 tools/golden/peft_adapters.py
"""

import json
import os
import shutil

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM

RESOURCES = os.path.join("models", "src", "test", "resources")
OUT = os.path.join(RESOURCES, "peft")
TOKENS = [[5, 17, 42, 7, 99, 3]]
LOGITS_SHOWN = 64  # the first vocabulary entries of every position: GPT-2's 50257 would be large

FAMILIES = {
    "gpt2": {
        "base": "gpt2-tiny",
        "peft_targets": ["c_attn", "c_proj", "c_fc"],
        "rank_pattern": {"c_fc": 3},
        "alpha_pattern": {"c_fc": 1.5},
        "fan_in_fan_out": True,
    },
    "llama": {
        "base": "llama-tiny",
        "peft_targets": ["q_proj", "v_proj", "o_proj", "down_proj"],
        "rank_pattern": {"v_proj": 4},
        "alpha_pattern": {"v_proj": 2.0},
        "fan_in_fan_out": False,
    },
    "qwen3": {
        "base": "qwen3-tiny",
        "peft_targets": ["k_proj", "gate_proj", "up_proj"],
        "rank_pattern": {},
        "alpha_pattern": {"up_proj": 8.0},
        "fan_in_fan_out": False,
    },
}

SUITE_RANK = 2
SUITE_ALPHA = 1.5


def base_model(family):
    model = AutoModelForCausalLM.from_pretrained(os.path.join(RESOURCES, FAMILIES[family]["base"]))
    return model.float().eval()


def logits(model):
    with torch.no_grad():
        out = model(torch.tensor(TOKENS)).logits
    return out[0, :, :LOGITS_SHOWN].tolist()


def write_golden(directory, model, note):
    with open(os.path.join(directory, "golden.json"), "w") as f:
        json.dump({"note": note, "tokens": TOKENS, "logits": logits(model)}, f)


def fresh(directory):
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)


# ---- (b) adapters peft made -------------------------------------------------------------------


def peft_made(family):
    spec = FAMILIES[family]
    torch.manual_seed(34)
    config = LoraConfig(
        r=2,
        lora_alpha=6,
        target_modules=spec["peft_targets"],
        rank_pattern=spec["rank_pattern"],
        alpha_pattern=spec["alpha_pattern"],
        fan_in_fan_out=spec["fan_in_fan_out"],
        lora_dropout=0.0,
        bias="none",
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(base_model(family), config)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_" in name:
                p.copy_(torch.randn_like(p) * 0.2)  # B nonzero: not a no-op
    model.eval()
    directory = os.path.join(OUT, family + "-from-peft")
    fresh(directory)
    model.save_pretrained(directory, save_embedding_layers=False)
    os.remove(os.path.join(directory, "README.md"))  # peft's model card template
    set_base(directory, spec["base"])
    reloaded = PeftModel.from_pretrained(base_model(family), directory).eval()
    write_golden(directory, reloaded, "peft's logits of the base with this adapter")


def set_base(directory, base):
    path = os.path.join(directory, "adapter_config.json")
    with open(path) as f:
        config = json.load(f)
    config["base_model_name_or_path"] = base
    with open(path, "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)


# ---- (a) adapters the suite wrote, in peft -------------------------------------------------------


def suite_targets(family, model):
    """The suite's adapter layers: name -> (in, out), in the order LoraAdapters draws them."""
    c = model.config
    layers = {}
    if family == "gpt2":
        e = c.n_embd
        for i in range(c.n_layer):
            for t, (n_in, n_out) in {
                "attn.q": (e, e),
                "attn.k": (e, e),
                "attn.v": (e, e),
                "attn.c_proj": (e, e),
                "mlp.c_fc": (e, 4 * e),
                "mlp.c_proj": (4 * e, e),
            }.items():
                layers[f"h.{i}.{t}"] = (n_in, n_out)
        layers["lm_head"] = (e, c.vocab_size)
        return layers
    h, q = c.hidden_size, c.num_attention_heads * c.head_dim
    kv, i_size = c.num_key_value_heads * c.head_dim, c.intermediate_size
    for i in range(c.num_hidden_layers):
        for t, (n_in, n_out) in {
            "self_attn.q_proj": (h, q),
            "self_attn.k_proj": (h, kv),
            "self_attn.v_proj": (h, kv),
            "self_attn.o_proj": (q, h),
            "mlp.gate_proj": (h, i_size),
            "mlp.up_proj": (h, i_size),
            "mlp.down_proj": (i_size, h),
        }.items():
            layers[f"model.layers.{i}.{t}"] = (n_in, n_out)
    return layers


def as_peft(family, suite, model):
    """The suite's tensors as PEFT's: (tensors, rank_pattern, alpha_pattern, target_modules)."""
    tensors, rank_pattern, alpha_pattern, targets = {}, {}, {}, set()
    prefix = "base_model.model."
    if family == "gpt2":
        for i in range(model.config.n_layer):
            parts = [f"h.{i}.attn.{p}" for p in "qkv"]
            a = torch.cat([suite[p + ".lora_A"] for p in parts], dim=1)  # (C, 3r)
            b = torch.block_diag(*[suite[p + ".lora_B"] for p in parts])  # (3r, 3C)
            key = f"{prefix}transformer.h.{i}.attn.c_attn"
            tensors[key + ".lora_A.weight"] = a.T.contiguous()
            tensors[key + ".lora_B.weight"] = b.T.contiguous()
        rank_pattern["c_attn"] = 3 * SUITE_RANK
        alpha_pattern["c_attn"] = 3 * SUITE_RANK * SUITE_ALPHA
        targets.add("c_attn")
    for layer in suite_targets(family, model):
        if family == "gpt2" and layer.split(".")[-1] in "qkv":
            continue
        module = ("transformer." if family == "gpt2" and layer != "lm_head" else "") + layer
        tensors[f"{prefix}{module}.lora_A.weight"] = suite[layer + ".lora_A"].T.contiguous()
        tensors[f"{prefix}{module}.lora_B.weight"] = suite[layer + ".lora_B"].T.contiguous()
        targets.add(module.split(".")[-1])
    return tensors, rank_pattern, alpha_pattern, sorted(targets)


def suite_made(family):
    spec = FAMILIES[family]
    model = base_model(family)
    gen = torch.Generator().manual_seed(7)
    suite = {}
    for layer, (n_in, n_out) in suite_targets(family, model).items():
        suite[layer + ".lora_A"] = torch.randn(n_in, SUITE_RANK, generator=gen) * 0.3
        suite[layer + ".lora_B"] = torch.randn(SUITE_RANK, n_out, generator=gen) * 0.3
    directory = os.path.join(OUT, family + "-suite")
    fresh(directory)
    save_file(suite, os.path.join(directory, "lora_adapters.safetensors"))
    with open(os.path.join(directory, "lora_config.json"), "w") as f:
        json.dump({"model_type": family, "rank": SUITE_RANK, "alpha": SUITE_ALPHA}, f, indent=2)

    tensors, rank_pattern, alpha_pattern, targets = as_peft(family, suite, model)
    adapter = os.path.join(directory, "adapter")
    os.makedirs(adapter)
    save_file(tensors, os.path.join(adapter, "adapter_model.safetensors"))
    config = LoraConfig(
        r=SUITE_RANK,
        lora_alpha=SUITE_RANK * SUITE_ALPHA,
        target_modules=targets,
        rank_pattern=rank_pattern,
        alpha_pattern=alpha_pattern,
        fan_in_fan_out=spec["fan_in_fan_out"],
        lora_dropout=0.0,
        bias="none",
        task_type="CAUSAL_LM",
        base_model_name_or_path=spec["base"],
    )
    config.save_pretrained(adapter)

    peft = PeftModel.from_pretrained(base_model(family), adapter).eval()
    expected = suite_forward_check(family, suite, model)
    got = peft(torch.tensor(TOKENS)).logits.detach()
    assert torch.allclose(got, expected, atol=1e-4), (got - expected).abs().max()
    write_golden(directory, peft, "peft's logits of the base with adapter/")


def suite_forward_check(family, suite, model):
    """The suite's LoRA (y + alpha * x A B on every layer) by hooks on the plain model."""
    model = base_model(family)
    modules = dict(model.named_modules())
    hooks = []

    def add(module, parts, widths):
        def hook(_, inputs, output):
            x = inputs[0]
            deltas = [SUITE_ALPHA * (x @ suite[p + ".lora_A"] @ suite[p + ".lora_B"]) for p in parts]
            return output + torch.cat(deltas, dim=-1)

        hooks.append(modules[module].register_forward_hook(hook))

    for layer, (_, n_out) in suite_targets(family, model).items():
        if family == "gpt2" and layer.endswith(".attn.q"):
            block = layer[: -len(".attn.q")]
            add(
                "transformer." + block + ".attn.c_attn",
                [block + ".attn." + p for p in "qkv"],
                [n_out] * 3,
            )
        elif family == "gpt2" and layer.split(".")[-1] in "kv":
            continue
        else:
            module = ("transformer." if family == "gpt2" and layer != "lm_head" else "") + layer
            add(module, [layer], [n_out])
    with torch.no_grad():
        out = model(torch.tensor(TOKENS)).logits
    for h in hooks:
        h.remove()
    return out


if __name__ == "__main__":
    for family in FAMILIES:
        peft_made(family)
        suite_made(family)
        print("wrote", family)
