//! Printing: tables for people, JSON for machines.

use std::io::Write;

use comfy_table::{presets, ContentArrangement, Table};
use serde::Serialize;

/// Prints `value` as pretty JSON followed by a newline.
pub fn json(out: &mut dyn Write, value: &impl Serialize) -> anyhow::Result<()> {
    // Serialise first, then write: a closed pipe then surfaces as the io error it is.
    let text = serde_json::to_string_pretty(value)?;
    out.write_all(text.as_bytes())?;
    writeln!(out)?;
    Ok(())
}

/// Prints a table with a header row.
pub fn table(out: &mut dyn Write, header: &[&str], rows: Vec<Vec<String>>) -> anyhow::Result<()> {
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
