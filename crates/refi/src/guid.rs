//! GUIDs: read in any of the forms tools write, compared normalised, and made for samskap's
//! own objects by a stable derivation, so exporting the same study twice gives the same
//! GUIDs without writing anything to the store. Also ids made from tool names ([`slug`]).

use std::collections::{BTreeMap, HashSet};

use samskap_core::{CodeId, Qualifiers};
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
    /// A code of the framework (key: its path, [`code_key`]). Framework scope.
    Code,
    /// A code with qualifier values, which goes out as a code under the code (key:
    /// `path#qualifier=value;...`, [`qualified_key`]). Framework scope.
    Qualified,
    /// A coder (key: coder id).
    User,
    /// An informant's case (key: informant id).
    Case,
    /// An informant's transcript (key: informant id).
    Source,
    /// A meaning unit (key: `informant:start-end`).
    Selection,
    /// A coding (key: `informant:start-end:code path:qualifier=value;...:coder`).
    Coding,
    /// The note holding a coding's memo (key: the coding's key).
    CodingNote,
    /// A memo (key: `code|author|text hash|n`).
    Note,
    /// A case variable (key: its name).
    Variable,
}

/// The key of a code: its path.
pub fn code_key(code: &CodeId) -> String {
    code.to_string()
}

/// The key of a code with qualifier values: `path#qualifier=value;...`.
pub fn qualified_key(code: &CodeId, qualifiers: &Qualifiers) -> String {
    format!("{code}#{qualifiers}")
}

