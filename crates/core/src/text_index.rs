//! Indexes over one transcript's text, so that the work per quote does not grow with the
//! transcript: character offsets to byte offsets by checkpoints, and every place a passage
//! occurs by a suffix array (built on first use, since loading a study for analysis never
//! searches).

use std::sync::OnceLock;

/// Byte offsets of every [`STRIDE`]-th character, for a text that is not all ASCII (in an
/// ASCII text a character offset is its byte offset).
#[derive(Debug, Clone, Default)]
pub(crate) struct CharOffsets {
    /// `marks[k]` is the byte offset of character `k * STRIDE`; empty for ASCII text.
    marks: Vec<u32>,
}

const STRIDE: usize = 64;

impl CharOffsets {
    pub(crate) fn new(text: &str) -> Self {
        if text.is_ascii() {
            return Self::default();
        }
        let marks = text
            .char_indices()
            .step_by(STRIDE)
            .map(|(b, _)| b as u32)
            .collect();
        Self { marks }
    }

    /// The byte offset of character `chars` (the text's length in bytes past its end).
    pub(crate) fn byte(&self, text: &str, chars: usize) -> usize {
        if self.marks.is_empty() {
            return chars.min(text.len());
        }
        let Some(&mark) = self.marks.get(chars / STRIDE) else {
            return text.len();
        };
        let from = mark as usize;
        text[from..]
            .char_indices()
            .nth(chars % STRIDE)
            .map_or(text.len(), |(b, _)| from + b)
    }

    /// The character offset of byte `byte`, which lies on a character boundary.
    pub(crate) fn char(&self, text: &str, byte: usize) -> usize {
        if self.marks.is_empty() {
            return byte;
        }
        // The last mark at or before `byte`.
        let k = self.marks.partition_point(|&m| m as usize <= byte) - 1;
        k * STRIDE + text[self.marks[k] as usize..byte].chars().count()
    }
}

/// Texts shorter than this are searched by a scan: building a suffix array costs more than
/// the scans a short text ever gets.
const SCAN_BELOW: usize = 4096;

/// Every place a passage occurs in a text, found by binary search over the text's sorted
/// suffixes (4 bytes per byte of text).
#[derive(Debug, Default)]
pub(crate) struct Occurrences {
    suffixes: OnceLock<Vec<i32>>,
}

