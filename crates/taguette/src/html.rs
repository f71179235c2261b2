//! Taguette's documents are HTML that Taguette sanitised (paragraphs, headings, lists,
//! tables, emphasis, links). This module reads that HTML without recursion, as a browser's
//! parser splits it into tags and text, and gives two things per document:
//!
//! - the **text nodes**, joined: what Taguette counts its highlight positions over, in UTF-8
//!   bytes (character references decoded, tags not counted);
//! - the **transcript**: the same text laid out as plain text (paragraphs, list items,
//!   headings and table rows on lines of their own, spaces between words as a browser
//!   shows them, script and style content left out), normalised as samskap normalises
//!   every text.
//!
//! and, built once, where each boundary between two characters of the text nodes falls in
//! the transcript ([`Document::place`]).

use samskap_core::Counting;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::entities::{decode_at, Decoded};

/// Elements whose content is text up to their end tag, never markup.
fn raw_text(name: &str) -> Option<Raw> {
    Some(match name {
        // In the document, not shown: counted (they are text nodes) but left out of the
        // transcript.
        "script" | "style" => Raw::Hidden,
        "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => Raw::Shown,
        "textarea" | "title" => Raw::Escapable,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Raw {
    Hidden,
    Shown,
    Escapable,
}

/// How a block element separates its content from what is around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    /// A blank line.
    Paragraph,
    /// A line break.
    Line,
    /// A tab between cells of a row.
    Cell,
}

fn block(name: &str) -> Option<Block> {
    Some(match name {
        "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "pre" | "listing"
        | "xmp" | "plaintext" | "ul" | "ol" | "dl" | "table" | "hr" | "figure" | "address"
        | "section" | "article" | "aside" | "header" | "footer" | "nav" | "main" | "details"
        | "fieldset" | "form" | "hgroup" | "menu" | "dir" | "center" => Block::Paragraph,
        "li" | "dt" | "dd" | "tr" | "div" | "caption" | "figcaption" | "summary" | "legend"
        | "thead" | "tbody" | "tfoot" | "dialog" | "option" => Block::Line,
        "td" | "th" => Block::Cell,
        _ => return None,
    })
}

/// Elements whose text keeps its spaces and line breaks.
fn preformatted(name: &str) -> bool {
    matches!(name, "pre" | "listing" | "xmp" | "plaintext" | "textarea")
}

/// What the tokenizer hands on.
trait Sink {
    fn start(&mut self, name: &str);
    fn end(&mut self, name: &str);
    /// Text of the document (counted); `shown` is false for script and style content.
    fn text(&mut self, text: &str, shown: bool);
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b' ')
}

/// Splits `html` (line ends already LF) into tags and text as the HTML5 tokenizer does,
/// far enough to find every text node: comments, doctypes and processing instructions are
/// skipped, attributes are skipped with their quotes respected, character references in
/// text are decoded. No recursion and no tree: the cost is one pass.
fn tokenize(html: &str, sink: &mut impl Sink) {
    let b = html.as_bytes();
    let mut i = 0;
    // After <pre>, <listing> or <textarea>, a line feed right after the start tag is no
    // text (the parser drops it).
    let mut skip_lf = false;
    let mut text = String::new();
    while i < b.len() {
        match b[i] {
            b'<' => {
                let Some((tag, next)) = tag_at(html, i) else {
                    text.push('<');
                    i += 1;
                    continue;
                };
                emit(&mut text, &mut skip_lf, sink);
                i = next;
                match tag {
                    Tag::Skip => {}
                    Tag::End(name) => {
                        // `</br>` is read as `<br>`.
                        if name == "br" {
                            sink.start("br");
                        } else {
                            sink.end(&name);
                        }
                    }
                    Tag::Start(name) => {
                        sink.start(&name);
                        if name == "plaintext" {
                            let mut rest = html[i..].replace('\0', "\u{FFFD}");
                            if rest.starts_with('\n') {
                                rest.remove(0);
                            }
                            if !rest.is_empty() {
                                sink.text(&rest, true);
                            }
                            return;
                        }
                        skip_lf = matches!(name.as_str(), "pre" | "listing" | "textarea");
                        if let Some(raw) = raw_text(&name) {
                            let end = raw_end(html, i, &name);
                            let body = &html[i..end];
                            let mut content = match raw {
                                Raw::Escapable => decode_text(body, '\u{FFFD}'),
                                Raw::Hidden | Raw::Shown => body.replace('\0', "\u{FFFD}"),
                            };
                            if std::mem::take(&mut skip_lf) && content.starts_with('\n') {
                                content.remove(0);
                            }
                            if !content.is_empty() {
                                sink.text(&content, raw != Raw::Hidden);
                            }
                            i = end;
                        }
                    }
                }
            }
            b'&' => match decode_at(&html[i..]) {
                Some((d, n)) => {
                    match d {
                        Decoded::Str(s) => text.push_str(s),
                        Decoded::Char(c) => text.push(c),
                    }
                    i += n;
                }
                None => {
                    text.push('&');
                    i += 1;
                }
            },
            // The parser drops NUL in body text.
            b'\0' => i += 1,
            _ => {
                let run = b[i..]
                    .iter()
                    .position(|c| matches!(c, b'<' | b'&' | b'\0'))
                    .map_or(b.len(), |n| i + n);
                text.push_str(&html[i..run]);
                i = run;
            }
        }
    }
    emit(&mut text, &mut skip_lf, sink);
}

/// Hands on the text gathered since the last tag.
fn emit(text: &mut String, skip_lf: &mut bool, sink: &mut impl Sink) {
    let mut t = text.as_str();
    if std::mem::take(skip_lf) {
        t = t.strip_prefix('\n').unwrap_or(t);
    }
    if !t.is_empty() {
        sink.text(t, true);
    }
    text.clear();
}

/// Text with character references decoded, NUL replaced by `nul`.
fn decode_text(s: &str, nul: char) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(n) = s[i..].find(['&', '\0']) {
        out.push_str(&s[i..i + n]);
        i += n;
        if s.as_bytes()[i] == 0 {
            out.push(nul);
            i += 1;
            continue;
        }
        match decode_at(&s[i..]) {
            Some((Decoded::Str(v), len)) => {
                out.push_str(v);
                i += len;
            }
            Some((Decoded::Char(c), len)) => {
                out.push(c);
                i += len;
            }
            None => {
                out.push('&');
                i += 1;
            }
        }
    }
    out.push_str(&s[i..]);
    out
}

