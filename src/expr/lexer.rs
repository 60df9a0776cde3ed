//! The lexer: source text to tokens, one at a time, each with its line and column (1-based, counted in characters).
//!
//! It streams: the parser pulls the next token when it needs it, so no token vector is ever built, and a name is a
//! slice of the source, not a copy. The language's tokens are all ASCII, so the lexer walks bytes; a character
//! outside ASCII can only sit in a comment or be refused, and columns still count it as one. O(source), no
//! allocation.

use super::error::ExprError;

/// A token's kind. A name borrows the source.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tok<'a> {
    /// A number literal.
    Num(f64),
    /// A name.
    Ident(&'a str),
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `^` or `**`
    Caret,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
    /// `=`, `+=`, `-=`, `*=`, `/=` (the op for a compound assignment)
    Assign(Option<char>),
    /// A newline or `;`
    Sep,
    /// The end of the input.
    Eof,
    /// Text that is no token; the lexer holds the error (see [`Lexer::finish`]) and returns this from then on.
    Bad,
}

impl Tok<'_> {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            Tok::Num(v) => format!("the number {v}"),
            Tok::Ident(s) => format!("'{s}'"),
            Tok::Plus => "'+'".into(),
            Tok::Minus => "'-'".into(),
            Tok::Star => "'*'".into(),
            Tok::Slash => "'/'".into(),
            Tok::Caret => "'^'".into(),
            Tok::LParen => "'('".into(),
            Tok::RParen => "')'".into(),
            Tok::Comma => "','".into(),
            Tok::Assign(None) => "'='".into(),
            Tok::Assign(Some(c)) => format!("'{c}='"),
            Tok::Sep => "the end of the statement".into(),
            Tok::Eof => "the end of the program".into(),
            Tok::Bad => "text that is not part of the language".into(),
        }
    }
}

/// A token and where it starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Token<'a> {
    /// The kind.
    pub tok: Tok<'a>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
}

/// The token stream over a source text. `#` starts a comment to the end of the line.
pub struct Lexer<'a> {
    src: &'a str,
    i: usize,
    line: usize,
    col: usize,
    error: Option<ExprError>,
}

fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `src`.
    pub fn new(src: &'a str) -> Self {
        Self { src, i: 0, line: 1, col: 1, error: None }
    }

    /// Reads to the end of the source and returns its first lexical error, if any. O(rest of the source).
    pub fn finish(mut self) -> Option<ExprError> {
        while !matches!(self.next_token().tok, Tok::Eof | Tok::Bad) {}
        self.error
    }

    /// The next token; [`Tok::Eof`] at the end, again and again, and [`Tok::Bad`] from an error on.
    pub fn next_token(&mut self) -> Token<'a> {
        let bytes = self.src.as_bytes();
        loop {
            let (line, col) = (self.line, self.col);
            let token = |tok| Token { tok, line, col };
            if self.error.is_some() {
                return token(Tok::Bad);
            }
            let Some(&c) = bytes.get(self.i) else { return token(Tok::Eof) };
            let next = bytes.get(self.i + 1).copied();
            let (tok, len) = match c {
                b'\n' => {
                    self.i += 1;
                    self.line += 1;
                    self.col = 1;
                    return token(Tok::Sep);
                }
                b' ' | b'\t' | b'\r' => {
                    self.i += 1;
                    self.col += 1;
                    continue;
                }
                b'#' => {
                    // the rest of the line, whatever it holds; the newline ends the statement
                    self.i = memchr_newline(bytes, self.i);
                    continue;
                }
                b';' => (Tok::Sep, 1),
                b'(' => (Tok::LParen, 1),
                b')' => (Tok::RParen, 1),
                b',' => (Tok::Comma, 1),
                b'^' => (Tok::Caret, 1),
                b'*' if next == Some(b'*') => (Tok::Caret, 2),
                b'+' | b'-' | b'*' | b'/' if next == Some(b'=') => (Tok::Assign(Some(c as char)), 2),
                b'+' => (Tok::Plus, 1),
                b'-' => (Tok::Minus, 1),
                b'*' => (Tok::Star, 1),
                b'/' => (Tok::Slash, 1),
                b'=' => (Tok::Assign(None), 1),
                c if c.is_ascii_digit() || (c == b'.' && next.is_some_and(|d| d.is_ascii_digit())) => {
                    match self.number() {
                        Ok(t) => t,
                        Err(e) => {
                            self.error = Some(e);
                            return token(Tok::Bad);
                        }
                    }
                }
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    // A dot inside a name joins its parts (`l1.n0.w0`): the backprop view folds the nodes of
                    // `l1.n0.*` into one box, nested in `l1`.
                    let mut j = self.i;
                    while j < bytes.len()
                        && (name_byte(bytes[j])
                            || (bytes[j] == b'.' && bytes.get(j + 1).copied().is_some_and(name_byte)))
                    {
                        j += 1;
                    }
                    (Tok::Ident(&self.src[self.i..j]), j - self.i)
                }
                _ => {
                    let other = self.src[self.i..].chars().next().expect("a byte is left, so a character is");
                    self.error = Some(ExprError::at(
                        line,
                        col,
                        format!("unexpected character '{other}'"),
                        "a number, a name, an operator (+ - * / ^), a parenthesis, '=' or ';'",
                    ));
                    return token(Tok::Bad);
                }
            };
            // every token is ASCII: its length in bytes is its width in characters
            self.i += len;
            self.col += len;
            return token(tok);
        }
    }

    /// A number literal at the current place: digits and dots, then an optional exponent.
    fn number(&self) -> Result<(Tok<'a>, usize), ExprError> {
        let bytes = self.src.as_bytes();
        let mut i = self.i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
            let mut j = i + 1;
            if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
                j += 1;
            }
            if j < bytes.len() && bytes[j].is_ascii_digit() {
                i = j;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
            }
        }
        let text = &self.src[self.i..i];
        let value: f64 = text.parse().map_err(|_| {
            ExprError::at(self.line, self.col, format!("'{text}' is not a number"), "a number like 2, -0.5 or 1e-3")
        })?;
        if !value.is_finite() {
            return Err(ExprError::at(
                self.line,
                self.col,
                format!("'{text}' is too large for a 64-bit float (the largest is about 1.8e308)"),
                "use a smaller number",
            ));
        }
        Ok((Tok::Num(value), i - self.i))
    }
}

