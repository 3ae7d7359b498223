package io.llmft.contract;

/** What every job message has: its id (may be unset in a request) and its optional pipeline. */
public interface JobMessage {
  /** The version of the contract the message is written in (1; unset means 1). */
  int SCHEMA_VERSION = 1;

  Integer schemaVersion();

  String jobId();

  Pipeline pipeline();
}
