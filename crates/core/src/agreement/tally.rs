//! The running sums from which every measure is computed.

use super::bootstrap::{Bootstrap, Interval};
use super::{AgreementError, Level, Metric, Outcome};

/// Sums over units, fed one unit at a time. Values are small integer ids (`0..`), one per
/// distinct label; the caller keeps the labels and, for ordinal, interval and ratio data,
/// gives each id its rank or number when computing.
#[derive(Debug, Clone)]
pub struct Tally {
    coders: usize,
    /// Number of distinct value ids seen (the matrices' dimension).
    pub(super) dim: usize,
    /// Coincidence matrix, `dim × dim`, row-major.
    pub(super) coincidence: Vec<f64>,
    /// Two-coder contingency table, `dim × dim` (first coder's value is the row).
    pairs: Vec<f64>,
    pairs_n: f64,
    /// Percent agreement: sum of per-unit shares, and the (weighted) count of units.
    agreement_sum: f64,
    agreement_units: f64,
    /// Fleiss: values per unit (must be equal), sum of per-unit P_i, category totals.
    fleiss_m: Option<usize>,
    fleiss_uneven: bool,
    fleiss_units: f64,
    fleiss_p_sum: f64,
    fleiss_totals: Vec<f64>,
    units: u64,
    pairable_units: u64,
    /// Scratch: per-unit counts of each id present.
    counts: Vec<(u32, u32)>,
}

impl Tally {
    /// A tally for `coders` coders.
    pub fn new(coders: usize) -> Self {
        Self {
            coders,
            dim: 0,
            coincidence: Vec::new(),
            pairs: Vec::new(),
            pairs_n: 0.0,
            agreement_sum: 0.0,
            agreement_units: 0.0,
            fleiss_m: None,
            fleiss_uneven: false,
            fleiss_units: 0.0,
            fleiss_p_sum: 0.0,
            fleiss_totals: Vec::new(),
            units: 0,
            pairable_units: 0,
            counts: Vec::with_capacity(8),
        }
    }

    /// Number of coders.
    pub fn coders(&self) -> usize {
        self.coders
    }

    /// Number of distinct value ids seen.
    pub fn values(&self) -> usize {
        self.dim
    }

    fn grow(&mut self, id: u32) {
        let need = id as usize + 1;
        if need <= self.dim {
            return;
        }
        let resize = |m: &[f64], old: usize| {
            let mut out = vec![0.0; need * need];
            for r in 0..old {
                out[r * need..r * need + old].copy_from_slice(&m[r * old..r * old + old]);
            }
            out
        };
        self.coincidence = resize(&self.coincidence, self.dim);
        self.pairs = resize(&self.pairs, self.dim);
        self.fleiss_totals.resize(need, 0.0);
        self.dim = need;
    }

    /// Adds one unit: one entry per coder, `None` where that coder gave no value.
    pub fn add_unit(&mut self, values: &[Option<u32>]) {
        self.add_units(values, 1);
    }

    /// Adds `weight` identical units at once (the character-level measures add every
    /// character of a stretch that all coders treat alike in one call).
    ///
    /// # Panics
    /// When `values` does not have one entry per coder: that is a caller's bug.
    pub fn add_units(&mut self, values: &[Option<u32>], weight: u64) {
        assert_eq!(values.len(), self.coders, "one value slot per coder");
        if weight == 0 {
            return;
        }
        self.units += weight;
        let w = weight as f64;
        self.counts.clear();
        for v in values.iter().flatten() {
            self.grow(*v);
            match self.counts.iter_mut().find(|(id, _)| id == v) {
                Some((_, n)) => *n += 1,
                None => self.counts.push((*v, 1)),
            }
        }
        let m: u32 = self.counts.iter().map(|(_, n)| n).sum();
        if self.coders == 2 {
            if let [Some(a), Some(b)] = values {
                self.pairs[*a as usize * self.dim + *b as usize] += w;
                self.pairs_n += w;
            }
        }
        if m >= 1 {
            match self.fleiss_m {
                None => self.fleiss_m = Some(m as usize),
                Some(prev) if prev != m as usize => self.fleiss_uneven = true,
                Some(_) => {}
            }
            for (id, n) in &self.counts {
                self.fleiss_totals[*id as usize] += w * f64::from(*n);
            }
            if m >= 2 {
                let same: f64 = self
                    .counts
                    .iter()
                    .map(|(_, n)| f64::from(*n) * f64::from(n - 1))
                    .sum();
                let all = f64::from(m) * f64::from(m - 1);
                self.fleiss_p_sum += w * same / all;
            }
            self.fleiss_units += w;
        }
        if m < 2 {
            return;
        }
        self.pairable_units += weight;
        let mf = f64::from(m);
        let same_pairs: f64 = self
            .counts
            .iter()
            .map(|(_, n)| f64::from(*n) * f64::from(n - 1) / 2.0)
            .sum();
        self.agreement_sum += w * same_pairs / (mf * (mf - 1.0) / 2.0);
        self.agreement_units += w;
        for &(c, nc) in &self.counts {
            for &(k, nk) in &self.counts {
                let pairs = f64::from(nc) * (f64::from(nk) - f64::from(u8::from(c == k)));
                self.coincidence[c as usize * self.dim + k as usize] += w * pairs / (mf - 1.0);
            }
        }
    }

