//! The pure analysis of a study: filtered quotes, the counts matrix with its informant
//! counts, and example quotes per subtheme. Everything here reads a [`Study`] and returns
//! plain values; nothing is printed or stored.

mod cooccur;
mod crosstab;
mod saturation;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::coding::{Coding, Polarity, UnitId};
use crate::ids::{CategoryId, CodeId, CoderId, GroupId, InformantId};
use crate::model::{Consent, Role};
use crate::study::Study;

pub use cooccur::{cooccurrences, Cooccurrence};
pub use crosstab::{crosstab, Crosstab, Dim, NO_GROUP};
pub use saturation::{saturation, Step};

/// Which codings an analysis looks at. Empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only codes of this category.
    pub category: Option<CategoryId>,
    /// Only this code (category/subtheme).
    pub code: Option<CodeId>,
    /// Only this polarity.
    pub polarity: Option<Polarity>,
    /// Only units of informants in this group.
    pub group: Option<GroupId>,
    /// Only this coder's codings.
    pub coder: Option<CoderId>,
    /// Only informants of this role.
    pub role: Option<Role>,
    /// Only units whose text contains this, ignoring case.
    pub text: Option<String>,
    /// Only informants whose consent is given: what a report may show.
    pub consented_only: bool,
}

impl Filter {
    fn matches(&self, study: &Study, c: &Coding) -> bool {
        let informant = &study.units()[c.unit.index()].informant;
        let inf = study.informant(informant).ok();
        self.category.as_ref().is_none_or(|k| &c.code.category == k)
            && self.code.as_ref().is_none_or(|k| &c.code == k)
            && self.polarity.is_none_or(|p| c.polarity == p)
            && self.coder.as_ref().is_none_or(|k| &c.coder == k)
            && self
                .group
                .as_ref()
                .is_none_or(|g| inf.and_then(|i| i.group()) == Some(g))
            && (!self.consented_only || inf.is_some_and(|i| i.consent() == Consent::Given))
            && self
                .role
                .is_none_or(|r| inf.and_then(|i| i.role()) == Some(r))
            && self.text.as_ref().is_none_or(|t| {
                study
                    .unit_text(c.unit)
                    .to_lowercase()
                    .contains(&t.to_lowercase())
            })
    }

    /// The matching codings in a stable order: framework order of codes, barrier before
    /// opportunity, informants in study order, position in the transcript, then coder.
    pub fn codings<'s>(&self, study: &'s Study) -> Vec<&'s Coding> {
        let informant_rank: BTreeMap<&InformantId, usize> = study
            .informants()
            .iter()
            .enumerate()
            .map(|(i, inf)| (&inf.id, i))
            .collect();
        let mut v: Vec<&Coding> = study
            .codings()
            .iter()
            .filter(|c| self.matches(study, c))
            .collect();
        v.sort_by_key(|c| {
            let u = &study.units()[c.unit.index()];
            (
                study.framework().code_rank(&c.code),
                c.polarity,
                informant_rank.get(&u.informant).copied(),
                u.span.start(),
                u.span.end(),
                c.coder.clone(),
            )
        });
        v
    }
}

/// A coded quote, as the `quotes` command lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// The code.
    pub code: CodeId,
    /// Barrier or opportunity.
    pub polarity: Polarity,
    /// Who coded it.
    pub coder: CoderId,
    /// Whose words.
    pub informant: InformantId,
    /// Their group, if any.
    pub group: Option<GroupId>,
    /// Start offset in characters.
    pub start: usize,
    /// End offset in characters.
    pub end: usize,
    /// The words.
    pub text: String,
}

/// The quotes that `filter` selects, in its order.
pub fn quotes(study: &Study, filter: &Filter) -> Vec<Quote> {
    filter
        .codings(study)
        .into_iter()
        .map(|c| {
            let u = &study.units()[c.unit.index()];
            Quote {
                code: c.code.clone(),
                polarity: c.polarity,
                coder: c.coder.clone(),
                informant: u.informant.clone(),
                group: study
                    .informant(&u.informant)
                    .ok()
                    .and_then(|i| i.group().cloned()),
                start: u.span.start(),
                end: u.span.end(),
                text: study.unit_text(c.unit).to_owned(),
            }
        })
        .collect()
}

