package io.llmft.inference.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmft.text.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory's tokenizer is read once however many requests use it, read again when its files
 * change (the old one not served stale), and closed when it falls out of the cache and its last
 * user is done, never under a user.
 */
class TokenizerCacheTest {
  @TempDir Path root;

  /** A tokenizer that says whether it was closed. */
  static final class Counted implements Tokenizer, AutoCloseable {
    boolean closed;

    public int[] encode(String text) {
      return new int[] {text.length()};
    }

    public int[] encodeRendered(String text) {
      return encode(text);
    }

    public String decode(int[] ids) {
      return "";
    }

    public byte[] bytes(int id) {
      return new byte[0];
    }

    public int endOfText() {
      return 0;
    }

    public int[] stopIds() {
      return new int[] {0};
    }

    public int vocabularySize() {
      return 1;
    }

    public void writeFiles(Path dir) {}

    @Override
    public void close() {
      closed = true;
    }
  }

  private final List<Counted> loaded = new ArrayList<>();

  private TokenizerCache cache(int capacity) {
    return new TokenizerCache(
        capacity,
        dir -> {
          Counted t = new Counted();
          loaded.add(t);
          return t;
        });
  }

  private Path model(String name) throws Exception {
    Path dir = Files.createDirectories(root.resolve(name));
    Files.writeString(dir.resolve("tokenizer.json"), "{}");
    return dir;
  }

  @Test
  void manyRequestsReadTheTokenizerOnce() throws Exception {
    TokenizerCache cache = cache(2);
    Path dir = model("a");
    for (int i = 0; i < 100; i++) {
      try (TokenizerCache.Held held = cache.hold(dir)) {
        assertEquals(5, held.tokenizer().encode("hello")[0]);
      }
    }
    assertEquals(1, loaded.size());
  }

  @Test
  void aChangedTokenizerIsReadAgainAndTheOldOneClosedAfterItsLastUser() throws Exception {
    TokenizerCache cache = cache(2);
    Path dir = model("a");
    TokenizerCache.Held inUse = cache.hold(dir);
    Files.writeString(dir.resolve("tokenizer.json"), "{\"replaced\": true}");
    Files.setLastModifiedTime(
        dir.resolve("tokenizer.json"), FileTime.fromMillis(System.currentTimeMillis() + 5_000));
    try (TokenizerCache.Held fresh = cache.hold(dir)) {
      assertNotSame(inUse.tokenizer(), fresh.tokenizer(), "not served stale");
    }
    assertFalse(((Counted) inUse.tokenizer()).closed, "a request still uses it");
    inUse.close();
    assertTrue(((Counted) inUse.tokenizer()).closed);
    assertEquals(1, cache.size());
  }

  @Test
  void aModelSavedAgainUnderItsIdIsANewVersion() throws Exception {
    TokenizerCache cache = cache(2);
    Path v1 = model(".m.v-1");
    Path v2 = model(".m.v-2");
    Path link = root.resolve("m");
    Files.createSymbolicLink(link, v1.getFileName());
    Tokenizer first;
    try (TokenizerCache.Held held = cache.hold(link)) {
      first = held.tokenizer();
    }
    Files.delete(link);
    Files.createSymbolicLink(link, v2.getFileName());
    try (TokenizerCache.Held held = cache.hold(link)) {
      assertNotSame(first, held.tokenizer());
    }
    assertTrue(((Counted) first).closed);
  }

  @Test
  void beyondItsCapacityTheLeastRecentlyUsedIsClosed() throws Exception {
    TokenizerCache cache = cache(2);
    Path a = model("a");
    Path b = model("b");
    Path c = model("c");
    cache.hold(a).close();
    cache.hold(b).close();
    try (TokenizerCache.Held held = cache.hold(a)) {
      assertSame(loaded.get(0), held.tokenizer(), "a is used again: b is now the eldest");
    }
    cache.hold(c).close();
    assertEquals(2, cache.size());
    assertTrue(loaded.get(1).closed, "b was evicted and closed");
    assertFalse(loaded.get(0).closed);
    cache.clear();
    assertTrue(loaded.get(0).closed && loaded.get(2).closed);
  }
}
