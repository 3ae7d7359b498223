package io.llmft.text.jinja;

import io.llmft.text.jinja.Node.Expr;
import io.llmft.text.jinja.Node.Stmt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a parsed template over a context, with Jinja2's scoping: a loop body is its own scope. */
final class Renderer {
  private static final class Scope {
    final Map<String, Object> vars = new HashMap<>();
    final Scope parent;

    Scope(Scope parent) {
      this.parent = parent;
    }

    Object get(String name) {
      for (Scope s = this; s != null; s = s.parent) {
        if (s.vars.containsKey(name)) {
          return s.vars.get(name);
        }
      }
      return new Undefined(name);
    }
  }

  private static final class LoopSignal extends RuntimeException {
    final boolean isBreak;

    LoopSignal(boolean isBreak) {
      super(null, null, false, false);
      this.isBreak = isBreak;
    }
  }

  private final Scope globals;

  Renderer(Map<String, Object> context) {
    this.globals = new Scope(null);
    globals.vars.put("range", (Template.Function) Builtins::range);
    globals.vars.put("namespace", (Template.Function) Builtins::namespace);
    globals.vars.put("dict", (Template.Function) (args, kwargs) -> new LinkedHashMap<>(kwargs));
    globals.vars.putAll(context);
  }

  String render(List<Stmt> body) {
    StringBuilder out = new StringBuilder();
    try {
      exec(body, new Scope(globals), out);
    } catch (LoopSignal s) {
      throw new TemplateException((s.isBreak ? "break" : "continue") + " outside a loop");
    }
    return out.toString();
  }

  private void exec(List<Stmt> body, Scope scope, StringBuilder out) {
    for (Stmt stmt : body) {
      exec(stmt, scope, out);
    }
  }

  private void exec(Stmt stmt, Scope scope, StringBuilder out) {
    if (stmt instanceof Node.TextOut t) {
      out.append(t.text());
    } else if (stmt instanceof Node.ExprOut e) {
      out.append(Py.str(evalAt(e.expr(), scope)));
    } else if (stmt instanceof Node.If i) {
      for (int k = 0; k < i.conditions().size(); k++) {
        if (Py.truth(evalAt(i.conditions().get(k), scope))) {
          exec(i.bodies().get(k), scope, out);
          return;
        }
      }
      exec(i.otherwise(), scope, out);
    } else if (stmt instanceof Node.For f) {
      loop(f, scope, out);
    } else if (stmt instanceof Node.Set s) {
      Object value = evalAt(s.value(), scope);
      if (s.attr() != null) {
        Object target = scope.get(s.targets().get(0));
        if (!(target instanceof Namespace ns)) {
          throw TemplateException.at(
              s.line(), "cannot assign attribute on non-namespace object " + s.targets().get(0));
        }
        ns.put(s.attr(), value);
      } else {
        assign(scope, s.targets(), value, s.line());
      }
    } else if (stmt instanceof Node.SetBlock s) {
      StringBuilder captured = new StringBuilder();
      exec(s.body(), scope, captured);
      scope.vars.put(s.target(), captured.toString());
    } else if (stmt instanceof Node.Macro m) {
      scope.vars.put(m.name(), macro(m, scope));
    } else if (stmt instanceof Node.Break) {
      throw new LoopSignal(true);
    } else if (stmt instanceof Node.Continue) {
      throw new LoopSignal(false);
    }
  }

  private static void assign(Scope scope, List<String> targets, Object value, int line) {
    if (targets.size() == 1) {
      scope.vars.put(targets.get(0), value);
      return;
    }
    List<Object> items = Py.iterate(value);
    if (items.size() != targets.size()) {
      throw TemplateException.at(
          line, "cannot unpack " + items.size() + " values into " + targets.size() + " names");
    }
    for (int k = 0; k < targets.size(); k++) {
      scope.vars.put(targets.get(k), items.get(k));
    }
  }

  private void loop(Node.For f, Scope scope, StringBuilder out) {
    List<Object> items = Py.iterate(evalAt(f.iterable(), scope));
    Scope inner = new Scope(scope);
    if (f.filter() != null) {
      List<Object> kept = new ArrayList<>();
      for (Object item : items) {
        assign(inner, f.targets(), item, f.line());
        if (Py.truth(evalAt(f.filter(), inner))) {
          kept.add(item);
        }
      }
      items = kept;
    }
    if (items.isEmpty()) {
      exec(f.otherwise(), scope, out);
      return;
    }
    int n = items.size();
    for (int k = 0; k < n; k++) {
      Map<String, Object> loop = new LinkedHashMap<>();
      loop.put("index", (long) k + 1);
      loop.put("index0", (long) k);
      loop.put("revindex", (long) (n - k));
      loop.put("revindex0", (long) (n - k - 1));
      loop.put("first", k == 0);
      loop.put("last", k == n - 1);
      loop.put("length", (long) n);
      loop.put("previtem", k > 0 ? items.get(k - 1) : new Undefined("previtem"));
      loop.put("nextitem", k < n - 1 ? items.get(k + 1) : new Undefined("nextitem"));
      final int index = k;
      loop.put(
          "cycle",
          (Template.Function)
              (args, kwargs) ->
                  args.isEmpty() ? new Undefined("cycle") : args.get(index % args.size()));
      inner.vars.put("loop", loop);
      assign(inner, f.targets(), items.get(k), f.line());
      try {
        exec(f.body(), inner, out);
      } catch (LoopSignal s) {
        if (s.isBreak) {
          break;
        }
      }
    }
  }

