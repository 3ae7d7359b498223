package io.llmft.common.rest;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Limits of the JSON a service reads, from REST bodies and Kafka messages alike: nesting deeper
 * than {@value #MAX_DEPTH} levels (a job is five deep; entries' extra fields a few more) or strings
 * longer than {@value #MAX_STRING} characters are refused before anything is built from them.
 */
@Singleton
public class JsonLimits implements ObjectMapperCustomizer {
  public static final int MAX_DEPTH = 64;
  public static final int MAX_STRING = 1_000_000;

  @Override
  public void customize(ObjectMapper mapper) {
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxStringLength(MAX_STRING)
                .build());
  }
}
