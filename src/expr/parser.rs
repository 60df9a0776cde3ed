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

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

use super::error::ExprError;
use super::lexer::{Lexer, Tok, Token, bounds};
use super::{Input, Program, ProgramError};
use crate::scalar::{Binary, Graph, NodeId, Op, Unary};

/// How deeply parentheses and unary operators may nest before the parser refuses (it never overflows the stack).
pub const MAX_DEPTH: usize = 200;

/// The largest program text the parser accepts, in bytes (256 MiB: the graph's labels are indexed with 32 bits).
pub const MAX_SOURCE: usize = 256 << 20;

/// Every function the language knows, for messages and suggestions.
pub fn function_names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = Unary::ALL.iter().filter(|u| **u != Unary::Neg).map(|u| u.name()).collect();
    v.extend(["max", "min", "pow"]);
    v
}

/// What a name stands for now: its latest node, and how many times it has been rebound (its label's subscript).
#[derive(Clone, Copy)]
struct Binding {
    node: NodeId,
    version: u32,
}

/// The names bound so far, each with its [`Binding`]. A name is kept as the place of its first appearance in the
/// text (start, length), so an entry is 16 bytes and no name is copied; hashed with Fx.
struct Names<'a> {
    src: &'a str,
    table: HashTable<(u32, u32, Binding)>,
}

impl<'a> Names<'a> {
    fn new(src: &'a str) -> Self {
        Self { src, table: HashTable::new() }
    }

    fn hash(name: &str) -> u64 {
        FxBuildHasher.hash_one(name)
    }

