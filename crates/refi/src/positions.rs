//! Positions of `PlainTextSelection`s: what the standard says (0-based code points of the
//! plain text, end exclusive), what tools do instead, and the conversion to samskap's
//! character offsets in the normalised transcript (see `samskap_core::normalize`).

pub use samskap_core::Counting;

/// Where the positions of a raw text fall in its normalised form.
pub(crate) struct PositionMap<'a> {
    raw: &'a str,
    counting: Counting,
    /// Length of the raw text in the counting's units.
    len: u64,
}

impl<'a> PositionMap<'a> {
    /// `raw` is the source's text as in the file, byte-order mark removed.
    pub fn new(raw: &'a str, counting: Counting) -> Self {
        let len = units(raw, counting);
        Self { raw, counting, len }
    }

    /// The text's length in the counting's units.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Character offsets in the normalised text for positions (in any order), or why one
    /// cannot be placed (with the position, when one is to blame). Positions must already
    /// be within `0..=len`.
    pub fn to_chars(&self, positions: &[u64]) -> Result<Vec<usize>, (Option<u64>, String)> {
        let mut sorted: Vec<u64> = positions.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        // Byte offset in raw for each position, walking the text once.
        let mut bytes = Vec::with_capacity(sorted.len());
        let mut want = sorted.iter().peekable();
        let mut count = 0u64;
        let mut chars = self.raw.char_indices().peekable();
        while let Some(&&p) = want.peek() {
            if p == count {
                bytes.push(chars.peek().map_or(self.raw.len(), |(i, _)| *i));
                want.next();
                continue;
            }
            let Some((_, c)) = chars.next() else {
                return Err((Some(p), format!("position {p} is past the end ({count})")));
            };
            let step = match (self.counting, c) {
                (Counting::CrlfAsOne, '\r') if matches!(chars.peek(), Some((_, '\n'))) => {
                    chars.next();
                    1
                }
                (counting, c) => counting.units(c),
            };
            if count + step > p {
                return Err((
                    Some(p),
                    format!("position {p} falls inside a character (an emoji or other character outside the Basic Multilingual Plane counts 2 in UTF-16, and a letter outside ASCII counts 2 to 4 in UTF-8)"),
                ));
            }
            count += step;
        }
        // Normalise piece by piece: the pieces' lengths add up to the whole's length when
        // no boundary splits something normalisation joins (CR LF, a letter and its accent).
        let mut out = Vec::with_capacity(bytes.len());
        let mut prev = 0usize;
        let mut acc = 0usize;
        for (k, &b) in bytes.iter().enumerate() {
            if b > 0
                && self.raw.as_bytes()[b - 1] == b'\r'
                && self.raw.as_bytes().get(b) == Some(&b'\n')
            {
                return Err((
                    Some(sorted[k]),
                    format!(
                        "position {} falls between the CR and LF of a line end",
                        sorted[k]
                    ),
                ));
            }
            acc += normalized_len(&self.raw[prev..b]);
            out.push(acc);
            prev = b;
        }
        acc += normalized_len(&self.raw[prev..]);
        if acc != normalized_len(self.raw) {
            return Err((
                None,
                "a position splits a letter from its combining accent, so it has no place in the normalised (NFC) text"
                    .into(),
            ));
        }
        Ok(positions
            .iter()
            .map(|p| out[sorted.binary_search(p).expect("sorted from positions")])
            .collect())
    }
}

fn units(raw: &str, counting: Counting) -> u64 {
    match counting {
        Counting::CodePoints => raw.chars().count() as u64,
        Counting::Utf16 => raw.encode_utf16().count() as u64,
        Counting::CrlfAsOne => (raw.chars().count() - raw.matches("\r\n").count()) as u64,
        Counting::Utf8 => raw.len() as u64,
    }
}

/// Characters of `s` after samskap's normalisation (CRLF and CR to LF, NFC).
fn normalized_len(s: &str) -> usize {
    samskap_core::normalize(s).chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Hei på deg.\r\nÆrlig talt 🙂 går det bra.\r\nSlutt";

    fn normalised_slice(start: usize, end: usize) -> String {
        samskap_core::normalize(TEXT)
            .chars()
            .skip(start)
            .take(end - start)
            .collect()
    }

    /// "går" located in each counting: code points count CRLF as 2 and the emoji as 1;
    /// UTF-16 counts the emoji as 2; ATLAS.ti counts CRLF as 1.
    #[test]
    fn each_counting_lands_on_the_same_text() {
        let byte = TEXT.find("går").unwrap();
        let cp = TEXT[..byte].chars().count() as u64;
        let u16 = TEXT[..byte].encode_utf16().count() as u64;
        let crlf1 = cp - 1;
        let u8 = byte as u64;
        assert_eq!((cp, u16, crlf1, u8), (26, 27, 25, 31));
        for (counting, start, len) in [
            (Counting::CodePoints, cp, 3),
            (Counting::Utf16, u16, 3),
            (Counting::CrlfAsOne, crlf1, 3),
            (Counting::Utf8, u8, 4),
        ] {
            let map = PositionMap::new(TEXT, counting);
            let got = map.to_chars(&[start, start + len]).unwrap();
            assert_eq!(normalised_slice(got[0], got[1]), "går", "{counting:?}");
        }
    }

    #[test]
    fn lengths_differ_by_counting() {
        assert_eq!(PositionMap::new(TEXT, Counting::CodePoints).len(), 45);
        assert_eq!(PositionMap::new(TEXT, Counting::Utf16).len(), 46);
        assert_eq!(PositionMap::new(TEXT, Counting::CrlfAsOne).len(), 43);
        assert_eq!(PositionMap::new(TEXT, Counting::Utf8).len(), 51);
    }

    #[test]
    fn splitting_a_surrogate_pair_or_crlf_is_refused() {
        let byte = TEXT.find('🙂').unwrap();
        let u16 = TEXT[..byte].encode_utf16().count() as u64;
        let e = PositionMap::new(TEXT, Counting::Utf16)
            .to_chars(&[u16 + 1])
            .unwrap_err()
            .1;
        assert!(e.contains("inside a character"), "{e}");
        let cr = TEXT.chars().position(|c| c == '\r').unwrap() as u64;
        let e = PositionMap::new(TEXT, Counting::CodePoints)
            .to_chars(&[cr + 1])
            .unwrap_err()
            .1;
        assert!(e.contains("CR and LF"), "{e}");
    }

    #[test]
    fn decomposed_letters_are_composed_and_counted_once() {
        let raw = "pa\u{30a} tide";
        let map = PositionMap::new(raw, Counting::CodePoints);
        assert_eq!(map.to_chars(&[4, 8]).unwrap(), vec![3, 7]);
        assert!(map.to_chars(&[2]).is_err());
    }
}
