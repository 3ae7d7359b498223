package io.llmft.models.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.llmft.contract.PretrainedModel;
import io.llmft.models.Golden;
import io.llmft.models.LanguageModel;
import io.llmft.models.checkpoint.HfCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubDownloaderTest {
  private static final String REPO = "openai-community/gpt2-medium";
  @TempDir Path cache;
  private final List<String> progress = new CopyOnWriteArrayList<>();

  @Test
  void bookAndShortNamesResolveToTheHubRepositories() {
    assertEquals("openai-community/gpt2", repository("gpt2-small (124M)"));
    assertEquals("openai-community/gpt2", repository("gpt2"));
    assertEquals("openai-community/gpt2-medium", repository("gpt2-medium (355M)"));
    assertEquals("openai-community/gpt2-xl", repository("gpt2-xl"));
    HubDownloader hub = new HubDownloader(null, null, cache, s -> {});
    assertEquals(cache.resolve("gpt2-large"), hub.directory(PretrainedModel.GPT2_LARGE));
    assertEquals(
        "https://huggingface.co/openai-community/gpt2-large/resolve/main/config.json",
        hub.url(PretrainedModel.find("gpt2-large").orElseThrow(), "config.json"));
  }

  private static String repository(String name) {
    return PretrainedModel.find(name).orElseThrow().hubRepository();
  }

  @Test
  void downloadsVerifiesAndLoadsWithTheToken() throws Exception {
    try (FakeHub hub = new FakeHub(Golden.modelDir(), REPO, FakeHub.Fault.NONE)) {
      Path dir =
          new HubDownloader(hub.url(), "secret", cache, progress::add)
              .ensure(PretrainedModel.GPT2_MEDIUM);
      assertEquals(cache.resolve("gpt2-medium"), dir);
      assertArrayEquals(
          Files.readAllBytes(Golden.modelDir().resolve("model.safetensors")),
          Files.readAllBytes(dir.resolve("model.safetensors")));
      assertTrue(hub.log.contains("GET config.json Bearer secret"), hub.log.toString());
      assertEquals(List.of("null"), hub.cdnAuthorization, "the token stays with the hub's host");
      assertTrue(progress.stream().anyMatch(l -> l.contains("sha256")), progress.toString());
      try (NDManager m = NDManager.newBaseManager();
          LanguageModel model = HfCheckpoint.load(dir, m)) {
        assertEquals(16, model.config().hiddenSize());
      }
      // a second call finds both files and asks nothing
      int requests = hub.log.size();
      new HubDownloader(hub.url(), null, cache, progress::add).ensure(PretrainedModel.GPT2_MEDIUM);
      assertEquals(requests, hub.log.size());
    }
  }

  @Test
  void anInterruptedTransferResumesWithARangeRequest() throws Exception {
    try (FakeHub hub = new FakeHub(Golden.modelDir(), REPO, FakeHub.Fault.INTERRUPT_FIRST)) {
      HubDownloader downloader = new HubDownloader(hub.url(), null, cache, progress::add);
      IOException broken =
          assertThrows(IOException.class, () -> downloader.ensure(PretrainedModel.GPT2_MEDIUM));
      assertTrue(broken.getMessage().contains("resumes"), broken.getMessage());
      assertFalse(Files.exists(cache.resolve("gpt2-medium/model.safetensors")));
      Path dir = downloader.ensure(PretrainedModel.GPT2_MEDIUM);
      assertTrue(
          hub.log.stream().anyMatch(l -> l.startsWith("GET cdn bytes=")), hub.log.toString());
      assertArrayEquals(
          Files.readAllBytes(Golden.modelDir().resolve("model.safetensors")),
          Files.readAllBytes(dir.resolve("model.safetensors")));
    }
  }

  @Test
  void aCorruptedTransferIsRejectedAndNotKept() throws Exception {
    try (FakeHub hub = new FakeHub(Golden.modelDir(), REPO, FakeHub.Fault.CORRUPT)) {
      IOException e =
          assertThrows(
              IOException.class,
              () ->
                  new HubDownloader(hub.url(), null, cache, progress::add)
                      .ensure(PretrainedModel.GPT2_MEDIUM));
      assertTrue(e.getMessage().contains("sha256"), e.getMessage());
      assertFalse(Files.exists(cache.resolve("gpt2-medium/model.safetensors")));
      assertFalse(Files.exists(cache.resolve("gpt2-medium/.download/model.safetensors.part")));
    }
  }

  @Test
  void concurrentCallersDownloadOnce() throws Exception {
    try (FakeHub hub = new FakeHub(Golden.modelDir(), REPO, FakeHub.Fault.NONE)) {
      ExecutorService pool = Executors.newFixedThreadPool(3);
      List<Future<Path>> calls = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        calls.add(
            pool.submit(
                () ->
                    new HubDownloader(hub.url(), null, cache, progress::add)
                        .ensure(PretrainedModel.GPT2_MEDIUM)));
      }
      for (Future<Path> call : calls) {
        assertEquals(cache.resolve("gpt2-medium"), call.get());
      }
      pool.shutdown();
      assertEquals(1, hub.weightTransfers.get());
    }
  }

  @Test
  void withoutNetworkOrCacheTheErrorNamesTheModelAndTheUrl() {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                new HubDownloader("http://127.0.0.1:1", null, cache, progress::add)
                    .ensure(PretrainedModel.GPT2_MEDIUM));
    assertTrue(e.getMessage().contains("gpt2-medium (355M)"), e.getMessage());
    assertTrue(
        e.getMessage()
            .contains("http://127.0.0.1:1/openai-community/gpt2-medium/resolve/main/config.json"),
        e.getMessage());
  }
}