/// What the rows of a matrix are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RowsBy {
    /// One row per category (and polarity).
    Category,
    /// One row per subtheme (and polarity).
    Subtheme,
}

/// A column of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Column {
    /// Informants of one group.
    Group(GroupId),
    /// Informants in no group (the facilitator).
    Ungrouped,
    /// All informants.
    Total,
}

/// One cell: how many meaning units, and how many distinct informants behind them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    /// Distinct meaning units.
    pub units: usize,
    /// Distinct informants (the thesis's "several informants", "all informants").
    pub informants: usize,
}

/// One row: a category or subtheme with a polarity (`None`: both polarities together).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The category id, or the code `category/subtheme`.
    pub key: String,
    /// Barrier, opportunity, or `None` for both.
    pub polarity: Option<Polarity>,
    /// One count per column, in the matrix's column order.
    pub counts: Vec<Count>,
}

/// Counts per category or subtheme × polarity × group, with informant counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matrix {
    /// What the rows are.
    pub rows_by: RowsBy,
    /// The columns: groups with material in study order, then ungrouped, then the total.
    pub columns: Vec<Column>,
    /// Every category or subtheme of the framework, each as barrier, opportunity and both.
    pub rows: Vec<Row>,
}

/// Builds the counts matrix over the codings `filter` selects.
pub fn matrix(study: &Study, filter: &Filter, rows_by: RowsBy) -> Matrix {
    let codings = filter.codings(study);
    let column_of = |u: UnitId| -> Column {
        let informant = &study.units()[u.index()].informant;
        match study.informant(informant).ok().and_then(|i| i.group()) {
            Some(g) => Column::Group(g.clone()),
            None => Column::Ungrouped,
        }
    };
    let key_of = |c: &Coding| match rows_by {
        RowsBy::Category => c.code.category.to_string(),
        RowsBy::Subtheme => c.code.to_string(),
    };
    // (key, polarity or both, column) -> units
    let mut cells: BTreeMap<(String, Option<Polarity>, Column), BTreeSet<UnitId>> = BTreeMap::new();
    let mut seen_columns = BTreeSet::new();
    for c in &codings {
        let col = column_of(c.unit);
        seen_columns.insert(col.clone());
        for p in [Some(c.polarity), None] {
            for column in [col.clone(), Column::Total] {
                cells
                    .entry((key_of(c), p, column))
                    .or_default()
                    .insert(c.unit);
            }
        }
    }
    let mut columns: Vec<Column> = study
        .groups()
        .iter()
        .map(|g| Column::Group(g.id.clone()))
        .filter(|c| seen_columns.contains(c))
        .collect();
    if seen_columns.contains(&Column::Ungrouped) {
        columns.push(Column::Ungrouped);
    }
    columns.push(Column::Total);

    let keys: Vec<String> = match rows_by {
        RowsBy::Category => study
            .framework()
            .categories()
            .iter()
            .map(|c| c.id.to_string())
            .collect(),
        RowsBy::Subtheme => study.framework().codes().map(|c| c.to_string()).collect(),
    };
    let keys = keys
        .into_iter()
        .filter(|k| match (&filter.category, rows_by) {
            (Some(cat), RowsBy::Category) => k == cat.as_str(),
            (Some(cat), RowsBy::Subtheme) => k.starts_with(&format!("{cat}/")),
            (None, _) => true,
        });
    let mut rows = Vec::new();
    for key in keys {
        for p in [Some(Polarity::Barrier), Some(Polarity::Opportunity), None] {
            let counts = columns
                .iter()
                .map(|col| {
                    cells
                        .get(&(key.clone(), p, col.clone()))
                        .map_or_else(Count::default, |units| Count {
                            units: units.len(),
                            informants: units
                                .iter()
                                .map(|u| &study.units()[u.index()].informant)
                                .collect::<BTreeSet<_>>()
                                .len(),
                        })
                })
                .collect();
            rows.push(Row {
                key: key.clone(),
                polarity: p,
                counts,
            });
        }
    }
    Matrix {
        rows_by,
        columns,
        rows,
    }
}

