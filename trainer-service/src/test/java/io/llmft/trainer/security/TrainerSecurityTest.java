package io.llmft.trainer.security;

import io.llmft.common.TestDatasets;
import io.llmft.common.security.AuthCorpus;
import io.llmft.common.security.InputCorpus;
import io.llmft.common.store.DatasetArtifacts;
import io.llmft.contract.Topics;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** trainer-service's security corpus: who may call, which directories, every number bounded. */
@QuarkusTest
class TrainerSecurityTest extends AuthCorpus {
  private static final String DATASET = "ds-security";
  private static final String TINY =
      "{\"config\": {\"emb_dim\": 8, \"n_layers\": 1, \"n_heads\": 2, \"context_length\": 64}}";

  @Inject DatasetArtifacts datasets;

  private final InputCorpus corpus = new InputCorpus("/training-jobs", Topics.TRAINING_JOBS);

  @BeforeEach
  void dataset() {
    TestDatasets.write(datasets, DATASET, 4, 2, 2);
  }

  @Override
  protected String collection() {
    return "/training-jobs";
  }

  @Override
  protected String validJob(String jobId) {
    return job("\"maxSteps\": 1, \"batchSize\": 2").replace("%ID%", jobId);
  }

  private static String job(String more) {
    return "{\"jobId\": \"%ID%\", \"datasetId\": \""
        + DATASET
        + "\", \"baseModel\": "
        + TINY
        + ", "
        + more
        + "}";
  }

  @Test
  void baseModelDirectoriesOutsideTheAllowedRootsAreRefused() {
    for (String path : List.of("/etc", "/proc/self", "/", "data/imports/../../..", "/root")) {
      corpus.refused(
          "{\"jobId\": \"%ID%\", \"datasetId\": \""
              + DATASET
              + "\", \"baseModel\": {\"path\": \""
              + path
              + "\"}}",
          "baseModel.path");
    }
  }

  @Test
  void everyNumberIsBounded() {
    corpus.numbers(job("\"epochs\": %N%"), "epochs");
    corpus.numbers(job("\"batchSize\": %N%"), "batchSize");
    corpus.numbers(job("\"learningRate\": %N%"), "learningRate");
    corpus.numbers(job("\"weightDecay\": %N%"), "weightDecay", "0");
    corpus.numbers(job("\"evalFreq\": %N%"), "evalFreq");
    corpus.numbers(job("\"evalIter\": %N%"), "evalIter");
    corpus.numbers(job("\"maxSteps\": %N%"), "maxSteps");
    corpus.numbers(job("\"checkpointEvery\": %N%"), "checkpointEvery", "0");
    corpus.numbers(job("\"seed\": %N%"), "seed", "-1", "0", "2147483647");
    corpus.numbers(job("\"lora\": {\"rank\": %N%, \"alpha\": 16}"), "lora.rank");
    corpus.numbers(job("\"lora\": {\"rank\": 4, \"alpha\": %N%}"), "lora.alpha");
    for (String key : List.of("emb_dim", "n_layers", "n_heads", "context_length")) {
      String config = TINY.replaceAll("\"" + key + "\": [0-9]+", "\"" + key + "\": %N%");
      corpus.numbers(
          "{\"jobId\": \"%ID%\", \"datasetId\": \""
              + DATASET
              + "\", \"baseModel\": "
              + config
              + "}",
          "baseModel.config." + key);
    }
    corpus.numbers(job("\"schemaVersion\": %N%"), "schemaVersion");
  }

  @Test
  void oversizedBodiesAndStringsAreRefused() throws Exception {
    corpus.bodyOverTheLimitIs413();
    corpus.refused(job("\"precision\": \"" + "p".repeat(5000) + "\""), "precision");
    corpus.refused(
        "{\"jobId\": \"%ID%\", \"datasetId\": \""
            + DATASET
            + "\", \"baseModel\": \""
            + "g".repeat(5000)
            + "\"}",
        "baseModel");
  }
}
