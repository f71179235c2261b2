//! The study aggregate: every part of a study, with the references between them checked as
//! they are added, so a `Study` value is always consistent.

use std::collections::HashMap;

use serde::Serialize;

use crate::coding::{Coding, MeaningUnit, Memo, UnitId};
use crate::facilitation::{Facilitation, FacilitationError, Roster};
use crate::framework::Framework;
use crate::ids::{GroupId, InformantId, MemberId};
use crate::model::{Informant, Member, Municipality, ResourceGroup, StudyMeta};
use crate::text::{Span, TextQuote, Transcript};
use crate::ModelError;

/// A whole study. Built up with the `add_*` methods, each of which checks what it adds
/// against what is there (ids unique, references known, codes in the framework, spans inside
/// their transcript).
#[derive(Debug, Clone, Serialize)]
pub struct Study {
    meta: StudyMeta,
    framework: Framework,
    municipalities: Vec<Municipality>,
    groups: Vec<ResourceGroup>,
    members: Vec<Member>,
    informants: Vec<Informant>,
    transcripts: Vec<Transcript>,
    units: Vec<MeaningUnit>,
    codings: Vec<Coding>,
    memos: Vec<Memo>,
    facilitation: Facilitation,
    /// Where each member sits in `members`: the facilitation record looks members up once
    /// per attendance row, so a linear search would make loading a large record quadratic.
    #[serde(skip)]
    member_index: HashMap<MemberId, usize>,
}

/// What a withdrawal removed, for the person who asked for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Withdrawal {
    /// Transcripts removed (0 or 1).
    pub transcripts: usize,
    /// Meaning units removed.
    pub units: usize,
    /// Codings removed.
    pub codings: usize,
    /// Memos removed because they quoted the informant.
    pub memos: usize,
    /// Links from assessments to their words, removed.
    pub evidence: usize,
    /// Texts of the facilitation record that quoted them: notes cleared, required texts
    /// replaced by [`REMOVED_TEXT`](crate::facilitation::REMOVED_TEXT).
    pub notes: usize,
}

fn check_period(
    start: Option<chrono::NaiveDate>,
    end: Option<chrono::NaiveDate>,
) -> Result<(), ModelError> {
    match (start, end) {
        (Some(start), Some(end)) if end < start => Err(ModelError::PeriodReversed { start, end }),
        _ => Ok(()),
    }
}

fn duplicate(kind: &'static str, id: impl ToString) -> ModelError {
    ModelError::Duplicate {
        kind,
        id: id.to_string(),
    }
}

impl Study {
    /// An empty study coding against `framework`, which must be the one `meta` names.
    pub fn new(meta: StudyMeta, framework: Framework) -> Result<Self, ModelError> {
        if &meta.framework != framework.id() {
            return Err(ModelError::FrameworkMismatch {
                expected: meta.framework,
                given: framework.id().clone(),
            });
        }
        check_period(meta.period_start, meta.period_end)?;
        Ok(Self {
            meta,
            framework,
            municipalities: Vec::new(),
            groups: Vec::new(),
            members: Vec::new(),
            informants: Vec::new(),
            transcripts: Vec::new(),
            units: Vec::new(),
            codings: Vec::new(),
            memos: Vec::new(),
            facilitation: Facilitation::new(),
            member_index: HashMap::new(),
        })
    }

    /// Adds a municipality with a new id.
    pub fn add_municipality(&mut self, m: Municipality) -> Result<(), ModelError> {
        if self.municipalities.iter().any(|o| o.id == m.id) {
            return Err(duplicate("municipality", &m.id));
        }
        self.municipalities.push(m);
        Ok(())
    }

    /// Adds a group whose municipalities are known.
    pub fn add_group(&mut self, g: ResourceGroup) -> Result<(), ModelError> {
        if self.groups.iter().any(|o| o.id == g.id) {
            return Err(duplicate("group", &g.id));
        }
        if g.municipalities.is_empty() {
            return Err(ModelError::GroupWithoutMunicipality(g.id));
        }
        for m in &g.municipalities {
            if !self.municipalities.iter().any(|o| &o.id == m) {
                return Err(ModelError::UnknownMunicipality(m.clone()));
            }
        }
        check_period(g.period_start, g.period_end)?;
        self.groups.push(g);
        Ok(())
    }

