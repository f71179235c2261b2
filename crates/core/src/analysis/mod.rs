//! The pure analysis of a study: filtered quotes, the counts matrix with its informant
//! counts, and example quotes per subtheme. Everything here reads a [`Study`] and returns
//! plain values; nothing is printed or stored.

mod cooccur;
mod count;
mod crosstab;
mod guide_yield;
mod saturation;

use serde::Serialize;

use crate::coding::{Coding, Qualifiers};
use crate::framework::Framework;
use crate::ids::{CodeId, CoderId, GroupId, InformantId, QualifierId, SourceId, ValueId};
use crate::model::{Consent, Role};
use crate::study::Study;
use crate::table::{contains_text, CodingTable, TableCoding, NO_ONE};

pub use cooccur::{cooccurrences, Cooccurrence};
pub use crosstab::{crosstab, Crosstab, Dim, NO_GROUP};
pub use guide_yield::{guide_yield, GuideYield, YieldRow};
pub use saturation::{saturation, Step};

/// Which codings an analysis looks at. Empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this code and the codes under it.
    pub code: Option<CodeId>,
    /// Only codings with these qualifier values (each of them).
    pub qualifiers: Qualifiers,
    /// Only units of informants in this group (or, holding no informant's words, of a
    /// source from this group).
    pub group: Option<GroupId>,
    /// Only this coder's codings.
    pub coder: Option<CoderId>,
    /// Only informants of this role.
    pub role: Option<Role>,
    /// Only units whose text contains this, ignoring case.
    pub text: Option<String>,
    /// Only informants whose consent is given: what a report may show.
    pub consented_only: bool,
    /// Only these informants (those a selection by attributes picked:
    /// [`Study::informants_where`]).
    pub among: Option<crate::InformantSet>,
    /// Only units of these sources (those a selection by attributes picked:
    /// [`Study::sources_where`]).
    pub sources: Option<crate::SourceSet>,
}

impl Filter {
    /// This filter as one test per coding of `table`. The text criterion is the table's:
    /// a table holds no words, so [`CodingTable::of`] applies it when it is made.
    pub(crate) fn selection(&self, table: &CodingTable) -> Selection {
        debug_assert_eq!(
            self.text.as_deref().map(str::to_lowercase).as_deref(),
            table.text(),
            "a text filter needs a table made with it (CodingTable::of)"
        );
        let f = table.framework();
        Selection {
            codes: f
                .codes()
                .iter()
                .map(|c| self.code.as_ref().is_none_or(|k| c.id.is_within(k)))
                .collect(),
            qualifiers: table
                .qualifier_sets()
                .iter()
                .map(|q| self.qualifiers.iter().all(|(id, v)| q.get(id) == Some(v)))
                .collect(),
            coders: table
                .coders()
                .iter()
                .map(|c| self.coder.as_ref().is_none_or(|k| c == k))
                .collect(),
            no_one: table
                .sources()
                .iter()
                .map(|s| self.keeps_no_one(s.group.map(|k| &table.groups()[k as usize])))
                .collect(),
            sources: table
                .sources()
                .iter()
                .map(|s| self.keeps_source(&s.id))
                .collect(),
            speakers: self.speakers(table.informants()),
        }
    }

    /// The filter's criteria on informants (group, role, consent, a selection), as a test
    /// of the voices of a unit: numbered as `informants` are.
    pub fn speakers(&self, informants: &[crate::Informant]) -> Speakers {
        Speakers {
            informants: informants
                .iter()
                .map(|inf| {
                    self.group.as_ref().is_none_or(|g| inf.group() == Some(g))
                        && (!self.consented_only || inf.consent() == Consent::Given)
                        && self.role.is_none_or(|r| inf.role() == Some(r))
                        && self.among.as_ref().is_none_or(|s| s.contains(&inf.id))
                })
                .collect(),
            consented: informants
                .iter()
                .map(|inf| !self.consented_only || inf.consent() == Consent::Given)
                .collect(),
        }
    }

    /// Whether the filter keeps units of source `id` at all.
    pub fn keeps_source(&self, id: &crate::SourceId) -> bool {
        self.sources.as_ref().is_none_or(|s| s.contains(id))
    }

