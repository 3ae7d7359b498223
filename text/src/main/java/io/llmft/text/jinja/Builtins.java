package io.llmft.text.jinja;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What templates call: attribute and item access, slices, the filters and tests of Jinja2 that chat
 * templates use, the methods of Python's str and dict, {@code range} and {@code namespace}.
 */
final class Builtins {
  private Builtins() {}

  static Object attribute(Object target, String name) {
    if (target instanceof Undefined u) {
      throw new TemplateException("'" + u.name() + "' is undefined");
    }
    if (target instanceof Namespace ns) {
      return ns.containsKey(name) ? ns.get(name) : new Undefined(name);
    }
    if (target instanceof Map<?, ?> m) {
      Template.Function method = dictMethod(m, name);
      if (method != null) {
        return method;
      }
      return m.containsKey(name) ? m.get(name) : new Undefined(name);
    }
    if (target instanceof String s) {
      Template.Function method = stringMethod(s, name);
      if (method != null) {
        return method;
      }
    }
    return new Undefined(name);
  }

  static Object item(Object target, Object key) {
    if (target instanceof Undefined u) {
      throw new TemplateException("'" + u.name() + "' is undefined");
    }
    if (target instanceof Map<?, ?> m) {
      if (m.containsKey(key)) {
        return m.get(key);
      }
      return key instanceof String s ? attribute(target, s) : new Undefined(Py.str(key));
    }
    if (target instanceof List<?> l && Py.isInt(key)) {
      long i = ((Number) key).longValue();
      if (i < 0) {
        i += l.size();
      }
      return i >= 0 && i < l.size() ? l.get((int) i) : new Undefined(Py.str(key));
    }
    if (target instanceof String s && Py.isInt(key)) {
      int[] cps = s.codePoints().toArray();
      long i = ((Number) key).longValue();
      if (i < 0) {
        i += cps.length;
      }
      return i >= 0 && i < cps.length
          ? new String(Character.toChars(cps[(int) i]))
          : new Undefined(Py.str(key));
    }
    return new Undefined(Py.str(key));
  }

  static Object slice(Object target, Object start, Object stop, Object step) {
    List<Object> items;
    boolean string = target instanceof String;
    if (string) {
      items = Py.iterate(target);
    } else if (target instanceof List<?> l) {
      items = new ArrayList<>(l);
    } else {
      throw new TemplateException("'" + Py.typeName(target) + "' object is not subscriptable");
    }
    int n = items.size();
    long st = step == null ? 1 : ((Number) step).longValue();
    if (st == 0) {
      throw new TemplateException("slice step cannot be zero");
    }
    long lo;
    long hi;
    if (st > 0) {
      lo = bound(start, n, 0, 0, n);
      hi = bound(stop, n, n, 0, n);
    } else {
      lo = bound(start, n, n - 1, -1, n - 1);
      hi = bound(stop, n, -1, -1, n - 1);
    }
    List<Object> out = new ArrayList<>();
    for (long i = lo; st > 0 ? i < hi : i > hi; i += st) {
      out.add(items.get((int) i));
    }
    if (string) {
      StringBuilder b = new StringBuilder();
      out.forEach(b::append);
      return b.toString();
    }
    return out;
  }

  private static long bound(Object v, int n, long absent, long min, long max) {
    if (v == null || v instanceof Undefined) {
      return absent;
    }
    long i = ((Number) v).longValue();
    if (i < 0) {
      i += n;
    }
    return Math.max(min, Math.min(max, i));
  }

