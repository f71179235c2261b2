//! An edited version of a transcript, and where each span of the old version lies in it.
//!
//! The two versions are diffed once ([`Revision::new`]); every span is then carried through
//! the diff's changes, kept sorted, by binary search. Re-anchoring the thousands of meaning
//! units of a long transcript costs one diff and a few comparisons per unit, not a diff or a
//! search of the text per unit.

use std::ops::Range;

use imara_diff::{Algorithm, Diff, InternedInput, Interner, Token};
use memchr::memmem;

use crate::text::{Span, TextQuote, Transcript};

/// Where a span of an old version of a transcript lies in a new version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// Its text, unchanged, is here (the same span when nothing before it changed).
    Kept(Span),
    /// Its text was edited, and at least half of it is still there: this span covers the
    /// new version of it, stretched over words inserted into it or shrunk by words deleted.
    Edited(Span),
    /// Its text is gone: its exact text, with its canonical context in the old version, is
    /// given back so that nothing is lost silently.
    Orphan(TextQuote),
}

impl Anchor {
    /// The span in the new version, unless the text is gone.
    pub fn span(&self) -> Option<Span> {
        match self {
            Anchor::Kept(s) | Anchor::Edited(s) => Some(*s),
            Anchor::Orphan(_) => None,
        }
    }
}

/// A run of the old text (`old_start..old_end`, in characters) that the new version replaces
/// by `new_start..new_end`. Either run may be empty (an insertion, a deletion).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Change {
    old_start: usize,
    old_end: usize,
    new_start: usize,
    new_end: usize,
}

/// Two versions of one transcript and the diff between them: the spans of the old version
/// are re-anchored in the new one by [`Revision::anchor_all`].
///
/// How a span is re-anchored:
///
/// 1. The diff compares words (runs of letters and digits), runs of whitespace and single
///    other characters, with the Histogram algorithm (a patience diff that anchors on the
///    rarest shared words). Where text repeats, an inserted or deleted passage could lie in
///    several places ("Setning 2 om tid. " deleted before "Setning 3 om tid." could as well
///    be "om tid. Setning 2 "); it is put where it begins and ends on sentence or paragraph
///    breaks, if it can.
/// 2. Each end of the span is carried through it. Where both versions agree, an end moves by
///    what was inserted and deleted before it. Text inserted right at an end stays outside
///    the span. An end inside changed text goes to the nearer end of what replaced it, so a
///    unit that begins or ends on a changed word takes the new word.
/// 3. If the new span's text is the old text, the text was kept (and perhaps moved).
/// 4. If not, but the old text occurs unchanged overlapping the new span, it was kept there:
///    where text repeats, a diff may put an insertion or deletion on either side of an end.
/// 5. Otherwise, if at least half of the span's characters (not counting whitespace, so that
///    re-wrapped lines count for nothing) are in text both versions share, the span was
///    edited, and the new span is its new version.
/// 6. Otherwise the diff has lost it, and it is looked for by its text as a quote is: its
///    canonical selector in the old version, then its exact text alone if that occurs once
///    in the new. A passage moved far, or cut and pasted, is found again this way.
/// 7. Otherwise it is an orphan: less than half of it survives.
pub struct Revision<'a> {
    old: &'a Transcript,
    new: &'a Transcript,
    /// In text order; the texts agree between two changes and around them.
    changes: Vec<Change>,
}

/// Characters a span the diff lost needs to be looked for by its text elsewhere in the new
/// version (see [`Revision::anchor_all`]).
const FOUND_ELSEWHERE_AT_LEAST: usize = 20;

impl<'a> Revision<'a> {
    /// Diffs `old` against `new`, once.
    pub fn new(old: &'a Transcript, new: &'a Transcript) -> Self {
        let (old_tokens, old_at) = tokens(old.text());
        let (new_tokens, new_at) = tokens(new.text());
        let mut input = InternedInput::default();
        input.reserve(old_tokens.len() as u32, new_tokens.len() as u32);
        input.update_before(old_tokens.into_iter());
        input.update_after(new_tokens.into_iter());
        let mut diff = Diff::compute(Algorithm::Histogram, &input);
        diff.postprocess_with_heuristic(&input, |tokens: &[Token], hunk, earliest_end| {
            best_slider_end(&input.interner, tokens, hunk, earliest_end)
        });
        let changes = diff
            .hunks()
            .map(|h| Change {
                old_start: old_at[h.before.start as usize],
                old_end: old_at[h.before.end as usize],
                new_start: new_at[h.after.start as usize],
                new_end: new_at[h.after.end as usize],
            })
            .collect();
        Self { old, new, changes }
    }

