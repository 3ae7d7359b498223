package io.llmft.text.jinja;

import java.util.LinkedHashMap;
import java.util.Map;

/** Jinja's {@code namespace(...)}: attributes a loop body may set and the code after it reads. */
final class Namespace extends LinkedHashMap<String, Object> {
  Namespace(Map<String, Object> initial) {
    super(initial);
  }
}
