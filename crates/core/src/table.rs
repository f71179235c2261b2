//! A study's codings as numbers: what the counting analyses (matrix, cross-tabulation,
//! co-occurrence, saturation, agreement between coders) read. It holds the framework, the
//! groups and informants, the sources (each text's length and whose words its spans are),
//! the meaning units as spans and the
//! codings as small integers, and no text. A store can fill one straight from its tables,
//! without building a whole [`Study`]; a `Study` gives one with [`CodingTable::of`].
//!
//! The table keeps a study's invariants on codings: every unit lies inside its source's
//! text, no unit twice, every code in the framework with the qualifier values it
//! declares, no coding twice.

use foldhash::{HashMap, HashSet};

use crate::coding::Qualifiers;
use crate::framework::Framework;
use crate::ids::{CodeId, CoderId, GroupId, InformantId, SourceId};
use crate::model::Informant;
use crate::source::Voices;
use crate::study::Study;
use crate::text::{Span, TextQuote};
use crate::ModelError;

/// A meaning unit in a [`CodingTable`]: of which source (a position in
/// [`CodingTable::sources`]) and where. Whose words it holds is
/// [`CodingTable::voices`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableUnit {
    /// Position of the source.
    pub source: u32,
    /// The span of its text.
    pub span: Span,
}

/// A source in a [`CodingTable`]: its id, its text's length, its group (a position in
/// [`CodingTable::groups`]) and whose words its spans are (positions in
/// [`CodingTable::informants`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSource {
    /// Its id.
    pub id: SourceId,
    /// Its text's length in characters.
    pub chars: usize,
    /// The group it comes from, if it names one.
    pub group: Option<u32>,
    /// Whose words its spans are.
    pub voices: Voices<u32>,
}

/// The voice of a unit that holds no informant's words (a document, the interviewer's
/// turn), in [`CodingTable::voices`].
pub const NO_ONE: u32 = u32::MAX;

/// A coding in a [`CodingTable`], as positions: of its unit, of its code in the framework's
/// order ([`Framework::code_rank`]), of its qualifier values in
/// [`CodingTable::qualifier_sets`], of its coder in [`CodingTable::coders`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableCoding {
    /// Position of the unit.
    pub unit: u32,
    /// Rank of the code.
    pub code: u32,
    /// Position of the qualifier values.
    pub qualifiers: u32,
    /// Position of the coder.
    pub coder: u32,
}

/// A study's codings as numbers. Built with [`TableBuilder`] or [`CodingTable::of`].
#[derive(Debug, Clone, PartialEq)]
pub struct CodingTable {
    framework: Framework,
    groups: Vec<GroupId>,
    informants: Vec<Informant>,
    /// Each informant's group, as a position in `groups`.
    informant_groups: Vec<Option<u32>>,
    sources: Vec<TableSource>,
    units: Vec<TableUnit>,
    /// Each unit's voices: those of unit `u` are `voices[voice_at[u]..voice_at[u + 1]]`.
    voice_at: Vec<u32>,
    voices: Vec<u32>,
    codings: Vec<TableCoding>,
    qualifier_sets: Vec<Qualifiers>,
    coders: Vec<CoderId>,
    /// The codings' own memos (few codings have one), by coding position, in order.
    memos: Vec<(u32, String)>,
    /// The positions of the codings chosen as exemplars (few), in order.
    exemplars: Vec<u32>,
    text: Option<String>,
}

