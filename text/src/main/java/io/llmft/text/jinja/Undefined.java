package io.llmft.text.jinja;

/**
 * Jinja's undefined value: what a missing variable, key or attribute reads as. It prints as
 * nothing, is false, iterates as empty and fails when its own attributes are asked for.
 */
record Undefined(String name) {
  @Override
  public String toString() {
    return "";
  }
}