    /// Adds a member of a known group.
    pub fn add_member(&mut self, m: Member) -> Result<(), ModelError> {
        if self.member_index.contains_key(&m.id) {
            return Err(duplicate("member", &m.id));
        }
        self.check_group(&m.group)?;
        if m.pd_youth && !m.youth {
            return Err(ModelError::PdYouthNotYouth(m.id.to_string()));
        }
        self.member_index.insert(m.id.clone(), self.members.len());
        self.members.push(m);
        Ok(())
    }

    /// Adds an informant; their group, if any, must be known.
    pub fn add_informant(&mut self, i: Informant) -> Result<(), ModelError> {
        if self.informants.iter().any(|o| o.id == i.id) {
            return Err(duplicate("informant", &i.id));
        }
        if let Some(g) = i.group() {
            self.check_group(g)?;
        }
        self.informants.push(i);
        Ok(())
    }

    /// Adds the transcript of a known informant who has not withdrawn.
    pub fn add_transcript(&mut self, t: Transcript) -> Result<(), ModelError> {
        let informant = self.informant(t.informant())?;
        if informant.details.is_none() {
            return Err(ModelError::Withdrawn(informant.id.clone()));
        }
        if self.transcript(t.informant()).is_some() {
            return Err(duplicate("transcript", t.informant()));
        }
        self.transcripts.push(t);
        Ok(())
    }

    /// The meaning unit at `span` of an informant's transcript, made if it is new.
    pub fn unit(&mut self, informant: &InformantId, span: Span) -> Result<UnitId, ModelError> {
        let t = self
            .transcript(informant)
            .ok_or_else(|| ModelError::NoTranscript(informant.clone()))?;
        // Re-check: the span may have been made against another text.
        t.span(span.start(), span.end())?;
        if let Some(i) = self
            .units
            .iter()
            .position(|u| &u.informant == informant && u.span == span)
        {
            return Ok(UnitId(i));
        }
        self.units.push(MeaningUnit {
            informant: informant.clone(),
            span,
        });
        Ok(UnitId(self.units.len() - 1))
    }

    /// The meaning unit that `quote` selects in an informant's transcript, made if new.
    pub fn locate_unit(
        &mut self,
        informant: &InformantId,
        quote: &TextQuote,
    ) -> Result<UnitId, ModelError> {
        let span = self
            .transcript(informant)
            .ok_or_else(|| ModelError::NoTranscript(informant.clone()))?
            .locate(quote)?;
        self.unit(informant, span)
    }

    /// Adds a coding of a known unit with a code of the study's framework.
    pub fn add_coding(&mut self, c: Coding) -> Result<(), ModelError> {
        if c.unit.0 >= self.units.len() {
            return Err(ModelError::SpanOutside {
                start: c.unit.0,
                end: c.unit.0,
                len: self.units.len(),
            });
        }
        self.check_code(&c.code)?;
        if self.codings.iter().any(|o| {
            o.unit == c.unit && o.code == c.code && o.polarity == c.polarity && o.coder == c.coder
        }) {
            return Err(ModelError::DuplicateCoding {
                coder: c.coder,
                code: c.code,
                polarity: c.polarity,
            });
        }
        self.codings.push(c);
        Ok(())
    }

    /// Adds a memo; a memo on a code needs the code to be in the framework.
    pub fn add_memo(&mut self, m: Memo) -> Result<(), ModelError> {
        if let Some(code) = &m.code {
            self.check_code(code)?;
        }
        self.memos.push(m);
        Ok(())
    }

