//! Agreement between the coders of a study: per code and overall, on meaning units (did the
//! coder apply the code to this unit?) and on characters (is this character inside a unit the
//! coder gave the code?), and the units on which the coders differ.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Bootstrap, Interval, Level, Metric, Outcome, Tally};
use crate::coding::{Qualifiers, UnitId};
use crate::ids::{CodeId, CoderId, SourceId};
use crate::study::Study;
use crate::table::{CodingTable, TableCoding};

/// What counts as "the same code".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    /// A code with its qualifier values: `structure/infrastructure` as a barrier differs
    /// from the same code as an opportunity. The thesis's coders agreed on both.
    CodeAndQualifiers,
    /// The code alone.
    Code,
}

/// The key a coding is compared by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Key {
    /// The code.
    pub code: CodeId,
    /// Its qualifier values, unless they are ignored.
    #[serde(skip_serializing_if = "Qualifiers::is_empty")]
    pub qualifiers: Qualifiers,
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code)?;
        if !self.qualifiers.is_empty() {
            let values: Vec<&str> = self.qualifiers.iter().map(|(_, v)| v.as_str()).collect();
            write!(f, " ({})", values.join(", "))?;
        }
        Ok(())
    }
}

/// Percent agreement, Krippendorff's alpha (nominal) and, for two coders, Cohen's kappa.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measures {
    /// Share of agreeing pairs of decisions.
    pub percent_agreement: Outcome,
    /// Krippendorff's alpha, nominal.
    pub krippendorff_alpha: Outcome,
    /// Cohen's kappa, when there are exactly two coders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cohen_kappa: Option<Outcome>,
    /// Alpha's bootstrapped interval, when asked for ([`study_agreement_with_intervals`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpha_interval: Option<Interval>,
}

impl Measures {
    fn of(t: &Tally, bootstrap: Option<&Bootstrap>) -> Self {
        let get = |m| {
            t.compute(m, Level::Nominal, None)
                .expect("nominal measures of a tally with the right coders")
        };
        Self {
            percent_agreement: get(Metric::PercentAgreement),
            krippendorff_alpha: get(Metric::KrippendorffAlpha),
            cohen_kappa: (t.coders() == 2).then(|| get(Metric::CohenKappa)),
            alpha_interval: bootstrap.map(|b| t.bootstrap_alpha(Level::Nominal, None, b)),
        }
    }
}

/// Agreement on one code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeAgreement {
    /// The code (and polarity).
    pub key: Key,
    /// Meaning units each coder gave it, in coder order.
    pub applied: Vec<usize>,
    /// Over meaning units.
    pub units: Measures,
    /// Over characters.
    pub characters: Measures,
}

/// Agreement between coders over a study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyAgreement {
    /// The coders compared, in the order given.
    pub coders: Vec<CoderId>,
    /// Meaning units any of them coded.
    pub units: usize,
    /// Meaning units each of them coded, in the order of `coders`.
    pub coded: Vec<usize>,
    /// Characters of the transcripts any of them coded.
    pub characters: u64,
    /// Per code, in framework order.
    pub per_code: Vec<CodeAgreement>,
    /// Every unit × code (and every character × code) decision pooled.
    pub overall: Overall,
}

/// The pooled measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overall {
    /// Over unit × code decisions.
    pub units: Measures,
    /// Over character × code decisions.
    pub characters: Measures,
}

/// What each coder gave one unit, when they differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disagreement {
    /// The source.
    pub source: SourceId,
    /// Start offset (characters).
    pub start: usize,
    /// End offset (characters).
    pub end: usize,
    /// The words.
    pub text: String,
    /// Per coder (in the order given), the codes they gave the unit.
    pub by_coder: Vec<CoderCodes>,
}

/// The codes one coder gave a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoderCodes {
    /// The coder.
    pub coder: CoderId,
    /// The codes, in code order.
    pub codes: Vec<Key>,
}

