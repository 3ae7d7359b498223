package io.llmft.inference.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.common.messaging.JobMessages;
import io.llmft.common.rest.Validation;
import io.llmft.contract.InstructionEntry;
import io.llmft.contract.Sampling;
import io.llmft.contract.Violation;
import io.llmft.inference.service.GenerationMeters;
import io.llmft.inference.service.InferenceService;
import io.llmft.inference.service.ModelCache;
import io.llmft.inference.service.Responder;
import io.llmft.models.gpt2.GptConfig;
import io.llmft.serving.generate.Sampler;
import io.llmft.text.PromptStyle;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

@Path("/generate")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class GenerateResource {
  /** Characters of an instruction or input: far beyond any prompt that fits GPT-2's context. */
  static final int MAX_TEXT = 20_000;

  private final ModelCache models;
  private final JobMessages messages;
  private final GenerationMeters meters;

  public GenerateResource(ModelCache models, JobMessages messages, GenerationMeters meters) {
    this.models = models;
    this.messages = messages;
    this.meters = meters;
  }

  @POST
  public GenerateResponse generate(
      @RequestBody(content = @Content(schema = @Schema(implementation = GenerateRequest.class)))
          JsonNode body)
      throws IOException {
    GenerateRequest request = messages.parseRequest(body, GenerateRequest.class, this::validate);
    PromptStyle style =
        request.promptStyle() == null
            ? PromptStyle.ALPACA
            : PromptStyle.fromId(request.promptStyle());
    int maxNewTokens =
        request.maxNewTokens() != null
            ? request.maxNewTokens()
            : InferenceService.DEFAULT_MAX_NEW_TOKENS;
    Responder.Answer answer;
    try (ModelCache.Lease lease = models.lease(request.model())) {
      answer =
          Responder.answer(
              lease.model(),
              lease.tokenizer(),
              style,
              new InstructionEntry(request.instruction(), request.input(), null),
              maxNewTokens,
              Sampler.of(request.sampling()));
    }
    meters.generate(answer.generatedTokens());
    return new GenerateResponse(
        answer.response(), answer.generatedTokens(), answer.finishReason().id());
  }

  private void validate(GenerateRequest request) {
    Validation v = new Validation();
    models.validate(request.model(), "model", v);
    v.check(
        request.instruction() != null && !request.instruction().isBlank(),
        "instruction",
        "is required");
    v.maxLength(request.instruction(), MAX_TEXT, "instruction")
        .maxLength(request.input(), MAX_TEXT, "input")
        .between(
            request.maxNewTokens(),
            1,
            models.maxModelLen(request.model()).orElse(GptConfig.GPT2_CONTEXT_LENGTH),
            "maxNewTokens")
        .addAll(samplingViolations(request));
    if (request.promptStyle() != null) {
      try {
        PromptStyle.fromId(request.promptStyle());
      } catch (IllegalArgumentException e) {
        v.check(false, "promptStyle", e.getMessage());
      }
    }
    v.throwIfInvalid();
  }

  private static List<Violation> samplingViolations(GenerateRequest request) {
    List<Violation> violations = new ArrayList<>();
    Sampling.of(
        request.temperature(),
        "temperature",
        request.topK(),
        "topK",
        null,
        "topP",
        request.seed(),
        violations);
    return violations;
  }
}
