package io.llmft.dataset.service;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What an entry must be: an object with a non-blank string instruction, a string output and an
 * optional string input.
 */
final class EntryRules {
  private EntryRules() {}

  /** Why the entry is rejected, or null when it is valid. */
  static String rejectionReason(JsonNode entry) {
    if (entry == null || !entry.isObject()) {
      return "not a JSON object";
    }
    JsonNode instruction = entry.get("instruction");
    if (instruction == null || !instruction.isTextual() || instruction.asText().isBlank()) {
      return "instruction: must be a non-empty string";
    }
    JsonNode input = entry.get("input");
    if (input != null && !input.isNull() && !input.isTextual()) {
      return "input: must be a string when present";
    }
    JsonNode output = entry.get("output");
    if (output == null || !output.isTextual()) {
      return "output: must be a string";
    }
    return null;
  }
}
