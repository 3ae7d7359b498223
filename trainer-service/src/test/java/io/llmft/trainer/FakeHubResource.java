package io.llmft.trainer;

import io.llmft.models.hub.FakeHub;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A fake Hugging Face hub serving the tiny GPT-2 fixture as the repository named by the resource
 * argument {@code repo} (default openai-community/gpt2-medium), with the {@code fault} argument's
 * {@link FakeHub.Fault}.
 */
public class FakeHubResource implements QuarkusTestResourceLifecycleManager {
  public static final Path FIXTURE =
      Path.of("../models/src/test/resources/gpt2-tiny").toAbsolutePath().normalize();

  /** The hub of the test class running now. */
  public static volatile FakeHub hub;

  private String repo = "openai-community/gpt2-medium";
  private FakeHub.Fault fault = FakeHub.Fault.NONE;

  @Override
  public void init(Map<String, String> args) {
    repo = args.getOrDefault("repo", repo);
    fault = FakeHub.Fault.valueOf(args.getOrDefault("fault", fault.name()));
  }

  @Override
  public Map<String, String> start() {
    try {
      hub = new FakeHub(FIXTURE, repo, fault);
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
