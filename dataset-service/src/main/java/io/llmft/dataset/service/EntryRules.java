package io.llmft.dataset.service;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What an entry must be: an object with a non-blank string instruction, an optional string input,
 * and a string output — or, for a preference entry (the DPO notebook's
 * instruction-data-with-preference.json), string {@code chosen} and {@code rejected} responses, the
 * output then optional. One of the two without the other is refused.
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
    JsonNode chosen = entry.get("chosen");
    JsonNode rejected = entry.get("rejected");
    for (String field : new String[] {"chosen", "rejected"}) {
      JsonNode v = entry.get(field);
      if (v != null && !v.isNull() && !v.isTextual()) {
        return field + ": must be a string when present";
      }
    }
    boolean hasChosen = chosen != null && !chosen.isNull();
    boolean hasRejected = rejected != null && !rejected.isNull();
    if (hasChosen != hasRejected) {
      return (hasChosen ? "rejected" : "chosen")
          + ": a preference entry needs both chosen and rejected";
    }
    JsonNode output = entry.get("output");
    if (output != null && !output.isNull() && !output.isTextual()) {
      return "output: must be a string";
    }
    if (!hasChosen && (output == null || output.isNull())) {
      return "output: must be a string";
    }
    return null;
  }
}
