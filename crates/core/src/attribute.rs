//! Custom attributes: typed values that a study declares for its informants, members,
//! groups and sources (a service, years in post, a date of joining, the municipality a
//! document comes from), beyond the fields the model has.
//!
//! A study declares each attribute once ([`Attribute`]: its type and what may hold it), and
//! every value is checked against the declaration as it is added, so a value in a study is
//! always of its attribute's type.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::AttributeId;
use crate::ModelError;

/// What may hold an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttributeHolder {
    /// An informant (their values go when they withdraw).
    Informant,
    /// A member of a resource group.
    Member,
    /// A resource group.
    Group,
    /// A source: an interview, a focus group, minutes, notes, a document.
    Source,
}

impl AttributeHolder {
    /// Every holder, in the order files list them.
    pub const ALL: [AttributeHolder; 4] =
        [Self::Informant, Self::Member, Self::Group, Self::Source];

    /// Its name in files and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Informant => "informant",
            Self::Member => "member",
            Self::Group => "group",
            Self::Source => "source",
        }
    }
}

impl std::str::FromStr for AttributeHolder {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|h| h.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "`{}` cannot hold an attribute: use `informant`, `member`, `group` or `source`",
                    crate::shorten(s)
                )
            })
    }
}

/// The type of an attribute's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeType {
    /// Any text.
    Text,
    /// A finite number.
    Number,
    /// A day (`2023-05-15`).
    Date,
    /// `true` or `false`.
    Boolean,
    /// One of a fixed list of texts.
    OneOf(Vec<String>),
}

impl AttributeType {
    /// Its name in files and the store: `text`, `number`, `date`, `boolean` or `one-of`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Date => "date",
            Self::Boolean => "boolean",
            Self::OneOf(_) => "one-of",
        }
    }

    /// The type named `name`; `choices` are a one-of's texts and must be empty for any other.
    pub fn new(name: &str, choices: Vec<String>) -> Result<Self, String> {
        let plain = |t: Self| {
            if choices.is_empty() {
                Ok(t)
            } else {
                Err(format!("an attribute of type `{name}` takes no `values`"))
            }
        };
        match name {
            "text" => plain(Self::Text),
            "number" => plain(Self::Number),
            "date" => plain(Self::Date),
            "boolean" => plain(Self::Boolean),
            "one-of" => {
                if choices.is_empty() {
                    return Err("an attribute of type `one-of` needs its `values`".into());
                }
                for (i, c) in choices.iter().enumerate() {
                    if c.trim().is_empty() {
                        return Err("a `one-of` value is empty".into());
                    }
                    if choices[..i].contains(c) {
                        return Err(format!(
                            "the `one-of` value `{}` is listed twice",
                            crate::shorten(c)
                        ));
                    }
                }
                Ok(Self::OneOf(choices))
            }
            other => Err(format!(
                "attribute type `{}` is not one of `text`, `number`, `date`, `boolean`, `one-of`",
                crate::shorten(other)
            )),
        }
    }

    /// A one-of's texts; empty for any other type.
    pub fn choices(&self) -> &[String] {
        match self {
            Self::OneOf(c) => c,
            _ => &[],
        }
    }

    /// `value` as a value of this type: a date written as text becomes a date; anything
    /// else must already be of the type. The message says what was wrong.
    pub fn check(&self, value: AttributeValue) -> Result<AttributeValue, String> {
        match (self, value) {
            (Self::Text, AttributeValue::Text(t)) => Ok(AttributeValue::Text(t)),
            (Self::Number, AttributeValue::Number(n)) => Ok(AttributeValue::Number(n)),
            (Self::Boolean, AttributeValue::Boolean(b)) => Ok(AttributeValue::Boolean(b)),
            (Self::Date, AttributeValue::Date(d)) => Ok(AttributeValue::Date(d)),
            (Self::Date, AttributeValue::Text(t)) => self.parse(&t),
            (Self::OneOf(choices), AttributeValue::Text(t)) => {
                if choices.contains(&t) {
                    Ok(AttributeValue::Text(t))
                } else {
                    Err(not_a_choice(&t, choices))
                }
            }
            (_, other) => Err(format!(
                "`{}` is not a {} value",
                crate::shorten(&other.to_string()),
                self.name()
            )),
        }
    }

    /// The value that `text` writes in this type, as the store keeps it and as a person
    /// types it (`--where years=12`).
    pub fn parse(&self, text: &str) -> Result<AttributeValue, String> {
        let wrong = || format!("`{}` is not a {} value", crate::shorten(text), self.name());
        match self {
            Self::Text => Ok(AttributeValue::Text(text.to_owned())),
            Self::Number => text
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(Number::new)
                .map(AttributeValue::Number)
                .ok_or_else(wrong),
            // Only the form it is written back in, so that a bundle round-trips byte for byte.
            Self::Date => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .filter(|d| d.format("%Y-%m-%d").to_string() == text)
                .map(AttributeValue::Date)
                .ok_or_else(|| format!("{}: write a day as YYYY-MM-DD", wrong())),
            Self::Boolean => match text.trim() {
                "true" => Ok(AttributeValue::Boolean(true)),
                "false" => Ok(AttributeValue::Boolean(false)),
                _ => Err(format!("{}: write `true` or `false`", wrong())),
            },
            Self::OneOf(choices) => {
                if choices.iter().any(|c| c == text) {
                    Ok(AttributeValue::Text(text.to_owned()))
                } else {
                    Err(not_a_choice(text, choices))
                }
            }
        }
    }
}