    /// True when the two versions have the same text.
    pub fn is_unchanged(&self) -> bool {
        self.changes.is_empty()
    }

    /// Where each of `spans` (of the old version) lies in the new version, in the same order
    /// (see [`Revision`] for the rules). The spans the diff loses are looked for by their
    /// text together, in one pass over the new text.
    pub fn anchor_all(&self, spans: &[Span]) -> Vec<Anchor> {
        let mut found: Vec<Option<Anchor>> = spans.iter().map(|&s| self.follow(s)).collect();
        // A lost span too short to tell apart from the same few words said elsewhere ("Ja,
        // absolutt.", perhaps by another speaker) is an orphan, which the user sees, rather
        // than a coding moved silently onto someone else's words.
        for (i, &span) in spans.iter().enumerate() {
            if found[i].is_none() && span.len() < FOUND_ELSEWHERE_AT_LEAST {
                found[i] = Some(Anchor::Orphan(self.old.selector(span)));
            }
        }
        let lost: Vec<usize> = (0..spans.len()).filter(|&i| found[i].is_none()).collect();
        if lost.is_empty() {
            return found.into_iter().flatten().collect();
        }
        let lost_spans: Vec<Span> = lost.iter().map(|&i| spans[i]).collect();
        let selectors = self.old.selectors(&lost_spans);
        let refs: Vec<&TextQuote> = selectors.iter().collect();
        let by_selector = self.new.locate_all_quietly(&refs);
        let exacts: Vec<TextQuote> = selectors
            .iter()
            .map(|q| TextQuote::exact(q.exact.clone()))
            .collect();
        let refs: Vec<&TextQuote> = exacts.iter().collect();
        let by_exact = self.new.locate_all_quietly(&refs);
        for (k, i) in lost.into_iter().enumerate() {
            found[i] = Some(match (&by_selector[k], &by_exact[k]) {
                (Ok(at), _) | (Err(_), Ok(at)) => Anchor::Kept(*at),
                (Err(_), Err(_)) => Anchor::Orphan(selectors[k].clone()),
            });
        }
        found
            .into_iter()
            .map(|a| a.expect("every span is settled"))
            .collect()
    }

    /// [`Revision::anchor_all`] of one span.
    pub fn anchor(&self, span: Span) -> Anchor {
        self.anchor_all(&[span]).pop().expect("one answer per span")
    }

    /// Rules 2 to 5 of [`Revision`]; `None` when the diff lost the span.
    fn follow(&self, span: Span) -> Option<Anchor> {
        let (start, end) = (self.map_start(span.start()), self.map_end(span.end()));
        let old_text = self.old.slice(span);
        if start < end && self.new.slice_chars(start, end) == old_text {
            return Some(Anchor::Kept(self.new_span(start, end)));
        }
        if let Some(at) = self.unchanged_overlapping(old_text, start, end) {
            return Some(Anchor::Kept(at));
        }
        let (start, end) = self.trim_like(old_text, start, end);
        (start < end && self.survives(span)).then(|| Anchor::Edited(self.new_span(start, end)))
    }

    /// `start..end` of the new text without the whitespace at either end that `old` has
    /// not there: a unit that ended on a sentence does not gain the space after it because
    /// the diff deleted the next sentence with the space before it or after it.
    fn trim_like(&self, old: &str, start: usize, end: usize) -> (usize, usize) {
        if start >= end {
            return (start, end);
        }
        let text = self.new.slice_chars(start, end);
        let space = |c: &char| c.is_whitespace();
        let lead = match old.chars().next() {
            Some(c) if !c.is_whitespace() => text.chars().take_while(space).count(),
            _ => 0,
        };
        let trail = match old.chars().next_back() {
            Some(c) if !c.is_whitespace() => text.chars().rev().take_while(space).count(),
            _ => 0,
        };
        // All whitespace: nothing is left.
        (start + lead, (end - trail).max(start + lead))
    }

    fn new_span(&self, start: usize, end: usize) -> Span {
        self.new
            .span(start, end)
            .expect("a mapped span lies inside the new text")
    }

