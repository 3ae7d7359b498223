package io.llmft.trainer.service;

import io.llmft.common.job.JobControl;
import io.llmft.common.store.JobStore;
import io.llmft.core.train.EvaluationPoint;
import io.llmft.core.train.TrainingCheckpoint;
import io.llmft.core.train.TrainingListener;
import java.util.ArrayList;
import java.util.function.DoubleConsumer;
import org.jboss.logging.Logger;

/** Keeps the job document, the events and the cancel flag in step with the training loop. */
public final class TrainingProgress implements TrainingListener {
  private static final Logger LOG = Logger.getLogger(TrainingProgress.class);

  private final TrainingState state;
  private final JobControl control;
  private final JobStore<TrainingState> jobs;
  private final DoubleConsumer publish;

  /**
   * @param publish announces the job's progress (a fraction) on {@code job-events}
   */
  TrainingProgress(
      TrainingState state,
      JobControl control,
      JobStore<TrainingState> jobs,
      DoubleConsumer publish) {
    this.state = state;
    this.control = control;
    this.jobs = jobs;
    this.publish = publish;
  }

  @Override
  public void initialLosses(double train, double validation) {
    state.metrics = new ArrayList<>(); // a run restarted without a checkpoint starts over
    state.lastCheckpointStep = null;
    state.initialLosses = new TrainingState.Losses(train, validation);
    jobs.save(state);
    LOG.infof(
        "training job %s: initial losses train %.4f, validation %.4f", state.id, train, validation);
  }

  @Override
  public void resumed(TrainingCheckpoint.Progress progress) {
    state.resumedFromStep = progress.step();
    state.step = progress.step();
    state.epoch = progress.epoch();
    state.initialLosses =
        new TrainingState.Losses(progress.initialTrainLoss(), progress.initialValLoss());
    state.metrics = new ArrayList<>(progress.evaluations());
    jobs.save(state);
    LOG.infof(
        "training job %s: resumed from the checkpoint after step %d", state.id, progress.step());
  }

  @Override
  public void checkpointed(int step) {
    state.lastCheckpointStep = step;
    jobs.saveProgress(state);
  }

  @Override
  public void stepDone(int epoch, int step, int totalSteps, double loss, long tokensSeen) {
    state.epoch = epoch;
    state.step = step;
    state.totalSteps = totalSteps;
    state.lastLoss = loss;
    jobs.saveProgress(state);
  }

  @Override
  public void evaluated(EvaluationPoint point) {
    state.metrics.add(point);
    LOG.infof(
        "training job %s: Ep %d (Step %06d): Train loss %.3f, Val loss %.3f",
        state.id, point.epoch(), point.step(), point.trainLoss(), point.valLoss());
    publish.accept((double) state.step / Math.max(1, state.totalSteps));
  }

  @Override
  public boolean cancelled() {
    return control.cancelRequested();
  }

  @Override
  public boolean stopRequested() {
    return control.stopRequested();
  }
}
