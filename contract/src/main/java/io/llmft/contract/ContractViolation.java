package io.llmft.contract;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A value of the contract that cannot be what its JSON says, with every reason at once; fields are
 * relative to the value ({@code ""} is the value itself).
 */
public final class ContractViolation extends JsonMappingException {
  private final transient List<Violation> violations;

  public ContractViolation(JsonParser parser, List<Violation> violations) {
    super(
        parser,
        violations.stream()
            .map(v -> (v.field().isEmpty() ? "" : v.field() + ": ") + v.reason())
            .collect(Collectors.joining("; ")));
    this.violations = List.copyOf(violations);
  }

  public List<Violation> violations() {
    return violations;
  }
}
