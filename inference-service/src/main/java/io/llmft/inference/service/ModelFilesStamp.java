package io.llmft.inference.service;

import io.llmft.contract.ModelDirectory;
import io.llmft.text.ChatTemplate;
import io.llmft.text.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * What a model directory's text files are now: where its link points (a model saved again under its
 * id is a new version directory) and the size and time of each file its tokenizer and template are
 * read from. A cached tokenizer or template whose stamp differs from the directory's is stale.
 */
record ModelFilesStamp(Path version, List<String> files) {
  private static final List<String> TEXT_FILES =
      List.of(
          HfTokenizer.TOKENIZER_FILE,
          ModelDirectory.CONFIG_FILE,
          "generation_config.json",
          ChatTemplate.CONFIG_FILE,
          ChatTemplate.JINJA_FILE);

  /** Where the directory's link points now (the directory itself when it is none). */
  static Path version(Path dir) throws IOException {
    try {
      return dir.toRealPath();
    } catch (NoSuchFileException e) {
      throw new IOException(dir + " is not there any more", e);
    }
  }

  static ModelFilesStamp of(Path dir) throws IOException {
    Path version = version(dir);
    List<String> files = new ArrayList<>();
    for (String name : TEXT_FILES) {
      Path file = version.resolve(name);
      if (Files.isRegularFile(file)) {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        files.add(
            name + ":" + a.size() + ":" + a.lastModifiedTime().toMillis() + ":" + a.fileKey());
      }
    }
    return new ModelFilesStamp(version, List.copyOf(files));
  }
}
