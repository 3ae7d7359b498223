package io.llmft.text.jinja;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Python's meaning of the values a template sees: {@code None} is null, ints are longs, floats
 * doubles, lists {@link List}s and dicts {@link Map}s; truth, {@code str}, {@code repr}, equality,
 * ordering and the arithmetic operators as Python defines them.
 */
final class Py {
  private Py() {}

  static boolean truth(Object v) {
    if (v == null || v instanceof Undefined) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Double d) {
      return d != 0.0;
    }
    if (v instanceof Number n) {
      return n.longValue() != 0;
    }
    if (v instanceof CharSequence s) {
      return s.length() > 0;
    }
    if (v instanceof Collection<?> c) {
      return !c.isEmpty();
    }
    if (v instanceof Map<?, ?> m) {
      return !m.isEmpty() || v instanceof Namespace;
    }
    return true;
  }

  static String str(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Undefined) {
      return "";
    }
    return repr(v);
  }

  static String repr(Object v) {
    if (v == null) {
      return "None";
    }
    if (v instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (v instanceof Double d) {
      if (d.isNaN()) {
        return "nan";
      }
      if (d.isInfinite()) {
        return d > 0 ? "inf" : "-inf";
      }
      return floatRepr(d);
    }
    if (v instanceof Number n) {
      return Long.toString(n.longValue());
    }
    if (v instanceof String s) {
      String quote = s.contains("'") && !s.contains("\"") ? "\"" : "'";
      StringBuilder b = new StringBuilder(quote);
      for (char c : s.toCharArray()) {
        switch (c) {
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          case '\t' -> b.append("\\t");
          default -> {
            if (String.valueOf(c).equals(quote)) {
              b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
              b.append(String.format("\\x%02x", (int) c));
            } else {
              b.append(c);
            }
          }
        }
      }
      return b.append(quote).toString();
    }
    if (v instanceof Map<?, ?> m) {
      StringBuilder b = new StringBuilder("{");
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        b.append(first ? "" : ", ")
            .append(repr(e.getKey()))
            .append(": ")
            .append(repr(e.getValue()));
        first = false;
      }
      return b.append('}').toString();
    }
    if (v instanceof Tuple t) {
      StringBuilder b = new StringBuilder("(");
      for (int k = 0; k < t.size(); k++) {
        b.append(k == 0 ? "" : ", ").append(repr(t.get(k)));
      }
      return b.append(t.size() == 1 ? ",)" : ")").toString();
    }
    if (v instanceof Collection<?> c) {
      StringBuilder b = new StringBuilder("[");
      boolean first = true;
      for (Object item : c) {
        b.append(first ? "" : ", ").append(repr(item));
        first = false;
      }
      return b.append(']').toString();
    }
    if (v instanceof Undefined) {
      return "";
    }
    return v.toString();
  }

  /** Python's {@code repr(float)}: the shortest digits that read back, fixed from 1e-4 to 1e16. */
  static String floatRepr(double d) {
    if (d == 0) {
      return (1 / d < 0) ? "-0.0" : "0.0";
    }
    BigDecimal exact = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    String digits = exact.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - exact.scale(); // of the first digit
    String sign = d < 0 ? "-" : "";
    if (exponent >= -4 && exponent < 16) {
      String plain = exact.abs().toPlainString();
      return sign + (plain.contains(".") ? plain : plain + ".0");
    }
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    String exp = String.format("%02d", Math.abs(exponent));
    return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exp;
  }

  static String typeName(Object v) {
    if (v == null) {
      return "NoneType";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (v instanceof Double) {
      return "float";
    }
    if (v instanceof Number) {
      return "int";
    }
    if (v instanceof String) {
      return "str";
    }
    if (v instanceof Map) {
      return "dict";
    }
    if (v instanceof List) {
      return "list";
    }
    if (v instanceof Undefined) {
      return "Undefined";
    }
    return v.getClass().getSimpleName();
  }

  static boolean isNumber(Object v) {
    return v instanceof Number && !(v instanceof Boolean);
  }

  static boolean isInt(Object v) {
    return v instanceof Long || v instanceof Integer;
  }

  static boolean eq(Object a, Object b) {
    if (a instanceof Undefined || b instanceof Undefined) {
      return a instanceof Undefined && b instanceof Undefined;
    }
    if (a instanceof Boolean || b instanceof Boolean) {
      if (a instanceof Boolean && b instanceof Boolean) {
        return a.equals(b);
      }
      Object x = a instanceof Boolean ab ? (ab ? 1L : 0L) : a;
      Object y = b instanceof Boolean bb ? (bb ? 1L : 0L) : b;
      return isNumber(x) && isNumber(y) && eq(x, y);
    }
    if (isNumber(a) && isNumber(b)) {
      return isInt(a) && isInt(b)
          ? ((Number) a).longValue() == ((Number) b).longValue()
          : ((Number) a).doubleValue() == ((Number) b).doubleValue();
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!eq(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (Map.Entry<?, ?> e : x.entrySet()) {
        if (!y.containsKey(e.getKey()) || !eq(e.getValue(), y.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    return Objects.equals(a, b);
  }

  static int compare(Object a, Object b) {
    if (isNumber(a) && isNumber(b)) {
      return isInt(a) && isInt(b)
          ? Long.compare(((Number) a).longValue(), ((Number) b).longValue())
          : Double.compare(((Number) a).doubleValue(), ((Number) b).doubleValue());
    }
    if (a instanceof String x && b instanceof String y) {
      return compareCodePoints(x, y);
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
        int c = compare(x.get(i), y.get(i));
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(x.size(), y.size());
    }
    if (a instanceof Boolean || b instanceof Boolean) {
      return compare(
          a instanceof Boolean x ? (x ? 1L : 0L) : a, b instanceof Boolean y ? (y ? 1L : 0L) : b);
    }
    throw new TemplateException(
        "'<' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
  }

  private static int compareCodePoints(String x, String y) {
    int[] a = x.codePoints().toArray();
    int[] b = y.codePoints().toArray();
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] != b[i]) {
        return Integer.compare(a[i], b[i]);
      }
    }
    return Integer.compare(a.length, b.length);
  }

  static Object arithmetic(String op, Object a, Object b) {
    if (op.equals("+")) {
      if (a instanceof String x && b instanceof String y) {
        return x + y;
      }
      if (a instanceof List<?> x && b instanceof List<?> y) {
        List<Object> out = new ArrayList<>(x);
        out.addAll(y);
        return out;
      }
    }
    if (op.equals("*")) {
      if (a instanceof String s && isInt(b)) {
        return s.repeat((int) Math.max(0, ((Number) b).longValue()));
      }
      if (a instanceof List<?> l && isInt(b)) {
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < ((Number) b).longValue(); i++) {
          out.addAll(l);
        }
        return out;
      }
    }
    Object x = a instanceof Boolean ab ? (ab ? 1L : 0L) : a;
    Object y = b instanceof Boolean bb ? (bb ? 1L : 0L) : b;
    if (!isNumber(x) || !isNumber(y)) {
      throw new TemplateException(
          "unsupported operand type(s) for "
              + op
              + ": '"
              + typeName(a)
              + "' and '"
              + typeName(b)
              + "'");
    }
    boolean ints = isInt(x) && isInt(y);
    long l = ints ? ((Number) x).longValue() : 0;
    long r = ints ? ((Number) y).longValue() : 0;
    double dl = ((Number) x).doubleValue();
    double dr = ((Number) y).doubleValue();
    switch (op) {
      case "+":
        return ints ? (Object) (l + r) : dl + dr;
      case "-":
        return ints ? (Object) (l - r) : dl - dr;
      case "*":
        return ints ? (Object) (l * r) : dl * dr;
      case "/":
        if (dr == 0) {
          throw new TemplateException("division by zero");
        }
        return dl / dr;
      case "//":
        if (dr == 0) {
          throw new TemplateException("integer division or modulo by zero");
        }
        return ints ? (Object) Math.floorDiv(l, r) : Math.floor(dl / dr);
      case "%":
        if (dr == 0) {
          throw new TemplateException("integer division or modulo by zero");
        }
        return ints ? (Object) Math.floorMod(l, r) : dl - dr * Math.floor(dl / dr);
      case "**":
        return ints && r >= 0 ? (Object) (long) Math.pow(l, r) : Math.pow(dl, dr);
      default:
        throw new TemplateException("unknown operator " + op);
    }
  }

  static boolean contains(Object container, Object item) {
    if (container instanceof String s) {
      if (!(item instanceof String i)) {
        throw new TemplateException(
            "'in <string>' requires string as left operand, not " + typeName(item));
      }
      return s.contains(i);
    }
    if (container instanceof Map<?, ?> m) {
      return m.containsKey(item);
    }
    if (container instanceof Collection<?> c) {
      for (Object o : c) {
        if (eq(o, item)) {
          return true;
        }
      }
      return false;
    }
    if (container instanceof Undefined) {
      return false;
    }
    throw new TemplateException("argument of type '" + typeName(container) + "' is not iterable");
  }

  /** What a for loop walks: a list's items, a dict's keys, a string's characters. */
  static List<Object> iterate(Object v) {
    if (v == null) {
      throw new TemplateException("'NoneType' object is not iterable");
    }
    if (v instanceof Undefined) {
      return List.of();
    }
    if (v instanceof List<?> l) {
      return new ArrayList<>(l);
    }
    if (v instanceof Map<?, ?> m) {
      return new ArrayList<>(m.keySet());
    }
    if (v instanceof Collection<?> c) {
      return new ArrayList<>(c);
    }
    if (v instanceof String s) {
      List<Object> out = new ArrayList<>();
      s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
      return out;
    }
    if (v instanceof Iterator<?> it) {
      List<Object> out = new ArrayList<>();
      it.forEachRemaining(out::add);
      return out;
    }
    throw new TemplateException("'" + typeName(v) + "' object is not iterable");
  }

  static long length(Object v) {
    if (v instanceof String s) {
      return s.codePointCount(0, s.length());
    }
    if (v instanceof Collection<?> c) {
      return c.size();
    }
    if (v instanceof Map<?, ?> m) {
      return m.size();
    }
    if (v instanceof Undefined) {
      return 0;
    }
    throw new TemplateException("object of type '" + typeName(v) + "' has no len()");
  }
}