  private Template.Function macro(Node.Macro m, Scope defined) {
    return (args, kwargs) -> {
      Scope scope = new Scope(defined);
      for (int k = 0; k < m.params().size(); k++) {
        String param = m.params().get(k);
        Object value;
        if (k < args.size()) {
          value = args.get(k);
        } else if (kwargs.containsKey(param)) {
          value = kwargs.get(param);
        } else if (m.defaults().containsKey(param)) {
          value = eval(m.defaults().get(param), defined);
        } else {
          value = new Undefined(param);
        }
        scope.vars.put(param, value);
      }
      StringBuilder out = new StringBuilder();
      exec(m.body(), scope, out);
      return out.toString();
    };
  }

  private Object evalAt(Expr e, Scope scope) {
    try {
      return eval(e, scope);
    } catch (TemplateException ex) {
      throw ex;
    } catch (ClassCastException | IndexOutOfBoundsException | NullPointerException ex) {
      throw TemplateException.at(e.line(), ex.getClass().getSimpleName() + ": " + ex.getMessage());
    }
  }

  Object eval(Expr e, Scope scope) {
    if (e instanceof Node.Lit l) {
      return l.value();
    }
    if (e instanceof Node.Var v) {
      return scope.get(v.name());
    }
    if (e instanceof Node.Attr a) {
      return Builtins.attribute(eval(a.target(), scope), a.name());
    }
    if (e instanceof Node.Item i) {
      return Builtins.item(eval(i.target(), scope), eval(i.key(), scope));
    }
    if (e instanceof Node.Slice s) {
      return Builtins.slice(
          eval(s.target(), scope),
          s.start() == null ? null : eval(s.start(), scope),
          s.stop() == null ? null : eval(s.stop(), scope),
          s.step() == null ? null : eval(s.step(), scope));
    }
    if (e instanceof Node.Call c) {
      Object function = eval(c.function(), scope);
      if (!(function instanceof Template.Function f)) {
        throw TemplateException.at(
            c.line(),
            (function instanceof Undefined u
                ? "'" + u.name() + "' is undefined"
                : "'" + Py.typeName(function) + "' object is not callable"));
      }
      return f.call(values(c.args(), scope), values(c.kwargs(), scope));
    }
    if (e instanceof Node.Filter f) {
      return Builtins.filter(
          f.name(), eval(f.value(), scope), values(f.args(), scope), values(f.kwargs(), scope));
    }
    if (e instanceof Node.Test t) {
      boolean result = Builtins.test(t.name(), eval(t.value(), scope), values(t.args(), scope));
      return t.negated() != result;
    }
    if (e instanceof Node.Unary u) {
      Object v = eval(u.operand(), scope);
      return switch (u.op()) {
        case "not" -> !Py.truth(v);
        case "-" -> v instanceof Double d ? (Object) (-d) : Py.arithmetic("-", 0L, v);
        default -> Py.arithmetic("+", 0L, v);
      };
    }
    if (e instanceof Node.Binary b) {
      switch (b.op()) {
        case "and":
          {
            Object l = eval(b.left(), scope);
            return Py.truth(l) ? eval(b.right(), scope) : l;
          }
        case "or":
          {
            Object l = eval(b.left(), scope);
            return Py.truth(l) ? l : eval(b.right(), scope);
          }
        default:
          break;
      }
      Object l = eval(b.left(), scope);
      Object r = eval(b.right(), scope);
      return switch (b.op()) {
        case "==" -> Py.eq(l, r);
        case "!=" -> !Py.eq(l, r);
        case "<" -> Py.compare(l, r) < 0;
        case ">" -> Py.compare(l, r) > 0;
        case "<=" -> Py.compare(l, r) <= 0;
        case ">=" -> Py.compare(l, r) >= 0;
        case "in" -> Py.contains(r, l);
        case "not in" -> !Py.contains(r, l);
        case "~" -> Py.str(l) + Py.str(r);
        default -> Py.arithmetic(b.op(), l, r);
      };
    }
    if (e instanceof Node.Cond c) {
      if (Py.truth(eval(c.condition(), scope))) {
        return eval(c.then(), scope);
      }
      return c.otherwise() == null ? new Undefined("") : eval(c.otherwise(), scope);
    }
    if (e instanceof Node.ListLit l) {
      List<Object> items = values(l.items(), scope);
      return l.tuple() ? new Tuple(items) : items;
    }
    Node.DictLit d = (Node.DictLit) e;
    Map<Object, Object> out = new LinkedHashMap<>();
    for (int k = 0; k < d.keys().size(); k++) {
      out.put(eval(d.keys().get(k), scope), eval(d.values().get(k), scope));
    }
    return out;
  }

  private List<Object> values(List<Expr> exprs, Scope scope) {
    List<Object> out = new ArrayList<>(exprs.size());
    for (Expr x : exprs) {
      out.add(eval(x, scope));
    }
    return out;
  }

  private Map<String, Object> values(Map<String, Expr> exprs, Scope scope) {
    Map<String, Object> out = new LinkedHashMap<>();
    exprs.forEach((k, x) -> out.put(k, eval(x, scope)));
    return out;
  }
}
