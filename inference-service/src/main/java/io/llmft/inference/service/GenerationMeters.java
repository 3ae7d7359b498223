package io.llmft.inference.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

/**
 * {@code llmft_generated_tokens_total{api}}: the tokens the models generated, for inference jobs
 * ({@code job}), {@code POST /generate} ({@code generate}) and {@code /v1} ({@code openai}); its
 * rate is the service's tokens/s.
 */
@Singleton
public class GenerationMeters {
  private final Counter jobs;
  private final Counter generate;
  private final Counter openAi;

  public GenerationMeters(MeterRegistry registry) {
    jobs = counter(registry, "job");
    generate = counter(registry, "generate");
    openAi = counter(registry, "openai");
  }

  private static Counter counter(MeterRegistry registry, String api) {
    return Counter.builder("llmft.generated.tokens")
        .description("tokens the models generated")
        .tag("api", api)
        .register(registry);
  }

  public void job(long tokens) {
    jobs.increment(tokens);
  }

  public void generate(long tokens) {
    generate.increment(tokens);
  }

  public void openAi(long tokens) {
    openAi.increment(tokens);
  }
}
