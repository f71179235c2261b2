//! The naming convention that importers from other tools share, so that a code tree means
//! the same whichever tool it comes from: a code named for a polarity (`barrier`,
//! `barriers`, `barriere`, `barrierer`, `hindring`, `hindringer`, `opportunity`,
//! `opportunities`, `mulighet`, `muligheter`, any case) is no code of its own but a value
//! of the qualifier `polarity` on the code above it, and the codes under it take that
//! polarity and leave its name out of their path. A tree with no such names has no
//! qualifiers.

use crate::{CodeId, Labels, Qualifier, QualifierValue, Qualifiers};

/// The qualifier the convention declares.
pub const POLARITY: &str = "polarity";

/// The polarity value (`barrier` or `opportunity`) a code's own name stands for, if any.
pub fn polarity_word(name: &str) -> Option<&'static str> {
    match name.trim().to_lowercase().as_str() {
        "barrier" | "barriers" | "barriere" | "barrierer" | "hindring" | "hindringer" => {
            Some("barrier")
        }
        "opportunity" | "opportunities" | "mulighet" | "muligheter" => Some("opportunity"),
        _ => None,
    }
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(l, t)| ((*l).to_owned(), (*t).to_owned()))
        .collect()
}

/// The polarity qualifier the convention declares, on `codes` and the codes under them. It
/// is not required: codings with no polarity name on their path stay without one.
pub fn polarity_qualifier(codes: Vec<CodeId>) -> Qualifier {
    let value = |id: &str, en: &str, nb: &str| QualifierValue {
        id: id.parse().expect("an id"),
        label: labels(&[("en", en), ("nb", nb)]),
    };
    Qualifier {
        id: POLARITY.parse().expect("an id"),
        label: labels(&[("en", "Polarity"), ("nb", "Polaritet")]),
        values: vec![
            value("barrier", "Barrier", "Barriere"),
            value("opportunity", "Opportunity", "Mulighet"),
        ],
        codes,
        required: false,
    }
}

/// The qualifier values `polarity=value`, for a value [`polarity_word`] gave.
pub fn polarity(value: &str) -> Qualifiers {
    Qualifiers::one(
        POLARITY.parse().expect("an id"),
        value.parse().expect("an id"),
    )
}

/// Where a code of another tool lands by the convention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// On the code at this path of names (its own).
    Code(Vec<String>),
    /// A code named for a polarity, folded into the code at this path above it.
    Folded(Vec<String>),
    /// A code named for a polarity with no code above it and codes under it, which it
    /// only groups: no codings use it, and it is no code of its own.
    Group,
}

/// The place of a code whose path of names from the top is `names` (itself last), and the
/// nearest polarity on that path. `stands_alone` says whether it would be a code of its
/// own when named for a polarity with nothing above to fold into: it has no codes under
/// it, or codings use it.
pub fn place(names: &[&str], stands_alone: bool) -> (Place, Option<&'static str>) {
    let polarity = names.iter().rev().find_map(|name| polarity_word(name));
    let kept: Vec<String> = names
        .iter()
        .filter(|name| polarity_word(name).is_none())
        .map(|name| name.trim().to_owned())
        .collect();
    let own = names.last().copied().unwrap_or_default();
    let place = if polarity_word(own).is_none() {
        Place::Code(kept)
    } else if !kept.is_empty() {
        Place::Folded(kept)
    } else if stands_alone {
        // Nothing above to fold into: a code of its own, as a tool shows it.
        Place::Code(vec![own.trim().to_owned()])
    } else {
        Place::Group
    };
    (place, polarity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polarity_names_fold_into_the_code_above() {
        assert_eq!(
            place(&["Ressurser", "Barrierer"], true),
            (Place::Folded(vec!["Ressurser".into()]), Some("barrier"))
        );
        assert_eq!(
            place(&["Ressurser", "Muligheter", "Tid"], true),
            (
                Place::Code(vec!["Ressurser".into(), "Tid".into()]),
                Some("opportunity")
            )
        );
        assert_eq!(place(&["Barriers"], false), (Place::Group, Some("barrier")));
        assert_eq!(
            place(&["Barriers"], true),
            (Place::Code(vec!["Barriers".into()]), Some("barrier"))
        );
        assert_eq!(
            place(&["Tid"], true),
            (Place::Code(vec!["Tid".into()]), None)
        );
        assert_eq!(polarity("barrier").to_string(), "polarity=barrier");
    }
}