fn key(code: &CodeId, qualifiers: &Qualifiers, g: Granularity) -> Key {
    Key {
        code: code.clone(),
        qualifiers: match g {
            Granularity::CodeAndQualifiers => qualifiers.clone(),
            Granularity::Code => Qualifiers::none(),
        },
    }
}

/// Per unit, per coder: the keys given.
fn decisions(
    study: &Study,
    coders: &[CoderId],
    g: Granularity,
) -> BTreeMap<UnitId, Vec<BTreeSet<Key>>> {
    decide(
        study
            .codings()
            .iter()
            .map(|c| (c.unit, &c.coder, &c.code, &c.qualifiers)),
        coders,
        g,
    )
}

/// Per unit (whatever identifies one: a [`UnitId`] of a loaded study, or a span of one
/// source read alone), per coder of `coders` in their order: the keys each gave it. Codings
/// of other coders are left out. A unit on which the sets are not all equal is one the
/// coders disagree on, as [`disagreements`] lists them.
pub fn decide<'a, U: Ord>(
    codings: impl IntoIterator<Item = (U, &'a CoderId, &'a CodeId, &'a Qualifiers)>,
    coders: &[CoderId],
    g: Granularity,
) -> BTreeMap<U, Vec<BTreeSet<Key>>> {
    let mut out: BTreeMap<U, Vec<BTreeSet<Key>>> = BTreeMap::new();
    for (unit, coder, code, qualifiers) in codings {
        if let Some(i) = coders.iter().position(|x| x == coder) {
            out.entry(unit)
                .or_insert_with(|| vec![BTreeSet::new(); coders.len()])[i]
                .insert(key(code, qualifiers, g));
        }
    }
    out
}

/// A coder who coded fewer than this share of the units in play coded too little for
/// agreement with them to say much: every unit they left alone counts as a "no" to each
/// code the others gave it.
pub const SPARSE_SHARE: f64 = 0.25;

/// The positions of the coders in `coded` (meaning units each coded, of `units` that any
/// of them coded) who coded less than [`SPARSE_SHARE`] of them.
pub fn sparse_coders(coded: &[usize], units: usize) -> Vec<usize> {
    coded
        .iter()
        .enumerate()
        .filter(|(_, &n)| (n as f64) < SPARSE_SHARE * units as f64)
        .map(|(i, _)| i)
        .collect()
}

/// Meaning units each of `coders` coded, in their order, and the units any of them coded:
/// [`StudyAgreement::coded`] and [`StudyAgreement::units`] over a loaded study, for
/// reconciling.
pub fn coverage(study: &Study, coders: &[CoderId]) -> (Vec<usize>, usize) {
    let decided = decisions(study, coders, Granularity::CodeAndQualifiers);
    let mut coded = vec![0; coders.len()];
    for per in decided.values() {
        for (n, keys) in coded.iter_mut().zip(per) {
            *n += usize::from(!keys.is_empty());
        }
    }
    (coded, decided.len())
}

/// Agreement of `coders` (two or more) over the table's codings.
///
/// Every unit any of the coders coded is a unit of each code's measure; a coder who did not
/// give the code to the unit said "no". Units where no coder gave a code are alike for that
/// code, so they are added together, and the work is proportional to the codings, not to
/// codes × units.
pub fn study_agreement(table: &CodingTable, coders: &[CoderId], g: Granularity) -> StudyAgreement {
    agreement_of(table, coders, g, None)
}

/// [`study_agreement`] with a bootstrapped interval for every alpha
/// ([`Measures::alpha_interval`]): per code and pooled, on units and on characters.
///
/// Every interval starts from the same seed, so a code's interval depends only on its own
/// decisions and `bootstrap`, not on which other codes the study has. The bootstrap works
/// on each tally's coincidences, so it adds the same time for a million units as for ten.
pub fn study_agreement_with_intervals(
    table: &CodingTable,
    coders: &[CoderId],
    g: Granularity,
    bootstrap: &Bootstrap,
) -> StudyAgreement {
    agreement_of(table, coders, g, Some(bootstrap))
}

