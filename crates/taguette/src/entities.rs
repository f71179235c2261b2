//! Character references in HTML text, decoded as an HTML5 parser decodes them in a text
//! node: every named reference of the HTML5 table when it ends with `;`, the legacy names
//! (Latin-1's) also without it, and numeric references with the parser's replacements.
//! Anything else is text as written (`&foo;` stays `&foo;`), as in a browser.

/// The names an HTML5 parser also accepts without a `;` (`&eacute` for `&eacute;`): the
/// HTML 4 Latin-1 set and the upper-case spellings of five of them.
const LEGACY: &[&str] = &[
    "AElig", "AMP", "Aacute", "Acirc", "Agrave", "Aring", "Atilde", "Auml", "COPY", "Ccedil",
    "ETH", "Eacute", "Ecirc", "Egrave", "Euml", "GT", "Iacute", "Icirc", "Igrave", "Iuml", "LT",
    "Ntilde", "Oacute", "Ocirc", "Ograve", "Oslash", "Otilde", "Ouml", "QUOT", "REG", "THORN",
    "Uacute", "Ucirc", "Ugrave", "Uuml", "Yacute", "aacute", "acirc", "acute", "aelig", "agrave",
    "amp", "aring", "atilde", "auml", "brvbar", "ccedil", "cedil", "cent", "copy", "curren", "deg",
    "divide", "eacute", "ecirc", "egrave", "eth", "euml", "frac12", "frac14", "frac34", "gt",
    "iacute", "icirc", "iexcl", "igrave", "iquest", "iuml", "laquo", "lt", "macr", "micro",
    "middot", "nbsp", "not", "ntilde", "oacute", "ocirc", "ograve", "ordf", "ordm", "oslash",
    "otilde", "ouml", "para", "plusmn", "pound", "quot", "raquo", "reg", "sect", "shy", "sup1",
    "sup2", "sup3", "szlig", "thorn", "times", "uacute", "ucirc", "ugrave", "uml", "uuml",
    "yacute", "yen", "yuml",
];

/// What an HTML5 parser makes of `&#128;` to `&#159;`: the characters Windows-1252 puts
/// there (documents written on Windows used them so), where it has one.
fn windows_1252(n: u32) -> Option<char> {
    Some(match n {
        0x80 => '\u{20AC}',
        0x82 => '\u{201A}',
        0x83 => '\u{0192}',
        0x84 => '\u{201E}',
        0x85 => '\u{2026}',
        0x86 => '\u{2020}',
        0x87 => '\u{2021}',
        0x88 => '\u{02C6}',
        0x89 => '\u{2030}',
        0x8A => '\u{0160}',
        0x8B => '\u{2039}',
        0x8C => '\u{0152}',
        0x8E => '\u{017D}',
        0x91 => '\u{2018}',
        0x92 => '\u{2019}',
        0x93 => '\u{201C}',
        0x94 => '\u{201D}',
        0x95 => '\u{2022}',
        0x96 => '\u{2013}',
        0x97 => '\u{2014}',
        0x98 => '\u{02DC}',
        0x99 => '\u{2122}',
        0x9A => '\u{0161}',
        0x9B => '\u{203A}',
        0x9C => '\u{0153}',
        0x9E => '\u{017E}',
        0x9F => '\u{0178}',
        _ => return None,
    })
}

fn named(name: &str) -> Option<&'static str> {
    let table = &html_escape::NAMED_ENTITIES;
    table
        .binary_search_by(|(n, _)| (*n).cmp(name.as_bytes()))
        .ok()
        .map(|i| table[i].1)
}

