package io.llmft.scoring.security;

import io.llmft.common.security.AuthCorpus;
import io.llmft.common.security.InputCorpus;
import io.llmft.common.store.ArtifactStore;
import io.llmft.contract.Topics;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * scoring-service's security corpus: who may call (AuthCorpus), which judges a job may name (the
 * scoring service posts the dataset's text there), and the limits of its inputs.
 */
@QuarkusTest
class ScoringSecurityTest extends AuthCorpus {
  private static final String ENTRY =
      "{\"instruction\": \"Name a color.\", \"input\": \"\", \"output\": \"Blue.\", \"model_response\": \"Red.\"}";

  @Inject ArtifactStore store;

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

  /** Stores a succeeded inference job's responses.json of this content; returns its id. */
  private String responses(String json) throws Exception {
    String id = "inf-" + UUID.randomUUID();
    Path file = store.layout().responses(id);
    Files.createDirectories(file.getParent());
    Files.writeString(file, json);
    return id;
  }

  private static String entries(int n) {
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      json.append(i == 0 ? "" : ",").append(ENTRY);
    }
    return json.append("]").toString();
  }

  @Test
  void sourcesOverTheEntryCapOrNotAnArrayOfEntriesAreRefused() throws Exception {
    String tooMany = responses(entries(100_001));
    String notAnArray = responses("{\"entries\": []}");
    String broken = responses("[" + ENTRY + ", {");
    String fine = responses(entries(3));
    for (String source : List.of(tooMany, notAnArray, broken)) {
      corpus.refused(
          "{\"jobId\": \"%ID%\", \"inferenceJobId\": \"" + source + "\"}", "inferenceJobId");
      corpus.refused(
          "{\"jobId\": \"%ID%\", \"comparison\": {\"sources\": [{\"inferenceJobId\": \""
              + fine
              + "\"}, {\"inferenceJobId\": \""
              + source
              + "\"}]}}",
          "comparison.sources[1].inferenceJobId");
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
    for (String scale : new String[] {"5, \"maximum\": 5", "9, \"maximum\": 1", "1"}) {
      corpus.refused(
          "{\"jobId\": \"%ID%\", \"entries\": ["
              + ENTRY
              + "], \"judge\": {\"output\": \"json\", \"schema\": {\"type\": \"object\","
              + " \"properties\": {\"score\": {\"type\": \"integer\", \"minimum\": "
              + scale
              + "}}}}}",
          "judge.schema");
    }
    corpus.bodyOverTheLimitIs413();
    corpus.numbers(
        "{\"jobId\": \"%ID%\", \"schemaVersion\": %N%, \"entries\": [" + ENTRY + "]}",
        "schemaVersion");
  }
}
