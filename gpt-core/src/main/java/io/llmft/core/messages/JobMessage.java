package io.llmft.core.messages;

/** What every job message has: its id (may be unset in a request) and its optional pipeline. */
public interface JobMessage {
  String jobId();

  Pipeline pipeline();
}
