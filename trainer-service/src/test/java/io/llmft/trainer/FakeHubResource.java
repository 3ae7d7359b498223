package io.llmft.trainer;

import io.llmft.core.hub.FakeHub;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/** A fake Hugging Face hub serving the tiny GPT-2 fixture as openai-community/gpt2-medium. */
public class FakeHubResource implements QuarkusTestResourceLifecycleManager {
  public static final Path FIXTURE =
      Path.of("../gpt-core/src/test/resources/gpt2-tiny").toAbsolutePath().normalize();
  private FakeHub hub;

  @Override
  public Map<String, String> start() {
    try {
      hub = new FakeHub(FIXTURE, "openai-community/gpt2-medium", FakeHub.Fault.NONE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.of("hf.endpoint", hub.url());
  }

  @Override
  public void stop() {
    hub.close();
  }
}
