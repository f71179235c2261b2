//! `samskap report --check`: documented rules a study's report is held to before it is
//! published (in CI, say). Each rule has an id and a severity; the command fails when a
//! rule at [`Severity::Error`] finds anything.
//!
//! The rules read the same study record and coding table as the report, and what the
//! store alone knows (the codebook versions the codings were made under) is passed in as
//! [`Facts`]: this crate never reads the store.

use serde::Serialize;

use samskap_core::disclosure;
use samskap_core::{CodingTable, Consent, Provenance, Study, NO_ONE};

use crate::{plural, Options};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The report must not be published as it is: the check fails.
    Error,
    /// Worth knowing before publishing; the check passes.
    Warning,
}

/// A rule: its id, severity and what it holds the report to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Its id, as findings and the documentation name it.
    pub id: &'static str,
    /// How much a finding of it matters.
    pub severity: Severity,
    /// What it checks.
    pub summary: &'static str,
}

/// Every rule, in the order they run and are documented (docs/report-in-ci.md).
pub const RULES: [Rule; 7] = [
    Rule {
        id: "illustrative",
        severity: Severity::Warning,
        summary: "the study is marked illustrative: its data are not research data",
    },
    Rule {
        id: "k-anonymity",
        severity: Severity::Error,
        summary: "fewer than k informants with consent in all: every count the report shows narrows its speakers below k",
    },
    Rule {
        id: "missing-qualifier",
        severity: Severity::Error,
        summary: "a coding shown lacks a value of a qualifier its code requires",
    },
    Rule {
        id: "unreconciled",
        severity: Severity::Warning,
        summary: "units the coders coded differently that have no consensus coding yet",
    },
    Rule {
        id: "consent-pending",
        severity: Severity::Warning,
        summary: "units of informants whose consent is pending: the report leaves their words out",
    },
    Rule {
        id: "small-groups",
        severity: Severity::Warning,
        summary: "groups of fewer than k informants with consent: their counts are pooled",
    },
    Rule {
        id: "codebook-version",
        severity: Severity::Warning,
        summary: "codings shown were made under an earlier version of the codebook",
    },
];

/// What the store knows that the rules need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The codebook version now.
    pub current_version: Option<u32>,
    /// How many of the report's coder's codings were made under each version.
    pub coding_versions: Vec<(u32, usize)>,
}

/// What a rule found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's id.
    pub rule: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// What it found, in words.
    pub message: String,
}