impl CodingTable {
    /// The table of a study's codings. With `text`, only the codings of units whose text
    /// contains it (ignoring case) are kept: the one criterion of an
    /// [`analysis::Filter`](crate::analysis::Filter) that needs the words, applied here
    /// because the table holds none. Units keep their positions in [`Study::units`], and
    /// codings their order in [`Study::codings`].
    pub fn of(study: &Study, text: Option<&str>) -> Self {
        let sources: HashMap<&SourceId, u32> = study
            .sources()
            .iter()
            .enumerate()
            .map(|(i, s)| (&s.id, i as u32))
            .collect();
        let groups: HashMap<&GroupId, u32> = study
            .groups()
            .iter()
            .enumerate()
            .map(|(i, g)| (&g.id, i as u32))
            .collect();
        let needle = text.map(str::to_lowercase);
        let units: Vec<TableUnit> = study
            .units()
            .iter()
            .map(|u| TableUnit {
                source: sources[&u.source],
                span: u.span,
            })
            .collect();
        let kept: Vec<bool> = match &needle {
            None => Vec::new(),
            Some(n) => (0..units.len())
                .map(|i| contains_text(study.unit_text(crate::UnitId(i)), n))
                .collect(),
        };
        let mut qualifier_sets: Vec<Qualifiers> = Vec::new();
        let mut qualifier_index: HashMap<&Qualifiers, u32> = HashMap::default();
        let mut coders: Vec<CoderId> = Vec::new();
        let mut coder_index: HashMap<&CoderId, u32> = HashMap::default();
        let mut codings = Vec::with_capacity(study.codings().len());
        let mut memos = Vec::new();
        let mut exemplars = Vec::new();
        for c in study.codings() {
            if needle.is_some() && !kept[c.unit.index()] {
                continue;
            }
            if let Some(m) = &c.memo {
                memos.push((codings.len() as u32, m.clone()));
            }
            if c.exemplar {
                exemplars.push(codings.len() as u32);
            }
            let q = *qualifier_index.entry(&c.qualifiers).or_insert_with(|| {
                qualifier_sets.push(c.qualifiers.clone());
                qualifier_sets.len() as u32 - 1
            });
            let coder = *coder_index.entry(&c.coder).or_insert_with(|| {
                coders.push(c.coder.clone());
                coders.len() as u32 - 1
            });
            codings.push(TableCoding {
                unit: c.unit.index() as u32,
                code: study
                    .framework()
                    .code_rank(&c.code)
                    .expect("a study's codes are in its framework") as u32,
                qualifiers: q,
                coder,
            });
        }
        let mut table = Self {
            framework: study.framework().clone(),
            groups: study.groups().iter().map(|g| g.id.clone()).collect(),
            sources: study
                .sources()
                .iter()
                .zip(study.transcripts())
                .zip(study.voices())
                .map(|((s, t), v)| TableSource {
                    id: s.id.clone(),
                    chars: t.char_len(),
                    group: s.group.as_ref().map(|g| groups[g]),
                    voices: v.clone(),
                })
                .collect(),
            informant_groups: study
                .informants()
                .iter()
                .map(|i| i.group().map(|g| groups[g]))
                .collect(),
            informants: study.informants().to_vec(),
            units,
            voice_at: Vec::new(),
            voices: Vec::new(),
            codings,
            qualifier_sets,
            coders,
            memos,
            exemplars,
            text: needle,
        };
        table.place_voices();
        table
    }

    /// Works out each unit's voices from its source's.
    fn place_voices(&mut self) {
        let mut at = Vec::with_capacity(self.units.len() + 1);
        let mut all = Vec::with_capacity(self.units.len());
        let mut one = Vec::new();
        at.push(0);
        for u in &self.units {
            self.sources[u.source as usize].voices.of(u.span, &mut one);
            if one.is_empty() {
                all.push(NO_ONE);
            } else {
                all.extend_from_slice(&one);
            }
            at.push(all.len() as u32);
        }
        self.voice_at = at;
        self.voices = all;
    }

    /// Whose words the unit at `unit` holds: positions in [`CodingTable::informants`], each
    /// once, or [`NO_ONE`] alone.
    pub fn voices(&self, unit: u32) -> &[u32] {
        let u = unit as usize;
        &self.voices[self.voice_at[u] as usize..self.voice_at[u + 1] as usize]
    }

    /// True when some unit holds more than one informant's words (a unit spanning turns).
    pub fn has_shared_units(&self) -> bool {
        self.voices.len() > self.units.len()
    }

    /// The group a voice counts in: the informant's, or for [`NO_ONE`] the group of the
    /// unit's source.
    pub fn voice_group(&self, unit: u32, voice: u32) -> Option<u32> {
        if voice == NO_ONE {
            self.sources[self.units[unit as usize].source as usize].group
        } else {
            self.informant_groups[voice as usize]
        }
    }

    /// The framework coded against.
    pub fn framework(&self) -> &Framework {
        &self.framework
    }

    /// The study's groups, in study order.
    pub fn groups(&self) -> &[GroupId] {
        &self.groups
    }

    /// The informants, in study order.
    pub fn informants(&self) -> &[Informant] {
        &self.informants
    }

    /// The sources, in study order.
    pub fn sources(&self) -> &[TableSource] {
        &self.sources
    }

    /// The meaning units.
    pub fn units(&self) -> &[TableUnit] {
        &self.units
    }

    /// The codings, in the order they were added to the study.
    pub fn codings(&self) -> &[TableCoding] {
        &self.codings
    }