    /// The last change that starts before `at` (or at `at`, when `inclusive`), by binary
    /// search.
    fn last_change(&self, at: usize, inclusive: bool) -> Option<&Change> {
        let k = self
            .changes
            .partition_point(|c| c.old_start < at || (inclusive && c.old_start == at));
        k.checked_sub(1).map(|k| &self.changes[k])
    }

    /// Where a span starting at old offset `at` starts in the new text.
    fn map_start(&self, at: usize) -> usize {
        let Some(c) = self.last_change(at, true) else {
            return at;
        };
        if at >= c.old_end {
            // After the change (an insertion right at `at` included): shifted by all before.
            at - c.old_end + c.new_end
        } else if at - c.old_start <= c.old_end - at {
            c.new_start
        } else {
            c.new_end
        }
    }

    /// Where a span ending at old offset `at` ends in the new text. A change that starts at
    /// `at` lies after the span (an insertion there stays outside it).
    fn map_end(&self, at: usize) -> usize {
        let Some(c) = self.last_change(at, false) else {
            return at;
        };
        if at >= c.old_end {
            at - c.old_end + c.new_end
        } else if at - c.old_start >= c.old_end - at {
            c.new_end
        } else {
            c.new_start
        }
    }

    /// Rule 4 of [`Revision`]: where `text` occurs in the new version overlapping
    /// `start..end` (the most overlapping occurrence, the first of equals). Only the stretch
    /// of new text that such an occurrence can lie in is searched.
    fn unchanged_overlapping(&self, text: &str, start: usize, end: usize) -> Option<Span> {
        if start >= end {
            return None;
        }
        let len = text.chars().count();
        let from = start.saturating_sub(len - 1);
        let to = (end + len - 1).min(self.new.char_len());
        let window_start = self.new.byte_at(from);
        let window = self.new.slice_chars(from, to);
        memmem::find_iter(window.as_bytes(), text.as_bytes())
            .map(|byte| {
                let at = self.new.char_at(window_start + byte);
                let overlap = (at + len).min(end).saturating_sub(at.max(start));
                (overlap, at)
            })
            .filter(|&(overlap, _)| overlap > 0)
            // The greatest overlap; of equals, the first (max_by_key keeps the last).
            .min_by_key(|&(overlap, at)| (std::cmp::Reverse(overlap), at))
            .map(|(_, at)| self.new_span(at, at + len))
    }

    /// Rule 5 of [`Revision`]: at least half of the span's characters (whitespace not
    /// counted, unless the span is all whitespace) lie in text both versions share.
    fn survives(&self, span: Span) -> bool {
        let whole = self.old.slice(span);
        let solid = |s: &str| s.chars().filter(|c| !c.is_whitespace()).count();
        let all_space = solid(whole) == 0;
        let count = |s: &str| {
            if all_space {
                s.chars().count()
            } else {
                solid(s)
            }
        };
        let total = count(whole);
        let first = self.changes.partition_point(|c| c.old_end <= span.start());
        let changed: usize = self.changes[first..]
            .iter()
            .take_while(|c| c.old_start < span.end())
            .map(|c| {
                let (a, b) = (c.old_start.max(span.start()), c.old_end.min(span.end()));
                if a < b {
                    count(self.old.slice_chars(a, b))
                } else {
                    0
                }
            })
            .sum();
        2 * (total - changed) >= total
    }
}

impl Transcript {
    /// Where `span` of this (old) version lies in `new` (see [`Revision`]). Each call diffs
    /// the two versions: for many spans, use [`Revision::anchor_all`].
    pub fn reanchor(&self, span: Span, new: &Transcript) -> Anchor {
        Revision::new(self, new).anchor(span)
    }
}

/// Where a pure insertion or deletion of `hunk` (tokens of one side, slid as far down as
/// it goes; it can slide up until it ends at `earliest_end`) is best put: the place whose
/// two ends lie on the strongest breaks (see [`break_strength`]), the lowest of equals, among
/// the last hundred places (a long run of one repeated word is not searched through).
fn best_slider_end(
    interner: &Interner<&str>,
    tokens: &[Token],
    hunk: Range<u32>,
    earliest_end: u32,
) -> u32 {
    const MAX_SLIDING: u32 = 100;
    let size = hunk.end - hunk.start;
    let strength = |end: u32| {
        break_strength(interner, tokens, (end - size) as usize)
            + break_strength(interner, tokens, end as usize)
    };
    let first = earliest_end.max(hunk.end.saturating_sub(MAX_SLIDING));
    let mut best = (strength(hunk.end), hunk.end);
    for end in (first..hunk.end).rev() {
        let s = strength(end);
        if s > best.0 {
            best = (s, end);
        }
    }
    best.1
}

