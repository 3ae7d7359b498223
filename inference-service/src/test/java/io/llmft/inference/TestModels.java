package io.llmft.inference;

import io.llmft.common.store.ArtifactStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** The tiny GPT-2 fixture of the models module's tests, as a path and as a finetuned model id. */
public final class TestModels {
  public static final Path FIXTURE =
      Path.of("../models/src/test/resources/gpt2-tiny").toAbsolutePath().normalize();

  private TestModels() {}

  /** The tiny Llama 3.2 fixture (tied head, its own tokenizer.json). */
  public static final Path LLAMA =
      Path.of("../models/src/test/resources/llama-tiny").toAbsolutePath().normalize();

  /** The tiny Qwen3 fixture (its own tokenizer.json with Qwen3's chat tokens). */
  public static final Path QWEN3 =
      Path.of("../models/src/test/resources/qwen3-tiny").toAbsolutePath().normalize();

  /** The real Qwen3 tokenizer_config.json, with its chat template (the text module's fixture). */
  public static final Path QWEN3_TOKENIZER_CONFIG =
      Path.of("../text/src/test/resources/qwen3-tokenizer/tokenizer_config.json")
          .toAbsolutePath()
          .normalize();

  /**
   * Copies the tiny Qwen3 to {@code models/{id}} as a chat checkpoint is placed there: Qwen3's real
   * chat template in its {@code tokenizer_config.json}, its end-of-turn token among the stop ids
   * ({@code generation_config.json}), no training record; returns the id.
   */
  public static String storeQwen3Chat(ArtifactStore store) throws IOException {
    String id = "qwen3-chat-" + UUID.randomUUID();
    Path dir = store.layout().model(id);
    Files.createDirectories(dir);
    for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json"}) {
      Files.copy(QWEN3.resolve(f), dir.resolve(f));
    }
    Files.copy(QWEN3_TOKENIZER_CONFIG, dir.resolve("tokenizer_config.json"));
    Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [318, 319]}");
    return id;
  }

  /** Copies the fixture to {@code models/{id}} of the artifact store and returns the id. */
  public static String storeModel(ArtifactStore store) throws IOException {
    String id = "model-" + UUID.randomUUID();
    Path dir = store.layout().model(id);
    Files.createDirectories(dir);
    for (String f : new String[] {"config.json", "model.safetensors"}) {
      Files.copy(FIXTURE.resolve(f), dir.resolve(f));
    }
    return id;
  }

  /**
   * Copies the Llama fixture to {@code models/{id}} with a training record that says it answers in
   * {@code promptStyle}, as a Llama Instruct model finetuned here would; returns the id.
   */
  public static String storeLlama(ArtifactStore store, String promptStyle) throws IOException {
    String id = "llama-" + UUID.randomUUID();
    Path dir = store.layout().model(id);
    Files.createDirectories(dir);
    for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json"}) {
      Files.copy(LLAMA.resolve(f), dir.resolve(f));
    }
    Files.writeString(
        store.layout().modelTrainingRecord(id), "{\"promptStyle\": \"" + promptStyle + "\"}");
    return id;
  }
}
