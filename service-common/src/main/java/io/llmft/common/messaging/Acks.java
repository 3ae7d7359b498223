package io.llmft.common.messaging;

import io.llmft.common.job.JobControl;
import io.llmft.common.job.JobStoppedException;
import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/** Sends records whose broker acknowledgement the caller waits for. */
final class Acks {
  private static final Logger LOG = Logger.getLogger(Acks.class);

  private Acks() {}

  /** Completes when the broker acknowledged the record, exceptionally when it refused it. */
  static CompletableFuture<Void> send(
      Emitter<String> emitter, OutgoingKafkaRecordMetadata<String> metadata, String value) {
    CompletableFuture<Void> acked = new CompletableFuture<>();
    try {
      emitter.send(
          Message.of(value)
              .addMetadata(metadata)
              // the sender's trace (a request's, a job run's) is the parent of the record's span,
              // whichever thread the connector sends it from
              .addMetadata(TracingMetadata.withCurrent(Context.current()))
              .withAck(
                  () -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                  })
              .withNack(
                  e -> {
                    acked.completeExceptionally(e);
                    return CompletableFuture.completedFuture(null);
                  }));
    } catch (RuntimeException e) {
      acked.completeExceptionally(e);
    }
    return acked;
  }

  /**
   * Sends until the broker acknowledges, backing off between refusals; a broker outage delays the
   * record, never drops it. Gives up only when the job must stop (it then stays resumable, and its
   * next run sends again: receivers recognise the duplicate by its key).
   */
  static void sendUntilAcked(
      Emitter<String> emitter,
      OutgoingKafkaRecordMetadata<String> metadata,
      String value,
      JobControl control,
      Duration backoff,
      Duration maxBackoff,
      String what) {
    Duration pause = backoff;
    for (int attempt = 1; ; attempt++) {
      CompletableFuture<Void> acked = send(emitter, metadata, value);
      try {
        while (true) {
          try {
            acked.get(250, TimeUnit.MILLISECONDS);
            return;
          } catch (TimeoutException notYet) {
            stopIfRequested(control);
          }
        }
      } catch (ExecutionException e) {
        LOG.warnf(
            "%s not acknowledged (attempt %d, next in %s): %s",
            what, attempt, pause, e.getCause().toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new JobStoppedException(control.jobId(), "interrupted");
      }
      for (long end = System.nanoTime() + pause.toNanos(); System.nanoTime() < end; ) {
        stopIfRequested(control);
        try {
          Thread.sleep(Math.min(250, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new JobStoppedException(control.jobId(), "interrupted");
        }
      }
      pause = pause.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : pause.multipliedBy(2);
    }
  }

  /** Only a stop ends the wait: a cancelled job still announces how it ended. */
  private static void stopIfRequested(JobControl control) {
    if (control.stopRequested()) {
      throw new JobStoppedException(control.jobId(), "while waiting for the broker");
    }
  }

  static void await(CompletableFuture<Void> acked, Duration timeout, String what) {
    try {
      acked.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new PublishException(what + ": the broker did not acknowledge it within " + timeout, e);
    } catch (ExecutionException e) {
      throw new PublishException(what + ": the broker refused it (" + e.getCause() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PublishException(what + ": interrupted", e);
    }
  }
}
