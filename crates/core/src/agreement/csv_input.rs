//! Reliability data in the CSV layout of `fixtures/agreement/`: `unit,<coder1>,...` with one
//! row per unit and an empty cell for a missing value.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;

use super::{AgreementError, Bootstrap, Interval, Level, Metric, Outcome, Tally};

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
        let mut header: Option<(Vec<String>, usize)> = None;
        let mut reading: Option<Reading> = None;
        for_each_record(reader, false, &mut progress, |line, fields| {
            let Some((_, width)) = &header else {
                if fields.len() < 2 {
                    return Err(input(
                        1,
                        "the header needs a unit column and at least one coder column",
                    ));
                }
                let coders = fields
                    .iter()
                    .skip(1)
                    .map(|h| {
                        String::from_utf8(h.to_vec()).map_err(|_| input(1, "header is not UTF-8"))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                reading = Some(Reading::new(coders.len()));
                header = Some((coders, fields.len()));
                return Ok(());
            };
            if fields.len() != *width {
                return Err(input(
                    line,
                    format!("{} fields where the header has {width}", fields.len()),
                ));
            }
            reading
                .as_mut()
                .expect("made with the header")
                .row(line, fields)
        })?;
        let Some((coders, _)) = header else {
            return Err(input(
                1,
                "the header needs a unit column and at least one coder column",
            ));
        };
        let reading = reading.expect("made with the header");
        Ok(reading.finish(coders))
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
        let points = self.points(level, order)?;
        self.tally.compute(metric, level, points.as_deref())
    }

    /// Bootstraps Krippendorff's alpha at `level` ([`Tally::bootstrap_alpha`]), with the
    /// values read as [`ReliabilityData::compute`] reads them.
    pub fn bootstrap_alpha(
        &self,
        level: Level,
        order: Option<&[String]>,
        spec: &Bootstrap,
    ) -> Result<Interval, AgreementError> {
        let points = self.points(level, order)?;
        Ok(self.tally.bootstrap_alpha(level, points.as_deref(), spec))
    }

    /// Each label's number (interval, ratio) or rank (ordinal); nominal needs none.
    fn points(
        &self,
        level: Level,
        order: Option<&[String]>,
    ) -> Result<Option<Vec<f64>>, AgreementError> {
        Ok(match level {
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
        })
    }
}

/// Reliability data being read, row by row.
struct Reading {
    tally: Tally,
    /// The labels' bytes, by id.
    ids: Vec<Vec<u8>>,
    /// Past [`Reading::LINEAR`] labels, a map from bytes to id.
    index: HashMap<Vec<u8>, u32>,
    labels: Vec<String>,
    /// A label of one byte (the usual `1`…`5`) is found by that byte.
    one_byte: [u32; 256],
    seen_units: UnitCheck,
    alike: Alike,
    values: Vec<Option<u32>>,
}

impl Reading {
    /// Few distinct labels in practice: a linear scan of their bytes beats hashing. Past
    /// `LINEAR` labels (free-text values, say) a map takes over.
    const LINEAR: usize = 32;

    fn new(coders: usize) -> Self {
        Self {
            tally: Tally::new(coders),
            ids: Vec::new(),
            index: HashMap::new(),
            labels: Vec::new(),
            one_byte: [u32::MAX; 256],
            seen_units: UnitCheck::default(),
            alike: Alike::new(coders),
            values: vec![None; coders],
        }
    }