/// Runs every rule over the report `options` would build, in the order of [`RULES`].
pub fn check(study: &Study, table: &CodingTable, options: &Options, facts: &Facts) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut found = |rule: &'static str, message: String| {
        let severity = RULES
            .iter()
            .find(|r| r.id == rule)
            .expect("every finding is of a documented rule")
            .severity;
        out.push(Finding {
            rule,
            severity,
            message,
        });
    };
    if study.meta().provenance == Provenance::Illustrative {
        found(
            "illustrative",
            "the study is marked illustrative: its report carries a banner saying its data are not research data".into(),
        );
    }
    let k = options.small_group;
    let coder = table.coders().iter().position(|c| c == &options.coder);

    // k-anonymity and small groups: the classes the report breaks counts down by.
    let consented: Vec<&samskap_core::Informant> = study
        .informants()
        .iter()
        .filter(|i| i.consent() == Consent::Given)
        .collect();
    if consented.len() < k {
        found(
            "k-anonymity",
            format!(
                "{} informant{} with consent in all, fewer than k = {k}",
                consented.len(),
                plural(consented.len())
            ),
        );
    } else {
        let mut classes: Vec<(String, usize)> = study
            .groups()
            .iter()
            .map(|g| {
                let n = consented
                    .iter()
                    .filter(|i| i.group() == Some(&g.id))
                    .count();
                (g.id.to_string(), n)
            })
            .collect();
        classes.push((
            "(no group)".into(),
            consented.iter().filter(|i| i.group().is_none()).count(),
        ));
        let b = disclosure::breakdown(&classes, k);
        if b.suppressed() {
            let small: Vec<String> = classes
                .iter()
                .filter(|(key, n)| *n > 0 && !b.shown.contains(key))
                .map(|(key, n)| format!("{key} ({n})"))
                .collect();
            if !small.is_empty() {
                found(
                    "small-groups",
                    format!("pooled in the counts (k = {k}): {}", small.join(", ")),
                );
            }
        }
    }

    let Some(coder) = coder else {
        return out;
    };
    // Codings of the report's coder that lack a required value.
    let f = table.framework();
    let missing = table
        .codings()
        .iter()
        .filter(|c| c.coder as usize == coder)
        .filter(|c| {
            let code = table.code(c);
            let values = &table.qualifier_sets()[c.qualifiers as usize];
            f.check_qualifiers(code, values).is_err()
        })
        .count();
    if missing > 0 {
        found(
            "missing-qualifier",
            format!(
                "{missing} coding{} by `{}` lack a required qualifier value",
                plural(missing),
                options.coder
            ),
        );
    }

    // Units of informants whose consent is pending, among the coder's.
    let pending: Vec<u32> = table
        .informants()
        .iter()
        .enumerate()
        .filter(|(_, i)| i.consent() == Consent::Pending)
        .map(|(k, _)| k as u32)
        .collect();
    if !pending.is_empty() {
        let mut units: Vec<u32> = table
            .codings()
            .iter()
            .filter(|c| c.coder as usize == coder)
            .filter(|c| {
                table
                    .voices(c.unit)
                    .iter()
                    .any(|v| *v != NO_ONE && pending.contains(v))
            })
            .map(|c| c.unit)
            .collect();
        units.sort_unstable();
        units.dedup();
        if !units.is_empty() {
            found(
                "consent-pending",
                format!(
                    "{} by `{}` {} words of informants whose consent is pending; the report leaves them out",
                    if units.len() == 1 {
                        "1 unit".to_owned()
                    } else {
                        format!("{} units", units.len())
                    },
                    options.coder,
                    if units.len() == 1 { "holds" } else { "hold" }
                ),
            );
        }
    }

    // Disagreements without a consensus: units where the coders other than `consensus`
    // differ in what they coded (code and values), with no consensus coding on them.
    let consensus = table
        .coders()
        .iter()
        .position(|c| c.as_str() == "consensus");
    let compared: Vec<usize> = (0..table.coders().len())
        .filter(|&c| Some(c) != consensus)
        .collect();
    if compared.len() >= 2 {
        let mut by_unit: Vec<(u32, u32, u32, u32)> = table
            .codings()
            .iter()
            .map(|c| (c.unit, c.coder, c.code, c.qualifiers))
            .collect();
        by_unit.sort_unstable();
        let mut unreconciled = 0;
        for unit in by_unit.chunk_by(|a, b| a.0 == b.0) {
            if consensus.is_some_and(|k| unit.iter().any(|c| c.1 as usize == k)) {
                continue;
            }
            let of = |coder: usize| -> Vec<(u32, u32)> {
                unit.iter()
                    .filter(|c| c.1 as usize == coder)
                    .map(|c| (c.2, c.3))
                    .collect()
            };
            let first = of(compared[0]);
            if compared[1..].iter().any(|&c| of(c) != first) {
                unreconciled += 1;
            }
        }
        if unreconciled > 0 {
            found(
                "unreconciled",
                format!(
                    "{unreconciled} unit{} coded differently by {} and not reconciled (`samskap agreement disagreements`, `samskap code reconcile`)",
                    plural(unreconciled),
                    compared
                        .iter()
                        .map(|&c| format!("`{}`", table.coders()[c]))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }

    // Codings made under an earlier codebook version than the current.
    if let Some(now) = facts.current_version {
        let older: Vec<String> = facts
            .coding_versions
            .iter()
            .filter(|(v, n)| *v != now && *n > 0)
            .map(|(v, n)| format!("{n} under version {v}"))
            .collect();
        if !older.is_empty() {
            found(
                "codebook-version",
                format!(
                    "codings by `{}` made under another version than the current {now}: {}",
                    options.coder,
                    older.join(", ")
                ),
            );
        }
    }
    out
}

/// Whether the findings fail the check: any at error level.
pub fn fails(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}