    /// Each distinct set of qualifier values the codings carry.
    pub fn qualifier_sets(&self) -> &[Qualifiers] {
        &self.qualifier_sets
    }

    /// The coders, in the order of their first coding.
    pub fn coders(&self) -> &[CoderId] {
        &self.coders
    }

    /// The memo of the coding at `coding`, if it has one.
    pub fn memo(&self, coding: usize) -> Option<&str> {
        let at = self
            .memos
            .binary_search_by_key(&(coding as u32), |(c, _)| *c)
            .ok()?;
        Some(&self.memos[at].1)
    }

    /// Whether the coding at `coding` is one the analyst chose as an exemplar.
    pub fn is_exemplar(&self, coding: usize) -> bool {
        self.exemplars.binary_search(&(coding as u32)).is_ok()
    }

    /// The positions of the codings marked as exemplars, in order.
    pub fn exemplar_codings(&self) -> &[u32] {
        &self.exemplars
    }

    /// The code of a coding.
    pub fn code(&self, c: &TableCoding) -> &CodeId {
        &self.framework.codes()[c.code as usize].id
    }

    /// The words of the unit at `unit`, read from `study`: the study the table was made
    /// from, or its record (the study without its units and codings, whose transcripts are
    /// the same). `None` where the study holds no transcript for the unit's informant.
    pub fn unit_text<'s>(&self, study: &'s Study, unit: u32) -> Option<&'s str> {
        let u = self.units[unit as usize];
        let t = study.transcript(&self.sources[u.source as usize].id)?;
        // A span made for another text of another length would slice wrongly.
        (t.char_len() >= u.span.end()).then(|| t.slice(u.span))
    }

    /// [`Study::unit_selector`] of every unit, in unit order, read from `study` (the study
    /// the table was made from, or its record): by [`Transcript::selectors`](crate::Transcript::selectors) per transcript,
    /// the transcripts shared among `threads` threads.
    pub fn unit_selectors(&self, study: &Study, threads: usize) -> Vec<TextQuote> {
        let mut by_source: Vec<Vec<usize>> = vec![Vec::new(); self.sources.len()];
        for (i, u) in self.units.iter().enumerate() {
            by_source[u.source as usize].push(i);
        }
        crate::threads::per_source(&by_source, self.units.len(), threads, |i, units| {
            let Some(t) = study.transcript(&self.sources[i].id) else {
                return vec![TextQuote::default(); units.len()];
            };
            let spans: Vec<Span> = units.iter().map(|&u| self.units[u].span).collect();
            t.selectors(&spans)
        })
    }

    /// The text the units were chosen by (lower case), if any: see [`CodingTable::of`].
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }
}

/// Whether `text` contains `needle` (given in lower case), ignoring case: the text
/// criterion of an [`analysis::Filter`](crate::analysis::Filter).
pub(crate) fn contains_text(text: &str, needle: &str) -> bool {
    text.to_lowercase().contains(needle)
}

/// Fills a [`CodingTable`] part by part, checking each part as [`Study`]'s `add_*` methods
/// do. Every check costs the same whatever the size of the table.
#[derive(Debug)]
pub struct TableBuilder {
    table: CodingTable,
    informant_index: HashMap<InformantId, u32>,
    source_index: HashMap<SourceId, u32>,
    group_index: HashMap<GroupId, u32>,
    /// Pairs of code rank and qualifier values already checked against the framework.
    checked: HashSet<(u32, u32)>,
    qualifier_index: HashMap<Qualifiers, u32>,
    coder_index: HashMap<CoderId, u32>,
}

impl TableBuilder {
    /// A table of a study coding against `framework`, with these groups and informants (in
    /// study order). Ids must be unique and every informant's group one of `groups`.
    pub fn new(
        framework: Framework,
        groups: Vec<GroupId>,
        informants: Vec<Informant>,
    ) -> Result<Self, ModelError> {
        let mut group_index = HashMap::default();
        for (i, g) in groups.iter().enumerate() {
            if group_index.insert(g.clone(), i as u32).is_some() {
                return Err(ModelError::Duplicate {
                    kind: "group",
                    id: g.to_string(),
                });
            }
        }
        let mut informant_index = HashMap::default();
        let mut informant_groups = Vec::with_capacity(informants.len());
        for (i, inf) in informants.iter().enumerate() {
            if informant_index.insert(inf.id.clone(), i as u32).is_some() {
                return Err(ModelError::Duplicate {
                    kind: "informant",
                    id: inf.id.to_string(),
                });
            }
            informant_groups.push(match inf.group() {
                Some(g) => Some(
                    *group_index
                        .get(g)
                        .ok_or_else(|| ModelError::UnknownGroup(g.clone()))?,
                ),
                None => None,
            });
        }
        Ok(Self {
            table: CodingTable {
                framework,
                groups,
                informants,
                informant_groups,
                sources: Vec::new(),
                units: Vec::new(),
                voice_at: Vec::new(),
                voices: Vec::new(),
                codings: Vec::new(),
                qualifier_sets: Vec::new(),
                coders: Vec::new(),
                memos: Vec::new(),
                exemplars: Vec::new(),
                text: None,
            },
            informant_index,
            source_index: HashMap::default(),
            group_index,
            checked: HashSet::default(),
            qualifier_index: HashMap::default(),
            coder_index: HashMap::default(),
        })
    }

