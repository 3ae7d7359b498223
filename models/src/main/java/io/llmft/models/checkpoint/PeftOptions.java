package io.llmft.models.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the suite reads from a PEFT {@code adapter_config.json}: the rank, {@code lora_alpha} and
 * their per-module {@code alpha_pattern}; the options it does not run (DoRA, rsLoRA, trained
 * biases, whole modules saved beside the adapters, ...) are refused, each by its field.
 */
record PeftOptions(int rank, double alpha, Map<String, Double> alphaPattern, JsonNode targets) {
  private static final String FILE = PeftAdapters.CONFIG_FILE;

  static PeftOptions of(JsonNode config) {
    String type = config.path("peft_type").asText("");
    if (!type.equals("LORA")) {
      throw refused("peft_type", "is '" + type + "'; only LORA adapters are read");
    }
    String task = config.path("task_type").asText("CAUSAL_LM");
    if (!task.equals("CAUSAL_LM") && !config.path("task_type").isNull()) {
      throw refused("task_type", "is '" + task + "'; only CAUSAL_LM adapters are read");
    }
    refuseTrue(config, "use_dora", "DoRA adapters are not supported");
    refuseTrue(config, "use_rslora", "rank-stabilised scaling is not supported");
    refuseTrue(config, "lora_bias", "adapters with a bias are not supported");
    refuseTrue(config, "use_qalora", "QA-LoRA adapters are not supported");
    String bias = config.path("bias").asText("none");
    if (!bias.equals("none")) {
      throw refused("bias", "is '" + bias + "'; only 'none' is supported (no trained biases)");
    }
    for (String field :
        new String[] {
          "modules_to_save",
          "layers_to_transform",
          "layer_replication",
          "trainable_token_indices",
          "target_parameters",
          "alora_invocation_tokens"
        }) {
      JsonNode value = config.get(field);
      if (value != null && !value.isNull() && !(value.isContainerNode() && value.isEmpty())) {
        throw refused(field, "is not supported (only LoRA weights of the adapted modules)");
      }
    }
    JsonNode r = config.get("r");
    if (r == null || !r.canConvertToInt() || r.asInt() <= 0) {
      throw refused("r", "must be a positive integer");
    }
    JsonNode alpha = config.get("lora_alpha");
    if (alpha == null || !alpha.isNumber() || alpha.asDouble() <= 0) {
      throw refused("lora_alpha", "must be a positive number");
    }
    Map<String, Double> alphaPattern = new java.util.LinkedHashMap<>();
    config
        .path("alpha_pattern")
        .fields()
        .forEachRemaining(e -> alphaPattern.put(e.getKey(), e.getValue().asDouble()));
    return new PeftOptions(r.asInt(), alpha.asDouble(), alphaPattern, config.get("target_modules"));
  }

  /** PEFT's scaling of a module of this rank and alpha (not rsLoRA's, which is refused). */
  float scaling(int moduleRank, double moduleAlpha) {
    return (float) (moduleAlpha / moduleRank);
  }

  /** The module's {@code lora_alpha}: the first {@code alpha_pattern} key it ends with, as PEFT. */
  double alphaOf(String module) {
    for (Map.Entry<String, Double> e : alphaPattern.entrySet()) {
      if (Pattern.matches("(.*\\.)?(" + e.getKey() + ")", module)) {
        return e.getValue();
      }
    }
    return alpha;
  }

  /** Every {@code target_modules} entry names a module of the base's family. */
  void checkTargets(Collection<String> modules) {
    if (targets == null || targets.isNull()) {
      return;
    }
    if (targets.isTextual()) {
      String regex = targets.asText();
      boolean any = regex.equals("all-linear") || modules.stream().anyMatch(m -> m.matches(regex));
      if (!any) {
        throw refused("target_modules", "'" + regex + "' matches no module of the base model");
      }
      return;
    }
    Set<String> known = new LinkedHashSet<>();
    modules.forEach(m -> known.add(m.substring(m.lastIndexOf('.') + 1)));
    for (JsonNode t : targets) {
      String name = t.asText();
      if (modules.stream().noneMatch(m -> m.equals(name) || m.endsWith("." + name))) {
        throw refused(
            "target_modules",
            "'" + name + "' is not a module the base model's family adapts (" + known + ")");
      }
    }
  }

  private static void refuseTrue(JsonNode config, String field, String why) {
    if (config.path(field).asBoolean(false)) {
      throw refused(field, why);
    }
  }

  private static IllegalArgumentException refused(String field, String why) {
    return new IllegalArgumentException(FILE + ": " + field + ": " + why);
  }
}
