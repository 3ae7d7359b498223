package io.llmft.models.checkpoint;

import io.llmft.models.LoraAdapters;
import io.llmft.models.ModelFamily;
import java.util.ArrayList;
import java.util.List;

/**
 * The Hugging Face modules a family's LoRA adapters sit on, as PEFT names them: GPT-2's {@code
 * transformer.h.N.attn.c_attn} (one Conv1D for query, key and value, which the suite adapts
 * separately), {@code attn.c_proj}, {@code mlp.c_fc}, {@code mlp.c_proj} and {@code lm_head};
 * Llama's and Qwen3's {@code model.layers.N.self_attn.q_proj}, ..., {@code mlp.down_proj}.
 */
record PeftModules(ModelFamily family, String modulePrefix, boolean fanInFanOut) {
  private static final String GPT2_FUSED = "attn.c_attn";
  private static final List<String> GPT2_PARTS = List.of("attn.q", "attn.k", "attn.v");

  static PeftModules of(ModelFamily family) {
    return switch (family) {
      case GPT2 -> new PeftModules(family, "transformer.", true);
      case LLAMA, QWEN3 -> new PeftModules(family, "", false);
    };
  }

  /**
   * One module: its full name in the model ({@code transformer.h.0.attn.c_attn}), the adapter
   * layers of the suite it holds, side by side along its output ({@code h.0.attn.q}, ...), its
   * input width and their output widths.
   */
  record Module(String name, List<String> layers, long in, List<Long> widths) {
    long out() {
      return widths.stream().mapToLong(Long::longValue).sum();
    }

    boolean fused() {
      return layers.size() > 1;
    }

    /** The last part of its name, as {@code target_modules} lists it ({@code c_attn}). */
    String shortName() {
      return name.substring(name.lastIndexOf('.') + 1);
    }
  }

  /** Every module the suite's adapters of {@code targets} may sit on, in model order. */
  List<Module> modules(LoraAdapters.Targets targets) {
    List<Module> modules = new ArrayList<>();
    for (int i = 0; i < targets.blocks(); i++) {
      String block = targets.blockPrefix() + i + ".";
      List<LoraAdapters.Target> perBlock = targets.perBlock();
      for (int t = 0; t < perBlock.size(); t++) {
        LoraAdapters.Target target = perBlock.get(t);
        if (family == ModelFamily.GPT2 && GPT2_PARTS.contains(target.name())) {
          if (target.name().equals(GPT2_PARTS.get(0))) {
            List<String> layers = GPT2_PARTS.stream().map(p -> block + p).toList();
            modules.add(
                new Module(
                    modulePrefix + block + GPT2_FUSED,
                    layers,
                    target.in(),
                    List.of(target.out(), target.out(), target.out())));
          }
          continue;
        }
        modules.add(
            new Module(
                modulePrefix + block + target.name(),
                List.of(block + target.name()),
                target.in(),
                List.of(target.out())));
      }
    }
    if (targets.head() != null) {
      LoraAdapters.Target head = targets.head();
      modules.add(new Module("lm_head", List.of("lm_head"), head.in(), List.of(head.out())));
    }
    return modules;
  }

  /** Whether a module name is one of another family's (what an adapter of the wrong base has). */
  static ModelFamily familyOfName(String module) {
    if (module.startsWith("transformer.h.")) {
      return ModelFamily.GPT2;
    }
    return module.startsWith("model.layers.") ? ModelFamily.LLAMA : null;
  }
}
