package io.llmft.inference.rest;

import io.llmft.common.rest.ProblemException;
import io.llmft.common.rest.Validation;
import io.llmft.core.data.InstructionEntry;
import io.llmft.core.generate.Sampler;
import io.llmft.core.model.GptConfig;
import io.llmft.core.text.PromptStyle;
import io.llmft.inference.service.InferenceService;
import io.llmft.inference.service.ModelCache;
import io.llmft.inference.service.Responder;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;

@Path("/generate")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class GenerateResource {
  /** Characters of an instruction or input: far beyond any prompt that fits GPT-2's context. */
  static final int MAX_TEXT = 20_000;

  private final ModelCache models;

  public GenerateResource(ModelCache models) {
    this.models = models;
  }

  @POST
  public GenerateResponse generate(GenerateRequest request) throws IOException {
    if (request == null) {
      throw ProblemException.invalid("$", "a JSON body is required");
    }
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
            models.contextLength(request.model()).orElse(GptConfig.GPT2_CONTEXT_LENGTH),
            "maxNewTokens")
        .between(request.temperature(), 0, 100, "temperature")
        .between(request.topK(), 1, GptConfig.GPT2_VOCAB_SIZE, "topK");
    PromptStyle style = PromptStyle.ALPACA;
    if (request.promptStyle() != null) {
      try {
        style = PromptStyle.fromId(request.promptStyle());
      } catch (IllegalArgumentException e) {
        v.check(false, "promptStyle", e.getMessage());
      }
    }
    v.throwIfInvalid();
    Sampler sampler =
        Sampler.of(
            request.temperature() == null ? 0 : request.temperature(),
            request.topK(),
            request.seed());
    int maxNewTokens =
        request.maxNewTokens() != null
            ? request.maxNewTokens()
            : InferenceService.DEFAULT_MAX_NEW_TOKENS;
    Responder.Answer answer;
    try (ModelCache.Lease lease = models.lease(request.model())) {
      answer =
          Responder.answer(
              lease.model(),
              style,
              new InstructionEntry(request.instruction(), request.input(), null),
              maxNewTokens,
              sampler);
    }
    return new GenerateResponse(
        answer.response(), answer.generatedTokens(), answer.finishReason().id());
  }
}
