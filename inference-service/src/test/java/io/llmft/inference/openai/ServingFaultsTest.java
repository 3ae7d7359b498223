package io.llmft.inference.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmft.common.TestAuth;
import io.llmft.common.store.ArtifactStore;
import io.llmft.contract.ModelRef;
import io.llmft.inference.TestModels;
import io.llmft.inference.service.FaultyModels;
import io.llmft.inference.service.ModelCache;
import io.llmft.inference.service.ModelLoader;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a failing or slow model does to serving: a failure in the decode loop ends every request it
 * holds, once, with an OpenAI error, gives their leases back and leaves the loop serving; a model
 * being read from disk does not stop the others.
 */
@QuarkusTest
class ServingFaultsTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Inject ArtifactStore store;
  @Inject ModelCache models;

  @TestHTTPResource("/v1/chat/completions")
  URL completions;

  private FaultyModels faulty;

  @BeforeEach
  void faultyLoader() {
    faulty = new FaultyModels();
    QuarkusMock.installMockForType(faulty, ModelLoader.class);
  }

  private CompletableFuture<HttpResponse<String>> chat(String model, int maxTokens, boolean stream)
      throws Exception {
    return chat(model, "Hi", maxTokens, stream);
  }

  private CompletableFuture<HttpResponse<String>> chat(
      String model, String content, int maxTokens, boolean stream) throws Exception {
    String body =
        "{\"model\": \""
            + model
            + "\", \"messages\": [{\"role\": \"user\", \"content\": \""
            + content
            + "\"}], \"max_tokens\": "
            + maxTokens
            + ", \"temperature\": 0, \"stream\": "
            + stream
            + "}";
    return HTTP.sendAsync(
        HttpRequest.newBuilder(completions.toURI())
            .header("Authorization", "Bearer " + TestAuth.VIEWER_KEY)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aFailureMidBatchEndsAllFiveRequestsReturnsTheirLeasesAndTheNextIsServed() throws Exception {
    String model = TestModels.storeModel(store);
    faulty.slowHeadMillis = 20; // 40 tokens take a second: the five overlap
    List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      streams.add(chat(model, 40, true));
    }
    var loop = loopOf(model);
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(2))
        .until(() -> loop.stats().largestBatch() == 4);
    faulty.failOnRows = 5; // the first step of all five fails
    CompletableFuture<HttpResponse<String>> joining = chat(model, 40, false);

    for (CompletableFuture<HttpResponse<String>> stream : streams) {
      String events = stream.get(30, TimeUnit.SECONDS).body();
      assertTrue(events.contains("\"error\""), events);
      assertTrue(events.contains("injected failure"), events);
      assertTrue(events.endsWith("data: [DONE]\n\n"), events);
      assertTrue(!events.contains("finish_reason\":\"length"), "it did not run to its end");
    }
    HttpResponse<String> joined = joining.get(30, TimeUnit.SECONDS);
    assertEquals(500, joined.statusCode(), joined.body());
    assertTrue(joined.body().contains("injected failure"), joined.body());
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> models.leases() == 0);

    faulty.failOnRows = 0;
    HttpResponse<String> sixth = chat(model, 5, false).get(30, TimeUnit.SECONDS);
    assertEquals(200, sixth.statusCode(), sixth.body());
    assertTrue(sixth.body().contains("\"finish_reason\""), sixth.body());
    assertEquals(0, models.leases());
  }

  /**
   * A long prompt whose prefill cannot be allocated fails alone: the requests decoding meanwhile
   * run to their end.
   */
  @Test
  void aFailedPrefillFailsOnlyTheJoiningRequest() throws Exception {
    String model = TestModels.storeModel(store);
    faulty.slowHeadMillis = 20;
    List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      streams.add(chat(model, 30, true));
    }
    var loop = loopOf(model);
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(2))
        .until(() -> loop.stats().largestBatch() == 3);
    faulty.failOnFed = 20; // the alpaca prompt of a long instruction is more than 20 tokens
    HttpResponse<String> joined =
        chat(model, "Rewrite this long sentence in the passive voice, please.", 5, false)
            .get(30, TimeUnit.SECONDS);
    assertEquals(500, joined.statusCode(), joined.body());
    assertTrue(joined.body().contains("no memory for 20 columns"), joined.body());
    for (CompletableFuture<HttpResponse<String>> stream : streams) {
      String events = stream.get(30, TimeUnit.SECONDS).body();
      assertTrue(events.contains("finish_reason\":\"length"), events);
      assertTrue(!events.contains("\"error\""), events);
    }
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> models.leases() == 0);
  }

  @Test
  void aStreamKeepsGoingAndEndsWhileAnotherModelLoads() throws Exception {
    String served = TestModels.storeModel(store);
    String loadingModel = TestModels.storeModel(store);
    var loop = loopOf(served);
    faulty.holdLoadOf = store.layout().model(loadingModel).toAbsolutePath().normalize();
    CompletableFuture<HttpResponse<String>> slowLoad = chat(loadingModel, 3, false);
    assertTrue(faulty.loadStarted.await(20, TimeUnit.SECONDS), "the second model is loading");

    faulty.slowHeadMillis = 10;
    long before = loop.stats().decodeSteps();
    HttpResponse<String> stream = chat(served, 30, true).get(30, TimeUnit.SECONDS);
    assertTrue(stream.body().contains("finish_reason\":\"length"), stream.body());
    assertTrue(loop.stats().decodeSteps() - before >= 29, "its tokens came while the other loaded");
    HttpResponse<String> next = chat(served, 3, false).get(30, TimeUnit.SECONDS);
    assertEquals(200, next.statusCode(), "a lease is taken and given back meanwhile");
    assertTrue(!slowLoad.isDone(), "the second model is still loading");

    faulty.release.countDown();
    assertEquals(200, slowLoad.get(30, TimeUnit.SECONDS).statusCode());
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> models.leases() == 0);
  }

  /**
   * Requests for many distinct models read at most two of them at once: the others wait for a read
   * to end instead of filling the pod with models.
   */
  @Test
  void distinctModelsAreReadAtMostTwoAtATime() throws Exception {
    String held = TestModels.storeModel(store);
    faulty.holdLoadOf = store.layout().model(held).toAbsolutePath().normalize();
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    calls.add(chat(held, 2, false));
    assertTrue(faulty.loadStarted.await(20, TimeUnit.SECONDS));
    for (int i = 0; i < 4; i++) {
      calls.add(chat(TestModels.storeModel(store), 2, false));
    }
    Thread.sleep(1_000); // the four would all be reading by now if nothing bounded them
    assertTrue(faulty.maxConcurrentLoads() <= 2, "loads at once: " + faulty.maxConcurrentLoads());
    faulty.release.countDown();
    for (CompletableFuture<HttpResponse<String>> call : calls) {
      assertEquals(200, call.get(60, TimeUnit.SECONDS).statusCode());
    }
  }

  /** The model's decode loop (a lease taken and given back: the model stays cached). */
  private io.llmft.serving.DecodeLoop loopOf(String model) throws Exception {
    try (ModelCache.Lease lease = models.lease(new ModelRef.Finetuned(model))) {
      return lease.loop();
    }
  }
}
