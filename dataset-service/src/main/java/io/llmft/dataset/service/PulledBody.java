package io.llmft.dataset.service;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Vert.x response body read by a worker thread one chunk at a time: the response stays paused and
 * each {@link #next} fetches one chunk on the response's event loop, so a slow disk or a slow job
 * holds the sender back instead of filling the heap.
 */
final class PulledBody implements AutoCloseable {
  private static final Object END = new Object();

  private final HttpClientResponse response;
  private final Context context;
  private final BlockingQueue<Object> events = new ArrayBlockingQueue<>(4);

  /** Call on the response's event loop, before the response delivers anything. */
  PulledBody(HttpClientResponse response, Context context) {
    this.response = response;
    this.context = context;
    response.pause();
    response.handler(events::offer);
    response.endHandler(v -> events.offer(END));
    response.exceptionHandler(events::offer);
  }

  /**
   * @return the next chunk, or null at the end of the body
   * @throws IOException when the transfer breaks off
   * @throws java.util.concurrent.TimeoutException when nothing arrives within {@code nanos}
   */
  Buffer next(long nanos)
      throws IOException, InterruptedException, java.util.concurrent.TimeoutException {
    if (events.isEmpty()) {
      context.runOnContext(v -> response.fetch(1));
    }
    Object event = events.poll(nanos, TimeUnit.NANOSECONDS);
    if (event == null) {
      throw new java.util.concurrent.TimeoutException();
    }
    if (event == END) {
      events.add(END);
      return null;
    }
    if (event instanceof Throwable t) {
      throw new IOException(t.toString(), t);
    }
    return (Buffer) event;
  }

  /** Drops the connection when the body was not read to its end. */
  @Override
  public void close() {
    if (!events.contains(END)) {
      context.runOnContext(v -> response.request().reset());
    }
  }
}
