package io.llmft.text.jinja;

import io.llmft.text.jinja.Lexer.Kind;
import io.llmft.text.jinja.Lexer.Piece;
import io.llmft.text.jinja.Lexer.Tok;
import io.llmft.text.jinja.Node.Expr;
import io.llmft.text.jinja.Node.Stmt;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Jinja2's grammar, statements and expressions, with its operator precedence. */
final class Parser {
  private final List<Piece> pieces;
  private int at;
  private List<Tok> toks;
  private int pos;

  private Parser(List<Piece> pieces) {
    this.pieces = pieces;
  }

  static List<Stmt> parse(String source) {
    Parser p = new Parser(Lexer.pieces(source));
    List<Stmt> body = p.body(Set.of());
    if (p.at < p.pieces.size()) {
      Lexer.Tag tag = (Lexer.Tag) p.pieces.get(p.at);
      throw TemplateException.at(tag.line(), "unexpected '" + tag.tokens().get(0).text() + "'");
    }
    return body;
  }

  /** Statements up to a tag whose first word is one of {@code ends} (left unconsumed). */
  private List<Stmt> body(Set<String> ends) {
    List<Stmt> out = new ArrayList<>();
    while (at < pieces.size()) {
      Piece piece = pieces.get(at);
      if (piece instanceof Lexer.Text t) {
        out.add(new Node.TextOut(t.text()));
        at++;
      } else if (piece instanceof Lexer.Output o) {
        begin(o.tokens());
        Expr e = expression();
        expectEnd();
        out.add(new Node.ExprOut(e, o.line()));
        at++;
      } else {
        Lexer.Tag tag = (Lexer.Tag) piece;
        String word = tag.tokens().get(0).text();
        if (ends.contains(word)) {
          return out;
        }
        at++;
        begin(tag.tokens());
        next();
        out.add(statement(word, tag.line()));
      }
    }
    if (!ends.isEmpty()) {
      throw new TemplateException("missing " + String.join(" or ", ends) + " at the end");
    }
    return out;
  }

  private Stmt statement(String word, int line) {
    switch (word) {
      case "if":
        return ifStatement();
      case "for":
        return forStatement(line);
      case "set":
        return setStatement(line);
      case "macro":
        return macro();
      case "break":
        expectEnd();
        return new Node.Break();
      case "continue":
        expectEnd();
        return new Node.Continue();
      case "generation":
        {
          // transformers' {% generation %}: marks assistant output, renders its body as is
          expectEnd();
          List<Stmt> inner = body(Set.of("endgeneration"));
          closeTag("endgeneration");
          return new Node.If(List.of(new Node.Lit(true, line)), List.of(inner), List.of());
        }
      default:
        throw TemplateException.at(line, "unknown tag '" + word + "'");
    }
  }

  private Stmt ifStatement() {
    List<Expr> conditions = new ArrayList<>();
    List<List<Stmt>> bodies = new ArrayList<>();
    conditions.add(expression());
    expectEnd();
    List<Stmt> otherwise = List.of();
    while (true) {
      bodies.add(body(Set.of("elif", "else", "endif")));
      String word = tagWord();
      begin(((Lexer.Tag) pieces.get(at)).tokens());
      next();
      at++;
      if (word.equals("elif")) {
        conditions.add(expression());
        expectEnd();
      } else if (word.equals("else")) {
        expectEnd();
        otherwise = body(Set.of("endif"));
        closeTag("endif");
        break;
      } else {
        expectEnd();
        break;
      }
    }
    return new Node.If(conditions, bodies, otherwise);
  }