/// The index of the next `\n` at or after `from`, or the end.
fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    bytes[from..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |k| from + k)
}

/// An upper bound on the nodes a program can make, and on its statements, from one pass over its bytes: every node
/// comes from a distinct operator character, a `(` (a call), or the first character of a number literal (a constant
/// or a leaf); every statement ends at a newline, a `;` or the end. Comments only make the bound looser. O(source),
/// branch-free (a table lookup a byte).
pub fn bounds(src: &str) -> (usize, usize) {
    // per byte: bit 0 an operator or '(' (a node), bit 1 a digit or '.' (a node if it starts a number), bit 2 a
    // character that continues a name or a number (so a digit after it starts nothing), bit 3 a separator
    const CLASS: [u8; 256] = {
        let mut t = [0u8; 256];
        let ops = b"+-*/^(";
        let mut k = 0;
        while k < ops.len() {
            t[ops[k] as usize] = 1;
            k += 1;
        }
        let mut b = 0;
        while b < 256 {
            let c = b as u8;
            if c.is_ascii_digit() || c == b'.' {
                t[b] |= 2 | 4;
            }
            if c.is_ascii_alphabetic() || c == b'_' {
                t[b] |= 4;
            }
            b += 1;
        }
        t[b'\n' as usize] = 8;
        t[b';' as usize] = 8;
        t
    };
    let (mut nodes, mut statements, mut prev) = (0usize, 1usize, 0u8);
    for &b in src.as_bytes() {
        let c = CLASS[b as usize];
        nodes += (c & 1) as usize + ((c >> 1) & !(prev >> 2) & 1) as usize;
        statements += (c >> 3) as usize;
        prev = c;
    }
    (nodes, statements)
}

