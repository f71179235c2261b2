//! GUIDs: read in any of the forms tools write, compared normalised, and made for samskap's
//! own objects by a stable derivation, so exporting the same study twice gives the same
//! GUIDs without writing anything to the store. Also ids made from tool names ([`slug`]).

use std::collections::{BTreeMap, HashSet};

use sha2::{Digest, Sha256};

/// A GUID in canonical form: lower case, no braces, `8-4-4-4-12` hex digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Guid(String);

impl Guid {
    /// Reads a GUID as tools write it: braced or not, any case. `None` when it is not one.
    pub fn parse(s: &str) -> Option<Guid> {
        let s = s.trim();
        let s = s
            .strip_prefix('{')
            .and_then(|s| s.strip_suffix('}'))
            .unwrap_or(s);
        let groups: Vec<&str> = s.split('-').collect();
        let shape = [8, 4, 4, 4, 12];
        if groups.len() == 5
            && groups
                .iter()
                .zip(shape)
                .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            Some(Guid(s.to_ascii_lowercase()))
        } else {
            None
        }
    }

    /// The GUID samskap uses for an object of `kind` with `key` in `scope` (a study or a
    /// framework) when no tool gave it one: the first 16 bytes of a SHA-256, shaped as an
    /// RFC 9562 version-8 UUID.
    pub fn derive(scope: &str, kind: &str, key: &str) -> Guid {
        let mut h = Sha256::new();
        for part in ["samskap-refi", scope, kind, key] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        let d = h.finalize();
        let mut b = [0u8; 16];
        b.copy_from_slice(&d[..16]);
        b[6] = (b[6] & 0x0f) | 0x80;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        Guid(format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        ))
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Guid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What kind of samskap object a GUID belongs to, with the key that names the object. The
/// kinds and keys are what the store keeps (see `docs/refi-qda.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A category (key: category id). Framework scope.
    Category,
    /// A subtheme (key: `category/subtheme`). Framework scope.
    Subtheme,
    /// A subtheme with a polarity (key: `category/subtheme#barrier`). Framework scope.
    Polarity,
    /// A coder (key: coder id).
    User,
    /// An informant's case (key: informant id).
    Case,
    /// An informant's transcript (key: informant id).
    Source,
    /// A meaning unit (key: `informant:start-end`).
    Selection,
    /// A coding (key: `informant:start-end:category/subtheme:polarity:coder`).
    Coding,
    /// The note holding a coding's memo (key: the coding's key).
    CodingNote,
    /// A memo (key: `code|author|text hash|n`).
    Note,
    /// A case variable (key: its name).
    Variable,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 11] = [
        Kind::Category,
        Kind::Subtheme,
        Kind::Polarity,
        Kind::User,
        Kind::Case,
        Kind::Source,
        Kind::Selection,
        Kind::Coding,
        Kind::CodingNote,
        Kind::Note,
        Kind::Variable,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Category => "category",
            Kind::Subtheme => "subtheme",
            Kind::Polarity => "polarity",
            Kind::User => "user",
            Kind::Case => "case",
            Kind::Source => "source",
            Kind::Selection => "selection",
            Kind::Coding => "coding",
            Kind::CodingNote => "coding-note",
            Kind::Note => "note",
            Kind::Variable => "variable",
        }
    }

    /// The kind stored under `s`.
    pub fn from_name(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// True for kinds kept per framework rather than per study.
    pub fn is_framework_scoped(self) -> bool {
        matches!(self, Kind::Category | Kind::Subtheme | Kind::Polarity)
    }
}

/// The GUIDs tools gave samskap objects, by kind and key. Only GUIDs that differ from the
/// derived one ([`Guid::derive`]) need to be kept; [`GuidTable::get`] falls back to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuidTable {
    /// Scope of study objects (the study id).
    pub study_scope: String,
    /// Scope of code objects (the framework id).
    pub framework_scope: String,
    /// Kept GUIDs.
    pub kept: BTreeMap<(Kind, String), Guid>,
    /// Every GUID handed to [`GuidTable::keep`] that an object now has, so that no GUID
    /// goes to two objects.
    given: HashSet<Guid>,
}

impl GuidTable {
    /// An empty table for a study and its framework.
    pub fn new(study_scope: impl Into<String>, framework_scope: impl Into<String>) -> Self {
        Self {
            study_scope: study_scope.into(),
            framework_scope: framework_scope.into(),
            kept: BTreeMap::new(),
            given: HashSet::new(),
        }
    }

    fn scope(&self, kind: Kind) -> &str {
        if kind.is_framework_scoped() {
            &self.framework_scope
        } else {
            &self.study_scope
        }
    }

    /// The GUID of an object: the kept one, or the derived one.
    pub fn get(&self, kind: Kind, key: &str) -> Guid {
        self.kept
            .get(&(kind, key.to_owned()))
            .cloned()
            .unwrap_or_else(|| Guid::derive(self.scope(kind), kind.as_str(), key))
    }

