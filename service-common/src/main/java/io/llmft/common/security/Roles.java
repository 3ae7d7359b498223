package io.llmft.common.security;

import java.util.Set;

/**
 * The two roles of the suite: {@code viewer} reads (GET), {@code operator} also starts and cancels.
 */
public final class Roles {
  public static final String VIEWER = "viewer";
  public static final String OPERATOR = "operator";
  public static final Set<String> ALL = Set.of(VIEWER, OPERATOR);

  private Roles() {}
}
