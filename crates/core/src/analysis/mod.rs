//! The pure analysis of a study: filtered quotes, the counts matrix with its informant
//! counts, and example quotes per subtheme. Everything here reads a [`Study`] and returns
//! plain values; nothing is printed or stored.

mod cooccur;
mod count;
mod crosstab;
mod saturation;

use std::collections::BTreeSet;

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
    pub(crate) fn matches(&self, study: &Study, c: &Coding) -> bool {
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
        let mut v: Vec<&Coding> = study
            .codings()
            .iter()
            .filter(|c| self.matches(study, c))
            .collect();
        // Each key is made once, not once per comparison.
        v.sort_by_cached_key(|c| {
            let u = &study.units()[c.unit.index()];
            (
                study.framework().code_rank(&c.code),
                c.polarity,
                study.informant_position(&u.informant),
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
    let unit_informant = count::unit_informants(study);
    let categories = count::code_categories(study);
    // Column of each informant: its group's position, or `ungrouped`; `total` after it.
    let group_position: std::collections::HashMap<&GroupId, usize> = study
        .groups()
        .iter()
        .enumerate()
        .map(|(i, g)| (&g.id, i))
        .collect();
    let ungrouped = study.groups().len();
    let total = ungrouped + 1;
    let n_cols = total + 1;
    let informant_col: Vec<usize> = study
        .informants()
        .iter()
        .map(|i| i.group().map_or(ungrouped, |g| group_position[g]))
        .collect();
    let n_keys = match rows_by {
        RowsBy::Category => study.framework().categories().len(),
        RowsBy::Subtheme => categories.len(),
    };
    // Cell of (key, polarity or both, column).
    let cell = |key: usize, p: usize, col: usize| (key * 3 + p) * n_cols + col;
    let mut cells = count::Cells::default();
    let mut seen_columns = vec![false; n_cols];
    for c in study.codings().iter().filter(|c| filter.matches(study, c)) {
        let unit = c.unit.index();
        let informant = unit_informant[unit];
        let col = informant_col[informant as usize];
        seen_columns[col] = true;
        let rank = count::rank(study, c) as usize;
        let key = match rows_by {
            RowsBy::Category => categories[rank] as usize,
            RowsBy::Subtheme => rank,
        };
        let p = usize::from(c.polarity == Polarity::Opportunity);
        for p in [p, 2] {
            for col in [col, total] {
                cells.add(cell(key, p, col), unit, informant);
            }
        }
    }
    let counts = cells.counts(n_keys * 3 * n_cols);

    let mut shown: Vec<usize> = (0..ungrouped).filter(|&g| seen_columns[g]).collect();
    let mut columns: Vec<Column> = shown
        .iter()
        .map(|&g| Column::Group(study.groups()[g].id.clone()))
        .collect();
    if seen_columns[ungrouped] {
        shown.push(ungrouped);
        columns.push(Column::Ungrouped);
    }
    shown.push(total);
    columns.push(Column::Total);

    let keys: Vec<(usize, String)> = match rows_by {
        RowsBy::Category => study
            .framework()
            .categories()
            .iter()
            .enumerate()
            .filter(|(_, c)| filter.category.as_ref().is_none_or(|k| &c.id == k))
            .map(|(i, c)| (i, c.id.to_string()))
            .collect(),
        RowsBy::Subtheme => study
            .framework()
            .codes()
            .enumerate()
            .filter(|(_, c)| filter.category.as_ref().is_none_or(|k| &c.category == k))
            .map(|(i, c)| (i, c.to_string()))
            .collect(),
    };
    let mut rows = Vec::with_capacity(keys.len() * 3);
    for (k, key) in keys {
        for (p, polarity) in [Some(Polarity::Barrier), Some(Polarity::Opportunity), None]
            .into_iter()
            .enumerate()
        {
            rows.push(Row {
                key: key.clone(),
                polarity,
                counts: shown.iter().map(|&col| counts[cell(k, p, col)]).collect(),
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
