package io.llmft.core.generate;

import ai.djl.ndarray.NDScope;
import io.llmft.core.engine.GradMode;
import io.llmft.core.model.KvCache;
import io.llmft.core.model.LanguageModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Several prompts decoded together with one {@link KvCache}: the prompts are left-padded to the
 * longest, each row keeps its own positions and never attends to its padding, so every row gets the
 * tokens {@link Generator} gives it alone (up to float rounding in the wider matrix products). Rows
 * leave the batch when they stop. A prompt that would outgrow the context window (prompt plus
 * {@code maxNewTokens} longer than it) is generated alone by {@link Generator}, whose window moves
 * as the book's does.
 */
public final class BatchGenerator {
  private final LanguageModel model;

  public BatchGenerator(LanguageModel model) {
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
    List<Integer> together = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      int[] prompt = prompts.get(i);
      if (prompt.length == 0) {
        throw new IllegalArgumentException("prompt " + i + " is empty");
      }
      if (prompt.length + maxNewTokens > context) {
        results[i] = new Generator(model).generate(prompt, maxNewTokens, context, sampler, stop);
      } else {
        together.add(i);
      }
    }
    if (!together.isEmpty() && maxNewTokens > 0) {
      decode(prompts, together, maxNewTokens, sampler, stop, results);
    }
    for (int i : together) {
      if (results[i] == null) { // maxNewTokens == 0
        results[i] =
            new Generation(
                prompts.get(i).clone(), prompts.get(i).length, Generation.FinishReason.LENGTH);
      }
    }
    return Arrays.asList(results);
  }

  private void decode(
      List<int[]> prompts,
      List<Integer> rows,
      int maxNewTokens,
      Sampler sampler,
      StopTokens stop,
      Generation[] results) {
    GradMode.disable();
    int width = rows.stream().mapToInt(i -> prompts.get(i).length).max().orElseThrow();
    List<Row> active = new ArrayList<>();
    for (int i : rows) {
      active.add(new Row(i, prompts.get(i), maxNewTokens, width - prompts.get(i).length));
    }
    int vocab = model.config().vocabSize();
    try (KvCache cache = new KvCache(model.config().nLayers())) {
      int fed = width; // tokens fed in this step (all prompts first, then one per row)
      while (!active.isEmpty()) {
        int b = active.size();
        int[][] tokens = new int[b][];
        int[] padding = new int[b];
        for (int r = 0; r < b; r++) {
          tokens[r] = active.get(r).tokens;
          padding[r] = active.get(r).padding;
        }
        float[] logits;
        try (NDScope scope = new NDScope()) {
          logits = BatchInputs.of(tokens, padding, cache.length(), fed).lastLogits(model, cache);
        }
        List<Row> still = new ArrayList<>(b);
        List<Long> keep = new ArrayList<>(b);
        for (int r = 0; r < b; r++) {
          Row row = active.get(r);
          int next = sampler.next(Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab));
          Generation.FinishReason finished = null;
          if (stop.stops(next)) {
            finished = Generation.FinishReason.EOS;
          } else {
            row.tokens[row.length++] = next;
            if (row.length - row.promptLength == maxNewTokens) {
              finished = Generation.FinishReason.LENGTH;
            }
          }
          if (finished != null) {
            results[row.index] =
                new Generation(Arrays.copyOf(row.tokens, row.length), row.promptLength, finished);
          } else {
            still.add(row);
            keep.add((long) r);
          }
        }
        if (!still.isEmpty() && still.size() < b) {
          cache.keepRows(keep.stream().mapToLong(Long::longValue).toArray());
        }
        active = still;
        fed = 1;
      }
    }
  }

  /** One prompt's sequence while it is being decoded. */
  private static final class Row {
    final int index;
    final int promptLength;
    final int padding;
    final int[] tokens;
    int length;

    Row(int index, int[] prompt, int maxNewTokens, int padding) {
      this.index = index;
      this.promptLength = prompt.length;
      this.padding = padding;
      this.tokens = Arrays.copyOf(prompt, prompt.length + maxNewTokens);
      this.length = prompt.length;
    }
  }
}
