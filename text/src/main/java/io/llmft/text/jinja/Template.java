package io.llmft.text.jinja;

import io.llmft.text.jinja.Node.Stmt;
import java.util.List;
import java.util.Map;

/**
 * A Jinja2 template, parsed once and rendered many times, as Hugging Face transformers renders chat
 * templates: {@code trim_blocks} and {@code lstrip_blocks} on, loop controls ({@code break}, {@code
 * continue}), {@code {% generation %}} rendered as its body, no autoescape.
 *
 * <p>Why not Jinjava: version 2.8.4 cannot render Qwen3's real template (its parser refuses {@code
 * messages[::-1]}, {@code namespace(a=..., b=x|length - 1)} fails and Python's {@code
 * lstrip(chars)} is missing); the chat templates use a small, well-defined part of Jinja2 that this
 * engine covers with Python's semantics, pinned by the golden renderings of transformers.
 *
 * <p>Context values are Java's reading of JSON: null, Boolean, Long, Double, String, List, Map (in
 * key order), and {@link Function}s.
 */
public final class Template {
  /** A function the template may call, with positional and keyword arguments. */
  @FunctionalInterface
  public interface Function {
    Object call(List<Object> args, Map<String, Object> kwargs);
  }

  private final List<Stmt> body;

  private Template(List<Stmt> body) {
    this.body = body;
  }

  /**
   * The template of {@code source}; a {@link TemplateException} that says where it does not parse.
   */
  public static Template parse(String source) {
    return new Template(Parser.parse(source));
  }

  /**
   * The text the template renders over {@code context}; a {@link TemplateException} if it fails.
   */
  public String render(Map<String, Object> context) {
    try {
      return new Renderer(context).render(body);
    } catch (ClassCastException | IndexOutOfBoundsException | NullPointerException e) {
      throw new TemplateException(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }
}
