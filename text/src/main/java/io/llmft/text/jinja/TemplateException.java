package io.llmft.text.jinja;

/**
 * A template that does not parse or render: the line it stands on where known, and for {@code
 * raise_exception(message)} the template's own message.
 */
public final class TemplateException extends RuntimeException {
  private final boolean raisedByTemplate;

  TemplateException(String message) {
    this(message, false);
  }

  TemplateException(String message, boolean raisedByTemplate) {
    super(message);
    this.raisedByTemplate = raisedByTemplate;
  }

  /** Whether the template itself called {@code raise_exception}. */
  public boolean raisedByTemplate() {
    return raisedByTemplate;
  }

  /** The message of the template's own {@code raise_exception}. */
  public static TemplateException raised(String message) {
    return new TemplateException(message, true);
  }

  static TemplateException at(int line, String message) {
    return new TemplateException("line " + line + ": " + message);
  }
}