    /// Removes everything an informant said and everything that quotes it: transcript,
    /// meaning units, codings, and memos that quote the transcript. Their row stays, with no
    /// personal data, as withdrawn.
    pub fn withdraw(&mut self, id: &InformantId) -> Result<Withdrawal, ModelError> {
        self.informant(id)?;
        let mut report = Withdrawal::default();
        if let Some(pos) = self.transcripts.iter().position(|t| t.informant() == id) {
            let t = self.transcripts.remove(pos);
            report.transcripts = 1;
            let unit_texts: Vec<&str> = self
                .units
                .iter()
                .filter(|u| &u.informant == id)
                .map(|u| t.slice(u.span))
                .collect();
            let before = self.memos.len();
            self.memos
                .retain(|m| !memo_quotes(&m.text, &t, unit_texts.iter().copied()));
            report.memos = before - self.memos.len();
            report.notes = self
                .facilitation
                .forget_quotes(|text| memo_quotes(text, &t, unit_texts.iter().copied()));
        }
        // Renumber units: indices are positions.
        let mut remap = Vec::with_capacity(self.units.len());
        let mut kept = Vec::with_capacity(self.units.len());
        for u in self.units.drain(..) {
            if &u.informant == id {
                remap.push(None);
                report.units += 1;
            } else {
                remap.push(Some(UnitId(kept.len())));
                kept.push(u);
            }
        }
        self.units = kept;
        let before = self.codings.len();
        self.codings.retain_mut(|c| match remap[c.unit.0] {
            Some(new) => {
                c.unit = new;
                true
            }
            None => false,
        });
        report.codings = before - self.codings.len();
        let informant = self
            .informants
            .iter_mut()
            .find(|i| &i.id == id)
            .expect("checked above");
        informant.details = None;
        report.evidence = self.facilitation.forget_informant(id);
        Ok(report)
    }

    fn check_group(&self, g: &GroupId) -> Result<(), ModelError> {
        if self.groups.iter().any(|o| &o.id == g) {
            Ok(())
        } else {
            Err(ModelError::UnknownGroup(g.clone()))
        }
    }

    fn check_code(&self, code: &crate::CodeId) -> Result<(), ModelError> {
        if self.framework.contains(code) {
            Ok(())
        } else {
            Err(ModelError::UnknownCode {
                code: code.clone(),
                framework: self.framework.id().clone(),
            })
        }
    }

    /// The view of groups, members and transcripts that the facilitation record is
    /// checked against.
    pub fn roster(&self) -> Roster<'_> {
        Roster {
            groups: &self.groups,
            members: &self.members,
            transcripts: &self.transcripts,
            member_index: &self.member_index,
        }
    }

    /// The facilitation record.
    pub fn facilitation(&self) -> &Facilitation {
        &self.facilitation
    }

    /// Changes the facilitation record, checked against this study's groups, members and
    /// transcripts: `study.facilitate(|f, roster| f.add_meeting(roster, meeting))`.
    pub fn facilitate<T>(
        &mut self,
        change: impl FnOnce(&mut Facilitation, &Roster<'_>) -> Result<T, FacilitationError>,
    ) -> Result<T, FacilitationError> {
        let roster = Roster {
            groups: &self.groups,
            members: &self.members,
            transcripts: &self.transcripts,
            member_index: &self.member_index,
        };
        change(&mut self.facilitation, &roster)
    }

    /// Puts `record` in place of this study's facilitation record, after checking all of it
    /// against this study (its groups, members and transcripts). Refused, with the record
    /// unchanged, when any of it does not fit.
    pub fn replace_facilitation(&mut self, record: &Facilitation) -> Result<(), FacilitationError> {
        self.facilitation = record.rechecked(&self.roster())?;
        Ok(())
    }

    /// The head of the study.
    pub fn meta(&self) -> &StudyMeta {
        &self.meta
    }
    /// The framework.
    pub fn framework(&self) -> &Framework {
        &self.framework
    }
    /// Municipalities in the order added.
    pub fn municipalities(&self) -> &[Municipality] {
        &self.municipalities
    }
    /// Groups in the order added.
    pub fn groups(&self) -> &[ResourceGroup] {
        &self.groups
    }
    /// Members in the order added.
    pub fn members(&self) -> &[Member] {
        &self.members
    }
    /// Informants in the order added.
    pub fn informants(&self) -> &[Informant] {
        &self.informants
    }
    /// Transcripts in the order added.
    pub fn transcripts(&self) -> &[Transcript] {
        &self.transcripts
    }
    /// Meaning units; a [`UnitId`] is a position in this slice.
    pub fn units(&self) -> &[MeaningUnit] {
        &self.units
    }
    /// Codings in the order added.
    pub fn codings(&self) -> &[Coding] {
        &self.codings
    }
    /// Memos in the order added.
    pub fn memos(&self) -> &[Memo] {
        &self.memos
    }

    /// An informant by id.
    pub fn informant(&self, id: &InformantId) -> Result<&Informant, ModelError> {
        self.informants
            .iter()
            .find(|i| &i.id == id)
            .ok_or_else(|| ModelError::UnknownInformant(id.clone()))
    }

    /// An informant's transcript, if there is one.
    pub fn transcript(&self, id: &InformantId) -> Option<&Transcript> {
        self.transcripts.iter().find(|t| t.informant() == id)
    }

    /// The text of a meaning unit.
    pub fn unit_text(&self, unit: UnitId) -> &str {
        let u = &self.units[unit.0];
        self.transcript(&u.informant)
            .expect("a unit's transcript exists while the unit does")
            .slice(u.span)
    }

    /// The canonical quote selector of a unit (see [`Transcript::selector`]).
    pub fn unit_selector(&self, unit: UnitId) -> TextQuote {
        let u = &self.units[unit.0];
        self.transcript(&u.informant)
            .expect("a unit's transcript exists while the unit does")
            .selector(u.span)
    }
}

