//! The parser, which builds the graph as it reads (one pass, no syntax tree, so a 10⁵-statement program or a
//! 10⁵-term sum never recurses deeply).
//!
//! ```text
//! program   := statement ((';' | newline) statement)*
//! statement := NAME ('=' | '+=' | '-=' | '*=' | '/=') expr  |  expr
//! expr      := term (('+' | '-') term)*
//! term      := unary (('*' | '/') unary)*
//! unary     := ('-' | '+') unary  |  power
//! power     := primary (('^' | '**') unary)?        right-associative, tighter than unary minus: -x^2 = -(x^2)
//! primary   := NUMBER | NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')'
//! ```
//!
//! A name whose first binding is a plain (optionally signed) number literal is a leaf input; so is a free name given a
//! value from outside (`--at`). Reassigned names get versions: `c`, `c₁`, `c₂`.

use std::collections::{HashMap, HashSet};

use super::error::ExprError;
use super::lexer::{Tok, Token, lex};
use super::{Input, Program, ProgramError};
use crate::scalar::{Binary, Graph, NodeId, Op, Unary};

/// How deeply parentheses and unary operators may nest before the parser refuses (it never overflows the stack).
pub const MAX_DEPTH: usize = 200;

/// Every function the language knows, for messages and suggestions.
pub fn function_names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = Unary::ALL.iter().filter(|u| **u != Unary::Neg).map(|u| u.name()).collect();
    v.extend(["max", "min", "pow"]);
    v
}

struct Parser<'a> {
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
    graph: Graph,
    names: HashMap<String, NodeId>,
    versions: HashMap<String, u32>,
    at: &'a [(String, f64)],
    used_at: HashSet<String>,
    inputs: Vec<Input>,
}

fn subscript(n: u32) -> String {
    const DIGITS: [char; 10] = ['₀', '₁', '₂', '₃', '₄', '₅', '₆', '₇', '₈', '₉'];
    n.to_string().chars().map(|c| DIGITS[c.to_digit(10).expect("to_string gives digits") as usize]).collect()
}