fn not_a_choice(text: &str, choices: &[String]) -> String {
    format!(
        "`{}` is not one of {}",
        crate::shorten(text),
        choices
            .iter()
            .map(|c| format!("`{}`", crate::shorten(c)))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// An attribute a study declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Stable id: the key of its values (`service`).
    pub id: AttributeId,
    /// What a table heads its column with; the id when none.
    pub label: Option<String>,
    /// The type of its values.
    pub kind: AttributeType,
    /// What may hold it: at least one, each once.
    pub holders: Vec<AttributeHolder>,
}

/// As a bundle declares it: `id`, `label`, `type`, `values` (a one-of's), `for`.
impl Serialize for Attribute {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Attribute", 5)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("label", &self.label)?;
        st.serialize_field("type", self.kind.name())?;
        st.serialize_field("values", self.kind.choices())?;
        st.serialize_field("for", &self.holders)?;
        st.end()
    }
}

/// The largest whole number a double holds exactly, and every one below it.
const MAX_WHOLE: u64 = 1 << 53;

/// [`MAX_WHOLE`] as a double.
const MAX_EXACT: f64 = MAX_WHOLE as f64;

/// A finite number. Equal numbers are equal values (`0` and `-0` too), so a number can be a
/// key and be compared as values are.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Number(f64);

impl Number {
    /// `n`, if it is finite.
    pub fn new(n: f64) -> Option<Self> {
        n.is_finite()
            .then_some(Self(if n == 0.0 { 0.0 } else { n }))
    }

    /// The number.
    pub fn get(self) -> f64 {
        self.0
    }

    /// The number as a whole one, when it is one that a double holds exactly (up to 2^53).
    fn whole(self) -> Option<i64> {
        (self.0.fract() == 0.0 && self.0.abs() <= MAX_EXACT).then_some(self.0 as i64)
    }
}

// Finite and without a negative zero, so bitwise equality is numeric equality.
impl Eq for Number {}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.whole() {
            Some(n) => write!(f, "{n}"),
            None => write!(f, "{}", self.0),
        }
    }
}

/// One value of an attribute. A one-of's value is its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeValue {
    /// Text (also a one-of's choice).
    Text(String),
    /// A number.
    Number(Number),
    /// A day.
    Date(NaiveDate),
    /// Yes or no.
    Boolean(bool),
}