enum Tag {
    Start(String),
    End(String),
    /// A comment, doctype, processing instruction or `</>`: no text.
    Skip,
}

/// The tag that starts at `html[i] == '<'`, and where it ends; `None` when the `<` is
/// text. A tag cut off by the end of the document is no tag and ends the document.
fn tag_at(html: &str, i: usize) -> Option<(Tag, usize)> {
    let b = html.as_bytes();
    let at = |k: usize| b.get(k).copied();
    match at(i + 1)? {
        c if c.is_ascii_alphabetic() => {
            let (name, j) = tag_name(b, i + 1);
            Some(match skip_attributes(b, j) {
                Some(end) => (Tag::Start(name), end),
                None => (Tag::Skip, b.len()),
            })
        }
        b'/' => match at(i + 2) {
            Some(c) if c.is_ascii_alphabetic() => {
                let (name, j) = tag_name(b, i + 2);
                Some(match skip_attributes(b, j) {
                    Some(end) => (Tag::End(name), end),
                    None => (Tag::Skip, b.len()),
                })
            }
            Some(b'>') => Some((Tag::Skip, i + 3)),
            // `</` at the very end is text.
            None => None,
            Some(_) => Some((Tag::Skip, bogus_end(b, i + 2))),
        },
        b'!' => {
            if html[i..].starts_with("<!--") {
                let body = i + 4;
                // `<!-->` and `<!--->` are empty comments.
                if html[body..].starts_with('>') {
                    return Some((Tag::Skip, body + 1));
                }
                if html[body..].starts_with("->") {
                    return Some((Tag::Skip, body + 2));
                }
                let end = [
                    html[body..].find("-->").map(|n| body + n + 3),
                    html[body..].find("--!>").map(|n| body + n + 4),
                ]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(b.len());
                Some((Tag::Skip, end))
            } else {
                Some((Tag::Skip, bogus_end(b, i + 2)))
            }
        }
        b'?' => Some((Tag::Skip, bogus_end(b, i + 1))),
        _ => None,
    }
}