fn agreement_of(
    table: &CodingTable,
    coders: &[CoderId],
    g: Granularity,
    bootstrap: Option<&Bootstrap>,
) -> StudyAgreement {
    let m = coders.len();
    let f = table.framework();
    // Each of the table's coders' place among `coders`, if compared.
    let place: Vec<Option<u32>> = table
        .coders()
        .iter()
        .map(|c| coders.iter().position(|x| x == c).map(|i| i as u32))
        .collect();
    // A key as a number: the code's rank, and the qualifier values' position (plus one)
    // unless they are ignored.
    let sets = table.qualifier_sets().len() as u64 + 1;
    let raw_key = |c: &TableCoding| -> u64 {
        let q = match g {
            Granularity::CodeAndQualifiers => u64::from(c.qualifiers) + 1,
            Granularity::Code => 0,
        };
        u64::from(c.code) * sets + q
    };
    // (key, unit, coder) of every decision "this coder gave this unit this key".
    let mut given: Vec<(u64, u32, u32)> = table
        .codings()
        .iter()
        .filter_map(|c| place[c.coder as usize].map(|i| (raw_key(c), c.unit, i)))
        .collect();
    given.sort_unstable();
    given.dedup();
    // The keys in framework order of codes, then of qualifier values.
    let mut raw_keys: Vec<u64> = given.iter().map(|d| d.0).collect();
    raw_keys.dedup();
    let none = Qualifiers::none();
    let qualifiers_of = |raw: u64| match raw % sets {
        0 => &none,
        q => &table.qualifier_sets()[q as usize - 1],
    };
    raw_keys.sort_by_cached_key(|&raw| {
        (
            raw / sets,
            crate::analysis::value_ranks(f, qualifiers_of(raw)),
        )
    });
    // The units in play, and the transcripts they lie in with their lengths.
    let mut in_play: Vec<u32> = given.iter().map(|d| d.1).collect();
    in_play.sort_unstable();
    in_play.dedup();
    let units = in_play.len();
    let mut sources: Vec<u32> = in_play
        .iter()
        .map(|&u| table.units()[u as usize].source)
        .collect();
    sources.sort_unstable();
    sources.dedup();
    let length = |i: u32| table.sources()[i as usize].chars as u64;
    let characters: u64 = sources.iter().map(|&i| length(i)).sum();

    let mut overall_units = Patterns::new(m);
    let mut overall_chars = Patterns::new(m);
    let mut per_code = Vec::with_capacity(raw_keys.len());
    let mut gave = vec![false; m];
    let mut events: Vec<(usize, usize, bool)> = Vec::new();
    // Each key's decisions, found by binary search in `given` (sorted by key).
    for &raw in &raw_keys {
        let from = given.partition_point(|d| d.0 < raw);
        let to = given.partition_point(|d| d.0 <= raw);
        let decisions = &given[from..to];
        let mut unit_patterns = Patterns::new(m);
        let mut applied = vec![0; m];
        // Units where some coder gave the key, in unit order, with the coders who gave it.
        let mut with_key = 0usize;
        let mut at = 0;
        while at < decisions.len() {
            let unit = decisions[at].1;
            gave.iter_mut().for_each(|g| *g = false);
            while at < decisions.len() && decisions[at].1 == unit {
                let i = decisions[at].2 as usize;
                gave[i] = true;
                applied[i] += 1;
                at += 1;
            }
            unit_patterns.add(|i| gave[i], 1);
            overall_units.add(|i| gave[i], 1);
            with_key += 1;
        }
        let without = (units - with_key) as u64;
        unit_patterns.add(|_| false, without);
        overall_units.add(|_| false, without);
        let mut tally = Tally::new(m);
        unit_patterns.drain_into(&mut [&mut tally]);

        // Characters: each transcript in play, swept through the coders' stretches under
        // this key; transcripts with none are alike throughout.
        let mut runs = Patterns::new(m);
        let mut stretches: Vec<(u32, usize, usize, usize)> = decisions
            .iter()
            .map(|&(_, u, i)| {
                let unit = table.units()[u as usize];
                (unit.source, unit.span.start(), unit.span.end(), i as usize)
            })
            .collect();
        stretches.sort_unstable();
        let mut untouched = characters;
        let mut at = 0;
        while at < stretches.len() {
            let source = stretches[at].0;
            events.clear();
            while at < stretches.len() && stretches[at].0 == source {
                let (_, start, end, i) = stretches[at];
                events.push((start, i, true));
                events.push((end, i, false));
                at += 1;
            }
            let len = length(source);
            untouched -= len;
            sweep(len as usize, &mut events, m, &mut runs);
        }
        runs.add(|_| false, untouched);
        // The overall tally counts the same runs.
        for (bits, weight) in &runs.counts {
            let bits = bits.clone();
            overall_chars.add(|i| bits[i / 64] & (1 << (i % 64)) != 0, *weight);
        }
        let mut chars = Tally::new(m);
        runs.drain_into(&mut [&mut chars]);
        let key = Key {
            code: f.codes()[(raw / sets) as usize].id.clone(),
            qualifiers: qualifiers_of(raw).clone(),
        };
        per_code.push(CodeAgreement {
            key,
            applied,
            units: Measures::of(&tally, bootstrap),
            characters: Measures::of(&chars, bootstrap),
        });
    }
    let mut by_coder: Vec<(u32, u32)> = given.iter().map(|d| (d.2, d.1)).collect();
    by_coder.sort_unstable();
    by_coder.dedup();
    let mut coded = vec![0; m];
    for (i, _) in by_coder {
        coded[i as usize] += 1;
    }
    StudyAgreement {
        coders: coders.to_vec(),
        units,
        coded,
        characters,
        per_code,
        overall: Overall {
            units: Measures::of(&overall_tally(&mut overall_units), bootstrap),
            characters: Measures::of(&overall_tally(&mut overall_chars), bootstrap),
        },
    }
}

