package io.llmft.common.messaging;

import io.llmft.common.config.JobsConfig;
import io.llmft.common.job.JobControl;
import io.llmft.contract.Pipeline;
import io.llmft.contract.Stage;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

/**
 * Publishes to the job topics, keyed by job id (so every record of one job lands in the partition
 * whose holder owns the job): new jobs from {@code POST}, the next job of a pipeline, and cancel
 * commands.
 */
@ApplicationScoped
public class JobPublisher {
  public static final String CHANNEL = "job-messages";

  /** A record with this header is a command for the job named by its key, not a job. */
  public static final String COMMAND_HEADER = "llmft-command";

  public static final String CANCEL = "cancel";
  private static final Logger LOG = Logger.getLogger(JobPublisher.class);

  private final Emitter<String> emitter;
  private final JobsConfig config;

  public JobPublisher(@Channel(CHANNEL) Emitter<String> emitter, JobsConfig config) {
    this.emitter = emitter;
    this.config = config;
  }

  /**
   * Publishes a new job and waits for the broker's acknowledgement.
   *
   * @throws PublishException when the broker refused it or did not answer in time
   */
  public void publishJob(Stage stage, String jobId, String json) {
    Acks.await(
        Acks.send(emitter, metadata(stage, jobId, null), json),
        config.publishTimeout(),
        stage.id() + " job " + jobId);
  }

  /**
   * Sends a cancel command to whichever instance owns the job.
   *
   * @throws PublishException when the broker refused it or did not answer in time
   */
  public void publishCancel(Stage stage, String jobId) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(COMMAND_HEADER, CANCEL.getBytes(StandardCharsets.UTF_8));
    Acks.await(
        Acks.send(
            emitter,
            metadata(stage, jobId, headers),
            "{\"jobId\":\"" + jobId + "\",\"command\":\"" + CANCEL + "\"}"),
        config.publishTimeout(),
        "cancel of " + stage.id() + " job " + jobId);
  }

  /** Publishes a pipeline's next job, retrying until the broker takes it or the job must stop. */
  public void handOff(Pipeline.NextJob next, String json, JobControl control) {
    Acks.sendUntilAcked(
        emitter,
        metadata(next.stage(), next.jobId(), null),
        json,
        control,
        config.publishBackoff(),
        config.publishMaxBackoff(),
        "hand-off to " + next.stage().id() + " job " + next.jobId());
    LOG.infof("handed off to %s job %s", next.stage().id(), next.jobId());
  }

  private static OutgoingKafkaRecordMetadata<String> metadata(
      Stage stage, String key, RecordHeaders headers) {
    var builder =
        OutgoingKafkaRecordMetadata.<String>builder().withTopic(stage.topic()).withKey(key);
    if (headers != null) {
      builder.withHeaders(headers);
    }
    return builder.build();
  }
}
