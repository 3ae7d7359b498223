package io.llmft.trainer.service;

import io.llmft.common.store.JobStore;
import io.llmft.contract.InstructionEntry;
import io.llmft.models.LanguageModel;
import io.llmft.serving.generate.Generation;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import io.llmft.text.PromptStyle;
import io.llmft.text.Tokenizer;
import io.llmft.training.LoopPosition;
import io.llmft.training.TrainingListener;
import java.util.ArrayList;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The book's {@code generate_and_print_sample}: after every epoch, and at the last step when the
 * run ends inside an epoch, the model continues the first validation entry's prompt greedily by 50
 * tokens; the sample goes into the job document and its progress event.
 */
final class EpochSamples implements TrainingListener {
  static final int NEW_TOKENS = 50;
  private static final Logger LOG = Logger.getLogger(EpochSamples.class);

  private final LanguageModel model;
  private final Tokenizer tokenizer;
  private final Prompt prompt;
  private final TrainingState state;
  private final JobStore<TrainingState> jobs;
  private final Consumer<TrainingState.Sample> announce;

  /**
   * What a sample continues: its text and ids, the tokens that end it, and the response read from
   * the text with the continuation.
   */
  record Prompt(
      String text, int[] ids, StopTokens stop, java.util.function.UnaryOperator<String> response) {
    /** The book's: the entry's formatted input, 50 tokens on, the style's response extraction. */
    static Prompt of(PromptStyle style, InstructionEntry entry, Tokenizer tokenizer) {
      String text = style.formatInput(entry);
      return new Prompt(
          text, tokenizer.encode(text), StopTokens.NONE, all -> style.extractResponse(text, all));
    }

    /**
     * A conversation up to its last assistant turn, rendered with the generation prompt; the answer
     * runs to the model's stop tokens and is the response as it is.
     */
    static Prompt ofConversation(
        io.llmft.text.ChatTemplate template,
        java.util.List<java.util.Map<String, Object>> messages,
        java.util.List<?> tools,
        java.util.Map<String, Object> kwargs,
        Tokenizer tokenizer) {
      int last = messages.size() - 1;
      while (last > 0 && !"assistant".equals(messages.get(last).get("role"))) {
        last--;
      }
      String text = template.render(messages.subList(0, Math.max(1, last)), tools, true, kwargs);
      return new Prompt(
          text,
          tokenizer.encodeRendered(text),
          StopTokens.of(tokenizer.stopIds()),
          all -> all.substring(text.length()).strip());
    }
  }

  EpochSamples(
      LanguageModel model,
      Tokenizer tokenizer,
      Prompt prompt,
      TrainingState state,
      JobStore<TrainingState> jobs,
      Consumer<TrainingState.Sample> announce) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.prompt = prompt;
    this.state = state;
    this.jobs = jobs;
    this.announce = announce;
  }

  @Override
  public void epochEnded(LoopPosition position) {
    sample(position);
  }

  @Override
  public void finished(LoopPosition position) {
    sample(position);
  }

  /** The prompt's greedy continuation by at most {@link #NEW_TOKENS} tokens, as text. */
  static String continueGreedily(
      LanguageModel model, Tokenizer tokenizer, String prompt, StopTokens stop) {
    return continueGreedily(model, tokenizer, tokenizer.encode(prompt), stop);
  }

  static String continueGreedily(
      LanguageModel model, Tokenizer tokenizer, int[] prompt, StopTokens stop) {
    Generation generation =
        new Generator(model)
            .generate(prompt, NEW_TOKENS, model.config().contextLength(), Sampler.greedy(), stop);
    return tokenizer.decode(generation.generatedTokens());
  }

  private void sample(LoopPosition position) {
    if (state.samples.stream().anyMatch(s -> s.step() == position.step())) {
      return; // the run ended with its epoch: one sample
    }
    String text = prompt.text() + continueGreedily(model, tokenizer, prompt.ids(), prompt.stop());
    TrainingState.Sample sample =
        new TrainingState.Sample(
            position.epoch(),
            position.step(),
            text.replace("\n", " "),
            prompt.response().apply(text));
    if (state.samples == null) {
      state.samples = new ArrayList<>();
    }
    state.samples.add(sample);
    jobs.saveProgress(state);
    LOG.infof("training job %s: Ep %d sample: %s", state.id, sample.epoch(), sample.text());
    announce.accept(sample);
  }
}
