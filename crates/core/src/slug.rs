//! Ids made from names that people gave things in other tools (a code called "Økonomi på
//! tvers", a project called "Ung inkludering 2024"): [`slug`] spells a name as an id, and
//! [`Slugs`] keeps the ids it gives out distinct. Every importer from another tool uses
//! these, so that one name becomes the same id whichever way it came in.

use std::collections::HashSet;

use unicode_normalization::char::decompose_canonical;

/// The most bytes of an id (see `ids.rs`).
const MAX_ID: usize = 64;

/// Letters that no canonical decomposition takes apart, spelled as ASCII.
fn spelled(c: char) -> Option<&'static str> {
    Some(match c {
        'æ' => "ae",
        'ø' => "o",
        'œ' => "oe",
        'ß' => "ss",
        'ð' | 'đ' => "d",
        'þ' => "th",
        'ł' => "l",
        'ı' => "i",
        _ => return None,
    })
}

/// `name` as an id: lower case, letters stripped of their accents (`å` → `a`, `é` → `e`)
/// or spelled out (`æ` → `ae`, `ø` → `o`), every other run of characters a single `-`, at
/// most 64 bytes. `fallback` (itself an id) when nothing of the name is left (`🙂`).
pub fn slug(name: &str, fallback: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    let push = |out: &mut String, piece: &str, dash: &mut bool| {
        if *dash && !out.is_empty() {
            out.push('-');
        }
        *dash = false;
        out.push_str(piece);
    };
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            push(&mut out, c.encode_utf8(&mut [0; 4]), &mut dash);
        } else if let Some(s) = spelled(c) {
            push(&mut out, s, &mut dash);
        } else {
            // A letter with accents decomposes into an ASCII letter and combining marks.
            let mut base = None;
            decompose_canonical(c, |d| {
                if base.is_none() {
                    base = Some(d);
                }
            });
            match base {
                Some(b) if b.is_ascii_alphanumeric() && c.is_alphanumeric() => {
                    push(&mut out, b.encode_utf8(&mut [0; 4]), &mut dash);
                }
                _ => dash = true,
            }
        }
    }
    if out.len() > MAX_ID {
        out.truncate(MAX_ID);
        out.truncate(out.trim_end_matches('-').len());
    }
    if out.is_empty() {
        fallback.to_owned()
    } else {
        out
    }
}

/// Gives out ids made with [`slug`], each distinct from those given before: the second
/// `tid` is `tid-2`, the third `tid-3`.
#[derive(Debug, Default, Clone)]
pub struct Slugs {
    taken: HashSet<String>,
}

impl Slugs {
    /// No id given out yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The slug of `name` (or `fallback`), made distinct.
    pub fn take(&mut self, name: &str, fallback: &str) -> String {
        self.take_exact(&slug(name, fallback), fallback)
    }

    /// `base` itself if it is free, else `base-2`, `base-3`, ... cut to fit 64 bytes; `base`
    /// must be an id (`fallback` when empty).
    pub fn take_exact(&mut self, base: &str, fallback: &str) -> String {
        let base = if base.is_empty() { fallback } else { base };
        let mut id = base.to_owned();
        let mut n = 2u64;
        while !self.taken.insert(id.clone()) {
            let suffix = format!("-{n}");
            let mut b = base.to_owned();
            b.truncate(MAX_ID - suffix.len());
            id = format!("{}{suffix}", b.trim_end_matches(['-', '.', '_']));
            n += 1;
        }
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CodeId;

    #[test]
    fn names_become_ids_with_norwegian_letters_spelled() {
        assert_eq!(slug("Tid, folk og penger", "x"), "tid-folk-og-penger");
        assert_eq!(slug("Økonomi på tvers", "x"), "okonomi-pa-tvers");
        assert_eq!(slug("Ærlig talt 🙂", "x"), "aerlig-talt");
        assert_eq!(slug("Café Straße", "x"), "cafe-strasse");
        // A letter typed as a base and a combining ring is the same letter.
        assert_eq!(slug("pa\u{30a}", "x"), "pa");
        assert_eq!(slug("🙂 · —", "code"), "code");
        assert_eq!(slug("Ωμέγα", "code"), "code");
    }

    #[test]
    fn long_names_are_cut_and_repeats_numbered() {
        let long = slug(&"ab ".repeat(100), "x");
        assert!(long.len() <= 64 && !long.ends_with('-'), "{long}");
        assert!(long.parse::<CodeId>().is_ok());
        let mut s = Slugs::new();
        assert_eq!(s.take("Tid", "x"), "tid");
        assert_eq!(s.take("tid", "x"), "tid-2");
        assert_eq!(s.take("TID!", "x"), "tid-3");
        let a = s.take(&"x".repeat(80), "x");
        let b = s.take(&"x".repeat(80), "x");
        assert_eq!(a.len(), 64);
        assert!(b.len() <= 64 && b.ends_with("-2"), "{b}");
    }
}