/// The tally of every pattern counted over all keys.
fn overall_tally(p: &mut Patterns) -> Tally {
    let mut t = Tally::new(p.coders);
    p.drain_into(&mut [&mut t]);
    t
}

/// Units (or characters) by which coders gave a key, a bit per coder, with how many there
/// are of each: alike units go into a [`Tally`] in one weighted call, so a million units
/// cost a few calls per key. Added in the order of the patterns, so the sums do not depend
/// on the order the units came in.
struct Patterns {
    coders: usize,
    counts: foldhash::HashMap<Vec<u64>, u64>,
    bits: Vec<u64>,
}

impl Patterns {
    fn new(coders: usize) -> Self {
        Self {
            coders,
            counts: foldhash::HashMap::default(),
            bits: vec![0; coders.div_ceil(64).max(1)],
        }
    }

    /// Counts `weight` units on which the coders `given` says gave the key.
    fn add(&mut self, given: impl Fn(usize) -> bool, weight: u64) {
        if weight == 0 {
            return;
        }
        self.bits.iter_mut().for_each(|w| *w = 0);
        for i in (0..self.coders).filter(|&i| given(i)) {
            self.bits[i / 64] |= 1 << (i % 64);
        }
        match self.counts.get_mut(self.bits.as_slice()) {
            Some(n) => *n += weight,
            None => {
                self.counts.insert(self.bits.clone(), weight);
            }
        }
    }

    /// Adds every pattern counted to each tally, and starts again.
    fn drain_into(&mut self, tallies: &mut [&mut Tally]) {
        let mut all: Vec<(Vec<u64>, u64)> = self.counts.drain().collect();
        all.sort_unstable();
        let mut values = vec![None; self.coders];
        for (bits, weight) in all {
            for (i, v) in values.iter_mut().enumerate() {
                *v = Some(u32::from(bits[i / 64] & (1 << (i % 64)) != 0));
            }
            for t in tallies.iter_mut() {
                t.add_units(&values, weight);
            }
        }
    }
}

