package io.llmft.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.llmft.models.Golden;
import io.llmft.models.gpt2.Gpt2Model;
import io.llmft.serving.generate.Generation;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DecodeLoopTest {
  private static final DecodeLoop.Limits LIMITS = new DecodeLoop.Limits(8, 16, 64, 200, 60_000);

  /** Collects a request's tokens and how it ended. */
  static class Collected implements TokenSink {
    final List<Integer> tokens = new ArrayList<>();
    final CompletableFuture<Ending> ending = new CompletableFuture<>();
    final java.util.concurrent.atomic.AtomicInteger endings =
        new java.util.concurrent.atomic.AtomicInteger();
    volatile Throwable error;
    final int stopAfter;

    Collected(int stopAfter) {
      this.stopAfter = stopAfter;
    }

    @Override
    public synchronized boolean accept(int token) {
      tokens.add(token);
      return tokens.size() < stopAfter;
    }

    @Override
    public void ended(Ending why, Throwable error) {
      this.error = error;
      endings.incrementAndGet();
      ending.complete(why);
    }

    synchronized int[] array() {
      return tokens.stream().mapToInt(Integer::intValue).toArray();
    }
  }

  private static int[] prompt(int length, int seed) {
    int[] ids = new int[length];
    for (int i = 0; i < length; i++) {
      ids[i] = (seed * 7919 + i * 104729) % 50000;
    }
    return ids;
  }

  @Test
  void greedyRequestsJoiningABusyBatchGetWhatTheyGetAlone() throws Exception {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Golden.loadModel(m)) {
      DecodeLoop loop = new DecodeLoop(model, LIMITS, "test");
      // the last prompt is longer than the prefill chunk (64): it is prefilled in two passes
      int[] lengths = {3, 17, 9, 30, 1, 12, 80};
      int[] news = {20, 5, 33, 12, 40, 8, 10};
      List<Collected> sinks = new ArrayList<>();
      for (int i = 0; i < lengths.length; i++) {
        Collected sink = new Collected(Integer.MAX_VALUE);
        sinks.add(sink);
        loop.submit(
            new DecodeRequest(prompt(lengths[i], i), news[i], Sampler.greedy(), StopTokens.NONE),
            sink);
        Thread.sleep(i * 3L); // some join while others decode
      }
      for (int i = 0; i < lengths.length; i++) {
        assertEquals(TokenSink.Ending.LENGTH, sinks.get(i).ending.get(60, TimeUnit.SECONDS));
        Generation alone =
            new Generator(model)
                .generate(prompt(lengths[i], i), news[i], 96, Sampler.greedy(), StopTokens.NONE);
        assertArrayEquals(alone.generatedTokens(), sinks.get(i).array(), "request " + i);
      }
      assertTrue(loop.stats().largestBatch() > 1, "they ran together: " + loop.stats());
    }
  }

  @Test
  void theEndTokenAStopAndACancelEndARequestAndFreeItsRow() throws Exception {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Golden.loadModel(m)) {
      DecodeLoop loop = new DecodeLoop(model, LIMITS, "test");
      int[] prompt = prompt(5, 1);
      int first =
          new Generator(model)
              .generate(prompt, 1, 96, Sampler.greedy(), StopTokens.NONE)
              .generatedTokens()[0];
      Collected eos = new Collected(Integer.MAX_VALUE);
      loop.submit(new DecodeRequest(prompt, 10, Sampler.greedy(), StopTokens.of(first)), eos);
      assertEquals(TokenSink.Ending.EOS, eos.ending.get(30, TimeUnit.SECONDS));
      assertEquals(0, eos.tokens.size(), "the end token is not passed on");

      Collected stopped = new Collected(3);
      loop.submit(new DecodeRequest(prompt, 50, Sampler.greedy(), StopTokens.NONE), stopped);
      assertEquals(TokenSink.Ending.STOPPED, stopped.ending.get(30, TimeUnit.SECONDS));
      assertEquals(3, stopped.tokens.size());

      CountDownLatch started = new CountDownLatch(1);
      Collected cancelled =
          new Collected(Integer.MAX_VALUE) {
            @Override
            public synchronized boolean accept(int token) {
              started.countDown();
              return super.accept(token);
            }
          };
      DecodeLoop.Ticket ticket =
          loop.submit(new DecodeRequest(prompt, 80, Sampler.greedy(), StopTokens.NONE), cancelled);
      assertTrue(started.await(30, TimeUnit.SECONDS));
      ticket.cancel();
      assertEquals(TokenSink.Ending.CANCELLED, cancelled.ending.get(30, TimeUnit.SECONDS));
      assertTrue(cancelled.tokens.size() < 80, "it left before its last token");
    }
  }

  @Test
  void aFullQueueRefusesAndAnOverlongRequestIsRejected() throws Exception {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Golden.loadModel(m)) {
      DecodeLoop loop = new DecodeLoop(model, new DecodeLoop.Limits(1, 2, 64, 200, 60_000), "test");
      List<DecodeLoop.Ticket> tickets = new ArrayList<>();
      List<Collected> sinks = new ArrayList<>();
      QueueFullException full = null;
      for (int i = 0; i < 10 && full == null; i++) {
        Collected sink = new Collected(Integer.MAX_VALUE);
        try {
          tickets.add(
              loop.submit(
                  new DecodeRequest(prompt(4, i), 60, Sampler.greedy(), StopTokens.NONE), sink));
          sinks.add(sink);
        } catch (QueueFullException e) {
          full = e;
        }
      }
      assertTrue(full != null, "a batch of one with two waiting refuses the rest");
      tickets.forEach(DecodeLoop.Ticket::cancel);
      for (Collected sink : sinks) {
        assertEquals(TokenSink.Ending.CANCELLED, sink.ending.get(30, TimeUnit.SECONDS));
      }
      assertThrows(
          IllegalArgumentException.class,
          () ->
              loop.submit(
                  new DecodeRequest(prompt(90, 1), 10, Sampler.greedy(), StopTokens.NONE),
                  new Collected(Integer.MAX_VALUE)));
    }
  }

  /** Greedy until its {@code n}-th token, then it throws, as a failing forward pass would. */
  private static Sampler failingAt(int n) {
    int[] calls = {0};
    return logits -> {
      if (++calls[0] == n) {
        throw new IllegalStateException("injected failure at token " + n);
      }
      return Sampler.greedy().next(logits);
    };
  }

  private static DecodeRequest request(int seed, int newTokens, Sampler sampler) {
    return new DecodeRequest(prompt(5, seed), newTokens, sampler, StopTokens.NONE);
  }

  /** Four requests of 80 tokens, request {@code i} sampled by {@code sampler.apply(i)}. */
  private static List<Collected> fourRequests(
      DecodeLoop loop, java.util.function.IntFunction<Sampler> sampler) throws Exception {
    List<Collected> sinks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Collected sink = new Collected(Integer.MAX_VALUE);
      sinks.add(sink);
      loop.submit(request(i, 80, sampler.apply(i)), sink);
    }
    return sinks;
  }

  /** Each sink ended once; then a new request gets what it gets alone. */
  private static void assertEachEndedOnceAndTheLoopServesTheNext(
      DecodeLoop loop, Gpt2Model model, List<Collected> sinks) throws Exception {
    for (Collected sink : sinks) {
      assertEquals(TokenSink.Ending.FAILED, sink.ending.get(30, TimeUnit.SECONDS));
      assertTrue(sink.error.getMessage().contains("injected failure"), sink.error.toString());
    }
    Thread.sleep(100); // a second ending would come from the loop's next steps
    for (Collected sink : sinks) {
      assertEquals(1, sink.endings.get(), "ended exactly once");
    }
    Collected next = new Collected(Integer.MAX_VALUE);
    loop.submit(request(9, 12, Sampler.greedy()), next);
    assertEquals(TokenSink.Ending.LENGTH, next.ending.get(30, TimeUnit.SECONDS));
    Generation alone =
        new Generator(model)
            .generate(
                prompt(5, 9),
                12,
                model.config().contextLength(),
                Sampler.greedy(),
                StopTokens.NONE);
    assertArrayEquals(alone.generatedTokens(), next.array());
  }

  @Test
  void aFailingPrefillEndsTheRunningAndTheJoiningRequestsAndTheLoopGoesOn() throws Exception {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Golden.loadModel(m)) {
      DecodeLoop loop = new DecodeLoop(model, LIMITS, "test");
      List<Collected> sinks = fourRequests(loop, i -> Sampler.greedy());
      while (sinks.stream().anyMatch(s -> s.array().length < 2)) {
        Thread.sleep(1);
      }
      Collected joining = new Collected(Integer.MAX_VALUE);
      sinks.add(joining);
      loop.submit(request(7, 80, failingAt(1)), joining); // fails in its prefill
      assertEachEndedOnceAndTheLoopServesTheNext(loop, model, sinks);
      assertTrue(sinks.get(0).array().length < 80, "the running requests ended early");
    }
  }

  @Test
  void aFailingStepEndsEveryRequestOfTheBatchOnce() throws Exception {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Golden.loadModel(m)) {
      DecodeLoop loop = new DecodeLoop(model, LIMITS, "test");
      // the third request fails at its tenth token, in a step of all four
      List<Collected> sinks = fourRequests(loop, i -> i == 2 ? failingAt(10) : Sampler.greedy());
      assertEachEndedOnceAndTheLoopServesTheNext(loop, model, sinks);
    }
  }

  @Test
  void aRequestPastItsDeadlineEndsFailedAndOneOutsideTheVocabularyIsRefused() throws Exception {
    try (NDManager m = NDManager.newBaseManager();
        Gpt2Model model = Golden.loadModel(m)) {
      DecodeLoop loop = new DecodeLoop(model, new DecodeLoop.Limits(8, 16, 64, 200, 300), "test");
      Collected slow =
          new Collected(Integer.MAX_VALUE) {
            @Override
            public synchronized boolean accept(int token) {
              try {
                Thread.sleep(20); // a slow client: 80 tokens take 1.6 s
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return super.accept(token);
            }
          };
      loop.submit(request(1, 80, Sampler.greedy()), slow);
      assertEquals(TokenSink.Ending.FAILED, slow.ending.get(30, TimeUnit.SECONDS));
      assertTrue(slow.error instanceof DecodeLoop.DeadlineExceededException, slow.error.toString());
      assertTrue(slow.array().length < 80);
      int vocab = model.config().vocabSize();
      IllegalArgumentException refused =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  loop.submit(
                      new DecodeRequest(new int[] {1, vocab}, 4, Sampler.greedy(), StopTokens.NONE),
                      new Collected(Integer.MAX_VALUE)));
      assertTrue(refused.getMessage().contains("vocabulary"), refused.getMessage());
    }
  }
}
