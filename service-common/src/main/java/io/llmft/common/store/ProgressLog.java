package io.llmft.common.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's results so far, one JSON record per line, each appended in one write and flushed to disk
 * before {@link #append} returns, so that a resumed job continues after the last one. A line torn
 * by a crash (no newline yet) is cut off when the log is opened again.
 *
 * @param <T> the record type
 */
public final class ProgressLog<T> implements AutoCloseable {
  private final FileChannel channel;
  private final ObjectMapper mapper;
  private final List<T> recovered;

  /** The job whose log this is (null off a job's thread): a fenced job appends nothing. */
  private final io.llmft.common.job.JobControl owner = io.llmft.common.job.JobControl.current();

  private ProgressLog(FileChannel channel, ObjectMapper mapper, List<T> recovered) {
    this.channel = channel;
    this.mapper = mapper;
    this.recovered = recovered;
  }

  public static <T> ProgressLog<T> open(Path file, Class<T> type, ObjectMapper mapper) {
    try {
      Files.createDirectories(file.getParent());
      FileChannel channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      byte[] content = Files.readAllBytes(file);
      int complete = 0;
      List<T> records = new ArrayList<>();
      for (int i = 0; i < content.length; i++) {
        if (content[i] == '\n') {
          String line = new String(content, complete, i - complete, StandardCharsets.UTF_8);
          if (!line.isBlank()) {
            records.add(mapper.readValue(line, type));
          }
          complete = i + 1;
        }
      }
      channel.truncate(complete);
      channel.position(complete);
      return new ProgressLog<>(channel, mapper, records);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the progress log " + file, e);
    }
  }

  /** The records a previous run left, in the order they were written. */
  public List<T> recovered() {
    return recovered;
  }

  public void append(T record) {
    appendAll(List.of(record));
  }

  /** Appends several records with one write and one flush. */
  public synchronized void appendAll(List<T> records) {
    if (owner != null) {
      owner.checkOwned();
    }
    try {
      StringBuilder lines = new StringBuilder();
      for (T record : records) {
        lines.append(mapper.writeValueAsString(record)).append('\n');
      }
      ByteBuffer buffer = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to a progress log", e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
