//! Sources: what a study codes. An interview, a focus group, a group meeting's minutes, field
//! notes from an observation, or a document (the programme's own papers, published
//! excerpts). Each has one text, a [`Transcript`](crate::Transcript), and says who speaks in
//! it: every meaning unit of a source belongs to the informants whose words it holds, and the
//! counting analyses count those informants, not files.
//!
//! Who said what is read from **speaker turns**: a line of the text that starts with a
//! label the source declares, then a colon (`A: Vi har ikke …`), begins that speaker's turn,
//! which runs to the next turn. A unit inside a turn belongs to its speaker; a unit spanning
//! turns belongs to each; words before the first turn and in the interviewer's turns belong
//! to no informant. A source that declares no labels is all its informants' words (an
//! interview: the one informant's).

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{GroupId, InformantId, MeetingId, SourceId};
use crate::text::Span;
use crate::ModelError;

/// What kind of material a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// An interview with one informant (or more, each in their turns).
    Interview,
    /// A focus group: many speakers in one transcript.
    FocusGroup,
    /// A group meeting's minutes.
    Minutes,
    /// Field notes from an observation.
    Observation,
    /// A document: the programme's own papers, published excerpts.
    Document,
}

impl SourceKind {
    /// Every kind, in the order lists show them.
    pub const ALL: [SourceKind; 5] = [
        SourceKind::Interview,
        SourceKind::FocusGroup,
        SourceKind::Minutes,
        SourceKind::Observation,
        SourceKind::Document,
    ];

    /// The kind as written in a bundle and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Interview => "interview",
            SourceKind::FocusGroup => "focus-group",
            SourceKind::Minutes => "minutes",
            SourceKind::Observation => "observation",
            SourceKind::Document => "document",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for SourceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        SourceKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown source kind `{}`: use interview, focus-group, minutes, observation or document",
                    crate::shorten(s)
                )
            })
    }
}

/// Who speaks the turns a label marks: an informant, or the interviewer (whose words belong
/// to no informant). Written as the informant's id, or `interviewer`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Voice {
    /// An informant of the study, listed among the source's informants.
    Informant(InformantId),
    /// The interviewer, moderator or minute-taker: no informant's words.
    Interviewer,
    /// An informant who withdrew: their turns hold [`REMOVED_TURN`], no one's words.
    Withdrawn,
}

impl Voice {
    /// The word that names the interviewer in a bundle.
    pub const INTERVIEWER: &'static str = "interviewer";
    /// The word that names a speaker who withdrew.
    pub const WITHDRAWN: &'static str = "withdrawn";
}

/// What is left of a withdrawn informant's turn in a source shared with others.
pub const REMOVED_TURN: &str = "(removed: the speaker withdrew)";

impl fmt::Display for Voice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Voice::Informant(i) => write!(f, "{i}"),
            Voice::Interviewer => f.write_str(Voice::INTERVIEWER),
            Voice::Withdrawn => f.write_str(Voice::WITHDRAWN),
        }
    }
}

impl std::str::FromStr for Voice {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, ModelError> {
        match s {
            Voice::INTERVIEWER => Ok(Voice::Interviewer),
            Voice::WITHDRAWN => Ok(Voice::Withdrawn),
            _ => Ok(Voice::Informant(s.parse()?)),
        }
    }
}

/// The longest speaker label: a label is a name or an initial, not a sentence.
pub const MAX_LABEL_CHARS: usize = 32;

/// A source's description: everything but its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// Its id, unique in the study.
    pub id: SourceId,
    /// What it is.
    pub kind: SourceKind,
    /// A title, for lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// When it was made (the interview, the meeting, the document).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// The informants who speak in it, in the order given.
    pub informants: Vec<InformantId>,
    /// Turn labels and who speaks them, sorted by label. None: the whole text is the
    /// informants'.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "labels_as_map"
    )]
    pub speakers: Vec<(String, Voice)>,
    /// The resource group it comes from (a focus group's, a meeting's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupId>,
    /// The interview guide version it followed; its text may then mark where each question
    /// starts ([`crate::guide`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guide: Option<crate::guide::GuideRef>,
    /// The meeting of the facilitation record it is the minutes (or observation notes) of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting: Option<MeetingId>,
    /// Its values of the study's custom attributes declared for sources.
    #[serde(skip_serializing_if = "crate::Attributes::is_empty")]
    pub attributes: crate::Attributes,
}

