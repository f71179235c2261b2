//! The report's two languages: every sentence is written in both where it is built
//! ([`Lang::pick`]), and numbers, dates and months are printed by the language's custom.
//!
//! English prints dates as ISO 8601 (`2024-03-05`, months `2024-03`), the habit of
//! international research reports, and a decimal point; Norwegian prints `05.03.2024`,
//! months as `mar. 2024`, a decimal comma and a space before `%` (Språkrådet). Large whole
//! numbers are grouped by thousands from five digits on (`10,000`, `10 000`), as both
//! languages' style guides allow four-digit numbers ungrouped.

use samskap_core::facilitation::{ActionState, PdStep, Phase};
use samskap_core::{Consent, NaiveDate, Provenance, Role, Sector};

use crate::doc::Lang;

/// Norwegian months as a report abbreviates them (Språkrådet: `mai`, `juni` and `juli` are
/// short enough already).
const NB_MONTHS: [&str; 12] = [
    "jan.", "feb.", "mar.", "apr.", "mai", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "des.",
];

impl Lang {
    /// The language a report is asked for by its tag (`en`, `nb`), if it is one a report
    /// is written in.
    pub fn from_tag(tag: &str) -> Option<Self> {
        match tag {
            "en" => Some(Self::En),
            "nb" => Some(Self::Nb),
            _ => None,
        }
    }

    /// The language a report of a study in `tag` is written in: Norwegian bokmål for `nb`
    /// (and `no`, which names it too), English for `en`; none for a language no report is
    /// written in (Nynorsk, Sámi, ...), for the caller to choose.
    pub fn of_study(tag: &samskap_core::LanguageTag) -> Option<Self> {
        match tag.primary().as_str() {
            "en" => Some(Self::En),
            "nb" | "no" => Some(Self::Nb),
            _ => None,
        }
    }

    /// The text in this language.
    pub fn pick<'a>(self, en: &'a str, nb: &'a str) -> &'a str {
        match self {
            Self::En => en,
            Self::Nb => nb,
        }
    }

    /// `n` and the noun in the right number: `1 meaning unit`, `3 meningsbærende enheter`;
    /// each noun pair is (one, many).
    pub fn count(self, n: usize, en: (&str, &str), nb: (&str, &str)) -> String {
        let (one, many) = self.pick2(en, nb);
        format!("{} {}", self.int(n), if n == 1 { one } else { many })
    }

    fn pick2<'a>(self, en: (&'a str, &'a str), nb: (&'a str, &'a str)) -> (&'a str, &'a str) {
        match self {
            Self::En => en,
            Self::Nb => nb,
        }
    }

    /// A whole number (a count: no sign), grouped by thousands from five digits on.
    pub fn int(self, n: impl std::fmt::Display) -> String {
        let digits = n.to_string();
        if digits.len() < 5 {
            return digits;
        }
        let sep = self.pick(",", "\u{a0}");
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 2);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(c);
        }
        out
    }

    /// `x` with `places` decimals and the language's decimal mark; `–` where it is not a
    /// number. A minus sign stays a hyphen-minus, which every reader parses.
    pub fn decimal(self, x: f64, places: usize) -> String {
        if !x.is_finite() {
            return "–".to_owned();
        }
        let s = format!("{x:.places$}");
        // `-0.00` is zero.
        let s = if s
            .trim_start_matches('-')
            .bytes()
            .all(|b| b == b'0' || b == b'.')
        {
            s.trim_start_matches('-').to_owned()
        } else {
            s
        };
        match self {
            Self::En => s,
            Self::Nb => s.replace('.', ","),
        }
    }

    /// A share (0–1) as a whole percentage: `45%`, `45 %`.
    pub fn percent(self, share: f64) -> String {
        if !share.is_finite() {
            return "–".to_owned();
        }
        let n = format!("{:.0}", share * 100.0);
        match self {
            Self::En => format!("{n}%"),
            Self::Nb => format!("{n}\u{a0}%"),
        }
    }

    /// A date: `2024-03-05`, `05.03.2024`.
    pub fn date(self, d: NaiveDate) -> String {
        match self {
            Self::En => d.format("%Y-%m-%d").to_string(),
            Self::Nb => d.format("%d.%m.%Y").to_string(),
        }
    }

    /// A calendar month: `2024-03`, `mar. 2024`.
    pub fn month(self, d: NaiveDate) -> String {
        use chrono::Datelike;
        match self {
            Self::En => d.format("%Y-%m").to_string(),
            Self::Nb => format!("{} {}", NB_MONTHS[d.month0() as usize], d.year()),
        }
    }

    /// A month given as `YYYY-MM` (as core's analyses key months); text that is not one is
    /// returned as it is.
    pub fn month_key(self, key: &str) -> String {
        NaiveDate::parse_from_str(&format!("{key}-01"), "%Y-%m-%d")
            .map_or_else(|_| key.to_owned(), |d| self.month(d))
    }
}

