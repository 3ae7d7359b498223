package io.llmft.dataset.pipeline;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.llmft.common.KafkaTestClient;
import io.llmft.contract.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** GET /pipelines/{id}: the pipeline's stages as job-events told them, over the real broker. */
@QuarkusTest
class PipelineViewTest {
  private static void event(
      String pipeline, String stage, String job, String status, Instant at, String metrics) {
    KafkaTestClient.send(
        Topics.JOB_EVENTS,
        job,
        """
        {"schemaVersion": 1, "jobId": "%s", "pipelineId": "%s", "stage": "%s", "status": "%s",
         "metrics": %s, "timestamp": "%s"}
        """
            .formatted(job, pipeline, stage, status, metrics, at));
  }

  private static void awaitStatus(String pipeline, String status) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              var r = given().get("/pipelines/" + pipeline);
              return r.statusCode() == 200 && status.equals(r.path("status"));
            });
  }

  @Test
  void eachStageWithItsJobStatusTimesAndNumbersAndThePipelinesOwnStatus() {
    String pipeline = "p-" + UUID.randomUUID();
    given()
        .contentType(ContentType.JSON)
        .body(
            """
            {"jobId": "%s-dataset", "entries": [{"instruction": "a", "output": "b"}, {"instruction": "c", "output": "d"}],
             "pipeline": {"id": "%s", "next": [{"stage": "training", "job": {}}, {"stage": "inference", "job": {}}]}}
            """
                .formatted(pipeline, pipeline))
        .post("/datasets")
        .then()
        .statusCode(202);
    // the dataset stage reports itself; the other stages' services are played by events here
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                "SUCCEEDED"
                    .equals(
                        given()
                            .get("/pipelines/" + pipeline)
                            .then()
                            .extract()
                            .path("stages.find { it.stage == 'dataset' }.status")));
    Instant t = Instant.now();
    event(pipeline, "training", pipeline + "-training", "RUNNING", t, "{\"step\": 1}");
    event(
        pipeline,
        "training",
        pipeline + "-training",
        "SUCCEEDED",
        t.plusSeconds(5),
        "{\"step\": 6, \"last\": {\"trainLoss\": 1.5, \"valLoss\": 1.7}}");
    // an older event that arrives late changes nothing
    event(
        pipeline, "training", pipeline + "-training", "RUNNING", t.plusSeconds(2), "{\"step\": 3}");
    awaitStatus(pipeline, "RUNNING");
    event(pipeline, "inference", pipeline + "-inference", "RUNNING", t.plusSeconds(6), "{}");
    event(
        pipeline,
        "inference",
        pipeline + "-inference",
        "SUCCEEDED",
        t.plusSeconds(9),
        "{\"responses\": 2}");
    awaitStatus(pipeline, "SUCCEEDED");
    given()
        .get("/pipelines/" + pipeline)
        .then()
        .body("planned", equalTo(List.of("dataset", "training", "inference")))
        .body("stages.stage", equalTo(List.of("dataset", "training", "inference")))
        .body("stages.find { it.stage == 'training' }.jobId", equalTo(pipeline + "-training"))
        .body("stages.find { it.stage == 'training' }.status", equalTo("SUCCEEDED"))
        .body("stages.find { it.stage == 'training' }.metrics.last.valLoss", equalTo(1.7f))
        .body("stages.find { it.stage == 'training' }.startedAt", equalTo(t.toString()))
        .body("stages.find { it.stage == 'inference' }.metrics.responses", equalTo(2))
        .body("endedAt", equalTo(t.plusSeconds(9).toString()));
    given().get("/pipelines?limit=200").then().body("items.id", hasItem(pipeline));

    String failed = "p-" + UUID.randomUUID();
    event(failed, "training", failed + "-training", "FAILED", Instant.now(), "{}");
    awaitStatus(failed, "FAILED");
    given().get("/pipelines/nope").then().statusCode(404);
  }

  /** SFT, its responses, DPO, its responses: each job its own record, the plan counted. */
  @Test
  void aStageThatRunsTwiceKeepsBothJobsAndThePipelineWaitsForTheSecond() {
    String pipeline = "p-" + UUID.randomUUID();
    given()
        .contentType(ContentType.JSON)
        .body(
            """
            {"jobId": "%s-dataset", "entries": [{"instruction": "a", "output": "b"}],
             "pipeline": {"id": "%s", "next": [{"stage": "inference", "job": {}}, {"stage": "inference", "job": {}}]}}
            """
                .formatted(pipeline, pipeline))
        .post("/datasets")
        .then()
        .statusCode(202);
    Instant t = Instant.now();
    event(pipeline, "inference", pipeline + "-inference", "SUCCEEDED", t, "{\"responses\": 1}");
    event(pipeline, "inference", pipeline + "-inference-2", "RUNNING", t.plusSeconds(1), "{}");
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> given().get("/pipelines/" + pipeline).path("stages.size()").equals(3));
    given()
        .get("/pipelines/" + pipeline)
        .then()
        .body("status", equalTo("RUNNING"))
        .body(
            "stages.jobId",
            equalTo(
                List.of(
                    pipeline + "-dataset", pipeline + "-inference", pipeline + "-inference-2")));
    event(pipeline, "inference", pipeline + "-inference-2", "SUCCEEDED", t.plusSeconds(2), "{}");
    awaitStatus(pipeline, "SUCCEEDED");
  }
}
