//! The lexer: source text to tokens, each with its line and column (1-based, counted in characters).

use super::error::ExprError;

/// A token's kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A number literal.
    Num(f64),
    /// A name.
    Ident(String),
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
}

impl Tok {
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
        }
    }
}

/// A token and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// The kind.
    pub tok: Tok,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
}

/// Splits source text into tokens, ending with [`Tok::Eof`]. `#` starts a comment to the end of the line.
pub fn lex(src: &str) -> Result<Vec<Token>, ExprError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1usize, 1usize);
    while i < chars.len() {
        let c = chars[i];
        let start = (line, col);
        let push = |out: &mut Vec<Token>, tok: Tok| out.push(Token { tok, line: start.0, col: start.1 });
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
                let begin = i;
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
                push(&mut out, Tok::Num(value));
                col += i - begin;
                continue;
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let begin = i;
                // A dot inside a name joins its parts (`l1.n0.w0`): the backprop view folds the nodes of `l1.n0.*`
                // into one box, nested in `l1`.
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric()
                        || chars[i] == '_'
                        || (chars[i] == '.'
                            && chars.get(i + 1).is_some_and(|d| d.is_ascii_alphanumeric() || *d == '_')))
                {
                    i += 1;
                }
                push(&mut out, Tok::Ident(chars[begin..i].iter().collect()));
                col += i - begin;
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
    out.push(Token { tok: Tok::Eof, line, col });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_with_positions() {
        let t = lex("c += 2**x;\nd=1e-3").unwrap();
        let kinds: Vec<Tok> = t.iter().map(|t| t.tok.clone()).collect();
        assert_eq!(
            kinds,
            vec![
                Tok::Ident("c".into()),
                Tok::Assign(Some('+')),
                Tok::Num(2.0),
                Tok::Caret,
                Tok::Ident("x".into()),
                Tok::Sep,
                Tok::Sep,
                Tok::Ident("d".into()),
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
        let kinds: Vec<Tok> = t.iter().map(|t| t.tok.clone()).collect();
        assert_eq!(
            kinds,
            vec![
                Tok::Ident("l1.n0.w0".into()),
                Tok::Assign(None),
                Tok::Ident("x.5".into()),
                Tok::Star,
                Tok::Num(0.5),
                Tok::Eof
            ]
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
    }
}
