//! Counting by numbers: distinct meaning units and the distinct informants behind them per
//! cell of a table, with every coding reduced to small integers first. The counts of a
//! million codings are two sorts, not a set of strings per cell.

use super::{Count, RowsBy};
use crate::framework::Framework;
use crate::table::{CodingTable, TableCoding, NO_ONE};

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
/// a voice of its unit: an informant's position, or [`NO_ONE`]) for each voice of its unit
/// that `keeps_voice` keeps.
///
/// The (voice, coding) pairs are taken grouped by voice and, within, by unit; then a cell
/// has counted an informant already exactly when it was the last one it counted, and
/// counting is one pass with no set. Units are counted in the same pass when each holds one
/// voice; when some unit holds several (it spans turns), a second pass takes the pairs by
/// unit, so that a unit is counted once in a cell its voices share.
pub(crate) fn count_cells<'t>(
    table: &'t CodingTable,
    codings: impl Iterator<Item = &'t TableCoding>,
    n: usize,
    keeps_voice: impl Fn(u32, u32) -> bool,
    mut cells_of: impl FnMut(&TableCoding, u32, &mut Vec<usize>),
) -> Vec<Count> {
    let mut order: Vec<(u64, &TableCoding)> = Vec::new();
    for c in codings {
        for &voice in table.voices(c.unit) {
            if keeps_voice(c.unit, voice) {
                order.push(((u64::from(voice) << 32) | u64::from(c.unit), c));
            }
        }
    }
    order.sort_unstable_by_key(|&(key, _)| key);
    let shared = table.has_shared_units();
    let mut out = vec![Count::default(); n];
    // Per cell, the last unit and informant counted, plus one (0: none yet).
    let mut last_unit = vec![0u64; n];
    let mut last_informant = vec![0u64; n];
    let mut cells = Vec::new();
    for &(key, c) in &order {
        let voice = (key >> 32) as u32;
        cells.clear();
        cells_of(c, voice, &mut cells);
        for &cell in &cells {
            if !shared && last_unit[cell] != key + 1 {
                last_unit[cell] = key + 1;
                out[cell].units += 1;
            }
            if voice != NO_ONE && last_informant[cell] != u64::from(voice) + 1 {
                last_informant[cell] = u64::from(voice) + 1;
                out[cell].informants += 1;
            }
        }
    }
    if shared {
        order.sort_unstable_by_key(|&(key, _)| (key as u32, key >> 32));
        for &(key, c) in &order {
            let unit = u64::from(key as u32);
            cells.clear();
            cells_of(c, (key >> 32) as u32, &mut cells);
            for &cell in &cells {
                if last_unit[cell] != unit + 1 {
                    last_unit[cell] = unit + 1;
                    out[cell].units += 1;
                }
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
        let counts = count_cells(
            &t,
            t.codings().iter(),
            3,
            |_, _| true,
            |c, _, cells| {
                cells.push(0);
                if c.coder == a {
                    cells.push(2);
                }
            },
        );
        let distinct = |f: &dyn Fn(&TableCoding) -> bool| {
            let units: std::collections::BTreeSet<u32> = t
                .codings()
                .iter()
                .filter(|c| f(c))
                .map(|c| c.unit)
                .collect();
            let informants: std::collections::BTreeSet<u32> = units
                .iter()
                .flat_map(|&u| t.voices(u).iter().copied())
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