/// Decodes the character reference at the start of `s` (which starts with `&`): what it
/// stands for and how many bytes it took, or `None` when it is no reference (the `&` is
/// then text).
pub(crate) fn decode_at(s: &str) -> Option<(Decoded, usize)> {
    let b = s.as_bytes();
    debug_assert_eq!(b.first(), Some(&b'&'));
    if b.get(1) == Some(&b'#') {
        return numeric(s);
    }
    let run = b[1..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if run == 0 {
        return None;
    }
    let name = &s[1..1 + run];
    if b.get(1 + run) == Some(&b';') {
        if let Some(v) = named(name) {
            return Some((Decoded::Str(v), run + 2));
        }
    }
    // Without a `;` (or with one after an unknown name), the parser takes the longest
    // legacy name the run starts with: `&notit;` is `¬it;`.
    let legacy = LEGACY
        .iter()
        .filter(|l| name.starts_with(**l))
        .max_by_key(|l| l.len())?;
    let value = named(legacy).expect("every legacy name is in the table");
    Some((Decoded::Str(value), legacy.len() + 1))
}

/// One decoded reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decoded {
    /// A named reference (some stand for two characters).
    Str(&'static str),
    /// A numeric reference.
    Char(char),
}

fn numeric(s: &str) -> Option<(Decoded, usize)> {
    let b = s.as_bytes();
    let hex = matches!(b.get(2), Some(b'x' | b'X'));
    let start = if hex { 3 } else { 2 };
    let digits = b[start..]
        .iter()
        .take_while(|c| {
            if hex {
                c.is_ascii_hexdigit()
            } else {
                c.is_ascii_digit()
            }
        })
        .count();
    if digits == 0 {
        return None;
    }
    let radix = if hex { 16 } else { 10 };
    // Past U+10FFFF the value only needs to be known as too large.
    let value = b[start..start + digits].iter().fold(0u32, |acc, d| {
        let d = (*d as char).to_digit(radix).expect("a digit");
        acc.saturating_mul(radix).saturating_add(d)
    });
    let mut len = start + digits;
    if b.get(len) == Some(&b';') {
        len += 1;
    }
    let c = match value {
        0 => '\u{FFFD}',
        0x80..=0x9F => windows_1252(value).unwrap_or_else(|| char::from_u32(value).expect("C1")),
        v => char::from_u32(v).unwrap_or('\u{FFFD}'),
    };
    Some((Decoded::Char(c), len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Option<(String, usize)> {
        decode_at(s).map(|(d, n)| {
            (
                match d {
                    Decoded::Str(v) => v.to_owned(),
                    Decoded::Char(c) => c.to_string(),
                },
                n,
            )
        })
    }

    #[test]
    fn named_references() {
        assert_eq!(dec("&amp;x"), Some(("&".into(), 5)));
        assert_eq!(dec("&eacute;"), Some(("é".into(), 8)));
        assert_eq!(dec("&aring;"), Some(("å".into(), 7)));
        assert_eq!(dec("&oslash;"), Some(("ø".into(), 8)));
        assert_eq!(dec("&AElig;"), Some(("Æ".into(), 7)));
        assert_eq!(dec("&nbsp;"), Some(("\u{a0}".into(), 6)));
        assert_eq!(dec("&hellip;"), Some(("…".into(), 8)));
        // Two characters for one name.
        assert_eq!(dec("&NotEqualTilde;").unwrap().0.chars().count(), 2);
    }

    #[test]
    fn legacy_names_without_semicolon_and_unknown_names() {
        assert_eq!(dec("&amp x"), Some(("&".into(), 4)));
        assert_eq!(dec("&eacutex"), Some(("é".into(), 7)));
        assert_eq!(dec("&notit;"), Some(("¬".into(), 4)));
        assert_eq!(dec("&notin;"), Some(("∉".into(), 7)));
        // Not legacy: without `;` it is text, as is an unknown name.
        assert_eq!(dec("&hellip x"), None);
        assert_eq!(dec("&foo;"), None);
        assert_eq!(dec("& x"), None);
    }

    #[test]
    fn numeric_references_follow_the_parser() {
        assert_eq!(dec("&#229;"), Some(("å".into(), 6)));
        assert_eq!(dec("&#xE6;"), Some(("æ".into(), 6)));
        assert_eq!(dec("&#X1F642;"), Some(("🙂".into(), 9)));
        assert_eq!(dec("&#229x"), Some(("å".into(), 5)));
        assert_eq!(dec("&#0;"), Some(("\u{FFFD}".into(), 4)));
        assert_eq!(dec("&#xD800;"), Some(("\u{FFFD}".into(), 8)));
        assert_eq!(dec("&#99999999999999;"), Some(("\u{FFFD}".into(), 17)));
        assert_eq!(dec("&#150;"), Some(("–".into(), 6)));
        assert_eq!(dec("&#x81;"), Some(("\u{81}".into(), 6)));
        assert_eq!(dec("&#;"), None);
        assert_eq!(dec("&#x;"), None);
    }
}
