package io.llmft.common.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
  @Test
  void keysMapToTheirRoles() {
    ApiKeys keys =
        new ApiKeys(List.of("operator:0123456789abcdef0123", " viewer:fedcba9876543210fedc "));
    assertEquals(Optional.of("operator"), keys.roleOf("0123456789abcdef0123"));
    assertEquals(Optional.of("viewer"), keys.roleOf("fedcba9876543210fedc"));
    assertEquals(Optional.empty(), keys.roleOf("0123456789abcdef012"));
    assertEquals(Optional.empty(), keys.roleOf(""));
    assertFalse(keys.isEmpty());
    assertTrue(new ApiKeys(List.of()).isEmpty());
  }

  @Test
  void malformedEntriesStopTheStartWithoutShowingTheKey() {
    for (String bad :
        List.of("admin:0123456789abcdef0123", "operator:short", "no-colon-0123456789")) {
      var e = assertThrows(IllegalArgumentException.class, () -> new ApiKeys(List.of(bad)));
      assertFalse(e.getMessage().contains(bad.substring(bad.indexOf(':') + 1)), e.getMessage());
      assertTrue(e.getMessage().startsWith("API_KEYS entry 1"), e.getMessage());
    }
  }
}