  private Stmt forStatement(int line) {
    List<String> targets = new ArrayList<>();
    targets.add(name());
    while (peek().is(",")) {
      next();
      targets.add(name());
    }
    expectName("in");
    Expr iterable = orExpr();
    Expr filter = null;
    if (peek().is("if")) {
      next();
      filter = expression();
    }
    if (peek().is("recursive")) {
      throw TemplateException.at(line, "recursive loops are not supported");
    }
    expectEnd();
    List<Stmt> body = body(Set.of("else", "endfor"));
    List<Stmt> otherwise = List.of();
    if (tagWord().equals("else")) {
      at++;
      begin(((Lexer.Tag) pieces.get(at - 1)).tokens());
      next();
      expectEnd();
      otherwise = body(Set.of("endfor"));
    }
    closeTag("endfor");
    return new Node.For(targets, iterable, filter, body, otherwise, line);
  }

  private Stmt setStatement(int line) {
    String first = name();
    if (peek().is(".")) {
      next();
      String attr = name();
      expect("=");
      Expr value = expression();
      expectEnd();
      return new Node.Set(List.of(first), attr, value, line);
    }
    List<String> targets = new ArrayList<>(List.of(first));
    while (peek().is(",")) {
      next();
      targets.add(name());
    }
    if (peek().kind() == Kind.END && targets.size() == 1) {
      List<Stmt> inner = body(Set.of("endset"));
      closeTag("endset");
      return new Node.SetBlock(first, inner);
    }
    expect("=");
    Expr value = expression();
    expectEnd();
    return new Node.Set(targets, null, value, line);
  }

  private Stmt macro() {
    String name = name();
    expect("(");
    List<String> params = new ArrayList<>();
    Map<String, Expr> defaults = new LinkedHashMap<>();
    while (!peek().is(")")) {
      String param = name();
      params.add(param);
      if (peek().is("=")) {
        next();
        defaults.put(param, expression());
      }
      if (!peek().is(")")) {
        expect(",");
      }
    }
    next();
    expectEnd();
    List<Stmt> body = body(Set.of("endmacro"));
    closeTag("endmacro");
    return new Node.Macro(name, params, defaults, body);
  }

  private String tagWord() {
    if (at >= pieces.size() || !(pieces.get(at) instanceof Lexer.Tag tag)) {
      throw new TemplateException("unexpected end of template");
    }
    return tag.tokens().get(0).text();
  }

  private void closeTag(String word) {
    Lexer.Tag tag = (Lexer.Tag) pieces.get(at);
    at++;
    begin(tag.tokens());
    if (!next().is(word)) {
      throw TemplateException.at(tag.line(), "expected " + word);
    }
    expectEnd();
  }

  // ---- expressions ----

  private void begin(List<Tok> tokens) {
    toks = tokens;
    pos = 0;
  }

  private Tok peek() {
    return toks.get(pos);
  }

  private Tok peek(int ahead) {
    return toks.get(Math.min(pos + ahead, toks.size() - 1));
  }

  private Tok next() {
    Tok t = toks.get(pos);
    if (t.kind() != Kind.END) {
      pos++;
    }
    return t;
  }

  private void expect(String op) {
    Tok t = next();
    if (!t.is(op)) {
      throw TemplateException.at(t.line(), "expected '" + op + "', found '" + t.text() + "'");
    }
  }

  private void expectName(String word) {
    Tok t = next();
    if (t.kind() != Kind.NAME || !t.text().equals(word)) {
      throw TemplateException.at(t.line(), "expected '" + word + "', found '" + t.text() + "'");
    }
  }

  private void expectEnd() {
    Tok t = peek();
    if (t.kind() != Kind.END) {
      throw TemplateException.at(t.line(), "unexpected '" + t.text() + "'");
    }
  }

  private String name() {
    Tok t = next();
    if (t.kind() != Kind.NAME) {
      throw TemplateException.at(t.line(), "expected a name, found '" + t.text() + "'");
    }
    return t.text();
  }

  Expr expression() {
    Expr e = orExpr();
    if (peek().is("if")) {
      int line = next().line();
      Expr condition = orExpr();
      Expr otherwise = null;
      if (peek().is("else")) {
        next();
        otherwise = expression();
      }
      return new Node.Cond(condition, e, otherwise, line);
    }
    return e;
  }

