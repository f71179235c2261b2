//! Saturation: how many codes each successive interview added.

use std::collections::BTreeSet;

use serde::Serialize;

use super::Filter;
use crate::ids::{CodeId, InformantId};
use crate::table::{CodingTable, NO_ONE};
use crate::NaiveDate;

/// One interview in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The informant.
    pub informant: InformantId,
    /// When they were interviewed, if known.
    pub interview_date: Option<NaiveDate>,
    /// Codes coded in this interview.
    pub codes: usize,
    /// Codes not seen in any earlier interview.
    pub new: Vec<CodeId>,
    /// Distinct codes so far.
    pub cumulative: usize,
}

/// Interviews in order of their date (undated last, then study order), each with the
/// codes it added to those found before.
pub fn saturation(table: &CodingTable, filter: &Filter) -> Vec<Step> {
    // Each informant's codes, gathered in one pass over the codings.
    let mut codes: Vec<BTreeSet<u32>> = vec![BTreeSet::new(); table.informants().len()];
    let sel = filter.selection(table);
    for c in sel.codings(table) {
        for &v in table.voices(c.unit) {
            if v != NO_ONE && sel.keeps_voice(table, c.unit, v) {
                codes[v as usize].insert(c.code);
            }
        }
    }
    let all: Vec<CodeId> = table
        .framework()
        .codes()
        .iter()
        .map(|c| c.id.clone())
        .collect();
    let mut order: Vec<(usize, &crate::Informant)> =
        table.informants().iter().enumerate().collect();
    order.sort_by_key(|(i, inf)| {
        let date = inf.details.as_ref().and_then(|d| d.interview_date);
        (date.is_none(), date, *i)
    });
    let mut seen: BTreeSet<u32> = BTreeSet::new();
    let mut steps = Vec::new();
    for (i, inf) in order {
        let here = &codes[i];
        if here.is_empty() {
            continue;
        }
        // In rank order, so framework order.
        let new: Vec<CodeId> = here
            .iter()
            .filter(|r| !seen.contains(r))
            .map(|&r| all[r as usize].clone())
            .collect();
        seen.extend(here.iter().copied());
        steps.push(Step {
            informant: inf.id.clone(),
            interview_date: inf.details.as_ref().and_then(|d| d.interview_date),
            codes: here.len(),
            new,
            cumulative: seen.len(),
        });
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::study;

    #[test]
    fn each_interview_adds_what_is_new() {
        let s = study();
        let steps = saturation(&CodingTable::of(&s, None), &Filter::default());
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0].new.len(), 2);
        assert_eq!(steps[1].new.len(), 0);
        assert_eq!(steps[2].cumulative, 2);
    }
}
