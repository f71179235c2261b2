//! Co-occurrence: which codes one coder applied to overlapping spans, and how often.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Filter;
use crate::coding::Coding;
use crate::ids::CodeId;
use crate::study::Study;

/// Two codes that met on overlapping text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cooccurrence {
    /// The first code (framework order).
    pub a: CodeId,
    /// The second code.
    pub b: CodeId,
    /// Times one coder applied them to overlapping spans (the same unit counts too).
    pub count: usize,
}

/// Pairs of different codes applied by the same coder to overlapping spans of one
/// transcript, most frequent first. Polarity is not part of the code here.
pub fn cooccurrences(study: &Study, filter: &Filter) -> Vec<Cooccurrence> {
    let codings = filter.codings(study);
    // Group by coder and transcript; within a group sort by start for a sweep.
    let mut groups: BTreeMap<(String, String), Vec<&Coding>> = BTreeMap::new();
    for c in &codings {
        let u = &study.units()[c.unit.index()];
        groups
            .entry((c.coder.to_string(), u.informant.to_string()))
            .or_default()
            .push(c);
    }
    let mut counts: BTreeMap<(CodeId, CodeId), usize> = BTreeMap::new();
    let rank = |c: &CodeId| study.framework().code_rank(c);
    for list in groups.values_mut() {
        list.sort_by_key(|c| study.units()[c.unit.index()].span);
        for (i, x) in list.iter().enumerate() {
            let sx = study.units()[x.unit.index()].span;
            for y in &list[i + 1..] {
                let sy = study.units()[y.unit.index()].span;
                if sy.start() >= sx.end() {
                    break;
                }
                if x.code != y.code && sx.overlaps(sy) {
                    let (a, b) = if rank(&x.code) <= rank(&y.code) {
                        (x.code.clone(), y.code.clone())
                    } else {
                        (y.code.clone(), x.code.clone())
                    };
                    *counts.entry((a, b)).or_default() += 1;
                }
            }
        }
    }
    let mut out: Vec<Cooccurrence> = counts
        .into_iter()
        .map(|((a, b), count)| Cooccurrence { a, b, count })
        .collect();
    out.sort_by(|x, y| {
        y.count
            .cmp(&x.count)
            .then_with(|| rank(&x.a).cmp(&rank(&y.a)))
            .then_with(|| rank(&x.b).cmp(&rank(&y.b)))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{id, study};

    #[test]
    fn same_unit_two_codes_by_one_coder() {
        let s = study();
        // I3's unit: A gave time, B gave infra: different coders, no co-occurrence.
        assert!(cooccurrences(&s, &Filter::default()).is_empty());
        let mut s = s;
        let unit = s
            .locate_unit(
                &id("I3"),
                &crate::TextQuote::exact("det er for lite tid til samarbeid"),
            )
            .unwrap();
        s.add_coding(crate::Coding {
            unit,
            code: id("structure/infrastructure"),
            polarity: crate::Polarity::Barrier,
            coder: id("A"),
            memo: None,
        })
        .unwrap();
        let c = cooccurrences(&s, &Filter::default());
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].a.to_string(), "structure/infrastructure");
        assert_eq!(c[0].count, 1);
    }
}