    /// Keeps a tool's GUID for an object unless the object has one already, another object
    /// was given this GUID (one note on a selection with two codings), or it equals the
    /// derived one. Returns false when the GUID was not kept for one of the first two
    /// reasons: the object then goes out under another GUID.
    pub fn keep(&mut self, kind: Kind, key: &str, guid: &Guid) -> bool {
        let derived = Guid::derive(self.scope(kind), kind.as_str(), key);
        match self.kept.get(&(kind, key.to_owned())) {
            Some(g) => g == guid,
            None if self.given.contains(guid) => false,
            None => {
                self.given.insert(guid.clone());
                if &derived != guid {
                    self.kept.insert((kind, key.to_owned()), guid.clone());
                }
                true
            }
        }
    }
}

/// An id in samskap's id alphabet made from a tool's name: ASCII letters and digits with
/// `-` between words, Norwegian and other Latin letters spelt out (`æ` → `ae`, `ø` → `o`,
/// `å` → `a`), at most 64 characters. `fallback` when nothing is left.
pub fn slug(name: &str, fallback: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        let mapped: &str = match c {
            'æ' => "ae",
            'ø' | 'ö' | 'ó' | 'ò' | 'ô' => "o",
            'å' | 'ä' | 'á' | 'à' | 'â' => "a",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'ü' | 'ú' | 'ù' | 'û' => "u",
            'í' | 'ì' | 'î' | 'ï' => "i",
            'ß' => "ss",
            'ç' => "c",
            'ñ' => "n",
            c if c.is_ascii_alphanumeric() => {
                if dash && !out.is_empty() {
                    out.push('-');
                }
                dash = false;
                out.push(c);
                continue;
            }
            _ => {
                dash = true;
                continue;
            }
        };
        if dash && !out.is_empty() {
            out.push('-');
        }
        dash = false;
        out.push_str(mapped);
    }
    out.truncate(64);
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        fallback.to_owned()
    } else {
        out
    }
}

/// Gives out ids made with [`slug`], unique among those given: the second `tid` is `tid-2`.
#[derive(Debug, Default)]
pub(crate) struct Slugs {
    taken: std::collections::BTreeSet<String>,
}

impl Slugs {
    pub fn take(&mut self, name: &str, fallback: &str) -> String {
        self.take_exact(&slug(name, fallback), fallback)
    }

    /// Gives out `base` itself if free, else `base-2`, `base-3`, ...; `base` must be an id.
    pub fn take_exact(&mut self, base: &str, fallback: &str) -> String {
        let base = if base.is_empty() {
            fallback.to_owned()
        } else {
            base.to_owned()
        };
        let mut id = base.clone();
        let mut n = 2;
        while !self.taken.insert(id.clone()) {
            let suffix = format!("-{n}");
            let mut b = base.clone();
            b.truncate(64 - suffix.len());
            id = format!("{}{suffix}", b.trim_end_matches('-'));
            n += 1;
        }
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_normalised_and_checked() {
        let a = Guid::parse("{6F0D3C2B-1A2B-4C3D-8E9F-0123456789AB}").unwrap();
        let b = Guid::parse("6f0d3c2b-1a2b-4c3d-8e9f-0123456789ab").unwrap();
        assert_eq!(a, b);
        for bad in [
            "",
            "x",
            "6f0d3c2b1a2b4c3d8e9f0123456789ab",
            "6f0d3c2b-1a2b-4c3d-8e9f-0123456789ag",
        ] {
            assert!(Guid::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn derived_guids_are_stable_and_well_formed() {
        let g = Guid::derive("s", "user", "A");
        assert_eq!(g, Guid::derive("s", "user", "A"));
        assert_ne!(g, Guid::derive("s", "user", "B"));
        assert_eq!(Guid::parse(g.as_str()), Some(g.clone()));
        assert_eq!(&g.as_str()[14..15], "8");
    }

    #[test]
    fn a_guid_is_kept_for_one_object_only() {
        let g = Guid::parse("6f0d3c2b-1a2b-4c3d-8e9f-0123456789ab").unwrap();
        let mut t = GuidTable::new("s", "f");
        assert!(t.keep(Kind::CodingNote, "a", &g));
        assert!(!t.keep(Kind::CodingNote, "b", &g));
        assert_eq!(t.get(Kind::CodingNote, "a"), g);
        assert_ne!(t.get(Kind::CodingNote, "b"), g);
        let derived = Guid::derive("s", "user", "A");
        assert!(t.keep(Kind::User, "A", &derived));
        assert!(!t.kept.contains_key(&(Kind::User, "A".into())));
    }

    #[test]
    fn slugs_spell_out_norwegian_letters() {
        assert_eq!(slug("Tid, folk og penger", "x"), "tid-folk-og-penger");
        assert_eq!(slug("Økonomi på tvers", "x"), "okonomi-pa-tvers");
        assert_eq!(slug("Ærlig talt 🙂", "x"), "aerlig-talt");
        assert_eq!(slug("🙂", "code"), "code");
        let mut s = Slugs::default();
        assert_eq!(s.take("Tid", "x"), "tid");
        assert_eq!(s.take("tid", "x"), "tid-2");
    }
}
