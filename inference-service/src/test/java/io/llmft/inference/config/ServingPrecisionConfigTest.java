package io.llmft.inference.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmft.models.ServingPrecision;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code serving.precision} as Quarkus reads it at startup (the mapping is built and validated
 * before the service starts): fp32 by default, bf16 when asked, and an unknown value stops the
 * service with a message naming the property, the value and the known ones.
 */
class ServingPrecisionConfigTest {
  @Test
  void fp32ByDefaultAndBf16WhenAsked() {
    assertEquals(ServingPrecision.FP32, mapping(Map.of()).precision());
    assertEquals(ServingPrecision.BF16, mapping(Map.of("serving.precision", "bf16")).precision());
  }

  @Test
  void unknownPrecisionFailsAtStartupNamingTheKnownOnes() {
    RuntimeException e =
        assertThrows(RuntimeException.class, () -> mapping(Map.of("serving.precision", "int4")));
    String message = e.getMessage();
    assertEquals(1, message.lines().filter(l -> l.contains("SRCFG")).count(), message);
    assertTrue(message.contains("serving.precision"), message);
    assertTrue(message.contains("int4"), message);
    assertTrue(message.contains("bf16") && message.contains("fp32"), message);
  }

  private static ServingConfig mapping(Map<String, String> properties) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(ServingConfig.class)
            // what Quarkus registers for the mapping's other properties
            .withConverter(Duration.class, 100, new DurationConverter())
            .withConverter(MemorySize.class, 100, new MemorySizeConverter())
            .withSources(new PropertiesConfigSource(properties, "test", 500))
            .build();
    return config.getConfigMapping(ServingConfig.class);
  }
}