/// Walks a transcript of `len` characters through start/end events of coders' stretches and
/// adds each run of characters that all coders treat alike as one weighted unit.
fn sweep(len: usize, events: &mut [(usize, usize, bool)], m: usize, runs: &mut Patterns) {
    // Ends before starts at the same offset: half-open spans that touch do not overlap.
    events.sort_by_key(|&(at, coder, start)| (at, start, coder));
    let mut depth = vec![0u32; m];
    let mut at = 0;
    for &(pos, coder, start) in events.iter() {
        runs.add(|i| depth[i] > 0, (pos - at) as u64);
        at = pos;
        if start {
            depth[coder] += 1;
        } else {
            depth[coder] -= 1;
        }
    }
    runs.add(|i| depth[i] > 0, (len - at) as u64);
}

/// The units on which the coders' codes differ, in transcript order.
pub fn disagreements(study: &Study, coders: &[CoderId], g: Granularity) -> Vec<Disagreement> {
    let rank: BTreeMap<&SourceId, usize> = study
        .sources()
        .iter()
        .enumerate()
        .map(|(i, s)| (&s.id, i))
        .collect();
    let mut out: Vec<(usize, usize, usize, Disagreement)> = decisions(study, coders, g)
        .into_iter()
        .filter(|(_, per)| per.windows(2).any(|w| w[0] != w[1]))
        .map(|(u, per)| {
            let unit = &study.units()[u.index()];
            let d = Disagreement {
                source: unit.source.clone(),
                start: unit.span.start(),
                end: unit.span.end(),
                text: study.unit_text(u).to_owned(),
                by_coder: coders
                    .iter()
                    .zip(per)
                    .map(|(coder, codes)| CoderCodes {
                        coder: coder.clone(),
                        codes: codes.into_iter().collect(),
                    })
                    .collect(),
            };
            (
                rank.get(&unit.source).copied().unwrap_or(usize::MAX),
                d.start,
                d.end,
                d,
            )
        })
        .collect();
    out.sort_by_key(|(r, s, e, _)| (*r, *s, *e));
    out.into_iter().map(|(.., d)| d).collect()
}

/// A coding to record under the consensus coder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreed {
    /// The unit.
    pub unit: UnitId,
    /// The code.
    pub code: CodeId,
    /// The qualifier values.
    pub qualifiers: Qualifiers,
}

