package io.llmft.core.train;

import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's grad mode is per thread and on by default in every thread but the one that started the
 * engine. Code that must not record an autograd graph (evaluation, generation, the optimizer's
 * in-place updates) turns it off for its thread first; a {@code GradientCollector} turns it on for
 * the training step and restores it afterwards.
 */
public final class GradMode {
  private GradMode() {}

  public static void disable() {
    if (JniUtils.isGradMode()) {
      JniUtils.setGradMode(false);
    }
  }
}
