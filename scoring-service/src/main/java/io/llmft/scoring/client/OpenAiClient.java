package io.llmft.scoring.client;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.InputStream;

/**
 * An OpenAI-compatible chat endpoint, its base URL the one ending in {@code /v1}: one JSON answer,
 * or Server-Sent Events when the request streams.
 */
public interface OpenAiClient {
  @POST
  @Path("/chat/completions")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.WILDCARD)
  InputStream chat(@HeaderParam("Authorization") String authorization, JsonNode request);
}