    /// Whether the filter keeps words that are no informant's (a document's, the
    /// interviewer's) in a source of group `group`: they have no role and no attribute, and
    /// are in a group when their source is.
    pub fn keeps_no_one(&self, group: Option<&GroupId>) -> bool {
        self.role.is_none()
            && self.among.is_none()
            && self.group.as_ref().is_none_or(|g| group == Some(g))
    }

    /// The matching codings in a stable order: framework order of codes, qualifier values in
    /// the framework's order, sources in study order, position in the text, then coder.
    pub fn codings<'s>(&self, study: &'s Study) -> Vec<&'s Coding> {
        // A table of every coding lines up with the study's codings one to one; the text,
        // which it does not hold, is tested on the study.
        let table = CodingTable::of(study, None);
        let sel = Filter {
            text: None,
            ..self.clone()
        }
        .selection(&table);
        let needle = self.text.as_deref().map(str::to_lowercase);
        let codings = study.codings();
        in_order(&table, |i, t| {
            sel.keeps(&table, t)
                && needle
                    .as_deref()
                    .is_none_or(|n| contains_text(study.unit_text(codings[i].unit), n))
        })
        .into_iter()
        .map(|i| &codings[i as usize])
        .collect()
    }
}

/// The positions of the codings of `table` that `keep` keeps (given each one's position),
/// in the order of [`Filter::codings`].
fn in_order(table: &CodingTable, keep: impl Fn(usize, &TableCoding) -> bool) -> Vec<u32> {
    // The order's keys as numbers, each made once: qualifier sets and coders ranked
    // among themselves first, so that sorting compares integers, not strings.
    let f = table.framework();
    let ranked = |n: usize, key: &dyn Fn(usize, usize) -> std::cmp::Ordering| {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&x, &y| key(x, y));
        let mut rank = vec![0u32; n];
        for (r, i) in order.into_iter().enumerate() {
            rank[i] = r as u32;
        }
        rank
    };
    let sets = table.qualifier_sets();
    let set_ranks: Vec<Vec<(usize, usize)>> = sets.iter().map(|q| value_ranks(f, q)).collect();
    let set_rank = ranked(sets.len(), &|x, y| set_ranks[x].cmp(&set_ranks[y]));
    let coders = table.coders();
    let coder_rank = ranked(coders.len(), &|x, y| coders[x].cmp(&coders[y]));
    // Code rank, qualifier set's rank, source, start, end, coder's rank; position.
    type Key = (u32, u32, u32, usize, usize, u32, u32);
    let mut v: Vec<Key> = table
        .codings()
        .iter()
        .enumerate()
        .filter(|&(i, t)| keep(i, t))
        .map(|(i, t)| {
            let u = table.units()[t.unit as usize];
            (
                t.code,
                set_rank[t.qualifiers as usize],
                u.source,
                u.span.start(),
                u.span.end(),
                coder_rank[t.coder as usize],
                i as u32,
            )
        })
        .collect();
    v.sort_unstable();
    v.into_iter().map(|k| k.6).collect()
}

/// A [`Filter`] as a yes or no per code, per set of qualifier values, per coder and per
/// informant of one [`CodingTable`]: each coding is then tested by a few look-ups.
pub(crate) struct Selection {
    codes: Vec<bool>,
    qualifiers: Vec<bool>,
    coders: Vec<bool>,
    /// The test of informants' words.
    speakers: Speakers,
    /// Per source: the filter keeps its words that are no informant's.
    no_one: Vec<bool>,
    /// Per source: the filter keeps its units at all.
    sources: Vec<bool>,
}

/// A [`Filter`]'s criteria on informants, per informant: [`Filter::speakers`].
#[derive(Debug, Clone)]
pub struct Speakers {
    /// Per informant: the filter keeps their words.
    informants: Vec<bool>,
    /// Per informant: a report may show their words (every one when it need not ask).
    consented: Vec<bool>,
}

