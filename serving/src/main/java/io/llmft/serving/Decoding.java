package io.llmft.serving;

/**
 * A request while it is decoded in a {@link RunningBatch}: what it asks, where its tokens go, and
 * whether its client went away. A {@link DecodeLoop.Ticket}, or a prompt of a {@link
 * BatchDecoder}'s batch.
 */
interface Decoding {
  DecodeRequest request();

  TokenSink sink();

  boolean isCancelled();

  /** Why the request must end now though it could go on (its deadline passed), else null. */
  default RuntimeException overdue() {
    return null;
  }
}
