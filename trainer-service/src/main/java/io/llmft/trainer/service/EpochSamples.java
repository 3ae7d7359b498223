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
  private final PromptStyle style;
  private final String prompt;
  private final TrainingState state;
  private final JobStore<TrainingState> jobs;
  private final Consumer<TrainingState.Sample> announce;

  EpochSamples(
      LanguageModel model,
      Tokenizer tokenizer,
      PromptStyle style,
      InstructionEntry entry,
      TrainingState state,
      JobStore<TrainingState> jobs,
      Consumer<TrainingState.Sample> announce) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.style = style;
    this.prompt = style.formatInput(entry);
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
    Generation generation =
        new Generator(model)
            .generate(
                tokenizer.encode(prompt),
                NEW_TOKENS,
                model.config().contextLength(),
                Sampler.greedy(),
                stop);
    return tokenizer.decode(generation.generatedTokens());
  }

  private void sample(LoopPosition position) {
    if (state.samples.stream().anyMatch(s -> s.step() == position.step())) {
      return; // the run ended with its epoch: one sample
    }
    String text = prompt + continueGreedily(model, tokenizer, prompt, StopTokens.NONE);
    TrainingState.Sample sample =
        new TrainingState.Sample(
            position.epoch(),
            position.step(),
            text.replace("\n", " "),
            style.extractResponse(prompt, text));
    if (state.samples == null) {
      state.samples = new ArrayList<>();
    }
    state.samples.add(sample);
    jobs.saveProgress(state);
    LOG.infof("training job %s: Ep %d sample: %s", state.id, sample.epoch(), sample.text());
    announce.accept(sample);
  }
}