    /// One row: a unit and its coders' values, as many fields as the header has.
    fn row(&mut self, line: u64, fields: &[&[u8]]) -> Result<(), AgreementError> {
        if !self.seen_units.first_time(fields[0]) {
            return Err(input(
                line,
                format!(
                    "unit `{}` appears twice",
                    crate::shorten(&String::from_utf8_lossy(fields[0]))
                ),
            ));
        }
        for (slot, &cell) in self.values.iter_mut().zip(&fields[1..]) {
            *slot = if cell.is_empty() {
                None
            } else if let Some(id) = if cell.len() == 1 {
                Some(self.one_byte[usize::from(cell[0])]).filter(|&id| id != u32::MAX)
            } else if self.ids.len() <= Self::LINEAR {
                self.ids
                    .iter()
                    .position(|l| l.as_slice() == cell)
                    .map(|i| i as u32)
            } else {
                self.index.get(cell).copied()
            } {
                Some(id)
            } else {
                let label = String::from_utf8(cell.to_vec())
                    .map_err(|_| input(line, "a value is not UTF-8"))?;
                let id = u32::try_from(self.labels.len()).expect("fewer than 2^32 labels");
                self.ids.push(cell.to_vec());
                if cell.len() == 1 {
                    self.one_byte[usize::from(cell[0])] = id;
                }
                if self.ids.len() > Self::LINEAR {
                    if self.index.is_empty() {
                        self.index.extend(self.ids.iter().cloned().zip(0..));
                    } else {
                        self.index.insert(cell.to_vec(), id);
                    }
                }
                self.labels.push(label);
                Some(id)
            };
        }
        if !self.alike.add(&self.values) {
            self.tally.add_unit(&self.values);
        }
        Ok(())
    }

    fn finish(mut self, coders: Vec<String>) -> ReliabilityData {
        self.alike.drain_into(&mut self.tally);
        ReliabilityData {
            coders,
            labels: self.labels,
            tally: self.tally,
        }
    }
}

