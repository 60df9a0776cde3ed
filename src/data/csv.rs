//! Loading a dataset from CSV: numeric features, the label in the last column.
//!
//! ```text
//! p0,p1,...,p63,digit      ← optional header: a first row whose feature cells are not all numbers
//! 0,0,5,...,0,0            ← one example per line: d numbers, then its label
//! ```
//!
//! Labels: if they are exactly the integers 0..K−1 they are the class indices (class names `0`..`K−1`); otherwise
//! the distinct label texts are sorted (as numbers if all are numbers, so `-1` < `+1` < `10`; else as text) and
//! numbered in that order, keeping the texts as class names (`cat`, `dog` → 0, 1). A label column of numbers of which
//! at least one is not a whole number (`0.25`, `-1.5e-3`) is a regression target instead: the rows keep their values
//! ([`Dataset::targets`]) and train with mse on one output, as the Playground's regression sets.
//!
//! The reader is written here rather than taken from the `csv` crate because every message must say the exact line:
//! csv 1.4 skips blank lines without counting them, so a record after a blank line is reported a line too early. It
//! reads RFC 4180 CSV: fields split by commas, CRLF or LF line ends, fields in double quotes may hold commas, line
//! breaks and `""` for a quote; spaces around a field are trimmed (inside quotes too). Blank lines are skipped anywhere.
//!
//! A message gives the 1-based line (the header counts) and the 1-based column, meaning the field's number, which is
//! what a learner can find in a spreadsheet; a quoted field spanning lines is reported at the line its record starts.
//! Refused: an empty file or one with only a header, a single column, a row with another number of cells than the
//! first, a feature cell that is empty, not a number, NaN or infinite, an empty label, and a quote left open.
//! O(size of the text).

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use super::{DataError, Dataset};

/// Reads and parses a CSV file; see the module doc for the format. Errors name the file.
pub fn load_csv(path: &Path) -> Result<Dataset, DataError> {
    let bytes = std::fs::read(path).map_err(|source| DataError::Io { path: path.to_owned(), source })?;
    parse_csv_bytes(bytes, &path.display().to_string())
}

/// The largest CSV file the window opens (its text is kept in the playground's setup and session).
pub const MAX_CSV_BYTES: u64 = 1 << 20;