/// Compiles a program into a graph; `at` gives values to inputs (overriding literals) and to free names.
pub fn compile(src: &str, at: &[(String, f64)]) -> Result<Program, ProgramError> {
    let toks = lex(src)?;
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
        graph: Graph::new(),
        names: HashMap::new(),
        versions: HashMap::new(),
        at,
        used_at: HashSet::new(),
        inputs: Vec::new(),
    };
    let output = p.program()?;
    if let Some((name, _)) = at.iter().find(|(n, _)| !p.used_at.contains(n)) {
        let inputs: Vec<&str> = p.inputs.iter().map(|i| i.name.as_str()).collect();
        return Err(ProgramError::UnknownInput {
            name: name.clone(),
            inputs: if inputs.is_empty() { "none".into() } else { inputs.join(", ") },
        });
    }
    let mut graph = p.graph;
    graph.backward(output);
    Ok(Program { graph, output, inputs: p.inputs })
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn peek_at(&self, k: usize) -> &Tok {
        &self.toks[(self.pos + k).min(self.toks.len() - 1)].tok
    }

    fn prev_desc(&self) -> Option<String> {
        (self.pos > 0).then(|| self.toks[self.pos - 1].tok.describe())
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn err_here(&self, message: String, hint: &str) -> ExprError {
        let t = self.peek();
        ExprError::at(t.line, t.col, message, hint)
    }

    fn program(&mut self) -> Result<NodeId, ExprError> {
        let mut last = None;
        loop {
            while self.peek().tok == Tok::Sep {
                self.bump();
            }
            if self.peek().tok == Tok::Eof {
                break;
            }
            last = Some(self.statement()?);
            match self.peek().tok {
                Tok::Sep | Tok::Eof => {}
                Tok::Assign(_) => {
                    return Err(self.err_here(
                        format!("unexpected {}", self.peek().tok.describe()),
                        "only a name can be assigned to, as in `q = x + y`",
                    ));
                }
                _ => {
                    return Err(self.err_here(
                        format!(
                            "expected an operator or the end of the statement, found {}",
                            self.peek().tok.describe()
                        ),
                        "an operator (+ - * / ^), ';' or a new line",
                    ));
                }
            }
        }
        last.ok_or_else(|| ExprError::at(1, 1, "the program is empty", "write an expression, e.g. `f = (x + y) * z`"))
    }

    fn statement(&mut self) -> Result<NodeId, ExprError> {
        let (name, assign) = match (self.peek_at(0), self.peek_at(1)) {
            (Tok::Ident(n), Tok::Assign(op)) => (n.clone(), *op),
            _ => return self.expr(),
        };
        let name_tok = self.bump();
        self.bump();
        let first = !self.names.contains_key(&name);
        match assign {
            None => {
                if first && let Some(v) = self.plain_literal() {
                    let value = self.take_at(&name).unwrap_or(v);
                    let id = self.graph.named_leaf(&name, value);
                    self.inputs.push(Input { name: name.clone(), node: id, line: name_tok.line });
                    self.versions.insert(name.clone(), 0);
                    self.names.insert(name, id);
                    return Ok(id);
                }
                if first && self.at.iter().any(|(n, _)| *n == name) {
                    return Err(ExprError::at(
                        name_tok.line,
                        name_tok.col,
                        format!("'{name}' is computed here, so --at cannot set it"),
                        "--at sets only inputs: names first given a plain number, or names the program uses without giving a value",
                    ));
                }
                let id = self.expr()?;
                self.bind(&name, id);
                Ok(id)
            }
            Some(op) => {
                let Some(&current) = self.names.get(&name) else {
                    return Err(ExprError::at(
                        name_tok.line,
                        name_tok.col,
                        format!("'{name}' has no value yet, so `{name} {op}= …` has nothing to update"),
                        format!("give it a value first, e.g. `{name} = 0`"),
                    ));
                };
                let rhs = self.expr()?;
                let b = match op {
                    '+' => Binary::Add,
                    '-' => Binary::Sub,
                    '*' => Binary::Mul,
                    _ => Binary::Div,
                };
                let id = self.graph.binary(b, current, rhs);
                self.bind(&name, id);
                Ok(id)
            }
        }
    }

    /// If the statement's value is a plain, optionally signed, number literal, consumes it and returns it.
    fn plain_literal(&mut self) -> Option<f64> {
        let (sign, k) = match self.peek_at(0) {
            Tok::Minus => (-1.0, 1),
            Tok::Plus => (1.0, 1),
            _ => (1.0, 0),
        };
        let Tok::Num(v) = *self.peek_at(k) else { return None };
        if !matches!(self.peek_at(k + 1), Tok::Sep | Tok::Eof) {
            return None;
        }
        for _ in 0..=k {
            self.bump();
        }
        Some(sign * v)
    }

    fn take_at(&mut self, name: &str) -> Option<f64> {
        let v = self.at.iter().rev().find(|(n, _)| n == name).map(|(_, v)| *v)?;
        self.used_at.insert(name.to_owned());
        Some(v)
    }

    fn bind(&mut self, name: &str, id: NodeId) {
        // Look up before inserting, so a rebinding allocates no new key.
        let version = match self.versions.get_mut(name) {
            Some(v) => {
                *v += 1;
                *v
            }
            None => {
                self.versions.insert(name.to_owned(), 0);
                0
            }
        };
        if self.graph.label(id).is_none() {
            let label = if version == 0 { name.to_owned() } else { format!("{name}{}", subscript(version)) };
            self.graph.set_label(id, label);
        }
        match self.names.get_mut(name) {
            Some(slot) => *slot = id,
            None => {
                self.names.insert(name.to_owned(), id);
            }
        }
    }

    fn expr(&mut self) -> Result<NodeId, ExprError> {
        let mut lhs = self.term()?;
        loop {
            let b = match self.peek().tok {
                Tok::Plus => Binary::Add,
                Tok::Minus => Binary::Sub,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.term()?;
            lhs = self.graph.binary(b, lhs, rhs);
        }
    }

    fn term(&mut self) -> Result<NodeId, ExprError> {
        let mut lhs = self.unary()?;
        loop {
            let b = match self.peek().tok {
                Tok::Star => Binary::Mul,
                Tok::Slash => Binary::Div,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.unary()?;
            lhs = self.graph.binary(b, lhs, rhs);
        }
    }

    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err_here(
                format!("the expression nests too deeply (more than {MAX_DEPTH} levels)"),
                "split it into several statements",
            ));
        }
        Ok(())
    }

    fn unary(&mut self) -> Result<NodeId, ExprError> {
        self.enter()?;
        let result = match self.peek().tok {
            Tok::Minus => {
                self.bump();
                let a = self.unary()?;
                // A negated literal is folded into one constant, so `x * -2` draws as x times -2.
                if self.graph.op(a) == Op::Const && a.index() + 1 == self.graph.len() && self.graph.label(a).is_none() {
                    let v = self.graph.value(a);
                    self.graph.set_value(a, -v);
                    Ok(a)
                } else {
                    Ok(self.graph.unary(Unary::Neg, a))
                }
            }
            Tok::Plus => {
                self.bump();
                self.unary()
            }
            _ => self.power(),
        };
        self.depth -= 1;
        result
    }

    fn power(&mut self) -> Result<NodeId, ExprError> {
        let base = self.primary()?;
        if self.peek().tok == Tok::Caret {
            self.bump();
            let exponent = self.unary()?;
            return Ok(self.graph.binary(Binary::Pow, base, exponent));
        }
        Ok(base)
    }

    fn primary(&mut self) -> Result<NodeId, ExprError> {
        // The common case, a name already bound, without copying the token.
        if let (Tok::Ident(name), next) = (self.peek_at(0), self.peek_at(1))
            && *next != Tok::LParen
            && let Some(&id) = self.names.get(name.as_str())
        {
            self.bump();
            return Ok(id);
        }
        let t = self.peek().clone();
        match t.tok {
            Tok::Num(v) => {
                self.bump();
                Ok(self.graph.constant(v))
            }
            Tok::Ident(ref name) => {
                self.bump();
                if self.peek().tok == Tok::LParen {
                    return self.call(name, &t);
                }
                self.lookup(name, &t)
            }
            Tok::LParen => {
                self.bump();
                self.enter()?;
                let inner = self.expr()?;
                self.depth -= 1;
                if self.peek().tok != Tok::RParen {
                    return Err(self.err_here(
                        format!(
                            "expected ')' to close the '(' at line {}, column {}, found {}",
                            t.line,
                            t.col,
                            self.peek().tok.describe()
                        ),
                        "close the parenthesis",
                    ));
                }
                self.bump();
                Ok(inner)
            }
            ref other => {
                let after = self.prev_desc().map(|p| format!(" after {p}")).unwrap_or_default();
                Err(self.err_here(
                    format!("expected an expression{after}, found {}", other.describe()),
                    "expected: a number, a name, a function call like tanh(x), '(' or '-'",
                ))
            }
        }
    }

    fn lookup(&mut self, name: &str, t: &Token) -> Result<NodeId, ExprError> {
        if let Some(&id) = self.names.get(name) {
            return Ok(id);
        }
        if let Some(v) = self.take_at(name) {
            let id = self.graph.named_leaf(name, v);
            self.inputs.push(Input { name: name.to_owned(), node: id, line: t.line });
            self.versions.insert(name.to_owned(), 0);
            self.names.insert(name.to_owned(), id);
            return Ok(id);
        }
        let mut hint = format!(
            "give it a value with a line like `{name} = 1.5` before this one, or from outside with --at {name}=1.5"
        );
        if let Some(near) = nearest(name, self.names.keys().map(String::as_str)) {
            hint = format!("did you mean '{near}'? Or {hint}");
        }
        Err(ExprError::at(t.line, t.col, format!("'{name}' has no value"), hint))
    }

    fn call(&mut self, name: &str, t: &Token) -> Result<NodeId, ExprError> {
        // The name is checked before the arguments, so `sigmod(` says what is wrong with it first.
        let (unary, binary) = (Unary::from_name(name), Binary::from_name(name));
        let arity = match (unary, binary) {
            (Some(_), _) => 1,
            (_, Some(_)) => 2,
            (None, None) => {
                let known = function_names();
                let hint = match nearest(name, known.iter().copied()) {
                    Some(near) => format!("did you mean '{near}'? Known functions: {}", known.join(", ")),
                    None => format!("known functions: {}", known.join(", ")),
                };
                return Err(ExprError::at(t.line, t.col, format!("unknown function '{name}'"), hint));
            }
        };
        let open = self.bump();
        let mut args = Vec::new();
        if self.peek().tok != Tok::RParen {
            loop {
                self.enter()?;
                let a = self.expr()?;
                self.depth -= 1;
                args.push(a);
                match self.peek().tok {
                    Tok::Comma => {
                        self.bump();
                    }
                    Tok::RParen => break,
                    ref other => {
                        return Err(self.err_here(
                            format!(
                                "expected ',' or ')' in the call to {name}( at line {}, column {}, found {}",
                                open.line,
                                open.col,
                                other.describe()
                            ),
                            "separate arguments with ',' and close the call with ')'",
                        ));
                    }
                }
            }
        }
        self.bump();
        if args.len() != arity {
            let (noun, example) =
                if arity == 1 { ("argument", format!("{name}(x)")) } else { ("arguments", format!("{name}(a, b)")) };
            return Err(ExprError::at(
                t.line,
                t.col,
                format!("{name} takes {arity} {noun}, got {}", args.len()),
                format!("write {example}"),
            ));
        }
        Ok(match (unary, binary) {
            (Some(u), _) => self.graph.unary(u, args[0]),
            (_, Some(b)) => self.graph.binary(b, args[0], args[1]),
            (None, None) => return Err(ExprError::at(t.line, t.col, format!("unknown function '{name}'"), "")),
        })
    }
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3) && *d < c.len().max(word.len()))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str) -> Program {
        compile(src, &[]).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn precedence_and_associativity() {
        // -x^2 = -(x^2) = -9 at x = 3
        assert_eq!(run("x = 3; -x^2").value(), -9.0);
        // 2^3^2 = 2^(3^2) = 512
        assert_eq!(run("2^3^2").value(), 512.0);
        assert_eq!(run("2**-1").value(), 0.5);
        // 1 - 2 - 3 = -4 (left-associative)
        assert_eq!(run("1 - 2 - 3").value(), -4.0);
        assert_eq!(run("8 / 4 / 2").value(), 1.0);
        assert_eq!(run("1 + 2 * 3").value(), 7.0);
    }

    #[test]
    fn versions_of_a_reassigned_name() {
        let p = run("a = 1; c = a + 1; c += 1; c *= c");
        let labels: Vec<&str> = p.graph.ids().filter_map(|id| p.graph.label(id)).collect();
        assert_eq!(labels, vec!["a", "c", "c₁", "c₂"]);
        // c = 2, c₁ = 3, c₂ = 9; ∂c₂/∂a = 2·c₁ = 6
        assert_eq!(p.value(), 9.0);
        assert_eq!(p.grads(), vec![("a".to_owned(), 6.0)]);
    }

    #[test]
    fn leaves_are_literal_bindings_and_at_names() {
        let p = compile("x = -2; k = 2 * 3; f = x * k * q", &[("q".into(), 0.5)]).unwrap();
        let names: Vec<&str> = p.inputs.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, vec!["x", "q"]);
        // --at overrides a literal
        let p = compile("x = -2; f = x * 3", &[("x".into(), 4.0)]).unwrap();
        assert_eq!(p.value(), 12.0);
    }

    #[test]
    fn errors_say_where_and_what() {
        let e = compile("x = 1; y = x +* 2", &[]).unwrap_err();
        let ProgramError::Syntax(e) = e else { panic!() };
        assert_eq!((e.line, e.column), (1, 15));
        assert!(e.message.contains("after '+'"), "{}", e.message);

        let ProgramError::Syntax(e) = compile("x = 1\ny = sigmod(x)", &[]).unwrap_err() else { panic!() };
        assert_eq!((e.line, e.column), (2, 5));
        assert!(e.hint.contains("did you mean 'sigmoid'"), "{}", e.hint);

        let ProgramError::Syntax(e) = compile("f = q * z", &[]).unwrap_err() else { panic!() };
        assert!(e.message.contains("'q' has no value"));
        assert!(e.hint.contains("--at q="));

        assert!(matches!(
            compile("f = x", &[("x".into(), 1.0), ("k".into(), 2.0)]),
            Err(ProgramError::UnknownInput { .. })
        ));
        assert!(compile("max(1)", &[]).is_err());
        assert!(compile("(1 + 2", &[]).is_err());
        assert!(compile("", &[]).is_err());
        assert!(compile("c += 1", &[]).is_err());
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let src = "(".repeat(100_000) + "1";
        assert!(compile(&src, &[]).is_err());
        let src = "-".repeat(100_000) + "1";
        assert!(compile(&src, &[]).is_err());
        // a long flat sum is fine
        let src = vec!["1"; 100_000].join(" + ");
        assert_eq!(run(&src).value(), 100_000.0);
    }
}
