package io.llmft.contract;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The pretrained GPT-2 models, as the book names them ({@code model_configs}), with their shapes
 * and where the Hugging Face hub keeps them.
 */
public enum PretrainedModel {
  GPT2_SMALL("gpt2-small (124M)", "openai-community/gpt2", 768, 12, 12),
  GPT2_MEDIUM("gpt2-medium (355M)", "openai-community/gpt2-medium", 1024, 24, 16),
  GPT2_LARGE("gpt2-large (774M)", "openai-community/gpt2-large", 1280, 36, 20),
  GPT2_XL("gpt2-xl (1558M)", "openai-community/gpt2-xl", 1600, 48, 25);

  private final String bookName;
  private final String hubRepository;
  private final int embDim;
  private final int nLayers;
  private final int nHeads;

  PretrainedModel(String bookName, String hubRepository, int embDim, int nLayers, int nHeads) {
    this.bookName = bookName;
    this.hubRepository = hubRepository;
    this.embDim = embDim;
    this.nLayers = nLayers;
    this.nHeads = nHeads;
  }

  /** "gpt2-medium (355M)". */
  public String bookName() {
    return bookName;
  }

  /** "gpt2-medium": also the name of its directory in a cache. */
  public String shortName() {
    return bookName.substring(0, bookName.indexOf(' '));
  }

  /** "openai-community/gpt2-medium". */
  public String hubRepository() {
    return hubRepository;
  }

  public int embDim() {
    return embDim;
  }

  public int nLayers() {
    return nLayers;
  }

  public int nHeads() {
    return nHeads;
  }

  /** By the book's name ("gpt2-medium (355M)"), the short one ("gpt2-medium") or "gpt2". */
  public static Optional<PretrainedModel> find(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    String wanted = n.equals("gpt2") ? GPT2_SMALL.shortName() : n;
    return Arrays.stream(values())
        .filter(
            m -> m.bookName.toLowerCase(Locale.ROOT).equals(wanted) || m.shortName().equals(wanted))
        .findFirst();
  }

  /** The book's names, for messages. */
  public static List<String> bookNames() {
    return Arrays.stream(values()).map(PretrainedModel::bookName).toList();
  }
}
