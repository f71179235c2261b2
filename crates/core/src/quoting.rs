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
        let mut phrases: Vec<String> = phrases_of(transcript, units).map(str::to_owned).collect();
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
        known_runs(&self.words, lower, |run| self.runs.contains(run))
    }
}

/// A few short texts (a study's memos, say), indexed to tell which of them quote a
/// transcript by reading the transcript once: the rule of [`QuoteFinder`] turned around, for
/// when the transcripts are many and long and the texts few. Indexing the texts costs their
/// length times [`MIN_QUOTE_CHARS`]; each transcript is then read once, with no index of it.
#[derive(Debug)]
pub struct QuotedTexts {
    /// The texts, normalised.
    texts: Vec<String>,
    /// Every stretch of exactly [`MIN_QUOTE_CHARS`] characters of the texts, with the texts
    /// it is in: a phrase can be in a text only if its first such stretch is.
    windows: HashMap<String, Vec<u32>>,
    /// Each distinct word of the texts, in lower case, numbered.
    words: HashMap<String, u32>,
    /// Every run of [`MIN_QUOTE_WORDS`] consecutive words of the texts, with the texts it
    /// is in.
    runs: HashMap<Run, Vec<u32>>,
}

impl QuotedTexts {
    /// Indexes `texts`.
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let texts: Vec<String> = texts.into_iter().map(normalize).collect();
        let mut windows: HashMap<String, Vec<u32>> = HashMap::new();
        let mut words: HashMap<String, u32> = HashMap::new();
        let mut runs: HashMap<Run, Vec<u32>> = HashMap::new();
        for (n, text) in texts.iter().enumerate() {
            let n = n as u32;
            let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            for (k, &a) in starts.iter().enumerate() {
                let b = starts.get(k + MIN_QUOTE_CHARS).copied().or(
                    // The last window ends at the end of the text.
                    (k + MIN_QUOTE_CHARS == starts.len()).then_some(text.len()),
                );
                let Some(b) = b else { break };
                let list = windows.entry(text[a..b].to_owned()).or_default();
                if list.last() != Some(&n) {
                    list.push(n);
                }
            }
            let ids: Vec<u32> = split_words(&text.to_lowercase())
                .map(|w| {
                    let next = words.len() as u32;
                    *words.entry(w.to_owned()).or_insert(next)
                })
                .collect();
            for w in ids.windows(MIN_QUOTE_WORDS) {
                let list = runs
                    .entry(Run::try_from(w).expect("windows have the run's length"))
                    .or_default();
                if list.last() != Some(&n) {
                    list.push(n);
                }
            }
        }
        Self {
            texts,
            windows,
            words,
            runs,
        }
    }

    /// For each text, in the order given, whether it quotes `transcript`, whose meaning
    /// units have the texts `units`: the same answer as [`QuoteFinder::quotes`] of a finder
    /// made of the same transcript and units.
    pub fn quoting<'a>(
        &self,
        transcript: &Transcript,
        units: impl IntoIterator<Item = &'a str>,
    ) -> Vec<bool> {
        let mut quoting = vec![false; self.texts.len()];
        if self.texts.is_empty() {
            return quoting;
        }
        for phrase in phrases_of(transcript, units) {
            // A phrase has at least MIN_QUOTE_CHARS characters: its first window.
            let Some((k, c)) = phrase.char_indices().nth(MIN_QUOTE_CHARS - 1) else {
                continue;
            };
            let first = &phrase[..k + c.len_utf8()];
            for &n in self.windows.get(first).into_iter().flatten() {
                let n = n as usize;
                quoting[n] = quoting[n] || self.texts[n].contains(phrase);
            }
        }
        known_runs(&self.words, &transcript.text().to_lowercase(), |run| {
            for &n in self.runs.get(run).into_iter().flatten() {
                quoting[n as usize] = true;
            }
            false
        });
        quoting
    }
}

