package io.llmft.common.tracing;

import io.llmft.common.job.JobState;
import io.llmft.contract.Stage;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One pipeline, one trace. A job's trace context is kept in its document ({@code traceParent}, W3C
 * Trace Context), taken from the request or record that created the job, so a run on a worker
 * thread, on another replica or after a restart continues the same trace; each run is a span under
 * it, and what the run publishes (the next stage's job, its events) carries the run's context in
 * its record headers.
 */
@ApplicationScoped
public class JobTracing {
  static final String TRACEPARENT = "traceparent";
  private static final TextMapGetter<Map<String, String>> MAP =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  public JobTracing(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer("io.llmft.jobs");
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
  }

  /** The trace context of the record (its {@code traceparent} header), null when it has none. */
  public static String traceParent(ConsumerRecord<?, ?> record) {
    Header header = record.headers().lastHeader(TRACEPARENT);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  /** The context of the calling thread as a {@code traceparent}, null when there is no trace. */
  public String currentTraceParent() {
    return Span.current().getSpanContext().isValid() ? inject(Context.current()) : null;
  }

  /** Keeps {@code traceParent} as the job's trace unless it already has one. */
  public static void adopt(JobState state, String traceParent) {
    if (state.traceParent == null && traceParent != null) {
      state.traceParent = traceParent;
      state.traceId = traceIdOf(traceParent);
    }
  }

  /**
   * A span for one run of the job, current on this thread until closed: a child of the job's trace
   * context, or the root of a new trace that the job then keeps.
   */
  public Run start(Stage stage, JobState state) {
    Context parent =
        state.traceParent == null
            ? Context.root()
            : propagator.extract(Context.root(), Map.of(TRACEPARENT, state.traceParent), MAP);
    Span span =
        tracer
            .spanBuilder(stage.id() + " job")
            .setParent(parent)
            .setSpanKind(SpanKind.INTERNAL)
            .setAttribute("llmft.stage", stage.id())
            .setAttribute("llmft.job.id", state.id)
            .setAttribute("llmft.job.attempt", (long) state.attempts + 1)
            .startSpan();
    Context context = parent.with(span);
    if (state.traceParent == null && span.getSpanContext().isValid()) {
      adopt(state, inject(context));
    }
    if (state.pipelineId != null) {
      span.setAttribute("llmft.pipeline.id", state.pipelineId);
    }
    return new Run(span, context.makeCurrent());
  }

  private String inject(Context context) {
    Map<String, String> carrier = new HashMap<>();
    propagator.inject(context, carrier, Map::put);
    return carrier.get(TRACEPARENT);
  }

  /** The trace id of {@code version-traceid-spanid-flags}. */
  private static String traceIdOf(String traceParent) {
    String[] parts = traceParent.split("-");
    return parts.length >= 2 ? parts[1] : null;
  }

  /** A job run's span; close it when the run ends. */
  public static final class Run implements AutoCloseable {
    private final Span span;
    private final Scope scope;

    private Run(Span span, Scope scope) {
      this.span = span;
      this.scope = scope;
    }

    public void ended(String status, Throwable failure) {
      span.setAttribute("llmft.job.status", status);
      if (failure != null) {
        span.recordException(failure);
        span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
      }
    }

    @Override
    public void close() {
      scope.close();
      span.end();
    }
  }
}
