package io.llmft.serving;

import ai.djl.ndarray.NDScope;
import io.llmft.models.Adapter;
import io.llmft.models.KvCache;
import io.llmft.models.LanguageModel;
import io.llmft.models.RowAdapters;
import io.llmft.serving.generate.BatchInputs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The rows a {@link DecodeLoop} is decoding, on one shared {@link KvCache}: a row's tokens sit at
 * its last columns, from its {@code start} on; it keeps its own positions and never attends to the
 * columns before its start, so each row gets the tokens it would get alone (up to float rounding in
 * the wider products). When the rows that reached furthest back leave, the columns no row uses are
 * dropped. Rows may run with different adapters of the one base model ({@link RowAdapters}): each
 * pass computes the base's products once for all rows. Used by the loop's thread only.
 */
final class RunningBatch implements AutoCloseable {
  private final LanguageModel model;
  private final int prefillChunk;
  private final KvCache cache;
  private final Consumer<UnaryOperator<DecodeLoop.Stats>> stats;
  private final List<Row> rows = new ArrayList<>();

  /**
   * The joining requests' prefill failed (an allocation for a long prompt, say) before the batch
   * changed: only they end failed, the rows decoding go on.
   */
  static final class PrefillFailed extends RuntimeException {
    PrefillFailed(Throwable cause) {
      super(cause.getMessage(), cause);
    }
  }

  /**
   * @param prefillChunk prompt columns fed in one forward pass: a longer prompt is prefilled in
   *     chunks, so no pass attends more than this many queries to the keys
   * @param stats updates the loop's statistics
   */
  RunningBatch(
      LanguageModel model, int prefillChunk, Consumer<UnaryOperator<DecodeLoop.Stats>> stats) {
    if (prefillChunk < 1) {
      throw new IllegalArgumentException("prefillChunk must be positive");
    }
    this.model = model;
    this.prefillChunk = prefillChunk;
    this.cache = model.newCache(0);
    this.stats = stats;
  }

  int size() {
    return rows.size();
  }

  List<Decoding> decoding() {
    return rows.stream().map(r -> r.ticket).toList();
  }

