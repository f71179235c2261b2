//! The study aggregate: every part of a study, with the references between them checked as
//! they are added, so a `Study` value is always consistent.

use foldhash::{HashMap, HashSet};

use serde::Serialize;

use crate::attribute::{Attribute, AttributeHolder, Declared};
use crate::coding::Qualifiers;
use crate::coding::{Coding, MeaningUnit, Memo, UnitId};
use crate::facilitation::{Facilitation, FacilitationError, Roster};
use crate::framework::Framework;
use crate::free_text::{FreeText, OnWithdrawal, TextSlot};
use crate::ids::{CoderId, GroupId, InformantId, MemberId};
use crate::model::{Informant, Member, Municipality, ResourceGroup, StudyMeta};
use crate::quoting::QuoteFinder;
use crate::text::{Span, TextQuote, Transcript};
use crate::ModelError;

/// A whole study. Built up with the `add_*` methods, each of which checks what it adds
/// against what is there (ids unique, references known, codes in the framework, spans inside
/// their transcript).
#[derive(Debug, Clone, Serialize)]
pub struct Study {
    meta: StudyMeta,
    framework: Framework,
    /// Custom attributes, declared before anything holds a value of them.
    #[serde(skip_serializing_if = "Declared::is_empty")]
    attributes: Declared,
    municipalities: Vec<Municipality>,
    groups: Vec<ResourceGroup>,
    members: Vec<Member>,
    informants: Vec<Informant>,
    transcripts: Vec<Transcript>,
    units: Vec<MeaningUnit>,
    codings: Vec<Coding>,
    memos: Vec<Memo>,
    facilitation: Facilitation,
    /// Lookups by id and by value, kept in step with the vectors above.
    #[serde(skip)]
    index: Index,
}

/// Where things sit in a [`Study`]'s vectors. Every `add_*` looks up what it references and
/// checks what it adds for repeats; a study of a million codings is built through those
/// methods, so each lookup must cost the same whatever the study's size: no scan of a vector.
#[derive(Debug, Clone, Default)]
struct Index {
    municipalities: HashSet<crate::MunicipalityId>,
    groups: HashSet<GroupId>,
    /// Position in `members`: the facilitation record looks members up once per
    /// attendance row.
    members: HashMap<MemberId, usize>,
    /// Position in `informants`.
    informants: HashMap<InformantId, usize>,
    /// Position in `transcripts`.
    transcripts: HashMap<InformantId, usize>,
    /// A unit by where it lies: the position of its informant (a number, so that a key
    /// holds no string) and its span.
    units: HashMap<(usize, Span), UnitId>,
    /// Every coding as (unit, code's rank, qualifier values' number, coder number), for the
    /// duplicate check.
    codings: HashSet<u128>,
    /// A small number per coder, so that a coding's key holds no string.
    coders: HashMap<CoderId, u32>,
    /// A small number per combination of qualifier values, likewise.
    qualifiers: HashMap<Qualifiers, u32>,
}

impl Index {
    fn coder(&mut self, c: &CoderId) -> u32 {
        let next = self.coders.len() as u32;
        *self.coders.entry(c.clone()).or_insert(next)
    }

    fn qualifiers(&mut self, q: &Qualifiers) -> u32 {
        if let Some(&n) = self.qualifiers.get(q) {
            return n;
        }
        let next = self.qualifiers.len() as u32;
        self.qualifiers.insert(q.clone(), next);
        next
    }
}

/// What a withdrawal removed, for the person who asked for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Withdrawal {
    /// Transcripts removed (0 or 1).
    pub transcripts: usize,
    /// Meaning units removed.
    pub units: usize,
    /// Codings removed (with their coding memos).
    pub codings: usize,
    /// Memos removed because they quoted the informant.
    pub memos: usize,
    /// Coding memos on other informants' words, cleared because they quoted the informant.
    pub coding_memos: usize,
    /// Links from assessments to their words, removed.
    pub evidence: usize,
    /// Other texts that quoted them (the facilitation record's, the study's description):
    /// notes cleared, required texts replaced by
    /// [`REMOVED_TEXT`](crate::facilitation::REMOVED_TEXT).
    pub notes: usize,
}

