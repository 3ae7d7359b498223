package io.llmft.inference.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.common.rest.OpenAiError;
import io.llmft.common.store.InvalidFieldException;
import io.llmft.inference.config.ServingConfig;
import io.llmft.inference.service.GenerationMeters;
import io.llmft.inference.service.LoraModules;
import io.llmft.inference.service.ModelCache;
import io.llmft.inference.service.ServedModels;
import io.llmft.serving.QueueFullException;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The OpenAI-compatible API, as vLLM and Ollama serve it: {@code GET /v1/models}, {@code POST
 * /v1/chat/completions} and {@code POST /v1/completions}, blocking or streamed as Server-Sent
 * Events, every request decoded in its model's continuous batch ({@link
 * io.llmft.serving.DecodeLoop}). Errors come in OpenAI's shape; a full queue is a 429 with {@code
 * Retry-After}. Vert.x routes rather than JAX-RS resources, because a stream is written token by
 * token from the decode loop and a client that goes away must be noticed at once.
 */
@Singleton
public class OpenAiRoutes {
  private static final Logger LOG = Logger.getLogger(OpenAiRoutes.class);

  private final ServedModels served;
  private final ModelCache models;
  private final ServingConfig config;
  private final ObjectMapper mapper;
  private final long maxBody;
  private final GenerationMeters meters;
  private final LoraModules adapters;

  public OpenAiRoutes(
      ServedModels served,
      LoraModules adapters,
      ModelCache models,
      ServingConfig config,
      ObjectMapper mapper,
      GenerationMeters meters,
      @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody) {
    this.meters = meters;
    this.adapters = adapters;
    this.served = served;
    this.models = models;
    this.config = config;
    this.mapper = mapper;
    this.maxBody = maxBody.asLongValue();
  }

  void install(@Observes Router router) {
    router.get("/v1/models").blockingHandler(this::list, false);
    router.get("/v1/models/:id").blockingHandler(this::one, false);
    router
        .post("/v1/chat/completions")
        .handler(BodyHandler.create(false).setBodyLimit(maxBody))
        .blockingHandler(
            rc -> complete(rc, body -> OpenAiRequest.chat(body, served, modelText)), false);
    router
        .post("/v1/completions")
        .handler(BodyHandler.create(false).setBodyLimit(maxBody))
        .blockingHandler(
            rc -> complete(rc, body -> OpenAiRequest.completion(body, served, modelText)), false);
    router
        .post("/v1/load_lora_adapter")
        .handler(BodyHandler.create(false).setBodyLimit(ADAPTER_BODY_LIMIT))
        .blockingHandler(this::loadAdapter, false);
    router
        .post("/v1/unload_lora_adapter")
        .handler(BodyHandler.create(false).setBodyLimit(ADAPTER_BODY_LIMIT))
        .blockingHandler(this::unloadAdapter, false);
  }

  /** A name and a path: what an adapter request may carry. */
  private static final long ADAPTER_BODY_LIMIT = 16 * 1024;

  /**
   * vLLM's {@code POST /v1/load_lora_adapter}: {@code {"lora_name", "lora_path"}} serves the PEFT
   * adapter in {@code lora_path} (under the allowed import roots) as the model {@code lora_name}.
   */
  private void loadAdapter(RoutingContext rc) {
    try {
      JsonNode body = body(rc);
      String name = body.path("lora_name").isTextual() ? body.get("lora_name").asText() : null;
      String path = body.path("lora_path").isTextual() ? body.get("lora_path").asText() : null;
      try {
        adapters.add(name, path);
      } catch (InvalidFieldException e) {
        throw OpenAiException.invalid(e.field(), e.reason());
      }
      text(rc, "Success: LoRA adapter '" + name + "' added successfully.");
    } catch (OpenAiException e) {
      sendError(rc, mapper, e);
    } catch (Exception e) {
      unexpected(rc, e);
    }
  }

  /** vLLM's {@code POST /v1/unload_lora_adapter}: {@code {"lora_name"}} serves it no more. */
  private void unloadAdapter(RoutingContext rc) {
    try {
      JsonNode body = body(rc);
      String name = body.path("lora_name").asText(null);
      if (!adapters.remove(name)) {
        throw new OpenAiException(
            404,
            "The LoRA adapter '" + name + "' is not served here",
            "lora_name",
            "model_not_found");
      }
      text(rc, "Success: LoRA adapter '" + name + "' removed successfully.");
    } catch (OpenAiException e) {
      sendError(rc, mapper, e);
    } catch (Exception e) {
      unexpected(rc, e);
    }
  }

  private static void text(RoutingContext rc, String message) {
    rc.response()
        .setStatusCode(200)
        .putHeader("Content-Type", "text/plain; charset=utf-8")
        .end(message);
  }

  private void list(RoutingContext rc) {
    try {
      List<ObjectNode> data = new ArrayList<>();
      for (ServedModels.Served model : served.list()) {
        data.add(model(model));
      }
      json(rc, 200, OpenAiShapes.modelList(mapper, data));
    } catch (Exception e) {
      unexpected(rc, e);
    }
  }

  private void one(RoutingContext rc) {
    String id = rc.pathParam("id");
    served
        .find(id)
        .ifPresentOrElse(
            model -> json(rc, 200, model(model)),
            () ->
                sendError(
                    rc,
                    mapper,
                    new OpenAiException(
                        404,
                        "The model '" + id + "' does not exist here",
                        "model",
                        "model_not_found")));
  }

