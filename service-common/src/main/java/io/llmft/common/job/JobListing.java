package io.llmft.common.job;

import io.llmft.common.rest.Page;
import io.llmft.common.rest.ProblemException;
import io.llmft.contract.JobStatus;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A stage's jobs as a list: newest first, a status filter, pages. */
final class JobListing {
  private JobListing() {}

  /**
   * @param status only jobs in this status (null or blank: all)
   * @throws ProblemException 400 for an unknown status, a limit out of range or a foreign cursor
   */
  static <S extends JobState> Page<S> page(
      List<S> all, String status, Integer limit, String cursor) {
    JobStatus only = status == null || status.isBlank() ? null : parse(status);
    return Page.of(
        all.stream().filter(job -> only == null || job.status == only).toList(),
        job -> new Page.Key(job.createdAt == null ? 0 : job.createdAt.toEpochMilli(), job.id),
        limit,
        cursor);
  }

  private static JobStatus parse(String status) {
    try {
      return JobStatus.valueOf(status.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ProblemException.invalid(
          "status", "must be one of " + Arrays.toString(JobStatus.values()));
    }
  }
}
