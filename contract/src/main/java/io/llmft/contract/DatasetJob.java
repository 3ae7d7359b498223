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
    SplitFractions split,
    Integer allowedMaxLength,
    Long seed,
    Pipeline pipeline)
    implements JobMessage {

  /** Exactly one of the three. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Source(String builtin, String url, String path) {
    /** The builtin source: the book's chapter-7 dataset, bundled with the dataset service. */
    public static final String INSTRUCTION_DATA = "instruction-data";

    /** The DPO notebook's preference pairs of the same entries. */
    public static final String INSTRUCTION_DATA_WITH_PREFERENCE =
        "instruction-data-with-preference";
  }

  public record SplitFractions(Double train, Double test) {}
}