/// [`load_csv`] for a file from elsewhere: a file over `max_bytes` is refused before its text is read (and never
/// more than `max_bytes + 1` bytes are read, should it grow meanwhile). Returns the text with the data.
pub fn load_csv_limited(path: &Path, max_bytes: u64) -> Result<(String, Dataset), DataError> {
    use std::io::Read;
    let io = |source| DataError::Io { path: path.to_owned(), source };
    let too_big = |len: u64| DataError::TooLarge { path: path.to_owned(), bytes: len, max: max_bytes };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len > max_bytes {
        return Err(too_big(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(max_bytes + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_big(bytes.len() as u64));
    }
    let origin = path.display().to_string();
    let text = text_of(bytes, &origin)?;
    let data = parse_csv(&text, &origin)?;
    Ok((text, data))
}

fn parse_csv_bytes(bytes: Vec<u8>, origin: &str) -> Result<Dataset, DataError> {
    parse_csv(&text_of(bytes, origin)?, origin)
}

/// The bytes as UTF-8 text, or an error at the line and column of the first byte that is not.
fn text_of(bytes: Vec<u8>, origin: &str) -> Result<String, DataError> {
    String::from_utf8(bytes).map_err(|e| {
        let before = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        DataError::Csv {
            origin: origin.to_owned(),
            line: 1 + before.iter().filter(|&&b| b == b'\n').count(),
            column: 1 + before[line_start..].iter().filter(|&&b| b == b',').count(),
            message: "this is not UTF-8 text; save the table as 'CSV UTF-8' (or plain ASCII numbers)".into(),
        }
    })
}

/// Parses CSV text; `origin` names it in errors (a file name, or e.g. `pasted text`).
///
/// ```
/// use chainrule::data::parse_csv;
///
/// let data = parse_csv("x,y,class\n0.5,1,dog\n2,-1,cat\n", "example").unwrap();
/// assert_eq!((data.n(), data.d, data.row(1)), (2, 2, &[2.0, -1.0][..]));
/// assert_eq!((data.y, data.class_names), (vec![1, 0], vec!["cat".to_owned(), "dog".to_owned()]));
///
/// let e = parse_csv("x,y,class\n0.5,one,dog\n", "example").unwrap_err();
/// assert_eq!(e.to_string(), "example, line 2, column 2: 'one' is not a number");
/// ```
pub fn parse_csv(text: &str, origin: &str) -> Result<Dataset, DataError> {
    let err = |line: usize, column: usize, message: String| DataError::Csv {
        origin: origin.to_owned(),
        line,
        column,
        message,
    };
    // A spreadsheet's UTF-8 export may start with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Records { rest: text, line: 1 };
    let mut next_row = || -> Result<Option<Record<'_>>, DataError> {
        loop {
            match records.next() {
                None => return Ok(None),
                Some(Err((line, column, message))) => return Err(err(line, column, message)),
                // A blank line (or one of spaces) is one empty field.
                Some(Ok(r)) if r.fields.len() == 1 && r.fields[0].is_empty() => continue,
                Some(Ok(r)) => return Ok(Some(r)),
            }
        }
    };

    let Some(first) = next_row()? else {
        return Err(err(
            1,
            1,
            "the file is empty; a dataset CSV has one example per line: its features, then its label".into(),
        ));
    };
    let (first_line, width) = (first.line, first.fields.len());
    if width < 2 {
        return Err(err(
            first_line,
            1,
            "only one column; the last column is the label, so at least one feature column must come before it".into(),
        ));
    }
    let d = width - 1;
    let header = first.fields[..d].iter().any(|cell| cell.parse::<f64>().is_err());
    let feature_names = feature_names(header.then_some(&first.fields[..d]), d);

    let mut x = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    let mut pending = if header { None } else { Some(first) };
    loop {
        let record = match pending.take() {
            Some(r) => r,
            None => match next_row()? {
                Some(r) => r,
                None => break,
            },
        };
        let (line, fields) = (record.line, record.fields);
        if fields.len() != width {
            let header_note = if header { " (the header has that many)" } else { "" };
            return Err(err(
                line,
                fields.len().min(width) + 1,
                format!(
                    "expected {width} columns like line {first_line}{header_note}, found {}; every row needs its {d} \
                     features and a label",
                    fields.len()
                ),
            ));
        }
        for (j, cell) in fields[..d].iter().enumerate() {
            x.push(feature_value(cell).map_err(|message| err(line, j + 1, message))?);
        }
        if fields[d].is_empty() {
            return Err(err(line, width, "missing label: the last column holds each row's class".into()));
        }
        labels.push(fields[d].to_string());
    }
    if labels.is_empty() {
        return Err(err(first_line + 1, 1, "the file has a header but no data rows".into()));
    }
    let (y, class_names, targets) = match real_targets(&labels) {
        Some(targets) => (vec![0; labels.len()], vec!["value".to_owned()], targets),
        None => {
            let (y, class_names) = classes(&labels);
            (y, class_names, Vec::new())
        }
    };
    Ok(Dataset { x, y, d, feature_names, class_names, targets })
}

/// The features' names: the header's cells (an empty one `fN`), or `f0`, `f1`, ... without a header.
fn feature_names(header: Option<&[Cow<'_, str>]>, d: usize) -> Vec<String> {
    match header {
        Some(cells) => {
            cells.iter().enumerate().map(|(j, c)| if c.is_empty() { format!("f{j}") } else { c.to_string() }).collect()
        }
        None => (0..d).map(|j| format!("f{j}")).collect(),
    }
}

/// A feature's cell as a finite number, or why not.
fn feature_value(cell: &str) -> Result<f64, String> {
    if cell.is_empty() {
        return Err("missing value: the cell is empty".to_owned());
    }
    match cell.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("'{cell}' is not a finite number; NaN and infinity cannot be learned from")),
        Err(_) => Err(format!("'{cell}' is not a number")),
    }
}

/// One CSV record: the line it starts on and its fields, trimmed, unquoted.
struct Record<'a> {
    line: usize,
    fields: Vec<Cow<'a, str>>,
}

