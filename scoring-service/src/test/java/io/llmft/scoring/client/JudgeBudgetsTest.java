package io.llmft.scoring.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmft.contract.ScoringJob.Judge;
import io.llmft.scoring.MisbehavingJudge;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * One call of a judge keeps to its budgets whatever the judge does: {@code judge.call-timeout} over
 * the whole call (3 s in the tests), and {@code judge.max-answer-bytes} of body (1 MiB).
 */
@QuarkusTest
class JudgeBudgetsTest {
  /** Longer than the call deadline of the tests. */
  private static final Duration DRIP = Duration.ofSeconds(10);

  @Inject OllamaJudge ollama;
  @Inject OpenAiJudge openAi;
  @Inject CallsInFlight calls;

  private static Judge ollamaJudge(MisbehavingJudge judge) {
    return new Judge(
        judge.url(), "llama3", Judge.OLLAMA, Judge.TEXT, Judge.BOOK, null, null, null, true);
  }

  private static Judge openAiJudge(MisbehavingJudge judge) {
    return new Judge(
        judge.url() + "/v1",
        "llama3",
        Judge.OPENAI,
        Judge.TEXT,
        Judge.BOOK,
        null,
        null,
        null,
        false);
  }

  /** The judge sees its connection closed: the call did not wait for the rest of the answer. */
  private static void awaitHangUp(MisbehavingJudge judge) {
    await().atMost(Duration.ofSeconds(5)).until(() -> judge.hangUps() == 1);
  }

  @Test
  void aStreamedAnswerDrippedWithoutALineEndIsCutOffAtTheCallDeadline() throws Exception {
    try (MisbehavingJudge judge = MisbehavingJudge.dripping(DRIP)) {
      JudgeException late =
          assertThrows(
              JudgeException.class, () -> ollama.ask(ollamaJudge(judge), "Score it.", null));
      assertTrue(late.getMessage().contains("did not finish its answer within"), late.getMessage());
      assertTrue(late.retryable());
      awaitHangUp(judge);
    }
  }

  @Test
  void aWholeAnswerDrippedByteByByteIsCutOffAtTheCallDeadline() throws Exception {
    try (MisbehavingJudge judge = MisbehavingJudge.dripping(DRIP)) {
      JudgeException late =
          assertThrows(
              JudgeException.class, () -> openAi.ask(openAiJudge(judge), "Score it.", null));
      assertTrue(late.getMessage().contains("did not finish its answer within"), late.getMessage());
      assertTrue(late.retryable());
      awaitHangUp(judge);
    }
  }

  @Test
  void aBodyOverTheAnswerLimitIsNotReadToItsEndAndRecordsWhatCameWithinIt() throws Exception {
    try (MisbehavingJudge judge = MisbehavingJudge.padded(2 * 1024 * 1024)) {
      assertEquals("", openAi.ask(openAiJudge(judge), "Score it.", null));
      assertEquals("", ollama.ask(ollamaJudge(judge), "Score it.", null));
    }
  }

  @Test
  void anAbortedCallEndsAtOnceAndIsNotRetried() throws Exception {
    try (MisbehavingJudge judge = MisbehavingJudge.dripping(DRIP)) {
      Thread caller = Thread.currentThread();
      Thread interrupter =
          new Thread(
              () -> {
                try {
                  judge.awaitCall(Duration.ofSeconds(10));
                  Thread.sleep(200);
                  calls.abort(caller);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      interrupter.setDaemon(true);
      interrupter.start();
      JudgeException interrupted =
          assertThrows(
              JudgeException.class, () -> ollama.ask(ollamaJudge(judge), "Score it.", null));
      assertTrue(Thread.interrupted(), "the caller stays interrupted");
      assertTrue(interrupted.getMessage().contains("interrupted"), interrupted.getMessage());
      assertTrue(!interrupted.retryable());
      awaitHangUp(judge);
    }
  }
}
