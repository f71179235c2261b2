//! Interview guides: the questions a study's interviews followed, grouped by theme, in
//! numbered versions (a guide is revised: the thesis reworded its guide for the
//! coordinator's interview). A source may say which version it followed
//! ([`Source::guide`](crate::Source::guide)) and mark in its text where each question starts.
//!
//! **Question marks**: in a source that follows a guide version, a line of its text that
//! starts with `[QID]` (the id of a question of that version, in square brackets) starts that
//! question's section, which runs to the next mark; words before the first mark are in no
//! question's section. A bracketed word that is not a question of the version (`[latter]`,
//! `[inaudible]`) is the transcriber's and marks nothing.

use foldhash::HashSet;
use serde::Serialize;

use crate::ids::{GuideId, QuestionId};
use crate::ModelError;

/// An interview guide with its versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Guide {
    /// Its id, unique in the study.
    pub id: GuideId,
    /// Its title, for lists.
    pub title: String,
    /// Its versions, numbered 1, 2, … in this order.
    pub versions: Vec<GuideVersion>,
}

/// One version of a guide: its themes and their questions, in the order asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuideVersion {
    /// Its number: 1 for the first, then 2, … with no gap.
    pub version: u32,
    /// What changed, or for whom it was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Its themes, in order.
    pub themes: Vec<Theme>,
}

/// A theme of a guide version and its questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Theme {
    /// The theme's heading.
    pub title: String,
    /// Its questions, in order.
    pub questions: Vec<Question>,
}

/// A question of a guide version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    /// Its id, unique within its version; the same id in two versions is the same question
    /// (perhaps reworded).
    pub id: QuestionId,
    /// Its wording.
    pub text: String,
}

/// Which guide version a source followed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct GuideRef {
    /// The guide.
    pub guide: GuideId,
    /// Its version.
    pub version: u32,
}

/// Where in a guide a problem lies, by positions: the guide itself, a version, a theme of a
/// version, a question of a theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuidePlace {
    /// The guide's own fields.
    Guide,
    /// A version, by position.
    Version(usize),
    /// A theme of a version.
    Theme(usize, usize),
    /// A question of a theme of a version.
    Question(usize, usize, usize),
}

/// The longest guide title, theme heading or question: a question is a paragraph at most.
pub const MAX_GUIDE_TEXT_CHARS: usize = 2000;

impl Guide {
    /// Checks the guide on its own: a title, at least one version, versions numbered 1..n in
    /// order, in each version question ids unique and no theme or question without text, no
    /// theme without a question.
    pub fn checked(self) -> Result<Self, ModelError> {
        let invalid =
            |place: GuidePlace, field: &'static str, reason: String| ModelError::InvalidGuide {
                guide: self.id.clone(),
                place,
                field,
                reason,
            };
        let text = |place: GuidePlace, field: &'static str, what: &str, t: &str| {
            if t.trim().is_empty() {
                return Err(invalid(place, field, format!("{what} is empty")));
            }
            if t.chars().count() > MAX_GUIDE_TEXT_CHARS {
                return Err(invalid(
                    place,
                    field,
                    format!("{what} is longer than {MAX_GUIDE_TEXT_CHARS} characters"),
                ));
            }
            Ok(())
        };
        text(GuidePlace::Guide, "title", "the title", &self.title)?;
        if self.versions.is_empty() {
            return Err(invalid(
                GuidePlace::Guide,
                "id",
                "it has no version: give it version 1".into(),
            ));
        }
        for (k, v) in self.versions.iter().enumerate() {
            let here = GuidePlace::Version(k);
            let expected = k as u32 + 1;
            if v.version != expected {
                return Err(invalid(
                    here,
                    "version",
                    format!(
                        "version {} is in place {expected}: number versions 1, 2, … in order, with no gap",
                        v.version
                    ),
                ));
            }
            if let Some(note) = &v.note {
                text(
                    here,
                    "note",
                    &format!("the note of version {expected}"),
                    note,
                )?;
            }
            if v.themes.is_empty() {
                return Err(invalid(
                    here,
                    "version",
                    format!("version {expected} has no theme"),
                ));
            }
            let mut seen = HashSet::default();
            for (t, theme) in v.themes.iter().enumerate() {
                let here = GuidePlace::Theme(k, t);
                text(
                    here,
                    "title",
                    &format!("theme {} of version {expected}", t + 1),
                    &theme.title,
                )?;
                if theme.questions.is_empty() {
                    return Err(invalid(
                        here,
                        "title",
                        format!(
                            "theme `{}` of version {expected} has no question",
                            crate::shorten(&theme.title)
                        ),
                    ));
                }
                for (n, q) in theme.questions.iter().enumerate() {
                    let here = GuidePlace::Question(k, t, n);
                    if !seen.insert(&q.id) {
                        return Err(invalid(
                            here,
                            "id",
                            format!("question `{}` is given twice in version {expected}", q.id),
                        ));
                    }
                    text(
                        here,
                        "text",
                        &format!("question `{}` of version {expected}", q.id),
                        &q.text,
                    )?;
                }
            }
        }
        Ok(self)
    }

    /// Version `n`, if the guide has it.
    pub fn version(&self, n: u32) -> Option<&GuideVersion> {
        self.versions.get(usize::try_from(n).ok()?.checked_sub(1)?)
    }
}