  private Expr orExpr() {
    Expr left = andExpr();
    while (peek().is("or")) {
      int line = next().line();
      left = new Node.Binary("or", left, andExpr(), line);
    }
    return left;
  }

  private Expr andExpr() {
    Expr left = notExpr();
    while (peek().is("and")) {
      int line = next().line();
      left = new Node.Binary("and", left, notExpr(), line);
    }
    return left;
  }

  private Expr notExpr() {
    if (peek().is("not")) {
      int line = next().line();
      return new Node.Unary("not", notExpr(), line);
    }
    return compare();
  }

  private Expr compare() {
    Expr left = math1();
    while (true) {
      Tok t = peek();
      String op;
      if (t.kind() == Kind.OP && Set.of("==", "!=", "<", ">", "<=", ">=").contains(t.text())) {
        op = t.text();
        next();
      } else if (t.is("in")) {
        op = "in";
        next();
      } else if (t.is("not") && peek(1).is("in")) {
        op = "not in";
        next();
        next();
      } else {
        return left;
      }
      left = new Node.Binary(op, left, math1(), t.line());
    }
  }

  private Expr math1() {
    Expr left = concat();
    while (peek().kind() == Kind.OP && (peek().is("+") || peek().is("-"))) {
      Tok t = next();
      left = new Node.Binary(t.text(), left, concat(), t.line());
    }
    return left;
  }

  private Expr concat() {
    Expr left = math2();
    while (peek().kind() == Kind.OP && peek().is("~")) {
      Tok t = next();
      left = new Node.Binary("~", left, math2(), t.line());
    }
    return left;
  }

  private Expr math2() {
    Expr left = pow();
    while (peek().kind() == Kind.OP && Set.of("*", "/", "//", "%").contains(peek().text())) {
      Tok t = next();
      left = new Node.Binary(t.text(), left, pow(), t.line());
    }
    return left;
  }

  private Expr pow() {
    Expr left = unary();
    while (peek().kind() == Kind.OP && peek().is("**")) {
      Tok t = next();
      left = new Node.Binary("**", left, unary(), t.line());
    }
    return left;
  }

  private Expr unary() {
    Tok t = peek();
    if (t.kind() == Kind.OP && (t.is("-") || t.is("+"))) {
      next();
      return new Node.Unary(t.text(), unary(), t.line());
    }
    return filters(postfix(primary()));
  }

  private Expr primary() {
    Tok t = next();
    switch (t.kind()) {
      case STRING:
        {
          StringBuilder s = new StringBuilder((String) t.value());
          while (peek().kind() == Kind.STRING) {
            s.append((String) next().value()); // adjacent literals join, as in Python
          }
          return new Node.Lit(s.toString(), t.line());
        }
      case INT:
      case FLOAT:
        return new Node.Lit(t.value(), t.line());
      case NAME:
        switch (t.text()) {
          case "true", "True":
            return new Node.Lit(true, t.line());
          case "false", "False":
            return new Node.Lit(false, t.line());
          case "none", "None":
            return new Node.Lit(null, t.line());
          default:
            return new Node.Var(t.text(), t.line());
        }
      case OP:
        if (t.is("(")) {
          if (peek().is(")")) {
            next();
            return new Node.ListLit(List.of(), true, t.line());
          }
          Expr first = expression();
          if (peek().is(",")) {
            List<Expr> items = new ArrayList<>(List.of(first));
            while (peek().is(",")) {
              next();
              if (peek().is(")")) {
                break;
              }
              items.add(expression());
            }
            expect(")");
            return new Node.ListLit(items, true, t.line());
          }
          expect(")");
          return first;
        }
        if (t.is("[")) {
          List<Expr> items = new ArrayList<>();
          while (!peek().is("]")) {
            items.add(expression());
            if (!peek().is("]")) {
              expect(",");
            }
          }
          next();
          return new Node.ListLit(items, false, t.line());
        }
        if (t.is("{")) {
          List<Expr> keys = new ArrayList<>();
          List<Expr> values = new ArrayList<>();
          while (!peek().is("}")) {
            keys.add(expression());
            expect(":");
            values.add(expression());
            if (!peek().is("}")) {
              expect(",");
            }
          }
          next();
          return new Node.DictLit(keys, values, t.line());
        }
        break;
      default:
        break;
    }
    throw TemplateException.at(t.line(), "unexpected '" + t.text() + "'");
  }

