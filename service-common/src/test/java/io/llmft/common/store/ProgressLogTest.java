package io.llmft.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Done(int index, String text) {}

  @Test
  void aReopenedLogRecoversEveryRecordAndAppendsAfterThem(@TempDir Path dir) {
    Path file = dir.resolve("jobs/progress.jsonl");
    try (ProgressLog<Done> log = ProgressLog.open(file, Done.class, JSON)) {
      assertEquals(List.of(), log.recovered());
      log.append(new Done(3, "three"));
      log.appendAll(List.of(new Done(0, "zero"), new Done(7, "seven \"quoted\"\nline")));
    }
    try (ProgressLog<Done> log = ProgressLog.open(file, Done.class, JSON)) {
      assertEquals(
          List.of(new Done(3, "three"), new Done(0, "zero"), new Done(7, "seven \"quoted\"\nline")),
          log.recovered());
      log.append(new Done(1, "one"));
    }
    try (ProgressLog<Done> log = ProgressLog.open(file, Done.class, JSON)) {
      assertEquals(4, log.recovered().size());
    }
  }

  @Test
  void aLineTornByACrashIsCutOffAndOverwritten(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("progress.jsonl");
    try (ProgressLog<Done> log = ProgressLog.open(file, Done.class, JSON)) {
      log.append(new Done(0, "zero"));
    }
    Files.writeString(file, "{\"index\":1,\"te", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    try (ProgressLog<Done> log = ProgressLog.open(file, Done.class, JSON)) {
      assertEquals(List.of(new Done(0, "zero")), log.recovered());
      log.append(new Done(1, "one"));
    }
    try (ProgressLog<Done> log = ProgressLog.open(file, Done.class, JSON)) {
      assertEquals(List.of(new Done(0, "zero"), new Done(1, "one")), log.recovered());
    }
  }
}
