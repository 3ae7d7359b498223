package io.llmft.scoring.security;

import io.llmft.common.security.AuthCorpus;
import io.llmft.common.security.InputCorpus;
import io.llmft.contract.Topics;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * scoring-service's security corpus: who may call (AuthCorpus), which judges a job may name (the
 * scoring service posts the dataset's text there), and the limits of its inputs.
 */
@QuarkusTest
class ScoringSecurityTest extends AuthCorpus {
  private static final String ENTRY =
      "{\"instruction\": \"Name a color.\", \"input\": \"\", \"output\": \"Blue.\", \"model_response\": \"Red.\"}";

  private final InputCorpus corpus = new InputCorpus("/scoring-jobs", Topics.SCORING_JOBS);

  @Override
  protected String collection() {
    return "/scoring-jobs";
  }

  @Override
  protected String validJob(String jobId) {
    return "{\"jobId\": \"" + jobId + "\", \"entries\": [" + ENTRY + "]}";
  }

  @Test
  void onlyJudgesOnTheAllowListMayBeNamed() {
    for (String url :
        List.of(
            "http://127.0.0.1:18999",
            "http://localhost:18970",
            "http://127.0.0.1:18970.evil.example",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]:11434",
            "http://0x7f000001:11434",
            "http://10.0.0.5:11434",
            "http://kafka:9092",
            "http://user@127.0.0.1:18970",
            "ftp://127.0.0.1:18970")) {
      corpus.refused(
          "{\"jobId\": \"%ID%\", \"entries\": ["
              + ENTRY
              + "], \"judge\": {\"url\": \""
              + url
              + "\"}}",
          "judge.url");
    }
  }

  @Test
  void oversizedStringsAndArraysAndOtherVersionsAreRefused() throws Exception {
    corpus.refused(
        "{\"jobId\": \"%ID%\", \"entries\": ["
            + ENTRY
            + "], \"responseKey\": \""
            + "k".repeat(101)
            + "\"}",
        "responseKey");
    corpus.refused(
        "{\"jobId\": \"%ID%\", \"entries\": ["
            + ENTRY
            + "], \"judge\": {\"model\": \""
            + "m".repeat(201)
            + "\"}}",
        "judge.model");
    corpus.bodyOverTheLimitIs413();
    corpus.numbers(
        "{\"jobId\": \"%ID%\", \"schemaVersion\": %N%, \"entries\": [" + ENTRY + "]}",
        "schemaVersion");
  }
}
