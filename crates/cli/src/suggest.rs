//! Help for a value that is not one of the valid ones: the closest, or the list.

/// The known value `given` is most likely a slip for: the same but for case, else the
/// closest by Jaro–Winkler similarity when it is close enough (0.8, as clap's own
/// suggestions for flags).
pub(crate) fn closest<'a>(
    given: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let known: Vec<&str> = known.into_iter().collect();
    if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(given)) {
        return Some(k);
    }
    let lower = given.to_lowercase();
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(&lower, &k.to_lowercase()), *k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// `: did you mean `x`?`, or `: use one of a, b, c` (the first twelve, then how many more).
pub(crate) fn hint<'a>(given: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    hint_listing(given, known, "use one of")
}

/// [`hint`], with the list led by other words (`the coders are`) where "use one of" would
/// not fit.
pub(crate) fn hint_listing<'a>(
    given: &str,
    known: impl IntoIterator<Item = &'a str>,
    lead: &str,
) -> String {
    let known: Vec<&str> = known.into_iter().collect();
    if let Some(k) = closest(given, known.iter().copied()) {
        return format!(": did you mean `{k}`?");
    }
    match known.len() {
        0 => String::new(),
        n if n <= 12 => format!(": {lead} {}", known.join(", ")),
        n => format!(": {lead} {}, … ({} more)", known[..12].join(", "), n - 12),
    }
}

/// A value-parser for clap from a `FromStr` over a fixed set of names: case does not
/// matter, and a slip is answered with the closest name (clap makes it exit 2).
pub(crate) fn one_of<T: std::str::FromStr>(
    s: &str,
    names: &[&'static str],
    what: &str,
) -> Result<T, String> {
    let name = closest(s, names.iter().copied())
        .filter(|k| k.eq_ignore_ascii_case(s))
        .unwrap_or(s);
    name.parse()
        .map_err(|_| format!("`{s}` is not a {what}{}", hint(s, names.iter().copied())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slip_gets_the_closest_value_and_a_stranger_the_list() {
        let known = ["krippendorff_alpha", "cohen_kappa", "percent_agreement"];
        assert_eq!(
            closest("kripendorff_alpha", known),
            Some("krippendorff_alpha")
        );
        assert_eq!(closest("Cohen_Kappa", known), Some("cohen_kappa"));
        assert_eq!(closest("zzz", known), None);
        assert_eq!(hint("g1", ["G1", "G2"]), ": did you mean `G1`?");
        assert_eq!(hint("xyz", ["G1", "G2"]), ": use one of G1, G2");
        let many: Vec<String> = (1..=14).map(|i| format!("value-{i:02}")).collect();
        assert!(hint("q", many.iter().map(String::as_str)).ends_with("(2 more)"));
    }
}
