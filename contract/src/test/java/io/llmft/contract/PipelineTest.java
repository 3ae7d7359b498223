package io.llmft.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineTest {
  private static ObjectNode json(String text) throws Exception {
    return (ObjectNode) JsonSupport.MAPPER.readTree(text);
  }

  @Test
  void nextJobGetsProducedIdsAJobIdAndTheRestOfThePipeline() throws Exception {
    Pipeline pipeline =
        JsonSupport.MAPPER.readValue(
            """
            {"id": "p1", "next": [
              {"stage": "training", "job": {"epochs": 1}},
              {"stage": "inference", "job": {"maxNewTokens": 8}},
              {"stage": "scoring", "job": {}}]}
            """,
            Pipeline.class);
    Pipeline.NextJob training = pipeline.continueWith(Map.of("datasetId", "ds-1")).orElseThrow();
    assertEquals(Stage.TRAINING, training.stage());
    assertEquals("p1-training", training.jobId());
    assertEquals("ds-1", training.body().get("datasetId").asText());
    assertFalse(training.body().has("model"), "training takes no model id");
    assertEquals(1, training.body().get("epochs").asInt());

    Pipeline afterTraining =
        JsonSupport.MAPPER.treeToValue(training.body().get("pipeline"), Pipeline.class);
    assertEquals(2, afterTraining.next().size());
    Pipeline.NextJob inference =
        afterTraining.continueWith(Map.of("model", "p1-training")).orElseThrow();
    assertEquals(
        "ds-1", inference.body().get("datasetId").asText(), "carried from the dataset stage");
    assertEquals("p1-training", inference.body().get("model").asText());

    Pipeline afterInference =
        JsonSupport.MAPPER.treeToValue(inference.body().get("pipeline"), Pipeline.class);
    Pipeline.NextJob scoring =
        afterInference.continueWith(Map.of("inferenceJobId", "p1-inference")).orElseThrow();
    assertEquals("p1-inference", scoring.body().get("inferenceJobId").asText());
    Pipeline last = JsonSupport.MAPPER.treeToValue(scoring.body().get("pipeline"), Pipeline.class);
    assertTrue(last.continueWith(Map.of()).isEmpty());
  }

  @Test
  void idsTheJobSetsAreKept() throws Exception {
    Pipeline pipeline =
        new Pipeline(
            "p2",
            List.of(
                new PipelineStep(
                    Stage.TRAINING, json("{\"jobId\": \"t9\", \"datasetId\": \"other\"}"))),
            null);
    Pipeline.NextJob next = pipeline.continueWith(Map.of("datasetId", "ds-1")).orElseThrow();
    assertEquals("t9", next.jobId());
    assertEquals("other", next.body().get("datasetId").asText());
  }

  @Test
  void aDpoTrainingAfterAnSftOneStartsFromItsModel() throws Exception {
    Pipeline pipeline =
        JsonSupport.MAPPER.readValue(
            """
            {"id": "p3", "next": [
              {"stage": "training", "job": {"method": "dpo"}},
              {"stage": "inference", "job": {}}],
             "context": {"datasetId": "pref-1"}}
            """,
            Pipeline.class);
    Pipeline.NextJob dpo = pipeline.continueWith(Map.of("model", "p3-training")).orElseThrow();
    assertEquals("p3-dpo", dpo.jobId(), "not the SFT job's id");
    assertEquals("p3-training", dpo.body().get("baseModel").asText());
    assertEquals("pref-1", dpo.body().get("datasetId").asText());
    Pipeline after = JsonSupport.MAPPER.treeToValue(dpo.body().get("pipeline"), Pipeline.class);
    Pipeline.NextJob inference = after.continueWith(Map.of("model", "p3-dpo")).orElseThrow();
    assertEquals("p3-dpo", inference.body().get("model").asText(), "the DPO model is served");
  }

  @Test
  void aComparisonAtTheEndTakesThePipelinesInferenceJobsInOrder() throws Exception {
    Pipeline pipeline =
        JsonSupport.MAPPER.readValue(
            """
            {"id": "p4", "next": [
              {"stage": "inference", "job": {}},
              {"stage": "training", "job": {"method": "dpo"}},
              {"stage": "inference", "job": {}},
              {"stage": "scoring", "job": {"comparison": {"sources": [
                {"name": "sft"}, {"name": "dpo"}]}}}],
             "context": {"datasetId": "pref-1"}}
            """,
            Pipeline.class);
    Pipeline.NextJob sft = pipeline.continueWith(Map.of("model", "p4-training")).orElseThrow();
    assertEquals("p4-inference", sft.jobId());
    Pipeline.NextJob dpo =
        rest(sft).continueWith(Map.of("inferenceJobId", "p4-inference")).orElseThrow();
    Pipeline.NextJob second = rest(dpo).continueWith(Map.of("model", "p4-dpo")).orElseThrow();
    assertEquals("p4-inference-2", second.jobId(), "not the first inference job's id");
    assertEquals("p4-dpo", second.body().get("model").asText());
    Pipeline.NextJob comparison =
        rest(second).continueWith(Map.of("inferenceJobId", "p4-inference-2")).orElseThrow();
    assertEquals("p4-scoring", comparison.jobId());
    assertFalse(comparison.body().has("inferenceJobId"), "a comparison names its jobs in sources");
    JsonNode sources = comparison.body().get("comparison").get("sources");
    assertEquals("p4-inference", sources.get(0).get("inferenceJobId").asText());
    assertEquals("p4-inference-2", sources.get(1).get("inferenceJobId").asText());
    assertEquals("sft", sources.get(0).get("name").asText());
  }

  @Test
  void sourcesThatNameTheirJobKeepItAndUnfilledOnesStayUnset() throws Exception {
    Pipeline pipeline =
        JsonSupport.MAPPER.readValue(
            """
            {"id": "p5", "next": [
              {"stage": "scoring", "job": {"comparison": {"sources": [
                {"inferenceJobId": "older"}, {}, {}]}}}]}
            """,
            Pipeline.class);
    JsonNode sources =
        pipeline
            .continueWith(Map.of("inferenceJobId", "p5-inference"))
            .orElseThrow()
            .body()
            .get("comparison")
            .get("sources");
    assertEquals("older", sources.get(0).get("inferenceJobId").asText());
    // one inference job for two unset sources: the later one gets it, the first stays unset and
    // the scoring service refuses the job naming comparison.sources
    assertFalse(sources.get(1).has("inferenceJobId"));
    assertEquals("p5-inference", sources.get(2).get("inferenceJobId").asText());
  }

  private static Pipeline rest(Pipeline.NextJob job) throws Exception {
    return JsonSupport.MAPPER.treeToValue(job.body().get("pipeline"), Pipeline.class);
  }
}
