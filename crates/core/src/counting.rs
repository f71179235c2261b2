//! How other tools count positions in a text: the one list of countings that every
//! importer's `--positions` option chooses from. Each importer knows what text its tool
//! counts over (REFI-QDA's plain text, the text nodes of a Taguette document's HTML) and
//! turns positions in these units into samskap's character offsets.

/// A unit of position in another tool's text. A byte-order mark is never counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Counting {
    /// Unicode code points, CRLF as two: the REFI-QDA standard.
    CodePoints,
    /// UTF-16 code units (an emoji counts 2), CRLF as two: NVivo, and JavaScript strings.
    Utf16,
    /// Code points with CRLF counted as one: ATLAS.ti, as reported.
    CrlfAsOne,
    /// UTF-8 bytes (`æ` counts 2, an emoji 4): Taguette, over the text nodes of its HTML.
    Utf8,
}

impl Counting {
    /// Every counting, in the order help texts list them.
    pub const ALL: [Counting; 4] = [
        Counting::CodePoints,
        Counting::Utf16,
        Counting::CrlfAsOne,
        Counting::Utf8,
    ];

    /// The counting a REFI-QDA file's `origin` attribute implies.
    pub fn for_origin(origin: Option<&str>) -> Counting {
        let o = origin.unwrap_or_default().to_lowercase();
        if o.contains("nvivo") {
            Counting::Utf16
        } else if o.contains("atlas") {
            Counting::CrlfAsOne
        } else {
            Counting::CodePoints
        }
    }

    /// The name used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Counting::CodePoints => "code-points",
            Counting::Utf16 => "utf16",
            Counting::CrlfAsOne => "crlf-as-one",
            Counting::Utf8 => "utf8",
        }
    }

    /// How many units `c` takes (CR LF is the importer's business: it sees both).
    pub fn units(self, c: char) -> u64 {
        match self {
            Counting::CodePoints | Counting::CrlfAsOne => 1,
            Counting::Utf16 => c.len_utf16() as u64,
            Counting::Utf8 => c.len_utf8() as u64,
        }
    }
}

impl std::fmt::Display for Counting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Counting {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Counting::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("`{s}`: expected code-points, utf16, crlf-as-one or utf8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_units_differ() {
        for c in Counting::ALL {
            assert_eq!(c.as_str().parse::<Counting>(), Ok(c));
        }
        assert!("bytes".parse::<Counting>().is_err());
        let units = |c: Counting| "æ🙂a".chars().map(|ch| c.units(ch)).sum::<u64>();
        assert_eq!(units(Counting::CodePoints), 3);
        assert_eq!(units(Counting::Utf16), 4);
        assert_eq!(units(Counting::Utf8), 7);
        // Taguette writes no .qdpx; a file naming it is read by the standard.
        assert_eq!(
            Counting::for_origin(Some("Taguette 1.4")),
            Counting::CodePoints
        );
    }
}