  private final OpenAiRequest.ModelText modelText =
      new OpenAiRequest.ModelText() {
        @Override
        public int[] encode(ServedModels.Served model, String text, boolean rendered) {
          try {
            return models.withTokenizer(
                model.ref(), t -> rendered ? t.encodeRendered(text) : t.encode(text));
          } catch (java.io.IOException e) {
            throw OpenAiException.invalid(
                "model", "the model's tokenizer cannot be read: " + e.getMessage());
          }
        }

        @Override
        public io.llmft.text.ChatTemplate chatTemplate(ServedModels.Served model) {
          try {
            return models
                .chatTemplate(model.ref())
                .orElseThrow(() -> new java.io.IOException("it has none"));
          } catch (java.io.IOException e) {
            throw OpenAiException.invalid(
                "model", "the model's chat template cannot be used: " + e.getMessage());
          }
        }
      };

  private ObjectNode model(ServedModels.Served model) {
    ObjectNode node =
        mapper
            .createObjectNode()
            .put("id", model.id())
            .put("object", "model")
            .put("created", model.created())
            .put("owned_by", model.base() ? "openai-community" : "llmft")
            .put("prompt_style", model.style().id())
            .put("chat_template", model.chatTemplate())
            .put("family", model.family());
    if (model.parent() != null) {
      // vLLM lists a LoRA module with its base as parent and its directory as root
      node.put("parent", model.parent()).put("root", model.ref().describe());
    }
    models.maxModelLen(model.ref()).ifPresent(n -> node.put("max_model_len", n));
    models
        .precision(model.family())
        .ifPresent(
            c -> {
              // what the weights are held and multiplied in (serving.precision), and why not what
              // was asked for where the device cannot
              node.put("precision", c.served().id());
              if (c.served() != c.requested()) {
                node.put("precision_reason", c.reason());
              }
            });
    return node;
  }

  private void complete(RoutingContext rc, Function<JsonNode, OpenAiRequest> read) {
    ModelCache.Lease lease = null;
    try {
      JsonNode body = body(rc);
      OpenAiRequest request = read.apply(body);
      lease = models.lease(request.model().ref());
      int context = lease.maxModelLen();
      int promptTokens = request.prompt().length;
      int maxTokens =
          request.maxTokens() != null
              ? request.maxTokens()
              : Math.min(config.defaultMaxTokens(), context - promptTokens);
      if (maxTokens < 1 || promptTokens + maxTokens > context) {
        throw new OpenAiException(
            400,
            "This model's maximum context length is "
                + context
                + " tokens (serving.max-model-len); the prompt has "
                + promptTokens
                + " and "
                + maxTokens
                + " more were asked for",
            request.maxTokens() != null ? "max_tokens" : "messages",
            "context_length_exceeded");
      }
      try {
        new CompletionStream(rc, mapper, request, lease, meters).start(maxTokens);
      } catch (IllegalArgumentException e) {
        // what the loop refuses before admission: token ids outside the model's vocabulary
        throw OpenAiException.invalid(request.chat() ? "messages" : "prompt", e.getMessage());
      }
      lease = null; // the stream gives it back
    } catch (OpenAiException e) {
      sendError(rc, mapper, e);
    } catch (QueueFullException e) {
      rc.response().putHeader("Retry-After", "1");
      sendError(
          rc,
          mapper,
          new OpenAiException(
              429,
              "the server is busy: " + e.getMessage() + "; retry shortly",
              null,
              "rate_limit_exceeded"));
    } catch (Exception e) {
      unexpected(rc, e);
    } finally {
      if (lease != null) {
        lease.close();
      }
    }
  }

  private JsonNode body(RoutingContext rc) {
    if (rc.body() == null || rc.body().buffer() == null || rc.body().length() == 0) {
      throw OpenAiException.invalid(null, "a JSON body is required");
    }
    try {
      return mapper.readTree(rc.body().buffer().getBytes());
    } catch (JsonProcessingException e) {
      throw OpenAiException.invalid(null, "the body is not valid JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw OpenAiException.invalid(null, "the body could not be read: " + e.getMessage());
    }
  }

  private void json(RoutingContext rc, int status, Object body) {
    try {
      rc.response()
          .setStatusCode(status)
          .putHeader("Content-Type", "application/json")
          .end(mapper.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void unexpected(RoutingContext rc, Exception e) {
    String incident = UUID.randomUUID().toString();
    LOG.errorf(e, "unexpected error, incident %s", incident);
    sendError(
        rc,
        mapper,
        new OpenAiException(
            500,
            "an unexpected error; the service log has it as incident " + incident,
            null,
            null));
  }

  /** Answers with OpenAI's error body, unless the response has ended already. */
  static void sendError(RoutingContext rc, ObjectMapper mapper, OpenAiException e) {
    if (rc.response().ended() || rc.response().closed()) {
      return;
    }
    try {
      rc.response()
          .setStatusCode(e.status)
          .putHeader("Content-Type", "application/json")
          .end(
              mapper.writeValueAsString(OpenAiError.of(e.status, e.getMessage(), e.param, e.code)));
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }
}