impl Speakers {
    /// Whether the filter keeps a unit whose voices are `voices` (informant positions, or
    /// [`NO_ONE`] alone), given whether it keeps words that are no one's there
    /// ([`Filter::keeps_no_one`]): no voice whose consent it needs and lacks, and some
    /// voice it keeps.
    pub fn keeps(&self, voices: &[u32], no_one: bool) -> bool {
        voices
            .iter()
            .all(|&v| v == NO_ONE || self.consented[v as usize])
            && voices.iter().any(|&v| self.keeps_voice(v, no_one))
    }

    /// Whether the filter keeps the words of one voice.
    pub fn keeps_voice(&self, voice: u32, no_one: bool) -> bool {
        if voice == NO_ONE {
            no_one
        } else {
            self.informants[voice as usize]
        }
    }
}

impl Selection {
    /// Whether the filter keeps coding `c` of `table`: its code, values and coder, no
    /// voice of its unit whose consent it needs and lacks, and some voice it keeps.
    pub(crate) fn keeps(&self, table: &CodingTable, c: &TableCoding) -> bool {
        self.codes[c.code as usize]
            && self.qualifiers[c.qualifiers as usize]
            && self.coders[c.coder as usize]
            && self.sources[table.units()[c.unit as usize].source as usize]
            && self
                .speakers
                .keeps(table.voices(c.unit), self.no_one_in(table, c.unit))
    }

    fn no_one_in(&self, table: &CodingTable, unit: u32) -> bool {
        self.no_one[table.units()[unit as usize].source as usize]
    }

    /// Whether the filter keeps the words of `voice` in unit `unit`.
    pub(crate) fn keeps_voice(&self, table: &CodingTable, unit: u32, voice: u32) -> bool {
        self.speakers
            .keeps_voice(voice, self.no_one_in(table, unit))
    }

    /// The codings of `table` the filter keeps, in table order.
    pub(crate) fn codings<'t>(
        &'t self,
        table: &'t CodingTable,
    ) -> impl Iterator<Item = &'t TableCoding> + 't {
        table.codings().iter().filter(|c| self.keeps(table, c))
    }
}

/// A coding's qualifier values as their positions in the framework's order (qualifiers as
/// declared, values as listed), for sorting.
pub(crate) fn value_ranks(f: &Framework, q: &Qualifiers) -> Vec<(usize, usize)> {
    let mut v: Vec<(usize, usize)> = q
        .iter()
        .filter_map(|(id, value)| {
            let at = f.qualifiers().iter().position(|d| &d.id == id)?;
            Some((at, f.qualifiers()[at].value_rank(value)?))
        })
        .collect();
    v.sort_unstable();
    v
}

/// A coded quote, as the `quotes` command lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// The code.
    pub code: CodeId,
    /// Its qualifier values.
    pub qualifiers: Qualifiers,
    /// Who coded it.
    pub coder: CoderId,
    /// The source.
    pub source: SourceId,
    /// Whose words: none for a document's, or the interviewer's.
    pub informants: Vec<InformantId>,
    /// Their group (the first speaker's), or the source's.
    pub group: Option<GroupId>,
    /// Start offset in characters.
    pub start: usize,
    /// End offset in characters.
    pub end: usize,
    /// The words.
    pub text: String,
}

/// The quotes that `filter` selects, in its order.
pub fn quotes(study: &Study, filter: &Filter) -> Vec<Quote> {
    let mut voices = Vec::new();
    filter
        .codings(study)
        .into_iter()
        .map(|c| {
            let u = &study.units()[c.unit.index()];
            study.unit_voices(c.unit, &mut voices);
            let informants: Vec<&crate::Informant> = voices
                .iter()
                .map(|&v| &study.informants()[v as usize])
                .collect();
            Quote {
                code: c.code.clone(),
                qualifiers: c.qualifiers.clone(),
                coder: c.coder.clone(),
                source: u.source.clone(),
                group: match informants.first() {
                    Some(i) => i.group().cloned(),
                    None => study.source(&u.source).and_then(|(s, _)| s.group.clone()),
                },
                informants: informants.iter().map(|i| i.id.clone()).collect(),
                start: u.span.start(),
                end: u.span.end(),
                text: study.unit_text(c.unit).to_owned(),
            }
        })
        .collect()
}

/// What the rows of a matrix are. A row counts the units coded with its code or any code
/// under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RowsBy {
    /// One row per code at the top of the tree (Bentzen's categories).
    Top,
    /// One row per code of the tree, in tree order.
    Code,
}