impl Withdrawal {
    /// Counts `n` texts of `field` that went because they quoted the informant.
    pub fn count(&mut self, field: FreeText, n: usize) {
        match field {
            FreeText::Memo => self.memos += n,
            FreeText::CodingMemo => self.coding_memos += n,
            _ => self.notes += n,
        }
    }
}

/// A coding's key for the duplicate check as one number, hashed in one step: unit, code's
/// rank, qualifier values' number and coder's number, 32 bits each (a study of more than
/// 2³² units or a framework of more than 2³² codes is far beyond any there is).
fn coding_key(unit: UnitId, rank: usize, qualifiers: u32, coder: u32) -> u128 {
    let unit = u32::try_from(unit.0).expect("fewer than 2^32 meaning units");
    let rank = u32::try_from(rank).expect("fewer than 2^32 codes");
    u128::from(unit) << 96
        | u128::from(rank) << 64
        | u128::from(qualifiers) << 32
        | u128::from(coder)
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
            attributes: Declared::default(),
            municipalities: Vec::new(),
            groups: Vec::new(),
            members: Vec::new(),
            informants: Vec::new(),
            transcripts: Vec::new(),
            units: Vec::new(),
            codings: Vec::new(),
            memos: Vec::new(),
            facilitation: Facilitation::new(),
            index: Index::default(),
        })
    }

    /// Adds a municipality with a new id.
    pub fn add_municipality(&mut self, m: Municipality) -> Result<(), ModelError> {
        if !self.index.municipalities.insert(m.id.clone()) {
            return Err(duplicate("municipality", &m.id));
        }
        self.municipalities.push(m);
        Ok(())
    }

    /// Declares a custom attribute: a new id, a valid type, at least one holder. Declare
    /// attributes before adding what holds their values.
    pub fn add_attribute(&mut self, a: Attribute) -> Result<(), ModelError> {
        self.attributes.add(a)
    }

    /// Adds a group whose municipalities are known.
    pub fn add_group(&mut self, mut g: ResourceGroup) -> Result<(), ModelError> {
        if self.index.groups.contains(&g.id) {
            return Err(duplicate("group", &g.id));
        }
        if g.municipalities.is_empty() {
            return Err(ModelError::GroupWithoutMunicipality(g.id));
        }
        for m in &g.municipalities {
            if !self.index.municipalities.contains(m) {
                return Err(ModelError::UnknownMunicipality(m.clone()));
            }
        }
        check_period(g.period_start, g.period_end)?;
        self.attributes
            .check(AttributeHolder::Group, g.id.as_str(), &mut g.attributes)?;
        self.index.groups.insert(g.id.clone());
        self.groups.push(g);
        Ok(())
    }

    /// Adds a member of a known group.
    pub fn add_member(&mut self, mut m: Member) -> Result<(), ModelError> {
        if self.index.members.contains_key(&m.id) {
            return Err(duplicate("member", &m.id));
        }
        self.check_group(&m.group)?;
        if m.pd_youth && !m.youth {
            return Err(ModelError::PdYouthNotYouth(m.id.to_string()));
        }
        self.attributes
            .check(AttributeHolder::Member, m.id.as_str(), &mut m.attributes)?;
        self.index.members.insert(m.id.clone(), self.members.len());
        self.members.push(m);
        Ok(())
    }

    /// Adds an informant; their group, if any, must be known.
    pub fn add_informant(&mut self, mut i: Informant) -> Result<(), ModelError> {
        if self.index.informants.contains_key(&i.id) {
            return Err(duplicate("informant", &i.id));
        }
        if let Some(g) = i.group() {
            self.check_group(g)?;
        }
        if let Some(d) = i.details.as_mut() {
            self.attributes
                .check(AttributeHolder::Informant, i.id.as_str(), &mut d.attributes)?;
        }
        self.index
            .informants
            .insert(i.id.clone(), self.informants.len());
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
        self.index
            .transcripts
            .insert(t.informant().clone(), self.transcripts.len());
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
        let position = self.index.informants[informant];
        let next = UnitId(self.units.len());
        let id = *self.index.units.entry((position, span)).or_insert(next);
        if id == next {
            self.units.push(MeaningUnit {
                informant: informant.clone(),
                span,
            });
        }
        Ok(id)
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
        self.check_qualifiers(&c.code, &c.qualifiers)?;
        let rank = self.framework.code_rank(&c.code).expect("checked above");
        let coder = self.index.coder(&c.coder);
        let qualifiers = self.index.qualifiers(&c.qualifiers);
        if !self
            .index
            .codings
            .insert(coding_key(c.unit, rank, qualifiers, coder))
        {
            return Err(ModelError::DuplicateCoding {
                coder: c.coder,
                code: c.code,
                qualifiers: c.qualifiers,
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
    /// meaning units, codings, and every free text of the study that quotes the transcript,
    /// as [`FreeText::on_withdrawal`] declares (by the rule in [`crate::quoting`]). Their row
    /// stays, with no personal data, as withdrawn.
    pub fn withdraw(&mut self, id: &InformantId) -> Result<Withdrawal, ModelError> {
        self.informant(id)?;
        let mut report = Withdrawal::default();
        let finder = self.transcript(id).map(|t| {
            let units = self
                .units
                .iter()
                .filter(|u| &u.informant == id)
                .map(|u| t.slice(u.span));
            QuoteFinder::new(t, units)
        });
        if let Some(pos) = self.transcripts.iter().position(|t| t.informant() == id) {
            self.transcripts.remove(pos);
            report.transcripts = 1;
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
        // After their own codings went, so that only texts on others' words are counted.
        if let Some(finder) = finder {
            for field in FreeText::ALL {
                let n = self.forget_quotes(field, &finder);
                report.count(field, n);
            }
        }
        let informant = self
            .informants
            .iter_mut()
            .find(|i| &i.id == id)
            .expect("checked above");
        informant.details = None;
        report.evidence = self.facilitation.forget_informant(id);
        self.reindex();
        Ok(report)
    }

    /// Builds the index again after a change that moved things in the vectors (a
    /// withdrawal renumbers units and removes a transcript).
    fn reindex(&mut self) {
        let informants = position_map(self.informants.iter().map(|i| &i.id));
        let mut index = Index {
            municipalities: self.municipalities.iter().map(|m| m.id.clone()).collect(),
            groups: self.groups.iter().map(|g| g.id.clone()).collect(),
            members: position_map(self.members.iter().map(|m| &m.id)),
            transcripts: position_map(self.transcripts.iter().map(|t| t.informant())),
            units: self
                .units
                .iter()
                .enumerate()
                .map(|(i, u)| ((informants[&u.informant], u.span), UnitId(i)))
                .collect(),
            informants,
            ..Index::default()
        };
        for c in &self.codings {
            let rank = self
                .framework
                .code_rank(&c.code)
                .expect("a coding's code is known");
            let coder = index.coder(&c.coder);
            let qualifiers = index.qualifiers(&c.qualifiers);
            index
                .codings
                .insert(coding_key(c.unit, rank, qualifiers, coder));
        }
        self.index = index;
    }

    /// Applies `field`'s [`OnWithdrawal`] to the texts that `finder` says quote; returns how
    /// many went.
    fn forget_quotes(&mut self, field: FreeText, finder: &QuoteFinder) -> usize {
        let quotes = |t: &str| finder.quotes(t);
        match field.on_withdrawal() {
            OnWithdrawal::ClearWhenQuoting | OnWithdrawal::ReplaceWhenQuoting => self
                .texts_mut(field)
                .into_iter()
                .filter_map(|slot| slot.forget_if(quotes).then_some(()))
                .count(),
            OnWithdrawal::DeleteWhenQuoting => match field {
                FreeText::Memo => {
                    let before = self.memos.len();
                    self.memos.retain(|m| !quotes(&m.text));
                    before - self.memos.len()
                }
                FreeText::MemberAttribute => self
                    .members
                    .iter_mut()
                    .map(|m| m.attributes.remove_texts(quotes))
                    .sum(),
                FreeText::GroupAttribute => self
                    .groups
                    .iter_mut()
                    .map(|g| g.attributes.remove_texts(quotes))
                    .sum(),
                other => panic!(
                    "{other:?} is declared DeleteWhenQuoting, but a Study cannot delete its \
                     record: declare it ClearWhenQuoting or ReplaceWhenQuoting, or delete it here"
                ),
            },
            OnWithdrawal::Theirs | OnWithdrawal::Kept(_) => 0,
        }
    }

    /// The texts of `field` in this study, in place. A transcript and the framework's texts
    /// are not edited in place: a transcript goes whole, and frameworks are kept.
    fn texts_mut(&mut self, field: FreeText) -> Vec<TextSlot<'_>> {
        use TextSlot::{Optional, Required};
        match field {
            FreeText::StudyTitle => vec![Required(&mut self.meta.title)],
            FreeText::StudyResearchQuestion => vec![Optional(&mut self.meta.research_question)],
            FreeText::StudyMethod => vec![Optional(&mut self.meta.method)],
            FreeText::MunicipalityName => self
                .municipalities
                .iter_mut()
                .map(|m| Required(&mut m.name))
                .collect(),
            FreeText::GroupName => self
                .groups
                .iter_mut()
                .map(|g| Required(&mut g.name))
                .collect(),
            FreeText::MemberService => self
                .members
                .iter_mut()
                .map(|m| Optional(&mut m.service))
                .collect(),
            FreeText::InformantWorkplace => self
                .informants
                .iter_mut()
                .filter_map(|i| i.details.as_mut().map(|d| Optional(&mut d.workplace)))
                .collect(),
            FreeText::InformantPosition => self
                .informants
                .iter_mut()
                .filter_map(|i| i.details.as_mut().map(|d| Optional(&mut d.position)))
                .collect(),
            FreeText::CodingMemo => self
                .codings
                .iter_mut()
                .map(|c| Optional(&mut c.memo))
                .collect(),
            FreeText::Memo => self
                .memos
                .iter_mut()
                .map(|m| Required(&mut m.text))
                .collect(),
            FreeText::AttributeText => self.attributes.texts_mut(),
            FreeText::InformantAttribute => self
                .informants
                .iter_mut()
                .filter_map(|i| i.details.as_mut())
                .flat_map(|d| d.attributes.texts_mut().map(Required))
                .collect(),
            FreeText::MemberAttribute => self
                .members
                .iter_mut()
                .flat_map(|m| m.attributes.texts_mut().map(Required))
                .collect(),
            FreeText::GroupAttribute => self
                .groups
                .iter_mut()
                .flat_map(|g| g.attributes.texts_mut().map(Required))
                .collect(),
            FreeText::Transcript | FreeText::FrameworkText | FreeText::CodeText => Vec::new(),
            FreeText::MeetingNote
            | FreeText::RulesFrequency
            | FreeText::RulesPlace
            | FreeText::RulesLeader
            | FreeText::RulesDisagreement
            | FreeText::StatementText
            | FreeText::MoveNote
            | FreeText::PracticeDescription
            | FreeText::ActionTitle
            | FreeText::TransitionNote
            | FreeText::EventAudience
            | FreeText::EventNote
            | FreeText::ContactNote
            | FreeText::AssessmentNote
            | FreeText::AssessmentService => self.facilitation.texts_mut(field),
        }
    }

    fn check_group(&self, g: &GroupId) -> Result<(), ModelError> {
        if self.index.groups.contains(g) {
            Ok(())
        } else {
            Err(ModelError::UnknownGroup(g.clone()))
        }
    }

    fn check_qualifiers(&self, code: &crate::CodeId, q: &Qualifiers) -> Result<(), ModelError> {
        self.framework.check_qualifiers(code, q)
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
            member_index: &self.index.members,
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
            member_index: &self.index.members,
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
    /// The custom attributes, in the order declared.
    pub fn attributes(&self) -> &[Attribute] {
        self.attributes.list()
    }

    /// A custom attribute by id.
    pub fn attribute(&self, id: &crate::AttributeId) -> Option<&Attribute> {
        self.attributes.get(id)
    }

    /// The informants whose values are those of `clauses`, each of them (`--where
    /// service=nav`): each value is read in its attribute's type. An attribute declared for
    /// informants is their own value; one declared for groups is their group's; one declared
    /// for both is their own, or else their group's. A withdrawn informant has no values.
    pub fn informants_where(
        &self,
        clauses: &[(crate::AttributeId, String)],
    ) -> Result<crate::InformantSet, ModelError> {
        let mut wanted = Vec::with_capacity(clauses.len());
        for (id, text) in clauses {
            let a = self
                .attributes
                .get(id)
                .ok_or_else(|| ModelError::UndeclaredAttribute {
                    attribute: id.clone(),
                    declared: self
                        .attributes()
                        .iter()
                        .map(|a| format!("`{}`", a.id))
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            let own = a.holders.contains(&AttributeHolder::Informant);
            let group = a.holders.contains(&AttributeHolder::Group);
            if !own && !group {
                return Err(ModelError::NotAboutInformants(id.clone()));
            }
            let value = a
                .kind
                .parse(text)
                .map_err(|reason| ModelError::InvalidAttribute {
                    attribute: id.clone(),
                    reason,
                })?;
            wanted.push((id, own, group, value));
        }
        let groups: HashMap<&GroupId, &ResourceGroup> =
            self.groups.iter().map(|g| (&g.id, g)).collect();
        Ok(self
            .informants
            .iter()
            .filter(|i| {
                let Some(d) = &i.details else { return false };
                wanted.iter().all(|(id, own, group, value)| {
                    let mine = own.then(|| d.attributes.get(id)).flatten();
                    let theirs = || {
                        group
                            .then(|| d.group.as_ref())
                            .flatten()
                            .and_then(|g| groups.get(g))
                            .and_then(|g| g.attributes.get(id))
                    };
                    mine.or_else(theirs) == Some(value)
                })
            })
            .map(|i| i.id.clone())
            .collect())
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
        self.index
            .informants
            .get(id)
            .map(|&i| &self.informants[i])
            .ok_or_else(|| ModelError::UnknownInformant(id.clone()))
    }

    /// Where an informant sits in [`Study::informants`].
    pub fn informant_position(&self, id: &InformantId) -> Option<usize> {
        self.index.informants.get(id).copied()
    }

    /// An informant's transcript, if there is one.
    pub fn transcript(&self, id: &InformantId) -> Option<&Transcript> {
        self.index
            .transcripts
            .get(id)
            .map(|&i| &self.transcripts[i])
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

/// Each id's position in the order given.
fn position_map<'a, K: Clone + Eq + std::hash::Hash + 'a>(
    ids: impl Iterator<Item = &'a K>,
) -> HashMap<K, usize> {
    ids.enumerate().map(|(i, k)| (k.clone(), i)).collect()
}

/// True when `memo` quotes the transcript, by the rule in [`crate::quoting`] (a meaning unit
/// or sentence of twenty characters, or eight words in a row). For one text; a withdrawal,
/// which reads many, builds the [`QuoteFinder`] once.
pub fn memo_quotes<'a>(
    memo: &str,
    transcript: &Transcript,
    units: impl IntoIterator<Item = &'a str>,
) -> bool {
    QuoteFinder::new(transcript, units).quotes(memo)
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
            qualifiers: crate::testing::barrier(),
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
                coding_memos: 0,
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
    fn a_coding_memo_that_quotes_the_withdrawn_informant_is_cleared() {
        let mut s = study();
        let unit = s
            .locate_unit(&id("I2"), &TextQuote::exact("Det er for lite tid."))
            .unwrap();
        s.add_coding(Coding {
            unit,
            code: id("structure/infrastructure"),
            qualifiers: crate::testing::barrier(),
            coder: id("C"),
            memo: Some("Som I1: «Men gruppa gir oss nye kontakter på tvers.»".into()),
        })
        .unwrap();
        let w = s.withdraw(&id("I1")).unwrap();
        assert_eq!(w.coding_memos, 1);
        let c = s
            .codings()
            .iter()
            .find(|c| c.coder.as_str() == "C")
            .unwrap();
        assert_eq!(c.memo, None);
        assert_eq!(s.unit_text(c.unit), "Det er for lite tid.");
    }

    /// I1 says: "Vi har for lite tid til dette arbeidet. Men gruppa gir oss nye kontakter
    /// på tvers." A memo that repeats eight of those words in a row quotes I1, whatever
    /// the case, punctuation and line breaks; seven do not.
    #[test]
    fn eight_words_in_a_row_of_the_transcript_are_a_quote_and_seven_are_not() {
        let memo = |text: &str| Memo {
            code: None,
            author: id("A"),
            text: text.into(),
        };
        let mut s = study();
        for text in [
            "Hun sa at ARBEIDET; men Gruppa gir\r\noss nye kontakter på, og så videre.",
            "Kort: arbeidet – men gruppa gir oss nye kontakter.",
            "Gruppa gir oss nye kontakter på tvers, sier flere.",
        ] {
            s.add_memo(memo(text)).unwrap();
        }
        let w = s.withdraw(&id("I1")).unwrap();
        // The first memo of the small study quotes a whole sentence, the next one eight
        // words; the seven-word one and the study's other memo stay.
        assert_eq!(w.memos, 2);
        let left: Vec<&str> = s.memos().iter().map(|m| m.text.as_str()).collect();
        assert_eq!(
            left,
            [
                "Tid er den største barrieren.",
                "Kort: arbeidet – men gruppa gir oss nye kontakter.",
                "Gruppa gir oss nye kontakter på tvers, sier flere.",
            ]
        );
    }

    /// Every free text that the declaration says withdrawal reads is reached: one of each,
    /// all quoting I1, and none left quoting after; the kept ones stay as they were.
    #[test]
    fn withdrawal_reaches_every_free_text_the_declaration_names() {
        use crate::facilitation::*;
        use crate::free_text::TextSlot;
        use crate::quoting::QuoteFinder;
        let quote = "Hun sa: «men gruppa gir oss nye kontakter på tvers».";
        let day = |d: &str| d.parse().unwrap();
        let mut s = study();
        let finder = QuoteFinder::new(s.transcript(&id("I1")).unwrap(), []);
        assert!(finder.quotes(quote));
        s.meta.title = quote.into();
        s.meta.research_question = Some(quote.into());
        s.meta.method = Some(quote.into());
        s.municipalities[0].name = quote.into();
        s.groups[0].name = quote.into();
        let note: crate::AttributeId = id("note");
        s.add_attribute(crate::Attribute {
            id: note.clone(),
            label: Some(quote.into()),
            kind: crate::AttributeType::OneOf(vec![quote.into()]),
            holders: vec![
                crate::AttributeHolder::Member,
                crate::AttributeHolder::Group,
            ],
        })
        .unwrap();
        let noted: crate::Attributes = [(note, crate::AttributeValue::Text(quote.into()))]
            .into_iter()
            .collect();
        s.groups[0].attributes = noted.clone();
        for m in ["G1-P1", "G1-P2"] {
            s.add_member(Member {
                attributes: noted.clone(),
                id: id(m),
                group: id("G1"),
                sector: Sector::Public,
                service: Some(quote.into()),
                youth: false,
                pd_youth: false,
            })
            .unwrap();
        }
        let i2 = s
            .locate_unit(&id("I2"), &TextQuote::exact("Det er for lite tid."))
            .unwrap();
        s.add_coding(Coding {
            unit: i2,
            code: id("structure/infrastructure"),
            qualifiers: crate::testing::barrier(),
            coder: id("C"),
            memo: Some(quote.into()),
        })
        .unwrap();
        s.add_memo(Memo {
            code: None,
            author: id("A"),
            text: quote.into(),
        })
        .unwrap();
        s.facilitate(|f, r| {
            f.add_meeting(
                r,
                Meeting {
                    id: id("m1"),
                    group: id("G1"),
                    kind: MeetingKind::Group,
                    date: day("2023-02-01"),
                    note: Some(quote.into()),
                },
            )?;
            f.set_rules(
                r,
                id("G1"),
                GroupRules {
                    frequency: Some(quote.into()),
                    place: Some(quote.into()),
                    leader: Some(quote.into()),
                    disagreement: Some(quote.into()),
                },
            )?;
            f.add_statement(
                r,
                ProblemStatement {
                    id: id("ps1"),
                    group: id("G1"),
                    text: quote.into(),
                    drafted: day("2023-02-01"),
                    agreed: None,
                    participants: vec![],
                },
            )?;
            f.add_move(
                r,
                ProcessMove {
                    group: id("G1"),
                    date: day("2023-02-01"),
                    phase: Phase::Challenge,
                    step: PdStep::DefineProblem,
                    note: Some(quote.into()),
                },
            )?;
            f.add_practice(
                r,
                PdPractice {
                    id: id("p1"),
                    group: id("G1"),
                    level: PracticeLevel::Group,
                    description: quote.into(),
                    observed: None,
                },
            )?;
            f.add_action(
                r,
                TrialAction {
                    id: id("a1"),
                    group: id("G1"),
                    kind: ActionKind::TrialAction,
                    title: quote.into(),
                    history: vec![Transition {
                        state: ActionState::Planned,
                        date: day("2023-02-01"),
                        note: Some(quote.into()),
                    }],
                },
            )?;
            f.add_event(
                r,
                Dissemination {
                    id: id("e1"),
                    group: id("G1"),
                    date: day("2023-03-01"),
                    audience: quote.into(),
                    action: None,
                    note: Some(quote.into()),
                },
            )?;
            f.add_contact(
                r,
                Contact {
                    id: id("c1"),
                    a: id("G1-P1"),
                    b: id("G1-P2"),
                    date: day("2023-03-01"),
                    note: Some(quote.into()),
                },
            )?;
            f.add_assessment(
                r,
                Assessment {
                    id: id("as1"),
                    subject: Subject::Service(quote.into()),
                    value: AssessmentValue::Logic(InstitutionalLogic::Npg),
                    assessor: id("A"),
                    date: day("2023-03-01"),
                    note: Some(quote.into()),
                    evidence: vec![],
                },
            )
        })
        .unwrap();

        let quoting = |s: &mut Study, field: FreeText| -> usize {
            s.texts_mut(field)
                .iter()
                .filter(|t| t.text().is_some_and(|t| finder.quotes(t)))
                .count()
        };
        for field in FreeText::ALL {
            let slots = s.texts_mut(field);
            let kinds_fit = slots.iter().all(|slot| {
                matches!(
                    (field.on_withdrawal(), slot),
                    (OnWithdrawal::ClearWhenQuoting, TextSlot::Optional(_))
                        | (OnWithdrawal::ReplaceWhenQuoting, TextSlot::Required(_))
                        | (OnWithdrawal::DeleteWhenQuoting, TextSlot::Required(_))
                        | (OnWithdrawal::Theirs | OnWithdrawal::Kept(_), _)
                )
            });
            assert!(kinds_fit, "{field:?}: its texts do not fit its declaration");
            match field.on_withdrawal() {
                OnWithdrawal::Theirs => {}
                OnWithdrawal::Kept(_) if s.texts_mut(field).is_empty() => {
                    assert!(matches!(
                        field,
                        FreeText::FrameworkText | FreeText::CodeText
                    ))
                }
                _ => assert!(quoting(&mut s, field) > 0, "{field:?} holds no quote"),
            }
        }

        let w = s.withdraw(&id("I1")).unwrap();
        assert_eq!(w.coding_memos, 1);
        for field in FreeText::ALL {
            let left = quoting(&mut s, field);
            match field.on_withdrawal() {
                OnWithdrawal::ClearWhenQuoting
                | OnWithdrawal::ReplaceWhenQuoting
                | OnWithdrawal::DeleteWhenQuoting => {
                    assert_eq!(left, 0, "{field:?} still quotes I1")
                }
                OnWithdrawal::Kept(_) if !s.texts_mut(field).is_empty() => {
                    assert!(left > 0, "{field:?} is kept but was changed")
                }
                OnWithdrawal::Kept(_) | OnWithdrawal::Theirs => {}
            }
        }
        assert_eq!(s.meta().title, REMOVED_TEXT);
        assert_eq!(s.meta().method, None);
        assert_eq!(s.facilitation().statements()[0].text, REMOVED_TEXT);
    }

    #[test]
    fn informants_where_reads_their_own_value_or_else_their_groups() {
        use crate::{Attribute, AttributeHolder as H, AttributeType, AttributeValue};
        let mut s = study();
        let declare = |s: &mut Study, name: &str, kind, holders: Vec<H>| {
            s.add_attribute(Attribute {
                id: id(name),
                label: None,
                kind,
                holders,
            })
            .unwrap();
        };
        let one_of = |c: &[&str]| AttributeType::OneOf(c.iter().map(|s| s.to_string()).collect());
        declare(
            &mut s,
            "service",
            one_of(&["nav", "school"]),
            vec![H::Informant, H::Group],
        );
        declare(&mut s, "years", AttributeType::Number, vec![H::Informant]);
        declare(&mut s, "sector", AttributeType::Text, vec![H::Member]);
        let text = |t: &str| AttributeValue::Text(t.into());
        // G1 is a NAV group; I1 (in G1) says school; I2 (in G2) nothing; I3 (no group) NAV.
        s.groups[0].attributes.set(id("service"), text("nav"));
        fn d(s: &mut Study, i: usize) -> &mut crate::InformantDetails {
            s.informants[i].details.as_mut().unwrap()
        }
        d(&mut s, 0).attributes.set(id("service"), text("school"));
        d(&mut s, 0)
            .attributes
            .set(id("years"), AttributeType::Number.parse("4").unwrap());
        d(&mut s, 2).attributes.set(id("service"), text("nav"));
        let pick = |s: &Study, clauses: &[(&str, &str)]| {
            let clauses: Vec<_> = clauses
                .iter()
                .map(|(a, v)| (id(a), v.to_string()))
                .collect();
            let mut v: Vec<String> = s
                .informants_where(&clauses)
                .unwrap()
                .into_iter()
                .map(|i| i.to_string())
                .collect();
            v.sort();
            v
        };
        assert_eq!(pick(&s, &[("service", "nav")]), ["I3"]);
        assert_eq!(pick(&s, &[("service", "school")]), ["I1"]);
        assert_eq!(pick(&s, &[("years", "4.0")]), ["I1"]);
        assert!(pick(&s, &[("years", "4"), ("service", "nav")]).is_empty());
        // I1's own value gone, their group's counts.
        d(&mut s, 0).attributes = Default::default();
        assert_eq!(pick(&s, &[("service", "nav")]), ["I1", "I3"]);
        let err = |clause: (&str, &str)| {
            s.informants_where(&[(id(clause.0), clause.1.to_string())])
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(("age", "3")),
            "the study declares no attribute `age` (it declares `service`, `years`, `sector`)"
        );
        assert!(err(("sector", "x")).contains("declared for members only"));
        assert_eq!(
            err(("service", "NAV")),
            "attribute `service`: `NAV` is not one of `nav`, `school`"
        );
        // A withdrawn informant has no values to be picked by.
        s.withdraw(&id("I3")).unwrap();
        assert_eq!(pick(&s, &[("service", "nav")]), ["I1"]);
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
                attributes: Default::default(),
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
                attributes: Default::default(),
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
