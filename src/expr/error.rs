//! The expression language's error: where (line and column) and what, with a hint; rendered with the source line and a
//! caret under the place. A line longer than [`WINDOW`] characters is shown as a window around the caret, its cut
//! ends marked `...`, as rustc does.

/// The most characters of a source line an error shows.
pub const WINDOW: usize = 100;

/// How many characters of a long line an error shows before the caret.
const BEFORE: usize = 40;

/// A positioned error in a program.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct ExprError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What was expected, or how to fix it (may be empty).
    pub hint: String,
}

impl ExprError {
    /// An error at a place.
    pub fn at(line: usize, column: usize, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self { line, column, message: shorten_names(&message.into()), hint: shorten_names(&hint.into()) }
    }

    /// The message with the offending source line and a caret under the column:
    ///
    /// ```text
    /// error: expected an expression after '+', found '*'
    ///  --> line 1, column 15
    ///   |
    /// 1 | x = 1; y = x +* 2
    ///   |               ^
    ///   = expected: a number, a name, '(' or '-'
    /// ```
    pub fn render(&self, src: &str) -> String {
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
        let line = src.lines().nth(self.line.saturating_sub(1)).unwrap_or("");
        let (text, caret) = window(line, self.column.saturating_sub(1));
        // Tabs keep their width so the caret stays under the character.
        let lead: String = text.chars().take(caret).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        let mut s = format!(
            "error: {}\n{pad}--> line {}, column {}\n{pad} |\n{number} | {text}\n{pad} | {lead}^\n",
            self.message, self.line, self.column
        );
        if !self.hint.is_empty() {
            s.push_str(&format!("{pad} = {}\n", self.hint));
        }
        s
    }
}

/// The longest name an error repeats whole; a longer one is shown by its first and last characters.
const LONG_NAME: usize = 40;

/// `text` with every run of name characters (letters, digits, `_`) longer than [`LONG_NAME`] cut to its first 24 and
/// last 8 characters around `...`, so that a message about a 200 000-character name stays short. O(text).
fn shorten_names(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(1024));
    let mut run: Vec<char> = Vec::new();
    let flush = |run: &mut Vec<char>, out: &mut String| {
        if run.len() > LONG_NAME {
            out.extend(&run[..24]);
            out.push_str("...");
            out.extend(&run[run.len() - 8..]);
        } else {
            out.extend(run.iter());
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// The part of `line` shown around the 0-based character `at`: the whole line up to [`WINDOW`] characters, else
/// [`WINDOW`] characters from [`BEFORE`] before `at` (fewer at the ends) with `...` where it is cut; and the caret's
/// character position in it. O(line).
fn window(line: &str, at: usize) -> (String, usize) {
    let n = line.chars().count();
    if n <= WINDOW {
        return (line.to_owned(), at);
    }
    let start = at.saturating_sub(BEFORE).min(n.saturating_sub(WINDOW));
    let end = (start + WINDOW).min(n);
    let mut text: String = line.chars().skip(start).take(end - start).collect();
    let mut caret = at - start.min(at);
    if start > 0 {
        text.insert_str(0, "...");
        caret += 3;
    }
    if end < n {
        text.push_str("...");
    }
    (text, caret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_sits_under_the_column() {
        let e = ExprError::at(2, 5, "boom", "");
        let r = e.render("a = 1\nb = *\n");
        let lines: Vec<&str> = r.lines().collect();
        assert_eq!(lines[3], "2 | b = *");
        assert_eq!(lines[4], "  |     ^");
    }

    #[test]
    fn a_long_line_shows_a_window_around_the_caret() {
        // 200 000 characters with the error at column 150 001: about 100 characters come back, caret under the '*'
        let src = format!("{}x +* 2{}", "a".repeat(150_000), " ".repeat(49_994));
        let e = ExprError::at(1, 150_004, "boom", "");
        let r = e.render(&src);
        assert!(r.len() < 400, "{} characters", r.len());
        let lines: Vec<&str> = r.lines().collect();
        assert_eq!(lines[3], format!("1 | ...{}x +* 2{}...", "a".repeat(37), " ".repeat(100 - 37 - 6)));
        let caret = lines[4].find('^').unwrap();
        assert_eq!(&lines[3][caret..caret + 1], "*", "{r}");
        // near the start: no leading dots; near the end: none trailing
        let (t, c) = window(&src, 2);
        assert!(t.starts_with("aaa") && t.ends_with("...") && c == 2);
        let (t, c) = window(&src, src.len() - 1);
        assert!(t.starts_with("...") && !t.ends_with("...") && t.chars().nth(c) == Some(' '));
        // a short line is shown whole
        assert_eq!(window("x +* 2", 3), ("x +* 2".to_owned(), 3));
        // a 200 000-character name is not repeated whole by the message or the hint
        let long = "v".repeat(200_000);
        let e = ExprError::at(1, 1, format!("'{long}' has no value"), format!("give it a value: `{long} = 1.5`"));
        assert_eq!(e.message, format!("'{}...{}' has no value", "v".repeat(24), "v".repeat(8)));
        assert!(e.hint.len() < 80 && e.hint.ends_with("vvv = 1.5`"), "{}", e.hint);
        assert!(e.render(&long).len() < 500);
        let short = ExprError::at(1, 1, "'tanhh' is not a function", "did you mean 'tanh'?");
        assert_eq!(
            (short.message.as_str(), short.hint.as_str()),
            ("'tanhh' is not a function", "did you mean 'tanh'?")
        );
    }
}
