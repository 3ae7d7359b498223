package io.llmft.scoring;

import io.llmft.common.store.ArtifactStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** The book's 110 test responses, stored as the responses of a new inference job id. */
public final class TestResponses {
  private TestResponses() {}

  /**
   * @return the inference job id they are stored under
   */
  public static String install(ArtifactStore store) throws IOException {
    String inferenceJobId = "inf-" + UUID.randomUUID();
    Path responses = store.layout().responses(inferenceJobId);
    Files.createDirectories(responses.getParent());
    try (InputStream in =
        TestResponses.class.getResourceAsStream("/instruction-data-with-response.json")) {
      Files.copy(in, responses);
    }
    return inferenceJobId;
  }
}
