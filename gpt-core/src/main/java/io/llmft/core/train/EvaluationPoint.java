package io.llmft.core.train;

/**
 * One evaluation of the book's loop: {@code step} is its {@code global_step} (from 0), {@code
 * epoch} counts from 1.
 */
public record EvaluationPoint(
    int step, int epoch, double trainLoss, double valLoss, long tokensSeen) {}
