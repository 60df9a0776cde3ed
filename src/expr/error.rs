//! The expression language's error: where (line and column) and what, with a hint; rendered with the source line and a
//! caret under the place.

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
        Self { line, column, message: message.into(), hint: hint.into() }
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
        let text = src.lines().nth(self.line.saturating_sub(1)).unwrap_or("");
        // Tabs keep their width so the caret stays under the character.
        let lead: String =
            text.chars().take(self.column.saturating_sub(1)).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
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
}
