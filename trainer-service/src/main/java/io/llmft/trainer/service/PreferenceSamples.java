package io.llmft.trainer.service;

import io.llmft.common.store.JobStore;
import io.llmft.contract.InstructionEntry;
import io.llmft.models.LanguageModel;
import io.llmft.serving.generate.StopTokens;
import io.llmft.text.PromptStyle;
import io.llmft.text.Tokenizer;
import io.llmft.training.LoopPosition;
import io.llmft.training.TrainingListener;
import java.util.ArrayList;
import java.util.List;

/**
 * The DPO notebook's closing look: for the first validation entries, the response of the frozen
 * reference (the model before DPO) beside the tuned policy's, greedy and ended at end-of-text, in
 * the job document when the run finishes.
 */
final class PreferenceSamples implements TrainingListener {
  static final int ENTRIES = 3;

  private final LanguageModel policy;
  private final LanguageModel reference;
  private final Tokenizer tokenizer;
  private final PromptStyle style;
  private final List<PreferencePair> pairs;
  private final TrainingState state;
  private final JobStore<TrainingState> jobs;

  /** A validation entry with its preferred answer. */
  record PreferencePair(InstructionEntry entry, String chosen) {}

  PreferenceSamples(
      LanguageModel policy,
      LanguageModel reference,
      Tokenizer tokenizer,
      PromptStyle style,
      List<PreferencePair> pairs,
      TrainingState state,
      JobStore<TrainingState> jobs) {
    this.policy = policy;
    this.reference = reference;
    this.tokenizer = tokenizer;
    this.style = style;
    this.pairs = pairs;
    this.state = state;
    this.jobs = jobs;
  }

  @Override
  public void finished(LoopPosition position) {
    List<TrainingState.PreferenceSample> samples = new ArrayList<>();
    for (PreferencePair pair : pairs) {
      String prompt = style.formatInput(pair.entry());
      samples.add(
          new TrainingState.PreferenceSample(
              pair.entry().instruction(),
              pair.entry().input(),
              pair.chosen(),
              respond(reference, prompt),
              respond(policy, prompt)));
    }
    state.preferenceSamples = samples;
    jobs.saveProgress(state);
  }

  private String respond(LanguageModel model, String prompt) {
    String continuation =
        EpochSamples.continueGreedily(model, tokenizer, prompt, StopTokens.of(tokenizer.stopIds()));
    return style.extractResponse(prompt, prompt + continuation);
  }
}