impl Clone for Occurrences {
    /// A clone starts without the array: it is a cache, built again when needed.
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl Occurrences {
    /// The sorted suffixes of `text`, built on first use.
    fn suffixes(&self, text: &str) -> &[i32] {
        self.suffixes.get_or_init(|| {
            let mut sa = vec![0i32; text.len()];
            divsufsort::sort_in_place(text.as_bytes(), &mut sa);
            sa
        })
    }

    /// Byte offsets in `text` where `needle` starts, in text order (overlapping ones too).
    pub(crate) fn find(&self, text: &str, needle: &str) -> Vec<usize> {
        if needle.is_empty() {
            return Vec::new();
        }
        if text.len() < SCAN_BELOW {
            return scan(text, needle);
        }
        let sa = self.suffixes(text);
        let bytes = text.as_bytes();
        let needle = needle.as_bytes();
        // Compares a suffix with the needle, as far as the needle goes.
        let order = |&p: &i32| {
            let s = &bytes[p as usize..];
            let k = s.len().min(needle.len());
            s[..k].cmp(&needle[..k]).then(if s.len() < needle.len() {
                std::cmp::Ordering::Less
            } else {
                std::cmp::Ordering::Equal
            })
        };
        let lo = sa.partition_point(|p| order(p).is_lt());
        let hi = lo + sa[lo..].partition_point(|p| order(p).is_eq());
        let mut hits: Vec<usize> = sa[lo..hi].iter().map(|&p| p as usize).collect();
        hits.sort_unstable();
        hits
    }
}

/// How many times each needle occurs in `text` (overlapping ones counted), as 0, 1 or 2 for
/// "more than once", and the byte offset of its first occurrence: one pass over the text, looking each position's first eight bytes up
/// among the needles' (needles shorter than that are scanned for). For many needles in one
/// long text this costs a fraction of a suffix array. `None` when the needles share their
/// first bytes with so much of the text that checking the candidates would cost more than
/// sixteen comparisons per byte of text and needles (a text of one letter repeated, say):
/// the caller searches otherwise, so that no text makes this slow.
pub(crate) fn occurrence_counts(text: &str, needles: &[&str]) -> Option<Vec<(u8, usize)>> {
    const ANCHOR: usize = 8;
    let bytes = text.as_bytes();
    let mut counts = vec![(0u8, 0usize); needles.len()];
    let mut anchors: foldhash::HashMap<u64, Vec<u32>> = foldhash::HashMap::default();
    // The anchors' first two bytes, as a bit set: most positions are passed over by it.
    let mut pairs = vec![0u64; 1 << 10];
    let word = |b: &[u8]| u64::from_le_bytes(b[..ANCHOR].try_into().expect("eight bytes"));
    let pair = |b: &[u8]| usize::from(u16::from_le_bytes([b[0], b[1]]));
    let mut short = Vec::new();
    for (i, n) in needles.iter().enumerate() {
        let n = n.as_bytes();
        if n.len() >= ANCHOR {
            anchors.entry(word(n)).or_default().push(i as u32);
            pairs[pair(n) >> 6] |= 1 << (pair(n) & 63);
        } else {
            short.push(i);
        }
    }
    let mut budget =
        16 * (bytes.len() + needles.iter().map(|n| n.len()).sum::<usize>()) + (1 << 16);
    if !anchors.is_empty() {
        for pos in 0..(bytes.len() + 1).saturating_sub(ANCHOR) {
            let p = pair(&bytes[pos..]);
            if pairs[p >> 6] & (1 << (p & 63)) == 0 {
                continue;
            }
            let Some(list) = anchors.get(&word(&bytes[pos..])) else {
                continue;
            };
            for &i in list {
                let n = needles[i as usize].as_bytes();
                budget = budget.checked_sub(n.len())?;
                if bytes[pos..].starts_with(n) {
                    let c = &mut counts[i as usize];
                    if c.0 == 0 {
                        c.1 = pos;
                    }
                    c.0 = (c.0 + 1).min(2);
                }
            }
        }
    }
    for i in short {
        let n = needles[i];
        if n.is_empty() {
            continue;
        }
        let mut from = 0;
        while counts[i].0 < 2 {
            let Some(at) = text[from..].find(n).map(|k| from + k) else {
                break;
            };
            budget = budget.checked_sub(at + n.len() - from)?;
            if counts[i].0 == 0 {
                counts[i].1 = at;
            }
            counts[i].0 += 1;
            from = at + text[at..].chars().next().map_or(1, char::len_utf8);
        }
    }
    Some(counts)
}

/// [`Occurrences::find`] by scanning.
fn scan(text: &str, needle: &str) -> Vec<usize> {
    let mut hits = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(needle) {
        let at = from + i;
        hits.push(at);
        // Step one character so that overlapping repeats are found too.
        from = at + text[at..].chars().next().map_or(1, char::len_utf8);
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_agree_with_counting() {
        let text = "æøå 🙂 ".repeat(100) + "slutt";
        let o = CharOffsets::new(&text);
        for (c, (b, _)) in text.char_indices().enumerate() {
            assert_eq!(o.byte(&text, c), b, "char {c}");
            assert_eq!(o.char(&text, b), c, "byte {b}");
        }
        let n = text.chars().count();
        assert_eq!(o.byte(&text, n), text.len());
        assert_eq!(o.char(&text, text.len()), n);
        let ascii = "abc";
        assert_eq!(CharOffsets::new(ascii).byte(ascii, 2), 2);
    }

    #[test]
    fn the_suffix_array_finds_what_a_scan_finds() {
        // Long enough for the array; repeats, overlaps and multibyte characters.
        let text = "ja, det er tid. aaaa på øya. ".repeat(400);
        let o = Occurrences::default();
        for needle in ["det er tid", "aa", "ø", "på øya. ja", "ikke her", "a", ". "] {
            assert_eq!(o.find(&text, needle), scan(&text, needle), "{needle:?}");
        }
        assert!(o.find(&text, "").is_empty());
    }

    /// The counts are the suffix array's, capped at two, for needles of every length, with
    /// repeats, overlaps, non-ASCII text and needles that are not there; and a text made to
    /// defeat the anchors gives up rather than slow down.
    #[test]
    fn occurrence_counts_agree_with_the_search() {
        let text = "Vi har for lite tid. Vi har for lite tid til dette. æøå æøå æøå. aaaaaaaaaaaa. "
            .repeat(3) + "Intervjuer: Hva tenker du? Vi har for mye tid. slutt";
        let mut needles: Vec<&str> = Vec::new();
        for (a, _) in text.char_indices().step_by(3) {
            for (b, _) in text[a..].char_indices().skip(1).step_by(4).take(12) {
                needles.push(&text[a..a + b]);
            }
        }
        needles.extend(["ikke her i det hele tatt", "zz", "", "slutt", "aaaaaaaaa"]);
        let counts = occurrence_counts(&text, &needles).unwrap();
        let occurrences = Occurrences::default();
        let (mut once, mut more) = (0, 0);
        for (n, (c, first)) in needles.iter().zip(counts) {
            let hits = occurrences.find(&text, n);
            assert_eq!(c, hits.len().min(2) as u8, "{n:?}");
            if c > 0 {
                assert_eq!(first, hits[0], "{n:?}");
            }
            once += usize::from(c == 1);
            more += usize::from(c == 2);
        }
        assert!(once > 100 && more > 100, "{once} once, {more} more");
        let hostile = "a".repeat(100_000);
        let many: Vec<&str> = (0..500).map(|k| &hostile[..100 + k]).collect();
        assert_eq!(occurrence_counts(&hostile, &many), None);
    }
}
