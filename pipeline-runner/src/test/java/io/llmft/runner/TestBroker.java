package io.llmft.runner;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A KRaft broker of its own for a test that stops and starts it, from the jars {@code
 * scripts/kafka.sh} copied into {@code .kafka/libs}, on its own ports and log directory.
 */
final class TestBroker implements AutoCloseable {
  private final Path home;
  private final int port;
  private final Path libs;
  private Process process;

  TestBroker(Path repository, Path home, int port) throws Exception {
    this.home = home.toAbsolutePath();
    this.port = port;
    this.libs = repository.resolve(".kafka/libs").toAbsolutePath();
    if (!Files.isRegularFile(libs.resolve(".complete"))) {
      throw new IOException(libs + " is missing: run scripts/kafka.sh start once");
    }
    JobsApi.deleteRecursively(this.home);
    Files.createDirectories(this.home);
    Files.writeString(
        this.home.resolve("server.properties"),
        String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.bootstrap.servers=localhost:" + (port + 1),
            "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + (port + 1),
            "advertised.listeners=PLAINTEXT://localhost:" + port,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs=" + this.home.resolve("data"),
            "num.partitions=1",
            "auto.create.topics.enable=true",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "log.cleaner.dedupe.buffer.size=8388608",
            ""));
    java(
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            "-t",
            "MkU3OEVBNTcwNTJENDM2Qk",
            "-c",
            this.home.resolve("server.properties").toString())
        .waitFor();
  }

  String bootstrap() {
    return "localhost:" + port;
  }

  void start() throws Exception {
    process =
        new ProcessBuilder(javaCommand("kafka.Kafka", home.resolve("server.properties").toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("broker.log").toFile()))
            .start();
    Instant end = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(end)) {
      try (Socket s = new Socket("localhost", port)) {
        return;
      } catch (IOException notYet) {
        if (!process.isAlive()) {
          throw new IOException("the test broker exited; see " + home.resolve("broker.log"));
        }
        Thread.sleep(200);
      }
    }
    throw new IOException("the test broker did not open port " + port);
  }

  /** SIGTERM, as an operator's restart or a rolling update of the broker would. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  /** The contract's topics, job topics with 6 partitions as scripts/kafka.sh makes them. */
  void createTopics() throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    try (Admin admin = Admin.create(props)) {
      admin
          .createTopics(
              List.of(
                  new NewTopic("dataset-jobs", 6, (short) 1),
                  new NewTopic("training-jobs", 6, (short) 1),
                  new NewTopic("inference-jobs", 6, (short) 1),
                  new NewTopic("scoring-jobs", 6, (short) 1),
                  new NewTopic("job-events", 3, (short) 1)))
          .all()
          .get();
    }
  }

  private Process java(String... args) throws IOException {
    return new ProcessBuilder(javaCommand(args))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("broker.log").toFile()))
        .start();
  }

  private List<String> javaCommand(String... args) {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms128m",
                "-Xmx256m",
                "-cp",
                libs + "/*"));
    command.addAll(List.of(args));
    return command;
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      stop();
    }
  }
}