/// Every token of `src` up to and including [`Tok::Eof`], or the first lexical error.
#[cfg(test)]
pub fn lex(src: &str) -> Result<Vec<Token<'_>>, ExprError> {
    let mut lexer = Lexer::new(src);
    let mut out = Vec::new();
    loop {
        let t = lexer.next_token();
        match t.tok {
            Tok::Bad => return Err(lexer.error.expect("Bad comes with an error")),
            Tok::Eof => {
                out.push(t);
                return Ok(out);
            }
            _ => out.push(t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_with_positions() {
        let t = lex("c += 2**x;\nd=1e-3").unwrap();
        let kinds: Vec<Tok> = t.iter().map(|t| t.tok).collect();
        assert_eq!(
            kinds,
            vec![
                Tok::Ident("c"),
                Tok::Assign(Some('+')),
                Tok::Num(2.0),
                Tok::Caret,
                Tok::Ident("x"),
                Tok::Sep,
                Tok::Sep,
                Tok::Ident("d"),
                Tok::Assign(None),
                Tok::Num(1e-3),
                Tok::Eof
            ]
        );
        assert_eq!((t[4].line, t[4].col), (1, 9));
        assert_eq!((t[7].line, t[7].col), (2, 1));
    }

    #[test]
    fn dotted_names_are_one_identifier() {
        let t = lex("l1.n0.w0 = x.5 * .5").unwrap();
        let kinds: Vec<Tok> = t.iter().map(|t| t.tok).collect();
        assert_eq!(
            kinds,
            vec![Tok::Ident("l1.n0.w0"), Tok::Assign(None), Tok::Ident("x.5"), Tok::Star, Tok::Num(0.5), Tok::Eof]
        );
        assert!(lex("a. = 1").is_err(), "a trailing dot is not part of a name");
    }

    #[test]
    fn overflowing_literal_is_refused() {
        let e = lex("x = 1e400").unwrap_err();
        assert_eq!((e.line, e.column), (1, 5));
    }

    #[test]
    fn bad_character_is_positioned() {
        let e = lex("x = 2 $ 3").unwrap_err();
        assert_eq!((e.line, e.column), (1, 7));
        // columns count characters, not bytes: 'é' is two bytes in a comment, and one column before the '$'
        let e = lex("# é\nx = 'é' $").unwrap_err();
        assert_eq!((e.line, e.column, e.message.as_str()), (2, 5, "unexpected character '''"));
        let e = lex("x = é").unwrap_err();
        assert_eq!((e.column, e.message.as_str()), (5, "unexpected character 'é'"));
    }

    #[test]
    fn the_end_repeats_and_an_error_sticks() {
        let mut l = Lexer::new("x $ y");
        assert_eq!(l.next_token().tok, Tok::Ident("x"));
        assert_eq!(l.next_token().tok, Tok::Bad);
        assert_eq!(l.next_token().tok, Tok::Bad, "no token after an error");
        assert_eq!(l.error.as_ref().map(|e| e.column), Some(3));
        let mut l = Lexer::new("x");
        l.next_token();
        assert_eq!((l.next_token().tok, l.next_token().tok), (Tok::Eof, Tok::Eof));
        assert!(Lexer::new("a = 1; b = 2 # fine").finish().is_none());
        assert_eq!(Lexer::new("a = 1; b = 2 ?").finish().map(|e| e.column), Some(14));
    }

    #[test]
    fn bounds_hold_for_every_kind_of_node() {
        // leaves x, y (-0.5 folded into it), w12 (from --at); constants 2, 1e-3; *, tanh, -, *, + — 10 nodes; the
        // bound counts 12 characters (1e-3 counts three: '1', '-' and '3'); the caller adds one per --at
        let src = "x = 1.5\ny = -0.5; f = tanh(x * 2) - 1e-3 + w12 * y";
        let (nodes, statements) = bounds(src);
        let p = crate::expr::compile(src, &[("w12".into(), 1.0)]).unwrap();
        assert_eq!((p.graph.len(), nodes), (10, 12));
        assert_eq!(statements, 3);
        // digits inside a name are no number
        assert_eq!(bounds("w12 = a1.b2"), (0, 1));
    }

    /// The first lexer (a `Vec<char>` of the text, a token vector), kept as the reference the stream must match.
    fn reference_lex(src: &str) -> Result<Vec<(String, usize, usize)>, ExprError> {
        let chars: Vec<char> = src.chars().collect();
        let mut out = Vec::new();
        let (mut i, mut line, mut col) = (0usize, 1usize, 1usize);
        while i < chars.len() {
            let c = chars[i];
            let start = (line, col);
            let push = |out: &mut Vec<(String, usize, usize)>, tok: Tok| out.push((tok.describe(), start.0, start.1));
            match c {
                '\n' => {
                    push(&mut out, Tok::Sep);
                    i += 1;
                    line += 1;
                    col = 1;
                    continue;
                }
                ' ' | '\t' | '\r' => {}
                '#' => {
                    while i < chars.len() && chars[i] != '\n' {
                        i += 1;
                    }
                    continue;
                }
                ';' => push(&mut out, Tok::Sep),
                '(' => push(&mut out, Tok::LParen),
                ')' => push(&mut out, Tok::RParen),
                ',' => push(&mut out, Tok::Comma),
                '^' => push(&mut out, Tok::Caret),
                '+' | '-' | '*' | '/' | '=' => {
                    let next = chars.get(i + 1).copied();
                    if c == '*' && next == Some('*') {
                        push(&mut out, Tok::Caret);
                        i += 2;
                        col += 2;
                        continue;
                    }
                    if c != '=' && next == Some('=') {
                        push(&mut out, Tok::Assign(Some(c)));
                        i += 2;
                        col += 2;
                        continue;
                    }
                    let tok = match c {
                        '+' => Tok::Plus,
                        '-' => Tok::Minus,
                        '*' => Tok::Star,
                        '/' => Tok::Slash,
                        _ => Tok::Assign(None),
                    };
                    push(&mut out, tok);
                }
                c if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) => {
                    let (value, end) = reference_number(&chars, i, line, col)?;
                    push(&mut out, Tok::Num(value));
                    col += end - i;
                    i = end;
                    continue;
                }
                c if c.is_ascii_alphabetic() || c == '_' => {
                    let end = reference_name_end(&chars, i);
                    let name: String = chars[i..end].iter().collect();
                    push(&mut out, Tok::Ident(&name));
                    col += end - i;
                    i = end;
                    continue;
                }
                other => {
                    return Err(ExprError::at(
                        line,
                        col,
                        format!("unexpected character '{other}'"),
                        "a number, a name, an operator (+ - * / ^), a parenthesis, '=' or ';'",
                    ));
                }
            }
            i += 1;
            col += 1;
        }
        out.push((Tok::Eof.describe(), line, col));
        Ok(out)
    }

    /// The reference lexer's number starting at `begin` (digits and dots, an exponent if digits follow it): its value
    /// and where it ends.
    fn reference_number(chars: &[char], begin: usize, line: usize, col: usize) -> Result<(f64, usize), ExprError> {
        let mut i = begin;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
            i += 1;
        }
        if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
            let mut j = i + 1;
            if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                j += 1;
            }
            if j < chars.len() && chars[j].is_ascii_digit() {
                i = j;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
        }
        let text: String = chars[begin..i].iter().collect();
        let value: f64 = text.parse().map_err(|_| {
            ExprError::at(line, col, format!("'{text}' is not a number"), "a number like 2, -0.5 or 1e-3")
        })?;
        if !value.is_finite() {
            return Err(ExprError::at(
                line,
                col,
                format!("'{text}' is too large for a 64-bit float (the largest is about 1.8e308)"),
                "use a smaller number",
            ));
        }
        Ok((value, i))
    }

    /// Where the reference lexer's name starting at `begin` ends. A dot inside a name joins its parts (`l1.n0.w0`):
    /// the backprop view folds the nodes of `l1.n0.*` into one box, nested in `l1`.
    fn reference_name_end(chars: &[char], begin: usize) -> usize {
        let mut i = begin;
        while i < chars.len()
            && (chars[i].is_ascii_alphanumeric()
                || chars[i] == '_'
                || (chars[i] == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_alphanumeric() || *d == '_')))
        {
            i += 1;
        }
        i
    }

    /// Random expressions over `a`, `b`, `c` and literals: every operator, unary minus, calls and parentheses.
    fn expression() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let leaf = prop_oneof!["[abc]", "[0-9]{1,2}", Just(".5".to_owned()), Just("1e-2".to_owned())];
        leaf.prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                (inner.clone(), "[-+*/^]|\\*\\*", inner.clone()).prop_map(|(a, o, b)| format!("{a} {o} {b}")),
                inner.clone().prop_map(|a| format!("-{a}")),
                inner.clone().prop_map(|a| format!("tanh({a})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("max({a}, {b})")),
                inner.prop_map(|a| format!("({a})")),
            ]
        })
    }

    fn stream(src: &str) -> Result<Vec<(String, usize, usize)>, ExprError> {
        lex(src).map(|v| v.iter().map(|t| (t.tok.describe(), t.line, t.col)).collect())
    }

    proptest::proptest! {
        #[test]
        fn the_stream_gives_the_first_lexers_tokens_positions_and_errors(
            text in "[a-z0-9_.+\\-*/^=(),;# \t\r\n$é€eE]{0,120}"
        ) {
            proptest::prop_assert_eq!(stream(&text), reference_lex(&text));
        }

        #[test]
        fn the_bounds_hold_for_every_program(
            statements in proptest::collection::vec((0..3usize, 0..4usize, expression()), 1..12)
        ) {
            // `c` comes from --at, so the program must read it
            let mut text = String::from("a = 1.5\nb = -2\nd = c");
            for (target, op, e) in &statements {
                let op = if *target == 2 { "" } else { ["", "+", "-", "*"][*op] };
                text.push_str(&format!("\n{} {op}= {e}", ["a", "b", "d"][*target]));
            }
            let p = crate::expr::compile(&text, &[("c".into(), 0.5)]);
            proptest::prop_assert!(p.is_ok(), "{text}");
            let p = p.expect("asserted");
            let (nodes, lines) = bounds(&text);
            proptest::prop_assert!(p.graph.len() <= nodes + 1, "{} nodes, bound {nodes}:\n{text}", p.graph.len());
            proptest::prop_assert_eq!(lines, statements.len() + 3);
        }
    }
}
