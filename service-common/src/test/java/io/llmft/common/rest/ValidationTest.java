package io.llmft.common.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A request with a million bad values is refused with a problem of bounded size. */
class ValidationTest {
  @Test
  void aProblemListsTheFirstErrorsAndCountsTheRest() {
    Validation v = new Validation();
    for (int i = 0; i < 1_000_000; i++) {
      v.check(false, "tokens[" + i + "]", "must be a token id below 50257");
    }
    ProblemException e = assertThrows(ProblemException.class, v::throwIfInvalid);
    assertEquals(ProblemException.MAX_ERRORS, e.errors().size());
    assertEquals("tokens[0]", e.errors().get(0).field());
    assertTrue(e.getMessage().endsWith("; and 999980 more errors"), e.getMessage());
    assertTrue(e.getMessage().length() < 2_000, "the detail is bounded too");
  }

  @Test
  void aProblemBuiltFromALongListIsCutToo() {
    var errors =
        java.util.stream.IntStream.range(0, 25)
            .mapToObj(i -> new FieldError("f" + i, "bad"))
            .toList();
    ProblemException e = ProblemException.invalid(errors);
    assertEquals(ProblemException.MAX_ERRORS, e.errors().size());
    assertTrue(e.getMessage().endsWith("; and 5 more errors"), e.getMessage());
  }
}