    /// The position of an informant.
    pub fn informant(&self, id: &InformantId) -> Result<u32, ModelError> {
        self.informant_index
            .get(id)
            .copied()
            .ok_or_else(|| ModelError::UnknownInformant(id.clone()))
    }

    /// Adds a source: a new id, a text of `chars` characters, a known group, and voices of
    /// known informants who have not withdrawn, in turns that start inside the text, in
    /// order. Returns its position.
    pub fn source(
        &mut self,
        id: SourceId,
        chars: usize,
        group: Option<&GroupId>,
        voices: Voices<u32>,
    ) -> Result<u32, ModelError> {
        let group = match group {
            Some(g) => Some(
                *self
                    .group_index
                    .get(g)
                    .ok_or_else(|| ModelError::UnknownGroup(g.clone()))?,
            ),
            None => None,
        };
        let invalid = |reason: String| ModelError::InvalidSource {
            source_id: id.clone(),
            reason,
        };
        let who: Vec<u32> = match &voices {
            Voices::Everyone(all) => all.clone(),
            Voices::Turns(turns) => {
                if turns.windows(2).any(|w| w[0].0 >= w[1].0)
                    || turns.last().is_some_and(|t| t.0 > chars)
                {
                    return Err(invalid("its turns are not in order inside its text".into()));
                }
                turns.iter().filter_map(|t| t.1).collect()
            }
        };
        for w in who {
            let inf = self
                .table
                .informants
                .get(w as usize)
                .ok_or_else(|| invalid(format!("speaker {w} is not an informant")))?;
            if inf.details.is_none() {
                return Err(ModelError::Withdrawn(inf.id.clone()));
            }
        }
        let at = self.table.sources.len() as u32;
        if self.source_index.insert(id.clone(), at).is_some() {
            return Err(ModelError::Duplicate {
                kind: "source",
                id: id.to_string(),
            });
        }
        self.table.sources.push(TableSource {
            id,
            chars,
            group,
            voices,
        });
        Ok(at)
    }

    /// The position of a source.
    pub fn source_position(&self, id: &SourceId) -> Result<u32, ModelError> {
        self.source_index
            .get(id)
            .copied()
            .ok_or_else(|| ModelError::UnknownSource(id.clone()))
    }

    /// Adds the meaning unit at `start..end` (characters) of the source's text and returns
    /// its position.
    pub fn unit(&mut self, source: u32, start: usize, end: usize) -> Result<u32, ModelError> {
        let len = self.table.sources[source as usize].chars;
        let span = Span::new(start, end, len)?;
        self.table.units.push(TableUnit { source, span });
        Ok(self.table.units.len() as u32 - 1)
    }

    /// The rank of a code of the framework.
    pub fn code(&self, code: &CodeId) -> Result<u32, ModelError> {
        self.table
            .framework
            .code_rank(code)
            .map(|r| r as u32)
            .ok_or_else(|| ModelError::UnknownCode {
                code: code.clone(),
                framework: self.table.framework.id().clone(),
            })
    }

    /// The position of a set of qualifier values (checked with its codes in
    /// [`TableBuilder::coding`]).
    pub fn qualifiers(&mut self, q: &Qualifiers) -> u32 {
        intern(&mut self.qualifier_index, &mut self.table.qualifier_sets, q)
    }

    /// The position of a coder.
    pub fn coder(&mut self, c: &CoderId) -> u32 {
        intern(&mut self.coder_index, &mut self.table.coders, c)
    }