/// The records of a CSV text, in order. A malformed record is `Err((line, column, message))`.
struct Records<'a> {
    /// The text not yet read.
    rest: &'a str,
    /// The line `rest` starts on.
    line: usize,
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, (usize, usize, String)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let line = self.line;
        let mut fields = Vec::new();
        loop {
            let column = fields.len() + 1;
            let s = self.rest.trim_start_matches([' ', '\t']);
            let (field, after) = if let Some(quoted) = s.strip_prefix('"') {
                // Up to the quote that is not doubled.
                let mut end = None;
                let mut i = 0;
                let bytes = quoted.as_bytes();
                while i < bytes.len() {
                    if bytes[i] == b'"' {
                        if bytes.get(i + 1) == Some(&b'"') {
                            i += 2;
                            continue;
                        }
                        end = Some(i);
                        break;
                    }
                    i += 1;
                }
                let Some(end) = end else {
                    self.rest = "";
                    return Some(Err((line, column, "a quote opens this cell but is never closed".into())));
                };
                let inner = &quoted[..end];
                self.line += inner.matches('\n').count();
                let field = if inner.contains("\"\"") {
                    Cow::Owned(inner.replace("\"\"", "\"").trim().to_owned())
                } else {
                    Cow::Borrowed(inner.trim())
                };
                let after = quoted[end + 1..].trim_start_matches([' ', '\t']);
                if !(after.is_empty() || after.starts_with([',', '\n', '\r'])) {
                    self.rest = "";
                    return Some(Err((
                        line,
                        column,
                        "text after the closing quote; a quoted cell ends at its quote (write \"\" for a quote inside)"
                            .into(),
                    )));
                }
                (field, after)
            } else {
                let end = s.find([',', '\n']).unwrap_or(s.len());
                (Cow::Borrowed(s[..end].trim()), &s[end..])
            };
            fields.push(field);
            if let Some(next) = after.strip_prefix(',') {
                self.rest = next;
                continue;
            }
            // A line end (LF, CRLF, or a lone CR before it was trimmed) or the end of the text.
            let after = after.strip_prefix('\r').unwrap_or(after);
            self.rest = match after.strip_prefix('\n') {
                Some(next) => {
                    self.line += 1;
                    next
                }
                None => after,
            };
            return Some(Ok(Record { line, fields }));
        }
    }
}

/// The labels as regression targets: when every one is a finite number and one at least is not a whole number.
fn real_targets(labels: &[String]) -> Option<Vec<f64>> {
    let values: Vec<f64> =
        labels.iter().map(|l| l.parse::<f64>().ok().filter(|v| v.is_finite())).collect::<Option<_>>()?;
    values.iter().any(|v| v.fract() != 0.0).then_some(values)
}

