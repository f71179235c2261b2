//! The one way samskap reads a date: `YYYY-MM-DD`, exactly ten characters, a four-digit year.
//!
//! chrono's own parser is lenient (`2024-3-1`, `+2024-03-01`, ` 2024-03-01` and `24-03-02`,
//! read as year 24, all pass). Bundles, the CLI and the API read dates through [`parse`] so
//! that a date means the same thing wherever it is typed, and so that dates, stored as text,
//! sort as dates.

use chrono::NaiveDate;

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not of the shape `YYYY-MM-DD` (digits, four-two-two, nothing around them).
    #[error("not a date: write it as YYYY-MM-DD, with a four-digit year (such as 2024-03-01)")]
    Shape,
    /// The right shape, but no such day (`2023-02-30`) or year 0000.
    #[error("no such day: {0}")]
    NoSuchDay(String),
}

/// Reads a date written `YYYY-MM-DD`, and nothing else: no sign, no spaces, no short fields.
pub fn parse(text: &str) -> Result<NaiveDate, DateError> {
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err(DateError::Shape);
    }
    let num = |r: std::ops::Range<usize>| text[r].parse::<u32>().expect("checked digits");
    let year = i32::try_from(num(0..4)).expect("four digits fit");
    NaiveDate::from_ymd_opt(year, num(5..7), num(8..10))
        .filter(|_| year >= 1)
        .ok_or_else(|| DateError::NoSuchDay(text.to_owned()))
}

/// Whether a date can be written as `YYYY-MM-DD` (year 1–9999), so that [`parse`] reads it
/// back and text comparison orders it.
pub fn is_writable(d: NaiveDate) -> bool {
    use chrono::Datelike;
    (1..=9999).contains(&d.year())
}

struct Visitor;

impl serde::de::Visitor<'_> for Visitor {
    type Value = NaiveDate;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a date as a quoted string \"YYYY-MM-DD\"")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<NaiveDate, E> {
        parse(v).map_err(E::custom)
    }
}

/// `#[serde(with = "samskap_core::date::iso")]`: a `NaiveDate` read by [`parse`].
pub mod iso {
    use chrono::NaiveDate;
    use serde::{Deserializer, Serialize, Serializer};

    /// Reads a date by [`super::parse`].
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        d.deserialize_str(super::Visitor)
    }

    /// Writes a date as chrono does (`YYYY-MM-DD` for the years [`super::parse`] reads).
    pub fn serialize<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        date.serialize(s)
    }
}

/// `#[serde(default, with = "samskap_core::date::iso_opt")]`: an optional [`iso`] date.
pub mod iso_opt {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Deserialize)]
    struct Iso(#[serde(with = "super::iso")] NaiveDate);

    /// Reads an optional date by [`super::parse`].
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        Ok(Option::<Iso>::deserialize(d)?.map(|Iso(date)| date))
    }

    /// Writes an optional date.
    pub fn serialize<S: Serializer>(date: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        date.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_iso_shape_is_a_date() {
        assert_eq!(
            parse("2024-03-01"),
            Ok(NaiveDate::from_ymd_opt(2024, 3, 1).unwrap())
        );
        for bad in [
            "24-03-02",
            "2024-3-1",
            "+2024-03-01",
            " 2024-03-01",
            "2024-03-01 ",
            "2024/03/01",
            "12024-03-01",
            "2024-03-1x",
            "２０２４-03-01",
            "",
        ] {
            assert_eq!(parse(bad), Err(DateError::Shape), "{bad:?}");
        }
        for no_day in ["2023-02-29", "2024-13-01", "0000-01-01", "2024-00-10"] {
            assert!(
                matches!(parse(no_day), Err(DateError::NoSuchDay(_))),
                "{no_day}"
            );
        }
        assert!(parse("2024-02-29").is_ok());
        assert!(parse("9999-12-31").is_ok());
    }

    #[test]
    fn serde_reads_through_parse() {
        #[derive(serde::Deserialize)]
        struct Row {
            #[serde(with = "iso")]
            d: NaiveDate,
            #[serde(default, with = "iso_opt")]
            o: Option<NaiveDate>,
        }
        let row: Row = serde_json::from_str(r#"{"d": "2024-03-01", "o": null}"#).unwrap();
        assert_eq!(row.d, NaiveDate::from_ymd_opt(2024, 3, 1).unwrap());
        assert_eq!(row.o, None);
        let err = serde_json::from_str::<Row>(r#"{"d": "2024-3-1"}"#)
            .err()
            .unwrap();
        assert!(err.to_string().contains("YYYY-MM-DD"), "{err}");
        assert!(serde_json::from_str::<Row>(r#"{"d": "2024-03-01", "o": "+2024-03-01"}"#).is_err());
    }
}
