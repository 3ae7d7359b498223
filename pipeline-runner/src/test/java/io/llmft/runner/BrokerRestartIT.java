package io.llmft.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.common.FakeOllama;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The broker stopped for 30 s while a pipeline trains, then started again: the hand-offs wait for
 * it (none is dropped), the pipeline finishes, and no stage runs twice.
 */
class BrokerRestartIT {
  private static final Duration OUTAGE = Duration.ofSeconds(30);

  @Test
  void aPipelineOutlivesABrokerOutage() throws Exception {
    RunnerOptions options = JobsApi.freshOptions("target/it-broker-restart");
    try (TestBroker broker =
            new TestBroker(options.repository, Path.of("target/it-broker-restart-kafka"), 19092);
        FakeOllama judge = new FakeOllama(p -> "42")) {
      broker.start();
      broker.createTopics();
      options.kafka = broker.bootstrap();
      options.ollama = judge.url();
      List<ServiceProcess> services = new ArrayList<>();
      try {
        int port = 18201;
        for (String name :
            List.of("dataset-service", "trainer-service", "inference-service", "scoring-service")) {
          services.add(ServiceProcess.start(name, port++, options));
        }
        for (ServiceProcess s : services) {
          s.awaitReady(Duration.ofMinutes(2));
        }
        String p = "outage-" + System.currentTimeMillis();
        JobsApi.post(
            services.get(0).url() + "/datasets",
            """
            {"jobId": "%s-dataset", "source": {"builtin": "instruction-data"},
             "pipeline": {"id": "%s", "next": [
               {"stage": "training", "job": {"baseModel": {"config": {"emb_dim": 64, "n_layers": 2,
                 "n_heads": 4, "context_length": 256}}, "maxSteps": 25, "evalFreq": 5, "evalIter": 1}},
               {"stage": "inference", "job": {"maxNewTokens": 4}},
               {"stage": "scoring", "job": {}}]}}
            """
                .formatted(p, p));
        String training = services.get(1).url() + "/training-jobs/" + p + "-training";
        JobsApi.await(training, j -> j.path("step").asInt() >= 3, Duration.ofMinutes(2));
        broker.stop();
        Thread.sleep(OUTAGE.toMillis());
        broker.start();

        JsonNode scoring =
            JobsApi.awaitEnd(
                services.get(3).url() + "/scoring-jobs/" + p + "-scoring", Duration.ofMinutes(4));
        assertEquals("SUCCEEDED", JobsApi.status(scoring), scoring.toString());
        Map<String, String> jobs =
            Map.of(
                "datasets/" + p + "-dataset", services.get(0).url(),
                "training-jobs/" + p + "-training", services.get(1).url(),
                "inference-jobs/" + p + "-inference", services.get(2).url(),
                "scoring-jobs/" + p + "-scoring", services.get(3).url());
        for (var job : jobs.entrySet()) {
          JsonNode doc = JobsApi.get(job.getValue() + "/" + job.getKey());
          assertEquals("SUCCEEDED", JobsApi.status(doc), doc.toString());
          assertEquals(1, doc.path("attempts").asInt(), "ran once: " + doc);
        }
        assertEquals(25, JobsApi.get(training).path("step").asInt());
      } finally {
        for (ServiceProcess s : services) {
          s.close();
        }
      }
    }
  }
}
