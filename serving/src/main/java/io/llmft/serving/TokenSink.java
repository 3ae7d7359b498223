package io.llmft.serving;

/**
 * Where a request's tokens go, called on the decode loop's thread: it must not block (hand the
 * token to another thread if it has slow work to do).
 */
public interface TokenSink {
  /**
   * A new token of the request.
   *
   * @return false to end the request here (a stop sequence matched); it then ends {@link
   *     Ending#STOPPED}
   */
  boolean accept(int token);

  /**
   * The request has ended; nothing follows. {@code error} is set only for {@link Ending#FAILED}.
   */
  void ended(Ending ending, Throwable error);

  /** Why a request ended. */
  enum Ending {
    /** The model produced the end-of-text token (not passed to {@link #accept}). */
    EOS,
    /** It added {@code maxNewTokens} tokens. */
    LENGTH,
    /** The sink asked to stop. */
    STOPPED,
    /** Its {@link DecodeLoop.Ticket} was cancelled (its client went away). */
    CANCELLED,
    /** The loop failed. */
    FAILED
  }
}
