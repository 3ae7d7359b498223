package io.llmft.trainer.service;

import io.llmft.common.job.JobState;
import io.llmft.training.EvaluationPoint;
import java.util.ArrayList;
import java.util.List;

/** The training job document served by {@code GET /training-jobs/{id}}. */
public class TrainingState extends JobState {
  public String datasetId;

  /** The dataset's prompt style, which the model answers in (alpaca or phi3); null for chat. */
  public String promptStyle;

  /**
   * {@code chat} when the model learned conversations in its chat template (it then answers in it),
   * else {@code alpaca}.
   */
  public String format;

  /** A chat job's targets: the assistant's turns or all tokens. */
  public String trainOn;

  /**
   * Rows of a chat dataset left out: longer than allowedMaxLength, or not renderable into turns;
   * and those kept cut to allowedMaxLength ({@code longRows: truncate}).
   */
  public Dropped dropped;

  @io.quarkus.runtime.annotations.RegisterForReflection
  public record Dropped(int tooLong, int unusable, int truncated) {}

  public String baseModel;

  /** The first of {@link #devices}: where the model is evaluated and saved from. */
  public String device;

  /** Every device the job trains on, data parallel (all GPUs of the pod, else the CPU). */
  public List<String> devices;

  /** The last retried download of the pretrained weights, while and after it resumed. */
  public String download;

  public Long parameterCount;

  /**
   * The base model's family, its {@code model_type} ({@code gpt2}, {@code llama}, {@code qwen3}).
   */
  public String family;

  /** DPO: preference pairs left out because allowedMaxLength would cut their whole response. */
  public Integer skippedPairs;

  public Long trainableParameters;
  public Lora lora;
  public Hyperparameters hyperparameters;
  public int epoch;
  public int step;
  public int totalSteps;
  public Double lastLoss;

  /** The book's tokens_seen: input tokens of every batch trained on so far. */
  public long tokensSeen;

  /** The step of the newest checkpoint of this run, which a restarted trainer resumes from. */
  public Integer lastCheckpointStep;

  /** Set when the run continued from a checkpoint after a restart: the step it resumed after. */
  public Integer resumedFromStep;

  public Losses initialLosses;
  public List<EvaluationPoint> metrics = new ArrayList<>();

  /** The book's sample after each epoch: the first validation prompt continued greedily. */
  public List<Sample> samples = new ArrayList<>();

  /**
   * A preference job's closing look at the first validation entries: the reference's response
   * (before DPO) and the tuned policy's (after), beside the preferred one.
   */
  public List<PreferenceSample> preferenceSamples;

  public Double trainingSeconds;
  public String modelId;

  /** The settings the job ran with, defaults filled in. */
  public record Hyperparameters(
      int epochs,
      int batchSize,
      double learningRate,
      double weightDecay,
      int evalFreq,
      int evalIter,
      long seed,
      boolean shuffle,
      Integer maxSteps,
      int warmupSteps,
      String lrDecay,
      boolean maskInstructions,
      int allowedMaxLength,
      int checkpointEvery,
      String precision,
      String precisionReason,
      String method,
      Double beta) {}

  public record Losses(double train, double validation) {}

  /**
   * A sample at the end of an epoch (or at the last step): {@code text} as the book prints it (the
   * prompt and 50 new tokens, newlines as spaces), {@code response} the new part as extracted.
   */
  public record Sample(int epoch, int step, String text, String response) {}

  public record PreferenceSample(
      String instruction, String input, String chosen, String before, String after) {}

  /** LoRA's settings when the job trains adapters instead of every weight. */
  public record Lora(int rank, float alpha) {}
}
