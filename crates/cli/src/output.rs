//! Printing: tables for people, JSON for machines.

use std::io::{IsTerminal, Write};

use comfy_table::{presets, ContentArrangement, Table};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

/// [`table`], or `none` on a line of its own when there are no rows: an empty bordered
/// table reads as a drawing error, not as an answer.
pub fn listing(
    out: &mut dyn Write,
    header: &[&str],
    rows: Vec<Vec<String>>,
    none: &str,
) -> anyhow::Result<()> {
    if rows.is_empty() {
        writeln!(out, "{none}")?;
        return Ok(());
    }
    table(out, header, rows)
}

/// `1 coding`, `2 codings`: a number and its noun, singular or plural.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Prints `value` as pretty JSON followed by a newline.
pub fn json(out: &mut dyn Write, value: &impl Serialize) -> anyhow::Result<()> {
    // Serialise first, then write: a closed pipe then surfaces as the io error it is.
    let text = serde_json::to_string_pretty(value)?;
    out.write_all(text.as_bytes())?;
    writeln!(out)?;
    Ok(())
}

/// Prints a table with a header row. On a terminal, comfy-table fits it to the terminal's
/// width, wrapping long cells; into a pipe or a file, where there is no width to fit, the
/// same drawing is written straight by [`unwrapped`], which costs a fraction of comfy-table's
/// time on a listing of a hundred thousand quotes.
pub fn table(out: &mut dyn Write, header: &[&str], rows: Vec<Vec<String>>) -> anyhow::Result<()> {
    if !std::io::stdout().is_terminal() {
        if let Some(widths) = unwrapped_widths(header, &rows) {
            return Ok(unwrapped(out, header, &rows, &widths)?);
        }
    }
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    for r in rows {
        t.add_row(r);
    }
    writeln!(out, "{t}")?;
    Ok(())
}

/// The widths of the columns of [`unwrapped`]: as many columns as the longest row (header
/// included), each as wide as its widest line in terminal columns and at least one. `None`
/// where a line comes near what comfy-table measures (65,535 columns, padding included),
/// past which it wraps: such a table is left to comfy-table.
fn unwrapped_widths(header: &[&str], rows: &[Vec<String>]) -> Option<Vec<usize>> {
    let n = rows.iter().map(Vec::len).fold(header.len(), usize::max);
    let mut widths = vec![1usize; n];
    let lines = |c: &str| c.split('\n').map(str::width).max().unwrap_or(0);
    for (w, h) in widths.iter_mut().zip(header) {
        *w = (*w).max(lines(h));
    }
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(lines(c));
        }
    }
    widths.iter().all(|&w| w <= 60_000).then_some(widths)
}

/// A table drawn as comfy-table draws it with its `UTF8_FULL_CONDENSED` preset and no width
/// to fit, given its columns' widths ([`unwrapped_widths`]): a cell's lines at its line
/// breaks, one space of padding on each side.
fn unwrapped(
    out: &mut dyn Write,
    header: &[&str],
    rows: &[Vec<String>],
    widths: &[usize],
) -> std::io::Result<()> {
    let rule = |out: &mut dyn Write, left: &str, line: &str, mid: &str, right: &str| {
        let parts: Vec<String> = widths.iter().map(|w| line.repeat(w + 2)).collect();
        writeln!(out, "{left}{}{right}", parts.join(mid))
    };
    rule(out, "┌", "─", "┬", "┐")?;
    table_row(out, widths, |c| header.get(c).copied().unwrap_or(""))?;
    rule(out, "╞", "═", "╪", "╡")?;
    for row in rows {
        table_row(out, widths, |c| cell(row, c))?;
    }
    rule(out, "└", "─", "┴", "┘")
}

/// The cell of column `c` of a row, empty where the row is short.
fn cell(row: &[String], c: usize) -> &str {
    row.get(c).map_or("", String::as_str)
}

/// One row of [`unwrapped`], the cell of column `c` being `cell(c)`.
fn table_row<'a>(
    out: &mut dyn Write,
    widths: &[usize],
    cell: impl Fn(usize) -> &'a str,
) -> std::io::Result<()> {
    let height = (0..widths.len())
        .map(|c| cell(c).matches('\n').count() + 1)
        .max()
        .unwrap_or(1);
    for l in 0..height {
        out.write_all("│".as_bytes())?;
        for (c, w) in widths.iter().enumerate() {
            let text = cell(c).split('\n').nth(l).unwrap_or("");
            if c > 0 {
                out.write_all("┆".as_bytes())?;
            }
            write!(out, " {text}{} ", " ".repeat(w - text.width()))?;
        }
        out.write_all("│\n".as_bytes())?;
    }
    Ok(())
}