/// Shortest passage that counts as quoting: shorter overlaps ("ja", "det er") are chance.
const MIN_QUOTE_CHARS: usize = 20;

/// True when `memo` quotes the transcript: it contains one of the given meaning units, or a
/// sentence of the transcript, of at least twenty characters. Withdrawal removes such memos
/// so that no text of a withdrawn informant survives in an analyst's summary.
pub fn memo_quotes<'a>(
    memo: &str,
    transcript: &Transcript,
    units: impl IntoIterator<Item = &'a str>,
) -> bool {
    let memo = crate::text::normalize(memo);
    let long_enough = |s: &&str| s.chars().count() >= MIN_QUOTE_CHARS;
    units
        .into_iter()
        .map(str::trim)
        .filter(long_enough)
        .any(|u| memo.contains(u))
        || transcript
            .text()
            .split(['.', '!', '?', '\n'])
            .map(str::trim)
            .filter(long_enough)
            .any(|s| memo.contains(s))
}

#[cfg(test)]
mod tests {
    use crate::testing::{id, informant, study};
    use crate::*;

    #[test]
    fn duplicate_ids_and_unknown_references_are_refused() {
        let mut s = study();
        let e = s
            .add_informant(informant("I1", Some("G1"), ActiveConsent::Given))
            .unwrap_err();
        assert_eq!(e.to_string(), "duplicate informant id `I1`");
        let e = s
            .add_informant(informant("I9", Some("G9"), ActiveConsent::Given))
            .unwrap_err();
        assert_eq!(e, ModelError::UnknownGroup(id("G9")));
        let e = s
            .add_transcript(Transcript::new(id("I8"), "x"))
            .unwrap_err();
        assert_eq!(e, ModelError::UnknownInformant(id("I8")));
    }

    #[test]
    fn codings_need_a_known_code_and_are_not_repeated() {
        let mut s = study();
        let unit = s
            .locate_unit(&id("I2"), &TextQuote::exact("Lederne"))
            .unwrap();
        let coding = |code: &str| Coding {
            unit,
            code: id(code),
            polarity: Polarity::Barrier,
            coder: id("A"),
            memo: None,
        };
        let e = s.add_coding(coding("culture/nope")).unwrap_err();
        assert!(matches!(e, ModelError::UnknownCode { .. }), "{e}");
        s.add_coding(coding("culture/own-organisation-anchoring"))
            .unwrap();
        let e = s
            .add_coding(coding("culture/own-organisation-anchoring"))
            .unwrap_err();
        assert!(matches!(e, ModelError::DuplicateCoding { .. }), "{e}");
    }

    #[test]
    fn same_span_is_one_unit() {
        let mut s = study();
        let before = s.units().len();
        let a = s
            .locate_unit(
                &id("I1"),
                &TextQuote::exact("Vi har for lite tid til dette arbeidet."),
            )
            .unwrap();
        assert_eq!(s.units().len(), before);
        assert_eq!(a.index(), 0);
    }