fn labels_as_map<S: serde::Serializer>(v: &[(String, Voice)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(v.len()))?;
    for (label, voice) in v {
        m.serialize_entry(label, &voice.to_string())?;
    }
    m.end()
}

impl Source {
    /// An interview with one informant, named for them: what a bundle of the first layout
    /// (`transcripts/<informant>.txt`) holds.
    pub fn interview(informant: &InformantId) -> Self {
        Self {
            id: SourceId::new(informant.as_str()).expect("an informant id is a source id"),
            kind: SourceKind::Interview,
            title: None,
            date: None,
            informants: vec![informant.clone()],
            speakers: Vec::new(),
            group: None,
            guide: None,
            meeting: None,
            attributes: crate::Attributes::default(),
        }
    }

    /// True when this is what [`Source::interview`] makes for its informant: the first
    /// layout's interview (`transcripts/<informant>.txt`).
    pub fn is_plain_interview(&self) -> bool {
        matches!(self.informants.as_slice(), [i] if i.as_str() == self.id.as_str())
            && self.kind == SourceKind::Interview
            && self.title.is_none()
            && self.date.is_none()
            && self.speakers.is_empty()
            && self.group.is_none()
            && self.guide.is_none()
            && self.meeting.is_none()
            && self.attributes.is_empty()
    }

    /// Sorts the labels and checks the declaration on its own: informants listed once,
    /// labels short, one line, no colon, each once, each informant's voice listed among the
    /// informants.
    pub fn checked(mut self) -> Result<Self, ModelError> {
        let invalid = |reason: String| ModelError::InvalidSource {
            source_id: self.id.clone(),
            reason,
        };
        let mut seen = foldhash::HashSet::default();
        if let Some(i) = self.informants.iter().find(|i| !seen.insert(*i)) {
            return Err(invalid(format!("informant `{i}` is listed twice")));
        }
        self.speakers.sort_by(|a, b| a.0.cmp(&b.0));
        for (label, voice) in &self.speakers {
            let n = label.chars().count();
            if n == 0
                || n > MAX_LABEL_CHARS
                || label.trim() != label
                || label.chars().any(|c| c == ':' || c.is_control())
            {
                return Err(invalid(format!(
                    "speaker label `{}` must be 1 to {MAX_LABEL_CHARS} characters on one line, with no colon and no space at either end",
                    crate::shorten(label)
                )));
            }
            if let Voice::Informant(i) = voice {
                if !seen.contains(i) {
                    return Err(invalid(format!(
                        "speaker label `{label}` names informant `{i}`, who is not among the source's informants"
                    )));
                }
            }
        }
        if let Some(w) = self.speakers.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(invalid(format!(
                "speaker label `{}` is given twice",
                w[0].0
            )));
        }
        Ok(self)
    }

    /// Where each turn of `text` (this source's, normalised) runs and who speaks it, as
    /// positions in [`Source::informants`].
    pub fn voices(&self, text: &str) -> Voices<u32> {
        if self.speakers.is_empty() {
            return Voices::Everyone((0..self.informants.len() as u32).collect());
        }
        let position = |v: &Voice| match v {
            Voice::Informant(i) => self
                .informants
                .iter()
                .position(|x| x == i)
                .map(|p| p as u32),
            Voice::Interviewer | Voice::Withdrawn => None,
        };
        Voices::Turns(
            turn_starts(text, &self.speakers)
                .into_iter()
                .map(|(at, label)| (at, position(&self.speakers[label].1)))
                .collect(),
        )
    }
}

/// What withdrawing an informant does to a source that lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Withdrawn {
    /// It goes whole: their own, or their words cannot be told apart from others' (no
    /// turns of theirs).
    Whole,
    /// Shared with others in turns: their turns are cut out.
    Redacted(Box<Redaction>),
}

