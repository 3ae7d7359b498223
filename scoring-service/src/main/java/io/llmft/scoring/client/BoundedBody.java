package io.llmft.scoring.client;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The body of a judge's answer, read up to {@code judge.max-answer-bytes}: one byte more fails with
 * {@link AnswerTooLarge}, so that neither a long line nor a large JSON object is buffered whole.
 */
final class BoundedBody extends FilterInputStream {
  private final long limit;
  private long read;

  BoundedBody(InputStream body, long limit) {
    super(body);
    this.limit = limit;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      count(1);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n = super.read(buffer, offset, (int) Math.min(length, limit - read + 1));
    if (n > 0) {
      count(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = super.skip(Math.min(n, limit - read + 1));
    count(skipped);
    return skipped;
  }

  private void count(long n) throws AnswerTooLarge {
    read += n;
    if (read > limit) {
      throw new AnswerTooLarge(limit);
    }
  }
}
