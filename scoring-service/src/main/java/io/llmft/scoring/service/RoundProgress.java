package io.llmft.scoring.service;

/**
 * What every round tells its job's document: the calls made and why it waits (saved and announced
 * through {@code progress}); how answers count is each job kind's own.
 */
abstract class RoundProgress implements JudgeRound.Listener {
  protected final ScoringState state;
  protected final Runnable progress;

  RoundProgress(ScoringState state, Runnable progress) {
    this.state = state;
    this.progress = progress;
  }

  @Override
  public void calling() {
    synchronized (state) {
      state.judgeCalls++;
    }
  }

  @Override
  public void waiting(String why) {
    synchronized (state) {
      state.waiting = why;
      if (why != null) {
        progress.run();
      }
    }
  }
}