/// The codings on which all `coders` agree (code and qualifier values), and, where they differ, the
/// preferred coder's codings when one is named. Returns the codings and the number of units
/// left unresolved.
pub fn reconcile(
    study: &Study,
    coders: &[CoderId],
    prefer: Option<&CoderId>,
) -> (Vec<Agreed>, usize) {
    let decided = decisions(study, coders, Granularity::CodeAndQualifiers);
    let mut out = Vec::new();
    let mut unresolved = 0;
    for (u, per) in decided {
        let chosen: BTreeSet<Key> = if per.windows(2).all(|w| w[0] == w[1]) {
            per[0].clone()
        } else if let Some(i) = prefer.and_then(|p| coders.iter().position(|c| c == p)) {
            per[i].clone()
        } else {
            unresolved += 1;
            // What every coder gave is agreed even on a unit with other differences.
            per.iter().skip(1).fold(per[0].clone(), |acc, s| &acc & s)
        };
        out.extend(chosen.into_iter().map(|k| Agreed {
            unit: u,
            code: k.code,
            qualifiers: k.qualifiers,
        }));
    }
    (out, unresolved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{id, study};

    #[test]
    fn per_code_on_units_and_characters() {
        let s = study();
        let a = study_agreement(
            &CodingTable::of(&s, None),
            &[id("A"), id("B")],
            Granularity::CodeAndQualifiers,
        );
        // Units coded by A or B: I1 first sentence (both), I1 second (A), I2 (A), I3 (A, B).
        assert_eq!(a.units, 4);
        let time = a
            .per_code
            .iter()
            .find(|c| c.key.code.to_string() == "resources/time-people-money")
            .unwrap();
        assert_eq!(time.applied, vec![3, 1]);
        // 4 units: agree on I1 first (1,1) and I1 second (0,0); differ on I2 and I3.
        assert_eq!(time.units.percent_agreement.value, Some(0.5));
        let chars = &time.characters;
        assert!(chars.percent_agreement.value.unwrap() > 0.5, "{chars:?}");
        assert_eq!(chars.percent_agreement.units, a.characters);
        assert!(a.overall.units.cohen_kappa.is_some());
    }

    #[test]
    fn intervals_per_code_and_pooled_only_when_asked() {
        let s = study();
        let table = CodingTable::of(&s, None);
        let coders = [id("A"), id("B")];
        let g = Granularity::CodeAndQualifiers;
        let plain = study_agreement(&table, &coders, g);
        // Without intervals the JSON is what it was before they existed.
        let json = serde_json::to_string(&plain).unwrap();
        assert!(!json.contains("alpha_interval"), "{json}");
        let spec = Bootstrap::new(500, 9).unwrap();
        let with = study_agreement_with_intervals(&table, &coders, g, &spec);
        let every = |a: &StudyAgreement| -> Vec<Measures> {
            let mut all: Vec<Measures> = a
                .per_code
                .iter()
                .flat_map(|c| [c.units.clone(), c.characters.clone()])
                .collect();
            all.extend([a.overall.units.clone(), a.overall.characters.clone()]);
            all
        };
        let mut bounded = 0;
        for (before, after) in every(&plain).into_iter().zip(every(&with)) {
            let interval = after.alpha_interval.clone().expect("asked for");
            // The measures themselves are untouched.
            assert_eq!(
                Measures {
                    alpha_interval: None,
                    ..after
                },
                before
            );
            match before.krippendorff_alpha.value {
                Some(a) if a < 1.0 => {
                    let (low, high) = (interval.low.unwrap(), interval.high.unwrap());
                    assert!(-1.0 <= low && low <= high && high <= 1.0, "{interval:?}");
                    assert_eq!(interval.resamples, 500);
                    bounded += 1;
                }
                _ => assert!(interval.low.is_none() && interval.reason.is_some()),
            }
        }
        // Some per code on units and characters, and the pooled ones.
        assert!(bounded >= 4, "{bounded}");
        assert!(with.overall.units.alpha_interval.unwrap().low.is_some());
        assert!(with
            .overall
            .characters
            .alpha_interval
            .unwrap()
            .low
            .is_some());
    }

    #[test]
    fn disagreements_and_reconciliation() {
        let s = study();
        let coders = [id("A"), id("B")];
        let d = disagreements(&s, &coders, Granularity::CodeAndQualifiers);
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].source.as_str(), "I1");
        let (agreed, unresolved) = reconcile(&s, &coders, None);
        assert_eq!(unresolved, 3);
        assert_eq!(agreed.len(), 1);
        let (agreed, unresolved) = reconcile(&s, &coders, Some(&id("B")));
        assert_eq!(unresolved, 0);
        // B's choices where they differ: nothing on I1's second sentence or I2, infra on I3.
        assert_eq!(agreed.len(), 2);
    }

    #[test]
    fn sweep_counts_characters_once_per_stretch() {
        let mut t = Tally::new(2);
        let mut events = vec![(0, 0, true), (5, 0, false), (3, 1, true), (8, 1, false)];
        let mut runs = Patterns::new(2);
        sweep(10, &mut events, 2, &mut runs);
        runs.drain_into(&mut [&mut t]);
        let pa = t
            .compute(Metric::PercentAgreement, Level::Nominal, None)
            .unwrap();
        // 0-3 A only, 3-5 both, 5-8 B only, 8-10 neither: 4 of 10 agree.
        assert_eq!(pa.units, 10);
        assert!((pa.value.unwrap() - 0.4).abs() < 1e-12);
    }
}
