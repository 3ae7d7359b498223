package io.llmft.common.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmft.common.rest.ProblemException;
import io.llmft.common.rest.Validation;
import io.llmft.contract.JobMessage;
import io.llmft.contract.MessageReader;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads job messages, from Kafka and from REST bodies alike, with the contract's rules: every field
 * that cannot be read and every field the stage refuses are named at once.
 */
@ApplicationScoped
public class JobMessages {
  private final ObjectMapper mapper;

  public JobMessages(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * A Kafka record's job.
   *
   * @throws ProblemException naming each field (or the JSON error) when the message is not a job
   */
  public <J extends Record & JobMessage> J parse(String json, Class<J> type) {
    if (json == null || json.isBlank()) {
      throw ProblemException.invalid("$", "message is empty");
    }
    JsonNode tree;
    try {
      tree = mapper.readTree(json);
    } catch (JsonProcessingException e) {
      throw ProblemException.invalid("$", "malformed JSON: " + e.getOriginalMessage());
    }
    MessageReader.Read<J> read = MessageReader.read(mapper, tree, type);
    new Validation().addAll(read.violations()).throwIfInvalid();
    return read.message();
  }

  /**
   * A request body (a job, or another record), checked by the stage's {@code validate} too (which
   * throws a 400 problem naming fields); errors of fields that could not be read at all are not
   * repeated.
   *
   * @throws ProblemException 400 naming every invalid field
   */
  public <R extends Record> R parseRequest(JsonNode body, Class<R> type, Consumer<R> validate) {
    if (body == null || body.isNull()) {
      throw ProblemException.invalid("$", "a JSON body is required");
    }
    MessageReader.Read<R> read = MessageReader.read(mapper, body, type);
    Validation v = new Validation().addAll(read.violations());
    if (read.message() != null) {
      try {
        validate.accept(read.message());
      } catch (ProblemException e) {
        if (e.errors().isEmpty()) {
          throw e;
        }
        e.errors().stream()
            .filter(error -> !read.failed(error.field()) && !alreadyNamed(read, error.field()))
            .forEach(error -> v.check(false, error.field(), error.message()));
        v.omitted(e.omitted());
      }
    }
    v.throwIfInvalid();
    return read.message();
  }

  /** A field whose parent could not be read (its own check would only repeat that). */
  private static boolean alreadyNamed(MessageReader.Read<?> read, String field) {
    List<String> parts = List.of(field.split("\\."));
    for (int i = 1; i < parts.size(); i++) {
      if (read.failed(String.join(".", parts.subList(0, i)))) {
        return true;
      }
    }
    return false;
  }
}
