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

  /** Runs a FAILED or CANCELLED job again in place, from what it had done. */
  public static final String RETRY = "retry";

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
   * Sends a command ({@link #CANCEL}, {@link #RETRY}) to whichever instance owns the job.
   *
   * @throws PublishException when the broker refused it or did not answer in time
   */
  public void publishCommand(Stage stage, String jobId, String command) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(COMMAND_HEADER, command.getBytes(StandardCharsets.UTF_8));
    Acks.await(
        Acks.send(
            emitter,
            metadata(stage, jobId, headers),
            "{\"jobId\":\"" + jobId + "\",\"command\":\"" + command + "\"}"),
        config.publishTimeout(),
        command + " of " + stage.id() + " job " + jobId);
  }

  /** Publishes a pipeline's next job, retrying until the broker takes it or the job must stop. */
  public void handOff(Pipeline.NextJob next, String json, JobControl control) {
    control.checkOwned();
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