/// A column of the matrix. In JSON every column is an object, `{"kind": "group", "group":
/// "G1"}`, `{"kind": "ungrouped"}` or `{"kind": "total"}`, so that the array of columns holds
/// one type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "group")]
pub enum Column {
    /// Informants of one group.
    Group(GroupId),
    /// Informants in no group (the facilitator).
    Ungrouped,
    /// All informants.
    Total,
}

/// One cell: how many meaning units, and how many distinct informants behind them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    /// Distinct meaning units.
    pub units: usize,
    /// Distinct informants (the thesis's "several informants", "all informants").
    pub informants: usize,
}

/// One row: a code with one value of the matrix's qualifier, or with all its codings
/// (`value: None`: every value, and codings with no value, together).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The code's path.
    pub key: String,
    /// A value of the matrix's qualifier, or `None` for all codings of the code.
    pub value: Option<ValueId>,
    /// One count per column, in the matrix's column order.
    pub counts: Vec<Count>,
}

/// Counts per code (× value of a qualifier) × group, with informant counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matrix {
    /// What the rows are.
    pub rows_by: RowsBy,
    /// The qualifier whose values split the rows, if any.
    pub qualifier: Option<QualifierId>,
    /// The columns: groups with material in study order, then ungrouped, then the total.
    pub columns: Vec<Column>,
    /// Every code the rows are by (under the filter's code, if it names one), each with a
    /// row per value of the qualifier and one for all.
    pub rows: Vec<Row>,
}

/// Builds the counts matrix over the codings `filter` selects, with rows split by the
/// values of `qualifier` (the framework's first qualifier when `None` is given and the
/// framework has one; pass `Some` of an empty choice through [`matrix_by`] to split by none).
pub fn matrix(
    table: &CodingTable,
    filter: &Filter,
    rows_by: RowsBy,
    qualifier: Option<&QualifierId>,
) -> Matrix {
    let q = qualifier
        .cloned()
        .or_else(|| table.framework().qualifiers().first().map(|q| q.id.clone()));
    matrix_by(table, filter, rows_by, q.as_ref())
}

/// [`matrix`] with the qualifier given exactly: `None` splits rows by nothing.
pub fn matrix_by(
    table: &CodingTable,
    filter: &Filter,
    rows_by: RowsBy,
    qualifier: Option<&QualifierId>,
) -> Matrix {
    let framework = table.framework();
    let rows_of = count::row_codes(framework, rows_by);
    // Column of each voice: its group's position, or `ungrouped`; `total` after it.
    let ungrouped = table.groups().len();
    let total = ungrouped + 1;
    let n_cols = total + 1;
    let column = |unit: u32, voice: u32| {
        table
            .voice_group(unit, voice)
            .map_or(ungrouped, |g| g as usize)
    };
    let q = qualifier.and_then(|id| framework.qualifier(id));
    let values: Vec<&ValueId> =
        q.map_or_else(Vec::new, |q| q.values.iter().map(|v| &v.id).collect());
    // Per row: one slot per value, then one for all.
    let per = values.len() + 1;
    // Per set of qualifier values, the slot of its value of `q`, if it has one.
    let value_slot: Vec<Option<usize>> = table
        .qualifier_sets()
        .iter()
        .map(|set| q.and_then(|q| set.get(&q.id).and_then(|v| q.value_rank(v))))
        .collect();
    let n_codes = framework.codes().len();
    let cell = |code: usize, v: usize, col: usize| (code * per + v) * n_cols + col;
    let mut seen_columns = vec![false; n_cols];
    let sel = filter.selection(table);
    let counts = count::count_cells(
        table,
        sel.codings(table),
        n_codes * per * n_cols,
        |unit, voice| sel.keeps_voice(table, unit, voice),
        |c, voice, cells| {
            let col = column(c.unit, voice);
            seen_columns[col] = true;
            let value = value_slot[c.qualifiers as usize];
            for &row in &rows_of[c.code as usize] {
                for v in value.into_iter().chain([values.len()]) {
                    cells.extend([cell(row, v, col), cell(row, v, total)]);
                }
            }
        },
    );

    let mut shown: Vec<usize> = (0..ungrouped).filter(|&g| seen_columns[g]).collect();
    let mut columns: Vec<Column> = shown
        .iter()
        .map(|&g| Column::Group(table.groups()[g].clone()))
        .collect();
    if seen_columns[ungrouped] {
        shown.push(ungrouped);
        columns.push(Column::Ungrouped);
    }
    shown.push(total);
    columns.push(Column::Total);

    let mut rows = Vec::new();
    for (k, code) in framework.codes().iter().enumerate() {
        let listed = match rows_by {
            RowsBy::Top => code.id.depth() == 1,
            RowsBy::Code => true,
        };
        let under_filter = filter.code.as_ref().is_none_or(|f| {
            code.id.is_within(f) || (rows_by == RowsBy::Top && f.is_within(&code.id))
        });
        if !listed || !under_filter {
            continue;
        }
        // Value rows only where the qualifier reaches: the code takes it, or a code under it.
        let reaches = q.is_some_and(|q| {
            q.codes.is_empty()
                || q.codes
                    .iter()
                    .any(|c| code.id.is_within(c) || c.is_within(&code.id))
        });
        let choices = values
            .iter()
            .map(|v| Some((*v).clone()))
            .enumerate()
            .filter(|_| reaches)
            .chain([(values.len(), None)]);
        for (v, value) in choices {
            rows.push(Row {
                key: code.id.to_string(),
                value,
                counts: shown.iter().map(|&col| counts[cell(k, v, col)]).collect(),
            });
        }
    }
    Matrix {
        rows_by,
        qualifier: q.map(|q| q.id.clone()),
        columns,
        rows,
    }
}

