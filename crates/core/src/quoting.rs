//! When a text quotes an informant: the one rule that withdrawal applies to every free text
//! of a study (and the report to memos on informants whose consent is pending).
//!
//! A text quotes an informant's transcript when, after [`normalize`]:
//!
//! 1. **a phrase:** it contains, exactly, one of their meaning units or one sentence of their
//!    transcript (split at `.`, `!`, `?` and line breaks) of at least [`MIN_QUOTE_CHARS`]
//!    characters, trimmed; or
//! 2. **a run of words:** it contains [`MIN_QUOTE_WORDS`] consecutive words of the
//!    transcript. Words are compared in lower case (Unicode), and a word is a maximal run of
//!    letters and digits (`char::is_alphanumeric`): punctuation, spaces and line breaks
//!    between words do not matter, so `ARBEIDET; men Gruppa gir\noss` matches
//!    `arbeidet. Men gruppa gir oss`.
//!
//! Seven words in a row are not enough: short runs ("det er for lite tid til") are common
//! speech that any memo may share by chance.
//!
//! [`QuoteFinder`] indexes one transcript once (its phrases in an Aho–Corasick automaton,
//! its eight-word runs in a hash set), then reads each text once: withdrawal over a large
//! study stays linear in the length of its texts.

use std::collections::{HashMap, HashSet};

use aho_corasick::AhoCorasick;

use crate::text::{normalize, Transcript};

/// Shortest phrase (meaning unit or sentence) that counts as quoting: shorter overlaps
/// ("ja", "det er") are chance.
pub const MIN_QUOTE_CHARS: usize = 20;

/// How many consecutive words of a transcript count as quoting it.
pub const MIN_QUOTE_WORDS: usize = 8;

type Run = [u32; MIN_QUOTE_WORDS];

/// One transcript, indexed to tell whether a text quotes it (see the module docs).
#[derive(Debug)]
pub struct QuoteFinder {
    phrases: Phrases,
    /// Each distinct word of the transcript, numbered.
    words: HashMap<String, u32>,
    /// Every run of [`MIN_QUOTE_WORDS`] consecutive words, as word numbers.
    runs: HashSet<Run>,
}

#[derive(Debug)]
enum Phrases {
    None,
    Automaton(AhoCorasick),
    /// Only if the automaton cannot be built (it has size limits far above any transcript).
    Each(Vec<String>),
}

impl QuoteFinder {
    /// Indexes `transcript` and the texts of its meaning units.
    pub fn new<'a>(transcript: &Transcript, units: impl IntoIterator<Item = &'a str>) -> Self {
        let long_enough = |s: &&str| s.chars().count() >= MIN_QUOTE_CHARS;
        let mut phrases: Vec<String> = units
            .into_iter()
            .map(str::trim)
            .filter(long_enough)
            .map(str::to_owned)
            .collect();
        phrases.extend(
            transcript
                .text()
                .split(['.', '!', '?', '\n'])
                .map(str::trim)
                .filter(long_enough)
                .map(str::to_owned),
        );
        phrases.sort();
        phrases.dedup();
        let phrases = if phrases.is_empty() {
            Phrases::None
        } else {
            match AhoCorasick::new(&phrases) {
                Ok(automaton) => Phrases::Automaton(automaton),
                Err(_) => Phrases::Each(phrases),
            }
        };

        let mut words = HashMap::new();
        let mut ids = Vec::new();
        for w in split_words(&transcript.text().to_lowercase()) {
            let next = words.len() as u32;
            ids.push(*words.entry(w.to_owned()).or_insert(next));
        }
        let runs = ids
            .windows(MIN_QUOTE_WORDS)
            .map(|w| Run::try_from(w).expect("windows have the run's length"))
            .collect();
        Self {
            phrases,
            words,
            runs,
        }
    }

    /// True when `text` quotes the transcript.
    pub fn quotes(&self, text: &str) -> bool {
        let text = normalize(text);
        let phrase = match &self.phrases {
            Phrases::None => false,
            Phrases::Automaton(a) => a.is_match(&text),
            Phrases::Each(all) => all.iter().any(|p| text.contains(p.as_str())),
        };
        phrase || self.has_run(&text.to_lowercase())
    }

    fn has_run(&self, lower: &str) -> bool {
        if self.runs.is_empty() {
            return false;
        }
        // The words of `text` since the last one the transcript never says: only such a
        // stretch can hold a run.
        let mut stretch: Vec<u32> = Vec::new();
        for w in split_words(lower) {
            match self.words.get(w) {
                Some(&id) => {
                    stretch.push(id);
                    if stretch.len() >= MIN_QUOTE_WORDS {
                        let run = Run::try_from(&stretch[stretch.len() - MIN_QUOTE_WORDS..])
                            .expect("slice has the run's length");
                        if self.runs.contains(&run) {
                            return true;
                        }
                    }
                }
                None => stretch.clear(),
            }
        }
        false
    }
}

/// The words of a text: maximal runs of letters and digits.
fn split_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::id;

    fn finder(text: &str) -> QuoteFinder {
        QuoteFinder::new(&Transcript::new(id("I1"), text), [])
    }

    #[test]
    fn eight_words_in_a_row_quote_whatever_the_case_punctuation_and_line_breaks() {
        let f = finder("Vi har for lite tid til dette arbeidet. Men gruppa gir oss nye kontakter.");
        assert!(f.quotes("«dette arbeidet – MEN gruppa,\r\ngir oss nye kontakter!»"));
        assert!(f.quotes("Se: vi har for lite tid til dette arbeidet"));
        // Seven words are not enough, nor are eight that skip one.
        assert!(!f.quotes("«arbeidet – MEN gruppa,\r\ngir oss nye kontakter!»"));
        assert!(!f.quotes("har for lite tid til dette arbeidet"));
        assert!(!f.quotes("vi har for lite tid til dette store arbeidet"));
        // A word the transcript never says breaks the run.
        assert!(!f.quotes("vi har for lite tid xyz til dette arbeidet men"));
    }

    #[test]
    fn words_are_letters_and_digits_in_any_script_compared_in_lower_case() {
        let f = finder("I 2023 møttes Ærlige Øystein og Åse på NAV-kontoret i Tromsø sentrum.");
        assert!(f.quotes("i 2023 MØTTES ærlige øystein og åse på nav"));
        // The same letters as a decomposed å (a + combining ring) after normalisation.
        assert!(f.quotes("i 2023 møttes ærlige øystein og a\u{30a}se på nav"));
        // Digits are words: a different year is a different word.
        assert!(!f.quotes("i 2024 møttes ærlige øystein og åse på nav"));
    }

    #[test]
    fn a_phrase_of_twenty_characters_quotes_even_with_few_words() {
        let f = QuoteFinder::new(
            &Transcript::new(id("I1"), "Ja. Da er prosjektperioden for kort! Nei."),
            ["prosjektperioden"],
        );
        // A sentence of five words but 31 characters.
        assert!(f.quotes("Noen sa «Da er prosjektperioden for kort»."));
        // A short unit, a short sentence and a case change do not count as a phrase.
        assert!(!f.quotes("prosjektperioden"));
        assert!(!f.quotes("Ja. Nei."));
        assert!(!f.quotes("da er prosjektperioden for kort"));
    }

    #[test]
    fn a_short_transcript_has_no_runs() {
        let f = finder("Ja, nei.");
        assert!(!f.quotes("Ja, nei."));
        assert!(!f.quotes(""));
    }
}