  private Expr postfix(Expr e) {
    while (true) {
      Tok t = peek();
      if (t.kind() != Kind.OP) {
        return e;
      }
      if (t.is(".")) {
        next();
        Tok name = next();
        if (name.kind() == Kind.INT) {
          e = new Node.Item(e, new Node.Lit(name.value(), name.line()), name.line());
        } else if (name.kind() == Kind.NAME) {
          e = new Node.Attr(e, name.text(), name.line());
        } else {
          throw TemplateException.at(name.line(), "expected an attribute name");
        }
      } else if (t.is("[")) {
        next();
        e = subscript(e, t.line());
      } else if (t.is("(")) {
        next();
        List<Expr> args = new ArrayList<>();
        Map<String, Expr> kwargs = new LinkedHashMap<>();
        arguments(args, kwargs);
        e = new Node.Call(e, args, kwargs, t.line());
      } else {
        return e;
      }
    }
  }

  private Expr subscript(Expr target, int line) {
    Expr[] parts = new Expr[3];
    int part = 0;
    boolean slice = false;
    while (!peek().is("]")) {
      if (peek().is(":")) {
        next();
        slice = true;
        part++;
        if (part > 2) {
          throw TemplateException.at(line, "a slice has at most three parts");
        }
      } else {
        parts[part] = expression();
      }
    }
    next();
    if (!slice) {
      if (parts[0] == null) {
        throw TemplateException.at(line, "empty subscript");
      }
      return new Node.Item(target, parts[0], line);
    }
    return new Node.Slice(target, parts[0], parts[1], parts[2], line);
  }

  /** Arguments after a consumed '(' through the ')'. */
  private void arguments(List<Expr> args, Map<String, Expr> kwargs) {
    while (!peek().is(")")) {
      if (peek().kind() == Kind.NAME && peek(1).is("=") && !peek(1).is("==")) {
        String key = next().text();
        next();
        kwargs.put(key, expression());
      } else {
        if (!kwargs.isEmpty()) {
          throw TemplateException.at(peek().line(), "a positional argument after a keyword one");
        }
        args.add(expression());
      }
      if (!peek().is(")")) {
        expect(",");
      }
    }
    next();
  }

  private Expr filters(Expr e) {
    while (true) {
      Tok t = peek();
      if (t.kind() == Kind.OP && t.is("|")) {
        next();
        String name = name();
        List<Expr> args = new ArrayList<>();
        Map<String, Expr> kwargs = new LinkedHashMap<>();
        if (peek().is("(")) {
          next();
          arguments(args, kwargs);
        }
        e = new Node.Filter(e, name, args, kwargs, t.line());
      } else if (t.is("is")) {
        next();
        boolean negated = false;
        if (peek().is("not")) {
          next();
          negated = true;
        }
        String name = name();
        List<Expr> args = new ArrayList<>();
        Map<String, Expr> kwargs = new LinkedHashMap<>();
        if (peek().is("(")) {
          next();
          arguments(args, kwargs);
        } else if (startsTestArgument(peek())) {
          args.add(postfix(primary()));
        }
        e = new Node.Test(e, name, args, negated, t.line());
      } else {
        return e;
      }
    }
  }

  private static boolean startsTestArgument(Tok t) {
    return switch (t.kind()) {
      case STRING, INT, FLOAT -> true;
      case NAME -> !Set.of("else", "or", "and", "if", "in", "not", "is").contains(t.text());
      case OP -> t.is("[") || t.is("{");
      default -> false;
    };
  }
}