  static Object range(List<Object> args, Map<String, Object> kwargs) {
    long start = 0;
    long stop;
    long step = 1;
    if (args.size() == 1) {
      stop = ((Number) args.get(0)).longValue();
    } else {
      start = ((Number) args.get(0)).longValue();
      stop = ((Number) args.get(1)).longValue();
      if (args.size() > 2) {
        step = ((Number) args.get(2)).longValue();
      }
    }
    if (step == 0) {
      throw new TemplateException("range() arg 3 must not be zero");
    }
    List<Object> out = new ArrayList<>();
    for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
      out.add(i);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static Object namespace(List<Object> args, Map<String, Object> kwargs) {
    Map<String, Object> initial = new LinkedHashMap<>();
    for (Object a : args) {
      if (a instanceof Map<?, ?> m) {
        initial.putAll((Map<String, Object>) m);
      }
    }
    initial.putAll(kwargs);
    return new Namespace(initial);
  }

  private static Template.Function dictMethod(Map<?, ?> m, String name) {
    return switch (name) {
      case "items" ->
          (a, k) -> {
            List<Object> out = new ArrayList<>();
            m.forEach((key, value) -> out.add(new Tuple(java.util.Arrays.asList(key, value))));
            return out;
          };
      case "keys" -> (a, k) -> new ArrayList<>(m.keySet());
      case "values" -> (a, k) -> new ArrayList<>(m.values());
      case "get" ->
          (a, k) -> {
            Object key = a.get(0);
            return m.containsKey(key) ? m.get(key) : (a.size() > 1 ? a.get(1) : null);
          };
      default -> null;
    };
  }

  private static Template.Function stringMethod(String s, String name) {
    return switch (name) {
      case "startswith" -> (a, k) -> affix(s, a.get(0), true);
      case "endswith" -> (a, k) -> affix(s, a.get(0), false);
      case "strip" -> (a, k) -> strip(s, chars(a), true, true);
      case "lstrip" -> (a, k) -> strip(s, chars(a), true, false);
      case "rstrip" -> (a, k) -> strip(s, chars(a), false, true);
      case "split" -> (a, k) -> split(s, a.isEmpty() ? k.get("sep") : a.get(0), maxsplit(a, k));
      case "upper" -> (a, k) -> s.toUpperCase(java.util.Locale.ROOT);
      case "lower" -> (a, k) -> s.toLowerCase(java.util.Locale.ROOT);
      case "title" -> (a, k) -> title(s);
      case "capitalize" -> (a, k) -> capitalize(s);
      case "replace" ->
          (a, k) ->
              replace(
                  s,
                  (String) a.get(0),
                  (String) a.get(1),
                  a.size() > 2 ? ((Number) a.get(2)).longValue() : -1);
      case "find" -> (a, k) -> (long) s.indexOf((String) a.get(0));
      case "count" -> (a, k) -> (long) count(s, (String) a.get(0));
      case "join" -> (a, k) -> join(Py.iterate(a.get(0)), s);
      case "isdigit" -> (a, k) -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
      default -> null;
    };
  }

  private static String chars(List<Object> a) {
    return a.isEmpty() || a.get(0) == null ? null : (String) a.get(0);
  }

  private static Object maxsplit(List<Object> a, Map<String, Object> k) {
    return a.size() > 1 ? a.get(1) : k.getOrDefault("maxsplit", -1L);
  }

  private static boolean affix(String s, Object arg, boolean prefix) {
    if (arg instanceof List<?> options) {
      for (Object o : options) {
        if (affix(s, o, prefix)) {
          return true;
        }
      }
      return false;
    }
    if (!(arg instanceof String a)) {
      throw new TemplateException(
          (prefix ? "startswith" : "endswith")
              + " first arg must be str or a tuple of str, not "
              + Py.typeName(arg));
    }
    return prefix ? s.startsWith(a) : s.endsWith(a);
  }

  static String strip(String s, String chars, boolean left, boolean right) {
    int start = 0;
    int end = s.length();
    while (left && start < end && stripped(s.charAt(start), chars)) {
      start++;
    }
    while (right && end > start && stripped(s.charAt(end - 1), chars)) {
      end--;
    }
    return s.substring(start, end);
  }

  private static boolean stripped(char c, String chars) {
    return chars == null
        ? Character.isWhitespace(c) || Character.isSpaceChar(c)
        : chars.indexOf(c) >= 0;
  }

  private static List<Object> split(String s, Object sep, Object maxObj) {
    long max = maxObj == null ? -1 : ((Number) maxObj).longValue();
    List<Object> out = new ArrayList<>();
    if (sep == null) {
      String rest = strip(s, null, true, false);
      while (!rest.isEmpty()) {
        if (max >= 0 && out.size() == max) {
          out.add(strip(rest, null, false, true));
          return out;
        }
        int j = 0;
        while (j < rest.length() && !stripped(rest.charAt(j), null)) {
          j++;
        }
        out.add(rest.substring(0, j));
        rest = strip(rest.substring(j), null, true, false);
      }
      return out;
    }
    String separator = (String) sep;
    if (separator.isEmpty()) {
      throw new TemplateException("empty separator");
    }
    int from = 0;
    while (max < 0 || out.size() < max) {
      int at = s.indexOf(separator, from);
      if (at < 0) {
        break;
      }
      out.add(s.substring(from, at));
      from = at + separator.length();
    }
    out.add(s.substring(from));
    return out;
  }

  private static String title(String s) {
    StringBuilder b = new StringBuilder();
    boolean start = true;
    for (char c : s.toCharArray()) {
      b.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
      start = !Character.isLetter(c);
    }
    return b.toString();
  }

  private static String capitalize(String s) {
    return s.isEmpty()
        ? s
        : s.substring(0, 1).toUpperCase(java.util.Locale.ROOT)
            + s.substring(1).toLowerCase(java.util.Locale.ROOT);
  }

  private static String replace(String s, String old, String replacement, long count) {
    if (count < 0) {
      return s.replace(old, replacement);
    }
    StringBuilder b = new StringBuilder();
    int from = 0;
    for (long k = 0; k < count; k++) {
      int at = s.indexOf(old, from);
      if (at < 0) {
        break;
      }
      b.append(s, from, at).append(replacement);
      from = at + old.length();
    }
    return b.append(s.substring(from)).toString();
  }

  private static int count(String s, String sub) {
    int n = 0;
    for (int at = s.indexOf(sub);
        at >= 0 && !sub.isEmpty();
        at = s.indexOf(sub, at + sub.length())) {
      n++;
    }
    return n;
  }

  private static String join(List<Object> items, String sep) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < items.size(); k++) {
      b.append(k == 0 ? "" : sep).append(Py.str(items.get(k)));
    }
    return b.toString();
  }

  static Object filter(String name, Object v, List<Object> args, Map<String, Object> kwargs) {
    switch (name) {
      case "length":
      case "count":
        return Py.length(v);
      case "tojson":
        {
          Object indent = kwargs.getOrDefault("indent", args.isEmpty() ? null : args.get(0));
          Object separators = kwargs.get("separators");
          String itemSep = null;
          String keySep = null;
          if (separators instanceof List<?> seps && seps.size() == 2) {
            itemSep = (String) seps.get(0);
            keySep = (String) seps.get(1);
          }
          return PyJson.dumps(
              v,
              indent == null ? null : (int) ((Number) indent).longValue(),
              Py.truth(kwargs.getOrDefault("ensure_ascii", false)),
              itemSep,
              keySep,
              Py.truth(kwargs.getOrDefault("sort_keys", false)));
        }
      case "trim":
        return strip(Py.str(v), args.isEmpty() ? null : (String) args.get(0), true, true);
      case "upper":
        return Py.str(v).toUpperCase(java.util.Locale.ROOT);
      case "lower":
        return Py.str(v).toLowerCase(java.util.Locale.ROOT);
      case "capitalize":
        return capitalize(Py.str(v));
      case "title":
        return title(Py.str(v));
      case "string":
        return Py.str(v);
      case "safe":
      case "e":
      case "escape":
        return name.equals("safe") ? v : Py.str(v);
      case "replace":
        return replace(
            Py.str(v),
            (String) args.get(0),
            (String) args.get(1),
            args.size() > 2 ? ((Number) args.get(2)).longValue() : -1);
      case "int":
        return toInt(v, args.isEmpty() ? 0L : args.get(0));
      case "float":
        return toFloat(v);
      case "abs":
        return v instanceof Double d
            ? (Object) Math.abs(d)
            : (Object) Math.abs(((Number) v).longValue());
      case "join":
        {
          String sep =
              args.isEmpty() ? (String) kwargs.getOrDefault("d", "") : (String) args.get(0);
          List<Object> items = Py.iterate(v);
          Object attr = kwargs.get("attribute");
          if (attr != null) {
            items = items.stream().map(i -> attribute(i, (String) attr)).toList();
          }
          return join(items, sep);
        }
      case "first":
        {
          List<Object> items = Py.iterate(v);
          return items.isEmpty() ? new Undefined("first") : items.get(0);
        }
      case "last":
        {
          List<Object> items = Py.iterate(v);
          return items.isEmpty() ? new Undefined("last") : items.get(items.size() - 1);
        }
      case "list":
        return Py.iterate(v);
      case "reverse":
        {
          if (v instanceof String s) {
            return new StringBuilder(s).reverse().toString();
          }
          List<Object> items = Py.iterate(v);
          java.util.Collections.reverse(items);
          return items;
        }
      case "items":
        return v instanceof Map<?, ?> m
            ? dictMethod(m, "items").call(List.of(), Map.of())
            : List.of();
      case "default":
      case "d":
        {
          Object fallback = args.isEmpty() ? "" : args.get(0);
          boolean bool = args.size() > 1 ? Py.truth(args.get(1)) : Py.truth(kwargs.get("boolean"));
          return v instanceof Undefined || (bool && !Py.truth(v)) ? fallback : v;
        }
      case "map":
        {
          List<Object> items = Py.iterate(v);
          List<Object> out = new ArrayList<>();
          Object attr = kwargs.get("attribute");
          for (Object i : items) {
            if (attr != null) {
              Object got = attribute(i, (String) attr);
              out.add(
                  got instanceof Undefined && kwargs.containsKey("default")
                      ? kwargs.get("default")
                      : got);
            } else {
              out.add(filter((String) args.get(0), i, args.subList(1, args.size()), Map.of()));
            }
          }
          return out;
        }
      case "selectattr":
      case "rejectattr":
      case "select":
      case "reject":
        {
          boolean byAttr = name.endsWith("attr");
          boolean keep = name.startsWith("select");
          int at = byAttr ? 1 : 0;
          List<Object> out = new ArrayList<>();
          for (Object i : Py.iterate(v)) {
            Object subject = byAttr ? attribute(i, (String) args.get(0)) : i;
            boolean ok =
                args.size() > at
                    ? test((String) args.get(at), subject, args.subList(at + 1, args.size()))
                    : Py.truth(subject);
            if (ok == keep) {
              out.add(i);
            }
          }
          return out;
        }
      case "unique":
        {
          List<Object> out = new ArrayList<>();
          for (Object i : Py.iterate(v)) {
            if (!Py.contains(out, i)) {
              out.add(i);
            }
          }
          return out;
        }
      case "sort":
        {
          List<Object> items = Py.iterate(v);
          items.sort(Py::compare);
          if (Py.truth(kwargs.get("reverse"))) {
            java.util.Collections.reverse(items);
          }
          return items;
        }
      case "indent":
        {
          long width = args.isEmpty() ? 4 : ((Number) args.get(0)).longValue();
          String pad = " ".repeat((int) width);
          return Py.str(v).replace("\n", "\n" + pad);
        }
      default:
        throw new TemplateException("no filter named '" + name + "'");
    }
  }

  private static Object toInt(Object v, Object fallback) {
    if (Py.isInt(v)) {
      return v;
    }
    if (v instanceof Double d) {
      return (long) d.doubleValue();
    }
    if (v instanceof Boolean b) {
      return b ? 1L : 0L;
    }
    try {
      return Long.parseLong(Py.str(v).strip());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static Object toFloat(Object v) {
    if (Py.isNumber(v)) {
      return ((Number) v).doubleValue();
    }
    try {
      return Double.parseDouble(Py.str(v).strip());
    } catch (NumberFormatException e) {
      return 0.0;
    }
  }

  static boolean test(String name, Object v, List<Object> args) {
    return switch (name) {
      case "defined" -> !(v instanceof Undefined);
      case "undefined" -> v instanceof Undefined;
      case "none" -> v == null;
      case "string" -> v instanceof String;
      case "number" -> Py.isNumber(v);
      case "integer" -> Py.isInt(v);
      case "float" -> v instanceof Double;
      case "boolean" -> v instanceof Boolean;
      case "true" -> Boolean.TRUE.equals(v);
      case "false" -> Boolean.FALSE.equals(v);
      case "mapping" -> v instanceof Map;
      case "sequence", "iterable" ->
          v instanceof Collection || v instanceof Map || v instanceof String;
      case "callable" -> v instanceof Template.Function;
      case "equalto", "eq", "==" -> Py.eq(v, args.get(0));
      case "ne", "!=" -> !Py.eq(v, args.get(0));
      case "sameas" ->
          v == args.get(0) || (v != null && v.equals(args.get(0)) && v instanceof Boolean);
      case "in" -> Py.contains(args.get(0), v);
      case "gt", ">" -> Py.compare(v, args.get(0)) > 0;
      case "ge", ">=" -> Py.compare(v, args.get(0)) >= 0;
      case "lt", "<" -> Py.compare(v, args.get(0)) < 0;
      case "le", "<=" -> Py.compare(v, args.get(0)) <= 0;
      case "odd" -> ((Number) v).longValue() % 2 != 0;
      case "even" -> ((Number) v).longValue() % 2 == 0;
      case "divisibleby" -> ((Number) v).longValue() % ((Number) args.get(0)).longValue() == 0;
      case "lower" -> v instanceof String s && s.equals(s.toLowerCase(java.util.Locale.ROOT));
      case "upper" -> v instanceof String s && s.equals(s.toUpperCase(java.util.Locale.ROOT));
      default -> throw new TemplateException("no test named '" + name + "'");
    };
  }
}