/// Class indices and names from label texts; see the module doc. O(n log n).
fn classes(labels: &[String]) -> (Vec<usize>, Vec<String>) {
    let mut distinct: Vec<&str> = labels.iter().map(String::as_str).collect();
    distinct.sort_unstable();
    distinct.dedup();
    // Plain digit strings only: `+1` parses as a usize but is a signed label, and keeps its text below.
    let as_indices: Option<Vec<usize>> = labels
        .iter()
        .map(|l| l.bytes().all(|b| b.is_ascii_digit()).then(|| l.parse::<usize>().ok()).flatten())
        .collect();
    if let Some(idx) = as_indices {
        let k = idx.iter().max().map_or(0, |m| m + 1);
        // K distinct values need K ≤ n rows; this also keeps a label like 10^12 from sizing `seen`.
        if k <= labels.len() {
            let mut seen = vec![false; k];
            idx.iter().for_each(|&i| seen[i] = true);
            if seen.iter().all(|&s| s) {
                return (idx, (0..k).map(|i| i.to_string()).collect());
            }
        }
    }
    let numbers: Option<Vec<f64>> = distinct.iter().map(|l| l.parse::<f64>().ok().filter(|v| v.is_finite())).collect();
    if let Some(values) = numbers {
        let mut order: Vec<usize> = (0..distinct.len()).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(distinct[a].cmp(distinct[b])));
        distinct = order.into_iter().map(|i| distinct[i]).collect();
    }
    let index: HashMap<&str, usize> = distinct.iter().enumerate().map(|(i, &c)| (c, i)).collect();
    let y = labels.iter().map(|l| index[l.as_str()]).collect();
    (y, distinct.into_iter().map(str::to_owned).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error's (line, column) and message.
    fn fails(text: &str) -> (usize, usize, String) {
        match parse_csv(text, "t.csv") {
            Err(DataError::Csv { line, column, message, .. }) => (line, column, message),
            other => panic!("expected a CSV error for {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn with_header() {
        let data = parse_csv("a, b ,label\n1,2,0\n3.5,-4e-1,1\n\n\n", "t.csv").unwrap();
        assert_eq!(data.feature_names, ["a", "b"]);
        assert_eq!((data.n(), data.d), (2, 2));
        assert_eq!(data.x, vec![1.0, 2.0, 3.5, -0.4]);
        assert_eq!(data.y, vec![0, 1]);
        assert_eq!(data.class_names, ["0", "1"]);
    }

    #[test]
    fn without_header() {
        let data = parse_csv("1,2,3,1\r\n4,5,6,0\r\n7,8,9,2", "t.csv").unwrap();
        assert_eq!(data.feature_names, ["f0", "f1", "f2"]);
        assert_eq!(data.row(2), &[7.0, 8.0, 9.0]);
        // Labels exactly {0, 1, 2}: used as indices.
        assert_eq!(data.y, vec![1, 0, 2]);
        assert_eq!(data.class_names, ["0", "1", "2"]);
    }

    #[test]
    fn string_labels_in_sorted_order() {
        let data = parse_csv("x,animal\n1,dog\n2,cat\n3,dog\n4,ant", "t.csv").unwrap();
        // Sorted: ant, cat, dog.
        assert_eq!(data.class_names, ["ant", "cat", "dog"]);
        assert_eq!(data.y, vec![2, 1, 2, 0]);
    }

    #[test]
    fn numeric_labels_sorted_as_numbers() {
        // -1 < +1 < 10 as numbers (as text "+1" < "-1" < "10").
        let data = parse_csv("1,+1\n2,-1\n3,10\n4,-1", "t.csv").unwrap();
        assert_eq!(data.class_names, ["-1", "+1", "10"]);
        assert_eq!(data.y, vec![1, 0, 2, 0]);
        // "+1" and "0" are not both plain indices: sorted as numbers 0 < +1, the texts kept.
        assert_eq!(parse_csv("1,+1\n2,0", "t.csv").unwrap().class_names, ["0", "+1"]);
        // {1, 2}: integers but not 0..K−1, so mapped: 1 → 0, 2 → 1, the names kept.
        let data = parse_csv("5,2\n6,1", "t.csv").unwrap();
        assert_eq!((data.y, data.class_names), (vec![1, 0], vec!["1".to_owned(), "2".to_owned()]));
    }

    #[test]
    fn quotes_bom_and_blank_lines_inside() {
        let data = parse_csv("\u{feff}\"x\",\"y\",\"class\"\n\"1\",2,\"a b\"\n   \n3,4,c\n", "t.csv").unwrap();
        assert_eq!(data.feature_names, ["x", "y"]);
        assert_eq!(data.class_names, ["a b", "c"]);
        assert_eq!(data.x, vec![1.0, 2.0, 3.0, 4.0]);
    }

    #[test]
    fn quoted_cells() {
        // A label with a comma, a doubled quote and a line break; the record after it starts on line 4.
        let data = parse_csv("x,c\n1,\"a, \"\"b\"\"\"\n2,\"two\nlines\"\n3,z\n", "t.csv").unwrap();
        assert_eq!(data.class_names, ["a, \"b\"", "two\nlines", "z"]);
        assert_eq!(fails("x,c\n1,\"two\nlines\"\n3,z,9\n").0, 4);
        // Line 2's second cell opens a quote that never closes.
        assert_eq!(fails("x,c\n1,\"oops\n2,b\n"), (2, 2, "a quote opens this cell but is never closed".into()));
        let (line, column, message) = fails("x,c\n1,\"a\"b\n");
        assert_eq!((line, column), (2, 2));
        assert!(message.contains("text after the closing quote"), "{message}");
    }

    #[test]
    fn ragged_rows() {
        // Line 3 has 2 cells of 3: the first missing is column 3.
        let (line, column, message) = fails("a,b,c\n1,2,0\n1,2\n");
        assert_eq!((line, column), (3, 3));
        assert!(message.contains("expected 3 columns like line 1 (the header has that many), found 2"), "{message}");
        // Line 2 has 4: the first extra is column 4; no header.
        let (line, column, message) = fails("1,2,0\n1,2,3,0\n");
        assert_eq!((line, column), (2, 4));
        assert!(message.contains("expected 3 columns like line 1, found 4"), "{message}");
    }

    #[test]
    fn non_numbers_with_their_text() {
        // Line 3, column 2 holds "abc".
        assert_eq!(fails("a,b,c\n1,2,0\n1,abc,1\n"), (3, 2, "'abc' is not a number".into()));
        // Blank lines still count: "1,x" would be a header, so put the bad cell on line 4.
        let (line, column, _) = fails("1,2,0\n\n\n4,5 6,1\n");
        assert_eq!((line, column), (4, 2));
        // An empty cell.
        assert_eq!(fails("1,2,0\n,2,0\n"), (2, 1, "missing value: the cell is empty".into()));
    }

    #[test]
    fn nan_and_infinity() {
        for (cell, col) in [("NaN", 1), ("inf", 2), ("-Infinity", 1), ("1e400", 2)] {
            let row = if col == 1 { format!("{cell},1,0") } else { format!("1,{cell},0") };
            let (line, column, message) = fails(&format!("a,b,c\n1,2,0\n{row}\n"));
            assert_eq!((line, column), (3, col), "{cell}");
            assert!(message.contains(&format!("'{cell}' is not a finite number")), "{message}");
        }
        // A first row of NaNs is data, not a header: refused at line 1.
        assert_eq!(fails("nan,1,0\n").0, 1);
    }

    #[test]
    fn empty_header_only_single_column_missing_label() {
        assert_eq!(fails("").0, 1);
        assert!(fails("\n\n  \n").2.contains("the file is empty"));
        assert_eq!(fails("a,b,label\n\n"), (2, 1, "the file has a header but no data rows".into()));
        let (line, column, message) = fails("label\n0\n1\n");
        assert_eq!((line, column), (1, 1));
        assert!(message.contains("only one column"), "{message}");
        // Line 3's label (column 3) is empty.
        let (line, column, message) = fails("a,b,c\n1,2,0\n1,2,\n");
        assert_eq!((line, column), (3, 3));
        assert!(message.contains("missing label"), "{message}");
    }

    #[test]
    fn a_file_too_large_is_refused_before_it_is_read() {
        let dir = std::env::temp_dir().join(format!("chainrule-csv-limit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("big.csv");
        std::fs::write(&path, "x,y,c\n1,2,a\n3,4,b\n").expect("written");
        // three lines of 6 bytes, 18 in all: refused at 17, read at 18
        let e = load_csv_limited(&path, 17).expect_err("refused").to_string();
        assert!(e.contains("18 bytes, more than the 17 read here"), "{e}");
        let (text, data) = load_csv_limited(&path, 18).expect("read");
        assert_eq!((text.len(), data.n()), (18, 2));
        std::fs::write(&path, b"x,y,c\n1,2,a\n3,\xff,b\n").expect("written");
        let e = load_csv_limited(&path, 100).expect_err("refused").to_string();
        assert!(e.contains("line 3, column 2: this is not UTF-8"), "{e}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn load_names_the_file() {
        let dir = std::env::temp_dir().join(format!("chainrule-data-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.csv");
        std::fs::write(&good, "x,y,c\n1,2,a\n3,4,b\n").unwrap();
        assert_eq!(load_csv(&good).unwrap().n(), 2);
        let bad = dir.join("bad.csv");
        std::fs::write(&bad, b"x,y,c\n1,\xff,a\n").unwrap();
        let e = load_csv(&bad).unwrap_err().to_string();
        // The 0xff byte is on line 2, in the second field.
        assert!(e.starts_with(&format!("{}, line 2, column 2: this is not UTF-8", bad.display())), "{e}");
        let missing = dir.join("missing.csv");
        let e = load_csv(&missing).unwrap_err();
        assert!(matches!(e, DataError::Io { .. }) && e.to_string().contains("missing.csv"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    proptest::proptest! {
        #[test]
        fn garbage_never_panics(text in ".{0,300}") {
            let _ = parse_csv(&text, "garbage");
        }

        #[test]
        fn csv_like_garbage_never_panics_and_ok_is_consistent(text in "[0-9a-c ,.eE+\\-\"\\n\\r]{0,300}") {
            if let Ok(data) = parse_csv(&text, "garbage") {
                proptest::prop_assert_eq!(data.x.len(), data.n() * data.d);
                proptest::prop_assert!(data.d >= 1 && data.n() >= 1);
                proptest::prop_assert!(data.y.iter().all(|&c| c < data.classes()));
                proptest::prop_assert!(data.x.iter().all(|v| v.is_finite()));
            }
        }
    }

    #[test]
    fn a_label_column_with_fractions_is_a_regression_target() {
        let data = parse_csv("x,y,height\n1,2,0.5\n3,4,-1\n5,6,2e-1\n", "t.csv").expect("parses");
        assert!(data.is_regression());
        assert_eq!(data.targets, vec![0.5, -1.0, 0.2]);
        assert_eq!((data.classes(), data.y.clone()), (1, vec![0, 0, 0]));
        // whole numbers stay classes, and a text among numbers too
        assert!(!parse_csv("x,y,c\n1,2,1\n3,4,-1\n", "t.csv").expect("parses").is_regression());
        assert!(!parse_csv("x,y,c\n1,2,0.5\n3,4,big\n", "t.csv").expect("parses").is_regression());
    }
}
