//! Words as search sees them: a text split where FTS5's `unicode61` tokenizer splits it,
//! each word folded to lower case, and, in a language with a stemmer, the word's stem.
//!
//! The index of stems (`transcript_stems`, schema 18) is written from [`stems`] by triggers
//! that call the SQL function [`STEMS_FUNCTION`], so every write of a transcript keeps it
//! true, whichever path wrote it; search re-reads a candidate's words with [`words`] to place
//! its hits.

use std::borrow::Cow;

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

/// The SQL function `samskap_stems(text, language)`: the stems of the words of `text`, one
/// space between each, in the stemmer of `language` (a language tag); NULL when `language`
/// is NULL or has no stemmer.
pub(crate) const STEMS_FUNCTION: &str = "samskap_stems";

/// A word of a text: where it is, in characters (as the store counts offsets) and in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Word {
    pub start_char: usize,
    pub end_char: usize,
    pub start_byte: usize,
    pub end_byte: usize,
}

/// Whether `c` is part of a word, as for FTS5's `unicode61` tokenizer by default: a letter,
/// a number, or a private-use character. Everything else (spaces, punctuation such as `-`,
/// `.` and `'`, symbols, combining marks) separates words.
fn in_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter | GeneralCategoryGroup::Number
    ) || c.general_category() == GeneralCategory::PrivateUse
}

/// The words of `text`, in order.
pub(crate) fn words(text: &str) -> impl Iterator<Item = Word> + '_ {
    let mut chars = text.char_indices().enumerate().peekable();
    std::iter::from_fn(move || {
        let (start_char, (start_byte, _)) = chars.find(|(_, (_, c))| in_word(*c))?;
        // A word that runs to the end of the text ends at its last byte.
        let (mut end_char, mut end_byte) = (start_char + 1, text.len());
        while let Some(&(n, (b, c))) = chars.peek() {
            if !in_word(c) {
                end_byte = b;
                break;
            }
            end_char = n + 1;
            chars.next();
        }
        Some(Word {
            start_char,
            end_char,
            start_byte,
            end_byte,
        })
    })
}

/// A word folded to lower case, as the index folds it.
pub(crate) fn fold(word: &str) -> Cow<'_, str> {
    if word
        .bytes()
        .all(|b| !b.is_ascii_uppercase() && b.is_ascii())
    {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(word.chars().flat_map(char::to_lowercase).collect())
    }
}

/// A Snowball stemmer for a study's language.
#[derive(Clone, Copy)]
pub(crate) struct Stemmer(frostem::Stemmer);

impl Stemmer {
    /// The stemmer of the language `tag` names (its primary subtag): Norwegian for `nb`,
    /// `nn` and `no`; none for another language.
    pub(crate) fn of_language(tag: &str) -> Option<Self> {
        let primary = tag.split('-').next().unwrap_or_default();
        ["nb", "nn", "no"]
            .iter()
            .any(|l| primary.eq_ignore_ascii_case(l))
            .then(|| Self(frostem::Stemmer::new(frostem::Algorithm::Norwegian)))
    }

    /// The stem of a folded word. Never empty, so that each word keeps its place in the
    /// index and a phrase of stems stays a phrase.
    pub(crate) fn stem<'a>(&self, folded: &'a str) -> Cow<'a, str> {
        match self.0.stem(folded) {
            stem if stem.is_empty() => Cow::Borrowed(folded),
            stem => stem,
        }
    }
}

/// The key search compares a word by: folded, and stemmed when there is a stemmer.
pub(crate) fn key(word: &str, stemmer: Option<Stemmer>) -> String {
    let folded = fold(word);
    match stemmer {
        Some(s) => s.stem(&folded).into_owned(),
        None => folded.into_owned(),
    }
}

/// The stems of the words of `text`, one space between each: what the index of stems holds
/// for a transcript. Its tokenizer (`ascii`) splits on the spaces alone, since a stem holds
/// only the letters and digits of its word, so the n-th term is the n-th word's stem.
pub(crate) fn stems(text: &str, stemmer: Stemmer) -> String {
    let mut out = String::with_capacity(text.len());
    for w in words(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&stemmer.stem(&fold(&text[w.start_byte..w.end_byte])));
    }
    out
}

/// Makes [`STEMS_FUNCTION`] callable on `conn`, as the triggers of schema 18 need.
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        STEMS_FUNCTION,
        2,
        // Innocuous: it reads nothing but its arguments, so triggers may call it even
        // where the schema is not trusted.
        FunctionFlags::SQLITE_UTF8
            | FunctionFlags::SQLITE_DETERMINISTIC
            | FunctionFlags::SQLITE_INNOCUOUS,
        stems_sql,
    )
}

fn stems_sql(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    let stemmer = match ctx.get_raw(1) {
        ValueRef::Text(tag) => std::str::from_utf8(tag).ok().and_then(Stemmer::of_language),
        _ => None,
    };
    let Some(stemmer) = stemmer else {
        return Ok(None);
    };
    match ctx.get_raw(0) {
        ValueRef::Text(text) => std::str::from_utf8(text)
            .map(|t| Some(stems(t, stemmer)))
            .map_err(|e| rusqlite::Error::UserFunctionError(Box::new(e))),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        words(text)
            .map(|w| &text[w.start_byte..w.end_byte])
            .collect()
    }

    #[test]
    fn words_split_at_punctuation_as_the_index_does() {
        assert_eq!(split("NAV-hatt"), ["NAV", "hatt"]);
        assert_eq!(split("PP-tjenesten"), ["PP", "tjenesten"]);
        assert_eq!(split("14."), ["14"]);
        assert_eq!(split("kommune's"), ["kommune", "s"]);
        assert_eq!(split("kommune’s"), ["kommune", "s"]);
        assert_eq!(split("--"), Vec::<&str>::new());
        assert_eq!(split(" . "), Vec::<&str>::new());
        assert_eq!(split("på øya, i går!"), ["på", "øya", "i", "går"]);
        assert_eq!(split("x"), ["x"]);
        assert_eq!(split("½ ²"), ["½", "²"]);
    }

    #[test]
    fn words_are_placed_in_characters_and_bytes() {
        let text = "Å, på øya";
        let w: Vec<Word> = words(text).collect();
        assert_eq!(
            w.iter()
                .map(|w| (w.start_char, w.end_char))
                .collect::<Vec<_>>(),
            [(0, 1), (3, 5), (6, 9)]
        );
        assert_eq!(&text[w[2].start_byte..w[2].end_byte], "øya");
        assert_eq!(&text[w[0].start_byte..w[0].end_byte], "Å");
    }

    #[test]
    fn norwegian_words_share_a_stem_and_other_languages_have_none() {
        let no = Stemmer::of_language("nb-NO").unwrap();
        for word in ["kommune", "kommunen", "kommunene", "kommunens", "Kommuner"] {
            assert_eq!(key(word, Some(no)), "kommun", "{word}");
        }
        assert!(Stemmer::of_language("nn").is_some());
        assert!(Stemmer::of_language("NO").is_some());
        assert!(Stemmer::of_language("en").is_none());
        assert!(Stemmer::of_language("nbx").is_none());
        assert_eq!(key("PÅ", None), "på");
    }

    #[test]
    fn stems_keep_one_term_per_word() {
        let no = Stemmer::of_language("nb").unwrap();
        assert_eq!(stems("Kommunene, og NAV-hatten.", no), "kommun og nav hatt");
        assert_eq!(stems("", no), "");
        // However the stemmer ends, every word keeps a term.
        let text = "a e s er en ene";
        assert_eq!(stems(text, no).split(' ').count(), split(text).len());
    }
}
