//! Transcript text: the one normalisation every path applies, spans measured in characters,
//! and quote selectors (W3C Web Annotation `TextQuoteSelector`) that find a meaning unit by
//! its exact text.
//!
//! Offsets count Unicode scalar values (Rust `char`s) of the normalised text, not bytes and
//! not UTF-16 units: that is what a person counts and what REFI-QDA's `PlainTextSelection`
//! uses.

use foldhash::HashMap;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::ids::SourceId;
use crate::text_index::{CharOffsets, Occurrences};
use crate::ModelError;

/// Normalises text as every path into samskap does: a leading byte-order mark is dropped,
/// CRLF and lone CR become LF, and the text is put in Unicode NFC, so that "å" typed as one
/// code point or as "a" + ring matches either way.
pub fn normalize(raw: &str) -> String {
    let raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    let unified = if raw.contains('\r') {
        raw.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        raw.to_owned()
    };
    // Text read back from the store is normalised already: the quick check says so for
    // almost every text without composing it again.
    if unicode_normalization::is_nfc_quick(unified.chars())
        == unicode_normalization::IsNormalized::Yes
    {
        return unified;
    }
    unified.nfc().collect()
}

/// A half-open, non-empty range of character offsets `[start, end)` in a transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    start: usize,
    end: usize,
}

impl Span {
    /// A span inside a text of `len` characters; refuses empty, reversed or overlong spans.
    pub fn new(start: usize, end: usize, len: usize) -> Result<Self, ModelError> {
        if start < end && end <= len {
            Ok(Self { start, end })
        } else {
            Err(ModelError::SpanOutside { start, end, len })
        }
    }

    /// First character offset.
    pub fn start(self) -> usize {
        self.start
    }

    /// One past the last character offset.
    pub fn end(self) -> usize {
        self.end
    }

    /// Number of characters.
    pub fn len(self) -> usize {
        self.end - self.start
    }

    /// Never true: spans are non-empty by construction. Here for clippy's `len` convention.
    pub fn is_empty(self) -> bool {
        false
    }

    /// True when the two spans share at least one character.
    pub fn overlaps(self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// The text of a source (an interview's transcript, a focus group's, minutes, notes, a
/// document), normalised.
#[derive(Debug, Clone, Serialize)]
pub struct Transcript {
    source: SourceId,
    text: String,
    #[serde(skip)]
    char_len: usize,
    /// Character offsets to bytes without counting from the start.
    #[serde(skip)]
    offsets: CharOffsets,
    /// Where passages occur, without scanning the text per quote.
    #[serde(skip)]
    occurrences: Occurrences,
}

/// Two transcripts are equal when they are the same source's same text; the indexes
/// follow from the text.
impl PartialEq for Transcript {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source && self.text == other.text
    }
}

impl Eq for Transcript {}

impl Transcript {
    /// Normalises `raw` (see [`normalize`]) and wraps it.
    pub fn new(source: SourceId, raw: &str) -> Self {
        let text = normalize(raw);
        let char_len = text.chars().count();
        let offsets = CharOffsets::new(&text);
        Self {
            source,
            text,
            char_len,
            offsets,
            occurrences: Occurrences::default(),
        }
    }

    /// The source this is the text of.
    pub fn source(&self) -> &SourceId {
        &self.source
    }

    /// The normalised text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Length in characters.
    pub fn char_len(&self) -> usize {
        self.char_len
    }

    /// A span of this transcript, checked to lie inside it.
    pub fn span(&self, start: usize, end: usize) -> Result<Span, ModelError> {
        Span::new(start, end, self.char_len)
    }

    /// The text of a span of this transcript.
    pub fn slice(&self, span: Span) -> &str {
        self.slice_chars(span.start, span.end)
    }

    /// The text between two character offsets (`start <= end <= char_len`), which need not
    /// make a span: it may be empty.
    pub(crate) fn slice_chars(&self, start: usize, end: usize) -> &str {
        &self.text[self.byte_at(start)..self.byte_at(end)]
    }