/// As the store keeps it and a table prints it: text as it is, a whole number without a
/// fraction, a day as `YYYY-MM-DD`, `true` or `false`.
impl fmt::Display for AttributeValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(t) => f.write_str(t),
            Self::Number(n) => n.fmt(f),
            Self::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Self::Boolean(b) => write!(f, "{b}"),
        }
    }
}

/// In TOML and JSON: a string (text, and a day as `"2023-05-15"`), a number or a boolean.
impl Serialize for AttributeValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Text(t) => s.serialize_str(t),
            Self::Number(n) => match n.whole() {
                Some(i) => s.serialize_i64(i),
                None => s.serialize_f64(n.get()),
            },
            Self::Date(_) => s.serialize_str(&self.to_string()),
            Self::Boolean(b) => s.serialize_bool(*b),
        }
    }
}

impl<'de> Deserialize<'de> for AttributeValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = AttributeValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string (a date in quotes: \"2023-05-15\"), a number or a boolean")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<AttributeValue, E> {
                Ok(AttributeValue::Text(v.to_owned()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<AttributeValue, E> {
                Ok(AttributeValue::Boolean(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<AttributeValue, E> {
                if v.unsigned_abs() > MAX_WHOLE {
                    return Err(E::custom(format!(
                        "{v} is too large a whole number to keep exactly (at most 2^53)"
                    )));
                }
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<AttributeValue, E> {
                if v > MAX_WHOLE {
                    return Err(E::custom(format!(
                        "{v} is too large a whole number to keep exactly (at most 2^53)"
                    )));
                }
                self.visit_f64(v as f64)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<AttributeValue, E> {
                Number::new(v)
                    .map(AttributeValue::Number)
                    .ok_or_else(|| E::custom("a number must be finite"))
            }
        }
        d.deserialize_any(Visit)
    }
}

/// The attribute values of one informant, member, group or source, by attribute.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Attributes(BTreeMap<AttributeId, AttributeValue>);

impl Attributes {
    /// No values.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value of `id`, if set.
    pub fn get(&self, id: &AttributeId) -> Option<&AttributeValue> {
        self.0.get(id)
    }

    /// Sets `id` to `value` (not checked: a study checks the values of what is added to it).
    pub fn set(&mut self, id: AttributeId, value: AttributeValue) {
        self.0.insert(id, value);
    }

    /// The values, by attribute id.
    pub fn iter(&self) -> impl Iterator<Item = (&AttributeId, &AttributeValue)> {
        self.0.iter()
    }

    /// How many are set.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Removes the text values that `quotes`; returns how many went.
    pub(crate) fn remove_texts(&mut self, quotes: impl Fn(&str) -> bool) -> usize {
        let before = self.0.len();
        self.0
            .retain(|_, v| !matches!(v, AttributeValue::Text(t) if quotes(t)));
        before - self.0.len()
    }

    /// The values that are text, in place (for withdrawal's declaration of free texts).
    pub(crate) fn texts_mut(&mut self) -> impl Iterator<Item = &mut String> {
        self.0.values_mut().filter_map(|v| match v {
            AttributeValue::Text(t) => Some(t),
            _ => None,
        })
    }
}

impl FromIterator<(AttributeId, AttributeValue)> for Attributes {
    fn from_iter<I: IntoIterator<Item = (AttributeId, AttributeValue)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// Which of an attribute's holders a `--where` clause on it selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selects {
    /// Informants, by their own value or else their group's.
    Informants,
    /// Sources, by their own value.
    Sources,
    /// Neither: an attribute of members only.
    Nothing,
}

impl Attribute {
    /// The value a `--where` clause gives as text, read in this attribute's type.
    pub(crate) fn clause_value(&self, text: &str) -> Result<AttributeValue, ModelError> {
        self.kind
            .parse(text)
            .map_err(|reason| ModelError::InvalidAttribute {
                attribute: self.id.clone(),
                reason,
            })
    }

    /// What a `--where` clause on this attribute selects (an attribute describes sources or
    /// people, never both: declaring both is refused).
    pub fn selects(&self) -> Selects {
        if self.holders.contains(&AttributeHolder::Source) {
            Selects::Sources
        } else if self
            .holders
            .iter()
            .any(|h| matches!(h, AttributeHolder::Informant | AttributeHolder::Group))
        {
            Selects::Informants
        } else {
            Selects::Nothing
        }
    }
}

/// The attribute `id` among `declared`, or the error naming those declared.
pub(crate) fn declared<'a>(
    declared: &'a [Attribute],
    id: &AttributeId,
) -> Result<&'a Attribute, ModelError> {
    declared
        .iter()
        .find(|a| &a.id == id)
        .ok_or_else(|| ModelError::UndeclaredAttribute {
            attribute: id.clone(),
            declared: declared
                .iter()
                .map(|a| format!("`{}`", a.id))
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// The sources among `sources` whose values match every clause (attribute, value as text),
/// each an attribute in `attributes` declared for sources.
pub fn sources_where(
    attributes: &[Attribute],
    sources: &[crate::Source],
    clauses: &[(AttributeId, String)],
) -> Result<crate::SourceSet, ModelError> {
    let mut wanted = Vec::with_capacity(clauses.len());
    for (id, text) in clauses {
        let a = declared(attributes, id)?;
        if a.selects() != Selects::Sources {
            return Err(ModelError::InvalidAttribute {
                attribute: id.clone(),
                reason: "it is not declared for sources".into(),
            });
        }
        wanted.push((id, a.clause_value(text)?));
    }
    Ok(sources
        .iter()
        .filter(|s| {
            wanted
                .iter()
                .all(|(id, value)| s.attributes.get(id) == Some(value))
        })
        .map(|s| s.id.clone())
        .collect())
}

/// The declarations of a study's attributes, by id, and the checks of values against them.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub(crate) struct Declared {
    list: Vec<Attribute>,
    #[serde(skip)]
    by_id: BTreeMap<AttributeId, usize>,
}

impl Declared {
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub(crate) fn list(&self) -> &[Attribute] {
        &self.list
    }

    /// The labels and a one-of's texts, in place (for withdrawal's declaration of free texts).
    pub(crate) fn texts_mut(&mut self) -> Vec<crate::free_text::TextSlot<'_>> {
        use crate::free_text::TextSlot::{Optional, Required};
        let mut out = Vec::new();
        for a in &mut self.list {
            out.push(Optional(&mut a.label));
            if let AttributeType::OneOf(choices) = &mut a.kind {
                out.extend(choices.iter_mut().map(Required));
            }
        }
        out
    }

    pub(crate) fn get(&self, id: &AttributeId) -> Option<&Attribute> {
        self.by_id.get(id).map(|&i| &self.list[i])
    }

    pub(crate) fn add(&mut self, mut a: Attribute) -> Result<(), ModelError> {
        // One order, whatever order a file gave: the store keeps a flag per holder.
        a.holders.sort();
        let refuse = |reason: String| ModelError::InvalidAttribute {
            attribute: a.id.clone(),
            reason,
        };
        if self.by_id.contains_key(&a.id) {
            return Err(ModelError::Duplicate {
                kind: "attribute",
                id: a.id.to_string(),
            });
        }
        if a.holders.is_empty() {
            return Err(refuse(
                "it says nothing may hold it: give `for`, some of `informant`, `member`, `group`, `source`"
                    .into(),
            ));
        }
        for (i, h) in a.holders.iter().enumerate() {
            if a.holders[..i].contains(h) {
                return Err(refuse(format!("`{}` is listed twice in `for`", h.as_str())));
            }
        }
        // `--where` selects informants by an attribute of people and sources by one of
        // sources; one attribute for both would leave a unit's selection to a rule no one
        // could guess (its source's value, or its speakers'?).
        let people = a
            .holders
            .iter()
            .any(|h| matches!(h, AttributeHolder::Informant | AttributeHolder::Group));
        if people && a.holders.contains(&AttributeHolder::Source) {
            return Err(refuse(
                "it is declared for sources and for informants or groups: an attribute describes sources or people, not both (declare two)"
                    .into(),
            ));
        }
        // Checked again here, not only by `AttributeType::new`: a declaration may be built
        // in code.
        let kind = AttributeType::new(a.kind.name(), a.kind.choices().to_vec()).map_err(refuse)?;
        debug_assert_eq!(kind, a.kind);
        self.by_id.insert(a.id.clone(), self.list.len());
        self.list.push(a);
        Ok(())
    }

    /// Checks the values `holder` `who` holds, each against its declaration, and puts them in
    /// their type (a day given as text becomes a day).
    pub(crate) fn check(
        &self,
        holder: AttributeHolder,
        who: &str,
        values: &mut Attributes,
    ) -> Result<(), ModelError> {
        for (id, value) in values.0.iter_mut() {
            let a = self.get(id).ok_or_else(|| ModelError::UnknownAttribute {
                holder: holder.as_str(),
                who: who.to_owned(),
                attribute: id.clone(),
            })?;
            let wrong = |reason: String| ModelError::AttributeValue {
                holder: holder.as_str(),
                who: who.to_owned(),
                attribute: id.clone(),
                reason,
            };
            if !a.holders.contains(&holder) {
                return Err(wrong(format!(
                    "the study declares it for {} only",
                    a.holders
                        .iter()
                        .map(|h| format!("{}s", h.as_str()))
                        .collect::<Vec<_>>()
                        .join(" and ")
                )));
            }
            *value = a.kind.check(value.clone()).map_err(wrong)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_of(c: &[&str]) -> AttributeType {
        AttributeType::new("one-of", c.iter().map(|s| s.to_string()).collect()).unwrap()
    }

    #[test]
    fn each_type_takes_its_values_and_refuses_others_with_a_reason() {
        let n = |x: f64| AttributeValue::Number(Number::new(x).unwrap());
        let text = |t: &str| AttributeValue::Text(t.into());
        assert_eq!(AttributeType::Number.check(n(12.0)), Ok(n(12.0)));
        assert_eq!(
            AttributeType::Number.check(text("12")).unwrap_err(),
            "`12` is not a number value"
        );
        assert_eq!(
            AttributeType::Date.check(text("2023-05-15")),
            Ok(AttributeValue::Date(
                NaiveDate::from_ymd_opt(2023, 5, 15).unwrap()
            ))
        );
        for bad in ["15.05.2023", "2023-5-15", " 2023-05-15"] {
            assert!(AttributeType::Date
                .check(text(bad))
                .unwrap_err()
                .contains("YYYY-MM-DD"));
        }
        let service = one_of(&["nav", "school"]);
        assert_eq!(service.check(text("nav")), Ok(text("nav")));
        assert_eq!(
            service.check(text("NAV")).unwrap_err(),
            "`NAV` is not one of `nav`, `school`"
        );
        assert!(AttributeType::Boolean
            .check(AttributeValue::Boolean(true))
            .is_ok());
        assert!(AttributeType::Text.check(n(1.0)).is_err());
    }

    #[test]
    fn a_value_written_as_text_reads_back_as_the_same_value() {
        let cases = [
            (AttributeType::Number, "12"),
            (AttributeType::Number, "-0.25"),
            (AttributeType::Date, "2023-12-01"),
            (AttributeType::Boolean, "false"),
            (AttributeType::Text, " spaced text "),
        ];
        for (kind, text) in cases {
            let v = kind.parse(text).unwrap();
            assert_eq!(v.to_string(), text);
            assert_eq!(kind.parse(&v.to_string()), Ok(v));
        }
        assert_eq!(
            AttributeType::Number.parse("12.0").unwrap().to_string(),
            "12"
        );
        assert!(AttributeType::Number.parse("NaN").is_err());
        let big: Attributes = toml::from_str("n = 9007199254740992").unwrap();
        assert_eq!(toml::to_string(&big).unwrap(), "n = 9007199254740992\n");
        let e = toml::from_str::<Attributes>("n = 9007199254740993").unwrap_err();
        assert!(e.to_string().contains("too large"), "{e}");
        assert!(AttributeType::Number.parse("inf").is_err());
        assert_eq!(
            AttributeType::Number.parse("-0").unwrap(),
            AttributeType::Number.parse("0").unwrap()
        );
    }

    #[test]
    fn a_type_is_named_with_its_choices_only_when_it_is_one_of() {
        assert!(AttributeType::new("text", vec!["a".into()]).is_err());
        assert!(AttributeType::new("one-of", vec![]).is_err());
        assert!(AttributeType::new("one-of", vec!["a".into(), "a".into()])
            .unwrap_err()
            .contains("twice"));
        assert!(AttributeType::new("one-of", vec![" ".into()]).is_err());
        assert!(AttributeType::new("integer", vec![])
            .unwrap_err()
            .contains("`integer`"));
        for name in ["text", "number", "date", "boolean"] {
            assert_eq!(AttributeType::new(name, vec![]).unwrap().name(), name);
        }
    }

    #[test]
    fn values_read_from_toml_keep_their_kind() {
        let a: Attributes = toml::from_str(
            "service = \"nav\"\nyears = 12\nshare = 0.5\nlead = true\njoined = \"2023-01-02\"",
        )
        .unwrap();
        assert_eq!(a.len(), 5);
        let text = toml::to_string(&a).unwrap();
        assert_eq!(
            text,
            "joined = \"2023-01-02\"\nlead = true\nservice = \"nav\"\nshare = 0.5\nyears = 12\n"
        );
    }

    #[test]
    fn declared_checks_holder_and_type_and_names_both() {
        let mut d = Declared::default();
        let id = |s: &str| s.parse::<AttributeId>().unwrap();
        d.add(Attribute {
            id: id("years"),
            label: None,
            kind: AttributeType::Number,
            holders: vec![AttributeHolder::Informant],
        })
        .unwrap();
        // Holders in one order, whatever order they were given in.
        d.add(Attribute {
            id: id("joined"),
            label: None,
            kind: AttributeType::Date,
            holders: vec![AttributeHolder::Group, AttributeHolder::Informant],
        })
        .unwrap();
        assert_eq!(
            d.get(&id("joined")).unwrap().holders,
            [AttributeHolder::Informant, AttributeHolder::Group]
        );
        assert!(d
            .add(Attribute {
                id: id("x"),
                label: None,
                kind: AttributeType::Text,
                holders: vec![],
            })
            .is_err());
        // Sources and members, or sources alone: yes; sources and people: no.
        d.add(Attribute {
            id: id("kommune"),
            label: None,
            kind: AttributeType::Text,
            holders: vec![AttributeHolder::Source, AttributeHolder::Member],
        })
        .unwrap();
        let e = d
            .add(Attribute {
                id: id("tjeneste"),
                label: None,
                kind: AttributeType::Text,
                holders: vec![AttributeHolder::Source, AttributeHolder::Group],
            })
            .unwrap_err();
        assert!(e.to_string().contains("sources or people, not both"), "{e}");
        let mut v: Attributes = [(id("years"), AttributeValue::Text("many".into()))]
            .into_iter()
            .collect();
        let e = d
            .check(AttributeHolder::Informant, "I1", &mut v)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "attribute `years` of informant `I1`: `many` is not a number value"
        );
        let mut v: Attributes = [(
            id("years"),
            AttributeValue::Number(Number::new(3.0).unwrap()),
        )]
        .into_iter()
        .collect();
        let e = d.check(AttributeHolder::Group, "G1", &mut v).unwrap_err();
        assert_eq!(
            e.to_string(),
            "attribute `years` of group `G1`: the study declares it for informants only"
        );
        let mut v: Attributes = [(id("age"), AttributeValue::Boolean(true))]
            .into_iter()
            .collect();
        assert_eq!(
            d.check(AttributeHolder::Member, "m1", &mut v)
                .unwrap_err()
                .to_string(),
            "member `m1` has a value of attribute `age`, which the study does not declare"
        );
    }
}
