package io.llmft.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** {@code POST /datasets} body and {@code dataset-jobs} message. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatasetJob(
    Integer schemaVersion,
    String jobId,
    String name,
    Source source,
    List<JsonNode> entries,
    String promptStyle,
    String format,
    SplitFractions split,
    Integer allowedMaxLength,
    Long seed,
    Duplicates duplicates,
    Pipeline pipeline)
    implements JobMessage {
  /**
   * The {@code allowedMaxLength} of a job that names none: the context of the book's GPT-2 models,
   * which the collate truncates to.
   */
  public static final int DEFAULT_ALLOWED_MAX_LENGTH = 1024;

  /** The book's rows: instruction, optional input, output (and chosen/rejected for DPO). */
  public static final String ALPACA = "alpaca";

  /** Conversations: OpenAI/TRL messages or ShareGPT conversations, formatted by a chat template. */
  public static final String CHAT = "chat";

  /** Exactly one of the three. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Source(String builtin, String url, String path) {
    /** The builtin source: the book's chapter-7 dataset, bundled with the dataset service. */
    public static final String INSTRUCTION_DATA = "instruction-data";

    /** The bundled chat sample: conversations made from the chapter's entries (JSON Lines). */
    public static final String CHAT_SAMPLE = "chat-sample";

    /** The DPO notebook's preference pairs of the same entries. */
    public static final String INSTRUCTION_DATA_WITH_PREFERENCE =
        "instruction-data-with-preference";
  }

  public record SplitFractions(Double train, Double test) {}

  /**
   * Near-duplicate search, the book's method (TF-IDF over character 1-3-grams, cosine similarity):
   * {@code keys} are the fields compared (default instruction, input, output; empty turns the
   * search off), {@code threshold} the similarity above which two texts are near-duplicates
   * (default 0.9), {@code drop} the keys whose near-duplicate groups keep only their first entry
   * before the split (default none; the book removes by input and output).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Duplicates(
      Double threshold, List<String> keys, List<String> drop, Integer maxPairs) {
    public static final double DEFAULT_THRESHOLD = 0.9;
    public static final int DEFAULT_MAX_PAIRS = 100_000;
    public static final int MAX_MAX_PAIRS = 1_000_000;
    public static final List<String> DEFAULT_KEYS = List.of("instruction", "input", "output");
  }
}
