package io.llmft.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The OpenAI-compatible serving under load (not a test): the packaged inference-service serving a
 * model of the artifact store, clients streaming {@code /v1/completions} of N new tokens each, at
 * several concurrencies: aggregate tokens/s, time to first token and inter-token latency (p50,
 * p95), against the same requests sent one at a time.
 *
 * <p>Args: ARTIFACTS_DIR MODEL_ID [NEW_TOKENS=128] [CONCURRENCIES=1,4,16,32].
 */
public final class ServeBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROMPT =
      "Below is an instruction that describes a task. Write a response";

  private record Stream(double ttft, List<Double> gaps, int tokens) {}

  public static void main(String[] args) throws Exception {
    Path artifacts = Path.of(args[0]).toAbsolutePath();
    String model = args[1];
    int tokens = args.length > 2 ? Integer.parseInt(args[2]) : 128;
    String[] levels = (args.length > 3 ? args[3] : "1,4,16,32").split(",");
    RunnerOptions options =
        RunnerOptions.parse("--repository", ".", "--artifacts", artifacts.toString());
    options.apiKey = JobsApi.KEY;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    try (ServiceProcess inference =
        ServiceProcess.start(
            "inference-service", 18491, options, Map.of("SERVING_MAX_BATCH", "32"))) {
      inference.awaitReady(Duration.ofMinutes(3));
      String url = inference.url() + "/v1/completions";
      request(http, url, model, tokens); // loads the model and warms up
      int alone = Math.max(4, Integer.parseInt(levels[levels.length - 1]) / 8);
      long start = System.nanoTime();
      List<Stream> sequential = new ArrayList<>();
      for (int i = 0; i < alone; i++) {
        sequential.add(request(http, url, model, tokens));
      }
      double baseline = rate(sequential, start);
      System.out.printf(
          "%d new tokens per request; one at a time (%d requests): %.1f tokens/s, TTFT p50 %.2f s,"
              + " ITL p50 %.0f ms%n%n",
          tokens, alone, baseline, pct(ttfts(sequential), 50), 1000 * pct(gaps(sequential), 50));
      System.out.println(
          "| clients | requests | tokens/s | × one at a time | TTFT p50 | TTFT p95 | ITL p50 | ITL p95 |");
      System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
      for (String level : levels) {
        int clients = Integer.parseInt(level.trim());
        int each = clients == 1 ? 3 : 2;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<List<Stream>>> runs = new ArrayList<>();
        long began = System.nanoTime();
        for (int c = 0; c < clients; c++) {
          runs.add(
              pool.submit(
                  () -> {
                    List<Stream> mine = new ArrayList<>();
                    for (int r = 0; r < each; r++) {
                      mine.add(request(http, url, model, tokens));
                    }
                    return mine;
                  }));
        }
        List<Stream> all = new ArrayList<>();
        for (Future<List<Stream>> run : runs) {
          all.addAll(run.get());
        }
        pool.shutdown();
        double rate = rate(all, began);
        System.out.printf(
            "| %d | %d | %.1f | %.1f | %.2f s | %.2f s | %.0f ms | %.0f ms |%n",
            clients,
            all.size(),
            rate,
            rate / baseline,
            pct(ttfts(all), 50),
            pct(ttfts(all), 95),
            1000 * pct(gaps(all), 50),
            1000 * pct(gaps(all), 95));
      }
      HttpResponse<String> metrics =
          http.send(
              HttpRequest.newBuilder(URI.create(inference.url() + "/q/metrics"))
                  .header("Authorization", "Bearer " + JobsApi.KEY)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      System.out.println();
      metrics
          .body()
          .lines()
          .filter(l -> l.startsWith("llmft_serving_"))
          .forEach(System.out::println);
    }
  }

  /** One streamed completion: when its first token came, the gaps between the others. */
  private static Stream request(HttpClient http, String url, String model, int tokens)
      throws Exception {
    String body =
        JSON.createObjectNode()
            .put("model", model)
            .put("prompt", PROMPT)
            .put("max_tokens", tokens)
            .put("temperature", 0)
            .put("stream", true)
            .toString();
    long sent = System.nanoTime();
    HttpResponse<java.io.InputStream> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + JobsApi.KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "HTTP " + response.statusCode() + ": " + new String(response.body().readAllBytes()));
    }
    double ttft = -1;
    long last = 0;
    List<Double> gaps = new ArrayList<>();
    int pieces = 0;
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
          continue;
        }
        JsonNode chunk = JSON.readTree(line.substring(6));
        String text = chunk.at("/choices/0/text").asText("");
        if (text.isEmpty()) {
          continue;
        }
        long now = System.nanoTime();
        if (ttft < 0) {
          ttft = (now - sent) / 1e9;
        } else {
          gaps.add((now - last) / 1e9);
        }
        last = now;
        pieces++;
      }
    }
    return new Stream(ttft, gaps, pieces);
  }

  private static double rate(List<Stream> streams, long began) {
    double seconds = (System.nanoTime() - began) / 1e9;
    return streams.stream().mapToInt(Stream::tokens).sum() / seconds;
  }

  private static List<Double> ttfts(List<Stream> streams) {
    return streams.stream().map(Stream::ttft).toList();
  }

  private static List<Double> gaps(List<Stream> streams) {
    return streams.stream().flatMap(s -> s.gaps().stream()).toList();
  }

  private static double pct(List<Double> values, int p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
