package io.llmft.models.gguf;

import io.llmft.models.FamilyFormat;
import io.llmft.models.ModelConfig;
import io.llmft.models.Safetensors;
import io.llmft.models.checkpoint.FamilyFormats;
import io.llmft.models.checkpoint.HfCheckpoint;
import io.llmft.models.gpt2.GptConfig;
import io.llmft.models.llama.LlamaConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Exports a model directory of any family to GGUF for llama.cpp and Ollama, streaming: the tensors
 * are read from the safetensors files one at a time (no engine, no Python) and written under
 * llama.cpp's names with the tokenizer and chat template beside them. As llama.cpp's converter
 * does, 1-D tensors, norms, biases and GPT-2's position embedding stay F32, and a matrix whose rows
 * are not a whole number of Q8_0 blocks is written F16.
 */
public final class GgufExport {
  private GgufExport() {}

  /**
   * Writes the model in {@code dir} as GGUF with its matrices of {@code type} to {@code out} (which
   * the caller closes); an {@link IOException} when the directory cannot be run by the suite.
   */
  public static void write(Path dir, GgufType type, String name, OutputStream out)
      throws IOException {
    String unreadable = HfCheckpoint.unreadable(dir);
    if (unreadable != null) {
      throw new IOException(unreadable);
    }
    ModelConfig config = HfCheckpoint.readConfig(dir);
    FamilyFormat format = FamilyFormats.of(config.family());
    ArchitectureTensors arch = tensors(config);
    GgufWriter writer = new GgufWriter();
    writer
        .putString("general.architecture", arch.architecture())
        .putString("general.name", name)
        .putUint32("general.file_type", type.fileType)
        .putUint32("general.alignment", GgufWriter.ALIGNMENT);
    arch.putHyperparameters(writer);
    GgufVocabulary.of(dir, config.family(), config.vocabSize()).put(writer);

    List<ArchitectureTensors.Computed> computed = arch.computed();
    for (ArchitectureTensors.Computed c : computed) {
      writer.addTensor(c.name(), new long[] {c.values().length}, GgufType.F32);
    }
    List<Path> files = HfCheckpoint.weightFiles(dir);
    for (Path file : files) {
      for (Map.Entry<String, long[]> t : Safetensors.shapes(file).entrySet()) {
        ArchitectureTensors.Mapped m = mapped(format, arch, t.getKey(), t.getValue());
        if (m != null) {
          writer.addTensor(m.name(), m.shape(), typeOf(m.name(), m.shape(), type));
        }
      }
    }

    GgufWriter.Data data = writer.start(out);
    for (ArchitectureTensors.Computed c : computed) {
      data.write(c.name(), c.values());
    }
    for (Path file : files) {
      // the same header order as above: the tensors come in the order they were declared
      Safetensors.forEach(
          file,
          (key, tensor) -> {
            ArchitectureTensors.Mapped m = mapped(format, arch, key, tensor.shape());
            if (m != null) {
              data.write(m.name(), m.layout().apply(tensor.data()));
            }
          });
    }
    data.finish();
  }

  private static ArchitectureTensors tensors(ModelConfig config) {
    return switch (config.family()) {
      case GPT2 -> new Gpt2Tensors((GptConfig) config);
      case LLAMA, QWEN3 -> new LlamaTensors((LlamaConfig) config);
    };
  }

  private static ArchitectureTensors.Mapped mapped(
      FamilyFormat format, ArchitectureTensors arch, String key, long[] shape) {
    String parameter = format.parameterName(key);
    return parameter == null ? null : arch.map(parameter, shape);
  }

  /** The type a tensor is written in when the file's matrices are {@code wanted}. */
  static GgufType typeOf(String name, long[] shape, GgufType wanted) {
    if (shape.length <= 1
        || name.endsWith("_norm.weight")
        || !name.endsWith(".weight")
        || name.equals("position_embd.weight")) {
      return GgufType.F32;
    }
    if (shape[shape.length - 1] % wanted.blockSize != 0) {
      return GgufType.F16;
    }
    return wanted;
  }
}
