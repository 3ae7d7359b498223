package io.llmft.trainer.service;

import io.llmft.common.job.JobControl;
import io.llmft.common.store.JobStore;
import io.llmft.training.EvaluationPoint;
import io.llmft.training.LoopPosition;
import io.llmft.training.TrainingCheckpoint;
import io.llmft.training.TrainingHistory;
import io.llmft.training.TrainingListener;
import java.util.ArrayList;
import java.util.function.DoubleConsumer;
import org.jboss.logging.Logger;

/** Keeps the job document, the events and the cancel flag in step with the training loop. */
public final class TrainingProgress implements TrainingListener {
  private static final Logger LOG = Logger.getLogger(TrainingProgress.class);
  private static final long STEP_EVENTS_EVERY_NANOS = 1_000_000_000L;

  private final TrainingState state;
  private final JobControl control;
  private final JobStore<TrainingState> jobs;
  private final DoubleConsumer publish;
  private final TrainingMeters meters;
  private long tokensSeen;
  private long publishedAt = System.nanoTime();

  /**
   * @param publish announces the job's progress (a fraction) on {@code job-events}
   */
  TrainingProgress(
      TrainingState state,
      JobControl control,
      JobStore<TrainingState> jobs,
      DoubleConsumer publish,
      TrainingMeters meters) {
    this.meters = meters;
    this.state = state;
    this.control = control;
    this.jobs = jobs;
    this.publish = publish;
  }

  @Override
  public void started(TrainingHistory history) {
    state.metrics = new ArrayList<>(); // a run restarted without a checkpoint starts over
    state.samples = new ArrayList<>();
    state.lastCheckpointStep = null;
    state.initialLosses =
        new TrainingState.Losses(history.initialTrainLoss(), history.initialValLoss());
    jobs.save(state);
    LOG.infof(
        "training job %s: initial losses train %.4f, validation %.4f",
        state.id, history.initialTrainLoss(), history.initialValLoss());
  }

  @Override
  public void resumed(TrainingCheckpoint.Snapshot snapshot) {
    LoopPosition position = snapshot.position();
    TrainingHistory history = snapshot.history();
    tokensSeen = position.tokensSeen();
    state.resumedFromStep = position.step();
    state.step = position.step();
    state.epoch = position.epoch();
    state.initialLosses =
        new TrainingState.Losses(history.initialTrainLoss(), history.initialValLoss());
    state.metrics = new ArrayList<>(history.evaluations());
    jobs.save(state);
    LOG.infof(
        "training job %s: resumed from the checkpoint after step %d", state.id, position.step());
  }

  /** A checkpoint of the first {@code step} steps was written. */
  void checkpointed(int step) {
    state.lastCheckpointStep = step;
    jobs.saveProgress(state);
  }

  @Override
  public void stepDone(LoopPosition position, int totalSteps, double loss) {
    meters.stepped(position.tokensSeen() - tokensSeen, loss);
    tokensSeen = position.tokensSeen();
    state.epoch = position.epoch();
    state.step = position.step();
    state.totalSteps = totalSteps;
    state.lastLoss = loss;
    state.tokensSeen = position.tokensSeen();
    if (System.nanoTime() - publishedAt >= STEP_EVENTS_EVERY_NANOS) {
      publish(); // for the job's event streams: about once a second between evaluations
    } else {
      jobs.saveProgress(state);
    }
  }

  private void publish() {
    publishedAt = System.nanoTime();
    publish.accept((double) state.step / Math.max(1, state.totalSteps));
  }

  @Override
  public void evaluated(EvaluationPoint point) {
    state.metrics.add(point);
    meters.evaluated(point.trainLoss(), point.valLoss());
    LOG.infof(
        "training job %s: Ep %d (Step %06d): Train loss %.3f, Val loss %.3f",
        state.id, point.epoch(), point.step(), point.trainLoss(), point.valLoss());
    publish();
  }

  @Override
  public boolean cancelled() {
    return control.cancelRequested();
  }
}
