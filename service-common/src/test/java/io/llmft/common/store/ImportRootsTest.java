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

  /** A model directory under a root whose shard or config links out of it is refused. */
  @Test
  void aModelWhoseFilesLinkOutOfTheRootsIsRefused(@TempDir Path dir) throws Exception {
    Path allowed = Files.createDirectories(dir.resolve("allowed"));
    Path model = Files.createDirectories(allowed.resolve("model"));
    Files.writeString(model.resolve("config.json"), "{}");
    Files.writeString(model.resolve("model.safetensors"), "");
    ArtifactStore store =
        new ArtifactStore(() -> dir.resolve("store").toString(), new ObjectMapper());
    ImportRoots roots = new ImportRoots(() -> Optional.of(List.of(allowed.toString())), store);
    io.llmft.common.rest.Validation ok = new io.llmft.common.rest.Validation();
    roots.validateModel(model.toString(), "model.path", ok, d -> null);
    assertTrue(!ok.hasErrors(), "a plain model directory passes");

    Path secret = Files.writeString(dir.resolve("id_rsa"), "key");
    Files.createSymbolicLink(model.resolve("model-00001-of-00002.safetensors"), secret);
    io.llmft.common.rest.Validation v = new io.llmft.common.rest.Validation();
    roots.validateModel(model.toString(), "model.path", v, d -> null);
    io.llmft.common.rest.ProblemException e =
        assertThrows(io.llmft.common.rest.ProblemException.class, v::throwIfInvalid);
    assertEquals("model.path", e.errors().get(0).field());
    assertTrue(e.errors().get(0).message().contains("links out of the allowed roots"));
  }
}