/// Example quotes for one subtheme and polarity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Examples {
    /// The code.
    pub code: CodeId,
    /// The polarity.
    pub polarity: Polarity,
    /// Up to the asked number of distinct quotes, in the filter's order.
    pub quotes: Vec<String>,
    /// How many distinct units there are in all.
    pub total: usize,
}

/// Up to `per` example quotes for every subtheme × polarity that has any.
pub fn examples(study: &Study, filter: &Filter, per: usize) -> Vec<Examples> {
    let mut out: Vec<Examples> = Vec::new();
    let mut seen: BTreeSet<(CodeId, Polarity, UnitId)> = BTreeSet::new();
    for c in filter.codings(study) {
        if !seen.insert((c.code.clone(), c.polarity, c.unit)) {
            continue;
        }
        let fresh = out
            .last()
            .is_none_or(|e| e.code != c.code || e.polarity != c.polarity);
        if fresh {
            out.push(Examples {
                code: c.code.clone(),
                polarity: c.polarity,
                quotes: Vec::new(),
                total: 0,
            });
        }
        let e = out.last_mut().expect("pushed above");
        e.total += 1;
        if e.quotes.len() < per {
            e.quotes.push(study.unit_text(c.unit).to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{id, study};

    fn cell(m: &Matrix, key: &str, p: Option<Polarity>, col: &Column) -> Count {
        let i = m.columns.iter().position(|c| c == col).unwrap();
        m.rows
            .iter()
            .find(|r| r.key == key && r.polarity == p)
            .unwrap()
            .counts[i]
    }

    #[test]
    fn matrix_counts_distinct_units_and_informants() {
        let s = study();
        let m = matrix(&s, &Filter::default(), RowsBy::Subtheme);
        assert_eq!(
            m.columns,
            vec![
                Column::Group(id("G1")),
                Column::Group(id("G2")),
                Column::Ungrouped,
                Column::Total
            ]
        );
        let time = "resources/time-people-money";
        // I1's unit is coded by A and B: one unit.
        assert_eq!(
            cell(&m, time, Some(Polarity::Barrier), &Column::Total),
            Count {
                units: 3,
                informants: 3
            }
        );
        assert_eq!(
            cell(&m, time, Some(Polarity::Opportunity), &Column::Total),
            Count::default()
        );
        let infra = "structure/infrastructure";
        assert_eq!(
            cell(&m, infra, None, &Column::Total),
            Count {
                units: 2,
                informants: 2
            }
        );
        let by_cat = matrix(&s, &Filter::default(), RowsBy::Category);
        assert_eq!(by_cat.rows.len(), 5 * 3);
    }

    #[test]
    fn filters_combine() {
        let s = study();
        let f = Filter {
            coder: Some(id("A")),
            group: Some(id("G1")),
            ..Filter::default()
        };
        let q = quotes(&s, &f);
        assert_eq!(q.len(), 2);
        assert!(q.iter().all(|q| q.informant.as_str() == "I1"));
        // Framework order: structure before resources.
        assert_eq!(q[0].code.to_string(), "structure/infrastructure");

        let consented = Filter {
            consented_only: true,
            ..Filter::default()
        };
        assert!(quotes(&s, &consented)
            .iter()
            .all(|q| q.informant.as_str() != "I2"));
    }

    #[test]
    fn role_and_text_filters() {
        let s = study();
        let f = Filter {
            role: Some(Role::Facilitator),
            ..Filter::default()
        };
        assert!(quotes(&s, &f).iter().all(|q| q.informant.as_str() == "I3"));
        let f = Filter {
            text: Some("KONTAKTER".into()),
            ..Filter::default()
        };
        let q = quotes(&s, &f);
        assert_eq!(q.len(), 1);
        assert!(q[0].text.contains("kontakter"));
    }

    #[test]
    fn examples_are_distinct_and_capped() {
        let s = study();
        let e = examples(&s, &Filter::default(), 2);
        let time = e
            .iter()
            .find(|e| e.code.to_string() == "resources/time-people-money")
            .unwrap();
        assert_eq!(time.total, 3);
        assert_eq!(time.quotes.len(), 2);
        assert_eq!(time.quotes[0], "Vi har for lite tid til dette arbeidet.");
    }
}
