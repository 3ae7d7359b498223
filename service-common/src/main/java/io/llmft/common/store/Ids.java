package io.llmft.common.store;

import java.util.UUID;
import java.util.regex.Pattern;

/** Job, dataset and model ids: safe as one path segment of the artifact store. */
public final class Ids {
  /** What a valid id is, as error messages say it. */
  public static final String RULE =
      "must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit, without '..'";

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private Ids() {}

  public static boolean isValid(String id) {
    return id != null && VALID.matcher(id).matches() && !id.contains("..");
  }

  /**
   * @throws InvalidIdException naming {@code field} when the id is not valid
   */
  public static String require(String id, String field) {
    if (!isValid(id)) {
      throw new InvalidIdException(field);
    }
    return id;
  }

  public static String newId(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
