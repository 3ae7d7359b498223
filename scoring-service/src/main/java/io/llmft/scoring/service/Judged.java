package io.llmft.scoring.service;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One answered prompt as the job's progress log keeps it: the judge's raw answer (empty where
 * nothing was asked, as for an empty response, which gets the bottom of the scale) and whether it
 * was asked.
 */
@RegisterForReflection
public record Judged(int index, String raw, boolean asked) {}