/// Hands `each` every record of CSV `reader` (the header first) with the line it starts on,
/// as `csv` reads them, and `progress` the bytes read now and then. While the data hold no
/// quote and no carriage return (numbers and plain labels, as reliability data mostly are),
/// lines are split at commas by hand, three times as fast; from the first block that holds
/// one, the csv crate reads the rest (quoted fields may hold commas and line breaks).
/// `csv_only` takes the csv crate from the start.
fn for_each_record<R: Read>(
    mut reader: R,
    csv_only: bool,
    progress: &mut impl FnMut(u64),
    mut each: impl FnMut(u64, &[&[u8]]) -> Result<(), AgreementError>,
) -> Result<(), AgreementError> {
    const BLOCK: usize = 1 << 20;
    let mut buf: Vec<u8> = Vec::with_capacity(2 * BLOCK);
    // Lines handed out so far (the csv crate counts blank lines too) and bytes done.
    let mut line: u64 = 0;
    let mut done: u64 = 0;
    let read_error = |e: std::io::Error, line: u64| input(line + 1, e.to_string());
    if !csv_only {
        loop {
            let old = buf.len();
            buf.resize(old + BLOCK, 0);
            let n = loop {
                match reader.read(&mut buf[old..]) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    other => break other.map_err(|e| read_error(e, line))?,
                }
            };
            buf.truncate(old + n);
            let eof = n == 0;
            // Whole lines only, until the end.
            // The part read before holds no line break (else it was handed out), so only
            // the new part is searched: a line of many blocks costs one pass, not one each.
            let end = if eof {
                buf.len()
            } else {
                match memchr::memrchr(b'\n', &buf[old..]) {
                    Some(i) => old + i + 1,
                    None => continue,
                }
            };
            // As the csv crate does, a byte-order mark opening the data is not data.
            let start = if done == 0 && buf.starts_with(b"\xef\xbb\xbf") {
                3
            } else {
                0
            };
            if memchr::memchr2(b'"', b'\r', &buf[..end]).is_some() {
                break;
            }
            let mut fields: Vec<&[u8]> = Vec::new();
            for text in buf[start..end].split(|&b| b == b'\n') {
                line += 1;
                // `split` gives an empty piece after the last line break; csv skips blank
                // lines too.
                if text.is_empty() {
                    continue;
                }
                fields.clear();
                fields.extend(text.split(|&b| b == b','));
                each(line, &fields)?;
            }
            // The piece after the last line break was counted as a line: it was none.
            line -= 1;
            done += end as u64;
            progress(done);
            buf.drain(..end);
            if eof {
                return Ok(());
            }
        }
    }
    // The rest by the csv crate, from the start of the block that needs it.
    let rest = std::io::Cursor::new(buf).chain(reader);
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        // Rows of the wrong length are ours to report, with the header's count.
        .flexible(true)
        .buffer_capacity(BLOCK)
        .from_reader(rest);
    let mut record = csv::ByteRecord::new();
    let mut rows: u64 = 0;
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(e) => {
                let at = e.position().map_or(0, |p| p.line());
                return Err(input(line + at, e.to_string()));
            }
        }
        rows += 1;
        let at = record.position().map_or(rows, |p| p.line());
        let fields: Vec<&[u8]> = record.iter().collect();
        each(line + at, &fields)?;
        if rows.is_multiple_of(65_536) {
            progress(done + record.position().map_or(0, |p| p.byte()));
        }
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
            // Up to 19 digits, which a u64 always holds.
            let n = (!id.is_empty() && id.len() <= 19 && id.iter().all(u8::is_ascii_digit))
                .then(|| id.iter().fold(0u64, |n, &b| n * 10 + u64::from(b - b'0')));
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

    /// Records with their lines, or the error that stopped them.
    type Records = Result<Vec<(u64, Vec<Vec<u8>>)>, String>;

    /// Every record with its line, read by the hand-split path (falling back as it does)
    /// or by the csv crate alone.
    fn records(text: &[u8], csv_only: bool) -> Records {
        let mut out = Vec::new();
        for_each_record(text, csv_only, &mut |_| {}, |line, fields| {
            out.push((line, fields.iter().map(|f| f.to_vec()).collect()));
            Ok(())
        })
        .map_err(|e| e.to_string())?;
        Ok(out)
    }

    #[test]
    fn records_split_by_hand_are_the_csv_crates() {
        let plain = "unit,A,B\n1,x,y\n2,,y\n\n3,x,\n4, a ,b c\n5,x\n6,x,y,z\n";
        let no_blank = plain.replace("\n\n", "\n");
        let cases: Vec<String> = vec![
            plain.into(),
            no_blank.clone(),
            plain.trim_end().into(),
            format!("\n\n{plain}\n\n"),
            "unit,A,B".into(),
            String::new(),
            "\n".into(),
            // Quotes and carriage returns go to the csv crate, with the lines counted on.
            format!("{no_blank}7,\"x,1\",\"two\nlines\"\n8,x,y\n"),
            no_blank.replace('\n', "\r\n"),
            format!("{no_blank}9,x\ry\n"),
            // A byte-order mark opening the data is not data, on either path.
            format!("\u{feff}{no_blank}"),
            format!("\u{feff}\n{no_blank}"),
        ];
        let fields = |r: Records| r.unwrap().into_iter().map(|(_, f)| f).collect::<Vec<_>>();
        for case in &cases {
            let (ours, theirs) = (
                records(case.as_bytes(), false),
                records(case.as_bytes(), true),
            );
            if case.contains("\n\n") || case.starts_with("\u{feff}\n") {
                // After a blank line the csv crate names the blank line as the record's;
                // the hand-split path names the record's own line.
                assert_eq!(fields(ours), fields(theirs), "{case:?}");
            } else {
                assert_eq!(ours, theirs, "{case:?}");
            }
        }
        let lines: Vec<u64> = records(plain.as_bytes(), false)
            .unwrap()
            .iter()
            .map(|r| r.0)
            .collect();
        assert_eq!(lines, [1, 2, 3, 5, 6, 7, 8]);
        // A block boundary inside a line: lines longer than a block, and many of them.
        let mut long = String::from("unit,A,B\n");
        for i in 0..40_000 {
            long.push_str(&format!("{i},{},{}\n", "v".repeat(i % 97), i % 5));
        }
        long.push_str(&format!("x,{},y\n", "w".repeat(3 << 20)));
        long.push_str("y,\"quoted\",z\n");
        assert_eq!(
            records(long.as_bytes(), false),
            records(long.as_bytes(), true)
        );
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