/// Writes "key: value" lines.
pub fn pairs(out: &mut dyn Write, pairs: &[(&str, String)]) -> anyhow::Result<()> {
    let width = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in pairs {
        writeln!(out, "{k:width$}  {v}")?;
    }
    Ok(())
}

/// A JSON array written one element at a time.
pub struct JsonArray<'a> {
    out: &'a mut dyn Write,
    first: bool,
    /// The first write error, kept so the store's callback can stop and the caller can see
    /// why (a closed pipe is not an error of the store).
    error: Option<std::io::Error>,
}

impl<'a> JsonArray<'a> {
    /// Starts the array. Nothing is written before the first element (or the end), so a
    /// producer that fails at once leaves stdout empty.
    pub fn new(out: &'a mut dyn Write) -> Self {
        Self {
            out,
            first: true,
            error: None,
        }
    }

    /// Writes one element; a write error stops the stream.
    pub fn push(&mut self, value: &impl Serialize) -> Result<(), samskap_store::StoreError> {
        if self.error.is_none() {
            let sep: &[u8] = if self.first { b"[\n  " } else { b",\n  " };
            self.first = false;
            let written = self.out.write_all(sep).and_then(|()| {
                serde_json::to_writer(&mut *self.out, value).map_err(std::io::Error::other)
            });
            self.error = written.err();
        }
        match &self.error {
            None => Ok(()),
            Some(_) => Err(samskap_store::StoreError::Invalid("output closed".into())),
        }
    }

    /// Ends the array after the producer's `result`: the write error that stopped the
    /// stream comes first (so a closed pipe is seen as one), then the producer's own error.
    pub fn finish<T>(self, result: Result<T, samskap_store::StoreError>) -> anyhow::Result<T> {
        if let Some(e) = self.error {
            return Err(e.into());
        }
        let value = result?;
        self.out
            .write_all(if self.first { b"[]\n" } else { b"\n]\n" })?;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table comfy-table draws with no width to fit.
    fn comfy(header: &[&str], rows: &[Vec<String>]) -> String {
        let mut t = Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .force_no_tty()
            .set_header(header.iter().copied());
        for r in rows {
            t.add_row(r.clone());
        }
        format!("{t}\n")
    }

    fn ours(header: &[&str], rows: &[Vec<String>]) -> String {
        let mut out = Vec::new();
        let widths = unwrapped_widths(header, rows).unwrap();
        unwrapped(&mut out, header, rows, &widths).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn unwrapped_tables_are_comfy_tables_byte_for_byte() {
        let cells = [
            "",
            "I1",
            "structure/infrastructure",
            "Vi har for lite tid til dette arbeidet.",
            "æøå ÆØÅ",
            "a\u{30a}se",
            "日本語の引用",
            "two\nlines",
            "three\n\nlines, the middle empty",
            "trailing space ",
            "–",
        ];
        let header = ["code", "qualifiers", "informant"];
        let mut rows: Vec<Vec<String>> = Vec::new();
        for (i, a) in cells.iter().enumerate() {
            for b in cells.iter().skip(i % 3).step_by(4) {
                rows.push(vec![
                    a.to_string(),
                    b.to_string(),
                    cells[(i * 7) % cells.len()].into(),
                ]);
            }
        }
        assert!(rows.len() > 20);
        assert_eq!(ours(&header, &rows), comfy(&header, &rows));
        // A table with no rows, and a header that is the widest line.
        assert_eq!(ours(&header, &[]), comfy(&header, &[]));
        let wide = ["a header wider than every cell", "x"];
        let short = vec![vec!["1".to_owned(), "2\n3".to_owned()]];
        assert_eq!(ours(&wide, &short), comfy(&wide, &short));
        // Empty columns are one wide; a row longer than the header adds columns.
        let empty = vec![vec![String::new(), String::new()]];
        assert_eq!(ours(&["", ""], &empty), comfy(&["", ""], &empty));
        let long = vec![vec!["1".to_owned(), "2".to_owned(), "three".to_owned()]];
        assert_eq!(ours(&["a"], &long), comfy(&["a"], &long));
        // Wider than comfy-table measures: left to comfy-table, which wraps it.
        let huge = vec![vec!["w".repeat(70_000)]];
        assert_eq!(unwrapped_widths(&["a"], &huge), None);
        let fits = vec![vec!["w".repeat(10_000)]];
        assert_eq!(ours(&["a"], &fits), comfy(&["a"], &fits));
    }
}