    /// Adds a coding made of positions that [`TableBuilder::unit`], [`TableBuilder::code`],
    /// [`TableBuilder::qualifiers`] and [`TableBuilder::coder`] gave, with its memo and
    /// whether the analyst chose it as an exemplar.
    pub fn coding(
        &mut self,
        c: TableCoding,
        memo: Option<String>,
        exemplar: bool,
    ) -> Result<(), ModelError> {
        let t = &self.table;
        if c.unit as usize >= t.units.len()
            || c.code as usize >= t.framework.codes().len()
            || c.qualifiers as usize >= t.qualifier_sets.len()
            || c.coder as usize >= t.coders.len()
        {
            return Err(ModelError::SpanOutside {
                start: c.unit as usize,
                end: c.unit as usize,
                len: t.units.len(),
            });
        }
        if self.checked.insert((c.code, c.qualifiers)) {
            let code = &t.framework.codes()[c.code as usize].id;
            if let Err(e) = t
                .framework
                .check_qualifiers(code, &t.qualifier_sets[c.qualifiers as usize])
            {
                self.checked.remove(&(c.code, c.qualifiers));
                return Err(e);
            }
        }
        let at = self.table.codings.len() as u32;
        if let Some(m) = memo {
            self.table.memos.push((at, m));
        }
        if exemplar {
            self.table.exemplars.push(at);
        }
        self.table.codings.push(c);
        Ok(())
    }

    /// The table, once no unit and no coding is there twice. The repeats are looked for
    /// here, by sorting, rather than in a set as each part arrives: a million codings sort
    /// faster than they hash.
    pub fn finish(self) -> Result<CodingTable, ModelError> {
        let mut t = self.table;
        let mut units: Vec<(u32, usize, usize, u32)> = t
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.source, u.span.start(), u.span.end(), i as u32))
            .collect();
        units.sort_unstable();
        if let Some(w) = units
            .windows(2)
            .find(|w| (w[0].0, w[0].1, w[0].2) == (w[1].0, w[1].1, w[1].2))
        {
            return Err(ModelError::Duplicate {
                kind: "meaning unit",
                id: format!("{} {}..{}", t.sources[w[0].0 as usize].id, w[0].1, w[0].2),
            });
        }
        let key = |c: &TableCoding| {
            u128::from(c.unit) << 96
                | u128::from(c.code) << 64
                | u128::from(c.qualifiers) << 32
                | u128::from(c.coder)
        };
        let mut codings: Vec<u128> = t.codings.iter().map(key).collect();
        codings.sort_unstable();
        if let Some(w) = codings.windows(2).find(|w| w[0] == w[1]) {
            let c = t
                .codings
                .iter()
                .find(|c| key(c) == w[0])
                .expect("one of them");
            return Err(ModelError::DuplicateCoding {
                coder: t.coders[c.coder as usize].clone(),
                code: t.framework.codes()[c.code as usize].id.clone(),
                qualifiers: t.qualifier_sets[c.qualifiers as usize].clone(),
            });
        }
        t.place_voices();
        Ok(t)
    }
}

