//! Finding a quote that a person typed rather than copied: whitespace that differs (a double
//! space, a line break where the transcript has a space, a trailing space) does not make a
//! different passage, and a quote that is not in the text at all gets the nearest passage
//! offered.

use foldhash::HashMap;

use crate::text::{Span, TextQuote, Transcript};

/// The passage of a transcript nearest to a quote that is not in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nearest {
    /// Where it lies.
    pub span: Span,
    /// Its text.
    pub text: String,
}

/// Below this share of characters in common (1 - edit distance / length), a passage is not
/// offered: it would be a guess rather than the quote mistyped.
const NEAREST_AT_LEAST: f64 = 0.6;

/// A quote longer than this many characters gets no nearest passage looked for: weighing a
/// place costs the square of the quote's length, and a quote this long is pasted, not typed.
const NEAREST_LONGEST: usize = 1000;

/// Words longer than this many bytes vote for where a mistyped quote lies; shorter ones
/// ("og", "det") occur everywhere and say nothing.
const VOTING_WORD: usize = 3;

/// A word that occurs more often than this in a transcript does not vote: looking each
/// occurrence up would cost more than its vote is worth.
const VOTING_OCCURRENCES: usize = 400;

/// The places weighed at most, best voted first.
const WEIGHED: usize = 4;

/// How far, in characters, the start and the end of the best place are moved to fit.
const SHIFT: usize = 12;

impl TextQuote {
    /// A quote as a person typed it, with whitespace at either end of its exact text moved
    /// into its context, so that `"kort. "` and `"kort."` select the same unit rather than
    /// two beside each other. Quotes read from files (a bundle, a REFI-QDA project) are
    /// taken as written: a unit there may begin or end with whitespace, and a round trip
    /// must keep it.
    pub fn typed(mut self) -> TextQuote {
        let exact = self.exact.trim();
        if exact.len() != self.exact.len() {
            let start = self.exact.len() - self.exact.trim_start().len();
            let lead = &self.exact[..start];
            let trail = &self.exact[start + exact.len()..];
            self.prefix = format!("{}{lead}", self.prefix);
            self.suffix = format!("{trail}{}", self.suffix);
            self.exact = exact.to_owned();
        }
        self
    }
}

impl Transcript {
    /// Byte ranges where `quote` matches when every run of whitespace in it (exact text,
    /// prefix and suffix) stands for any run of whitespace in the text; in text order.
    pub(crate) fn find_loose(&self, quote: &TextQuote) -> Vec<(usize, usize)> {
        let text = self.text();
        let mut words = quote.exact.split_whitespace();
        let Some(first) = words.next() else {
            return Vec::new();
        };
        let rest: Vec<&str> = words.collect();
        let prefix = collapse(&quote.prefix);
        let suffix = collapse(&quote.suffix);
        self.occurrences_of(first)
            .into_iter()
            .filter_map(|at| {
                let mut end = at + first.len();
                for word in &rest {
                    let gap = text[end..].len() - text[end..].trim_start().len();
                    if gap == 0 || !text[end + gap..].starts_with(word) {
                        return None;
                    }
                    end += gap + word.len();
                }
                let before = tail(&text[..at], prefix.len() + 1);
                let after = head(&text[end..], suffix.len() + 1);
                (collapse(before).trim_end().ends_with(prefix.trim_end())
                    && collapse(after)
                        .trim_start()
                        .starts_with(suffix.trim_start()))
                .then_some((at, end))
            })
            .collect()
    }

