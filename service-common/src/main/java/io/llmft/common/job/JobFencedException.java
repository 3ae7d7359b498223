package io.llmft.common.job;

/**
 * Thrown where a job would write (its document, an event, an artifact) after its instance lost the
 * job's partition without the job having reached a safe point in time: another instance may own and
 * run it now, so this run ends without writing anything more.
 */
public class JobFencedException extends JobStoppedException {
  public JobFencedException(String id) {
    super(id, "its partition has a new owner; this run writes nothing more");
  }
}
