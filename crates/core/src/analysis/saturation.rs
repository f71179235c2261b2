//! Saturation: how many subthemes each successive interview added.

use std::collections::BTreeSet;

use serde::Serialize;

use super::Filter;
use crate::ids::{CodeId, InformantId};
use crate::study::Study;
use crate::NaiveDate;

/// One interview in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The informant.
    pub informant: InformantId,
    /// When they were interviewed, if known.
    pub interview_date: Option<NaiveDate>,
    /// Subthemes coded in this interview.
    pub subthemes: usize,
    /// Subthemes not seen in any earlier interview.
    pub new: Vec<CodeId>,
    /// Distinct subthemes so far.
    pub cumulative: usize,
}

/// Interviews in order of their date (undated last, then study order), each with the
/// subthemes it added to those found before.
pub fn saturation(study: &Study, filter: &Filter) -> Vec<Step> {
    let codings = filter.codings(study);
    let mut order: Vec<(usize, &crate::Informant)> =
        study.informants().iter().enumerate().collect();
    order.sort_by_key(|(i, inf)| {
        let date = inf.details.as_ref().and_then(|d| d.interview_date);
        (date.is_none(), date, *i)
    });
    let mut seen: BTreeSet<CodeId> = BTreeSet::new();
    let mut steps = Vec::new();
    for (_, inf) in order {
        let here: BTreeSet<&CodeId> = codings
            .iter()
            .filter(|c| study.units()[c.unit.index()].informant == inf.id)
            .map(|c| &c.code)
            .collect();
        if here.is_empty() {
            continue;
        }
        let mut new: Vec<CodeId> = here
            .iter()
            .filter(|c| !seen.contains(**c))
            .map(|c| (*c).clone())
            .collect();
        new.sort_by_key(|c| study.framework().code_rank(c));
        seen.extend(here.iter().map(|c| (*c).clone()));
        steps.push(Step {
            informant: inf.id.clone(),
            interview_date: inf.details.as_ref().and_then(|d| d.interview_date),
            subthemes: here.len(),
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
        let steps = saturation(&s, &Filter::default());
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0].new.len(), 2);
        assert_eq!(steps[1].new.len(), 0);
        assert_eq!(steps[2].cumulative, 2);
    }
}
