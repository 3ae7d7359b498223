package io.llmft.common;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A plain Kafka client for tests against the real broker started by {@code scripts/kafka.sh}. */
public final class KafkaTestClient {
  public static final String BOOTSTRAP =
      System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");

  private KafkaTestClient() {}

  public static void send(String topic, String key, String value) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot publish to " + topic + " at " + BOOTSTRAP, e);
    }
  }

  /**
   * Reads {@code topic} from the beginning until a record matches, or fails after {@code timeout}.
   */
  public static ConsumerRecord<String, String> await(
      String topic, Predicate<ConsumerRecord<String, String>> match, Duration timeout) {
    List<ConsumerRecord<String, String>> seen = readUntil(topic, match, timeout);
    ConsumerRecord<String, String> last = seen.isEmpty() ? null : seen.get(seen.size() - 1);
    if (last == null || !match.test(last)) {
      throw new AssertionError(
          "no matching record on " + topic + " within " + timeout + "; saw " + seen.size());
    }
    return last;
  }

  /** Every record of {@code topic} read until one matched (included) or the time ran out. */
  public static List<ConsumerRecord<String, String>> readUntil(
      String topic, Predicate<ConsumerRecord<String, String>> match, Duration timeout) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<String, String>> seen = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      Instant end = Instant.now().plus(timeout);
      while (Instant.now().isBefore(end)) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          seen.add(r);
          if (match.test(r)) {
            return seen;
          }
        }
      }
    }
    return seen;
  }

  public static String header(ConsumerRecord<String, String> record, String name) {
    var h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
  }
}
