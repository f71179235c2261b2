//! Co-occurrence: which codes one coder applied to overlapping spans, and how often.

use std::collections::HashMap;

use serde::Serialize;

use super::Filter;
use crate::ids::CodeId;
use crate::table::CodingTable;

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
/// transcript, most frequent first. Qualifier values are not part of the code here.
pub fn cooccurrences(table: &CodingTable, filter: &Filter) -> Vec<Cooccurrence> {
    // (coder, source, start, end, code rank) of each coding, sorted so that each coder's
    // codings of one source come together in order of position: one sweep finds every
    // overlap.
    let sel = filter.selection(table);
    let mut list: Vec<(u32, u32, usize, usize, u32)> = sel
        .codings(table)
        .map(|c| {
            let u = table.units()[c.unit as usize];
            (c.coder, u.source, u.span.start(), u.span.end(), c.code)
        })
        .collect();
    list.sort_unstable();
    let mut counts: HashMap<(u32, u32), usize> = HashMap::new();
    for (i, x) in list.iter().enumerate() {
        for y in &list[i + 1..] {
            // Past this coder's codings of this transcript, or past x's end.
            if (y.0, y.1) != (x.0, x.1) || y.2 >= x.3 {
                break;
            }
            if x.4 != y.4 {
                *counts.entry((x.4.min(y.4), x.4.max(y.4))).or_default() += 1;
            }
        }
    }
    let all: Vec<CodeId> = table
        .framework()
        .codes()
        .iter()
        .map(|c| c.id.clone())
        .collect();
    let mut out: Vec<((u32, u32), usize)> = counts.into_iter().collect();
    out.sort_by(|(x, xn), (y, yn)| yn.cmp(xn).then(x.cmp(y)));
    out.into_iter()
        .map(|((a, b), count)| Cooccurrence {
            a: all[a as usize].clone(),
            b: all[b as usize].clone(),
            count,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{id, study};

    #[test]
    fn same_unit_two_codes_by_one_coder() {
        let s = study();
        // I3's unit: A gave time, B gave infra: different coders, no co-occurrence.
        assert!(cooccurrences(&CodingTable::of(&s, None), &Filter::default()).is_empty());
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
            qualifiers: crate::testing::barrier(),
            coder: id("A"),
            memo: None,
            exemplar: false,
        })
        .unwrap();
        let c = cooccurrences(&CodingTable::of(&s, None), &Filter::default());
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].a.to_string(), "structure/infrastructure");
        assert_eq!(c[0].count, 1);
    }
}
