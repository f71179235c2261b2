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
use crate::guide::Guide;
use crate::ids::{CoderId, GroupId, GuideId, InformantId, MemberId, SourceId};
use crate::model::{Informant, Member, Municipality, ResourceGroup, StudyMeta};
use crate::quoting::QuoteFinder;
use crate::source::{Source, Voices};
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
    /// Interview guides, declared before the sources that follow them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    guides: Vec<Guide>,
    sources: Vec<Source>,
    /// The text of each source, in the order of `sources`.
    transcripts: Vec<Transcript>,
    /// Whose words each source's spans are (positions in `informants`), in the order of
    /// `sources`.
    #[serde(skip)]
    voices: Vec<Voices<u32>>,
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
    /// Position in `guides`.
    guides: HashMap<GuideId, usize>,
    /// Position in `sources` (and `transcripts`).
    sources: HashMap<SourceId, usize>,
    /// A unit by where it lies: the position of its source (a number, so that a key holds
    /// no string) and its span.
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
    /// Sources removed whole: their own, and those whose words cannot be told apart by
    /// speaker.
    pub transcripts: usize,
    /// Sources shared with others from which their turns were removed.
    pub turns: usize,
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
            guides: Vec::new(),
            sources: Vec::new(),
            transcripts: Vec::new(),
            voices: Vec::new(),
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

    /// Adds an interview guide with a new id that stands on its own ([`Guide::checked`]).
    /// Add guides before the sources that follow them.
    pub fn add_guide(&mut self, guide: Guide) -> Result<(), ModelError> {
        let guide = guide.checked()?;
        if self.index.guides.contains_key(&guide.id) {
            return Err(duplicate("guide", &guide.id));
        }
        self.index
            .guides
            .insert(guide.id.clone(), self.guides.len());
        self.guides.push(guide);
        Ok(())
    }

    /// Adds a source with its text: a new id, known informants who have not withdrawn, a
    /// known group, a declared guide version if it follows one, a declaration that stands
    /// ([`Source::checked`]).
    pub fn add_source(&mut self, source: Source, text: Transcript) -> Result<(), ModelError> {
        let mut source = source.checked()?;
        self.attributes.check(
            AttributeHolder::Source,
            source.id.as_str(),
            &mut source.attributes,
        )?;
        if let Some(m) = &source.meeting {
            self.check_meeting_link(&source, m)?;
        }
        if let Some(r) = &source.guide {
            let known = self
                .guide(&r.guide)
                .is_some_and(|g| g.version(r.version).is_some());
            if !known {
                return Err(ModelError::InvalidSource {
                    source_id: source.id.clone(),
                    reason: match self.guide(&r.guide) {
                        None => format!(
                            "it follows guide `{}`, which the study does not declare",
                            r.guide
                        ),
                        Some(_) => format!(
                            "it follows guide `{}` version {}, which the guide does not have",
                            r.guide, r.version
                        ),
                    },
                });
            }
        }
        if text.source() != &source.id {
            return Err(ModelError::InvalidSource {
                source_id: source.id.clone(),
                reason: format!("it was given the text of source `{}`", text.source()),
            });
        }
        if self.index.sources.contains_key(&source.id) {
            return Err(duplicate("source", &source.id));
        }
        let mut positions = Vec::with_capacity(source.informants.len());
        for i in &source.informants {
            let informant = self.informant(i)?;
            if informant.details.is_none() {
                return Err(ModelError::Withdrawn(informant.id.clone()));
            }
            positions.push(self.index.informants[i] as u32);
        }
        if let Some(g) = &source.group {
            self.check_group(g)?;
        }
        let voices = source.voices(text.text()).map(|p| positions[p as usize]);
        self.index
            .sources
            .insert(source.id.clone(), self.sources.len());
        self.sources.push(source);
        self.transcripts.push(text);
        self.voices.push(voices);
        Ok(())
    }

    /// Links a source to the meeting of the facilitation record it is the minutes or the
    /// observation notes of: a source read before the record (a bundle's, a store's) gets
    /// its link once the record is in place.
    pub fn link_meeting(
        &mut self,
        source: &SourceId,
        meeting: crate::MeetingId,
    ) -> Result<(), ModelError> {
        let at = *self
            .index
            .sources
            .get(source)
            .ok_or_else(|| ModelError::UnknownSource(source.clone()))?;
        self.check_meeting_link(&self.sources[at], &meeting)?;
        self.sources[at].meeting = Some(meeting);
        Ok(())
    }

    /// Whether `source` may be linked to `meeting`: minutes or notes, of a recorded meeting,
    /// of the source's group when it names one.
    fn check_meeting_link(
        &self,
        source: &Source,
        meeting: &crate::MeetingId,
    ) -> Result<(), ModelError> {
        let invalid = |reason: String| ModelError::InvalidSource {
            source_id: source.id.clone(),
            reason,
        };
        if !matches!(
            source.kind,
            crate::SourceKind::Minutes | crate::SourceKind::Observation
        ) {
            return Err(invalid(format!(
                "it names meeting `{meeting}`, but only minutes and observation notes are of a meeting (it is {})",
                source.kind
            )));
        }
        let Some((m, _)) = self.facilitation.meeting(meeting) else {
            return Err(invalid(format!(
                "it is of meeting `{meeting}`, which the facilitation record does not hold"
            )));
        };
        if let Some(g) = &source.group {
            if g != &m.group {
                return Err(invalid(format!(
                    "it is of group `{g}`, but meeting `{meeting}` is group `{}`'s",
                    m.group
                )));
            }
        }
        Ok(())
    }

    /// The meaning unit at `span` of a source's text, made if it is new.
    pub fn unit(&mut self, source: &SourceId, span: Span) -> Result<UnitId, ModelError> {
        let position = *self
            .index
            .sources
            .get(source)
            .ok_or_else(|| ModelError::UnknownSource(source.clone()))?;
        // Re-check: the span may have been made against another text.
        self.transcripts[position].span(span.start(), span.end())?;
        let next = UnitId(self.units.len());
        let id = *self.index.units.entry((position, span)).or_insert(next);
        if id == next {
            self.units.push(MeaningUnit {
                source: source.clone(),
                span,
            });
        }
        Ok(id)
    }

    /// The meaning unit that `quote` selects in a source's text, made if new.
    pub fn locate_unit(
        &mut self,
        source: &SourceId,
        quote: &TextQuote,
    ) -> Result<UnitId, ModelError> {
        let span = self
            .transcript(source)
            .ok_or_else(|| ModelError::UnknownSource(source.clone()))?
            .locate(quote)?;
        self.unit(source, span)
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

    /// Removes everything an informant said and everything that quotes it: their own
    /// sources whole (and a shared source whose words cannot be told apart by speaker), their
    /// turns in sources shared with others ([`Source::withdraw`]), the meaning units and
    /// codings on their words, and every free text of the study that quotes them, as
    /// [`FreeText::on_withdrawal`] declares (by the rule in [`crate::quoting`]). Their row
    /// stays, with no personal data, as withdrawn.
    pub fn withdraw(&mut self, id: &InformantId) -> Result<Withdrawal, ModelError> {
        self.informant(id)?;
        let mut report = Withdrawal::default();
        // Per source: untouched (None), removed whole (Some(None)) or redacted.
        let plan: Vec<Option<Option<crate::source::Redaction>>> = self
            .sources
            .iter()
            .zip(&self.transcripts)
            .map(|(s, t)| {
                s.withdraw(t, id).map(|w| match w {
                    crate::source::Withdrawn::Whole => None,
                    crate::source::Withdrawn::Redacted(r) => Some(*r),
                })
            })
            .collect();
        // Their words, indexed before anything goes: per source, the text and the units on it.
        let mut their_units: Vec<Vec<&str>> = vec![Vec::new(); self.sources.len()];
        for u in &self.units {
            let k = self.index.sources[&u.source];
            let t = &self.transcripts[k];
            match &plan[k] {
                Some(None) => their_units[k].push(t.slice(u.span)),
                Some(Some(r)) if r.span(u.span).is_none() => their_units[k].push(t.slice(u.span)),
                _ => {}
            }
        }
        let finders: Vec<QuoteFinder> = plan
            .iter()
            .enumerate()
            .filter_map(|(k, p)| match p {
                None => None,
                Some(None) => Some(QuoteFinder::new(
                    &self.transcripts[k],
                    their_units[k].iter().copied(),
                )),
                Some(Some(r)) => Some(QuoteFinder::new(
                    &Transcript::new(self.sources[k].id.clone(), &r.words),
                    their_units[k].iter().copied(),
                )),
            })
            .collect();
        drop(their_units);
        // Renumber units: indices are positions.
        let mut remap = Vec::with_capacity(self.units.len());
        let mut kept = Vec::with_capacity(self.units.len());
        for mut u in std::mem::take(&mut self.units) {
            let k = self.index.sources[&u.source];
            let span = match &plan[k] {
                None => Some(u.span),
                Some(None) => None,
                Some(Some(r)) => r.span(u.span),
            };
            match span {
                Some(span) => {
                    u.span = span;
                    remap.push(Some(UnitId(kept.len())));
                    kept.push(u);
                }
                None => {
                    remap.push(None);
                    report.units += 1;
                }
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
        // The facilitation record's evidence follows its words, or goes with them.
        let moved: HashMap<SourceId, &Option<crate::source::Redaction>> = self
            .sources
            .iter()
            .zip(&plan)
            .filter_map(|(s, p)| p.as_ref().map(|r| (s.id.clone(), r)))
            .collect();
        report.evidence = self
            .facilitation
            .move_evidence(|source, span| match moved.get(source) {
                None => Some(span),
                Some(None) => None,
                Some(Some(r)) => r.span(span),
            });
        drop(moved);
        let sources = std::mem::take(&mut self.sources);
        let transcripts = std::mem::take(&mut self.transcripts);
        for ((s, t), p) in sources.into_iter().zip(transcripts).zip(plan) {
            match p {
                None => {
                    self.sources.push(s);
                    self.transcripts.push(t);
                }
                Some(None) => report.transcripts += 1,
                Some(Some(r)) => {
                    report.turns += 1;
                    self.sources.push(r.source);
                    self.transcripts.push(r.text);
                }
            }
        }
        // After their own codings went, so that only texts on others' words are counted.
        for finder in &finders {
            for field in FreeText::ALL {
                let n = self.forget_quotes(field, finder);
                report.count(field, n);
            }
        }
        let informant = self
            .informants
            .iter_mut()
            .find(|i| &i.id == id)
            .expect("checked above");
        informant.details = None;
        self.reindex();
        Ok(report)
    }

    /// Builds the index again after a change that moved things in the vectors (a
    /// withdrawal renumbers units and removes a transcript).
    fn reindex(&mut self) {
        let mut index = Index {
            municipalities: self.municipalities.iter().map(|m| m.id.clone()).collect(),
            groups: self.groups.iter().map(|g| g.id.clone()).collect(),
            members: position_map(self.members.iter().map(|m| &m.id)),
            informants: position_map(self.informants.iter().map(|i| &i.id)),
            guides: position_map(self.guides.iter().map(|g| &g.id)),
            sources: position_map(self.sources.iter().map(|s| &s.id)),
            ..Index::default()
        };
        index.units = self
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| ((index.sources[&u.source], u.span), UnitId(i)))
            .collect();
        self.voices = self
            .sources
            .iter()
            .zip(&self.transcripts)
            .map(|(s, t)| {
                s.voices(t.text())
                    .map(|p| index.informants[&s.informants[p as usize]] as u32)
            })
            .collect();
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
                FreeText::SourceAttribute => self
                    .sources
                    .iter_mut()
                    .map(|s| s.attributes.remove_texts(quotes))
                    .sum(),
                other => panic!(
                    "{other:?} is declared DeleteWhenQuoting, but a Study cannot delete its \
                     record: declare it ClearWhenQuoting or ReplaceWhenQuoting, or delete it here"
                ),
            },
            OnWithdrawal::Theirs | OnWithdrawal::Kept(_) => 0,
        }
    }

    /// The texts of `field` in this study, in place.
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
            FreeText::SourceAttribute => self
                .sources
                .iter_mut()
                .flat_map(|s| s.attributes.texts_mut().map(Required))
                .collect(),
            FreeText::SourceTitle => self
                .sources
                .iter_mut()
                .map(|s| Optional(&mut s.title))
                .collect(),
            // A text goes whole or loses the withdrawn speaker's turns (labels and all);
            // frameworks are kept.
            FreeText::Transcript
            | FreeText::SpeakerLabel
            | FreeText::FrameworkText
            | FreeText::CodeText => Vec::new(),
            FreeText::GuideText => self
                .guides
                .iter_mut()
                .flat_map(|g| {
                    std::iter::once(Required(&mut g.title)).chain(g.versions.iter_mut().flat_map(
                        |v| {
                            std::iter::once(Optional(&mut v.note)).chain(
                                v.themes.iter_mut().flat_map(|t| {
                                    std::iter::once(Required(&mut t.title)).chain(
                                        t.questions.iter_mut().map(|q| Required(&mut q.text)),
                                    )
                                }),
                            )
                        },
                    ))
                })
                .collect(),
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
        let record = record.rechecked(&self.roster())?;
        // A source's minutes stay of a meeting the record holds.
        if let Some((s, m)) = self.sources.iter().find_map(|s| {
            Some((s, s.meeting.as_ref()?)).filter(|(_, m)| record.meeting(m).is_none())
        }) {
            return Err(FacilitationError::MinutesWithoutMeeting {
                source_id: s.id.clone(),
                meeting: m.clone(),
            });
        }
        self.facilitation = record;
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
            let a = crate::attribute::declared(self.attributes(), id)?;
            let own = a.holders.contains(&AttributeHolder::Informant);
            let group = a.holders.contains(&AttributeHolder::Group);
            if !own && !group {
                return Err(ModelError::NotAboutInformants(id.clone()));
            }
            wanted.push((id, own, group, a.clause_value(text)?));
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

    /// The sources whose values match every clause (attribute, value as text), each clause
    /// on an attribute declared for sources: what `--where` picks when it names one.
    pub fn sources_where(
        &self,
        clauses: &[(crate::AttributeId, String)],
    ) -> Result<crate::SourceSet, ModelError> {
        crate::attribute::sources_where(self.attributes(), &self.sources, clauses)
    }

    /// Informants in the order added.
    pub fn informants(&self) -> &[Informant] {
        &self.informants
    }
    /// Sources in the order added.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }
    /// The texts of the sources, in their order.
    pub fn transcripts(&self) -> &[Transcript] {
        &self.transcripts
    }
    /// A source by id, with its text.
    pub fn source(&self, id: &SourceId) -> Option<(&Source, &Transcript)> {
        self.index
            .sources
            .get(id)
            .map(|&i| (&self.sources[i], &self.transcripts[i]))
    }
    /// Whose words each source's spans are, as positions in [`Study::informants`], in the
    /// order of [`Study::sources`].
    pub fn voices(&self) -> &[Voices<u32>] {
        &self.voices
    }
    /// The informants whose words a unit holds (see [`crate::source`]), as positions in
    /// [`Study::informants`], each once.
    pub fn unit_voices(&self, unit: UnitId, out: &mut Vec<u32>) {
        let u = &self.units[unit.0];
        self.voices[self.index.sources[&u.source]].of(u.span, out);
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

    /// Interview guides, in the order added.
    pub fn guides(&self) -> &[Guide] {
        &self.guides
    }

    /// A guide by id.
    pub fn guide(&self, id: &GuideId) -> Option<&Guide> {
        self.index.guides.get(id).map(|&k| &self.guides[k])
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

    /// A source's text, if the study has the source.
    pub fn transcript(&self, id: &SourceId) -> Option<&Transcript> {
        self.index.sources.get(id).map(|&i| &self.transcripts[i])
    }

    /// The text of a meaning unit.
    pub fn unit_text(&self, unit: UnitId) -> &str {
        let u = &self.units[unit.0];
        self.transcript(&u.source)
            .expect("a unit's source exists while the unit does")
            .slice(u.span)
    }

    /// The canonical quote selector of a unit (see [`Transcript::selector`]).
    pub fn unit_selector(&self, unit: UnitId) -> TextQuote {
        let u = &self.units[unit.0];
        self.transcript(&u.source)
            .expect("a unit's source exists while the unit does")
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
            .add_source(Source::interview(&id("I8")), Transcript::new(id("I8"), "x"))
            .unwrap_err();
        assert_eq!(e, ModelError::UnknownInformant(id("I8")));
        let e = s
            .add_source(Source::interview(&id("I1")), Transcript::new(id("I1"), "x"))
            .unwrap_err();
        assert_eq!(e.to_string(), "duplicate source id `I1`");
        let e = s
            .add_source(Source::interview(&id("I3")), Transcript::new(id("I1"), "x"))
            .unwrap_err();
        assert!(e.to_string().contains("the text of source `I1`"), "{e}");
        let e = s
            .locate_unit(&id("nowhere"), &TextQuote::exact("x"))
            .unwrap_err();
        assert_eq!(e, ModelError::UnknownSource(id("nowhere")));
    }

    /// The test study with a focus group of I1 and I3 (in turns, with a moderator) and a
    /// document of G1's, each coded.
    fn with_shared_sources() -> Study {
        let mut s = study();
        let fg = Source {
            id: id("fg"),
            kind: crate::SourceKind::FocusGroup,
            title: Some("Fokusgruppe".into()),
            date: None,
            informants: vec![id("I1"), id("I3")],
            speakers: vec![
                ("M".into(), crate::Voice::Interviewer),
                ("Ola".into(), "I1".parse().unwrap()),
                ("Siv".into(), "I3".parse().unwrap()),
            ],
            group: Some(id("G1")),
            guide: None,
            meeting: None,
            attributes: Default::default(),
        };
        let text = "M: Hva hindrer dere?\nOla: Vi rekker ingenting, ingen har tid.\nSiv: Ingen har tid, og lederne bryr seg ikke.\n";
        s.add_source(fg, Transcript::new(id("fg"), text)).unwrap();
        let doc = Source {
            id: id("plan"),
            kind: crate::SourceKind::Document,
            title: Some("Prosjektplan".into()),
            date: None,
            informants: Vec::new(),
            speakers: Vec::new(),
            group: Some(id("G1")),
            guide: None,
            meeting: None,
            attributes: Default::default(),
        };
        s.add_source(
            doc,
            Transcript::new(id("plan"), "Tid til samarbeid skal settes av."),
        )
        .unwrap();
        let time: crate::CodeId = id("resources/time-people-money");
        for (source, quote) in [
            ("fg", "Vi rekker ingenting, ingen har tid."),
            // Spans Ola's and Siv's turns: both their words, one unit.
            ("fg", "ingen har tid.\nSiv: Ingen har tid"),
            ("fg", "Hva hindrer dere?"),
            ("plan", "Tid til samarbeid"),
        ] {
            let unit = s
                .locate_unit(&id(source), &TextQuote::exact(quote))
                .unwrap();
            s.add_coding(Coding {
                unit,
                code: time.clone(),
                qualifiers: crate::testing::barrier(),
                coder: id("C"),
                memo: None,
                exemplar: false,
            })
            .unwrap();
        }
        s
    }

    #[test]
    fn minutes_link_to_a_recorded_meeting_of_their_group_and_keep_it() {
        use crate::facilitation::{Facilitation, FacilitationError, Meeting, MeetingKind};
        let mut s = with_shared_sources();
        let minutes = |group: Option<&str>| Source {
            id: id("ref-m1"),
            kind: crate::SourceKind::Minutes,
            title: None,
            date: None,
            informants: Vec::new(),
            speakers: Vec::new(),
            group: group.map(id),
            guide: None,
            meeting: Some(id("m1")),
            attributes: Default::default(),
        };
        let text = || Transcript::new(id("ref-m1"), "Referat: gruppa møttes.");
        // No record yet: the link names nothing.
        let e = s.add_source(minutes(None), text()).unwrap_err();
        assert!(e.to_string().contains("does not hold"), "{e}");
        s.facilitate(|f, r| {
            f.add_meeting(
                r,
                Meeting {
                    id: id("m1"),
                    group: id("G1"),
                    kind: MeetingKind::Group,
                    date: "2023-02-01".parse().unwrap(),
                    note: None,
                },
            )
        })
        .unwrap();
        let e = s.add_source(minutes(Some("G2")), text()).unwrap_err();
        assert!(
            e.to_string().contains("meeting `m1` is group `G1`'s"),
            "{e}"
        );
        // A focus group is not of a meeting.
        let e = s.link_meeting(&id("fg"), id("m1")).unwrap_err();
        assert!(
            e.to_string().contains("only minutes and observation notes"),
            "{e}"
        );
        s.add_source(minutes(Some("G1")), text()).unwrap();
        assert_eq!(s.source(&id("ref-m1")).unwrap().0.meeting, Some(id("m1")));
        // A record without that meeting is refused, and the old one stays.
        let e = s
            .replace_facilitation(&Facilitation::default())
            .unwrap_err();
        assert!(
            matches!(e, FacilitationError::MinutesWithoutMeeting { .. }),
            "{e}"
        );
        assert_eq!(s.facilitation().meetings().len(), 1);
        // Read before the record (as a bundle or a store reads), linked after it.
        let mut t = with_shared_sources();
        let mut unlinked = minutes(Some("G1"));
        unlinked.meeting = None;
        t.add_source(unlinked, text()).unwrap();
        let record = s.facilitation().clone();
        t.replace_facilitation(&record).unwrap();
        t.link_meeting(&id("ref-m1"), id("m1")).unwrap();
        assert_eq!(
            t.source(&id("ref-m1")).unwrap().0,
            s.source(&id("ref-m1")).unwrap().0
        );
    }

    #[test]
    fn where_on_an_attribute_of_sources_keeps_only_their_units() {
        use crate::analysis::{matrix, Column, Filter, RowsBy};
        use crate::{Attribute, AttributeHolder as H, AttributeType, AttributeValue};
        let mut s = study();
        s.add_attribute(Attribute {
            id: id("phase"),
            label: None,
            kind: AttributeType::OneOf(vec!["pilot".into(), "main".into()]),
            holders: vec![H::Source],
        })
        .unwrap();
        // A value of the wrong type, or on a holder it is not declared for, is refused.
        let mut bad = Source {
            id: id("notat"),
            kind: crate::SourceKind::Observation,
            title: None,
            date: None,
            informants: Vec::new(),
            speakers: Vec::new(),
            group: None,
            guide: None,
            meeting: None,
            attributes: Default::default(),
        };
        bad.attributes
            .set(id("phase"), AttributeValue::Text("late".into()));
        let e = s
            .add_source(bad.clone(), Transcript::new(id("notat"), "x"))
            .unwrap_err();
        assert!(e.to_string().contains("late"), "{e}");
        bad.attributes
            .set(id("phase"), AttributeValue::Text("pilot".into()));
        s.add_source(bad, Transcript::new(id("notat"), "Ingen har tid."))
            .unwrap();
        let unit = s
            .locate_unit(&id("notat"), &TextQuote::exact("har tid"))
            .unwrap();
        s.add_coding(Coding {
            unit,
            code: "resources/time-people-money".parse().unwrap(),
            qualifiers: crate::testing::barrier(),
            coder: id("C"),
            memo: None,
            exemplar: false,
        })
        .unwrap();
        let clause = |v: &str| vec![(id("phase"), v.to_string())];
        let pilot = s.sources_where(&clause("pilot")).unwrap();
        assert_eq!(pilot, [id("notat")].into_iter().collect());
        assert!(s.sources_where(&clause("main")).unwrap().is_empty());
        assert!(s.sources_where(&clause("late")).is_err());
        // An attribute of sources selects no informant.
        assert!(s.informants_where(&clause("pilot")).is_err());
        let t = CodingTable::of(&s, None);
        let total = |f: &Filter| {
            let m = matrix(&t, f, RowsBy::Top, None);
            let at = m.columns.iter().position(|c| *c == Column::Total).unwrap();
            m.rows
                .iter()
                .find(|r| r.key == "resources" && r.value.is_none())
                .map_or(0, |r| r.counts[at].units)
        };
        let all = total(&Filter::default());
        assert!(all > 1, "the test study codes more than the notes' unit");
        let only = |set| Filter {
            sources: Some(set),
            ..Filter::default()
        };
        assert_eq!(total(&only(pilot)), 1);
        assert_eq!(total(&only(Default::default())), 0);
    }

    #[test]
    fn counts_follow_the_speakers_not_the_files() {
        use crate::analysis::{matrix, Column, Filter, RowsBy};
        let s = with_shared_sources();
        let t = CodingTable::of(&s, None);
        assert!(t.has_shared_units());
        let c_only = Filter {
            coder: Some(id("C")),
            ..Filter::default()
        };
        let m = matrix(&t, &c_only, RowsBy::Top, None);
        let row = m
            .rows
            .iter()
            .find(|r| r.key == "resources" && r.value.is_none())
            .unwrap();
        let at = |c: Column| m.columns.iter().position(|x| *x == c).unwrap();
        // Four units: Ola's, the shared one, the moderator's and the document's. Two
        // informants: I1 and I3; the moderator and the document are no one's.
        assert_eq!(
            row.counts[at(Column::Total)],
            crate::analysis::Count {
                units: 4,
                informants: 2
            }
        );
        // G1: I1's words, the shared unit once, the document (G1's); the moderator's
        // question is in G1's focus group too. I3 is in no group.
        assert_eq!(
            row.counts[at(Column::Group(id("G1")))],
            crate::analysis::Count {
                units: 4,
                informants: 1
            }
        );
        assert_eq!(
            row.counts[at(Column::Ungrouped)],
            crate::analysis::Count {
                units: 1,
                informants: 1
            }
        );
        // Who said a quote.
        let q = crate::analysis::quotes(&s, &c_only);
        let shared = q.iter().find(|q| q.text.contains("Siv:")).unwrap();
        assert_eq!(shared.informants, [id("I1"), id("I3")]);
        assert!(q
            .iter()
            .any(|q| q.source == id("plan") && q.informants.is_empty()));
        // A filter on role keeps informants' words only.
        let facilitator = Filter {
            role: Some(crate::Role::Facilitator),
            ..c_only.clone()
        };
        let q = crate::analysis::quotes(&s, &facilitator);
        assert_eq!(q.len(), 1, "{q:?}");
        assert!(q[0].text.contains("Siv:"));
    }

    #[test]
    fn withdrawal_from_a_shared_source_cuts_their_turns_only() {
        let mut s = with_shared_sources();
        let before = s.codings().len();
        let w = s.withdraw(&id("I1")).unwrap();
        // Their interview goes whole; the focus group loses their turn, the unit on it and
        // the unit spanning into it.
        assert_eq!((w.transcripts, w.turns), (1, 1));
        assert_eq!(s.codings().len(), before - w.codings);
        let (fg, text) = s.source(&id("fg")).unwrap();
        assert_eq!(fg.informants, [id("I3")]);
        assert!(!text.text().contains("rekker"));
        assert!(text.text().contains(crate::source::REMOVED_TURN));
        let texts: Vec<&str> = s.codings().iter().map(|c| s.unit_text(c.unit)).collect();
        assert!(texts.contains(&"Hva hindrer dere?"), "{texts:?}");
        assert!(texts.contains(&"Tid til samarbeid"), "{texts:?}");
        assert!(!texts
            .iter()
            .any(|t| t.contains("rekker") || t.contains("Siv:")));
        // The study built again from what is left is the same.
        let t = CodingTable::of(&s, None);
        assert!(!t.has_shared_units());
        let mut again = s.clone();
        again.reindex();
        assert_eq!(CodingTable::of(&again, None), t);
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
            exemplar: false,
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
                turns: 0,
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
            s.add_source(
                Source::interview(&id("I1")),
                Transcript::new(id("I1"), "igjen")
            ),
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
            exemplar: false,
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
        // Sources and people cannot share an attribute: the notes get their own.
        let about: crate::AttributeId = id("about");
        s.add_attribute(crate::Attribute {
            id: about.clone(),
            label: None,
            kind: crate::AttributeType::Text,
            holders: vec![crate::AttributeHolder::Source],
        })
        .unwrap();
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
            exemplar: false,
        })
        .unwrap();
        s.add_memo(Memo {
            code: None,
            author: id("A"),
            text: quote.into(),
        })
        .unwrap();
        // A guide that asks with the words an informant used is still the researchers'.
        s.add_guide(crate::guide::Guide {
            id: id("g"),
            title: quote.into(),
            versions: vec![crate::guide::GuideVersion {
                version: 1,
                note: Some(quote.into()),
                themes: vec![crate::guide::Theme {
                    title: quote.into(),
                    questions: vec![crate::guide::Question {
                        id: id("q1"),
                        text: quote.into(),
                    }],
                }],
            }],
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
                    value: AssessmentValue::Logic(Logics::one(InstitutionalLogic::Npg)),
                    assessor: id("A"),
                    date: day("2023-03-01"),
                    note: Some(quote.into()),
                    evidence: vec![],
                },
            )?;
            // A service placed as an actor is the service a member carries, quote and all.
            f.add_assessment(
                r,
                Assessment {
                    id: id("as2"),
                    subject: Subject::Group(id("G1")),
                    value: AssessmentValue::Ladder {
                        range: LadderRange::step(3).unwrap(),
                        actor: Some(Actor::Service(quote.into())),
                    },
                    assessor: id("A"),
                    date: day("2023-03-01"),
                    note: None,
                    evidence: vec![Evidence::Fact(Fact::Contact(id("c1")))],
                },
            )
        })
        .unwrap();
        // Field notes whose title quotes them.
        s.add_source(
            Source {
                id: id("notes"),
                kind: crate::SourceKind::Observation,
                title: Some(quote.into()),
                date: None,
                informants: vec![],
                speakers: vec![],
                group: None,
                guide: None,
                meeting: None,
                attributes: [(about, crate::AttributeValue::Text(quote.into()))]
                    .into_iter()
                    .collect(),
            },
            Transcript::new(id("notes"), "Notater fra møtet."),
        )
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
        // A fact cited as evidence is no one's words: it stays.
        assert_eq!(
            s.facilitation().assessments()[1].evidence,
            [Evidence::Fact(Fact::Contact(id("c1")))]
        );
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