    /// The passage most like `exact`, if one is like it enough: places where the quote's
    /// longer words occur vote for where it would begin, and the best voted places are
    /// weighed by edit distance. Bounded work: common words do not vote, and only a few
    /// places are weighed.
    pub(crate) fn nearest(&self, exact: &str) -> Option<Nearest> {
        let quote_chars: Vec<char> = exact.chars().collect();
        if quote_chars.is_empty() || quote_chars.len() > NEAREST_LONGEST {
            return None;
        }
        let mut votes: HashMap<usize, usize> = HashMap::default();
        let mut seen = foldhash::HashSet::default();
        let mut offset = 0;
        for word in exact.split(|c: char| !c.is_alphanumeric()) {
            let at = offset;
            offset += word.chars().count() + 1;
            if word.len() <= VOTING_WORD || !seen.insert(word) {
                continue;
            }
            let hits = self.occurrences_of(word);
            if hits.len() > VOTING_OCCURRENCES {
                continue;
            }
            for byte in hits {
                let start = self.char_at(byte).saturating_sub(at);
                // Nearby starts are one place: an insertion before the word moves it a bit.
                *votes.entry(start / 16).or_default() += 1;
            }
        }
        let mut places: Vec<(usize, usize)> = votes.into_iter().collect();
        places.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let len = self.char_len();
        let want = quote_chars.len();
        let score = |start: usize, end: usize| -> f64 {
            if start >= end || end > len {
                return 0.0;
            }
            let (from, to) = (self.byte_at(start), self.byte_at(end));
            strsim::normalized_levenshtein(&self.text()[from..to], exact)
        };
        // The best voted place, then its start and its end each moved to where the text
        // is most like the quote (an inserted or a dropped word shifts either).
        let (mut start, mut best) = places
            .into_iter()
            .take(WEIGHED)
            .map(|(bucket, _)| (bucket * 16).min(len.saturating_sub(1)))
            .map(|start| (start, score(start, (start + want).min(len))))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
        let mut end = (start + want).min(len);
        for s in start.saturating_sub(SHIFT)..=(start + SHIFT).min(end) {
            let x = score(s, end);
            if x > best {
                (start, best) = (s, x);
            }
        }
        for e in end.saturating_sub(SHIFT).max(start + 1)..=(end + SHIFT).min(len) {
            let x = score(start, e);
            if x > best {
                (end, best) = (e, x);
            }
        }
        if best < NEAREST_AT_LEAST {
            return None;
        }
        let span = self.whole_words(start, end)?;
        Some(Nearest {
            span,
            text: self.slice(span).to_owned(),
        })
    }

    /// The span `[start, end)` with a word cut at either end taken whole, and whitespace at
    /// the ends left out; `None` when nothing but whitespace is left.
    fn whole_words(&self, start: usize, end: usize) -> Option<Span> {
        let text = self.text();
        let (from, to) = (self.byte_at(start), self.byte_at(end));
        let inner = &text[from..to];
        let word = |c: &char| c.is_alphanumeric();
        let cut_before = inner.chars().next().is_some_and(|c| word(&c))
            && text[..from].chars().next_back().is_some_and(|c| word(&c));
        let cut_after = inner.chars().next_back().is_some_and(|c| word(&c))
            && text[to..].chars().next().is_some_and(|c| word(&c));
        let back = if cut_before {
            text[..from].chars().rev().take_while(word).count()
        } else {
            0
        };
        let forward = if cut_after {
            text[to..].chars().take_while(word).count()
        } else {
            0
        };
        let lead = inner.chars().take_while(|c| c.is_whitespace()).count();
        let trail = inner
            .chars()
            .rev()
            .take_while(|c| c.is_whitespace())
            .count();
        if lead == end - start {
            return None;
        }
        self.span(start - back + lead, end + forward - trail).ok()
    }
}

/// `s` with every run of whitespace made one space.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

/// The end of `s` that holds more than `want` bytes once its runs of whitespace are made
/// one space each (or all of it): however much whitespace lies between the words of a
/// quote's context, the window reaches them.
fn tail(s: &str, want: usize) -> &str {
    let mut kept = 0;
    let mut space = false;
    for (i, c) in s.char_indices().rev() {
        kept += collapsed_len(c, &mut space);
        if kept > want {
            return &s[i..];
        }
    }
    s
}

/// The start of `s` that holds more than `want` bytes once its whitespace is collapsed (see
/// [`tail`]), or all of it.
fn head(s: &str, want: usize) -> &str {
    let mut kept = 0;
    let mut space = false;
    for (i, c) in s.char_indices() {
        kept += collapsed_len(c, &mut space);
        if kept > want {
            return &s[..i + c.len_utf8()];
        }
    }
    s
}

/// Bytes that `c` adds to a text with its whitespace collapsed, given whether the character
/// before it (in the direction read) was whitespace.
fn collapsed_len(c: char, space: &mut bool) -> usize {
    if c.is_whitespace() {
        let first = !*space;
        *space = true;
        usize::from(first)
    } else {
        *space = false;
        c.len_utf8()
    }
}

#[cfg(test)]
mod tests {
    use crate::ids::SourceId;
    use crate::ModelError;

    use super::*;

    fn t(text: &str) -> Transcript {
        Transcript::new(SourceId::new("I3").unwrap(), text)
    }