    /// The byte offset of character `chars`.
    pub(crate) fn byte_at(&self, chars: usize) -> usize {
        self.offsets.byte(&self.text, chars)
    }

    /// The character offset of byte `byte`, which lies on a character boundary.
    pub(crate) fn char_at(&self, byte: usize) -> usize {
        self.offsets.char(&self.text, byte)
    }

    /// Finds the one place that `quote` selects.
    pub fn locate(&self, quote: &TextQuote) -> Result<Span, ModelError> {
        self.locate_normalized(quote.normalized(), Hint::Offer)
    }

    /// [`Transcript::locate`] of a quote normalised already (normalising twice is not
    /// always the same as once: only one leading byte-order mark goes each time).
    fn locate_normalized(&self, quote: TextQuote, hint: Hint) -> Result<Span, ModelError> {
        if quote.exact.is_empty() {
            return Err(ModelError::EmptyQuote);
        }
        let mut hits: Vec<(usize, usize)> = self
            .find_all(&quote)
            .into_iter()
            .map(|at| (at, at + quote.exact.len()))
            .collect();
        if hits.is_empty() {
            hits = self.find_loose(&quote);
        }
        match hits.as_slice() {
            [] => Err(ModelError::QuoteNotFound {
                source_id: self.source.clone(),
                nearest: match hint {
                    Hint::Offer => self.nearest(&quote.exact).map(Box::new),
                    Hint::Skip => None,
                },
                exact: quote.exact,
            }),
            [(from, to)] => {
                let start = self.offsets.char(&self.text, *from);
                let end = start + self.text[*from..*to].chars().count();
                self.span(start, end)
            }
            many => Err(ModelError::QuoteAmbiguous {
                source_id: self.source.clone(),
                exact: quote.exact,
                count: many.len(),
            }),
        }
    }

    /// [`Transcript::locate`] of each quote: the quotes whose exact text occurs once with
    /// its context are settled in one pass over the transcript, without its index; only the
    /// others need it (and the whitespace-blind search, and for a quote not found at all the
    /// nearest passage, which a person reading the error can use).
    pub fn locate_all(&self, quotes: &[&TextQuote]) -> Vec<Result<Span, ModelError>> {
        self.locate_each(quotes, Hint::Offer)
    }

    /// [`Transcript::locate_all`] for a machine that only needs to know whether each quote
    /// is found (re-anchoring after an edit): no nearest passage is looked for, whose cost
    /// grows with the square of a quote's length.
    pub(crate) fn locate_all_quietly(
        &self,
        quotes: &[&TextQuote],
    ) -> Vec<Result<Span, ModelError>> {
        self.locate_each(quotes, Hint::Skip)
    }

    fn locate_each(&self, quotes: &[&TextQuote], hint: Hint) -> Vec<Result<Span, ModelError>> {
        let normalized: Vec<TextQuote> = quotes.iter().map(|q| q.normalized()).collect();
        // Each distinct text looked for once (a unit has a coding per coder, or more).
        let mut distinct: HashMap<&str, usize> = HashMap::default();
        let mut exacts: Vec<&str> = Vec::new();
        let slots: Vec<usize> = normalized
            .iter()
            .map(|q| {
                *distinct.entry(q.exact.as_str()).or_insert_with(|| {
                    exacts.push(&q.exact);
                    exacts.len() - 1
                })
            })
            .collect();
        let found = crate::text_index::occurrence_counts(&self.text, &exacts);
        normalized
            .iter()
            .zip(slots)
            .map(|(q, slot)| match found.as_ref().map(|f| f[slot]) {
                _ if q.exact.is_empty() => Err(ModelError::EmptyQuote),
                Some((1, at))
                    if self.text[..at].ends_with(&q.prefix)
                        && self.text[at + q.exact.len()..].starts_with(&q.suffix) =>
                {
                    let start = self.offsets.char(&self.text, at);
                    self.span(start, start + q.exact.chars().count())
                }
                // Not there as typed, or there with other context: the whitespace-blind
                // search and the nearest passage, which are the single locate's.
                _ => self.locate_normalized(q.clone(), hint),
            })
            .collect()
    }