    /// Computes `metric` at `level`. `points` gives each value id its number (interval,
    /// ratio) or its rank (ordinal); nominal data need none.
    pub fn compute(
        &self,
        metric: Metric,
        level: Level,
        points: Option<&[f64]>,
    ) -> Result<Outcome, AgreementError> {
        if metric != Metric::KrippendorffAlpha && level != Level::Nominal {
            return Err(AgreementError::LevelNotApplicable { metric, level });
        }
        let (value, pairable) = match metric {
            Metric::KrippendorffAlpha => (self.alpha(level, points), self.pairable_units),
            Metric::PercentAgreement => (
                if self.agreement_units > 0.0 {
                    Ok(self.agreement_sum / self.agreement_units)
                } else {
                    Err("no unit has two or more values".to_owned())
                },
                self.pairable_units,
            ),
            Metric::CohenKappa | Metric::ScottPi => {
                if self.coders != 2 {
                    return Err(AgreementError::NeedsTwoCoders {
                        metric,
                        coders: self.coders,
                    });
                }
                (self.kappa(metric == Metric::ScottPi), self.pairs_n as u64)
            }
            Metric::FleissKappa => (self.fleiss(), self.fleiss_units as u64),
        };
        let (value, reason) = match value {
            Ok(v) => (Some(v), None),
            Err(r) => (None, Some(r)),
        };
        Ok(Outcome {
            metric,
            level,
            value,
            reason,
            units: self.units,
            pairable_units: pairable,
            coders: self.coders,
        })
    }

    fn kappa(&self, pooled: bool) -> Result<f64, String> {
        let n = self.pairs_n;
        if n == 0.0 {
            return Err("no unit was coded by both coders".into());
        }
        let d = self.dim;
        let observed: f64 = (0..d).map(|c| self.pairs[c * d + c]).sum::<f64>() / n;
        let expected: f64 = (0..d)
            .map(|c| {
                let row: f64 = (0..d).map(|k| self.pairs[c * d + k]).sum::<f64>() / n;
                let col: f64 = (0..d).map(|k| self.pairs[k * d + c]).sum::<f64>() / n;
                if pooled {
                    ((row + col) / 2.0).powi(2)
                } else {
                    row * col
                }
            })
            .sum();
        if expected >= 1.0 {
            return Err("chance agreement is 1 (both coders used a single value): the coefficient is undefined".into());
        }
        Ok((observed - expected) / (1.0 - expected))
    }

    fn fleiss(&self) -> Result<f64, String> {
        if self.fleiss_uneven {
            return Err("units have different numbers of values; Fleiss' kappa needs the same number in every unit (use krippendorff_alpha)".into());
        }
        let m = self.fleiss_m.unwrap_or(0);
        if m < 2 || self.fleiss_units == 0.0 {
            return Err("no unit has two or more values".into());
        }
        let n = self.fleiss_units;
        let p_bar = self.fleiss_p_sum / n;
        let total = n * m as f64;
        let p_e: f64 = self.fleiss_totals.iter().map(|t| (t / total).powi(2)).sum();
        if p_e >= 1.0 {
            return Err(
                "every value is the same: chance agreement is 1 and the coefficient is undefined"
                    .into(),
            );
        }
        Ok((p_bar - p_e) / (1.0 - p_e))
    }

    fn alpha(&self, level: Level, points: Option<&[f64]>) -> Result<f64, String> {
        let parts = self.alpha_parts(level, points)?;
        Ok(1.0 - parts.observed / parts.expected)
    }

