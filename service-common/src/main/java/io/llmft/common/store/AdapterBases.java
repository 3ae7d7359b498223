package io.llmft.common.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.contract.ModelDirectory;
import io.llmft.contract.PretrainedModel;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Where the base model of a PEFT adapter directory is: its {@code adapter_config.json} names it in
 * {@code base_model_name_or_path}, which is looked up as a pretrained model of the store ({@code
 * gpt2-medium (355M)}), a model finetuned here (its id) or a model directory under the import roots
 * (a path), in that order.
 */
@ApplicationScoped
public class AdapterBases {
  static final String FIELD = "base_model_name_or_path";

  private final ArtifactStore store;
  private final ImportRoots imports;
  private final ObjectMapper json = new ObjectMapper();

  public AdapterBases(ArtifactStore store, ImportRoots imports) {
    this.store = store;
    this.imports = imports;
  }

  /**
   * The base model directory of the adapter in {@code adapterDir}.
   *
   * @throws InvalidFieldException naming {@code field} when the adapter names no base, or one that
   *     is not here
   */
  public Path require(Path adapterDir, String field) {
    String base = baseName(adapterDir, field);
    return find(base)
        .orElseThrow(
            () ->
                new InvalidFieldException(
                    field,
                    ModelDirectory.ADAPTER_CONFIG_FILE
                        + ": "
                        + FIELD
                        + " '"
                        + base
                        + "' is neither a pretrained model in the artifact store, a model"
                        + " finetuned here nor a model directory under the allowed import roots"));
  }

  /**
   * Why the model in {@code dir} cannot be run, or null: {@code model}'s answer for a model
   * directory, {@code adapter}'s (given the base's directory and the adapter's) for an adapter.
   */
  public String unreadable(
      Path dir, Function<Path, String> model, BiFunction<Path, Path, String> adapter) {
    if (!ModelDirectory.holdsAdapter(dir)) {
      return model.apply(dir);
    }
    try {
      return adapter.apply(require(dir, FIELD), dir);
    } catch (InvalidFieldException e) {
      return e.reason();
    }
  }

  private String baseName(Path adapterDir, String field) {
    JsonNode base;
    try {
      base =
          json.readTree(adapterDir.resolve(ModelDirectory.ADAPTER_CONFIG_FILE).toFile()).get(FIELD);
    } catch (IOException e) {
      throw new InvalidFieldException(
          field, ModelDirectory.ADAPTER_CONFIG_FILE + " cannot be read: " + e.getMessage());
    }
    if (base == null || !base.isTextual() || base.asText().isBlank()) {
      throw new InvalidFieldException(
          field, ModelDirectory.ADAPTER_CONFIG_FILE + ": " + FIELD + " names no base model");
    }
    return base.asText();
  }

  private Optional<Path> find(String base) {
    Optional<PretrainedModel> pretrained = PretrainedModel.find(base);
    if (pretrained.isPresent()) {
      Path dir = store.layout().baseModel(pretrained.get());
      return ModelDirectory.holdsModel(dir) ? Optional.of(dir) : Optional.empty();
    }
    if (store.layout().hasModel(base)) {
      return Optional.of(store.layout().model(base));
    }
    return imports.resolve(base).filter(ModelDirectory::holdsModel);
  }
}