  /**
   * The joining prompts, left-padded to the longest, prefilled in chunks of {@code prefillChunk}
   * columns; their first tokens; then the rows of those that go on join the batch. The cache grows
   * with the tokens the rows have, not with what they may still ask for.
   *
   * @throws PrefillFailed when the prefill failed and the batch is as it was
   */
  void join(List<? extends Decoding> joining) {
    int k = joining.size();
    int width = joining.stream().mapToInt(t -> t.request().prompt().length).max().orElseThrow();
    int[][] prompts = new int[k][];
    int[] padding = new int[k];
    for (int i = 0; i < k; i++) {
      prompts[i] = joining.get(i).request().prompt();
      padding[i] = width - prompts[i].length;
    }
    try (NDScope scope = new NDScope();
        KvCache fresh = model.newCache(width)) {
      LanguageModel adapted =
          withAdapters(joining.stream().map(t -> t.request().adapter()).toList());
      float[] logits = prefill(adapted, prompts, padding, width, fresh);
      int vocab = model.config().vocabSize();
      List<Row> joined = new ArrayList<>();
      List<Long> keep = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        Row row = new Row(joining.get(i), padding[i]);
        if (row.next(Arrays.copyOfRange(logits, i * vocab, (i + 1) * vocab))) {
          joined.add(row);
          keep.add((long) i);
        }
      }
      stats.accept(s -> s.prefill());
      if (joined.isEmpty()) {
        return;
      }
      if (joined.size() < k) {
        fresh.keepRows(keep.stream().mapToLong(Long::longValue).toArray());
      }
      int before = cache.length();
      int shift = cache.appendRows(fresh);
      rows.forEach(r -> r.start += shift);
      for (Row row : joined) {
        row.start += Math.max(before, width) - width;
        rows.add(row);
      }
    }
    stats.accept(s -> s.batch(rows.size()));
  }

  /** The prompts' columns into {@code fresh}, chunk by chunk; the last columns' logits. */
  private float[] prefill(
      LanguageModel model, int[][] prompts, int[] padding, int width, KvCache fresh) {
    try {
      for (int past = 0; ; past += prefillChunk) {
        int fed = Math.min(prefillChunk, width - past);
        BatchInputs inputs = BatchInputs.of(prompts, padding, past, fed);
        if (past + fed == width) {
          return inputs.lastLogits(model, fresh);
        }
        try (NDScope chunk = new NDScope()) {
          inputs.fill(model, fresh);
        }
      }
    } catch (RuntimeException | OutOfMemoryError e) {
      throw new PrefillFailed(e);
    }
  }

  /** One token for every row. */
  void step() {
    int b = rows.size();
    int[][] tokens = new int[b][];
    int[] padding = new int[b];
    for (int r = 0; r < b; r++) {
      // the cache holds all of a row's tokens but its last, from column `start` on: the last one
      // is fed at the cache's next column
      tokens[r] = rows.get(r).tokens;
      padding[r] = rows.get(r).start;
    }
    float[] logits;
    try (NDScope scope = new NDScope()) {
      LanguageModel adapted =
          withAdapters(rows.stream().map(r -> r.ticket.request().adapter()).toList());
      logits = BatchInputs.of(tokens, padding, cache.length(), 1).lastLogits(adapted, cache);
    }
    stats.accept(s -> s.step().batch(b));
    int vocab = model.config().vocabSize();
    List<Boolean> going = new ArrayList<>(b);
    for (int r = 0; r < b; r++) {
      going.add(rows.get(r).next(Arrays.copyOfRange(logits, r * vocab, (r + 1) * vocab)));
    }
    keepOnly(going);
  }

  /** The base model, or a view of it with each row's adapters. */
  private LanguageModel withAdapters(List<Adapter> perRow) {
    Adapter adapter = RowAdapters.of(perRow);
    return adapter == Adapter.NONE ? model : model.adapted(adapter);
  }

  /** Ends the rows whose tickets were cancelled or ran past their deadline. */
  void dropEnded() {
    List<Boolean> going = new ArrayList<>(rows.size());
    for (Row row : rows) {
      boolean cancelled = row.ticket.isCancelled();
      RuntimeException overdue = cancelled ? null : row.ticket.overdue();
      if (cancelled) {
        stats.accept(DecodeLoop.Stats::cancel);
        row.ticket.sink().ended(TokenSink.Ending.CANCELLED, null);
      } else if (overdue != null) {
        row.ticket.sink().ended(TokenSink.Ending.FAILED, overdue);
      }
      going.add(!cancelled && overdue == null);
    }
    keepOnly(going);
  }

  /** Removes the rows that ended from the batch and the cache, and the columns none uses. */
  private void keepOnly(List<Boolean> going) {
    if (!going.contains(false)) {
      return;
    }
    List<Row> still = new ArrayList<>();
    List<Long> keep = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      if (going.get(r)) {
        still.add(rows.get(r));
        keep.add((long) r);
      }
    }
    rows.clear();
    rows.addAll(still);
    if (rows.isEmpty()) {
      cache.clear();
      return;
    }
    try (NDScope scope = new NDScope()) {
      cache.keepRows(keep.stream().mapToLong(Long::longValue).toArray());
      int unused = rows.stream().mapToInt(r -> r.start).min().orElseThrow();
      cache.dropLeadingColumns(unused);
      rows.forEach(r -> r.start -= unused);
    }
  }

  /** Forgets every row (their requests are ended by the caller). */
  @Override
  public void close() {
    rows.clear();
    cache.close();
  }

  /** A request being decoded: its tokens so far and where they start in the cache. */
  private static final class Row {
    final Decoding ticket;
    final int[] tokens;
    int length;
    int generated;

    /** The column of its first token in the shared cache. */
    int start;

    Row(Decoding ticket, int padding) {
      this.ticket = ticket;
      int[] prompt = ticket.request().prompt();
      this.tokens = Arrays.copyOf(prompt, prompt.length + ticket.request().maxNewTokens());
      this.length = prompt.length;
      this.start = padding;
    }

    /**
     * Picks the next token from its logits and hands it on.
     *
     * @return whether the row goes on
     */
    boolean next(float[] logits) {
      DecodeRequest request = ticket.request();
      TokenSink sink = ticket.sink();
      int token = request.sampler().next(logits);
      if (request.stop().stops(token)) {
        sink.ended(TokenSink.Ending.EOS, null);
        return false;
      }
      tokens[length++] = token;
      generated++;
      boolean more;
      try {
        more = sink.accept(token);
      } catch (RuntimeException e) {
        sink.ended(TokenSink.Ending.FAILED, e);
        return false;
      }
      if (!more) {
        sink.ended(TokenSink.Ending.STOPPED, null);
        return false;
      }
      if (generated == request.maxNewTokens()) {
        sink.ended(TokenSink.Ending.LENGTH, null);
        return false;
      }
      return true;
    }
  }
}
