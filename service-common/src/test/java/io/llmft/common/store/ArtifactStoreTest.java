package io.llmft.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactStoreTest {
  @Test
  void createJsonLetsExactlyOneOfManyConcurrentCreatorsWin(@TempDir Path dir) throws Exception {
    ArtifactStore store = new ArtifactStore(() -> dir.toString(), new ObjectMapper());
    Path file = store.layout().job(io.llmft.contract.Stage.SCORING, "job-1");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      var attempts =
          IntStream.range(0, 32)
              .mapToObj(i -> pool.submit(() -> store.createJson(file, Map.of("by", i))))
              .toList();
      int won = 0;
      for (Future<Boolean> f : attempts) {
        won += f.get() ? 1 : 0;
      }
      assertEquals(1, won);
    } finally {
      pool.shutdown();
    }
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertEquals(1, files.count(), "no temporary file is left behind");
    }
    assertFalse(store.createJson(file, Map.of("by", "late")));
  }

  @Test
  void theLayoutRefusesIdsThatLeaveTheirArea(@TempDir Path dir) {
    ArtifactLayout layout = new ArtifactLayout(dir);
    InvalidIdException e = assertThrows(InvalidIdException.class, () -> layout.model("../etc"));
    assertEquals("model", e.field());
    assertThrows(InvalidIdException.class, () -> layout.responses("a/b"));
    assertTrue(layout.scores("s-1").startsWith(dir.toAbsolutePath()));
  }
}
