package io.llmft.inference.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.common.rest.OpenAiError;
import io.llmft.inference.service.GenerationMeters;
import io.llmft.inference.service.ModelCache;
import io.llmft.serving.DecodeLoop;
import io.llmft.serving.DecodeRequest;
import io.llmft.serving.QueueFullException;
import io.llmft.serving.TokenSink;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * One completion on its way to the client: the tokens of the model's decode loop become text
 * ({@link CompletionText}) and then either one JSON answer at the end or, streamed, one Server-Sent
 * Event per piece of text as it becomes safe to send and {@code data: [DONE]} at the end. A client
 * that goes away cancels its request, which leaves the batch before the next token. The model's
 * lease is given back when the request ends.
 */
final class CompletionStream implements TokenSink {
  private static final Logger LOG = Logger.getLogger(CompletionStream.class);

  private final RoutingContext rc;
  private final Context context;
  private final ObjectMapper mapper;
  private final OpenAiRequest request;
  private final OpenAiShapes shapes;
  private final ModelCache.Lease lease;
  private final CompletionText text;
  private final GenerationMeters meters;
  private int completionTokens;
  private volatile DecodeLoop.Ticket ticket;
  private volatile boolean gone;
  private boolean headSent; // on the event loop only

  CompletionStream(
      RoutingContext rc,
      ObjectMapper mapper,
      OpenAiRequest request,
      ModelCache.Lease lease,
      GenerationMeters meters) {
    this.meters = meters;
    this.rc = rc;
    this.context = rc.vertx().getOrCreateContext();
    this.mapper = mapper;
    this.request = request;
    this.lease = lease;
    this.text = new CompletionText(request.style(), request.stops());
    String prefix = request.chat() ? "chatcmpl-" : "cmpl-";
    this.shapes =
        new OpenAiShapes(
            mapper,
            prefix + UUID.randomUUID().toString().replace("-", ""),
            request.model().id(),
            System.currentTimeMillis() / 1000,
            request.chat());
  }

  /**
   * Queues the request on the model's loop and, streamed, sends the response's head.
   *
   * @throws QueueFullException when the loop has no room; nothing has been sent then
   */
  void start(int maxTokens) throws QueueFullException {
    rc.response().closeHandler(v -> clientGone());
    if (rc.response().closed()) {
      lease.close();
      return;
    }
    ticket =
        lease
            .loop()
            .submit(
                new DecodeRequest(
                    request.prompt(),
                    maxTokens,
                    Sampler.of(request.sampling()),
                    StopTokens.of(lease.tokenizer().stopIds()),
                    lease.adapter()),
                this);
    if (request.stream()) {
      send("", false); // the head and the role, before the first token
    }
  }

  private void clientGone() {
    gone = true;
    DecodeLoop.Ticket t = ticket;
    if (t != null) {
      t.cancel();
    }
  }

  @Override
  public boolean accept(int token) {
    completionTokens++;
    boolean more = text.add(lease.tokenizer().bytes(token));
    if (request.stream()) {
      String delta = text.delta();
      if (!delta.isEmpty()) {
        send(event(shapes.chunk(delta, null)), false);
      }
    }
    return more && !gone;
  }

  @Override
  public void ended(Ending ending, Throwable error) {
    lease.close();
    meters.openAi(completionTokens);
    if (ending == Ending.CANCELLED || gone) {
      return;
    }
    if (ending == Ending.FAILED) {
      LOG.errorf(error, "completion %s failed", shapes.id());
      String message = "the model failed while generating: " + error;
      if (request.stream()) {
        send(event(mapper.valueToTree(OpenAiError.of(500, message, null, null))) + done(), true);
      } else {
        on(() -> OpenAiRoutes.sendError(rc, mapper, new OpenAiException(500, message, null, null)));
      }
      return;
    }
    String finish = ending == Ending.LENGTH ? "length" : "stop";
    int promptTokens = request.prompt().length;
    if (request.stream()) {
      StringBuilder tail = new StringBuilder();
      String rest = text.rest();
      if (!rest.isEmpty()) {
        tail.append(event(shapes.chunk(rest, null)));
      }
      tail.append(event(shapes.chunk(null, finish)));
      if (request.includeUsage()) {
        tail.append(event(shapes.usageChunk(promptTokens, completionTokens)));
      }
      tail.append(done());
      send(tail.toString(), true);
    } else {
      ObjectNode answer = shapes.completion(text.text(), finish, promptTokens, completionTokens);
      String json = json(answer);
      on(
          () ->
              rc.response()
                  .setStatusCode(200)
                  .putHeader("Content-Type", "application/json")
                  .end(json));
    }
  }

  /**
   * Writes a piece of the event stream (ending it when {@code end}), after the stream's head and
   * first chunk if they have not gone yet.
   */
  private void send(String events, boolean end) {
    on(
        () -> {
          HttpServerResponse response = rc.response();
          if (!headSent) {
            headSent = true;
            response
                .setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache")
                .write(event(shapes.firstChunk()));
          }
          if (end) {
            response.end(events);
          } else if (!events.isEmpty()) {
            response.write(events);
          }
        });
  }

  /** Runs on the request's event loop, in the order given; nothing once the client is gone. */
  private void on(Runnable action) {
    context.runOnContext(
        v -> {
          if (!rc.response().ended() && !rc.response().closed()) {
            action.run();
          }
        });
  }

  private String event(ObjectNode data) {
    return "data: " + json(data) + "\n\n";
  }

  private static String done() {
    return "data: [DONE]\n\n";
  }

  private String json(Object node) {
    try {
      return mapper.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
