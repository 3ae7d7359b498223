package io.llmft.text.jinja;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into text, {@code {{ ... }}} and {@code {% ... %}} pieces as Jinja2 does with
 * {@code trim_blocks} and {@code lstrip_blocks} (the environment transformers renders chat
 * templates in): {@code -} strips the whitespace on its side, a block or comment end drops the one
 * newline after it, and spaces before a block or comment start at the start of a line are dropped
 * unless the tag starts with {@code +}. Comments are removed.
 */
final class Lexer {
  enum Kind {
    NAME,
    STRING,
    INT,
    FLOAT,
    OP,
    END
  }

  record Tok(Kind kind, String text, Object value, int line) {
    boolean is(String op) {
      return (kind == Kind.OP || kind == Kind.NAME) && text.equals(op);
    }
  }

  sealed interface Piece permits Text, Output, Tag {}

  record Text(String text) implements Piece {}

  record Output(List<Tok> tokens, int line) implements Piece {}

  record Tag(List<Tok> tokens, int line) implements Piece {}

  private Lexer() {}

  static List<Piece> pieces(String source) {
    List<Piece> out = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    int i = 0;
    int n = source.length();
    boolean stripNextLeading = false;
    while (i < n) {
      int start = nextTagStart(source, i);
      String chunk = source.substring(i, start < 0 ? n : start);
      if (stripNextLeading) {
        chunk = stripLeading(chunk);
        stripNextLeading = false;
      }
      text.append(chunk);
      if (start < 0) {
        break;
      }
      char kind = source.charAt(start + 1);
      int line = line(source, start);
      int bodyStart = start + 2;
      boolean stripBefore = bodyStart < n && source.charAt(bodyStart) == '-';
      boolean keepIndent = bodyStart < n && source.charAt(bodyStart) == '+';
      if (stripBefore || keepIndent) {
        bodyStart++;
      }
      if (stripBefore) {
        stripTrailing(text);
      } else if (kind != '{' && !keepIndent) {
        lstripBlock(text, source, start);
      }
      String close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
      int end =
          kind == '#' ? source.indexOf(close, bodyStart) : findClose(source, bodyStart, close);
      if (end < 0) {
        throw TemplateException.at(line, "unclosed '" + source.substring(start, start + 2) + "'");
      }
      boolean stripAfter = end > bodyStart && source.charAt(end - 1) == '-';
      String body = source.substring(bodyStart, stripAfter ? end - 1 : end);
      i = end + 2;
      if (stripAfter) {
        stripNextLeading = true;
      } else if (kind != '{' && i < n && source.charAt(i) == '\n') {
        i++; // trim_blocks
      }
      if (kind == '#') {
        continue;
      }
      if (text.length() > 0) {
        out.add(new Text(text.toString()));
        text.setLength(0);
      }
      List<Tok> tokens = tokens(body, line);
      if (kind == '%' && tokens.size() > 1 && tokens.get(0).is("raw")) {
        int endRaw = rawEnd(source, i);
        if (endRaw < 0) {
          throw TemplateException.at(line, "raw without endraw");
        }
        text.append(source, i, endRaw);
        i = source.indexOf("%}", endRaw) + 2;
        continue;
      }
      out.add(kind == '{' ? new Output(tokens, line) : new Tag(tokens, line));
    }
    if (text.length() > 0) {
      out.add(new Text(text.toString()));
    }
    return out;
  }

  private static int rawEnd(String s, int from) {
    int at = from;
    while ((at = s.indexOf("{%", at)) >= 0) {
      int j = at + 2;
      while (j < s.length() && (s.charAt(j) == '-' || Character.isWhitespace(s.charAt(j)))) {
        j++;
      }
      if (s.startsWith("endraw", j)) {
        return at;
      }
      at = j;
    }
    return -1;
  }

  private static int nextTagStart(String s, int from) {
    for (int j = from; j < s.length() - 1; j++) {
      if (s.charAt(j) == '{') {
        char c = s.charAt(j + 1);
        if (c == '{' || c == '%' || c == '#') {
          return j;
        }
      }
    }
    return -1;
  }