/// Example meaning units for one code with one set of qualifier values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Examples {
    /// The code.
    pub code: CodeId,
    /// The qualifier values.
    pub qualifiers: Qualifiers,
    /// The units shown, in the filter's order, as positions in [`CodingTable::units`];
    /// [`CodingTable::unit_text`] gives their words: every unit the analyst chose, or else
    /// up to the asked number picked by [`examples`]' rule.
    pub units: Vec<u32>,
    /// Whether the analyst chose them (`samskap code exemplar`), rather than the rule.
    pub chosen: bool,
    /// How many distinct units there are in all.
    pub total: usize,
    /// How many distinct informants those units come from.
    pub informants: usize,
}

/// Example units for each code and set of qualifier values that `filter` selects in
/// `table`, in the filter's order, with how many units and informants there are in all.
///
/// A unit is shown when the analyst chose it as an exemplar of its code (any coder's
/// coding of that code on it is marked). Where they chose none, up to `per` units are
/// picked, in the filter's order: first units whose speakers are not among those picked
/// yet (words that are no one's count as one speaker), then any, never one that overlaps
/// a unit already picked in the same source. So the few shown spread across informants
/// instead of all coming from the first, and no passage is shown twice.
///
/// Only the units shown need their words read, not all of them.
pub fn examples(table: &CodingTable, filter: &Filter, per: usize) -> Vec<Examples> {
    let sel = filter.selection(table);
    // The (unit, code) pairs the analyst chose: few, from the marked codings.
    let chosen: foldhash::HashSet<(u32, u32)> = table
        .exemplar_codings()
        .iter()
        .map(|&i| {
            let c = table.codings()[i as usize];
            (c.unit, c.code)
        })
        .collect();
    let mut out: Vec<Examples> = Vec::new();
    let mut group: Option<(u32, u32)> = None;
    // In the filter's order, the codings of one code and set of values come together, and
    // within them those of one unit: a unit is new exactly when it differs from the
    // coding before.
    let mut last: Option<u32> = None;
    // The current code and values' distinct units, and the informants they hold.
    let mut units: Vec<u32> = Vec::new();
    let mut speakers: Vec<u32> = Vec::new();
    let settle = |e: Option<&mut Examples>, units: &mut Vec<u32>, speakers: &mut Vec<u32>| {
        if let Some(e) = e {
            speakers.sort_unstable();
            speakers.dedup();
            e.informants = speakers.len();
            e.total = units.len();
            let code = table
                .framework()
                .code_rank(&e.code)
                .expect("a table's codes are its framework's") as u32;
            let mine: Vec<u32> = units
                .iter()
                .copied()
                .filter(|&u| chosen.contains(&(u, code)))
                .collect();
            if mine.is_empty() {
                e.units = pick(table, &sel, units, per);
            } else {
                e.units = mine;
                e.chosen = true;
            }
        }
        units.clear();
        speakers.clear();
    };
    for i in in_order(table, |_, t| sel.keeps(table, t)) {
        let c = table.codings()[i as usize];
        if group != Some((c.code, c.qualifiers)) {
            group = Some((c.code, c.qualifiers));
            settle(out.last_mut(), &mut units, &mut speakers);
            out.push(Examples {
                code: table.code(&c).clone(),
                qualifiers: table.qualifier_sets()[c.qualifiers as usize].clone(),
                units: Vec::new(),
                chosen: false,
                total: 0,
                informants: 0,
            });
            last = None;
        }
        if last == Some(c.unit) {
            continue;
        }
        units.push(c.unit);
        speakers.extend(
            table
                .voices(c.unit)
                .iter()
                .filter(|&&v| v != NO_ONE && sel.keeps_voice(table, c.unit, v)),
        );
        last = Some(c.unit);
    }
    settle(out.last_mut(), &mut units, &mut speakers);
    out
}

