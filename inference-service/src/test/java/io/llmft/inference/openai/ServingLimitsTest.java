package io.llmft.inference.openai;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmft.common.TestAuth;
import io.llmft.common.store.ArtifactStore;
import io.llmft.contract.ModelRef;
import io.llmft.inference.TestModels;
import io.llmft.inference.service.ModelCache;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A batch of one with one place in the queue: the bounded queue and the freed slot. */
@QuarkusTest
@TestProfile(ServingLimitsTest.BatchOfOne.class)
class ServingLimitsTest {
  public static class BatchOfOne implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("serving.max-batch", "1", "serving.max-waiting", "1");
    }
  }

  @Inject ArtifactStore store;
  @Inject ModelCache models;

  @TestHTTPResource("/")
  URL root;

  private static String body(String model, int maxTokens, boolean stream) {
    return "{\"model\": \""
        + model
        + "\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
        + " \"max_tokens\": "
        + maxTokens
        + ", \"temperature\": 0, \"stream\": "
        + stream
        + "}";
  }

  @Test
  void aFullQueueIsA429WithRetryAfter() throws Exception {
    String model = TestModels.storeModel(store);
    List<CompletableFuture<Response>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      calls.add(
          CompletableFuture.supplyAsync(
              () ->
                  given()
                      .contentType(ContentType.JSON)
                      .body(body(model, 50, false))
                      .post("/v1/chat/completions")));
    }
    int ok = 0;
    int refused = 0;
    for (CompletableFuture<Response> call : calls) {
      Response r = call.get();
      if (r.statusCode() == 200) {
        ok++;
      } else {
        assertEquals(429, r.statusCode(), r.asString());
        assertEquals("1", r.header("Retry-After"));
        assertEquals("rate_limit_error", r.path("error.type"));
        refused++;
      }
    }
    assertTrue(ok >= 1 && refused >= 1, ok + " answered, " + refused + " refused");
  }

  @Test
  void aClientThatGoesAwayFreesItsPlaceAtOnce() throws Exception {
    String model = TestModels.storeModel(store);
    try (ModelCache.Lease lease = models.lease(new ModelRef.Finetuned(model))) {
      // the batch's one place is taken: the streamed request waits in the queue, its head sent
      CompletableFuture<Response> busy =
          CompletableFuture.supplyAsync(
              () ->
                  given()
                      .contentType(ContentType.JSON)
                      .body(body(model, 60, false))
                      .post("/v1/chat/completions"));
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(1))
          .until(() -> lease.loop().stats().prefills() == 1);
      try (Socket socket = new Socket(root.getHost(), root.getPort())) {
        socket.setSoTimeout(10_000);
        byte[] json = body(model, 60, true).getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(
            ("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer "
                    + TestAuth.VIEWER_KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + json.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        out.write(json);
        out.flush();
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("HTTP/1.1 200 OK", in.readLine());
        String line;
        do {
          line = in.readLine();
        } while (line != null && !line.startsWith("data: "));
        assertTrue(line != null, "the stream started");
      } // the client goes away after its first event, while it waits
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> lease.loop().stats().cancelled() == 1);
      assertEquals(200, busy.get().statusCode());
      assertEquals(1, lease.loop().stats().prefills(), "the one that left never ran");
      // its place is free: the next request is answered
      given()
          .contentType(ContentType.JSON)
          .body(body(model, 3, false))
          .post("/v1/chat/completions")
          .then()
          .statusCode(200);
    }
  }
}
