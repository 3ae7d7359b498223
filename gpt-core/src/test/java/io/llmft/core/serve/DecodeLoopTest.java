package io.llmft.core.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.llmft.core.Golden;
import io.llmft.core.generate.Generation;
import io.llmft.core.generate.Generator;
import io.llmft.core.generate.Sampler;
import io.llmft.core.generate.StopTokens;
import io.llmft.core.model.gpt2.Gpt2Model;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DecodeLoopTest {
  private static final DecodeLoop.Limits LIMITS = new DecodeLoop.Limits(8, 16, 64, 200);

  /** Collects a request's tokens and how it ended. */
  static class Collected implements TokenSink {
    final List<Integer> tokens = new ArrayList<>();
    final CompletableFuture<Ending> ending = new CompletableFuture<>();
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
      int[] lengths = {3, 17, 9, 30, 1, 12};
      int[] news = {20, 5, 33, 12, 40, 8};
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
      DecodeLoop loop = new DecodeLoop(model, new DecodeLoop.Limits(1, 2, 64, 200), "test");
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
}