  /**
   * The end of a tag: outside string literals and brackets, as Jinja2's lexer balances them (a
   * dict literal's {@code }}} does not close {@code {{}).
   */
  private static int findClose(String s, int from, String close) {
    char quote = 0;
    int depth = 0;
    for (int j = from; j < s.length() - 1; j++) {
      char c = s.charAt(j);
      if (quote != 0) {
        if (c == '\\') {
          j++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (depth == 0 && s.startsWith(close, j)) {
        return j;
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
        depth--;
      }
    }
    return -1;
  }

  private static int line(String s, int at) {
    int line = 1;
    for (int j = 0; j < at; j++) {
      if (s.charAt(j) == '\n') {
        line++;
      }
    }
    return line;
  }

  private static String stripLeading(String s) {
    int j = 0;
    while (j < s.length() && Character.isWhitespace(s.charAt(j))) {
      j++;
    }
    return s.substring(j);
  }

  private static void stripTrailing(StringBuilder b) {
    int j = b.length();
    while (j > 0 && Character.isWhitespace(b.charAt(j - 1))) {
      j--;
    }
    b.setLength(j);
  }

  /** lstrip_blocks: spaces and tabs between the line's start and a block tag go. */
  private static void lstripBlock(StringBuilder b, String source, int tagStart) {
    int j = tagStart;
    while (j > 0 && (source.charAt(j - 1) == ' ' || source.charAt(j - 1) == '\t')) {
      j--;
    }
    if (j > 0 && source.charAt(j - 1) != '\n') {
      return; // something else stands before the tag on its line
    }
    int end = b.length();
    for (int k = 0;
        k < tagStart - j && end > 0 && (b.charAt(end - 1) == ' ' || b.charAt(end - 1) == '\t');
        k++) {
      end--;
    }
    b.setLength(end);
  }

  private static final String[] OPS = {
    "**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "(", ")", "[", "]",
    "{", "}", ",", ".", ":", "|", "="
  };

  static List<Tok> tokens(String body, int line) {
    List<Tok> out = new ArrayList<>();
    int i = 0;
    int n = body.length();
    while (i < n) {
      char c = body.charAt(i);
      if (c == '\n') {
        line++;
        i++;
      } else if (Character.isWhitespace(c)) {
        i++;
      } else if (Character.isLetter(c) || c == '_') {
        int j = i;
        while (j < n && (Character.isLetterOrDigit(body.charAt(j)) || body.charAt(j) == '_')) {
          j++;
        }
        out.add(new Tok(Kind.NAME, body.substring(i, j), null, line));
        i = j;
      } else if (Character.isDigit(c)) {
        int j = i;
        while (j < n && (Character.isDigit(body.charAt(j)) || body.charAt(j) == '_')) {
          j++;
        }
        boolean isFloat = false;
        if (j + 1 < n && body.charAt(j) == '.' && Character.isDigit(body.charAt(j + 1))) {
          isFloat = true;
          j++;
          while (j < n && Character.isDigit(body.charAt(j))) {
            j++;
          }
        }
        if (j < n && (body.charAt(j) == 'e' || body.charAt(j) == 'E')) {
          int k = j + 1;
          if (k < n && (body.charAt(k) == '+' || body.charAt(k) == '-')) {
            k++;
          }
          if (k < n && Character.isDigit(body.charAt(k))) {
            isFloat = true;
            j = k;
            while (j < n && Character.isDigit(body.charAt(j))) {
              j++;
            }
          }
        }
        String lit = body.substring(i, j).replace("_", "");
        out.add(
            isFloat
                ? new Tok(Kind.FLOAT, lit, Double.parseDouble(lit), line)
                : new Tok(Kind.INT, lit, Long.parseLong(lit), line));
        i = j;
      } else if (c == '\'' || c == '"') {
        StringBuilder v = new StringBuilder();
        int j = i + 1;
        while (j < n && body.charAt(j) != c) {
          char d = body.charAt(j);
          if (d == '\\' && j + 1 < n) {
            j++;
            char e = body.charAt(j);
            switch (e) {
              case 'n' -> v.append('\n');
              case 't' -> v.append('\t');
              case 'r' -> v.append('\r');
              case '\\', '\'', '"' -> v.append(e);
              case 'u' -> {
                v.append((char) Integer.parseInt(body.substring(j + 1, j + 5), 16));
                j += 4;
              }
              default -> v.append('\\').append(e);
            }
          } else {
            if (d == '\n') {
              line++;
            }
            v.append(d);
          }
          j++;
        }
        if (j >= n) {
          throw TemplateException.at(line, "unterminated string");
        }
        out.add(new Tok(Kind.STRING, body.substring(i, j + 1), v.toString(), line));
        i = j + 1;
      } else {
        String op = null;
        for (String o : OPS) {
          if (body.startsWith(o, i)) {
            op = o;
            break;
          }
        }
        if (op == null) {
          throw TemplateException.at(line, "unexpected character '" + c + "'");
        }
        out.add(new Tok(Kind.OP, op, null, line));
        i += op.length();
      }
    }
    out.add(new Tok(Kind.END, "end of tag", null, line));
    return out;
  }
}