/// The qualifier the first, two-level format of samskap gave every code.
const POLARITY: &str = "polarity";

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 10] = [
        Kind::Code,
        Kind::Qualified,
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
            Kind::Code => "code",
            Kind::Qualified => "qualified",
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

    /// A stored row's kind and key as they are now, whether the row was written by this
    /// version or under the first, two-level model: `category` and `subtheme` rows are
    /// codes, a `polarity` row `cat/sub#barrier` is the qualified code
    /// `cat/sub#polarity=barrier`, and a coding key `unit:code:barrier:coder` becomes
    /// `unit:code:polarity=barrier:coder`. `None` for a kind that is neither.
    pub fn from_stored(kind: &str, key: &str) -> Option<(Kind, String)> {
        match kind {
            "category" | "subtheme" => Some((Kind::Code, key.to_owned())),
            "polarity" => {
                let (code, value) = key.rsplit_once('#')?;
                Some((Kind::Qualified, format!("{code}#{POLARITY}={value}")))
            }
            _ => {
                let kind = Kind::from_name(kind)?;
                let key = match kind {
                    Kind::Coding | Kind::CodingNote => {
                        let parts: Vec<&str> = key.split(':').collect();
                        match parts.as_slice() {
                            [informant, span, code, q, coder]
                                if !q.is_empty() && !q.contains('=') =>
                            {
                                format!("{informant}:{span}:{code}:{POLARITY}={q}:{coder}")
                            }
                            _ => key.to_owned(),
                        }
                    }
                    _ => key.to_owned(),
                };
                Some((kind, key))
            }
        }
    }

    /// True for kinds kept per framework rather than per study.
    pub fn is_framework_scoped(self) -> bool {
        matches!(self, Kind::Code | Kind::Qualified)
    }

    /// The kind name and key a derived GUID is made from. Objects the first, two-level
    /// model had keep the GUIDs it derived for them (a top code was a `category`, a code
    /// under it a `subtheme`, a code with a polarity a `polarity` keyed `cat/sub#barrier`,
    /// a coding's key had the bare polarity), so that projects it exported are still
    /// recognised and export again under the same GUIDs.
    fn derivation(self, key: &str) -> (&'static str, std::borrow::Cow<'_, str>) {
        use std::borrow::Cow;
        let polarity_only = |q: &str| {
            q.strip_prefix(POLARITY)
                .and_then(|r| r.strip_prefix('='))
                .filter(|v| !v.contains(';'))
                .map(str::to_owned)
        };
        match self {
            Kind::Code => match key.split('/').count() {
                1 => ("category", Cow::Borrowed(key)),
                2 => ("subtheme", Cow::Borrowed(key)),
                _ => (self.as_str(), Cow::Borrowed(key)),
            },
            Kind::Qualified => match key.rsplit_once('#') {
                Some((code, q)) => match polarity_only(q) {
                    Some(v) => ("polarity", Cow::Owned(format!("{code}#{v}"))),
                    None => (self.as_str(), Cow::Borrowed(key)),
                },
                None => (self.as_str(), Cow::Borrowed(key)),
            },
            Kind::Coding | Kind::CodingNote => {
                let parts: Vec<&str> = key.split(':').collect();
                match parts.as_slice() {
                    [informant, span, code, q, coder] => match polarity_only(q) {
                        Some(v) => (
                            self.as_str(),
                            Cow::Owned(format!("{informant}:{span}:{code}:{v}:{coder}")),
                        ),
                        None => (self.as_str(), Cow::Borrowed(key)),
                    },
                    _ => (self.as_str(), Cow::Borrowed(key)),
                }
            }
            _ => (self.as_str(), Cow::Borrowed(key)),
        }
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

    /// The GUID samskap derives for an object ([`Guid::derive`]).
    pub fn derived(&self, kind: Kind, key: &str) -> Guid {
        let (name, key) = kind.derivation(key);
        Guid::derive(self.scope(kind), name, &key)
    }

    /// The GUID of an object: the kept one, or the derived one.
    pub fn get(&self, kind: Kind, key: &str) -> Guid {
        self.kept
            .get(&(kind, key.to_owned()))
            .cloned()
            .unwrap_or_else(|| self.derived(kind, key))
    }

    /// Keeps a tool's GUID for an object unless the object has one already, another object
    /// was given this GUID (one note on a selection with two codings), or it equals the
    /// derived one. Returns false when the GUID was not kept for one of the first two
    /// reasons: the object then goes out under another GUID.
    pub fn keep(&mut self, kind: Kind, key: &str, guid: &Guid) -> bool {
        let derived = self.derived(kind, key);
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
        self.give(base, fallback, 64)
    }

    /// As [`Slugs::take`], at most `max` characters long (at least 8 are always allowed),
    /// so that a path of ids stays within its length.
    pub fn take_within(&mut self, name: &str, fallback: &str, max: usize) -> String {
        self.give(&slug(name, fallback), fallback, max.clamp(8, 64))
    }

    fn give(&mut self, base: &str, fallback: &str, max: usize) -> String {
        let mut base = if base.is_empty() {
            fallback.to_owned()
        } else {
            base.to_owned()
        };
        base.truncate(max);
        let base = base.trim_end_matches('-').to_owned();
        let mut id = base.clone();
        let mut n = 2;
        while !self.taken.insert(id.clone()) {
            let suffix = format!("-{n}");
            let mut b = base.clone();
            b.truncate(max.saturating_sub(suffix.len()));
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
        let derived = t.derived(Kind::User, "A");
        assert_eq!(derived, Guid::derive("s", "user", "A"));
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

    #[test]
    fn objects_of_the_two_level_model_keep_their_derived_guids() {
        let t = GuidTable::new("s", "bentzen-2018");
        let d = |kind: &str, key: &str| Guid::derive("bentzen-2018", kind, key);
        assert_eq!(t.get(Kind::Code, "culture"), d("category", "culture"));
        assert_eq!(
            t.get(Kind::Code, "culture/holistic-approach"),
            d("subtheme", "culture/holistic-approach")
        );
        assert_eq!(t.get(Kind::Code, "a/b/c"), d("code", "a/b/c"));
        assert_eq!(
            t.get(Kind::Qualified, "culture/x#polarity=barrier"),
            d("polarity", "culture/x#barrier")
        );
        assert_eq!(
            t.get(Kind::Qualified, "culture/x#level=group;polarity=barrier"),
            d("qualified", "culture/x#level=group;polarity=barrier")
        );
        assert_eq!(
            t.get(Kind::Coding, "I1:0-4:culture/x:polarity=opportunity:A"),
            Guid::derive("s", "coding", "I1:0-4:culture/x:opportunity:A")
        );
        assert_eq!(
            t.get(Kind::Coding, "I1:0-4:culture/x::A"),
            Guid::derive("s", "coding", "I1:0-4:culture/x::A")
        );
    }

    #[test]
    fn rows_stored_under_the_two_level_model_read_as_now() {
        let read = |k: &str, key: &str| Kind::from_stored(k, key).unwrap();
        assert_eq!(read("category", "tid"), (Kind::Code, "tid".into()));
        assert_eq!(read("subtheme", "tid/tid"), (Kind::Code, "tid/tid".into()));
        assert_eq!(
            read("polarity", "tid/tid#barrier"),
            (Kind::Qualified, "tid/tid#polarity=barrier".into())
        );
        assert_eq!(
            read("coding", "I1:0-4:tid/tid:barrier:KN"),
            (Kind::Coding, "I1:0-4:tid/tid:polarity=barrier:KN".into())
        );
        assert_eq!(
            read("coding-note", "I1:0-4:tid/tid:polarity=barrier:KN"),
            (
                Kind::CodingNote,
                "I1:0-4:tid/tid:polarity=barrier:KN".into()
            )
        );
        assert_eq!(
            read("coding", "I1:0-4:tid::KN"),
            (Kind::Coding, "I1:0-4:tid::KN".into())
        );
        for k in Kind::ALL {
            assert_eq!(read(k.as_str(), "x"), (k, "x".into()));
        }
        assert!(Kind::from_stored("shape", "x").is_none());
    }

    #[test]
    fn slugs_fit_the_room_left() {
        let mut s = Slugs::default();
        assert_eq!(
            s.take_within("Organisering av arbeidet", "x", 10),
            "organiseri"
        );
        assert_eq!(s.take_within("Organisering", "x", 10), "organise-2");
        assert_eq!(s.take_within("Tid", "x", 2), "tid");
    }
}