    #[test]
    fn withdrawal_removes_everything_that_quotes_the_informant() {
        use crate::facilitation::{
            GroupRules, Meeting, MeetingKind, PdPractice, PdStep, Phase, PracticeLevel,
            ProcessMove, REMOVED_TEXT,
        };
        let mut s = study();
        let day = |d: &str| d.parse().unwrap();
        // Facilitators' texts: two quote I1, one does not.
        s.facilitate(|f, r| {
            f.add_meeting(
                r,
                Meeting {
                    id: id("m1"),
                    group: id("G1"),
                    kind: MeetingKind::Group,
                    date: day("2023-02-01"),
                    note: Some("Noen sa: «Men gruppa gir oss nye kontakter på tvers».".into()),
                },
            )?;
            f.add_practice(
                r,
                PdPractice {
                    id: id("p1"),
                    group: id("G1"),
                    level: PracticeLevel::Group,
                    description: "«Vi har for lite tid til dette arbeidet», så de deler på det."
                        .into(),
                    observed: None,
                },
            )?;
            f.set_rules(
                r,
                id("G1"),
                GroupRules {
                    frequency: Some("månedlig".into()),
                    disagreement: Some("Som en sa: Vi har for lite tid til dette arbeidet.".into()),
                    ..GroupRules::default()
                },
            )?;
            f.add_move(
                r,
                ProcessMove {
                    group: id("G1"),
                    date: day("2023-02-01"),
                    phase: Phase::Challenge,
                    step: PdStep::DefineProblem,
                    note: Some("Gruppa startet med problemstillingen.".into()),
                },
            )
        })
        .unwrap();
        let w = s.withdraw(&id("I1")).unwrap();
        assert_eq!(
            w,
            Withdrawal {
                transcripts: 1,
                units: 2,
                codings: 3,
                memos: 1,
                evidence: 0,
                notes: 3,
            }
        );
        let f = s.facilitation();
        assert_eq!(f.meetings()[0].0.note, None);
        assert_eq!(f.practices()[0].description, REMOVED_TEXT);
        assert!(f.moves()[0].note.is_some());
        let rules = &f.rules()[0].1;
        assert_eq!(rules.disagreement, None);
        assert_eq!(rules.frequency.as_deref(), Some("månedlig"));
        let i1 = s.informant(&id("I1")).unwrap();
        assert_eq!(i1.consent(), Consent::Withdrawn);
        assert!(i1.details.is_none());
        assert!(s.transcript(&id("I1")).is_none());
        // Remaining codings still point at the right text after renumbering.
        for c in s.codings() {
            assert!(s.unit_text(c.unit).contains("lite tid"), "{c:?}");
        }
        assert_eq!(s.memos().len(), 1);
        assert_eq!(
            s.add_transcript(Transcript::new(id("I1"), "igjen")),
            Err(ModelError::Withdrawn(id("I1")))
        );
    }

    #[test]
    fn memo_quotes_ignores_short_overlaps() {
        let t = Transcript::new(id("I1"), "Ja. Vi har for lite tid til dette arbeidet.");
        assert!(!memo_quotes("Ja, tid.", &t, ["Ja."]));
        assert!(memo_quotes(
            "«Vi har for lite tid til dette arbeidet»",
            &t,
            []
        ));
    }

    #[test]
    fn pd_youth_must_be_youth_and_periods_run_forward() {
        let mut s = study();
        let e = s
            .add_member(Member {
                id: id("P1"),
                group: id("G1"),
                sector: Sector::Citizen,
                service: None,
                youth: false,
                pd_youth: true,
            })
            .unwrap_err();
        assert_eq!(e, ModelError::PdYouthNotYouth("P1".into()));
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let e = s
            .add_group(ResourceGroup {
                id: id("G3"),
                name: "G3".into(),
                municipalities: vec![id("M1")],
                period_start: Some(d("2023-02-01")),
                period_end: Some(d("2022-02-01")),
                studied: false,
            })
            .unwrap_err();
        assert!(matches!(e, ModelError::PeriodReversed { .. }));
    }
}
