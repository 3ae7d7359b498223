package io.llmft.common.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class OwnedPartitionsTest {
  @Test
  void aJobIdMapsToThePartitionTheProducerSendsItsKeyTo() {
    OwnedPartitions owned = new OwnedPartitions();
    assertEquals(-1, owned.partitionOf("job-1"), "unknown before the topic was seen");
    owned.assigned(List.of(1, 4), 6);
    for (String id : List.of("job-1", "p1-training", "score-3fa85f64", "x")) {
      assertEquals(
          BuiltInPartitioner.partitionForKey(id.getBytes(StandardCharsets.UTF_8), 6),
          owned.partitionOf(id),
          id);
    }
    assertTrue(owned.holds(4));
    owned.revoked(List.of(4));
    assertFalse(owned.holds(4));
    assertTrue(owned.holds(1));
  }
}
