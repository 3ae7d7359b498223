package io.llmft.inference.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.llmft.common.store.ArtifactStore;
import io.llmft.contract.ModelRef;
import io.llmft.inference.TestModels;
import io.llmft.models.LanguageModel;
import io.llmft.serving.generate.Generator;
import io.llmft.serving.generate.Sampler;
import io.llmft.serving.generate.StopTokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** Shared models are counted: one evicted while in use is closed when its last user is done. */
@QuarkusTest
class ModelCacheTest {
  @Inject ModelCache cache;
  @Inject ArtifactStore store;

  private static int generated(LanguageModel model) {
    var g =
        new Generator(model)
            .generate(new int[] {15496, 11}, 2, 96, Sampler.greedy(), StopTokens.NONE);
    return g.tokens().length - g.promptLength();
  }

  @Test
  void aModelEvictedWhileLeasedStaysUsableUntilItsLastLeaseEnds() throws Exception {
    ModelRef a = new ModelRef.Finetuned(TestModels.storeModel(store));
    ModelRef b = new ModelRef.Finetuned(TestModels.storeModel(store));
    ModelRef c = new ModelRef.Finetuned(TestModels.storeModel(store));
    ModelCache.Lease first = cache.lease(a);
    ModelCache.Lease second = cache.lease(a);
    assertSame(first.model(), second.model(), "one loaded copy is shared");
    cache.lease(b).close();
    cache.lease(c).close(); // the cache holds two: a is evicted, but two leases still use it
    LanguageModel evicted = first.model();
    first.close();
    assertEquals(2, generated(evicted), "still usable while a lease is open");
    second.close();
    assertThrows(RuntimeException.class, () -> generated(evicted), "closed with its last lease");
    try (ModelCache.Lease again = cache.lease(a)) {
      assertNotSame(evicted, again.model(), "loaded anew");
      assertEquals(2, generated(again.model()));
    }
  }
}