/// The position of `v` in `list`, appended when new; `index` finds it again.
fn intern<T: Clone + Eq + std::hash::Hash>(
    index: &mut HashMap<T, u32>,
    list: &mut Vec<T>,
    v: &T,
) -> u32 {
    if let Some(&n) = index.get(v) {
        return n;
    }
    let n = list.len() as u32;
    list.push(v.clone());
    index.insert(v.clone(), n);
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{id, study};

    #[test]
    fn a_study_and_its_table_agree() {
        let s = study();
        let t = CodingTable::of(&s, None);
        assert_eq!(t.codings().len(), s.codings().len());
        assert_eq!(t.units().len(), s.units().len());
        for (c, tc) in s.codings().iter().zip(t.codings()) {
            assert_eq!(&c.code, t.code(tc));
            assert_eq!(c.coder, t.coders()[tc.coder as usize]);
            assert_eq!(c.qualifiers, t.qualifier_sets()[tc.qualifiers as usize]);
            let u = &s.units()[c.unit.index()];
            let tu = t.units()[tc.unit as usize];
            assert_eq!(u.span, tu.span);
            assert_eq!(u.source, t.sources()[tu.source as usize].id);
        }
        let kontakter = CodingTable::of(&s, Some("KONTAKTER"));
        assert_eq!(kontakter.codings().len(), 1);
        assert_eq!(kontakter.text(), Some("kontakter"));
    }

    #[test]
    fn the_builder_checks_what_a_study_checks() {
        let s = study();
        let mut b = TableBuilder::new(
            s.framework().clone(),
            s.groups().iter().map(|g| g.id.clone()).collect(),
            s.informants().to_vec(),
        )
        .unwrap();
        let i1 = b.informant(&id("I1")).unwrap();
        assert_eq!(
            b.source_position(&id("I1")),
            Err(ModelError::UnknownSource(id("I1")))
        );
        assert!(matches!(
            b.source(id("I1"), 40, Some(&id("G9")), Voices::Everyone(vec![i1])),
            Err(ModelError::UnknownGroup(_))
        ));
        assert!(matches!(
            b.source(
                id("I1"),
                40,
                None,
                Voices::Turns(vec![(5, Some(i1)), (5, None)])
            ),
            Err(ModelError::InvalidSource { .. })
        ));
        assert!(matches!(
            b.source(id("I1"), 40, None, Voices::Everyone(vec![99])),
            Err(ModelError::InvalidSource { .. })
        ));
        let i1 = b
            .source(id("I1"), 40, None, Voices::Everyone(vec![i1]))
            .unwrap();
        assert!(b
            .source(id("I1"), 40, None, Voices::Everyone(vec![]))
            .is_err());
        assert!(matches!(
            b.unit(i1, 30, 41),
            Err(ModelError::SpanOutside { .. })
        ));
        let u = b.unit(i1, 0, 10).unwrap();
        assert!(b.code(&id("nowhere")).is_err());
        let code = b.code(&id("structure/infrastructure")).unwrap();
        let none = b.qualifiers(&Qualifiers::none());
        let barrier = b.qualifiers(&crate::testing::barrier());
        let a = b.coder(&id("A"));
        let missing = TableCoding {
            unit: u,
            code,
            qualifiers: none,
            coder: a,
        };
        assert!(
            matches!(
                b.coding(missing, None, false),
                Err(ModelError::QualifierMissing { .. })
            ),
            "bentzen-2018 requires a polarity"
        );
        let ok = TableCoding {
            qualifiers: barrier,
            ..missing
        };
        b.coding(ok, None, false).unwrap();
        assert_eq!(b.finish().unwrap().codings(), &[ok]);
        // The same coding twice, and the same unit twice, are refused when the table is
        // finished.
        let mut b = TableBuilder::new(
            s.framework().clone(),
            s.groups().iter().map(|g| g.id.clone()).collect(),
            s.informants().to_vec(),
        )
        .unwrap();
        let i1 = b
            .source(id("I1"), 40, None, Voices::Everyone(vec![0]))
            .unwrap();
        let u = b.unit(i1, 0, 10).unwrap();
        let (barrier, a) = (b.qualifiers(&crate::testing::barrier()), b.coder(&id("A")));
        let c = TableCoding {
            unit: u,
            code,
            qualifiers: barrier,
            coder: a,
        };
        b.coding(c, None, false).unwrap();
        b.coding(c, None, false).unwrap();
        assert!(matches!(
            b.finish(),
            Err(ModelError::DuplicateCoding { .. })
        ));
        let mut b = TableBuilder::new(
            s.framework().clone(),
            s.groups().iter().map(|g| g.id.clone()).collect(),
            s.informants().to_vec(),
        )
        .unwrap();
        let i1 = b
            .source(id("I1"), 40, None, Voices::Everyone(vec![0]))
            .unwrap();
        b.unit(i1, 0, 10).unwrap();
        b.unit(i1, 3, 10).unwrap();
        b.unit(i1, 0, 10).unwrap();
        assert!(matches!(
            b.finish(),
            Err(ModelError::Duplicate {
                kind: "meaning unit",
                ..
            })
        ));
    }

    #[test]
    fn unit_selectors_on_threads_are_each_units_selector_in_order() {
        let mut s = crate::testing::study();
        // A passage that is there twice ("har", "arbeidet"), so that its selector needs
        // context.
        let i1 = crate::testing::id("I1");
        let span = s.transcript(&i1).unwrap().span(4, 6).unwrap();
        s.unit(&i1, span).unwrap();
        let one_by_one: Vec<TextQuote> = (0..s.units().len())
            .map(|i| s.unit_selector(crate::UnitId(i)))
            .collect();
        assert!(one_by_one.len() >= 4);
        assert!(one_by_one
            .iter()
            .any(|q| !q.prefix.is_empty() || !q.suffix.is_empty()));
        let t = CodingTable::of(&s, None);
        for threads in [0, 1, 2, 3, 16] {
            assert_eq!(
                t.unit_selectors(&s, threads),
                one_by_one,
                "{threads} threads"
            );
        }
    }
}
