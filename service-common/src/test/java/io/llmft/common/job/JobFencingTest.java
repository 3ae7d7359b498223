package io.llmft.common.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.config.JobsConfig;
import io.llmft.common.store.ArtifactStore;
import io.llmft.common.store.ProgressLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job that does not reach a safe point before its partition is revoked (stuck in a long batch) is
 * fenced: once the stop grace has passed, none of its writes reach the store, since the partition's
 * next owner runs it now.
 */
class JobFencingTest {
  @TempDir Path dir;

  private static JobsConfig config(Duration grace) {
    return new JobsConfig() {
      public int concurrency() {
        return 2;
      }

      public int maxAttempts() {
        return 3;
      }

      public Duration stopGrace() {
        return grace;
      }

      public Duration publishTimeout() {
        return Duration.ofSeconds(1);
      }

      public Duration publishBackoff() {
        return Duration.ofMillis(10);
      }

      public Duration publishMaxBackoff() {
        return Duration.ofMillis(100);
      }

      public int downloadAttempts() {
        return 1;
      }

      public Duration downloadBackoff() {
        return Duration.ofMillis(10);
      }
    };
  }

  @Test
  void aJobStuckPastTheGraceOfARevokeWritesNothingMore() throws Exception {
    ArtifactStore store = new ArtifactStore(() -> dir.toString(), new ObjectMapper());
    Path document = dir.resolve("doc.json");
    JobWorkers workers = new JobWorkers(config(Duration.ofMillis(200)));
    CountDownLatch inBatch = new CountDownLatch(1);
    CountDownLatch batchDone = new CountDownLatch(1);
    CompletableFuture<Throwable> afterBatch = new CompletableFuture<>();
    workers.submit(
        "stuck",
        3,
        control -> {
          store.writeJson(document, Map.of("step", 1));
          try (ProgressLog<Integer> log =
              ProgressLog.open(dir.resolve("progress.jsonl"), Integer.class, new ObjectMapper())) {
            log.append(1);
            inBatch.countDown();
            batchDone.await(30, TimeUnit.SECONDS); // a long batch, no safe point
            try {
              store.writeJson(document, Map.of("step", 2));
              log.append(2);
              afterBatch.complete(null);
            } catch (RuntimeException e) {
              afterBatch.complete(e);
            }
          } catch (InterruptedException e) {
            afterBatch.complete(e);
          }
        });
    assertTrue(inBatch.await(10, TimeUnit.SECONDS));
    workers.stopPartitions(List.of(3), "its partition moved to another instance");
    assertTrue(workers.isActive("stuck"), "still in its batch after the grace");
    batchDone.countDown();

    Throwable thrown = afterBatch.get(10, TimeUnit.SECONDS);
    assertTrue(thrown instanceof JobFencedException, String.valueOf(thrown));
    assertEquals(
        "{\n  \"step\" : 1\n}", Files.readString(document), "the document is not overwritten");
    assertEquals(List.of("1"), Files.readAllLines(dir.resolve("progress.jsonl")));
  }

  @Test
  void aJobThatStopsWithinTheGraceIsNotFenced() throws Exception {
    JobWorkers workers = new JobWorkers(config(Duration.ofSeconds(10)));
    CompletableFuture<JobControl> seen = new CompletableFuture<>();
    CountDownLatch running = new CountDownLatch(1);
    workers.submit(
        "polite",
        1,
        control -> {
          running.countDown();
          try {
            control.sleep(Duration.ofSeconds(30));
          } catch (JobStoppedException e) {
            seen.complete(control);
          }
        });
    assertTrue(running.await(10, TimeUnit.SECONDS));
    workers.stopPartitions(List.of(1), "its partition moved to another instance");
    JobControl control = seen.get(10, TimeUnit.SECONDS);
    assertFalse(control.isFenced(), "it stopped at a safe point: it may write its checkpoint");
    assertTrue(control.stopRequested());
  }

