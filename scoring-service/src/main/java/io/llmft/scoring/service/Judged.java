package io.llmft.scoring.service;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One judged entry as the job's progress log keeps it: the judge's raw answer (empty for an empty
 * response, which scores 0 without a call) and whether it was asked.
 */
@RegisterForReflection
public record Judged(int index, String raw, boolean asked) {}
