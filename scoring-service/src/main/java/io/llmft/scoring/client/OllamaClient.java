package io.llmft.scoring.client;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.InputStream;

/** Ollama's chat API; the answer streams as newline-delimited JSON. */
@Path("/api")
public interface OllamaClient {
  @POST
  @Path("/chat")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.WILDCARD)
  InputStream chat(ChatRequest request);
}
