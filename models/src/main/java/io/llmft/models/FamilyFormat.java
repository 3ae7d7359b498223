package io.llmft.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmft.text.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * How one family's Hugging Face files are read and written and its weights made: what {@link
 * io.llmft.models.checkpoint.HfCheckpoint} asks of the family that {@code config.json}'s {@code
 * model_type} names.
 */
public interface FamilyFormat {
  /**
   * The tokenizer of a model directory of this family (GPT-2's BPE, else its {@code
   * tokenizer.json}), with its end-of-text and stop ids from the directory's files.
   */
  Tokenizer tokenizer(Path dir) throws IOException;

  /**
   * Whether a model directory has its tokenizer's files, without reading them: the check a request
   * makes before it is accepted ({@link #tokenizer} reads them once, when the model is used).
   */
  void checkTokenizerFiles(Path dir) throws IOException;

  /**
   * The config of a {@code config.json}; an {@link IllegalArgumentException} naming the field that
   * is missing or out of range.
   */
  ModelConfig readConfig(JsonNode config);

  /** The config's {@code config.json}, as Hugging Face transformers reads it for this family. */
  ObjectNode configJson(ModelConfig config);

  /**
   * The parameter a tensor of the family's file holds, by its checkpoint name, or null for buffers
   * that are not parameters.
   */
  String parameterName(String fileKey);

  /** Every parameter a file of this config may hold, by checkpoint name, with its shape. */
  Map<String, Shape> shapes(ModelConfig config);

  /**
   * The weights from arrays by checkpoint name that live in {@code manager}, which the weights take
   * over (and close, also when the arrays do not fit the config); a head missing from the file is
   * the token embedding, as the family ties it.
   */
  ModelWeights fromNamed(ModelConfig config, Map<String, NDArray> arrays, NDManager manager);

  /** Where LoRA adapters go on a model of this config. */
  LoraAdapters.Targets adapterTargets(ModelConfig config);

  /** The family's random initialisation, in a new sub-manager of {@code parent}. */
  ModelWeights randomInit(ModelConfig config, long seed, NDManager parent);
}
