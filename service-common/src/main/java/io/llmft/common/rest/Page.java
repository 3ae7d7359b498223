package io.llmft.common.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * One page of a list, newest first: {@code items}, and {@code nextCursor} to ask for the next page
 * with (absent on the last). A cursor names the last item of its page (its time and id), so a page
 * stays right when newer items arrive meanwhile.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Page<T>(List<T> items, String nextCursor) {
  public static final int DEFAULT_LIMIT = 20;
  public static final int MAX_LIMIT = 200;

  /** Where an item sits in the list: newest first, then by id. */
  public record Key(long epochMillis, String id) {
    static final Comparator<Key> NEWEST_FIRST =
        Comparator.comparingLong(Key::epochMillis).reversed().thenComparing(Key::id);

    String encode() {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString((epochMillis + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    static Key decode(String cursor) {
      try {
        String plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        int colon = plain.indexOf(':');
        return new Key(Long.parseLong(plain.substring(0, colon)), plain.substring(colon + 1));
      } catch (RuntimeException e) {
        throw ProblemException.invalid("cursor", "is not a cursor this list gave out");
      }
    }
  }

  /**
   * The page after {@code cursor} (from the start when null) of at most {@code limit} items.
   *
   * @throws ProblemException 400 for a limit out of range or a cursor this list did not give out
   */
  public static <T> Page<T> of(List<T> all, Function<T, Key> key, Integer limit, String cursor) {
    int size = limit == null ? DEFAULT_LIMIT : limit;
    if (size < 1 || size > MAX_LIMIT) {
      throw ProblemException.invalid("limit", "must be from 1 to " + MAX_LIMIT);
    }
    Key after = cursor == null || cursor.isBlank() ? null : Key.decode(cursor);
    List<T> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparing(key, Key.NEWEST_FIRST));
    List<T> items = new ArrayList<>();
    for (T item : sorted) {
      if (after != null && Key.NEWEST_FIRST.compare(key.apply(item), after) <= 0) {
        continue;
      }
      if (items.size() == size) {
        return new Page<>(items, key.apply(items.get(items.size() - 1)).encode());
      }
      items.add(item);
    }
    return new Page<>(items, null);
  }
}
