package io.llmft.text.jinja;

import java.util.List;
import java.util.Map;

/** The parsed template: statements and the expressions in them. */
final class Node {
  private Node() {}

  sealed interface Stmt permits TextOut, ExprOut, If, For, Set, SetBlock, Macro, Break, Continue {}

  record TextOut(String text) implements Stmt {}

  record ExprOut(Expr expr, int line) implements Stmt {}

  record If(List<Expr> conditions, List<List<Stmt>> bodies, List<Stmt> otherwise) implements Stmt {}

  record For(
      List<String> targets,
      Expr iterable,
      Expr filter,
      List<Stmt> body,
      List<Stmt> otherwise,
      int line)
      implements Stmt {}

  /** {@code set a = x}, {@code set a, b = x} or {@code set ns.attr = x} (then {@code attr} set). */
  record Set(List<String> targets, String attr, Expr value, int line) implements Stmt {}

  record SetBlock(String target, List<Stmt> body) implements Stmt {}

  record Macro(String name, List<String> params, Map<String, Expr> defaults, List<Stmt> body)
      implements Stmt {}

  record Break() implements Stmt {}

  record Continue() implements Stmt {}

  sealed interface Expr
      permits Lit,
          Var,
          Attr,
          Item,
          Slice,
          Call,
          Filter,
          Test,
          Unary,
          Binary,
          Cond,
          ListLit,
          DictLit {
    int line();
  }

  record Lit(Object value, int line) implements Expr {}

  record Var(String name, int line) implements Expr {}

  record Attr(Expr target, String name, int line) implements Expr {}

  record Item(Expr target, Expr key, int line) implements Expr {}

  record Slice(Expr target, Expr start, Expr stop, Expr step, int line) implements Expr {}

  record Call(Expr function, List<Expr> args, Map<String, Expr> kwargs, int line) implements Expr {}

  record Filter(Expr value, String name, List<Expr> args, Map<String, Expr> kwargs, int line)
      implements Expr {}

  record Test(Expr value, String name, List<Expr> args, boolean negated, int line)
      implements Expr {}

  record Unary(String op, Expr operand, int line) implements Expr {}

  record Binary(String op, Expr left, Expr right, int line) implements Expr {}

  record Cond(Expr condition, Expr then, Expr otherwise, int line) implements Expr {}

  record ListLit(List<Expr> items, boolean tuple, int line) implements Expr {}

  record DictLit(List<Expr> keys, List<Expr> values, int line) implements Expr {}
}