impl GuideVersion {
    /// Its questions in order, each with the position of its theme.
    pub fn questions(&self) -> impl Iterator<Item = (usize, &Question)> {
        self.themes
            .iter()
            .enumerate()
            .flat_map(|(t, theme)| theme.questions.iter().map(move |q| (t, q)))
    }
}

/// Where question sections start in `text` (a source's, normalised) that follows `version`:
/// (character offset of the marked line, position of the question in
/// [`GuideVersion::questions`]), in order. A line starts a section when it begins with `[`,
/// a question id of the version and `]`.
pub fn question_starts(text: &str, version: &GuideVersion) -> Vec<(usize, usize)> {
    // The version's ids once, so that each line costs a look-up, not a scan.
    let ids: foldhash::HashMap<&str, usize> = version
        .questions()
        .enumerate()
        .map(|(k, (_, q))| (q.id.as_str(), k))
        .collect();
    let mut out = Vec::new();
    let mut chars = 0;
    for line in text.split_inclusive('\n') {
        let id = line
            .strip_prefix('[')
            .and_then(|rest| rest.split_once(']'))
            .map(|(id, _)| id);
        if let Some(&k) = id.and_then(|id| ids.get(id)) {
            out.push((chars, k));
        }
        chars += line.chars().count();
    }
    out
}

/// The section a span starting at `start` lies in, given `starts` from [`question_starts`]:
/// the question of the last mark at or before it, or none before the first mark.
pub fn section_at(starts: &[(usize, usize)], start: usize) -> Option<usize> {
    let after = starts.partition_point(|&(at, _)| at <= start);
    after.checked_sub(1).map(|k| starts[k].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn guide() -> Guide {
        let q = |id: &str, text: &str| Question {
            id: id.parse().unwrap(),
            text: text.into(),
        };
        Guide {
            id: "g".parse().unwrap(),
            title: "Guide".into(),
            versions: vec![GuideVersion {
                version: 1,
                note: None,
                themes: vec![
                    Theme {
                        title: "Om deg".into(),
                        questions: vec![q("q1", "Hva gjør du?")],
                    },
                    Theme {
                        title: "Gruppa".into(),
                        questions: vec![q("q2", "Hva er nytt?"), q("q3", "Utfordringer?")],
                    },
                ],
            }],
        }
    }

    #[test]
    fn marks_start_sections_that_run_to_the_next() {
        let g = guide().checked().unwrap();
        let v = g.version(1).unwrap();
        let text = "Intro.\n[q2] Hva er nytt?\nSvar.\n[latter] ja\n x [q1]\n[q1]\nSvar igjen.\n";
        let starts = question_starts(text, v);
        let at = |s: &str| text.find(s).unwrap();
        assert_eq!(starts, vec![(at("[q2]"), 1), (at("[q1]\nSvar"), 0)]);
        assert_eq!(section_at(&starts, 0), None);
        assert_eq!(section_at(&starts, at("Svar.")), Some(1));
        assert_eq!(section_at(&starts, at("[latter]")), Some(1));
        assert_eq!(section_at(&starts, at("Svar igjen")), Some(0));
        assert_eq!(v.questions().map(|(t, _)| t).collect::<Vec<_>>(), [0, 1, 1]);
    }

    #[test]
    fn guides_that_cannot_stand_are_refused() {
        let refused = |change: &dyn Fn(&mut Guide)| {
            let mut g = guide();
            change(&mut g);
            g.checked().unwrap_err().to_string()
        };
        assert!(refused(&|g| g.versions[0].version = 2).contains("in place 1"));
        assert!(refused(&|g| g.versions.clear()).contains("no version"));
        assert!(
            refused(&|g| g.versions[0].themes[1].questions[1].id = "q2".parse().unwrap())
                .contains("`q2` is given twice")
        );
        assert!(refused(&|g| g.versions[0].themes[0].title = " ".into()).contains("empty"));
        assert!(refused(&|g| g.versions[0].themes[0].questions.clear()).contains("no question"));
        assert!(refused(&|g| g.versions[0].note = Some(String::new())).contains("note"));
        assert!(refused(&|g| g.title = "x".repeat(MAX_GUIDE_TEXT_CHARS + 1)).contains("longer"));
        let mut two = guide();
        let mut v2 = two.versions[0].clone();
        v2.version = 2;
        two.versions.push(v2);
        assert!(two.clone().checked().is_ok());
        assert_eq!(two.version(2).unwrap().version, 2);
        assert!(two.version(0).is_none() && two.version(3).is_none());
    }
}