/// After a bogus comment's start: one past its `>`, or the end.
fn bogus_end(b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|&c| c == b'>')
        .map_or(b.len(), |n| from + n + 1)
}

/// The tag name starting at `from` (lower-cased) and the byte after it.
fn tag_name(b: &[u8], from: usize) -> (String, usize) {
    let end = b[from..]
        .iter()
        .position(|&c| is_space(c) || c == b'/' || c == b'>')
        .map_or(b.len(), |n| from + n);
    let name = String::from_utf8_lossy(&b[from..end]).to_ascii_lowercase();
    (name.replace('\0', "\u{FFFD}"), end)
}

/// Skips a tag's attributes from `j`: one past the `>` that ends the tag, or `None` when the
/// document ends first. Quotes count only around a value, after `=`, as in the tokenizer.
fn skip_attributes(b: &[u8], mut j: usize) -> Option<usize> {
    loop {
        while j < b.len() && (is_space(b[j]) || b[j] == b'/') {
            j += 1;
        }
        match b.get(j)? {
            b'>' => return Some(j + 1),
            _ => {
                // The name: its first character is taken whatever it is (even `=`).
                j += 1;
                while j < b.len() && !(is_space(b[j]) || matches!(b[j], b'/' | b'>' | b'=')) {
                    j += 1;
                }
                while j < b.len() && is_space(b[j]) {
                    j += 1;
                }
                if b.get(j) == Some(&b'=') {
                    j += 1;
                    while j < b.len() && is_space(b[j]) {
                        j += 1;
                    }
                    match b.get(j)? {
                        q @ (b'"' | b'\'') => {
                            let close = b[j + 1..].iter().position(|c| c == q)?;
                            j += close + 2;
                        }
                        b'>' => return Some(j + 1),
                        _ => {
                            while j < b.len() && !(is_space(b[j]) || b[j] == b'>') {
                                j += 1;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Where the raw text of element `name` that starts at `from` ends: at `</name` followed
/// by a space, `/` or `>` (any case), or at the end of the document.
fn raw_end(html: &str, from: usize, name: &str) -> usize {
    let b = html.as_bytes();
    let mut k = from;
    while let Some(n) = html[k..].find("</") {
        let at = k + n;
        let after = at + 2 + name.len();
        if b.len() >= after
            && b[at + 2..after].eq_ignore_ascii_case(name.as_bytes())
            && b.get(after)
                .is_none_or(|&c| is_space(c) || c == b'/' || c == b'>')
        {
            return at;
        }
        k = at + 2;
    }
    b.len()
}

/// A boundary of the text nodes: before the character at `byte`, or at the end.
#[derive(Debug, Clone, Copy)]
struct Mark {
    byte: u32,
    /// Where text beginning here begins in the transcript (spaces skipped).
    start: u32,
    /// Where text ending here ends in the transcript (spaces skipped).
    end: u32,
    /// Whether `start` or `end` moved out to a whole character of the normalised text.
    rounded: bool,
}

/// Lays the text nodes out as plain text, recording where each of their boundaries falls.
#[derive(Default)]
struct Layout {
    out: String,
    /// Characters in `out`.
    chars: u32,
    /// The text nodes joined.
    nodes: String,
    marks: Vec<Mark>,
    /// Marks whose `start` waits for the next character shown.
    waiting: usize,
    /// Line breaks wanted before the next character shown (at most 2: a blank line).
    breaks: u8,
    tab: bool,
    space: bool,
    pre: u32,
    /// Open tables and cells, to notice text a browser would move out of a table.
    tables: Vec<bool>,
    /// A cell of the current row has been seen.
    cell_in_row: bool,
    moved_text: bool,
}

impl Layout {
    fn want(&mut self, b: Block) {
        if self.chars == 0 {
            return;
        }
        match b {
            Block::Paragraph => self.breaks = 2,
            Block::Line => self.breaks = self.breaks.max(1),
            Block::Cell => {
                if self.cell_in_row && self.breaks == 0 {
                    self.tab = true;
                }
                self.cell_in_row = true;
            }
        }
    }

    fn show(&mut self, c: char) {
        if self.breaks > 0 {
            for _ in 0..self.breaks {
                self.out.push('\n');
            }
            self.chars += u32::from(self.breaks);
        } else if self.tab {
            self.out.push('\t');
            self.chars += 1;
        } else if self.space {
            self.out.push(' ');
            self.chars += 1;
        }
        (self.breaks, self.tab, self.space) = (0, false, false);
        for m in &mut self.marks[self.waiting..] {
            m.start = self.chars;
        }
        self.waiting = self.marks.len();
        self.out.push(c);
        self.chars += 1;
    }

    fn finish(mut self) -> (String, String, Vec<Mark>) {
        self.marks.push(Mark {
            byte: u32::try_from(self.nodes.len()).unwrap_or(u32::MAX),
            start: self.chars,
            end: self.chars,
            rounded: false,
        });
        for m in &mut self.marks[self.waiting..] {
            m.start = self.chars;
        }
        (self.out, self.nodes, self.marks)
    }
}

impl Sink for Layout {
    fn start(&mut self, name: &str) {
        match name {
            "br" => {
                if self.chars > 0 {
                    self.breaks = (self.breaks + 1).min(2);
                }
                return;
            }
            "table" => self.tables.push(true),
            "td" | "th" | "caption" => self.tables.push(false),
            "tr" => self.cell_in_row = false,
            _ => {}
        }
        if preformatted(name) {
            self.pre += 1;
        }
        if let Some(b) = block(name) {
            self.want(b);
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "table" => {
                while let Some(t) = self.tables.pop() {
                    if t {
                        break;
                    }
                }
            }
            "td" | "th" | "caption" if self.tables.last() == Some(&false) => {
                self.tables.pop();
            }
            _ => {}
        }
        if preformatted(name) && self.pre > 0 {
            self.pre -= 1;
        }
        if let Some(b) = block(name) {
            if b != Block::Cell {
                self.want(b);
            }
        }
    }

    fn text(&mut self, text: &str, shown: bool) {
        if shown && self.tables.last() == Some(&true) && !text.trim_ascii().is_empty() {
            self.moved_text = true;
        }
        for c in text.chars() {
            self.marks.push(Mark {
                byte: u32::try_from(self.nodes.len()).unwrap_or(u32::MAX),
                start: 0,
                end: self.chars,
                rounded: false,
            });
            self.nodes.push(c);
            if !shown {
                continue;
            }
            let space = matches!(c, ' ' | '\t' | '\n' | '\x0c' | '\r');
            if self.pre == 0 && space {
                let line_start = self.chars == 0 || self.breaks > 0 || self.out.ends_with('\n');
                if !line_start && !self.tab {
                    self.space = true;
                }
            } else if c == '\u{feff}' && self.chars == 0 {
                // A byte-order mark at the start is no text (samskap's normalisation drops it).
            } else {
                self.show(if c == '\r' { '\n' } else { c });
            }
        }
    }
}

/// A Taguette document read: its transcript and where Taguette's positions fall in it.
#[derive(Debug)]
pub struct Document {
    text: String,
    nodes: String,
    marks: Vec<Mark>,
    notes: Vec<String>,
    utf16: std::cell::OnceCell<Vec<u32>>,
}

/// Why a highlight cannot be placed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "problem")]
pub enum PlaceError {
    /// Start after end, or a negative position.
    Reversed,
    /// Start equal to end.
    Empty,
    /// Past the end of the text.
    PastEnd {
        /// The text's length in the counting's units.
        len: usize,
    },
    /// Inside a character's UTF-8 bytes.
    InsideCharacter {
        /// The position.
        at: i64,
    },
    /// Only spaces and line breaks: nothing to mark in the transcript.
    Blank,
}

impl std::fmt::Display for PlaceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlaceError::Reversed => f.write_str("its start is not before its end"),
            PlaceError::Empty => f.write_str("it is empty"),
            PlaceError::PastEnd { len } => {
                write!(f, "it ends past the end of the text (at {len})")
            }
            PlaceError::InsideCharacter { at } => {
                write!(f, "position {at} falls inside a character")
            }
            PlaceError::Blank => f.write_str("it covers only spaces and line breaks"),
        }
    }
}

/// Where a highlight falls in the transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// An end fell between a letter and its combining accent (or inside another sequence
    /// that normalisation joins), and moved out to take the whole character.
    pub rounded: bool,
}

impl Document {
    /// Reads a document's HTML.
    pub fn read(html: &str) -> Document {
        // The HTML parser reads CR LF and CR as LF before anything else.
        let html: std::borrow::Cow<'_, str> = if html.contains('\r') {
            html.replace("\r\n", "\n").replace('\r', "\n").into()
        } else {
            html.into()
        };
        let mut layout = Layout::default();
        tokenize(&html, &mut layout);
        let moved = layout.moved_text;
        let (raw, nodes, mut marks) = layout.finish();
        let text = normalise_with(&raw, &mut marks);
        let mut notes = Vec::new();
        if moved {
            notes.push(
                "it has text inside a table but outside its cells, which a browser moves before the table: highlights after it may be placed off (the snippet check says where)"
                    .to_owned(),
            );
        }
        Document {
            text,
            nodes,
            marks,
            notes,
            utf16: std::cell::OnceCell::new(),
        }
    }

    /// The transcript: plain text, normalised (see `samskap_core::normalize`).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text nodes joined: what Taguette counts positions over.
    pub fn node_text(&self) -> &str {
        &self.nodes
    }

    /// What a person should know about how the document was read.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The transcript's characters for `[start, end)` counted in `counting`'s units over the
    /// text nodes (Taguette counts UTF-8 bytes): found by binary search in the boundaries
    /// built once, spaces and line breaks at either edge left out.
    pub fn place(&self, counting: Counting, start: i64, end: i64) -> Result<Placed, PlaceError> {
        if start < 0 || start > end {
            return Err(PlaceError::Reversed);
        }
        if start == end {
            return Err(PlaceError::Empty);
        }
        let len = self.len_in(counting);
        if end as u64 > len as u64 {
            return Err(PlaceError::PastEnd { len });
        }
        let mark = |at: i64| {
            self.index_of(counting, at)
                .map(|i| self.marks[i])
                .ok_or(PlaceError::InsideCharacter { at })
        };
        let (s, e) = (mark(start)?, mark(end)?);
        if s.start >= e.end {
            return Err(PlaceError::Blank);
        }
        Ok(Placed {
            start: s.start as usize,
            end: e.end as usize,
            rounded: s.rounded || e.rounded,
        })
    }

    /// The text's length in `counting`'s units.
    fn len_in(&self, counting: Counting) -> usize {
        match counting {
            Counting::Utf8 => self.nodes.len(),
            Counting::CodePoints | Counting::CrlfAsOne => self.marks.len() - 1,
            Counting::Utf16 => *self.utf16().last().expect("the end is a mark") as usize,
        }
    }

    /// The mark at position `at` in `counting`'s units, if one is there. The text nodes hold
    /// no CR (the parser reads CR LF as LF), so CRLF-as-one counts as code points do.
    fn index_of(&self, counting: Counting, at: i64) -> Option<usize> {
        let at = u32::try_from(at).ok()?;
        match counting {
            Counting::Utf8 => self.marks.binary_search_by_key(&at, |m| m.byte).ok(),
            Counting::CodePoints | Counting::CrlfAsOne => {
                Some(at as usize).filter(|&i| i < self.marks.len())
            }
            Counting::Utf16 => self.utf16().binary_search(&at).ok(),
        }
    }

    /// Each mark's position in UTF-16 code units, worked out once.
    fn utf16(&self) -> &[u32] {
        self.utf16.get_or_init(|| {
            let mut out = Vec::with_capacity(self.marks.len());
            let mut n = 0u32;
            for c in self.nodes.chars() {
                out.push(n);
                n = n.saturating_add(c.len_utf16() as u32);
            }
            out.push(n);
            out
        })
    }

    /// The byte offsets in the text nodes of `[start, end)` counted in `counting`, once
    /// [`Document::place`] has accepted them.
    pub fn node_range(&self, counting: Counting, start: i64, end: i64) -> (usize, usize) {
        let at = |p: i64| {
            self.index_of(counting, p)
                .map_or(0, |i| self.marks[i].byte as usize)
        };
        (at(start), at(end))
    }

    /// The text nodes between two positions already placed (for comparing with the snippet
    /// Taguette stored).
    pub fn node_slice(&self, counting: Counting, start: i64, end: i64) -> &str {
        let (s, e) = self.node_range(counting, start, end);
        &self.nodes[s..e]
    }
}

/// The text nodes of an HTML fragment (a snippet Taguette stored), joined.
pub fn fragment_text(html: &str) -> String {
    Document::read(html).nodes
}

/// Puts `raw` in NFC and moves each mark's positions with it. Most texts are in NFC
/// already and keep their positions. Otherwise the text is cut where normalisation cannot
/// join across (before a character that combines with nothing before it), each piece is
/// normalised alone, and a position inside a piece moves out to the piece's edge.
fn normalise_with(raw: &str, marks: &mut [Mark]) -> String {
    if is_nfc_quick(raw.chars()) == IsNormalized::Yes {
        return raw.to_owned();
    }
    // (raw start, normalised start) of each piece.
    let mut pieces: Vec<(u32, u32)> = Vec::new();
    let mut out = String::with_capacity(raw.len());
    let mut out_chars = 0u32;
    let mut piece = String::new();
    let flush = |piece: &mut String, out: &mut String, out_chars: &mut u32| {
        for c in piece.nfc() {
            out.push(c);
            *out_chars += 1;
        }
        piece.clear();
    };
    for (k, c) in raw.chars().enumerate() {
        let starts = canonical_combining_class(c) == 0
            && is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes;
        if k == 0 || starts {
            flush(&mut piece, &mut out, &mut out_chars);
            pieces.push((k as u32, out_chars));
        }
        piece.push(c);
    }
    flush(&mut piece, &mut out, &mut out_chars);
    let raw_len = raw.chars().count() as u32;
    pieces.push((raw_len, out_chars));
    let at = |p: u32, up: bool| -> (u32, bool) {
        match pieces.binary_search_by_key(&p, |x| x.0) {
            Ok(i) => (pieces[i].1, false),
            Err(i) if up => (pieces[i].1, true),
            Err(i) => (pieces[i - 1].1, true),
        }
    };
    for m in marks {
        let (s, rs) = at(m.start, false);
        let (e, re) = at(m.end, true);
        *m = Mark {
            start: s,
            end: e,
            rounded: rs || re,
            ..*m
        };
    }
    debug_assert_eq!(samskap_core::normalize(&out), out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(d: &Document, s: usize, e: usize) -> String {
        let p = d.place(Counting::Utf8, s as i64, e as i64).unwrap();
        d.text()
            .chars()
            .skip(p.start)
            .take(p.end - p.start)
            .collect()
    }

    #[test]
    fn paragraphs_lists_and_tables_become_lines() {
        let d = Document::read(
            "<h1>Tittel</h1>\n<p>Første   avsnitt\nfortsetter.</p><p>Andre<br>linje</p>\
             <ul><li>en</li><li>to</li></ul><table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
        );
        assert_eq!(
            d.text(),
            "Tittel\n\nFørste avsnitt fortsetter.\n\nAndre\nlinje\n\nen\nto\n\na\tb\nc"
        );
        // The text nodes keep every space and line feed between tags.
        assert_eq!(
            d.node_text(),
            "Tittel\nFørste   avsnitt\nfortsetter.Andrelinjeentoabc"
        );
    }

    #[test]
    fn positions_are_utf8_bytes_of_the_text_nodes() {
        let html = "<p>Vi så <b>æøå</b> &amp; 🙂 &eacute;n gang.</p><p>Neste.</p>";
        let d = Document::read(html);
        let nodes = d.node_text();
        assert_eq!(nodes, "Vi så æøå & 🙂 én gang.Neste.");
        let at = |s: &str| nodes.find(s).unwrap();
        // "æøå" is 6 bytes, the emoji 4.
        assert_eq!(cut(&d, at("æøå"), at("æøå") + 6), "æøå");
        assert_eq!(cut(&d, at("🙂"), at("🙂") + 4), "🙂");
        assert_eq!(cut(&d, at("&"), at("én") + "én".len()), "& 🙂 én");
        // Across the paragraph boundary: the line break is in the transcript, not counted.
        assert_eq!(cut(&d, at("gang"), nodes.len()), "gang.\n\nNeste.");
        assert_eq!(
            d.place(Counting::Utf8, at("🙂") as i64 + 1, at("🙂") as i64 + 4),
            Err(PlaceError::InsideCharacter {
                at: at("🙂") as i64 + 1
            })
        );
        assert_eq!(
            d.place(Counting::Utf8, 0, nodes.len() as i64 + 1),
            Err(PlaceError::PastEnd { len: nodes.len() })
        );
    }

    #[test]
    fn spaces_at_the_edges_of_a_highlight_are_left_out() {
        let d = Document::read("<p>en  to</p>\n<p>tre</p>");
        let nodes = d.node_text();
        assert_eq!(nodes, "en  to\ntre");
        assert_eq!(cut(&d, 2, 6), "to");
        assert_eq!(cut(&d, 4, 10), "to\n\ntre");
        assert_eq!(d.place(Counting::Utf8, 2, 4), Err(PlaceError::Blank));
        assert_eq!(d.place(Counting::Utf8, 6, 7), Err(PlaceError::Blank));
    }

    #[test]
    fn decomposed_letters_are_composed_and_ends_inside_them_round_out() {
        // "på" with the ring as a combining character (3 bytes: 'a' then U+030A).
        let d = Document::read("<p>pa\u{30a} tide</p>");
        assert_eq!(d.text(), "på tide");
        assert_eq!(d.node_text().len(), 9);
        let whole = d.place(Counting::Utf8, 0, 4).unwrap();
        assert_eq!((whole.start, whole.end, whole.rounded), (0, 2, false));
        let inside = d.place(Counting::Utf8, 0, 2).unwrap();
        assert_eq!((inside.start, inside.end, inside.rounded), (0, 2, true));
        assert_eq!(cut(&d, 5, 9), "tide");
    }

    #[test]
    fn markup_that_is_not_text() {
        let d = Document::read(
            "<!DOCTYPE html><!-- note --><p title=\"a > b\" data-x='<p>'>a<script>x<y</script>b\
             <style>p{}</style><pre>\nkeep  this</pre>c&lt;d<?php ?>e</p><![CDATA[z]]>",
        );
        // Script and style text are text nodes (counted) but not shown; the line feed after
        // <pre> is no text at all.
        assert_eq!(d.node_text(), "ax<ybp{}keep  thisc<de");
        assert_eq!(d.text(), "ab\n\nkeep  this\n\nc<de");
        let nodes = d.node_text();
        let k = nodes.find("keep").unwrap();
        assert_eq!(cut(&d, k, k + 10), "keep  this");
        assert_eq!(cut(&d, 0, 5), "ab");
    }

    #[test]
    fn odd_html_is_read_as_a_browser_reads_it() {
        // A `<` that starts no tag, a tag cut off at the end, NUL, CR LF, `</br>`.
        let d = Document::read("a < b\r\nc\0d</br>e<p unfinished");
        assert_eq!(d.node_text(), "a < b\ncde");
        assert_eq!(d.text(), "a < b cd\ne");
        let d = Document::read("<table>oops<tr><td>x</td></tr></table>");
        assert_eq!(d.notes().len(), 1);
        assert_eq!(fragment_text("<p>her <i>står</i></p>"), "her står");
    }

    #[test]
    fn deep_nesting_needs_no_stack() {
        let html = format!(
            "{}x{}",
            "<div><b>".repeat(200_000),
            "</b></div>".repeat(200_000)
        );
        let d = Document::read(&html);
        assert_eq!(d.text(), "x");
        assert_eq!(cut(&d, 0, 1), "x");
    }
}