/// A source shared with others with one informant's turns cut out: each of their turns
/// keeps its label and holds [`REMOVED_TURN`] instead of their words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redaction {
    /// The declaration without them: their labels speak [`Voice::Withdrawn`].
    pub source: Source,
    /// The new text.
    pub text: crate::Transcript,
    /// Their words, each turn on a line: what a text that quotes them is found by.
    pub words: String,
    /// What was cut, in order: (start, end) in the old text, and the length put there.
    cuts: Vec<(usize, usize, usize)>,
}

impl Redaction {
    /// Where a span of the old text lies in the new one; `None` when it held any of their
    /// words.
    pub fn span(&self, old: Span) -> Option<Span> {
        let mut shift: isize = 0;
        for &(start, end, len) in &self.cuts {
            if start >= old.end() {
                break;
            }
            if end > old.start() {
                return None;
            }
            shift += len as isize - (end - start) as isize;
        }
        let start = (old.start() as isize + shift) as usize;
        Some(
            Span::new(start, start + old.len(), self.text.char_len()).expect("moved with its text"),
        )
    }
}

impl Source {
    /// What withdrawing `informant` does to this source (whose text is `text`); `None` when
    /// they are not among its informants.
    pub fn withdraw(&self, text: &crate::Transcript, informant: &InformantId) -> Option<Withdrawn> {
        let mine = self.informants.iter().position(|i| i == informant)?;
        let theirs = |v: &Voice| matches!(v, Voice::Informant(i) if i == informant);
        if self.informants.len() == 1 || !self.speakers.iter().any(|(_, v)| theirs(v)) {
            return Some(Withdrawn::Whole);
        }
        // Their labels may be their names: each gives way to a neutral one, in the text and
        // in the declaration.
        let mut renamed: Vec<Option<String>> = vec![None; self.speakers.len()];
        let mut n = 0;
        for (k, (_, v)) in self.speakers.iter().enumerate() {
            if theirs(v) {
                let name = loop {
                    n += 1;
                    let name = if n == 1 {
                        Voice::WITHDRAWN.to_owned()
                    } else {
                        format!("{}-{n}", Voice::WITHDRAWN)
                    };
                    if !self.speakers.iter().any(|(l, _)| *l == name) {
                        break name;
                    }
                };
                renamed[k] = Some(name);
            }
        }
        let old = text.text();
        let starts = turn_starts(old, &self.speakers);
        // Character offsets to bytes, once.
        let bytes: Vec<usize> = old
            .char_indices()
            .map(|(b, _)| b)
            .chain(std::iter::once(old.len()))
            .collect();
        let total = bytes.len() - 1;
        let mut cuts = Vec::new();
        let mut words = String::new();
        let mut new = String::with_capacity(old.len());
        let mut copied = 0;
        for (k, &(at, label)) in starts.iter().enumerate() {
            let Some(name) = &renamed[label] else {
                continue;
            };
            let end = starts.get(k + 1).map_or(total, |&(next, _)| next);
            let body = at + self.speakers[label].0.chars().count() + 1;
            let trailing = old[bytes[body]..bytes[end]]
                .chars()
                .rev()
                .take_while(|&c| c == '\n')
                .count();
            let body_end = (end - trailing).max(body);
            // The whole turn but its line ends: label and words.
            let put = format!("{name}: {REMOVED_TURN}");
            new.push_str(&old[bytes[copied]..bytes[at]]);
            new.push_str(&put);
            words.push_str(old[bytes[body]..bytes[body_end]].trim());
            words.push('\n');
            cuts.push((at, body_end, put.chars().count()));
            copied = body_end;
        }
        new.push_str(&old[bytes[copied]..]);
        let mut source = self.clone();
        source.informants.remove(mine);
        for (k, (label, v)) in source.speakers.iter_mut().enumerate() {
            if let Some(name) = renamed[k].take() {
                *label = name;
                *v = Voice::Withdrawn;
            }
        }
        source.speakers.sort_by(|a, b| a.0.cmp(&b.0));
        Some(Withdrawn::Redacted(Box::new(Redaction {
            text: crate::Transcript::new(self.id.clone(), &new),
            source,
            words,
            cuts,
        })))
    }
}

