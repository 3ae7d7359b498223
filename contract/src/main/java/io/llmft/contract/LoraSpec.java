package io.llmft.contract;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * LoRA adapters for a training job (the book's Exercise 7.4): their rank, and alpha, the scale of
 * their update ({@code alpha * x A B}).
 */
@JsonDeserialize(using = LoraSpec.Reader.class)
public record LoraSpec(int rank, double alpha) {
  public static final int MAX_RANK = 1024;
  public static final double MAX_ALPHA = 1e4;

  public LoraSpec {
    if (rank < 1 || rank > MAX_RANK || !(alpha > 0 && alpha <= MAX_ALPHA)) {
      throw new IllegalArgumentException("rank from 1 to 1024, alpha above 0 and at most 10000");
    }
  }

  /** JSON in, with every violation at once. */
  static final class Reader extends JsonDeserializer<LoraSpec> {
    @Override
    public LoraSpec deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      JsonNode node = p.readValueAsTree();
      List<Violation> violations = new ArrayList<>();
      if (!node.isObject()) {
        violations.add(new Violation("", "must be an object with rank and alpha"));
        throw new ContractViolation(p, violations);
      }
      JsonNode rank = node.path("rank");
      if (!(rank.isIntegralNumber()
          && rank.canConvertToInt()
          && rank.asInt() >= 1
          && rank.asInt() <= MAX_RANK)) {
        violations.add(new Violation("rank", "must be an integer from 1 to " + MAX_RANK));
      }
      JsonNode alpha = node.path("alpha");
      if (!(alpha.isNumber() && alpha.asDouble() > 0 && alpha.asDouble() <= MAX_ALPHA)) {
        violations.add(new Violation("alpha", "must be a number above 0, at most 10000"));
      }
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!f.equals("rank") && !f.equals("alpha")) {
          violations.add(new Violation(f, "unknown field (known: rank, alpha)"));
        }
      }
      if (!violations.isEmpty()) {
        throw new ContractViolation(p, violations);
      }
      return new LoraSpec(rank.asInt(), alpha.asDouble());
    }
  }
}
