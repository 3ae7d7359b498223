package io.llmft.inference.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The OpenAI-compatible serving of {@code /v1}: one continuous-batching decode loop per model. */
@ConfigMapping(prefix = "serving")
public interface ServingConfig {
  /** Requests decoded together by one model's loop. */
  @WithDefault("32")
  int maxBatch();

  /** Requests that may wait for a place in a full batch; more get 429 with Retry-After. */
  @WithDefault("64")
  int maxWaiting();

  /**
   * Prompt tokens prefilled together between two decode steps, and the chunk a longer prompt is
   * prefilled in: no forward pass attends more queries than this to the keys.
   */
  @WithDefault("512")
  int prefillTokens();

  /**
   * The longest sequence (prompt and completion) served, as vLLM's {@code --max-model-len}; longer
   * requests get a 400 naming the parameter. Absent: the model's context, at most what {@link
   * #kvCacheMemory} holds for {@link #maxBatch} such sequences.
   */
  java.util.Optional<Integer> maxModelLen();

  /**
   * Memory for one model's KV cache, which sizes the default {@link #maxModelLen}. Absent: a
   * quarter of the memory the process may use (the container's limit).
   */
  java.util.Optional<io.quarkus.runtime.configuration.MemorySize> kvCacheMemory();

  /**
   * What served models hold their weights and multiply in: {@code fp32}, or {@code bf16} (Llama and
   * Qwen3 projection weights held in bfloat16, products in bfloat16) where the device multiplies
   * bfloat16 natively; elsewhere, and for GPT-2, models are served in fp32, said in the log and in
   * {@code /v1/models}. An unknown value stops the service at startup.
   */
  @WithDefault("fp32")
  io.llmft.models.ServingPrecision precision();

  /** How long an idle loop keeps its thread. */
  @WithDefault("30s")
  Duration idle();

  /** New tokens when a request names no max_tokens (at most what the context leaves). */
  @WithDefault("256")
  int defaultMaxTokens();

  /**
   * LoRA adapters kept loaded over their base models (vLLM's {@code --max-loras}); the least
   * recently used beyond it are closed when their last request ends.
   */
  @WithDefault("8")
  int maxLoras();

  /**
   * LoRA adapters served by name from the start (vLLM's {@code --lora-modules}): {@code
   * name=adapter-dir}, comma-separated, each directory under the allowed import roots.
   */
  java.util.Optional<java.util.List<String>> loraModules();

  /**
   * How long a {@code /v1} request may wait and generate before the server ends it with an error:
   * the last line of defence, generous by default.
   */
  @WithDefault("10m")
  Duration requestDeadline();
}
