//! Cross-tabulation of codings by any two dimensions, counting meaning units and the
//! distinct informants behind them.

use serde::Serialize;

use super::{count, Count, Filter};
use crate::ids::QualifierId;
use crate::table::{CodingTable, TableCoding, NO_ONE};

/// A dimension to count by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dim {
    /// The code at the top of the coding's branch (Bentzen's category).
    Top,
    /// The coding's code.
    Code,
    /// The value of a qualifier (`-` for none).
    Qualifier(QualifierId),
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
            "top" | "category" => Dim::Top,
            "code" | "subtheme" => Dim::Code,
            "group" => Dim::Group,
            "informant" => Dim::Informant,
            "coder" => Dim::Coder,
            other => Dim::Qualifier(other.parse().map_err(|_| {
                format!(
                    "unknown dimension `{}`: use top, code, group, informant, coder or a qualifier of the framework",
                    crate::shorten(other)
                )
            })?),
        })
    }
}

/// Label used for informants in no group, and for codings with no value of a qualifier.
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

/// A dimension's values as numbers: each coding's position along it, and the label of each
/// position in the dimension's natural order (framework order, barrier first, study order of
/// groups and informants with `-` last, coders in the order they first coded).
struct Axis {
    labels: Vec<String>,
    /// Only positions that some counted coding has are shown (all of them for the
    /// framework's and polarity's dimensions).
    show_all: bool,
}

impl Axis {
    fn of(table: &CodingTable, d: &Dim) -> Self {
        let (labels, show_all) = match d {
            Dim::Top => (
                table
                    .framework()
                    .roots()
                    .map(|c| c.id.to_string())
                    .collect(),
                true,
            ),
            Dim::Code => (
                table
                    .framework()
                    .codes()
                    .iter()
                    .map(|c| c.id.to_string())
                    .collect(),
                true,
            ),
            Dim::Qualifier(q) => {
                let mut v: Vec<String> = table
                    .framework()
                    .qualifier(q)
                    .map(|q| q.values.iter().map(|v| v.id.to_string()).collect())
                    .unwrap_or_default();
                v.push(NO_GROUP.to_owned());
                (v, false)
            }
            Dim::Group => {
                let mut v: Vec<String> = table.groups().iter().map(ToString::to_string).collect();
                v.push(NO_GROUP.to_owned());
                (v, false)
            }
            Dim::Informant => (
                table
                    .informants()
                    .iter()
                    .map(|i| i.id.to_string())
                    .chain([NO_GROUP.to_owned()])
                    .collect(),
                false,
            ),
            Dim::Coder => (
                table.coders().iter().map(ToString::to_string).collect(),
                false,
            ),
        };
        Self { labels, show_all }
    }
}

/// Counts the codings `filter` selects by `rows` × `cols`.
pub fn crosstab(table: &CodingTable, filter: &Filter, rows: Dim, cols: Dim) -> Crosstab {
    let f = table.framework();
    let tops = count::row_codes(f, super::RowsBy::Top);
    // A top code's rank among the top codes.
    let top_position: std::collections::HashMap<usize, usize> = f
        .roots()
        .enumerate()
        .map(|(i, c)| (f.code_rank(&c.id).expect("in it"), i))
        .collect();
    // Per set of qualifier values, the position of its value of each dimension that is a
    // qualifier (the number of values for none).
    let value_position = |q: &QualifierId| -> Vec<usize> {
        let declared = f.qualifier(q);
        let n = declared.map_or(0, |d| d.values.len());
        table
            .qualifier_sets()
            .iter()
            .map(|set| {
                set.get(q)
                    .and_then(|v| declared.and_then(|d| d.value_rank(v)))
                    .unwrap_or(n)
            })
            .collect()
    };
    let values_of = |d: &Dim| match d {
        Dim::Qualifier(q) => value_position(q),
        _ => Vec::new(),
    };
    let (row_values, col_values) = (values_of(&rows), values_of(&cols));
    let position = |c: &TableCoding, voice: u32, d: &Dim, values: &[usize]| -> usize {
        match d {
            Dim::Top => top_position[&tops[c.code as usize][0]],
            Dim::Code => c.code as usize,
            Dim::Qualifier(_) => values[c.qualifiers as usize],
            Dim::Group => table
                .voice_group(c.unit, voice)
                .map_or(table.groups().len(), |g| g as usize),
            Dim::Informant if voice == NO_ONE => table.informants().len(),
            Dim::Informant => voice as usize,
            Dim::Coder => c.coder as usize,
        }
    };
    let (row_axis, col_axis) = (Axis::of(table, &rows), Axis::of(table, &cols));
    let (nr, nc) = (row_axis.labels.len(), col_axis.labels.len());
    // Cells: r * nc + k; then the row totals, the column totals and the whole.
    let (row_total, col_total, all) = (nr * nc, nr * nc + nr, nr * nc + nr + nc);
    let (mut row_seen, mut col_seen) = (vec![false; nr], vec![false; nc]);
    let sel = filter.selection(table);
    let keeps = |unit, voice| sel.keeps_voice(table, unit, voice);
    let counts = count::count_cells(
        table,
        sel.codings(table),
        all + 1,
        keeps,
        |c, voice, cells| {
            let (r, k) = (
                position(c, voice, &rows, &row_values),
                position(c, voice, &cols, &col_values),
            );
            row_seen[r] = true;
            col_seen[k] = true;
            cells.extend([r * nc + k, row_total + r, col_total + k, all]);
        },
    );
    let shown = |axis: &Axis, seen: &[bool]| -> Vec<usize> {
        (0..axis.labels.len())
            .filter(|&i| axis.show_all || seen[i])
            .collect()
    };
    let (rs, ks) = (shown(&row_axis, &row_seen), shown(&col_axis, &col_seen));
    Crosstab {
        rows_by: rows,
        cols_by: cols,
        cells: rs
            .iter()
            .map(|&r| ks.iter().map(|&k| counts[r * nc + k]).collect())
            .collect(),
        row_totals: rs.iter().map(|&r| counts[row_total + r]).collect(),
        col_totals: ks.iter().map(|&k| counts[col_total + k]).collect(),
        total: counts[all],
        rows: rs.iter().map(|&r| row_axis.labels[r].clone()).collect(),
        cols: ks.iter().map(|&k| col_axis.labels[k].clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::study;

    #[test]
    fn informant_by_coder() {
        let s = study();
        let t = crosstab(
            &CodingTable::of(&s, None),
            &Filter::default(),
            Dim::Informant,
            Dim::Coder,
        );
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
        let t = crosstab(
            &CodingTable::of(&s, None),
            &Filter::default(),
            Dim::Code,
            Dim::Group,
        );
        assert_eq!(t.rows.len(), s.framework().codes().len());
        assert_eq!(t.cols, ["G1", "G2", NO_GROUP]);
    }
}
