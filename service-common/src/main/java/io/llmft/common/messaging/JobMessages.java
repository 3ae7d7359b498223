package io.llmft.common.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.llmft.common.rest.ProblemException;
import io.llmft.common.rest.ProblemMapper;
import jakarta.enterprise.context.ApplicationScoped;

/** Parses job messages from Kafka with the same rules as REST bodies. */
@ApplicationScoped
public class JobMessages {
  private final ObjectMapper mapper;

  public JobMessages(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * @throws ProblemException naming the field (or the JSON error) when the message is not a job
   */
  public <T> T parse(String json, Class<T> type) {
    if (json == null || json.isBlank()) {
      throw ProblemException.invalid("$", "message is empty");
    }
    try {
      return mapper.readValue(json, type);
    } catch (JsonMappingException e) {
      String field = e.getPath().isEmpty() ? "$" : ProblemMapper.fieldPath(e.getPath());
      throw ProblemException.invalid(
          field,
          e instanceof UnrecognizedPropertyException ? "unknown field" : e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw ProblemException.invalid("$", "malformed JSON: " + e.getOriginalMessage());
    }
  }
}
