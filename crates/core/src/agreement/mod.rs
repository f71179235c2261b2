//! Inter-coder agreement: percent agreement, Cohen's kappa, Scott's pi, Fleiss' kappa and
//! Krippendorff's alpha (nominal, ordinal, interval, ratio), with missing values.
//!
//! One implementation serves every way in: reliability data read from a CSV file
//! ([`ReliabilityData::read_csv`]) and the codings of a study (the store feeds a [`Tally`]
//! unit by unit). A `Tally` keeps only sums (the coincidence matrix, the two-coder
//! contingency table, per-unit agreement sums), never the units themselves, so a million
//! units take no more memory than ten.
//!
//! The definitions follow the reference vectors in `fixtures/agreement/` (see its README):
//! alpha is `1 - D_o / D_e` from the coincidence matrix with units of fewer than two values
//! dropped; kappa and pi use only units both coders coded; Fleiss' kappa needs the same
//! number of values in every unit; percent agreement averages, over units with two or more
//! values, the share of agreeing pairs of values. A measure that is undefined for the data
//! comes back as `None` with the reason, never as NaN.
//!
//! Alpha also comes with a bootstrapped confidence interval and the chance of falling short
//! of a minimum ([`Tally::bootstrap_alpha`], [`Bootstrap`]): Hayes and Krippendorff's (2007)
//! algorithm, which resamples the coincidence matrix, so it too never needs the units.

mod bootstrap;
mod csv_input;
mod study;
mod tally;

use std::fmt;

use serde::Serialize;

pub use bootstrap::{Bootstrap, Failure, Interval};
pub use csv_input::ReliabilityData;
pub use study::{
    coverage, decide, disagreements, reconcile, sparse_coders, study_agreement,
    study_agreement_with_intervals, Agreed, CodeAgreement, Disagreement, Granularity, Key,
    Measures, Overall, StudyAgreement, SPARSE_SHARE,
};
pub use tally::Tally;

/// An agreement measure, named as in the reference vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Share of agreeing pairs of values, averaged over units.
    PercentAgreement,
    /// Cohen's kappa: two coders, each with their own marginals.
    CohenKappa,
    /// Scott's pi: two coders, pooled marginals.
    ScottPi,
    /// Fleiss' kappa: the same number of values in every unit.
    FleissKappa,
    /// Krippendorff's alpha at a level of measurement.
    KrippendorffAlpha,
}

impl Metric {
    /// Every metric.
    pub const ALL: [Metric; 5] = [
        Metric::PercentAgreement,
        Metric::CohenKappa,
        Metric::ScottPi,
        Metric::FleissKappa,
        Metric::KrippendorffAlpha,
    ];

    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::PercentAgreement => "percent_agreement",
            Metric::CohenKappa => "cohen_kappa",
            Metric::ScottPi => "scott_pi",
            Metric::FleissKappa => "fleiss_kappa",
            Metric::KrippendorffAlpha => "krippendorff_alpha",
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Metric {
    type Err = AgreementError;
    fn from_str(s: &str) -> Result<Self, AgreementError> {
        Metric::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| AgreementError::UnknownMetric(s.to_owned()))
    }
}

/// Level of measurement of the values (only alpha uses anything but nominal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Labels, equal or not.
    Nominal,
    /// Ranked labels: lowest first by `--order`, or numeric order.
    Ordinal,
    /// Numbers whose differences matter.
    Interval,
    /// Numbers whose ratios matter.
    Ratio,
}

impl Level {
    /// Every level.
    pub const ALL: [Level; 4] = [
        Level::Nominal,
        Level::Ordinal,
        Level::Interval,
        Level::Ratio,
    ];

    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Nominal => "nominal",
            Level::Ordinal => "ordinal",
            Level::Interval => "interval",
            Level::Ratio => "ratio",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Level {
    type Err = AgreementError;
    fn from_str(s: &str) -> Result<Self, AgreementError> {
        Level::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| AgreementError::UnknownLevel(s.to_owned()))
    }
}

/// The result of one measure over one data set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The measure.
    pub metric: Metric,
    /// The level of measurement.
    pub level: Level,
    /// The coefficient, or `None` where it is undefined for these data.
    pub value: Option<f64>,
    /// Why the value is undefined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Units read (rows), coded or not.
    pub units: u64,
    /// Units that entered the measure (for alpha and percent agreement: two or more values;
    /// for kappa and pi: both coders present; for Fleiss: any value).
    pub pairable_units: u64,
    /// Coders (columns).
    pub coders: usize,
}

/// Why agreement could not be computed at all (as opposed to an undefined value).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AgreementError {
    /// Not one of the metric names.
    #[error("unknown metric `{}`: use percent_agreement, cohen_kappa, scott_pi, fleiss_kappa or krippendorff_alpha", crate::shorten(.0))]
    UnknownMetric(String),
    /// Not one of the level names.
    #[error("unknown level `{}`: use nominal, ordinal, interval or ratio", crate::shorten(.0))]
    UnknownLevel(String),
    /// A level other than nominal for a metric that has none.
    #[error("{metric} compares labels only: --level {level} applies to krippendorff_alpha")]
    LevelNotApplicable {
        /// The metric.
        metric: Metric,
        /// The level asked for.
        level: Level,
    },
    /// Kappa or pi with other than two coders.
    #[error("{metric} needs exactly two coders; the data have {coders} (use krippendorff_alpha or fleiss_kappa)")]
    NeedsTwoCoders {
        /// The metric.
        metric: Metric,
        /// How many there are.
        coders: usize,
    },
    /// A value that the level cannot place.
    #[error(
        "value `{}` is not a number, as {level} data need{hint}",
        crate::shorten(value)
    )]
    NotANumber {
        /// The value.
        value: String,
        /// The level.
        level: Level,
        /// A hint for ordinal labels.
        hint: &'static str,
    },
    /// A value missing from the given order.
    #[error("value `{}` is not in --order", crate::shorten(.0))]
    NotInOrder(String),
    /// A label given twice in the order.
    #[error("`{}` appears twice in --order", crate::shorten(.0))]
    DuplicateInOrder(String),
    /// Bootstrap settings out of range.
    #[error("bootstrap: {0}")]
    Bootstrap(String),
    /// The reliability data are malformed.
    #[error("line {line}: {message}")]
    Input {
        /// 1-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
}