    #[test]
    fn whitespace_at_either_end_does_not_make_another_unit() {
        let tr = t("Da er prosjektperioden for kort, rett og slett. Så vi venter.");
        let exact = tr.locate(&TextQuote::exact("rett og slett.")).unwrap();
        for typed in ["rett og slett. ", " rett og slett.", "\nrett og slett.\n"] {
            let quote = TextQuote::exact(typed).typed();
            assert_eq!(tr.locate(&quote).unwrap(), exact, "{typed:?}");
        }
        // As written in a file, the space is the unit's: a round trip keeps it.
        let written = tr.locate(&TextQuote::exact("rett og slett. ")).unwrap();
        assert_eq!(tr.slice(written), "rett og slett. ");
        assert!(matches!(
            tr.locate(&TextQuote::exact("  ").typed()),
            Err(ModelError::EmptyQuote)
        ));
    }

    #[test]
    fn whitespace_inside_matches_any_whitespace() {
        let tr = t("Vi må ha\nhele kommunen  med. Og så videre.");
        let span = tr
            .locate(&TextQuote::exact("ha hele kommunen med."))
            .unwrap();
        assert_eq!(tr.slice(span), "ha\nhele kommunen  med.");
        let with_context = TextQuote {
            prefix: "Vi  må\n".into(),
            exact: "ha hele".into(),
            suffix: " kommunen med".into(),
        };
        assert_eq!(tr.slice(tr.locate(&with_context).unwrap()), "ha\nhele");
        // Context behind indentation and blank lines, much longer than the context typed.
        let gap = format!("\n{}\n{}", " ".repeat(40), "\n".repeat(30));
        let tr = t(&format!(
            "Intervjuer:{gap}Hva med{gap}tiden?\nDa er\nprosjektperioden for kort."
        ));
        let quote = TextQuote {
            prefix: "Hva med tiden? ".into(),
            exact: "Da er prosjektperioden".into(),
            suffix: String::new(),
        };
        assert_eq!(
            tr.slice(tr.locate(&quote).unwrap()),
            "Da er\nprosjektperioden"
        );
        // A word boundary is not whitespace: "hakommunen" is not "ha kommunen".
        assert!(tr.locate(&TextQuote::exact("vi måha")).is_err());
    }

    #[test]
    fn loose_matches_in_many_places_are_ambiguous() {
        let tr = t("for kort  tid. Og for\nkort tid igjen.");
        assert!(matches!(
            tr.locate(&TextQuote::exact("for kort tid")),
            Err(ModelError::QuoteAmbiguous { count: 2, .. })
        ));
    }

    #[test]
    fn a_mistyped_quote_gets_the_nearest_passage_offered() {
        let text = "Intervjuer: Hva tenker du om tiden?\n\
                    I3: Da er prosjektperioden for kort, rett og slett. Vi rekker ikke å se \
                    resultater før pengene er brukt opp, og da må vi begynne på nytt.";
        let tr = t(text);
        let typed = "Da er prosjekt-perioden altfor kort, rett og slett";
        let Err(ModelError::QuoteNotFound { nearest, .. }) = tr.locate(&TextQuote::exact(typed))
        else {
            panic!("found")
        };
        let nearest = nearest.expect("a passage offered");
        assert_eq!(
            nearest.text,
            "Da er prosjektperioden for kort, rett og slett"
        );
        let start = text.find("Da er").unwrap();
        assert_eq!(nearest.span.start(), text[..start].chars().count());
        let message = ModelError::QuoteNotFound {
            source_id: SourceId::new("I3").unwrap(),
            exact: typed.into(),
            nearest: Some(nearest),
        }
        .to_string();
        assert!(message.contains("did you mean"), "{message}");
        assert!(
            message.contains("Da er prosjektperioden for kort"),
            "{message}"
        );
    }

    #[test]
    fn nothing_alike_offers_nothing() {
        let tr = t("Da er prosjektperioden for kort, rett og slett.");
        let Err(ModelError::QuoteNotFound { nearest, .. }) = tr.locate(&TextQuote::exact(
            "Skolen samarbeider godt med helsestasjonen",
        )) else {
            panic!("found")
        };
        assert_eq!(nearest, None);
    }

    #[test]
    fn the_nearest_passage_is_found_in_a_long_transcript_with_multibyte_text() {
        let filler = "Vi så på æøå-saker og snakket om det. ".repeat(400);
        let text =
            format!("{filler}Ungdommene på Fjellheim trengte en voksen å snakke med. {filler}");
        let tr = t(&text);
        let Err(ModelError::QuoteNotFound { nearest, .. }) = tr.locate(&TextQuote::exact(
            "Ungdommane på Fjelheim trengte en vaksen å snakke med.",
        )) else {
            panic!("found")
        };
        let nearest = nearest.expect("offered");
        assert_eq!(
            nearest.text,
            "Ungdommene på Fjellheim trengte en voksen å snakke med."
        );
        assert_eq!(tr.slice(nearest.span), nearest.text);
    }
}