/// Up to `per` of `units` (in the filter's order) by [`examples`]' rule: new speakers
/// first, never a unit overlapping one picked in its source; the picks in the given order.
fn pick(table: &CodingTable, sel: &Selection, units: &[u32], per: usize) -> Vec<u32> {
    let mut picked: Vec<usize> = Vec::new();
    let mut heard: Vec<u32> = Vec::new();
    let overlaps = |picked: &[usize], u: u32| {
        let a = &table.units()[u as usize];
        picked.iter().any(|&k| {
            let b = &table.units()[units[k] as usize];
            a.source == b.source && a.span.start() < b.span.end() && b.span.start() < a.span.end()
        })
    };
    for new_speakers_only in [true, false] {
        for (k, &u) in units.iter().enumerate() {
            if picked.len() >= per {
                break;
            }
            if picked.contains(&k) || overlaps(&picked, u) {
                continue;
            }
            let voices: Vec<u32> = table
                .voices(u)
                .iter()
                .copied()
                .filter(|&v| v == NO_ONE || sel.keeps_voice(table, u, v))
                .collect();
            if new_speakers_only && voices.iter().any(|v| heard.contains(v)) {
                continue;
            }
            heard.extend(voices);
            picked.push(k);
        }
    }
    picked.sort_unstable();
    picked.into_iter().map(|k| units[k]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{id, study};
    use crate::{Coding, Study, TextQuote};

    fn cell(m: &Matrix, key: &str, p: Option<&str>, col: &Column) -> Count {
        let p: Option<ValueId> = p.map(id);
        let i = m.columns.iter().position(|c| c == col).unwrap();
        m.rows
            .iter()
            .find(|r| r.key == key && r.value == p)
            .unwrap()
            .counts[i]
    }

    #[test]
    fn matrix_counts_distinct_units_and_informants() {
        let s = study();
        let t = CodingTable::of(&s, None);
        let m = matrix(&t, &Filter::default(), RowsBy::Code, None);
        assert_eq!(
            m.columns,
            vec![
                Column::Group(id("G1")),
                Column::Group(id("G2")),
                Column::Ungrouped,
                Column::Total
            ]
        );
        let time = "resources/time-people-money";
        // I1's unit is coded by A and B: one unit.
        assert_eq!(
            cell(&m, time, Some("barrier"), &Column::Total),
            Count {
                units: 3,
                informants: 3
            }
        );
        assert_eq!(
            cell(&m, time, Some("opportunity"), &Column::Total),
            Count::default()
        );
        let infra = "structure/infrastructure";
        assert_eq!(
            cell(&m, infra, None, &Column::Total),
            Count {
                units: 2,
                informants: 2
            }
        );
        let by_cat = matrix(&t, &Filter::default(), RowsBy::Top, None);
        assert_eq!(by_cat.rows.len(), 5 * 3);
        // Rows by code count a code with the codes under it: `structure` holds its one
        // coded subtheme.
        assert_eq!(
            cell(&m, "structure", None, &Column::Total),
            cell(&m, infra, None, &Column::Total)
        );
        // Split by nothing, a row per code.
        let plain = matrix_by(&t, &Filter::default(), RowsBy::Top, None);
        assert_eq!(plain.rows.len(), 5);
        assert_eq!(plain.qualifier, None);
    }

    #[test]
    fn filters_combine() {
        let s = study();
        let f = Filter {
            coder: Some(id("A")),
            group: Some(id("G1")),
            ..Filter::default()
        };
        let q = quotes(&s, &f);
        assert_eq!(q.len(), 2);
        assert!(q.iter().all(|q| q.informants == [id("I1")]));
        // Framework order: structure before resources.
        assert_eq!(q[0].code.to_string(), "structure/infrastructure");

        let consented = Filter {
            consented_only: true,
            ..Filter::default()
        };
        assert!(quotes(&s, &consented)
            .iter()
            .all(|q| !q.informants.contains(&id("I2"))));
    }

    #[test]
    fn role_and_text_filters() {
        let s = study();
        let f = Filter {
            role: Some(Role::Facilitator),
            ..Filter::default()
        };
        assert!(quotes(&s, &f).iter().all(|q| q.informants == [id("I3")]));
        let f = Filter {
            text: Some("KONTAKTER".into()),
            ..Filter::default()
        };
        let q = quotes(&s, &f);
        assert_eq!(q.len(), 1);
        assert!(q[0].text.contains("kontakter"));
    }

    #[test]
    fn examples_are_distinct_and_capped() {
        let s = study();
        let t = CodingTable::of(&s, None);
        let e = examples(&t, &Filter::default(), 2);
        let time = e
            .iter()
            .find(|e| e.code.to_string() == "resources/time-people-money")
            .unwrap();
        assert_eq!(time.total, 3);
        assert_eq!(time.units.len(), 2);
        assert_eq!(
            t.unit_text(&s, time.units[0]),
            Some("Vi har for lite tid til dette arbeidet.")
        );
    }

    #[test]
    fn chosen_exemplars_are_shown_and_else_the_rule_spreads_across_speakers() {
        let mut s = study();
        let time: CodeId = id("resources/time-people-money");
        let code = |s: &mut Study, i: &str, quote: &str, coder: &str, exemplar: bool| {
            let unit = s.locate_unit(&id(i), &TextQuote::exact(quote)).unwrap();
            s.add_coding(Coding {
                unit,
                code: time.clone(),
                qualifiers: crate::testing::barrier(),
                coder: id(coder),
                memo: None,
                exemplar,
            })
            .unwrap();
        };
        // I1 again: a unit inside their first, and one elsewhere; both come before I2's.
        code(&mut s, "I1", "for lite tid", "A", false);
        code(&mut s, "I1", "Men gruppa gir oss nye kontakter", "A", false);
        let shown = |s: &Study, coder: Option<&str>| {
            let t = CodingTable::of(s, None);
            let f = Filter {
                coder: coder.map(id),
                ..Filter::default()
            };
            let e = examples(&t, &f, 2)
                .into_iter()
                .find(|e| e.code == time && e.qualifiers == crate::testing::barrier())
                .unwrap();
            let texts: Vec<String> = e
                .units
                .iter()
                .map(|&u| t.unit_text(s, u).unwrap().to_owned())
                .collect();
            (texts, e.chosen, e.total)
        };
        // The rule: I1's first unit, then not I1 again (nor a passage inside it) but I2.
        assert_eq!(
            shown(&s, Some("A")),
            (
                vec![
                    "Vi har for lite tid til dette arbeidet.".to_owned(),
                    "Det er for lite tid.".to_owned()
                ],
                false,
                5
            )
        );
        // Chosen by coder C on I3's unit: shown for coder A's codings too, alone.
        code(&mut s, "I3", "det er for lite tid til samarbeid", "C", true);
        assert_eq!(
            shown(&s, Some("A")),
            (
                vec!["det er for lite tid til samarbeid".to_owned()],
                true,
                5
            )
        );
    }
}
