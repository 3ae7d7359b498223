package io.llmft.text.jinja;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps} as transformers' {@code tojson} calls it: {@code ensure_ascii} off by
 * default, separators {@code ", "} and {@code ": "} (or {@code ","} with an indent), keys in their
 * order unless sorted, floats as Python writes them.
 */
final class PyJson {
  private PyJson() {}

  static String dumps(
      Object value,
      Integer indent,
      boolean ensureAscii,
      String itemSep,
      String keySep,
      boolean sort) {
    if (itemSep == null) {
      itemSep = indent == null ? ", " : ",";
    }
    if (keySep == null) {
      keySep = ": ";
    }
    StringBuilder out = new StringBuilder();
    write(out, value, indent, 0, ensureAscii, itemSep, keySep, sort);
    return out.toString();
  }

  private static void write(
      StringBuilder out,
      Object v,
      Integer indent,
      int depth,
      boolean ascii,
      String itemSep,
      String keySep,
      boolean sort) {
    if (v == null || v instanceof Undefined) {
      out.append("null");
    } else if (v instanceof Boolean b) {
      out.append(b ? "true" : "false");
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      out.append(
          Double.isNaN(d)
              ? "NaN"
              : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : Py.floatRepr(d));
    } else if (v instanceof Number n) {
      out.append(n.longValue());
    } else if (v instanceof CharSequence s) {
      string(out, s.toString(), ascii);
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        out.append("{}");
        return;
      }
      List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
      if (sort) {
        entries.sort((a, b) -> Py.compare(a.getKey(), b.getKey()));
      }
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : entries) {
        if (!first) {
          out.append(itemSep);
        }
        first = false;
        newline(out, indent, depth + 1);
        Object k = e.getKey();
        string(out, k instanceof String ks ? ks : Py.str(k), ascii);
        out.append(keySep);
        write(out, e.getValue(), indent, depth + 1, ascii, itemSep, keySep, sort);
      }
      newline(out, indent, depth);
      out.append('}');
    } else if (v instanceof Collection<?> c) {
      if (c.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append('[');
      boolean first = true;
      for (Object item : c) {
        if (!first) {
          out.append(itemSep);
        }
        first = false;
        newline(out, indent, depth + 1);
        write(out, item, indent, depth + 1, ascii, itemSep, keySep, sort);
      }
      newline(out, indent, depth);
      out.append(']');
    } else {
      throw new TemplateException("Object of type " + Py.typeName(v) + " is not JSON serializable");
    }
  }

  private static void newline(StringBuilder out, Integer indent, int depth) {
    if (indent != null) {
      out.append('\n').append(" ".repeat(indent * depth));
    }
  }

  static void string(StringBuilder out, String s, boolean ascii) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || (ascii && c > 0x7e)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
