package io.llmft.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code pipeline} of a job message: its id, the stages still to run, and the ids produced so
 * far ({@code context}, an extension of the contract) that later jobs take when they leave them
 * unset.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Pipeline(String id, List<PipelineStep> next, Map<String, String> context) {
  public Pipeline {
    next = next == null ? List.of() : List.copyOf(next);
    context = context == null ? Map.of() : Map.copyOf(context);
  }

  /** The message that continues this pipeline after a stage succeeded. */
  public record NextJob(Stage stage, String jobId, ObjectNode body) {}

  /**
   * The first {@code next} job, with its missing ids filled from {@code produced} (merged into the
   * context), a job id derived from the pipeline id when it has none, and the rest of {@code next}
   * carried on; empty when nothing follows.
   */
  public Optional<NextJob> continueWith(Map<String, String> produced) {
    if (next.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> merged = new LinkedHashMap<>(context);
    produced.forEach(
        (k, v) -> {
          if (v != null) {
            merged.put(k, v);
          }
        });
    String inferenceJob = produced.get(PipelineContext.INFERENCE_JOB_ID);
    List<String> inferenceJobs = inferenceJobs(context);
    if (inferenceJob != null && !inferenceJobs.contains(inferenceJob)) {
      inferenceJobs.add(inferenceJob);
      merged.put(PipelineContext.INFERENCE_JOB_IDS, String.join(",", inferenceJobs));
    }
    PipelineStep step = next.get(0);
    ObjectNode body =
        step.job() == null ? JsonSupport.MAPPER.createObjectNode() : step.job().deepCopy();
    boolean comparison = step.stage() == Stage.SCORING && body.hasNonNull("comparison");
    if (comparison) {
      fillSources(body.get("comparison").path("sources"), inferenceJobs);
    } else {
      for (String field : step.stage().inputIds()) {
        if ((!body.hasNonNull(field)) && merged.containsKey(field)) {
          body.put(field, merged.get(field));
        }
      }
    }
    boolean dpo =
        step.stage() == Stage.TRAINING && TrainingJob.DPO.equals(body.path("method").asText());
    if (dpo && !body.hasNonNull("baseModel") && merged.containsKey(PipelineContext.MODEL)) {
      // SFT then DPO: the preference tuning starts from (and is referenced against) the model
      // the pipeline finetuned
      body.put("baseModel", merged.get(PipelineContext.MODEL));
    }
    if (!body.hasNonNull("jobId")) {
      body.put(
          "jobId",
          id + "-" + (dpo ? TrainingJob.DPO : step.stage().id()) + ordinal(step, inferenceJobs));
    }
    Pipeline rest = new Pipeline(id, new ArrayList<>(next.subList(1, next.size())), merged);
    body.set("pipeline", JsonSupport.MAPPER.valueToTree(rest));
    return Optional.of(new NextJob(step.stage(), body.get("jobId").asText(), body));
  }

  private static List<String> inferenceJobs(Map<String, String> context) {
    String ids = context.get(PipelineContext.INFERENCE_JOB_IDS);
    List<String> list = new ArrayList<>();
    if (ids != null && !ids.isEmpty()) {
      list.addAll(List.of(ids.split(",")));
    }
    return list;
  }

  /** A second inference job of the pipeline is {@code {id}-inference-2}, and so on. */
  private static String ordinal(PipelineStep step, List<String> inferenceJobs) {
    return step.stage() == Stage.INFERENCE && !inferenceJobs.isEmpty()
        ? "-" + (inferenceJobs.size() + 1)
        : "";
  }

  /**
   * A comparison's sources that name neither an inference job nor a response key take the
   * pipeline's last inference jobs, in the order they ran (SFT, then SFT → DPO).
   */
  private static void fillSources(JsonNode sources, List<String> inferenceJobs) {
    List<ObjectNode> unset = new ArrayList<>();
    for (JsonNode source : sources) {
      if (source instanceof ObjectNode o
          && !o.hasNonNull("inferenceJobId")
          && !o.hasNonNull("responseKey")) {
        unset.add(o);
      }
    }
    int from = inferenceJobs.size() - unset.size();
    for (int i = 0; i < unset.size(); i++) {
      if (from + i >= 0) {
        unset.get(i).put("inferenceJobId", inferenceJobs.get(from + i));
      }
    }
  }
}