/// The phrases of a transcript that a text quotes by containing one (rule 1 of the module
/// docs): its meaning units and its sentences, trimmed, of at least [`MIN_QUOTE_CHARS`]
/// characters; units first, repeats not removed.
fn phrases_of<'t, 'u: 't, U: IntoIterator<Item = &'u str>>(
    transcript: &'t Transcript,
    units: U,
) -> impl Iterator<Item = &'t str> + use<'t, 'u, U> {
    let sentences = transcript.text().split(['.', '!', '?', '\n']);
    units
        .into_iter()
        .map(|u| -> &'t str { u })
        .chain(sentences)
        .map(str::trim)
        .filter(|s| s.chars().count() >= MIN_QUOTE_CHARS)
}

/// Hands `found` each run of [`MIN_QUOTE_WORDS`] consecutive words of `lower` (a text in
/// lower case) whose words all have a number in `words`, as those numbers, until it returns
/// true; returns whether it did.
fn known_runs(
    words: &HashMap<String, u32>,
    lower: &str,
    mut found: impl FnMut(&Run) -> bool,
) -> bool {
    // The words since the last one that has no number: only such a stretch can hold a run.
    let mut stretch: Vec<u32> = Vec::new();
    for w in split_words(lower) {
        match words.get(w) {
            Some(&id) => {
                stretch.push(id);
                if stretch.len() >= MIN_QUOTE_WORDS {
                    let run = Run::try_from(&stretch[stretch.len() - MIN_QUOTE_WORDS..])
                        .expect("slice has the run's length");
                    if found(&run) {
                        return true;
                    }
                }
            }
            None => stretch.clear(),
        }
    }
    false
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

    /// [`QuotedTexts`] answers as [`QuoteFinder`] does, on the cases above and on passages of
    /// a real transcript taken whole, cut, re-cased and spliced.
    #[test]
    fn quoted_texts_agree_with_the_finder() {
        let transcript = Transcript::new(
            id("I1"),
            "Vi har for lite tid til dette arbeidet. Men gruppa gir oss nye kontakter.\n\
             I 2023 møttes Ærlige Øystein og Åse på NAV-kontoret i Tromsø sentrum! Ja. \
             Da er prosjektperioden for kort, rett og slett? Nei.",
        );
        let units = [
            "prosjektperioden",
            "  Men gruppa gir oss nye kontakter  ",
            "Ja",
        ];
        let finder = QuoteFinder::new(&transcript, units);
        let mut texts: Vec<String> = [
            "«dette arbeidet – MEN gruppa,\r\ngir oss nye kontakter!»",
            "Se: vi har for lite tid til dette arbeidet",
            "«arbeidet – MEN gruppa,\r\ngir oss nye kontakter!»",
            "vi har for lite tid xyz til dette arbeidet men",
            "i 2023 MØTTES ærlige øystein og a\u{30a}se på nav",
            "i 2024 møttes ærlige øystein og åse på nav",
            "Noen sa «Da er prosjektperioden for kort, rett og slett»",
            "Men gruppa gir oss nye kontakter",
            "men gruppa gir oss nye kontakter",
            "prosjektperioden",
            "Ja. Nei.",
            "",
        ]
        .map(str::to_owned)
        .to_vec();
        // Every stretch of the transcript from one word to another, as it is and in upper
        // case: phrases and runs of every length around the thresholds.
        let words: Vec<(usize, &str)> = transcript
            .text()
            .match_indices(|c: char| c.is_alphanumeric())
            .collect();
        for (i, &(a, _)) in words.iter().enumerate().step_by(3) {
            for &(b, w) in words.iter().skip(i).step_by(5) {
                let piece = &transcript.text()[a..b + w.len()];
                texts.push(format!("før {piece} etter"));
                texts.push(piece.to_uppercase());
            }
        }
        let quoted = QuotedTexts::new(texts.iter().map(String::as_str));
        let answers = quoted.quoting(&transcript, units);
        let mut yes = 0;
        for (text, answer) in texts.iter().zip(answers) {
            assert_eq!(answer, finder.quotes(text), "{text:?}");
            yes += usize::from(answer);
        }
        // Both answers occur, many times each.
        assert!(
            yes > 50 && texts.len() - yes > 50,
            "{yes} of {}",
            texts.len()
        );
    }
}
