//! Reading a program argument (`text`, `-` for standard input, `@path` for a file) and `--at NAME=VALUE` lists.

use std::io::Read;

/// The program's source: the argument itself, standard input for `-`, or the named file for `@path`.
pub fn read_source(arg: &str) -> Result<String, String> {
    if arg == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read the program from standard input: {e}"))?;
        return Ok(s);
    }
    if let Some(path) = arg.strip_prefix('@') {
        return std::fs::read_to_string(path).map_err(|e| format!("cannot read the program file '{path}': {e}"));
    }
    Ok(arg.to_owned())
}

/// Parses `NAME=VALUE` items (already split at commas by clap).
pub fn parse_at(items: &[String]) -> Result<Vec<(String, f64)>, String> {
    items
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|item| {
            let (name, value) =
                item.split_once('=').ok_or_else(|| format!("--at {item}: expected NAME=VALUE, e.g. --at x=-2,y=5"))?;
            let name = name.trim();
            // as the language reads names: parts of letters, digits and _ joined by dots (`l1.n0.w0`)
            let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name
                    .split('.')
                    .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            if !valid {
                return Err(format!(
                    "--at {item}: '{name}' is not a name (letters, digits and _, not starting with a digit)"
                ));
            }
            let v: f64 =
                value.trim().parse().map_err(|_| format!("--at {item}: '{}' is not a number", value.trim()))?;
            if !v.is_finite() {
                return Err(format!("--at {item}: the value must be a finite number"));
            }
            Ok((name.to_owned(), v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_items() {
        assert_eq!(parse_at(&["x=-2".into(), "y = 5".into()]).unwrap(), vec![("x".into(), -2.0), ("y".into(), 5.0)]);
        assert!(parse_at(&["x".into()]).unwrap_err().contains("NAME=VALUE"));
        assert!(parse_at(&["1x=2".into()]).is_err());
        // dotted names, as the language has them; not a dot at either end or two in a row
        assert_eq!(parse_at(&["l1.n0.w0=0.5".into()]).unwrap(), vec![("l1.n0.w0".into(), 0.5)]);
        for bad in ["l1.=1", ".w=1", "a..b=1"] {
            assert!(parse_at(&[bad.into()]).is_err(), "{bad}");
        }
        let p = crate::expr::compile("f = l1.w * 2", &parse_at(&["l1.w=3".into()]).unwrap()).unwrap();
        assert_eq!(p.value(), 6.0);
        assert!(parse_at(&["x=abc".into()]).unwrap_err().contains("not a number"));
        assert!(parse_at(&["x=inf".into()]).is_err());
    }
}
