package io.llmft.text;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A model's tokenizer: GPT-2's BPE ({@link Gpt2Tokenizer}) or the {@code tokenizer.json} of a model
 * directory ({@link HfTokenizer}). Its special ids come from the model's own files.
 */
public interface Tokenizer {
  /**
   * The ids of a text as the model is given it: its special-token markers (GPT-2's {@code
   * <|endoftext|>}, Llama's {@code <|eot_id|>}, ...) become their ids, and the post-processor's
   * tokens (Llama 3's {@code <|begin_of_text|>}) come first.
   */
  int[] encode(String text);

  /**
   * The ids of a text that already holds its special tokens, such as a rendered chat template: the
   * special-token markers become their ids, and the post-processor adds none.
   */
  int[] encodeRendered(String text);

  String decode(int[] ids);

  /**
   * The bytes of one token (a byte-level token is a byte sequence, not always whole characters).
   */
  byte[] bytes(int id);

  /** The id that ends a text: a finetuning target after each response, and the padding. */
  int endOfText();

  /** The ids that stop generation (Llama 3.2: {@code [128001, 128008, 128009]}). */
  int[] stopIds();

  default boolean isStop(int id) {
    return Arrays.stream(stopIds()).anyMatch(s -> s == id);
  }

  /** How many ids it gives: every id is below this. */
  int vocabularySize();

  /** Writes the files it was read from (or, for GPT-2, Hugging Face's) into a model directory. */
  void writeFiles(Path dir) throws IOException;
}