    /// The shortest selector of the canonical form that picks `span` out: the exact text
    /// alone when it occurs once; otherwise with 8, 16, 32, ... characters of context on both
    /// sides until it is unique (the whole surrounding text always is).
    pub fn selector(&self, span: Span) -> TextQuote {
        let exact = self.slice(span).to_owned();
        let mut quote = TextQuote {
            prefix: String::new(),
            exact,
            suffix: String::new(),
        };
        let mut k = 8;
        while self.find_all(&quote).len() != 1 {
            let before = &self.text[..self.offsets.byte(&self.text, span.start)];
            let after = &self.text[self.offsets.byte(&self.text, span.end)..];
            quote.prefix = last_chars(before, k).to_owned();
            quote.suffix = first_chars(after, k).to_owned();
            k *= 2;
        }
        quote
    }

    /// [`Transcript::selector`] of each span: the spans whose text occurs once are told
    /// apart in one pass over the transcript, without its index; only the others need it.
    pub fn selectors(&self, spans: &[Span]) -> Vec<TextQuote> {
        let exacts: Vec<&str> = spans.iter().map(|&s| self.slice(s)).collect();
        let counts = crate::text_index::occurrence_counts(&self.text, &exacts);
        spans
            .iter()
            .zip(exacts)
            .enumerate()
            .map(|(i, (&span, exact))| match &counts {
                Some(c) if c[i].0 == 1 => TextQuote::exact(exact),
                _ => self.selector(span),
            })
            .collect()
    }

    /// Byte offsets where `needle` occurs, by the index.
    pub(crate) fn occurrences_of(&self, needle: &str) -> Vec<usize> {
        self.occurrences.find(&self.text, needle)
    }

    /// Byte offsets where `quote` matches, with its prefix and suffix, in text order.
    fn find_all(&self, quote: &TextQuote) -> Vec<usize> {
        let text = &self.text;
        let mut hits = self.occurrences.find(text, &quote.exact);
        hits.retain(|&at| {
            let end = at + quote.exact.len();
            text[..at].ends_with(&quote.prefix) && text[end..].starts_with(&quote.suffix)
        });
        hits
    }
}

/// Whether a quote not found gets the nearest passage looked for.
#[derive(Debug, Clone, Copy)]
enum Hint {
    Offer,
    Skip,
}

/// Selects a passage by its exact text, with optional text right before and after it to
/// tell repeats apart.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TextQuote {
    /// Text immediately before the passage (may be empty).
    pub prefix: String,
    /// The passage itself.
    pub exact: String,
    /// Text immediately after the passage (may be empty).
    pub suffix: String,
}

impl TextQuote {
    /// A selector with no context.
    pub fn exact(exact: impl Into<String>) -> Self {
        Self {
            exact: exact.into(),
            ..Self::default()
        }
    }

    fn normalized(&self) -> TextQuote {
        TextQuote {
            prefix: normalize(&self.prefix),
            exact: normalize(&self.exact),
            suffix: normalize(&self.suffix),
        }
    }
}

fn byte_offset(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}

fn last_chars(s: &str, n: usize) -> &str {
    let count = s.chars().count();
    &s[byte_offset(s, count.saturating_sub(n))..]
}

