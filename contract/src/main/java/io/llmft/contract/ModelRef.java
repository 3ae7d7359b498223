package io.llmft.contract;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Which model a job starts from or runs, as its JSON says it:
 *
 * <ul>
 *   <li>{@code "gpt2-medium (355M)"} (or {@code "gpt2-medium"}, {@code "gpt2"}): {@link
 *       Pretrained}, the weights OpenAI published;
 *   <li>any other string: {@link Finetuned}, the id of a model finetuned here;
 *   <li>{@code {"path": dir}}: {@link LocalPath}, a Hugging Face checkpoint directory;
 *   <li>{@code {"config": {...}, "seed": n}}: {@link RandomInit}, GPT-2's initialisation of a
 *       shape.
 * </ul>
 *
 * Whether the model exists and may be read is the service's to check; the shape of the reference is
 * checked here, once.
 */
@JsonSerialize(using = ModelRef.Writer.class)
@JsonDeserialize(using = ModelRef.Reader.class)
public sealed interface ModelRef
    permits ModelRef.Pretrained, ModelRef.Finetuned, ModelRef.LocalPath, ModelRef.RandomInit {

  String FORMS = "a GPT-2 name, a model id, {\"path\": dir} or {\"config\": {...}}";

  /** The weights OpenAI published, by the name the job gave. */
  record Pretrained(String name, PretrainedModel model) implements ModelRef {
    @Override
    public String describe() {
      return name;
    }
  }

  /** A model finetuned here, by its id. */
  record Finetuned(String id) implements ModelRef {
    @Override
    public String describe() {
      return id;
    }
  }

  /** A Hugging Face checkpoint directory. */
  record LocalPath(String path) implements ModelRef {
    @Override
    public String describe() {
      return path;
    }
  }

  /** GPT-2's random initialisation of {@code config}; {@code seed} 123 when null. */
  record RandomInit(ModelShape config, Long seed) implements ModelRef {
    public static final long DEFAULT_SEED = 123;

    public long seedOrDefault() {
      return seed == null ? DEFAULT_SEED : seed;
    }

    @Override
    public String describe() {
      try {
        return JsonSupport.MAPPER.writerFor(ModelRef.class).writeValueAsString(this);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** What job documents show. */
  String describe();

  /**
   * The reference a JSON value makes.
   *
   * @throws IllegalArgumentException with every violation, fields relative to the value
   */
  static ModelRef of(JsonNode node) {
    List<Violation> violations = new ArrayList<>();
    ModelRef ref = parse(node, violations);
    if (ref == null) {
      throw new IllegalArgumentException(violations.toString());
    }
    return ref;
  }

  private static ModelRef parse(JsonNode node, List<Violation> violations) {
    if (node.isTextual()) {
      String name = node.asText();
      return PretrainedModel.find(name)
          .<ModelRef>map(m -> new Pretrained(name, m))
          .orElseGet(() -> new Finetuned(name));
    }
    if (node.isObject() && node.has("path")) {
      if (node.size() != 1) {
        violations.add(new Violation("", "give only 'path'"));
      }
      if (!node.get("path").isTextual() || node.get("path").asText().isBlank()) {
        violations.add(new Violation("path", "must be a directory's path"));
      }
      return violations.isEmpty() ? new LocalPath(node.get("path").asText()) : null;
    }
    if (node.isObject() && node.has("config")) {
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!f.equals("config") && !f.equals("seed")) {
          violations.add(new Violation(f, "unknown field"));
        }
      }
      JsonNode seed = node.get("seed");
      if (seed != null && !(seed.isIntegralNumber() && seed.canConvertToLong())) {
        violations.add(new Violation("seed", "must be an integer"));
      }
      List<Violation> shape = new ArrayList<>();
      ModelShape config = ModelShape.parse(node.get("config"), shape);
      shape.forEach(v -> violations.add(v.under("config")));
      return violations.isEmpty()
          ? new RandomInit(config, seed == null ? null : seed.asLong())
          : null;
    }
    violations.add(new Violation("", "must be " + FORMS));
    return null;
  }

  /** JSON in, with every violation of a malformed reference at once. */
  final class Reader extends JsonDeserializer<ModelRef> {
    @Override
    public ModelRef deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      JsonNode node = p.readValueAsTree();
      List<Violation> violations = new ArrayList<>();
      ModelRef ref = parse(node, violations);
      if (ref == null) {
        throw new ContractViolation(p, violations);
      }
      return ref;
    }
  }

  /** JSON out, in the form it came in. */
  final class Writer extends JsonSerializer<ModelRef> {
    @Override
    public void serialize(ModelRef ref, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      if (ref instanceof Pretrained p) {
        gen.writeString(p.name());
      } else if (ref instanceof Finetuned f) {
        gen.writeString(f.id());
      } else if (ref instanceof LocalPath l) {
        gen.writeStartObject();
        gen.writeStringField("path", l.path());
        gen.writeEndObject();
      } else if (ref instanceof RandomInit r) {
        gen.writeStartObject();
        gen.writeObjectField("config", r.config());
        if (r.seed() != null) {
          gen.writeNumberField("seed", r.seed());
        }
        gen.writeEndObject();
      }
    }
  }
}
