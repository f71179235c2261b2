//! Counting by numbers: distinct meaning units and the distinct informants behind them per
//! cell of a table, with every coding reduced to small integers first. The counts of a
//! million codings are two sorts, not a set of strings per cell.

use super::{Count, RowsBy};
use crate::framework::Framework;
use crate::table::{CodingTable, TableCoding};

/// Per code rank (tree order), the ranks of the rows its codings count in: its top code for
/// [`RowsBy::Top`], itself and every code above it for [`RowsBy::Code`].
pub(crate) fn row_codes(f: &Framework, rows_by: RowsBy) -> Vec<Vec<usize>> {
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

/// Per cell of `0..n`, the distinct meaning units and the distinct informants of the
/// `codings`, each of which falls in the cells that `cells_of` pushes (given the coding and
/// its informant's position).
///
/// The codings are taken grouped by informant and, within, by unit; then a cell has counted
/// a unit (an informant) already exactly when it was the last one it counted, and counting
/// is one pass with no set.
pub(crate) fn count_cells<'t>(
    table: &'t CodingTable,
    codings: impl Iterator<Item = &'t TableCoding>,
    n: usize,
    mut cells_of: impl FnMut(&TableCoding, u32, &mut Vec<usize>),
) -> Vec<Count> {
    let mut order: Vec<(u64, &TableCoding)> = codings
        .map(|c| {
            let informant = table.units()[c.unit as usize].informant;
            ((u64::from(informant) << 32) | u64::from(c.unit), c)
        })
        .collect();
    order.sort_unstable_by_key(|&(key, _)| key);
    let mut out = vec![Count::default(); n];
    // Per cell, the last unit and informant counted, plus one (0: none yet).
    let mut last_unit = vec![0u64; n];
    let mut last_informant = vec![0u32; n];
    let mut cells = Vec::new();
    for (key, c) in order {
        let informant = (key >> 32) as u32;
        cells.clear();
        cells_of(c, informant, &mut cells);
        for &cell in &cells {
            if last_unit[cell] != key + 1 {
                last_unit[cell] = key + 1;
                out[cell].units += 1;
            }
            if last_informant[cell] != informant + 1 {
                last_informant[cell] = informant + 1;
                out[cell].informants += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::study;

    #[test]
    fn cells_count_distinct_units_and_informants() {
        let s = study();
        let t = CodingTable::of(&s, None);
        // Cell 0: every coding; cell 1: none; cell 2: A's codings.
        let a = t.coders().iter().position(|c| c.as_str() == "A").unwrap() as u32;
        let counts = count_cells(&t, t.codings().iter(), 3, |c, _, cells| {
            cells.push(0);
            if c.coder == a {
                cells.push(2);
            }
        });
        let distinct = |f: &dyn Fn(&TableCoding) -> bool| {
            let units: std::collections::BTreeSet<u32> = t
                .codings()
                .iter()
                .filter(|c| f(c))
                .map(|c| c.unit)
                .collect();
            let informants: std::collections::BTreeSet<u32> = units
                .iter()
                .map(|&u| t.units()[u as usize].informant)
                .collect();
            Count {
                units: units.len(),
                informants: informants.len(),
            }
        };
        assert_eq!(counts[0], distinct(&|_| true));
        assert_eq!(counts[1], Count::default());
        assert_eq!(counts[2], distinct(&|c| c.coder == a));
        assert!(counts[0].units > counts[0].informants);
    }
}