/// Where turns start in `text`: (character offset of the line, position of the label in
/// `speakers`), in order. A line starts a turn when it begins with a declared label and a
/// colon.
pub fn turn_starts(text: &str, speakers: &[(String, Voice)]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut chars = 0;
    for line in text.split_inclusive('\n') {
        if let Some((head, _)) = line.split_once(':') {
            if let Ok(label) = speakers.binary_search_by(|(l, _)| l.as_str().cmp(head)) {
                out.push((chars, label));
            }
        }
        chars += line.chars().count();
    }
    out
}

/// Whose words the spans of one source are, by some numbering of informants `T`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Voices<T> {
    /// The whole text is these informants' (no turns declared).
    Everyone(Vec<T>),
    /// Turns: where each starts (characters) and whose it is (`None`: no informant's), in
    /// order. A turn runs to the next; words before the first are no informant's.
    Turns(Vec<(usize, Option<T>)>),
}

impl<T: Copy + PartialEq> Voices<T> {
    /// The informants whose words `span` holds, each once, in order of their first turn.
    pub fn of(&self, span: Span, out: &mut Vec<T>) {
        out.clear();
        match self {
            Voices::Everyone(all) => out.extend_from_slice(all),
            Voices::Turns(turns) => {
                // The turn the span starts in: the last one starting at or before it.
                let first = turns.partition_point(|&(at, _)| at <= span.start());
                let from = first.saturating_sub(1);
                for &(at, who) in &turns[from..] {
                    if at >= span.end() {
                        break;
                    }
                    if let Some(w) = who {
                        if !out.contains(&w) {
                            out.push(w);
                        }
                    }
                }
                // A span wholly before the first turn belongs to no one; `from` is then the
                // first turn, which starts after the span, and the loop took nothing.
            }
        }
    }

