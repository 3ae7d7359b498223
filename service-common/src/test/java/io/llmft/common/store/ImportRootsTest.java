package io.llmft.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportRootsTest {
  @Test
  void onlyPathsUnderAnExistingRootResolveWithSymlinksFollowed(@TempDir Path dir) throws Exception {
    Path allowed = Files.createDirectories(dir.resolve("allowed"));
    Path outside = Files.writeString(dir.resolve("secret.json"), "[]");
    Path inside = Files.writeString(allowed.resolve("data.json"), "[]");
    Path escape = Files.createSymbolicLink(allowed.resolve("escape.json"), outside);
    Path hop = Files.createSymbolicLink(dir.resolve("hop.json"), inside);
    ArtifactStore store =
        new ArtifactStore(() -> dir.resolve("store").toString(), new ObjectMapper());
    ImportRoots roots =
        new ImportRoots(
            () -> Optional.of(List.of(dir.resolve("missing-root").toString(), allowed.toString())),
            store);

    assertEquals(Optional.of(inside.toRealPath()), roots.resolve(inside.toString()));
    assertEquals(
        Optional.of(inside.toRealPath()), roots.resolve(hop.toString()), "a link into a root");
    assertEquals(Optional.empty(), roots.resolve(escape.toString()), "a link out of a root");
    assertEquals(Optional.empty(), roots.resolve(outside.toString()));
    assertEquals(Optional.empty(), roots.resolve(allowed + "/../secret.json"));
    assertEquals(Optional.empty(), roots.resolve(allowed + "/nope.json"));
    assertEquals(Optional.empty(), roots.resolve("/etc/passwd"));
    assertEquals(Optional.empty(), roots.resolve("bad\0path"));
    InvalidFieldException e =
        assertThrows(
            InvalidFieldException.class, () -> roots.require("/etc/passwd", "source.path"));
    assertEquals("source.path", e.field());
    assertTrue(e.reason().contains("allowed import roots"));

    ImportRoots byDefault = new ImportRoots(Optional::empty, store);
    Path imported = Files.createDirectories(store.layout().imports()).resolve("x.json");
    Files.writeString(imported, "[]");
    assertEquals(Optional.of(imported.toRealPath()), byDefault.resolve(imported.toString()));
    assertEquals(Optional.empty(), byDefault.resolve(inside.toString()));
  }
}
