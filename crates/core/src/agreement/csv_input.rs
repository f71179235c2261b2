//! Reliability data in the CSV layout of `fixtures/agreement/`: `unit,<coder1>,...` with one
//! row per unit and an empty cell for a missing value.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;

use super::{AgreementError, Level, Metric, Outcome, Tally};

/// Reliability data, reduced to a [`Tally`] while it is read, with the labels it used.
#[derive(Debug, Clone)]
pub struct ReliabilityData {
    coders: Vec<String>,
    labels: Vec<String>,
    tally: Tally,
}

fn input(line: u64, message: impl Into<String>) -> AgreementError {
    AgreementError::Input {
        line,
        message: message.into(),
    }
}

impl ReliabilityData {
    /// Reads CSV reliability data. `progress` is called now and then with the number of
    /// bytes read so far, for a progress bar.
    pub fn read_csv<R: Read>(
        reader: R,
        mut progress: impl FnMut(u64),
    ) -> Result<Self, AgreementError> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            // Rows of the wrong length are ours to report, with the header's count.
            .flexible(true)
            .buffer_capacity(1 << 20)
            .from_reader(reader);
        let header = csv
            .byte_headers()
            .map_err(|e| input(1, e.to_string()))?
            .clone();
        if header.len() < 2 {
            return Err(input(
                1,
                "the header needs a unit column and at least one coder column",
            ));
        }
        let coders = header
            .iter()
            .skip(1)
            .map(|h| String::from_utf8(h.to_vec()).map_err(|_| input(1, "header is not UTF-8")))
            .collect::<Result<Vec<_>, _>>()?;
        let mut tally = Tally::new(coders.len());
        // Few distinct labels in practice: a linear scan of their bytes beats hashing. Past
        // `LINEAR` labels (free-text values, say) a map takes over.
        const LINEAR: usize = 32;
        let mut ids: Vec<Vec<u8>> = Vec::new();
        let mut index: HashMap<Vec<u8>, u32> = HashMap::new();
        let mut labels = Vec::new();
        // A label of one byte (the usual `1`…`5`) is found by that byte.
        let mut one_byte = [u32::MAX; 256];
        let mut seen_units = UnitCheck::default();
        let mut alike = Alike::new(coders.len());
        let mut values: Vec<Option<u32>> = vec![None; coders.len()];
        let mut record = csv::ByteRecord::new();
        let mut rows: u64 = 0;
        loop {
            match csv.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    return Err(input(line, e.to_string()));
                }
            }
            rows += 1;
            let line = record.position().map_or(rows + 1, |p| p.line());
            if record.len() != header.len() {
                return Err(input(
                    line,
                    format!(
                        "{} fields where the header has {}",
                        record.len(),
                        header.len()
                    ),
                ));
            }
            if !seen_units.first_time(&record[0]) {
                return Err(input(
                    line,
                    format!(
                        "unit `{}` appears twice",
                        crate::shorten(&String::from_utf8_lossy(&record[0]))
                    ),
                ));
            }
            for (slot, cell) in values.iter_mut().zip(record.iter().skip(1)) {
                *slot = if cell.is_empty() {
                    None
                } else if let Some(id) = if cell.len() == 1 {
                    Some(one_byte[usize::from(cell[0])]).filter(|&id| id != u32::MAX)
                } else if ids.len() <= LINEAR {
                    ids.iter()
                        .position(|l| l.as_slice() == cell)
                        .map(|i| i as u32)
                } else {
                    index.get(cell).copied()
                } {
                    Some(id)
                } else {
                    let label = String::from_utf8(cell.to_vec())
                        .map_err(|_| input(line, "a value is not UTF-8"))?;
                    let id = u32::try_from(labels.len()).expect("fewer than 2^32 labels");
                    ids.push(cell.to_vec());
                    if cell.len() == 1 {
                        one_byte[usize::from(cell[0])] = id;
                    }
                    if ids.len() > LINEAR {
                        if index.is_empty() {
                            index.extend(ids.iter().cloned().zip(0..));
                        } else {
                            index.insert(cell.to_vec(), id);
                        }
                    }
                    labels.push(label);
                    Some(id)
                };
            }
            if !alike.add(&values) {
                tally.add_unit(&values);
            }
            if rows.is_multiple_of(65_536) {
                progress(record.position().map_or(0, |p| p.byte()));
            }
        }
        alike.drain_into(&mut tally);
        Ok(Self {
            coders,
            labels,
            tally,
        })
    }

    /// The coders, in column order.
    pub fn coders(&self) -> &[String] {
        &self.coders
    }

    /// The distinct values, in order of first appearance.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Computes a measure. Interval and ratio values must be numbers; ordinal values are
    /// ranked by `order` (lowest first) or, without it, by their numeric value.
    pub fn compute(
        &self,
        metric: Metric,
        level: Level,
        order: Option<&[String]>,
    ) -> Result<Outcome, AgreementError> {
        if metric != Metric::KrippendorffAlpha && level != Level::Nominal {
            return Err(AgreementError::LevelNotApplicable { metric, level });
        }
        let points = match level {
            Level::Nominal => None,
            Level::Ordinal if order.is_some() => {
                let order = order.unwrap_or_default();
                for (i, o) in order.iter().enumerate() {
                    if order[..i].contains(o) {
                        return Err(AgreementError::DuplicateInOrder(o.clone()));
                    }
                }
                Some(
                    self.labels
                        .iter()
                        .map(|l| {
                            order
                                .iter()
                                .position(|o| o == l)
                                .map(|p| p as f64)
                                .ok_or_else(|| AgreementError::NotInOrder(l.clone()))
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                )
            }
            _ => Some(
                self.labels
                    .iter()
                    .map(|l| {
                        l.trim()
                            .parse::<f64>()
                            .ok()
                            .filter(|v| v.is_finite())
                            .ok_or_else(|| AgreementError::NotANumber {
                                value: l.clone(),
                                level,
                                hint: if level == Level::Ordinal {
                                    " (or give --order, lowest first)"
                                } else {
                                    ""
                                },
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        self.tally.compute(metric, level, points.as_deref())
    }
}

/// The Fx hash (as in rustc): fast, and plenty for telling unit ids apart.
/// Units counted together by how many coders gave each value. With other than two coders a
/// unit adds to a [`Tally`] by those counts alone, not by who gave what, and a million units
/// of a few values have a few thousand distinct counts: each is added once, weighted.
struct Alike {
    coders: usize,
    /// Per distinct counts (four bits per value id, for ids below 16 and fewer than 16
    /// coders), the number of units.
    counts: foldhash::HashMap<u64, u64>,
}

impl Alike {
    fn new(coders: usize) -> Self {
        Self {
            coders,
            counts: foldhash::HashMap::default(),
        }
    }

    /// Counts the unit, or says it cannot (two coders, or values or coders past the
    /// encoding): the caller adds it to the tally itself.
    fn add(&mut self, values: &[Option<u32>]) -> bool {
        if self.coders == 2 || self.coders >= 16 {
            return false;
        }
        let mut key = 0u64;
        for v in values.iter().flatten() {
            if *v >= 16 {
                return false;
            }
            key += 1 << (4 * v);
        }
        *self.counts.entry(key).or_default() += 1;
        true
    }

    /// Adds every distinct counts to `tally`, in the order of their keys so that the sums
    /// do not depend on the order of the rows.
    fn drain_into(&mut self, tally: &mut Tally) {
        let mut all: Vec<(u64, u64)> = self.counts.drain().collect();
        all.sort_unstable();
        let mut values = Vec::with_capacity(self.coders);
        for (key, weight) in all {
            values.clear();
            for id in 0..16u32 {
                let n = (key >> (4 * id)) & 15;
                values.extend(std::iter::repeat_n(Some(id), n as usize));
            }
            values.resize(self.coders, None);
            tally.add_units(&values, weight);
        }
    }
}

/// The check for repeated unit ids. While the ids are integers in increasing order (as most
/// reliability data are numbered) each is new by that alone, and only its hash is kept;
/// after the first id out of order, every hash goes into a set. A repeat is found either
/// way; the set is built only for data that need it.
#[derive(Default)]
struct UnitCheck {
    /// The last id, while every id so far was an integer greater than the one before.
    ascending: Option<u64>,
    /// Whether the order has broken (or never held).
    unordered: bool,
    /// Hashes of the ids seen while in order.
    hashes: Vec<u64>,
    set: HashSet<u64, BuildHasherDefault<Identity>>,
}

impl UnitCheck {
    /// Whether `id` is seen for the first time.
    fn first_time(&mut self, id: &[u8]) -> bool {
        let hash = fx_hash(id);
        if !self.unordered {
            let n = std::str::from_utf8(id)
                .ok()
                .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|s| s.parse::<u64>().ok());
            match n {
                Some(n) if self.ascending.is_none_or(|last| n > last) => {
                    self.ascending = Some(n);
                    self.hashes.push(hash);
                    return true;
                }
                _ => {
                    self.unordered = true;
                    self.set.extend(self.hashes.drain(..));
                }
            }
        }
        self.set.insert(hash)
    }
}

fn fx_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let mut h: u64 = 0;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    for &b in chunks.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    (h.rotate_left(5) ^ bytes.len() as u64).wrapping_mul(K)
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(csv: &str) -> ReliabilityData {
        ReliabilityData::read_csv(csv.as_bytes(), |_| {}).unwrap()
    }

    #[test]
    fn undefined_measures_say_why() {
        let d = data("unit,A,B\n1,x,x\n2,x,x\n3,x,\n");
        let alpha = d
            .compute(Metric::KrippendorffAlpha, Level::Nominal, None)
            .unwrap();
        assert_eq!(alpha.value, None);
        assert!(alpha.reason.unwrap().contains("no variation"));
        let kappa = d.compute(Metric::CohenKappa, Level::Nominal, None).unwrap();
        assert_eq!(kappa.value, None);
        let pa = d
            .compute(Metric::PercentAgreement, Level::Nominal, None)
            .unwrap();
        assert_eq!(pa.value, Some(1.0));
        assert_eq!(pa.pairable_units, 2);
        let single = data("unit,A,B\n1,x,\n2,,y\n");
        let alpha = single
            .compute(Metric::KrippendorffAlpha, Level::Nominal, None)
            .unwrap();
        assert!(alpha.reason.unwrap().contains("pairable"));
    }

    #[test]
    fn a_repeated_unit_is_found_in_order_or_out_of_it() {
        let repeats = |ids: &[&str]| {
            let mut check = UnitCheck::default();
            ids.iter().position(|id| !check.first_time(id.as_bytes()))
        };
        assert_eq!(repeats(&["1", "2", "3", "10"]), None);
        // The order breaks at the repeat itself, or before it.
        assert_eq!(repeats(&["1", "2", "3", "2"]), Some(3));
        assert_eq!(repeats(&["1", "2", "3", "3"]), Some(3));
        assert_eq!(repeats(&["3", "1", "2", "3"]), Some(3));
        assert_eq!(repeats(&["u1", "u2", "u1"]), Some(2));
        // Strings, not numbers: `01` is another unit than `1`.
        assert_eq!(repeats(&["1", "01", "2"]), None);
        assert_eq!(repeats(&["01", "02", "2", "02"]), Some(3));
    }

    #[test]
    fn bad_input_names_the_line() {
        let e =
            ReliabilityData::read_csv("unit,A,B\n1,x,x\n1,x,y\n".as_bytes(), |_| {}).unwrap_err();
        assert_eq!(e.to_string(), "line 3: unit `1` appears twice");
        let e = ReliabilityData::read_csv("unit,A,B\n1,x\n".as_bytes(), |_| {}).unwrap_err();
        assert_eq!(e.to_string(), "line 2: 2 fields where the header has 3");
    }

    #[test]
    fn levels_need_numbers_or_an_order() {
        let d = data("unit,A,B\n1,low,high\n2,low,low\n3,mid,high\n");
        let e = d
            .compute(Metric::KrippendorffAlpha, Level::Interval, None)
            .unwrap_err();
        assert!(matches!(e, AgreementError::NotANumber { .. }));
        let order: Vec<String> = ["low", "mid", "high"].map(String::from).to_vec();
        let ordinal = d
            .compute(Metric::KrippendorffAlpha, Level::Ordinal, Some(&order))
            .unwrap();
        assert!(ordinal.value.is_some());
        let e = d
            .compute(Metric::KrippendorffAlpha, Level::Ordinal, Some(&order[..2]))
            .unwrap_err();
        assert_eq!(e, AgreementError::NotInOrder("high".into()));
        let e = d
            .compute(Metric::CohenKappa, Level::Ordinal, None)
            .unwrap_err();
        assert!(matches!(e, AgreementError::LevelNotApplicable { .. }));
    }

    #[test]
    fn many_labels_switch_to_a_map_without_changing_results() {
        let mut csv = String::from("unit,A,B\n");
        for i in 0..200 {
            csv.push_str(&format!("{i},v{},v{}\n", i % 50, (i + i / 100) % 50));
        }
        let d = data(&csv);
        assert_eq!(d.labels().len(), 50);
        let pa = d
            .compute(Metric::PercentAgreement, Level::Nominal, None)
            .unwrap();
        assert_eq!(pa.value, Some(0.5));
    }

    #[test]
    fn kappa_needs_two_coders() {
        let d = data("unit,A,B,C\n1,x,x,y\n");
        let e = d
            .compute(Metric::ScottPi, Level::Nominal, None)
            .unwrap_err();
        assert!(matches!(
            e,
            AgreementError::NeedsTwoCoders { coders: 3, .. }
        ));
    }

    #[test]
    fn fleiss_needs_equal_numbers_of_values() {
        let d = data("unit,A,B,C\n1,x,x,y\n2,x,,y\n");
        let f = d
            .compute(Metric::FleissKappa, Level::Nominal, None)
            .unwrap();
        assert_eq!(f.value, None);
        assert!(f.reason.unwrap().contains("different numbers"));
    }
}