    /// Bootstraps Krippendorff's alpha at `level` (with `points` as for
    /// [`Tally::compute`]) by Hayes and Krippendorff's algorithm, from the coincidences
    /// alone: the cost follows the resamples and the number of distinct values, not the
    /// number of units.
    ///
    /// There is no interval, and the reason says why, where alpha is undefined (nothing
    /// pairable, or every pairable value the same) and where the coders never disagree
    /// (alpha = 1): resampling pairs that all agree can only give 1 again, which would
    /// pass for certainty, so no interval is given then, as Stata's `kalpha` gives none.
    pub fn bootstrap_alpha(
        &self,
        level: Level,
        points: Option<&[f64]>,
        spec: &Bootstrap,
    ) -> Interval {
        let parts = match self.alpha_parts(level, points) {
            Ok(p) => p,
            Err(reason) => return Interval::undefined(spec, reason),
        };
        if parts.observed == 0.0 {
            return Interval::undefined(
                spec,
                "the coders never disagree (alpha = 1): resampling their agreeing pairs gives 1 every time, so there is no interval",
            );
        }
        super::bootstrap::resample(
            &self.coincidence,
            &parts.delta,
            self.dim,
            parts.n,
            parts.expected,
            self.coders,
            spec,
        )
    }

    /// The pieces of alpha: the pairable values, each pair of values' difference
    /// (`dim × dim`), and the observed and expected disagreement.
    pub(super) fn alpha_parts(
        &self,
        level: Level,
        points: Option<&[f64]>,
    ) -> Result<AlphaParts, String> {
        let d = self.dim;
        let marginals: Vec<f64> = (0..d)
            .map(|c| (0..d).map(|k| self.coincidence[c * d + k]).sum())
            .collect();
        let n: f64 = marginals.iter().sum();
        if n == 0.0 {
            return Err("no unit has two or more values: nothing is pairable".into());
        }
        let point = |i: usize| points.map_or(0.0, |p| p[i]);
        // Ordinal: cumulative marginals in rank order give Krippendorff's rank distance.
        let mut order: Vec<usize> = (0..d).collect();
        order.sort_by(|a, b| point(*a).total_cmp(&point(*b)));
        let mut rank_pos = vec![0usize; d];
        for (pos, &id) in order.iter().enumerate() {
            rank_pos[id] = pos;
        }
        let mut cumulative = vec![0.0; d + 1];
        for (pos, &id) in order.iter().enumerate() {
            cumulative[pos + 1] = cumulative[pos] + marginals[id];
        }
        let delta = |c: usize, k: usize| -> f64 {
            if c == k {
                return 0.0;
            }
            match level {
                Level::Nominal => 1.0,
                Level::Interval => (point(c) - point(k)).powi(2),
                Level::Ratio => {
                    let (a, b) = (point(c), point(k));
                    if a + b == 0.0 {
                        0.0
                    } else {
                        ((a - b) / (a + b)).powi(2)
                    }
                }
                Level::Ordinal => {
                    let (lo, hi) = if rank_pos[c] <= rank_pos[k] {
                        (c, k)
                    } else {
                        (k, c)
                    };
                    let between = cumulative[rank_pos[hi] + 1] - cumulative[rank_pos[lo]];
                    (between - (marginals[c] + marginals[k]) / 2.0).powi(2)
                }
            }
        };
        let mut deltas = vec![0.0; d * d];
        let mut observed = 0.0;
        let mut expected = 0.0;
        for c in 0..d {
            for k in 0..d {
                let dk = delta(c, k);
                deltas[c * d + k] = dk;
                if dk != 0.0 {
                    observed += self.coincidence[c * d + k] * dk;
                    expected += marginals[c] * marginals[k] * dk;
                }
            }
        }
        let observed = observed / n;
        let expected = expected / (n * (n - 1.0));
        if expected == 0.0 {
            return Err(
                "no variation: every pairable value is the same, so alpha is undefined".into(),
            );
        }
        Ok(AlphaParts {
            n,
            delta: deltas,
            observed,
            expected,
        })
    }
}

/// What alpha is computed from.
pub(super) struct AlphaParts {
    /// Pairable values (`n..`).
    pub(super) n: f64,
    /// `δ²(c, k)`, row-major.
    pub(super) delta: Vec<f64>,
    /// `D_o`.
    pub(super) observed: f64,
    /// `D_e`, above zero.
    pub(super) expected: f64,
}
