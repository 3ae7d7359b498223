package io.llmft.inference.service;

import io.llmft.text.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tokenizers of the model directories that requests name, each read once and shared (reading a
 * Llama 3 {@code tokenizer.json} takes seconds and tens of MiB of native memory). A request holds
 * one for its call, a loaded model for as long as it is loaded. A directory whose files changed (a
 * model saved again under its id) is read afresh; the replaced tokenizer, and the least recently
 * used one beyond the capacity, is closed once nothing holds it any more.
 */
final class TokenizerCache {
  /** Reads a directory's tokenizer. */
  interface Loader {
    Tokenizer load(Path dir) throws IOException;
  }

  private static final class Entry {
    final ModelFilesStamp stamp;
    final Tokenizer tokenizer;
    int holders = 1; // the cache itself

    Entry(ModelFilesStamp stamp, Tokenizer tokenizer) {
      this.stamp = stamp;
      this.tokenizer = tokenizer;
    }
  }

  /** One use of a cached tokenizer; closing it gives it back. */
  final class Held implements AutoCloseable {
    private final Entry entry;
    private boolean returned;

    private Held(Entry entry) {
      this.entry = entry;
    }

    Tokenizer tokenizer() {
      return entry.tokenizer;
    }

    @Override
    public void close() {
      synchronized (TokenizerCache.this) {
        if (!returned) {
          returned = true;
          release(entry);
        }
      }
    }
  }

  private final int capacity;
  private final Loader loader;
  private final Map<Path, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private final Map<Path, Object> loading = new ConcurrentHashMap<>();

  TokenizerCache(int capacity, Loader loader) {
    this.capacity = capacity;
    this.loader = loader;
  }

  /** The directory's tokenizer, read if it is not cached or its files changed; close when done. */
  Held hold(Path dir) throws IOException {
    ModelFilesStamp stamp = ModelFilesStamp.of(dir);
    Held cached = cached(dir, stamp);
    if (cached != null) {
      return cached;
    }
    Object lock = loading.computeIfAbsent(dir, d -> new Object());
    try {
      synchronized (lock) { // one read per directory; other directories are served meanwhile
        cached = cached(dir, stamp);
        if (cached != null) {
          return cached;
        }
        Tokenizer tokenizer = loader.load(dir);
        synchronized (this) {
          Entry fresh = new Entry(stamp, tokenizer);
          Entry replaced = entries.put(dir, fresh);
          if (replaced != null) {
            release(replaced);
          }
          evictBeyondCapacity();
          fresh.holders++;
          return new Held(fresh);
        }
      }
    } finally {
      loading.remove(dir, lock);
    }
  }

  private synchronized Held cached(Path dir, ModelFilesStamp stamp) {
    Entry entry = entries.get(dir);
    if (entry == null || !entry.stamp.equals(stamp)) {
      return null;
    }
    entry.holders++;
    return new Held(entry);
  }

  private void evictBeyondCapacity() {
    Iterator<Entry> eldest = entries.values().iterator();
    while (entries.size() > capacity) {
      Entry e = eldest.next();
      eldest.remove();
      release(e);
    }
  }

  private void release(Entry entry) {
    if (--entry.holders == 0 && entry.tokenizer instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        throw new IllegalStateException("cannot close a tokenizer", e);
      }
    }
  }

  /** Tokenizers cached now. */
  synchronized int size() {
    return entries.size();
  }

  /** Gives back the cache's hold on every tokenizer (each closes when its last user is done). */
  synchronized void clear() {
    List<Entry> all = new ArrayList<>(entries.values());
    entries.clear();
    all.forEach(this::release);
  }
}
