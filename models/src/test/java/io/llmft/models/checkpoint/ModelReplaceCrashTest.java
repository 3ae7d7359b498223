package io.llmft.models.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.llmft.models.Fixtures;
import io.llmft.models.Golden;
import io.llmft.models.LanguageModel;
import io.llmft.models.ModelFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Replacing a model survives a process killed between the steps of the save: the directory shows
 * the old model or the new one, complete and loadable, and the next save clears what was left.
 */
class ModelReplaceCrashTest {
  private static final Path LLAMA = Fixtures.model("llama-tiny");

  private static void saveFixture(Path source, Path target) throws Exception {
    try (NDManager m = NDManager.newBaseManager();
        LanguageModel model = HfCheckpoint.load(source, m)) {
      HfCheckpoint.save(model, HfCheckpoint.tokenizer(source, model.config()), target);
    }
  }

  /** Runs {@link SaveAndHalt} in a JVM of its own on this test's class path. */
  private static int replaceAndHalt(Path source, Path target, HfCheckpoint.SaveStep step)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Dai.djl.offline=true");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(SaveAndHalt.class.getName());
    command.add(source.toString());
    command.add(target.toString());
    command.add(step.name());
    Process process = new ProcessBuilder(command).inheritIO().start();
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the saving process ended");
    return process.exitValue();
  }

  private static List<String> entries(Path dir) throws Exception {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @ParameterizedTest
  @EnumSource(HfCheckpoint.SaveStep.class)
  void aSaveKilledAfterAnyStepLeavesOneCompleteModel(
      HfCheckpoint.SaveStep step, @TempDir Path models) throws Exception {
    Path dir = models.resolve("model-a");
    saveFixture(Golden.modelDir(), dir); // a GPT-2 first
    assertEquals(
        SaveAndHalt.HALTED, replaceAndHalt(LLAMA, dir, step), "the process was halted mid-save");

    ModelFamily expected =
        step == HfCheckpoint.SaveStep.VERSION_WRITTEN ? ModelFamily.GPT2 : ModelFamily.LLAMA;
    assertEquals(
        expected, HfCheckpoint.readConfig(dir).family(), "old before the switch, new after");
    assertEquals(null, HfCheckpoint.unreadable(dir), "complete: config, weights, tokenizer");
    try (NDManager m = NDManager.newBaseManager();
        LanguageModel model = HfCheckpoint.load(dir, m)) {
      assertEquals(expected, model.family());
    }
    assertTrue(
        entries(models).size() > 2, "the killed save left a version behind: " + entries(models));

    saveFixture(LLAMA, dir);
    List<String> left = entries(models);
    assertEquals(2, left.size(), "the link and its one version: " + left);
    assertTrue(Files.isSymbolicLink(dir));
    assertEquals(ModelFamily.LLAMA, HfCheckpoint.readConfig(dir).family());
  }

  @ParameterizedTest
  @EnumSource(value = HfCheckpoint.SaveStep.class, names = "SWITCHED")
  void aPlainDirectoryOfAnEarlierReleaseIsReplacedAndADeletedModelLeavesNothing(
      HfCheckpoint.SaveStep unused, @TempDir Path models) throws Exception {
    Path dir = Files.createDirectories(models.resolve("model-b"));
    try (Stream<Path> files = Files.list(Golden.modelDir())) {
      for (Path f : files.toList()) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    assertFalse(Files.isSymbolicLink(dir));
    saveFixture(LLAMA, dir);
    assertTrue(Files.isSymbolicLink(dir));
    assertEquals(ModelFamily.LLAMA, HfCheckpoint.readConfig(dir).family());
    assertEquals(2, entries(models).size(), entries(models).toString());
    HfCheckpoint.delete(dir);
    assertEquals(List.of(), entries(models));
  }
}