fn first_chars(s: &str, n: usize) -> &str {
    &s[..byte_offset(s, n)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Transcript {
        Transcript::new(SourceId::new("I1").unwrap(), text)
    }

    #[test]
    fn normalisation_unifies_line_endings_bom_and_nfc() {
        assert_eq!(normalize("\u{feff}a\r\nb\rc"), "a\nb\nc");
        assert_eq!(normalize("a\u{30a}"), "\u{e5}");
    }

    #[test]
    fn locate_counts_characters_not_bytes() {
        let tr = t("Vi så på æøå 🙂 og så på det igjen.");
        let span = tr.locate(&TextQuote::exact("og så")).unwrap();
        assert_eq!((span.start(), span.end()), (15, 20));
        assert_eq!(tr.slice(span), "og så");
    }

    #[test]
    fn repeats_need_context_and_selector_provides_it() {
        let tr = t("ja, det er tid. Nei, det er tid.");
        let err = tr.locate(&TextQuote::exact("det er tid")).unwrap_err();
        assert!(matches!(err, ModelError::QuoteAmbiguous { count: 2, .. }));
        let q = TextQuote {
            prefix: "Nei, ".into(),
            exact: "det er tid".into(),
            suffix: String::new(),
        };
        let span = tr.locate(&q).unwrap();
        assert_eq!(span.start(), 21);
        let canonical = tr.selector(span);
        assert_eq!(tr.locate(&canonical).unwrap(), span);
        assert!(!canonical.prefix.is_empty());
        let first = tr.locate(&TextQuote::exact("ja")).unwrap();
        assert_eq!(tr.selector(first), TextQuote::exact("ja"));
    }

    #[test]
    fn overlapping_repeats_are_found() {
        let tr = t("aaa");
        let err = tr.locate(&TextQuote::exact("aa")).unwrap_err();
        assert!(matches!(err, ModelError::QuoteAmbiguous { count: 2, .. }));
    }

    #[test]
    fn missing_and_decomposed_quotes() {
        let tr = t("Det var på tide.");
        assert!(matches!(
            tr.locate(&TextQuote::exact("ikke her")),
            Err(ModelError::QuoteNotFound { .. })
        ));
        // A quote typed with a combining ring still finds the composed text.
        assert!(tr.locate(&TextQuote::exact("pa\u{30a} tide")).is_ok());
    }

    #[test]
    fn spans_must_lie_inside() {
        let tr = t("abc");
        assert!(tr.span(0, 3).is_ok());
        assert!(tr.span(0, 4).is_err());
        assert!(tr.span(2, 2).is_err());
    }

    /// `locate_all` answers each quote as `locate` does: found once, with context that
    /// settles a repeat or context that does not match, repeated, absent, empty, and typed
    /// with a decomposed å; in a transcript long enough for the suffix array.
    #[test]
    fn locate_all_is_locate_for_each_quote() {
        let body = (0..120)
            .map(|i| format!("Setning nummer {i} om tid og tillit på tvers. "))
            .collect::<String>();
        let text = format!("{body}Vi har for lite tid. Åse sa: vi har for lite tid. Slutt.");
        assert!(text.len() > 4096);
        let t = Transcript::new("I1".parse().unwrap(), &text);
        let q = |prefix: &str, exact: &str, suffix: &str| TextQuote {
            prefix: prefix.into(),
            exact: exact.into(),
            suffix: suffix.into(),
        };
        let quotes = [
            q("", "Setning nummer 17 om", ""),
            q("", "vi har for lite tid", ""),
            q("", "Vi har for lite tid", ""),
            q("sa: ", "vi har for lite tid", ""),
            q("nei: ", "vi har for lite tid", ""),
            q("", "Setning nummer 5 om", " tid"),
            q("", "Setning nummer 5 om", " noe annet"),
            q("", "om tid og tillit", ""),
            q("", "finnes ikke", ""),
            q("", "", ""),
            q("", "A\u{30a}se sa", ""),
            q("", "Slutt.", ""),
            q("", "S", ""),
        ];
        // Normalising a quote twice is not the same as once (one leading byte-order mark
        // goes each time): a repeated passage is located from the quote normalised once.
        let marked = Transcript::new("I2".parse().unwrap(), "x\u{feff}ab y\u{feff}ab z ab");
        let twice = q("", "\u{feff}\u{feff}ab", " y");
        assert_eq!(marked.locate_all(&[&twice]), vec![marked.locate(&twice)]);
        let refs: Vec<&TextQuote> = quotes.iter().collect();
        let all = t.locate_all(&refs);
        for (quote, got) in quotes.iter().zip(&all) {
            assert_eq!(got, &t.locate(quote), "{quote:?}");
        }
        assert!(all.iter().filter(|r| r.is_ok()).count() >= 6);
        assert!(all.iter().filter(|r| r.is_err()).count() >= 4);
    }
}
