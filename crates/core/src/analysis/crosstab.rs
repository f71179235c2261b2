//! Cross-tabulation of codings by any two dimensions, counting meaning units and the
//! distinct informants behind them.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Count, Filter};
use crate::coding::{Coding, Polarity, UnitId};
use crate::ids::InformantId;
use crate::study::Study;

/// A dimension to count by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dim {
    /// Framework category.
    Category,
    /// Framework code (category/subtheme).
    Subtheme,
    /// Barrier or opportunity.
    Polarity,
    /// The informant's group (`-` for none).
    Group,
    /// The informant.
    Informant,
    /// The coder.
    Coder,
}

impl std::str::FromStr for Dim {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "category" => Dim::Category,
            "subtheme" => Dim::Subtheme,
            "polarity" => Dim::Polarity,
            "group" => Dim::Group,
            "informant" => Dim::Informant,
            "coder" => Dim::Coder,
            _ => {
                return Err(format!(
                    "unknown dimension `{s}`: use category, subtheme, polarity, group, informant or coder"
                ))
            }
        })
    }
}

/// Label used for informants in no group.
pub const NO_GROUP: &str = "-";

/// Counts by two dimensions, with totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Crosstab {
    /// The row dimension.
    pub rows_by: Dim,
    /// The column dimension.
    pub cols_by: Dim,
    /// Row labels, in the dimension's natural order.
    pub rows: Vec<String>,
    /// Column labels.
    pub cols: Vec<String>,
    /// `cells[r][c]`.
    pub cells: Vec<Vec<Count>>,
    /// Per row, over all columns.
    pub row_totals: Vec<Count>,
    /// Per column, over all rows.
    pub col_totals: Vec<Count>,
    /// Everything.
    pub total: Count,
}

/// The value of a coding along a dimension.
fn value(study: &Study, c: &Coding, d: Dim) -> String {
    let informant = &study.units()[c.unit.index()].informant;
    match d {
        Dim::Category => c.code.category.to_string(),
        Dim::Subtheme => c.code.to_string(),
        Dim::Polarity => c.polarity.to_string(),
        Dim::Group => study
            .informant(informant)
            .ok()
            .and_then(|i| i.group())
            .map_or_else(|| NO_GROUP.to_owned(), ToString::to_string),
        Dim::Informant => informant.to_string(),
        Dim::Coder => c.coder.to_string(),
    }
}

/// Every value of a dimension in its natural order: framework order, barrier first, study
/// order of groups and informants; coders in the order they first coded.
fn values(study: &Study, d: Dim, seen: &BTreeSet<String>) -> Vec<String> {
    let mut all: Vec<String> = match d {
        Dim::Category => study
            .framework()
            .categories()
            .iter()
            .map(|c| c.id.to_string())
            .collect(),
        Dim::Subtheme => study.framework().codes().map(|c| c.to_string()).collect(),
        Dim::Polarity => Polarity::ALL.iter().map(ToString::to_string).collect(),
        Dim::Group => {
            let mut v: Vec<String> = study.groups().iter().map(|g| g.id.to_string()).collect();
            v.push(NO_GROUP.to_owned());
            v.retain(|g| seen.contains(g));
            v
        }
        Dim::Informant => study
            .informants()
            .iter()
            .map(|i| i.id.to_string())
            .filter(|i| seen.contains(i))
            .collect(),
        Dim::Coder => {
            let mut v: Vec<String> = Vec::new();
            for c in study.codings() {
                let s = c.coder.to_string();
                if seen.contains(&s) && !v.contains(&s) {
                    v.push(s);
                }
            }
            v
        }
    };
    all.dedup();
    all
}

fn count(study: &Study, units: &BTreeSet<UnitId>) -> Count {
    Count {
        units: units.len(),
        informants: units
            .iter()
            .map(|u| &study.units()[u.index()].informant)
            .collect::<BTreeSet<&InformantId>>()
            .len(),
    }
}

/// Counts the codings `filter` selects by `rows` × `cols`.
pub fn crosstab(study: &Study, filter: &Filter, rows: Dim, cols: Dim) -> Crosstab {
    let codings = filter.codings(study);
    let mut cell: BTreeMap<(String, String), BTreeSet<UnitId>> = BTreeMap::new();
    let mut row_units: BTreeMap<String, BTreeSet<UnitId>> = BTreeMap::new();
    let mut col_units: BTreeMap<String, BTreeSet<UnitId>> = BTreeMap::new();
    let mut all = BTreeSet::new();
    for c in &codings {
        let (r, k) = (value(study, c, rows), value(study, c, cols));
        cell.entry((r.clone(), k.clone()))
            .or_default()
            .insert(c.unit);
        row_units.entry(r).or_default().insert(c.unit);
        col_units.entry(k).or_default().insert(c.unit);
        all.insert(c.unit);
    }
    let row_labels = values(study, rows, &row_units.keys().cloned().collect());
    let col_labels = values(study, cols, &col_units.keys().cloned().collect());
    let empty = BTreeSet::new();
    let cells = row_labels
        .iter()
        .map(|r| {
            col_labels
                .iter()
                .map(|k| count(study, cell.get(&(r.clone(), k.clone())).unwrap_or(&empty)))
                .collect()
        })
        .collect();
    Crosstab {
        rows_by: rows,
        cols_by: cols,
        row_totals: row_labels
            .iter()
            .map(|r| count(study, row_units.get(r).unwrap_or(&empty)))
            .collect(),
        col_totals: col_labels
            .iter()
            .map(|k| count(study, col_units.get(k).unwrap_or(&empty)))
            .collect(),
        total: count(study, &all),
        rows: row_labels,
        cols: col_labels,
        cells,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::study;

    #[test]
    fn informant_by_coder() {
        let s = study();
        let t = crosstab(&s, &Filter::default(), Dim::Informant, Dim::Coder);
        assert_eq!(t.rows, ["I1", "I2", "I3"]);
        assert_eq!(t.cols, ["A", "B"]);
        // I1: A coded two units, B one.
        assert_eq!(t.cells[0][0].units, 2);
        assert_eq!(t.cells[0][1].units, 1);
        assert_eq!(t.total.units, 4);
        assert_eq!(t.total.informants, 3);
        assert_eq!(t.col_totals[1].units, 2);
    }

    #[test]
    fn subtheme_by_group_lists_every_code() {
        let s = study();
        let t = crosstab(&s, &Filter::default(), Dim::Subtheme, Dim::Group);
        assert_eq!(t.rows.len(), s.framework().codes().count());
        assert_eq!(t.cols, ["G1", "G2", NO_GROUP]);
    }
}
