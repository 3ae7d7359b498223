package io.llmft.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml against the Compose Specification's own JSON schema
 * (schemas/compose-spec.json, see the NOTICE beside it), which {@code docker compose} applies
 * before it runs anything: unknown fields and wrong types fail, as they would there. Duplicate keys
 * fail earlier, in the reader.
 */
class ComposeSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonSchema schema() {
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
        .getSchema(SchemaLocation.of("classpath:schemas/compose-spec.json"));
  }

  private static Set<ValidationMessage> check(Map<String, Object> compose) throws Exception {
    JsonNode node = JSON.valueToTree(compose);
    return schema().validate(node);
  }

  @Test
  void theComposeFileIsValidAgainstTheComposeSpecification() throws Exception {
    Map<String, Object> compose =
        Repo.yamlDocuments(Repo.ROOT.resolve("docker-compose.yml")).get(0);
    assertEquals(Set.of(), check(compose));
  }

  @Test
  void theSchemaRefusesAnUnknownFieldAndAWrongType() throws Exception {
    Map<String, Object> unknown =
        Map.of("services", Map.of("a", Map.of("image", "x", "portz", java.util.List.of("1:1"))));
    assertFalse(check(unknown).isEmpty(), "an unknown service field");
    Map<String, Object> wrongType =
        Map.of("services", Map.of("a", Map.of("image", "x", "cap_drop", "ALL")));
    assertFalse(check(wrongType).isEmpty(), "a string where a list belongs");
  }
}
