package io.llmft.common.security;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The static API keys and their roles. Keys are compared in constant time over their SHA-256
 * digests, so neither a key's length nor its first differing byte shows in the response time.
 */
@Singleton
public class ApiKeys {
  /** Shorter keys are refused at start: a key must not be guessable. */
  public static final int MIN_KEY_LENGTH = 16;

  private record Key(String role, byte[] digest) {}

  private final List<Key> keys;

  @Inject
  public ApiKeys(ApiKeysConfig config) {
    this(config.keys().orElse(List.of()));
  }

  ApiKeys(List<String> pairs) {
    List<Key> parsed = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      String pair = pairs.get(i).strip();
      int colon = pair.indexOf(':');
      String role = colon < 0 ? "" : pair.substring(0, colon);
      String key = colon < 0 ? "" : pair.substring(colon + 1);
      if (!Roles.ALL.contains(role) || key.length() < MIN_KEY_LENGTH) {
        // the position only: the value is a secret
        throw new IllegalArgumentException(
            "API_KEYS entry "
                + (i + 1)
                + " is not role:key with a role of "
                + Roles.ALL
                + " and a key of at least "
                + MIN_KEY_LENGTH
                + " characters");
      }
      parsed.add(new Key(role, digest(key)));
    }
    this.keys = List.copyOf(parsed);
  }

  public boolean isEmpty() {
    return keys.isEmpty();
  }

  /** The role of this key, looking at every configured key whether or not one matched earlier. */
  public Optional<String> roleOf(String token) {
    byte[] digest = digest(token);
    String role = null;
    for (Key key : keys) {
      if (MessageDigest.isEqual(key.digest, digest) && role == null) {
        role = key.role;
      }
    }
    return Optional.ofNullable(role);
  }

  private static byte[] digest(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
