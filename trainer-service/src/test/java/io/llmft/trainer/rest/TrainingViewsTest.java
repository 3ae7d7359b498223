package io.llmft.trainer.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmft.common.JobPolling;
import io.llmft.common.TestDatasets;
import io.llmft.common.store.DatasetArtifacts;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a person looks at: the loss plot, the samples per epoch, the lists and the models. */
@QuarkusTest
class TrainingViewsTest {
  private static final String TINY =
      "{\"config\": {\"emb_dim\": 8, \"n_layers\": 1, \"n_heads\": 2, \"context_length\": 96}, \"seed\": 7}";

  @Inject DatasetArtifacts datasets;

  private String train(String datasetId, int epochs) {
    String id =
        given()
            .contentType(ContentType.JSON)
            .body(
                "{\"datasetId\": \""
                    + datasetId
                    + "\", \"baseModel\": "
                    + TINY
                    + ", \"epochs\": "
                    + epochs
                    + ", \"batchSize\": 4, \"evalFreq\": 1, \"evalIter\": 1}")
            .post("/training-jobs")
            .then()
            .statusCode(202)
            .extract()
            .path("id");
    assertEquals("SUCCEEDED", JobPolling.awaitEnd("/training-jobs/" + id, Duration.ofSeconds(120)));
    return id;
  }

  @Test
  void aSampleAfterEveryEpochAndTheBooksLossPlot() throws Exception {
    String dataset = "ds-" + UUID.randomUUID();
    TestDatasets.write(datasets, dataset, 12, 4, 2);
    String id = train(dataset, 2);
    given()
        .get("/training-jobs/" + id)
        .then()
        .body("samples", hasSize(2))
        .body("samples.epoch", equalTo(List.of(1, 2)))
        .body("samples.step", equalTo(List.of(3, 6)))
        .body("samples.text", everyItem(startsWith("Below is an instruction")))
        .body("samples.response", everyItem(notNullValue()))
        .body("promptStyle", equalTo("alpaca"))
        .body("timing.fraction", equalTo(1.0f))
        .body("timing.etaSeconds", equalTo(0.0f))
        .body("timing.rateUnit", equalTo("tokens/s"))
        .body("timing.rate", greaterThan(0f))
        .body("timing.elapsedSeconds", greaterThan(0f));
    String svg =
        given()
            .accept("image/svg+xml")
            .get("/training-jobs/" + id + "/loss-plot")
            .then()
            .statusCode(200)
            .contentType(startsWith("image/svg+xml"))
            .extract()
            .asString();
    assertTrue(svg.startsWith("<?xml") || svg.startsWith("<svg"), svg.substring(0, 40));
    for (String label : List.of("Training loss", "Validation loss", "Epochs", "Tokens seen")) {
      assertTrue(svg.contains(label), "the plot shows " + label);
    }
    assertFalse(svg.contains("reward margin"), "instruction finetuning has no rewards");
    byte[] png =
        given()
            .accept("image/png")
            .get("/training-jobs/" + id + "/loss-plot")
            .then()
            .statusCode(200)
            .contentType("image/png")
            .extract()
            .asByteArray();
    assertArrayEquals(
        new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4), "a PNG image");
    Files.write(Path.of("target/loss-plot.png"), png); // kept to look at
    given().get("/training-jobs/nope/loss-plot").then().statusCode(404);
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertTrue(
        metrics.contains("llmft_jobs_total{stage=\"training\",status=\"SUCCEEDED\"}"), "jobs");
    assertTrue(metrics.contains("llmft_job_duration_seconds_bucket{"), "durations");
    assertTrue(metrics.contains("llmft_training_loss{split=\"validation\"}"), "losses");
    assertTrue(
        metrics
            .lines()
            .anyMatch(l -> l.startsWith("llmft_training_tokens_total ") && !l.endsWith(" 0.0")),
        "tokens trained");
  }

  @Test
  void jobsAndModelsAreListedNewestFirstPageByPage() {
    String dataset = "ds-" + UUID.randomUUID();
    TestDatasets.write(datasets, dataset, 8, 4, 2);
    String older = train(dataset, 1);
    String newer = train(dataset, 1);
    given()
        .get("/training-jobs?status=SUCCEEDED&limit=200")
        .then()
        .statusCode(200)
        .body("items.id", hasItem(older))
        .body("items.status", everyItem(equalTo("SUCCEEDED")));
    String first =
        given()
            .get("/training-jobs?limit=1")
            .then()
            .body("items", hasSize(1))
            .extract()
            .path("items[0].id");
    assertEquals(newer, first, "newest first");
    String cursor = given().get("/training-jobs?limit=1").then().extract().path("nextCursor");
    String second =
        given()
            .get("/training-jobs?limit=1&cursor=" + cursor)
            .then()
            .statusCode(200)
            .extract()
            .path("items[0].id");
    assertNotEquals(first, second, "the next page goes on after the first");
    given()
        .get("/training-jobs?status=DONE")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("status"));
    given()
        .get("/training-jobs?limit=0")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("limit"));
    given()
        .queryParam("cursor", "###")
        .get("/training-jobs")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("cursor"));

    given()
        .get("/models?limit=200")
        .then()
        .statusCode(200)
        .body("items.id", hasItem(newer))
        .body("items.find { it.id == '" + newer + "' }.datasetId", equalTo(dataset))
        .body("items.find { it.id == '" + newer + "' }.baseModel", containsString("emb_dim"))
        .body("items.find { it.id == '" + newer + "' }.hyperparameters.epochs", equalTo(1))
        .body("items.find { it.id == '" + newer + "' }.finalLosses.valLoss", notNullValue())
        .body("items.find { it.id == '" + newer + "' }.sizeBytes", notNullValue());
    given().delete("/models/" + older).then().statusCode(204);
    given().get("/models/" + older).then().statusCode(404);
    given().get("/models?limit=200").then().body("items.id", not(hasItem(older)));
    given().delete("/models/" + older).then().statusCode(404);
  }
}
