package io.llmft.contract;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads a message record field by field, so that one bad field does not hide the others: every
 * field that cannot be read is named with its reason, and the record is still built, with null in
 * its place, for the service to check the rest.
 */
public final class MessageReader {
  private MessageReader() {}

  /** A message as read: the record (null when the JSON is not an object) and its violations. */
  public record Read<T>(T message, List<Violation> violations) {
    /** Whether {@code field} (or a field inside it) could not be read. */
    public boolean failed(String field) {
      return violations.stream()
          .anyMatch(
              v ->
                  v.field().equals(field)
                      || v.field().startsWith(field + ".")
                      || v.field().startsWith(field + "["));
    }
  }

  public static <T extends Record> Read<T> read(ObjectMapper mapper, JsonNode json, Class<T> type) {
    List<Violation> violations = new ArrayList<>();
    if (json == null || !json.isObject()) {
      violations.add(new Violation("$", "must be a JSON object"));
      return new Read<>(null, violations);
    }
    RecordComponent[] components = type.getRecordComponents();
    Set<String> names =
        Arrays.stream(components).map(RecordComponent::getName).collect(Collectors.toSet());
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!names.contains(name)) {
        violations.add(new Violation(name, "unknown field"));
      }
    }
    Object[] values = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      String name = components[i].getName();
      JsonNode value = json.get(name);
      if (value == null || value.isNull()) {
        continue;
      }
      try {
        values[i] =
            mapper.readerFor(mapper.constructType(components[i].getGenericType())).readValue(value);
      } catch (ContractViolation e) {
        e.violations().forEach(v -> violations.add(v.under(pathOf(name, e))));
      } catch (java.io.IOException | IllegalArgumentException e) {
        violations.add(violation(name, e));
      }
    }
    try {
      Class<?>[] types =
          Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
      return new Read<>(type.getDeclaredConstructor(types).newInstance(values), violations);
    } catch (InvocationTargetException e) {
      violations.add(new Violation("$", String.valueOf(e.getCause().getMessage())));
      return new Read<>(null, violations);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build a " + type.getSimpleName(), e);
    }
  }

  /** The field a nested value's violation belongs to: {@code name} and the path inside it. */
  private static String pathOf(String name, JsonMappingException e) {
    String inner = fieldPath(e.getPath());
    return inner.isEmpty() ? name : name + (inner.startsWith("[") ? "" : ".") + inner;
  }

  private static Violation violation(String name, Exception e) {
    if (e instanceof JsonMappingException mapping) {
      String field = pathOf(name, mapping);
      return new Violation(
          field,
          e instanceof UnrecognizedPropertyException
              ? "unknown field"
              : "has the wrong type or format");
    }
    return new Violation(name, "has the wrong type or format");
  }

  /** A JSON path as the contract names fields: {@code a.b[2].c}. */
  public static String fieldPath(List<JsonMappingException.Reference> path) {
    StringBuilder field = new StringBuilder();
    for (JsonMappingException.Reference ref : path) {
      if (ref.getFieldName() != null) {
        field.append(field.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        field.append('[').append(ref.getIndex()).append(']');
      }
    }
    return field.toString();
  }
}