    /// The same voices with informants renumbered.
    pub fn map<U>(&self, f: impl Fn(T) -> U) -> Voices<U> {
        match self {
            Voices::Everyone(all) => Voices::Everyone(all.iter().map(|&t| f(t)).collect()),
            Voices::Turns(turns) => {
                Voices::Turns(turns.iter().map(|&(at, w)| (at, w.map(&f))).collect())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn focus_group() -> Source {
        Source {
            id: "fg1".parse().unwrap(),
            kind: SourceKind::FocusGroup,
            title: None,
            date: None,
            informants: vec!["I1".parse().unwrap(), "I2".parse().unwrap()],
            speakers: vec![
                ("Kari".into(), "I2".parse().unwrap()),
                ("Moderator".into(), Voice::Interviewer),
                ("Ola".into(), "I1".parse().unwrap()),
            ],
            group: None,
            guide: None,
            meeting: None,
            attributes: Default::default(),
        }
        .checked()
        .unwrap()
    }

    fn span(a: usize, b: usize) -> Span {
        Span::new(a, b, 1000).unwrap()
    }

    #[test]
    fn a_unit_belongs_to_the_speakers_of_the_turns_it_touches() {
        let text =
            "Intro.\nModerator: Hva tenker dere?\nOla: Vi mangler tid.\nKari: Enig.\nOla: Ja.\n";
        let v = focus_group().voices(text);
        let at = |s: &str| text.find(s).unwrap();
        let mut out = Vec::new();
        // Before the first turn: no one.
        v.of(span(0, 5), &mut out);
        assert!(out.is_empty());
        // The moderator's question: no informant.
        v.of(span(at("Hva"), at("Hva") + 3), &mut out);
        assert!(out.is_empty());
        // Inside Ola's turn: Ola (I1, position 0).
        v.of(span(at("Vi mangler"), at("Vi mangler") + 10), &mut out);
        assert_eq!(out, [0]);
        // Spanning Ola's and Kari's turns: both, each once even over Ola's second turn.
        v.of(span(at("Vi mangler"), text.len() - 1), &mut out);
        assert_eq!(out, [0, 1]);
        // A turn starts only at the start of a line, with a declared label.
        let odd = "Ola: Jeg sa Kari: nei.\nPer: hei\n";
        let v = focus_group().voices(odd);
        assert_eq!(v, Voices::Turns(vec![(0, Some(0))]));
    }

    #[test]
    fn a_source_without_labels_is_all_its_informants_words() {
        let i1: InformantId = "I1".parse().unwrap();
        let s = Source::interview(&i1);
        assert!(s.is_plain_interview());
        let mut out = Vec::new();
        s.voices("Ola: hei").of(span(0, 3), &mut out);
        assert_eq!(out, [0]);
    }

    #[test]
    fn declarations_that_cannot_stand_are_refused() {
        let mut s = focus_group();
        s.speakers.push(("Per".into(), "I9".parse().unwrap()));
        let e = s.checked().unwrap_err().to_string();
        assert!(e.contains("`I9`, who is not among"), "{e}");
        for bad in ["", "A:B", " A", "a\nb", &"x".repeat(33)] {
            let mut s = focus_group();
            s.speakers.push((bad.to_owned(), Voice::Interviewer));
            assert!(s.checked().is_err(), "{bad:?}");
        }
        let mut s = focus_group();
        s.speakers.push(("Ola".into(), Voice::Interviewer));
        assert!(s.checked().unwrap_err().to_string().contains("given twice"));
        let mut s = focus_group();
        s.informants.push("I1".parse().unwrap());
        assert!(s
            .checked()
            .unwrap_err()
            .to_string()
            .contains("listed twice"));
        assert_eq!("focus-group".parse(), Ok(SourceKind::FocusGroup));
        assert_eq!("withdrawn".parse(), Ok(Voice::Withdrawn));
        assert!("meeting".parse::<SourceKind>().is_err());
    }

    #[test]
    fn withdrawal_cuts_their_turns_and_moves_the_rest() {
        let s = focus_group();
        let old = "Moderator: Hva tenker dere?\nOla: Vi mangler tid.\nTo linjer.\n\nKari: Enig, vi mangler folk.\nOla: Ja.\n";
        let t = crate::Transcript::new(s.id.clone(), old);
        let Some(Withdrawn::Redacted(r)) = s.withdraw(&t, &"I1".parse().unwrap()) else {
            panic!("a shared source in turns is redacted")
        };
        // Their label may be their name: it gives way too.
        assert_eq!(
            r.text.text(),
            format!("Moderator: Hva tenker dere?\nwithdrawn: {REMOVED_TURN}\n\nKari: Enig, vi mangler folk.\nwithdrawn: {REMOVED_TURN}\n")
        );
        assert_eq!(r.words, "Vi mangler tid.\nTo linjer.\nJa.\n");
        assert_eq!(
            r.source.informants,
            vec!["I2".parse::<InformantId>().unwrap()]
        );
        assert!(r
            .source
            .speakers
            .contains(&("withdrawn".into(), Voice::Withdrawn)));
        assert!(!r.source.speakers.iter().any(|(l, _)| l == "Ola"));
        let at = |s: &str| old.chars().count() - old[old.find(s).unwrap()..].chars().count();
        let kari = Span::new(at("Enig"), at("Enig") + 4, t.char_len()).unwrap();
        let moved = r.span(kari).unwrap();
        assert_eq!(r.text.slice(moved), "Enig");
        let ola = Span::new(at("Vi mangler tid"), at("Vi mangler tid") + 2, t.char_len()).unwrap();
        assert_eq!(r.span(ola), None);
        let question = Span::new(at("Hva"), at("Hva") + 3, t.char_len()).unwrap();
        assert_eq!(r.text.slice(r.span(question).unwrap()), "Hva");
        // Kari's words are hers alone now.
        let mut out = Vec::new();
        r.source.voices(r.text.text()).of(moved, &mut out);
        assert_eq!(out, [0]);
        // Their own interview, or a shared source with no turns of theirs, goes whole.
        let i1: InformantId = "I1".parse().unwrap();
        let own = Source::interview(&i1);
        assert_eq!(own.withdraw(&t, &i1), Some(Withdrawn::Whole));
        let mut untold = focus_group();
        untold.speakers.retain(|(l, _)| l != "Ola");
        assert_eq!(untold.withdraw(&t, &i1), Some(Withdrawn::Whole));
        assert_eq!(untold.withdraw(&t, &"I7".parse().unwrap()), None);
    }
}
