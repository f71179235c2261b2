//! Counting by numbers: distinct meaning units and the distinct informants behind them per
//! cell of a table, with every coding reduced to small integers first. The counts of a
//! million codings are two sorts, not a set of strings per cell.

use super::{Count, RowsBy};
use crate::coding::Coding;
use crate::study::Study;

/// Per meaning unit, the position of its informant in [`Study::informants`].
pub(crate) fn unit_informants(study: &Study) -> Vec<u32> {
    study
        .units()
        .iter()
        .map(|u| {
            study
                .informant_position(&u.informant)
                .expect("a unit's informant is in the study") as u32
        })
        .collect()
}

/// Per code rank (tree order), the ranks of the rows its codings count in: its top code for
/// [`RowsBy::Top`], itself and every code above it for [`RowsBy::Code`].
pub(crate) fn row_codes(study: &Study, rows_by: RowsBy) -> Vec<Vec<usize>> {
    let f = study.framework();
    let rank = |id: &crate::CodeId| {
        f.code_rank(id)
            .expect("a code's ancestors are in its framework")
    };
    f.codes()
        .iter()
        .map(|c| match rows_by {
            RowsBy::Top => vec![rank(&c.id.top())],
            RowsBy::Code => std::iter::successors(Some(c.id.clone()), |id| id.parent())
                .map(|id| rank(&id))
                .collect(),
        })
        .collect()
}

/// The code rank of a coding's code.
pub(crate) fn rank(study: &Study, c: &Coding) -> u32 {
    study
        .framework()
        .code_rank(&c.code)
        .expect("a coding's code is in the framework") as u32
}

/// (cell, unit, informant) triples, counted per cell.
#[derive(Default)]
pub(crate) struct Cells {
    units: Vec<u64>,
    informants: Vec<u64>,
}

impl Cells {
    /// Notes that `unit`, of `informant`, falls in `cell`.
    pub(crate) fn add(&mut self, cell: usize, unit: usize, informant: u32) {
        let cell = (cell as u64) << 32;
        self.units.push(cell | unit as u64);
        self.informants.push(cell | u64::from(informant));
    }

    /// The count of each of the cells `0..n`.
    pub(crate) fn counts(mut self, n: usize) -> Vec<Count> {
        let mut out = vec![Count::default(); n];
        for (list, field) in [(&mut self.units, 0), (&mut self.informants, 1)] {
            list.sort_unstable();
            list.dedup();
            for key in list.iter() {
                let c = &mut out[(key >> 32) as usize];
                if field == 0 {
                    c.units += 1;
                } else {
                    c.informants += 1;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_count_distinct_units_and_informants() {
        let mut cells = Cells::default();
        cells.add(0, 7, 1);
        cells.add(0, 7, 1);
        cells.add(0, 8, 1);
        cells.add(2, 9, 3);
        cells.add(2, 10, 4);
        let counts = cells.counts(3);
        assert_eq!(
            counts[0],
            Count {
                units: 2,
                informants: 1
            }
        );
        assert_eq!(counts[1], Count::default());
        assert_eq!(
            counts[2],
            Count {
                units: 2,
                informants: 2
            }
        );
    }
}
