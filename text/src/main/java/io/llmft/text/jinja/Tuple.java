package io.llmft.text.jinja;

import java.util.ArrayList;
import java.util.Collection;

/**
 * A Python tuple: a list that prints in parentheses ({@code dict.items()} pairs, {@code (a, b)}).
 */
final class Tuple extends ArrayList<Object> {
  Tuple(Collection<?> items) {
    super(items);
  }
}
