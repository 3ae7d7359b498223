package io.llmft.models.checkpoint;

import io.llmft.models.FamilyFormat;
import io.llmft.models.ModelFamily;
import io.llmft.models.gpt2.Gpt2Format;
import io.llmft.models.llama.LlamaFormat;

/**
 * The one table of the families' formats: a new family adds its {@link ModelFamily} constant and
 * its line here (the switch does not compile until every family has one). The families' packages
 * never name this table, so nothing depends back on them.
 */
public final class FamilyFormats {
  private static final FamilyFormat GPT2 = new Gpt2Format();
  private static final FamilyFormat LLAMA = new LlamaFormat(ModelFamily.LLAMA);
  private static final FamilyFormat QWEN3 = new LlamaFormat(ModelFamily.QWEN3);

  private FamilyFormats() {}

  public static FamilyFormat of(ModelFamily family) {
    return switch (family) {
      case GPT2 -> GPT2;
      case LLAMA -> LLAMA;
      case QWEN3 -> QWEN3;
    };
  }
}