    fn text(src: &'a str, entry: &(u32, u32, Binding)) -> &'a str {
        &src[entry.0 as usize..(entry.0 + entry.1) as usize]
    }

    fn get(&self, name: &str) -> Option<&Binding> {
        let src = self.src;
        self.table.find(Self::hash(name), |e| Self::text(src, e) == name).map(|e| &e.2)
    }

    fn get_mut(&mut self, name: &str) -> Option<&mut Binding> {
        let src = self.src;
        self.table.find_mut(Self::hash(name), |e| Self::text(src, e) == name).map(|e| &mut e.2)
    }

    fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Binds a new name; `name` is a slice of the text (the lexer's names are).
    fn insert(&mut self, name: &'a str, binding: Binding) {
        let start = (name.as_ptr() as usize)
            .checked_sub(self.src.as_ptr() as usize)
            .filter(|s| s + name.len() <= self.src.len())
            .expect("a name is a slice of the program's text");
        // `compile` refuses texts over MAX_SOURCE, so offsets fit in 32 bits
        let entry = (start as u32, name.len() as u32, binding);
        let src = self.src;
        self.table.insert_unique(Self::hash(name), entry, |e| Self::hash(Self::text(src, e)));
    }

    fn keys(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.table.iter().map(|e| Self::text(self.src, e))
    }
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    /// The next three tokens (the statement rule looks two ahead).
    ahead: [Token<'a>; 3],
    /// The last token consumed, for "after '+'" in messages.
    prev: Option<Tok<'a>>,
    depth: usize,
    graph: Graph,
    /// Names borrow the source: one fast-hashed table and no string per name.
    names: Names<'a>,
    at: &'a [(String, f64)],
    /// Which of `at` the program used.
    used_at: Vec<bool>,
    inputs: Vec<Input>,
    /// Scratch for a version subscript.
    suffix: String,
}

fn subscript(n: u32, out: &mut String) {
    const DIGITS: [char; 10] = ['₀', '₁', '₂', '₃', '₄', '₅', '₆', '₇', '₈', '₉'];
    out.clear();
    let mut digits = [0u8; 10];
    let (mut n, mut k) = (n, 0);
    loop {
        digits[k] = (n % 10) as u8;
        k += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[..k].iter().rev().map(|&d| DIGITS[d as usize]));
}

/// Compiles a program into a graph; `at` gives values to inputs (overriding literals) and to free names.
///
/// One pass over the text, streaming its tokens into the parser, which builds the graph as it reads; the graph is
/// sized from the text first (see [`bounds`]), so it does not reallocate. O(source + nodes), with about 32 bytes a node
/// (the graph), 12 bytes and the text a label, and 19 to 39 bytes a distinct name while compiling (a 16-byte table entry
/// and its control byte, the table between 7/16 and 7/8 full).
pub fn compile(src: &str, at: &[(String, f64)]) -> Result<Program, ProgramError> {
    if src.len() > MAX_SOURCE {
        return Err(ExprError::at(
            1,
            1,
            format!("the program is {} MiB long; the most it may be is {} MiB", src.len() >> 20, MAX_SOURCE >> 20),
            "split it into smaller programs",
        )
        .into());
    }
    let (nodes, statements) = bounds(src);
    let mut graph = Graph::new();
    // a text of 10⁸ operators asks for gigabytes here; refused, the graph grows as the parser goes
    graph.try_reserve(nodes.saturating_add(at.len()), statements.saturating_add(at.len()));
    let mut lexer = Lexer::new(src);
    let ahead = [lexer.next_token(), lexer.next_token(), lexer.next_token()];
    let mut p = Parser {
        lexer,
        ahead,
        prev: None,
        depth: 0,
        graph,
        names: Names::new(src),
        at,
        used_at: vec![false; at.len()],
        inputs: Vec::new(),
        suffix: String::new(),
    };
    let output = match p.program() {
        Ok(output) => output,
        // A lexical error anywhere in the text is the one reported, before any syntax error (as if the whole text had
        // been split into tokens first).
        Err(e) => return Err(p.lexer.finish().unwrap_or(e).into()),
    };
    if let Some(i) = p.used_at.iter().position(|used| !used) {
        let inputs: Vec<&str> = p.inputs.iter().map(|i| i.name.as_str()).collect();
        return Err(ProgramError::UnknownInput {
            name: at[i].0.clone(),
            inputs: if inputs.is_empty() { "none".into() } else { inputs.join(", ") },
        });
    }
    let mut graph = p.graph;
    graph.backward(output);
    Ok(Program { graph, output, inputs: p.inputs })
}

impl<'a> Parser<'a> {
    fn peek(&self) -> &Token<'a> {
        &self.ahead[0]
    }

    fn peek_at(&self, k: usize) -> Tok<'a> {
        self.ahead[k].tok
    }

    fn prev_desc(&self) -> Option<String> {
        self.prev.map(|t| t.describe())
    }

    /// Consumes the next token (the end, or a lexical error, stays put).
    fn bump(&mut self) -> Token<'a> {
        let t = self.ahead[0];
        if !matches!(t.tok, Tok::Eof | Tok::Bad) {
            self.prev = Some(t.tok);
            self.ahead = [self.ahead[1], self.ahead[2], self.lexer.next_token()];
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
            (Tok::Ident(n), Tok::Assign(op)) => (n, op),
            _ => return self.expr(),
        };
        let name_tok = self.bump();
        self.bump();
        let first = !self.names.contains_key(name);
        match assign {
            None => {
                if first && let Some(v) = self.plain_literal() {
                    let value = self.take_at(name).unwrap_or(v);
                    return Ok(self.new_input(name, value, name_tok.line));
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
                self.bind(name, id);
                Ok(id)
            }
            Some(op) => {
                let Some(current) = self.names.get(name).map(|b| b.node) else {
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
                self.bind(name, id);
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
        let Tok::Num(v) = self.peek_at(k) else { return None };
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
        for (used, (n, _)) in self.used_at.iter_mut().zip(self.at) {
            *used |= n == name;
        }
        Some(v)
    }

    /// A new leaf for a name's first binding: labelled, listed among the inputs, bound.
    fn new_input(&mut self, name: &'a str, value: f64, line: usize) -> NodeId {
        let id = self.graph.named_leaf(name, value);
        self.inputs.push(Input { name: name.to_owned(), node: id, line });
        self.names.insert(name, Binding { node: id, version: 0 });
        id
    }

    fn bind(&mut self, name: &'a str, id: NodeId) {
        let version = match self.names.get_mut(name) {
            Some(b) => {
                b.version += 1;
                b.node = id;
                b.version
            }
            None => {
                self.names.insert(name, Binding { node: id, version: 0 });
                0
            }
        };
        if self.graph.label(id).is_none() {
            if version == 0 {
                self.graph.set_label(id, name);
            } else {
                subscript(version, &mut self.suffix);
                self.graph.set_label_parts(id, name, &self.suffix);
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
        // The common case first: a name already bound.
        if let (Tok::Ident(name), next) = (self.peek_at(0), self.peek_at(1))
            && next != Tok::LParen
            && let Some(b) = self.names.get(name)
        {
            let id = b.node;
            self.bump();
            return Ok(id);
        }
        let t = *self.peek();
        match t.tok {
            Tok::Num(v) => {
                self.bump();
                Ok(self.graph.constant(v))
            }
            Tok::Ident(name) => {
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
            other => {
                let after = self.prev_desc().map(|p| format!(" after {p}")).unwrap_or_default();
                Err(self.err_here(
                    format!("expected an expression{after}, found {}", other.describe()),
                    "expected: a number, a name, a function call like tanh(x), '(' or '-'",
                ))
            }
        }
    }

    fn lookup(&mut self, name: &'a str, t: &Token) -> Result<NodeId, ExprError> {
        if let Some(b) = self.names.get(name) {
            return Ok(b.node);
        }
        if let Some(v) = self.take_at(name) {
            return Ok(self.new_input(name, v, t.line));
        }
        let mut hint = format!(
            "give it a value with a line like `{name} = 1.5` before this one, or from outside with --at {name}=1.5"
        );
        if let Some(near) = nearest(name, self.names.keys()) {
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
    fn a_lexical_error_anywhere_comes_before_a_syntax_error() {
        // the tokens stream into the parser, yet the first bad character is reported even after a syntax error,
        // as when the whole text was split into tokens first
        let ProgramError::Syntax(e) = compile("x = 1 +* 2\ny = 3 $ 4\nz = 1e999", &[]).unwrap_err() else { panic!() };
        assert_eq!((e.line, e.column, e.message.as_str()), (2, 7, "unexpected character '$'"));
        let ProgramError::Syntax(e) = compile("x = (1\n# ok\ny = 1e999", &[]).unwrap_err() else { panic!() };
        assert_eq!((e.line, e.column), (3, 5));
        assert!(e.message.contains("too large"), "{}", e.message);
        // with no lexical error, the syntax error stands
        let ProgramError::Syntax(e) = compile("x = 1 +* 2\ny = 3", &[]).unwrap_err() else { panic!() };
        assert_eq!((e.line, e.column), (1, 8));
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
