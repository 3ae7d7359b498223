package io.llmft.common.store;

import io.llmft.common.config.ImportsConfig;
import io.llmft.contract.ModelDirectory;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where local paths named by requests may lead: under one of the allowed import roots, after
 * following every symbolic link. A path that is outside them, or does not exist, is refused with
 * one message either way, so a caller learns nothing about the files of the server.
 */
@ApplicationScoped
public class ImportRoots {
  /** What a refused path is told, the same whether or not it exists. */
  public static final String RULE =
      "must name an existing file or directory under the allowed import roots"
          + " (ALLOWED_IMPORT_ROOTS; by default the artifact store's imports/ folder)";

  private final List<Path> roots;

  public ImportRoots(ImportsConfig config, ArtifactStore store) {
    this.roots =
        config
            .roots()
            .map(list -> list.stream().map(r -> Path.of(r.strip())).toList())
            .orElse(List.of(store.layout().imports()))
            .stream()
            .map(r -> r.toAbsolutePath().normalize())
            .toList();
  }

  /**
   * Adds an error naming {@code field} unless {@code requested} is a model directory under the
   * roots (a config and weights, or a PEFT adapter's config and weights) that {@code unreadable}
   * finds nothing wrong with: it answers why a directory cannot be run, or null (the services that
   * run models pass the model code's check).
   */
  public void validateModel(
      String requested,
      String field,
      io.llmft.common.rest.Validation v,
      Function<Path, String> unreadable) {
    Optional<Path> dir =
        resolve(requested)
            .filter(d -> ModelDirectory.holdsModel(d) || ModelDirectory.holdsAdapter(d));
    v.check(
        dir.isPresent(),
        field,
        RULE
            + ", with config.json and model.safetensors (or model.safetensors.index.json), or a"
            + " PEFT adapter's adapter_config.json and adapter_model.safetensors");
    dir.ifPresent(
        d -> {
          String escaping = fileOutsideTheRoots(d);
          v.check(escaping == null, field, escaping);
          if (escaping == null) {
            String problem = unreadable.apply(d);
            v.check(problem == null, field, problem);
          }
        });
  }

  /** The most entries a model directory is checked for: more is not a model's. */
  static final int MAX_MODEL_FILES = 10_000;

  /**
   * Why a file of the model directory is not read (a link, to a shard or the config say, that leads
   * out of the roots), or null: what the directory holds is read where the directory is.
   */
  private String fileOutsideTheRoots(Path dir) {
    List<Path> roots = realRoots();
    try (var entries = Files.list(dir)) {
      var it = entries.iterator();
      for (int n = 0; it.hasNext(); n++) {
        Path entry = it.next();
        if (n >= MAX_MODEL_FILES) {
          return "holds more than " + MAX_MODEL_FILES + " files";
        }
        Path real;
        try {
          real = entry.toRealPath();
        } catch (IOException e) {
          return entry.getFileName() + " cannot be read (a broken link?)";
        }
        if (roots.stream().noneMatch(real::startsWith)) {
          return entry.getFileName() + " links out of the allowed roots";
        }
      }
      return null;
    } catch (IOException e) {
      return "cannot be listed: " + e.getMessage();
    }
  }

  /** The real path (symlinks followed) of {@code requested}, when it exists under a root. */
  public Optional<Path> resolve(String requested) {
    if (requested == null || requested.isBlank() || requested.indexOf('\0') >= 0) {
      return Optional.empty();
    }
    Path real;
    try {
      real = Path.of(requested).toAbsolutePath().normalize().toRealPath();
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // missing, unreadable or malformed: refused like one outside
    }
    return realRoots().stream().filter(real::startsWith).findFirst().map(root -> real);
  }

  /** The roots that exist, symlinks followed (a root may be created after the service starts). */
  private List<Path> realRoots() {
    List<Path> real = new java.util.ArrayList<>();
    for (Path root : roots) {
      try {
        real.add(root.toRealPath());
      } catch (IOException e) {
        // not there (yet): nothing can be under it
      }
    }
    return real;
  }

  /**
   * @throws InvalidFieldException naming {@code field} when the path is refused
   */
  public Path require(String requested, String field) {
    return resolve(requested).orElseThrow(() -> new InvalidFieldException(field, RULE));
  }
}
