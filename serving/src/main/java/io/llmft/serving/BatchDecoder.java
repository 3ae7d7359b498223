package io.llmft.serving;

import io.llmft.models.LanguageModel;
import io.llmft.models.engine.GradMode;
import io.llmft.serving.generate.Generation;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Several prompts decoded together on the calling thread, by the same {@link RunningBatch} the
 * {@link DecodeLoop} serves {@code /v1} with: the prompts are prefilled together left-padded to the
 * longest, each row keeps its own positions and never attends to its padding, so every row gets the
 * tokens {@link Generator} gives it alone (up to float rounding in the wider matrix products); rows
 * leave the batch when they stop. A prompt that would outgrow the context window (prompt plus
 * {@code maxNewTokens} longer than it) is generated alone by {@link Generator}, whose window moves
 * as the book's does.
 */
public final class BatchDecoder {
  /** Prompt columns prefilled in one forward pass. */
  static final int PREFILL_CHUNK = 512;

  private final LanguageModel model;

  public BatchDecoder(LanguageModel model) {
    this.model = model;
  }

  /**
   * One generation per prompt, in the prompts' order. The sampler is asked row by row at each step
   * (greedy gives each row what it gives alone; a seeded random sampler's draws interleave).
   */
  public List<Generation> generate(
      List<int[]> prompts, int maxNewTokens, Sampler sampler, StopTokens stop) {
    int context = model.config().contextLength();
    Generation[] results = new Generation[prompts.size()];
    List<Prompt> together = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      int[] prompt = prompts.get(i);
      if (prompt.length == 0) {
        throw new IllegalArgumentException("prompt " + i + " is empty");
      }
      if (maxNewTokens == 0) {
        results[i] = new Generation(prompt.clone(), prompt.length, Generation.FinishReason.LENGTH);
      } else if (prompt.length + maxNewTokens > context) {
        results[i] = new Generator(model).generate(prompt, maxNewTokens, context, sampler, stop);
      } else {
        together.add(new Prompt(i, new DecodeRequest(prompt, maxNewTokens, sampler, stop)));
      }
    }
    if (!together.isEmpty()) {
      GradMode.disable();
      try (RunningBatch batch = new RunningBatch(model, PREFILL_CHUNK, change -> {})) {
        batch.join(together);
        while (batch.size() > 0) {
          batch.step();
        }
      }
      for (Prompt p : together) {
        results[p.index] = p.generation();
      }
    }
    return Arrays.asList(results);
  }

  /** One prompt of the batch and the tokens it got. */
  private static final class Prompt implements Decoding, TokenSink {
    final int index;
    final DecodeRequest request;
    final int[] tokens;
    int length;
    Generation.FinishReason finish;
    Throwable error;

    Prompt(int index, DecodeRequest request) {
      this.index = index;
      this.request = request;
      this.tokens =
          Arrays.copyOf(request.prompt(), request.prompt().length + request.maxNewTokens());
      this.length = request.prompt().length;
    }

    @Override
    public DecodeRequest request() {
      return request;
    }

    @Override
    public TokenSink sink() {
      return this;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public boolean accept(int token) {
      tokens[length++] = token;
      return true;
    }

    @Override
    public void ended(Ending ending, Throwable error) {
      this.finish =
          switch (ending) {
            case EOS -> Generation.FinishReason.EOS;
            case LENGTH -> Generation.FinishReason.LENGTH;
            default -> null;
          };
      this.error = error;
    }

    Generation generation() {
      if (finish == null) {
        throw new IllegalStateException("prompt " + index + " did not end", error);
      }
      return new Generation(Arrays.copyOf(tokens, length), request.prompt().length, finish);
    }
  }
}