/// How strong a break lies before token `at`: 4 at either end of the text, 3 at a line
/// break, 2 at a space after the end of a sentence, 1 at a space between words, 0 inside a
/// word or between a word and its punctuation.
fn break_strength(interner: &Interner<&str>, tokens: &[Token], at: usize) -> u8 {
    if at == 0 || at >= tokens.len() {
        return 4;
    }
    // Whitespace tokens are all whitespace, so the first character tells.
    let space = |t: &str| t.starts_with(char::is_whitespace);
    let closes = |t: &str| {
        matches!(
            t,
            "." | "!" | "?" | "…" | ":" | ";" | "»" | "\"" | "”" | ")"
        )
    };
    let (before, after) = (interner[tokens[at - 1]], interner[tokens[at]]);
    if (space(before) && before.contains('\n')) || (space(after) && after.contains('\n')) {
        3
    } else if (space(after) && closes(before))
        || (space(before) && at >= 2 && closes(interner[tokens[at - 2]]))
    {
        2
    } else if space(before) || space(after) {
        1
    } else {
        0
    }
}

/// The diff's tokens of `text`: each run of letters and digits (a word), each run of
/// whitespace, and each other character alone; with the character offset of each token
/// and, last, the text's length in characters.
fn tokens(text: &str) -> (Vec<&str>, Vec<usize>) {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Word,
        Space,
        Other,
    }
    let class = |c: char| {
        if c.is_alphanumeric() {
            Class::Word
        } else if c.is_whitespace() {
            Class::Space
        } else {
            Class::Other
        }
    };
    let mut tokens = Vec::new();
    let mut at = Vec::new();
    let mut current: Option<(Class, usize)> = None; // class and byte start of the open token
    let mut chars = 0;
    for (byte, c) in text.char_indices() {
        let k = class(c);
        match current {
            Some((open, _)) if open == k && k != Class::Other => {}
            _ => {
                if let Some((_, from)) = current {
                    tokens.push(&text[from..byte]);
                }
                current = Some((k, byte));
                at.push(chars);
            }
        }
        chars += 1;
    }
    if let Some((_, from)) = current {
        tokens.push(&text[from..]);
    }
    at.push(chars);
    (tokens, at)
}