/// The model's terms in the report's language. The Norwegian names of the PD phases and
/// steps follow the thesis (sections 2 and 3.2: "definere", "identifisere positive avvik",
/// "utforske", "utvikle og implementere", "evaluere", "formidle").
impl Lang {
    /// An informant's role's name.
    pub fn role(self, r: Role) -> &'static str {
        match (self, r) {
            (Self::En, Role::Participant) => "participant",
            (Self::En, Role::Facilitator) => "facilitator",
            (Self::Nb, Role::Participant) => "deltaker",
            (Self::Nb, Role::Facilitator) => "fasilitator",
        }
    }

    pub(crate) fn consent(self, c: Consent) -> &'static str {
        match (self, c) {
            (Self::En, _) => c.as_str(),
            (Self::Nb, Consent::Given) => "gitt",
            (Self::Nb, Consent::Pending) => "ikke avklart",
            (Self::Nb, Consent::Withdrawn) => "trukket tilbake",
        }
    }

    /// A sector's name.
    pub fn sector(self, s: Sector) -> &'static str {
        match (self, s) {
            (Self::En, _) => s.as_str(),
            (Self::Nb, Sector::Public) => "offentlig",
            (Self::Nb, Sector::Private) => "privat",
            (Self::Nb, Sector::Voluntary) => "frivillig",
            (Self::Nb, Sector::Citizen) => "innbyggere",
        }
    }

    /// A PD project phase's name.
    pub fn phase(self, p: Phase) -> &'static str {
        match (self, p) {
            (Self::En, _) => p.label(),
            (Self::Nb, Phase::Challenge) => "1 utfordringsbilde og innsikt",
            (Self::Nb, Phase::Explore) => "2 identifisere og utforske",
            (Self::Nb, Phase::Implement) => "3 implementere og spre",
        }
    }

    /// A PD step's name.
    pub fn step(self, s: PdStep) -> &'static str {
        match (self, s) {
            (Self::En, _) => s.label(),
            (Self::Nb, PdStep::DefineProblem) => "1 definere problemet",
            (Self::Nb, PdStep::IdentifyDeviants) => "2 identifisere positive avvik",
            (Self::Nb, PdStep::ExplorePractices) => "3 utforske praksisene",
            (Self::Nb, PdStep::DevelopInterventions) => "4 utvikle intervensjoner",
            (Self::Nb, PdStep::Evaluate) => "5 evaluere",
            (Self::Nb, PdStep::Disseminate) => "6 formidle",
        }
    }

    /// An action's state's name.
    pub fn action_state(self, a: ActionState) -> &'static str {
        match (self, a) {
            (Self::En, _) => a.as_str(),
            (Self::Nb, ActionState::Planned) => "planlagt",
            (Self::Nb, ActionState::Tried) => "prøvd",
            (Self::Nb, ActionState::Evaluated) => "evaluert",
            (Self::Nb, ActionState::Adopted) => "tatt i bruk",
            (Self::Nb, ActionState::Dropped) => "lagt bort",
        }
    }

    /// What an illustrative study's every page says (the report's and the web pages').
    pub fn notice(self, p: Provenance) -> Option<&'static str> {
        match self {
            Self::En => p.notice(),
            Self::Nb => p.notice().map(|_| {
                "Illustrerende data: denne studien er oppdiktet, eller har oppdiktede deler, \
                 for å vise hvordan samskap virker. Dette er ikke forskningsdata; siter dem ikke \
                 som funn."
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(Lang::En.decimal(0.8126, 3), "0.813");
        assert_eq!(Lang::Nb.decimal(0.8126, 3), "0,813");
        assert_eq!(Lang::Nb.decimal(-0.0001, 2), "0,00");
        assert_eq!(Lang::Nb.decimal(-0.25, 2), "-0,25");
        assert_eq!(Lang::En.decimal(f64::NAN, 2), "–");
        assert_eq!(Lang::En.percent(0.455), "46%");
        assert_eq!(Lang::Nb.percent(0.455), "46\u{a0}%");
        assert_eq!(Lang::En.int(1234), "1234");
        assert_eq!(Lang::En.int(10_000), "10,000");
        assert_eq!(Lang::Nb.int(1_234_567), "1\u{a0}234\u{a0}567");
        assert_eq!(Lang::En.int(100_000), "100,000");
    }

    #[test]
    fn dates_and_months_follow_the_language() {
        assert_eq!(Lang::En.date(d("2024-03-05")), "2024-03-05");
        assert_eq!(Lang::Nb.date(d("2024-03-05")), "05.03.2024");
        assert_eq!(Lang::En.month_key("2024-05"), "2024-05");
        assert_eq!(Lang::Nb.month_key("2024-05"), "mai 2024");
        assert_eq!(Lang::Nb.month_key("2024-12"), "des. 2024");
        assert_eq!(Lang::Nb.month_key("not a month"), "not a month");
    }

    #[test]
    fn a_study_s_language_gives_the_report_s() {
        let of = |t: &str| Lang::of_study(&t.parse().unwrap());
        assert_eq!(of("nb-NO"), Some(Lang::Nb));
        assert_eq!(of("no"), Some(Lang::Nb));
        assert_eq!(of("en-GB"), Some(Lang::En));
        assert_eq!(of("nn"), None);
        assert_eq!(of("se"), None);
    }

    #[test]
    fn counts_take_the_noun_in_its_number() {
        let unit = (("meaning unit", "meaning units"), ("enhet", "enheter"));
        assert_eq!(Lang::En.count(1, unit.0, unit.1), "1 meaning unit");
        assert_eq!(Lang::Nb.count(2, unit.0, unit.1), "2 enheter");
        assert_eq!(Lang::Nb.count(0, unit.0, unit.1), "0 enheter");
    }
}
