package io.llmft.inference.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmft.common.messaging.JobMessages;
import io.llmft.common.rest.ProblemException;
import io.llmft.common.rest.Validation;
import io.llmft.contract.ModelRef;
import io.llmft.inference.service.ChatPrompts;
import io.llmft.inference.service.ModelCache;
import io.llmft.text.ChatMessages;
import io.llmft.text.ChatTemplate;
import io.llmft.text.Tokenizer;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

/**
 * vLLM's {@code /tokenize} and {@code /detokenize}: a model's own tokenizer (GPT-2's BPE or the
 * directory's {@code tokenizer.json}) on a text or on ids, the begin-of-text token its
 * post-processor adds included and counted, as the model is given a prompt; or on a chat rendered
 * by the model's chat template, which writes its special tokens itself.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TokenizeResource {
  private final ModelCache models;
  private final JobMessages messages;

  public TokenizeResource(ModelCache models, JobMessages messages) {
    this.models = models;
    this.messages = messages;
  }

  /** The ids of a text, their count and the longest sequence served for the model. */
  public record Tokens(List<Integer> tokens, int count, int max_model_len) {}

  /** The text of ids. */
  public record Text(String prompt) {}

  @POST
  @Path("tokenize")
  public Tokens tokenize(
      @RequestBody(content = @Content(schema = @Schema(implementation = TokenizeRequest.class)))
          JsonNode body)
      throws IOException {
    TokenizeRequest request =
        messages.parseRequest(
            body,
            TokenizeRequest.class,
            r -> {
              Validation v = new Validation();
              models.validate(r.model(), "model", v);
              boolean chat = r.messages() != null && !r.messages().isNull();
              v.check(
                  chat != (r.prompt() != null),
                  chat ? "messages" : "prompt",
                  "give either prompt or messages, not both and not neither");
              v.maxLength(r.prompt(), GenerateResource.MAX_TEXT, "prompt");
              if (!chat) {
                for (String chatOnly :
                    new String[] {"add_generation_prompt", "chat_template_kwargs", "tools"}) {
                  v.check(
                      body.path(chatOnly).isMissingNode() || body.path(chatOnly).isNull(),
                      chatOnly,
                      "applies to messages only");
                }
              }
              v.throwIfInvalid();
            });
    String rendered = request.prompt() != null ? null : chat(request);
    int[] ids =
        withTokenizer(
            request.model(),
            t -> rendered == null ? t.encode(request.prompt()) : t.encodeRendered(rendered));
    OptionalInt context = models.maxModelLen(request.model());
    return new Tokens(
        java.util.Arrays.stream(ids).boxed().toList(), ids.length, context.orElseThrow());
  }

  /** The chat's text in the model's own template; a 400 naming the field when it cannot be. */
  private String chat(TokenizeRequest r) throws IOException {
    Validation v = new Validation();
    Optional<ChatTemplate> template;
    try {
      template = models.chatTemplate(r.model());
    } catch (IOException e) {
      v.check(false, "model", "its chat template cannot be used: " + e.getMessage());
      v.throwIfInvalid();
      throw e;
    }
    v.check(template.isPresent(), "messages", "the model has no chat template: give a prompt");
    v.throwIfInvalid();
    try {
      return ChatPrompts.render(
          template.get(),
          r.messages(),
          r.tools(),
          r.chat_template_kwargs(),
          r.add_generation_prompt());
    } catch (ChatMessages.Invalid e) {
      v.check(false, e.field(), e.getMessage());
      v.throwIfInvalid();
      throw e;
    }
  }

  @POST
  @Path("detokenize")
  public Text detokenize(
      @RequestBody(content = @Content(schema = @Schema(implementation = DetokenizeRequest.class)))
          JsonNode body)
      throws IOException {
    DetokenizeRequest request =
        messages.parseRequest(
            body,
            DetokenizeRequest.class,
            r -> {
              Validation v = new Validation();
              models.validate(r.model(), "model", v);
              v.check(r.tokens() != null, "tokens", "is required");
              v.throwIfInvalid();
              int context = models.contextLength(r.model()).orElseThrow();
              v.check(
                  r.tokens().size() <= context,
                  "tokens",
                  "at most " + context + " ids (the model's context length)");
              v.throwIfInvalid();
              int vocabulary = vocabularySize(r);
              List<Integer> tokens = r.tokens();
              for (int i = 0; i < tokens.size(); i++) {
                Integer id = tokens.get(i);
                v.check(
                    id != null && id >= 0 && id < vocabulary,
                    "tokens[" + i + "]",
                    "must be a token id below " + vocabulary);
              }
              v.throwIfInvalid();
            });
    int[] ids = request.tokens().stream().mapToInt(Integer::intValue).toArray();
    return new Text(withTokenizer(request.model(), t -> t.decode(ids)));
  }

  private int vocabularySize(DetokenizeRequest r) {
    return withTokenizer(r.model(), Tokenizer::vocabularySize);
  }

  /** A model whose tokenizer files cannot be read (broken or hostile) is the request's 400. */
  private <T> T withTokenizer(ModelRef model, ModelCache.TokenizerUse<T> use) {
    try {
      return models.withTokenizer(model, use);
    } catch (IOException e) {
      throw ProblemException.invalid("model", "its tokenizer cannot be read: " + e.getMessage());
    }
  }
}
