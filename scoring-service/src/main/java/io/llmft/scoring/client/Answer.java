package io.llmft.scoring.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A judge's answer as it arrives: its body read up to {@code judge.max-answer-bytes}, its pieces
 * joined up to {@code judge.max-answer-chars}, within the call's deadline ({@code
 * judge.call-timeout}) over the whole call. When the deadline is due, or the call is {@linkplain
 * #abort aborted}, the body is closed under the reader and the calling thread interrupted, which
 * ends a wait for the answer or a read of it (a judge that drips bytes, or one that hangs).
 */
final class Answer implements AutoCloseable {
  private final String judge;
  private final StringBuilder text = new StringBuilder();
  private final int maxChars;
  private final int maxBytes;
  private final Duration timeout;
  private final Thread caller = Thread.currentThread();
  private final ScheduledFuture<?> alarm;
  private final Consumer<Answer> onClose;
  private InputStream body;
  private boolean closed;
  private boolean expired;
  private boolean aborted;

  Answer(
      String judge,
      int maxChars,
      int maxBytes,
      Duration timeout,
      ScheduledExecutorService timer,
      Consumer<Answer> onClose) {
    this.judge = judge;
    this.maxChars = maxChars;
    this.maxBytes = maxBytes;
    this.timeout = timeout;
    this.onClose = onClose;
    this.alarm = timer.schedule(this::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  Thread caller() {
    return caller;
  }

  /** The answer's body as lines, at most {@code judge.max-answer-bytes} of it. */
  synchronized BufferedReader read(InputStream body) {
    this.body = body;
    if (aborted) {
      closeBody();
    }
    return new BufferedReader(
        new InputStreamReader(new BoundedBody(body, maxBytes), StandardCharsets.UTF_8));
  }

  private synchronized void expire() {
    if (!closed) {
      expired = true;
      abort();
    }
  }

  /** Ends the call: its body closed, its thread interrupted. */
  synchronized void abort() {
    if (closed || aborted) {
      return;
    }
    aborted = true;
    caller.interrupt();
    closeBody();
  }

  private void closeBody() {
    if (body != null) {
      try {
        body.close(); // the raw stream: the reader's own lock is held by the reading thread
      } catch (IOException e) {
        // closed already
      }
    }
  }

  /**
   * @throws JudgeException (retryable) past the deadline
   */
  synchronized void checkDeadline() {
    if (expired) {
      throw late();
    }
  }

  private JudgeException late() {
    return JudgeException.unavailable(judge + " did not finish its answer within " + timeout, null);
  }

  /**
   * What a failure of the call means: past the deadline, a retryable timeout; aborted or
   * interrupted otherwise (the job was cancelled or stopped), a call that is not to be retried, the
   * thread left interrupted; else a judge that could not be reached, or an answer that broke off.
   */
  synchronized JudgeException failure(Exception e) {
    if (expired) {
      return late();
    }
    if (aborted || interrupted(e)) {
      caller.interrupt();
      return JudgeException.interrupted(judge + " was not waited for: the call was interrupted");
    }
    return e instanceof ConnectException || e instanceof HttpTimeoutException
        ? JudgeClients.failed(judge, e)
        : JudgeClients.unreadable(judge, e);
  }

  private static boolean interrupted(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InterruptedException || t instanceof InterruptedIOException) {
        return true;
      }
    }
    return false;
  }

  /** The reading of an answer's body: the request sent, its lines appended. */
  interface Reading {
    void read() throws IOException, InterruptedException;
  }

  /**
   * Runs {@code reading} and gives the text: what came within the size limit when the body was
   * larger; any other failure as {@link #failure} says (a {@link JudgeException} as it is).
   */
  String collect(Reading reading) {
    try {
      reading.read();
    } catch (JudgeException e) {
      throw e;
    } catch (AnswerTooLarge e) {
      // what came within the limit, recorded as it is
    } catch (IOException | InterruptedException | RuntimeException e) {
      throw failure(e);
    }
    return text();
  }

  /** Adds a piece; true once the answer is as long as it may be. */
  boolean append(String piece) {
    text.append(piece);
    return text.length() >= maxChars;
  }

  String text() {
    return text.length() > maxChars ? text.substring(0, maxChars) : text.toString();
  }

  /** Disarms the deadline; an interrupt it sent is taken back. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      alarm.cancel(false);
      if (expired) {
        Thread.interrupted();
      }
    }
    onClose.accept(this);
  }
}