  /**
   * The partition comes back while the fenced run is still in its step (a scale-out, then a
   * scale-in): the job runs again here once that run ends, instead of staying RUNNING for good.
   */
  @Test
  void aJobWhosePartitionComesBackWhileItsFencedRunIsBusyRunsAgainAfterIt() throws Exception {
    JobWorkers workers = new JobWorkers(config(Duration.ofMillis(100)));
    CountDownLatch inStep = new CountDownLatch(1);
    CountDownLatch stepDone = new CountDownLatch(1);
    workers.submit(
        "moved",
        5,
        control -> {
          inStep.countDown();
          try {
            stepDone.await(30, TimeUnit.SECONDS); // a long step, no safe point
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    assertTrue(inStep.await(10, TimeUnit.SECONDS));
    workers.stopPartitions(List.of(5), "its partition moved to another instance");
    CompletableFuture<JobControl> resumed = new CompletableFuture<>();
    assertTrue(workers.submit("moved", 5, resumed::complete), "queued behind the fenced run");
    assertFalse(resumed.isDone(), "not while the fenced run is busy: one writer");
    stepDone.countDown();
    JobControl control = resumed.get(10, TimeUnit.SECONDS);
    assertFalse(control.isFenced(), "the new run owns the job");
  }

  /** A job document as a stage keeps it. */
  public static final class Doc extends JobState {
    public int step;
  }

  /**
   * A fenced run's progress reported from another thread (a judge pool's, not the job's worker) is
   * refused too: the new owner's document keeps its owner.
   */
  @Test
  void aFencedRunsWritesFromOtherThreadsAreRefused() throws Exception {
    ArtifactStore store =
        new ArtifactStore(() -> dir.toString(), new ObjectMapper().findAndRegisterModules());
    io.llmft.common.store.JobStore<Doc> jobs =
        new io.llmft.common.store.JobStore<>(
            store, io.llmft.contract.Stage.SCORING, Doc.class, "job");
    Doc mine = new Doc();
    mine.id = "judged";
    mine.owner = "stale-owner";
    JobControl control = new JobControl("judged", 2);
    mine.belongsTo(control);
    jobs.save(mine);
    control.fence();
    Doc theirs = jobs.get("judged");
    theirs.owner = "new-owner";
    jobs.save(theirs);
    var pool = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      Throwable thrown =
          pool.submit(
                  () -> {
                    try {
                      mine.step = 7;
                      jobs.saveProgress(mine);
                      return null;
                    } catch (RuntimeException e) {
                      return e;
                    }
                  })
              .get(10, TimeUnit.SECONDS);
      assertTrue(thrown instanceof JobFencedException, String.valueOf(thrown));
    } finally {
      pool.shutdown();
    }
    assertEquals("new-owner", jobs.get("judged").owner);
    assertEquals(0, jobs.get("judged").step);
  }

  /**
   * A cancel while only a fenced run is here ends the job here, and the queued resume is dropped.
   */
  @Test
  void aCancelOfAJobWhoseRunIsFencedIsNotSwallowedByThatRun() throws Exception {
    JobWorkers workers = new JobWorkers(config(Duration.ofMillis(100)));
    CountDownLatch inStep = new CountDownLatch(1);
    CountDownLatch stepDone = new CountDownLatch(1);
    workers.submit(
        "doomed",
        6,
        control -> {
          inStep.countDown();
          try {
            stepDone.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    assertTrue(inStep.await(10, TimeUnit.SECONDS));
    workers.stopPartitions(List.of(6), "its partition moved to another instance");
    CountDownLatch resumed = new CountDownLatch(1);
    workers.submit("doomed", 6, control -> resumed.countDown());
    assertFalse(
        workers.cancel("doomed"), "the fenced run cannot end it: the caller ends the document");
    stepDone.countDown();
    assertFalse(resumed.await(1, TimeUnit.SECONDS), "a cancelled job is not resumed");
  }

  /** A retry that came while the job's last run still announced its end follows that run. */
  @Test
  void whatComesWhileARunEndsFollowsIt() throws Exception {
    JobWorkers workers = new JobWorkers(config(Duration.ofSeconds(1)));
    CountDownLatch announcing = new CountDownLatch(1);
    CountDownLatch acked = new CountDownLatch(1);
    workers.submit(
        "ending",
        4,
        control -> {
          announcing.countDown();
          try {
            acked.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    assertTrue(announcing.await(10, TimeUnit.SECONDS));
    CountDownLatch retried = new CountDownLatch(1);
    assertTrue(workers.afterRun("ending", retried::countDown), "kept for when the run ends");
    assertFalse(retried.await(200, TimeUnit.MILLISECONDS), "not while it runs");
    acked.countDown();
    assertTrue(retried.await(10, TimeUnit.SECONDS));
    assertFalse(workers.afterRun("ending", () -> {}), "no run: the caller goes on at once");
  }
}
