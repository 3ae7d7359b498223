package io.llmft.inference.service;

import ai.djl.ndarray.NDManager;
import io.llmft.models.LoraAdapters;
import io.llmft.models.ModelConfig;
import io.llmft.models.checkpoint.PeftAdapters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LoRA adapters served over their base models, as vLLM's {@code --max-loras}: each adapter
 * directory read once into arrays of its own (a few MiB, never a copy of its base) and kept while
 * it is among the most recently used; one that falls out while requests use it is closed when the
 * last gives it back. Read again when its files changed or its base's config did. Adapters are
 * small: one is read under the lock.
 */
final class AdapterCache {
  private final int capacity;
  private final NDManager parent;
  private final Map<Path, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

  private static final class Entry {
    final List<String> stamp;
    final ModelConfig base;
    final LoraAdapters lora;
    final NDManager manager;
    int holders = 1; // the cache itself

    Entry(List<String> stamp, ModelConfig base, LoraAdapters lora, NDManager manager) {
      this.stamp = stamp;
      this.base = base;
      this.lora = lora;
      this.manager = manager;
    }
  }

  /** An adapter lent to one request; close it when done. */
  final class Held implements AutoCloseable {
    private final Entry entry;
    private boolean returned;

    private Held(Entry entry) {
      this.entry = entry;
    }

    LoraAdapters lora() {
      return entry.lora;
    }

    @Override
    public void close() {
      synchronized (AdapterCache.this) {
        if (!returned) {
          returned = true;
          release(entry);
        }
      }
    }
  }

  AdapterCache(int capacity, NDManager parent) {
    if (capacity < 1) {
      throw new IllegalArgumentException("serving.max-loras must be at least 1");
    }
    this.capacity = capacity;
    this.parent = parent;
  }

  /**
   * The adapters of {@code dir} for a base of {@code baseConfig}, read if they are not here.
   *
   * @throws IllegalArgumentException when they do not fit that base
   */
  synchronized Held hold(Path dir, ModelConfig baseConfig) throws IOException {
    List<String> stamp = stamp(dir);
    Entry entry = entries.get(dir);
    if (entry != null && (!entry.stamp.equals(stamp) || !entry.base.equals(baseConfig))) {
      entries.remove(dir);
      release(entry);
      entry = null;
    }
    if (entry == null) {
      NDManager manager = parent.newSubManager();
      try {
        entry = new Entry(stamp, baseConfig, PeftAdapters.read(dir, baseConfig, manager), manager);
      } catch (IOException | RuntimeException e) {
        manager.close();
        throw e;
      }
      entries.put(dir, entry);
      if (entries.size() > capacity) {
        var eldest = entries.entrySet().iterator().next();
        entries.remove(eldest.getKey());
        release(eldest.getValue());
      }
    }
    entry.holders++;
    return new Held(entry);
  }

  /** Adapters held now (for tests and metrics). */
  synchronized int size() {
    return entries.size();
  }

  synchronized void clear() {
    entries.values().forEach(this::release);
    entries.clear();
  }

  private void release(Entry entry) {
    if (--entry.holders == 0) {
      entry.manager.close();
    }
  }

  /** Where the directory's link points and the size and time of each adapter file. */
  private static List<String> stamp(Path dir) throws IOException {
    Path version = ModelFilesStamp.version(dir);
    List<String> stamp = new ArrayList<>(List.of(version.toString()));
    try (var files = Files.list(version)) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString();
        if (name.startsWith("adapter_") || name.startsWith("lora_")) {
          BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
          stamp.add(name + ":" + a.size() + ":" + a.lastModifiedTime().toMillis());
        }
      }
    }
    return stamp;
  }
}