/// The part of `old` and `new` that differs, with up to `context` characters of the text
/// they share on each side, each cut to at most `room` characters around the change: for
/// saying what an edit did to a passage in one line ("…vi mangler tid…" → "…vi savner
/// tid…"). `…` marks text left out.
pub fn edit_excerpts(old: &str, new: &str, context: usize, room: usize) -> (String, String) {
    let a: Vec<char> = old.chars().collect();
    let b: Vec<char> = new.chars().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    // The context begins and ends on whole words where it can.
    let mut from = prefix.saturating_sub(context);
    if from > 0 {
        if let Some(space) = a[from..prefix].iter().position(|c| c.is_whitespace()) {
            from += space + 1;
        }
    }
    let excerpt = |s: &[char]| {
        let changed_end = s.len() - suffix;
        let mut to = (changed_end + context).min(s.len());
        if to < s.len() {
            if let Some(space) = s[changed_end..to].iter().rposition(|c| c.is_whitespace()) {
                to = changed_end + space;
            }
        }
        let mut out = String::new();
        if from > 0 {
            out.push('…');
        }
        if to - from > room {
            // Too long a change: its start and its end, the middle left out.
            let half = room / 2;
            out.extend(&s[from..from + half]);
            out.push('…');
            out.extend(&s[to - (room - half)..to]);
        } else {
            out.extend(&s[from..to]);
        }
        if to < s.len() {
            out.push('…');
        }
        out
    };
    (excerpt(&a), excerpt(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Transcript {
        Transcript::new("I1".parse().unwrap(), text)
    }

    fn at(tr: &Transcript, exact: &str) -> Span {
        tr.locate(&TextQuote::exact(exact)).unwrap()
    }

    /// Asserts that `passage` (once in each version) is kept, at its place in `new`.
    fn kept(old: &Transcript, new: &Transcript, passage: &str) {
        let unit = at(old, passage);
        assert_eq!(
            old.reanchor(unit, new),
            Anchor::Kept(at(new, passage)),
            "{passage}"
        );
    }

    #[test]
    fn a_short_unit_gone_from_its_place_is_not_moved_onto_the_same_words_elsewhere() {
        let old =
            t("Ola: Vi møtes oftere nå.\nKari: Ja, absolutt.\nOla: Og tiden strekker ikke til.");
        let new = t("Ola: Vi møtes oftere nå.\nOla: Og tiden strekker ikke til. Ja, absolutt.");
        let yes = at(&old, "Ja, absolutt.");
        assert!(matches!(old.reanchor(yes, &new), Anchor::Orphan(_)));
        // A longer passage cut and pasted further on is still found by its text.
        kept(&old, &new, "Og tiden strekker ikke til.");
    }

    /// The new span and its text, or the orphan's exact text.
    fn follow(old: &Transcript, new: &Transcript, span: Span) -> (&'static str, String) {
        match old.reanchor(span, new) {
            Anchor::Kept(s) => ("kept", new.slice(s).to_owned()),
            Anchor::Edited(s) => ("edited", new.slice(s).to_owned()),
            Anchor::Orphan(q) => ("orphan", q.exact),
        }
    }

    /// 470 characters of one informant's answer, as in the report that led here.
    const LONG: &str = "Det jeg synes har vært viktigst i ressursgruppa er at vi faktisk har \
        fått møtes på tvers av tjenestene, og at vi har fått snakke om de samme ungdommene \
        uten at det har blitt en ny runde med skjemaer. Før satt vi hver for oss, \
        helsesøster på sitt kontor og barnevernet på sitt, og vi visste egentlig ikke hva \
        de andre holdt på med. Nå ringer vi hverandre. Det er ikke stort, men det har \
        gjort at ungdommene slipper å fortelle historia sin tre ganger til tre forskjellige.";

    #[test]
    fn a_one_word_edit_inside_a_long_unit_keeps_it_stretched() {
        assert_eq!(LONG.chars().count(), 470);
        let old = t(&format!(
            "Intervjuer: Hva har betydd mest?\n\nI1: {LONG}\n\nIntervjuer: Takk."
        ));
        let edited = LONG.replace("egentlig ikke", "egentlig slett ikke");
        let new = t(&format!(
            "Intervjuer: Hva har betydd mest?\n\nI1: {edited}\n\nIntervjuer: Takk."
        ));
        let unit = at(&old, LONG);
        let r = Revision::new(&old, &new);
        let Anchor::Edited(span) = r.anchor(unit) else {
            panic!("{:?}", r.anchor(unit));
        };
        assert_eq!(new.slice(span), edited);
        assert_eq!((span.start(), span.len()), (unit.start(), 476));
        // A changed word is replaced, not only added to.
        let swapped = LONG.replace("ringer", "mailer");
        let new = t(&format!(
            "Intervjuer: Hva har betydd mest?\n\nI1: {swapped}\n\nIntervjuer: Takk."
        ));
        assert_eq!(follow(&old, &new, unit), ("edited", swapped.clone()));
        // A word deleted shrinks it; the sentence before it is untouched and keeps its place.
        let cut = LONG.replace(" faktisk", "");
        let new = t(&format!(
            "Intervjuer: Hva har betydd mest?\n\nI1: {cut}\n\nIntervjuer: Takk."
        ));
        assert_eq!(follow(&old, &new, unit), ("edited", cut));
        let question = at(&old, "Hva har betydd mest?");
        assert_eq!(old.reanchor(question, &new), Anchor::Kept(question));
    }

    #[test]
    fn a_paragraph_inserted_before_a_unit_moves_it() {
        let old = t("Innledning.\n\nVi mangler tid. Alle har det travelt.\n\nSlutt.");
        let new = t("Innledning.\n\nEt nytt avsnitt om noe annet.\n\nVi mangler tid. Alle har det travelt.\n\nSlutt.");
        let unit = at(&old, "Vi mangler tid.");
        let moved = old.reanchor(unit, &new);
        assert_eq!(moved, Anchor::Kept(at(&new, "Vi mangler tid.")));
        assert_eq!(moved.span().unwrap().start(), unit.start() + 31);
        // The unit before the insertion stays where it was.
        let intro = at(&old, "Innledning.");
        assert_eq!(old.reanchor(intro, &new), Anchor::Kept(intro));
    }

    #[test]
    fn an_insertion_that_repeats_a_units_opening_stays_outside_it() {
        // Between sentences, the inserted sentence is put on the sentence breaks.
        let old = t("A. Vi mangler tid. B.");
        let new = t("A. Vi sa noe. Vi mangler tid. B.");
        kept(&old, &new, "Vi mangler tid.");
        // Inside a sentence no break tells, and the diff may put "penger, vi mangler " inside
        // the unit; its text, unchanged right there, keeps it as it was.
        let old = t("Vi mangler tid.");
        let new = t("Vi mangler penger, vi mangler tid.");
        kept(&old, &new, "mangler tid.");
        // And a deletion likewise.
        let (old, new) = (new, old);
        kept(&old, &new, "mangler tid.");
        let (old, new) = (
            t("A. Vi sa noe. Vi mangler tid. B."),
            t("A. Vi mangler tid. B."),
        );
        kept(&old, &new, "Vi mangler tid.");
    }

    #[test]
    fn a_deleted_paragraph_orphans_its_unit() {
        let old = t("Først dette.\n\nRessursgruppa kobler oss på tvers.\n\nSå det.");
        let new = t("Først dette.\n\nSå det.");
        let unit = at(&old, "Ressursgruppa kobler oss på tvers.");
        assert_eq!(
            follow(&old, &new, unit),
            ("orphan", "Ressursgruppa kobler oss på tvers.".to_owned())
        );
        // Rewritten all through, sharing only small words: less than half survives.
        let new = t("Først dette.\n\nGruppa gjør at vi samarbeider mer.\n\nSå det.");
        assert_eq!(follow(&old, &new, unit).0, "orphan");
        // All of the text gone.
        assert_eq!(follow(&old, &t(""), unit).0, "orphan");
        // Half or more survives: kept, as edited.
        let new = t("Først dette.\n\nRessursgruppa kobler oss sammen.\n\nSå det.");
        assert_eq!(
            follow(&old, &new, unit),
            ("edited", "Ressursgruppa kobler oss sammen.".to_owned())
        );
    }

    #[test]
    fn a_deleted_sentence_that_opens_like_the_next_is_put_on_sentence_breaks() {
        // Slid as far down as it goes, the deletion would be "Per. Vi mangler tid og folk,
        // sa ", and Per's unit would become the opening of Kari's.
        let old = t("Før. Vi mangler tid og folk, sa Per. Vi mangler tid og folk, sa Kari. Slutt.");
        let new = t("Før. Vi mangler tid og folk, sa Kari. Slutt.");
        let per = at(&old, "Vi mangler tid og folk, sa Per.");
        assert_eq!(follow(&old, &new, per).0, "orphan");
        kept(&old, &new, "Vi mangler tid og folk, sa Kari.");
    }

    #[test]
    fn a_sentence_deleted_from_a_unit_shrinks_it_without_the_space_before_it() {
        let old = t("Før. Vi mangler tid til møtene. Vi mangler folk. Etter.");
        let new = t("Før. Vi mangler tid til møtene. Etter.");
        let unit = at(&old, "Vi mangler tid til møtene. Vi mangler folk.");
        assert_eq!(
            follow(&old, &new, unit),
            ("edited", "Vi mangler tid til møtene.".to_owned())
        );
        let folk = at(&old, "Vi mangler folk.");
        assert_eq!(follow(&old, &new, folk).0, "orphan");
        // Less than half left (13 of 27 characters other than spaces): an orphan.
        let unit = at(
            &t("Før. Vi mangler tid. Vi mangler folk. Etter."),
            "Vi mangler tid. Vi mangler folk.",
        );
        let old = t("Før. Vi mangler tid. Vi mangler folk. Etter.");
        let new = t("Før. Vi mangler tid. Etter.");
        assert_eq!(follow(&old, &new, unit).0, "orphan");
    }

    #[test]
    fn whitespace_only_edits_keep_every_word() {
        let old = t("Første linje.\nVi har  for lite\ntid til møtene. Slutt.");
        let new = t("Første linje.\n\nVi har for lite tid til møtene.   Slutt.");
        let unit = at(&old, "Vi har  for lite\ntid til møtene.");
        assert_eq!(
            follow(&old, &new, unit),
            ("edited", "Vi har for lite tid til møtene.".to_owned())
        );
        kept(&old, &new, "Slutt.");
    }

    #[test]
    fn offsets_are_characters_in_text_that_is_not_ascii() {
        let old = t("Æ. Ørnulf sa: «vi så på æøå 🙂 og så på det igjen».");
        let new = t("Æ, Å og Ø. Ørnulf sa: «vi så på blåbær 🙂 og så på det igjen».");
        let unit = at(&old, "«vi så på æøå 🙂 og så på det igjen»");
        assert_eq!(
            follow(&old, &new, unit),
            (
                "edited",
                "«vi så på blåbær 🙂 og så på det igjen»".to_owned()
            )
        );
        let name = at(&old, "Ørnulf");
        let kept = old.reanchor(name, &new);
        assert_eq!(kept, Anchor::Kept(new.span(11, 17).unwrap()));
        // A decomposed å in the new file is the same text.
        let new = t("Æ. Ørnulf sa: «vi sa\u{30a} på æøå 🙂 og så på det igjen».");
        assert_eq!(old.reanchor(unit, &new), Anchor::Kept(unit));
    }

    #[test]
    fn a_passage_moved_elsewhere_is_found_by_its_text() {
        let old = t("Første del om møter.\n\nAndre del om tid.\n\nTredje del om penger.");
        let new = t("Tredje del om penger.\n\nFørste del om møter.\n\nAndre del om tid.");
        for passage in [
            "Første del om møter.",
            "Andre del om tid.",
            "Tredje del om penger.",
        ] {
            kept(&old, &new, passage);
        }
        // Moved and now repeated: not knowable, so an orphan with its context.
        let new = t("Andre del om tid.\n\nFørste del om møter.\n\nAndre del om tid.");
        let unit = at(&old, "Tredje del om penger.");
        match old.reanchor(unit, &new) {
            Anchor::Orphan(q) => assert_eq!(q.exact, "Tredje del om penger."),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn many_spans_one_diff() {
        let sentences: Vec<String> = (0..2000)
            .map(|i| format!("Setning {i} om tid og tillit på tvers."))
            .collect();
        let old = t(&sentences.join(" "));
        let mut edited = sentences.clone();
        edited.insert(0, "Ny innledning.".to_owned());
        edited[501] = edited[501].replace("tillit", "stor tillit");
        edited.remove(1501);
        let new = t(&edited.join(" "));
        let spans: Vec<Span> = sentences.iter().map(|s| at(&old, s)).collect();
        let r = Revision::new(&old, &new);
        let anchors = r.anchor_all(&spans);
        for (i, (s, a)) in sentences.iter().zip(&anchors).enumerate() {
            match (i, a) {
                (500, Anchor::Edited(span)) => assert_eq!(new.slice(*span), edited[501]),
                (1500, Anchor::Orphan(q)) => assert_eq!(&q.exact, s),
                (500 | 1500, other) => panic!("{i}: {other:?}"),
                (_, Anchor::Kept(span)) => assert_eq!(new.slice(*span), s),
                (_, other) => panic!("{i}: {other:?}"),
            }
        }
        assert!(!r.is_unchanged());
        assert!(Revision::new(&old, &old).is_unchanged());
    }

    #[test]
    fn excerpts_show_the_change_with_some_context() {
        let (a, b) = edit_excerpts(
            "Før satt vi hver for oss, og vi visste egentlig ikke hva de andre holdt på med.",
            "Før satt vi hver for oss, og vi visste egentlig slett ikke hva de andre holdt på med.",
            10,
            60,
        );
        assert_eq!(a, "…egentlig ikke hva…");
        assert_eq!(b, "…egentlig slett ikke hva…");
        let (a, b) = edit_excerpts("ab", "abc", 10, 60);
        assert_eq!((a.as_str(), b.as_str()), ("ab", "abc"));
        let long = "x".repeat(100);
        let (a, b) = edit_excerpts("Start.", &format!("Start. {long}"), 3, 20);
        assert_eq!(a, "…rt.");
        assert_eq!(b, format!("…rt. {}…{}", "x".repeat(6), "x".repeat(10)));
    }
}
