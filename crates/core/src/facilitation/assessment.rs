//! Analysts' assessments: a group's place on the co-creation ladder (as a whole or for one
//! actor in it) or the institutional logics of a service, each with its evidence. The value
//! types here are checked when they are made, so an assessment in hand never holds a step
//! outside the ladder, a range that runs downwards or an empty set of logics.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::{
    ActionId, AssessmentId, CoderId, ContactId, EventId, GroupId, MeetingId, PracticeId, SourceId,
    StatementId,
};
use crate::NaiveDate;

/// Why a step or range of the co-creation ladder was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum LadderError {
    /// A step that is not one of the ladder's five.
    #[error("co-creation ladder step {0} is outside 1–5")]
    Step(i64),
    /// A range whose first step is above its second.
    #[error("the range {low}–{high} runs downwards: write the lower step first ({high}–{low})")]
    Reversed {
        /// The step given first.
        low: u8,
        /// The step given second.
        high: u8,
    },
    /// A list that is not two steps.
    #[error("a ladder range is two steps, [low, high]; this list has {0}")]
    Length(usize),
    /// Text that is neither a step nor a range.
    #[error("`{0}` is not a ladder step or range: write a step 1–5 (`4`) or a range (`3-5`)")]
    Syntax(String),
}

/// A placement on the co-creation ladder (Torfing et al. 2019): one step, or a range of
/// steps when the analyst places it "between 3 and 5". Always `1 <= low <= high <= 5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LadderRange {
    low: u8,
    high: u8,
}

impl LadderRange {
    /// The ladder's lowest step.
    pub const FIRST: u8 = 1;
    /// The ladder's highest step.
    pub const LAST: u8 = 5;

    /// The steps from `low` to `high`, both included.
    pub fn new(low: u8, high: u8) -> Result<Self, LadderError> {
        for s in [low, high] {
            if !(Self::FIRST..=Self::LAST).contains(&s) {
                return Err(LadderError::Step(i64::from(s)));
            }
        }
        if low > high {
            return Err(LadderError::Reversed { low, high });
        }
        Ok(Self { low, high })
    }

    /// One step.
    pub fn step(step: u8) -> Result<Self, LadderError> {
        Self::new(step, step)
    }

    /// The lowest step of the placement.
    pub fn low(self) -> u8 {
        self.low
    }

    /// The highest step of the placement.
    pub fn high(self) -> u8 {
        self.high
    }

    /// True when the placement is one step.
    pub fn is_step(self) -> bool {
        self.low == self.high
    }

    /// The smallest range that holds both: what two placements of one thing span.
    pub fn span(self, other: LadderRange) -> LadderRange {
        LadderRange {
            low: self.low.min(other.low),
            high: self.high.max(other.high),
        }
    }

    /// A step as a number of any width (TOML and JSON read integers as `i64`).
    fn checked_step(n: i64) -> Result<u8, LadderError> {
        u8::try_from(n)
            .ok()
            .filter(|s| (Self::FIRST..=Self::LAST).contains(s))
            .ok_or(LadderError::Step(n))
    }
}

/// `3`, or `3–5` for a range.
impl fmt::Display for LadderRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_step() {
            write!(f, "{}", self.low)
        } else {
            write!(f, "{}–{}", self.low, self.high)
        }
    }
}

/// `4`, `3-5` or `3–5` (as [`Display`](fmt::Display) writes it).
impl FromStr for LadderRange {
    type Err = LadderError;

    fn from_str(s: &str) -> Result<Self, LadderError> {
        let syntax = || LadderError::Syntax(crate::shorten(s).into_owned());
        let number = |t: &str| -> Result<u8, LadderError> {
            let n: i64 = t.trim().parse().map_err(|_| syntax())?;
            Self::checked_step(n)
        };
        match s.split_once(['-', '–']) {
            None => Self::step(number(s)?),
            Some((low, high)) => Self::new(number(low)?, number(high)?),
        }
    }
}

/// A step as an integer, a range as `[low, high]`: how bundles and the API write it.
impl Serialize for LadderRange {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.is_step() {
            s.serialize_u8(self.low)
        } else {
            [self.low, self.high].serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for LadderRange {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = LadderRange;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a ladder step 1–5 or a range [low, high]")
            }

            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<LadderRange, E> {
                LadderRange::checked_step(n)
                    .and_then(LadderRange::step)
                    .map_err(E::custom)
            }

            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<LadderRange, E> {
                self.visit_i64(i64::try_from(n).unwrap_or(i64::MAX))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<LadderRange, A::Error> {
                // Read every element, so that a list of three says it has three.
                let mut steps: Vec<i64> = Vec::with_capacity(2);
                while let Some(n) = seq.next_element::<i64>()? {
                    steps.push(n);
                    if steps.len() > 2 {
                        // Enough to refuse it; a hostile list is not read to its end.
                        return Err(serde::de::Error::custom(LadderError::Length(steps.len())));
                    }
                }
                let [low, high] = steps[..] else {
                    return Err(serde::de::Error::custom(LadderError::Length(steps.len())));
                };
                let low = LadderRange::checked_step(low).map_err(serde::de::Error::custom)?;
                let high = LadderRange::checked_step(high).map_err(serde::de::Error::custom)?;
                LadderRange::new(low, high).map_err(serde::de::Error::custom)
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// Institutional logic of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum InstitutionalLogic {
    /// Traditional bureaucracy.
    #[serde(rename = "TB")]
    Tb,
    /// New Public Management.
    #[serde(rename = "NPM")]
    Npm,
    /// New Public Governance.
    #[serde(rename = "NPG")]
    Npg,
}

impl InstitutionalLogic {
    /// The logics in their historical order, which is the order a set of them is written in.
    pub const ALL: [InstitutionalLogic; 3] = [
        InstitutionalLogic::Tb,
        InstitutionalLogic::Npm,
        InstitutionalLogic::Npg,
    ];

    /// `TB`, `NPM` or `NPG`.
    pub fn as_str(self) -> &'static str {
        match self {
            InstitutionalLogic::Tb => "TB",
            InstitutionalLogic::Npm => "NPM",
            InstitutionalLogic::Npg => "NPG",
        }
    }

    fn bit(self) -> u8 {
        match self {
            InstitutionalLogic::Tb => 1,
            InstitutionalLogic::Npm => 2,
            InstitutionalLogic::Npg => 4,
        }
    }
}

impl fmt::Display for InstitutionalLogic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `TB`, `NPM` or `NPG`, in any case.
impl FromStr for InstitutionalLogic {
    type Err = LogicsError;

    fn from_str(s: &str) -> Result<Self, LogicsError> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| LogicsError::Unknown(crate::shorten(s).into_owned()))
    }
}

/// Why a set of institutional logics was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum LogicsError {
    /// No logic at all.
    #[error("name at least one institutional logic: TB, NPM or NPG")]
    Empty,
    /// A logic named twice: more likely a slip for another logic than meant, so it is not
    /// merged away.
    #[error("institutional logic {0} is named twice")]
    Twice(InstitutionalLogic),
    /// A name that is not a logic.
    #[error("`{0}` is not an institutional logic: TB, NPM or NPG")]
    Unknown(String),
}

/// The institutional logics a service is assessed to follow: one, or several at once (a
/// service may be NPM in its budgets and NPG in its meetings). Never empty; kept in the
/// order TB, NPM, NPG whatever the order given.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Logics(u8);

impl Logics {
    /// One logic.
    pub fn one(logic: InstitutionalLogic) -> Self {
        Logics(logic.bit())
    }

    /// The logics given, each once and at least one.
    pub fn new(logics: impl IntoIterator<Item = InstitutionalLogic>) -> Result<Self, LogicsError> {
        let mut bits = 0;
        for l in logics {
            if bits & l.bit() != 0 {
                return Err(LogicsError::Twice(l));
            }
            bits |= l.bit();
        }
        if bits == 0 {
            return Err(LogicsError::Empty);
        }
        Ok(Logics(bits))
    }

    /// The logics, in the order TB, NPM, NPG.
    pub fn iter(self) -> impl Iterator<Item = InstitutionalLogic> {
        InstitutionalLogic::ALL
            .into_iter()
            .filter(move |l| self.contains(*l))
    }

    /// True when the set holds `logic`.
    pub fn contains(self, logic: InstitutionalLogic) -> bool {
        self.0 & logic.bit() != 0
    }

    /// How many logics: 1 to 3.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Always false: a set of logics holds one at least. (Here for clippy's
    /// `len_without_is_empty`.)
    pub fn is_empty(self) -> bool {
        false
    }
}

impl fmt::Debug for Logics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// `NPG`, or `NPM, NPG` for several.
impl fmt::Display for Logics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, l) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(l.as_str())?;
        }
        Ok(())
    }
}

/// One logic as a string, several as a list: how bundles and the API write them.
impl Serialize for Logics {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.len() == 1 {
            self.iter()
                .next()
                .expect("a set of logics is never empty")
                .serialize(s)
        } else {
            s.collect_seq(self.iter())
        }
    }
}

impl<'de> Deserialize<'de> for Logics {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Logics;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("TB, NPM or NPG, or a list of them")
            }

            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Logics, E> {
                exact_logic(s).map(Logics::one).map_err(E::custom)
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Logics, A::Error> {
                let mut all = Vec::new();
                while let Some(name) = seq.next_element::<std::borrow::Cow<'de, str>>()? {
                    let l = exact_logic(&name).map_err(serde::de::Error::custom)?;
                    if all.contains(&l) {
                        return Err(serde::de::Error::custom(LogicsError::Twice(l)));
                    }
                    all.push(l);
                }
                Logics::new(all).map_err(serde::de::Error::custom)
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// A logic as files write it: exactly `TB`, `NPM` or `NPG` (the command line also takes
/// lower case, through [`FromStr`]).
fn exact_logic(s: &str) -> Result<InstitutionalLogic, LogicsError> {
    InstitutionalLogic::ALL
        .into_iter()
        .find(|l| l.as_str() == s)
        .ok_or_else(|| LogicsError::Unknown(crate::shorten(s).into_owned()))
}

/// Why an actor was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ActorError {
    /// Text that names no actor.
    #[error(
        "`{0}` is not an actor: write `youth`, or `service:` and a service as members carry it \
         (`service:nav`)"
    )]
    Unknown(String),
    /// `service:` with nothing after it.
    #[error("`service:` names no service: write the service after the colon (`service:nav`)")]
    NoService,
}

/// Who is placed on a group's ladder when an assessment places one actor rather than the
/// group as a whole: its young members, or the members of one service ("in G1 the youth are
/// at step 3, NAV between 3 and 5").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Actor {
    /// The group's young members.
    Youth,
    /// The members of a service, as members' `service` is written (`nav`, `school`).
    Service(String),
}

impl Actor {
    /// The prefix that makes a service an actor in text: `service:nav`. A prefix rather than
    /// the bare name, so that a service called `youth` is not the young members.
    pub const SERVICE_PREFIX: &'static str = "service:";

    /// `youth`, or the service's name.
    pub fn label(&self) -> &str {
        match self {
            Actor::Youth => "youth",
            Actor::Service(s) => s,
        }
    }
}

/// `youth` or `service:nav`.
impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Youth => f.write_str("youth"),
            Actor::Service(s) => write!(f, "{}{s}", Self::SERVICE_PREFIX),
        }
    }
}

/// `youth` or `service:SERVICE`; the service is everything after the first colon.
impl FromStr for Actor {
    type Err = ActorError;

    fn from_str(s: &str) -> Result<Self, ActorError> {
        if s == "youth" {
            return Ok(Actor::Youth);
        }
        match s.strip_prefix(Self::SERVICE_PREFIX) {
            Some("") => Err(ActorError::NoService),
            Some(service) => Ok(Actor::Service(service.to_owned())),
            None => Err(ActorError::Unknown(crate::shorten(s).into_owned())),
        }
    }
}

impl Serialize for Actor {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Actor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What is assessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Subject {
    /// A resource group.
    Group(GroupId),
    /// A service (`nav`, `child-welfare`, ...).
    Service(String),
}

/// The value of an assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssessmentValue {
    /// A place on the co-creation ladder, of the subject as a whole or of one actor in it.
    Ladder {
        /// The step, or the steps it lies between.
        range: LadderRange,
        /// The actor placed; `None` places the subject as a whole. Only a group's ladder
        /// places actors.
        #[serde(skip_serializing_if = "Option::is_none")]
        actor: Option<Actor>,
    },
    /// The institutional logics the subject follows.
    Logic(Logics),
}

/// A fact of the facilitation record cited as evidence: what happened, rather than what
/// someone said.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fact {
    /// A meeting (who came, what it was).
    Meeting(MeetingId),
    /// A problem statement.
    #[serde(rename = "problem_statement")]
    Statement(StatementId),
    /// An observed PD practice.
    Practice(PracticeId),
    /// A trial action or intervention.
    Action(ActionId),
    /// A dissemination event.
    Dissemination(EventId),
    /// A contact between two members.
    Contact(ContactId),
}

impl Fact {
    /// The kind of fact, as messages name it: `meeting`, `problem statement`, ….
    pub fn kind(&self) -> &'static str {
        match self {
            Fact::Meeting(_) => "meeting",
            Fact::Statement(_) => "problem statement",
            Fact::Practice(_) => "practice",
            Fact::Action(_) => "action",
            Fact::Dissemination(_) => "dissemination event",
            Fact::Contact(_) => "contact",
        }
    }

    /// The id of the fact.
    pub fn id(&self) -> &str {
        match self {
            Fact::Meeting(id) => id.as_str(),
            Fact::Statement(id) => id.as_str(),
            Fact::Practice(id) => id.as_str(),
            Fact::Action(id) => id.as_str(),
            Fact::Dissemination(id) => id.as_str(),
            Fact::Contact(id) => id.as_str(),
        }
    }
}

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}`", self.kind(), self.id())
    }
}

/// What supports an assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Evidence {
    /// A passage of a source's text, as character offsets.
    Quote {
        /// The source whose text it cites.
        source: SourceId,
        /// Start (characters).
        start: usize,
        /// End (characters).
        end: usize,
    },
    /// A fact of the facilitation record.
    Fact(Fact),
}

/// An analyst's assessment with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// Stable id.
    pub id: AssessmentId,
    /// What is assessed.
    pub subject: Subject,
    /// The judgement.
    pub value: AssessmentValue,
    /// Who judged.
    pub assessor: CoderId,
    /// When.
    #[serde(with = "crate::date::iso")]
    pub date: NaiveDate,
    /// Why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Quotes and facts that support it, in the order the analyst gave them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(low: u8, high: u8) -> LadderRange {
        LadderRange::new(low, high).unwrap()
    }

    #[test]
    fn a_ladder_range_lies_within_the_ladder_and_runs_upwards() {
        assert_eq!(LadderRange::new(0, 3), Err(LadderError::Step(0)));
        assert_eq!(LadderRange::new(3, 6), Err(LadderError::Step(6)));
        assert_eq!(
            LadderRange::new(5, 3).unwrap_err().to_string(),
            "the range 5–3 runs downwards: write the lower step first (3–5)"
        );
        let r = range(3, 5);
        assert_eq!((r.low(), r.high(), r.is_step()), (3, 5, false));
        assert!(LadderRange::step(4).unwrap().is_step());
        assert_eq!(range(3, 5).to_string(), "3–5");
        assert_eq!(range(4, 4).to_string(), "4");
        assert_eq!(range(2, 3).span(range(4, 4)), range(2, 4));
        assert_eq!(range(1, 5).span(range(2, 3)), range(1, 5));
    }

    #[test]
    fn a_ladder_range_reads_from_text() {
        assert_eq!("4".parse(), Ok(range(4, 4)));
        assert_eq!("3-5".parse(), Ok(range(3, 5)));
        assert_eq!("3–5".parse(), Ok(range(3, 5)));
        assert_eq!(" 2 - 3 ".parse(), Ok(range(2, 3)));
        assert_eq!("4-4".parse(), Ok(range(4, 4)));
        assert_eq!("7".parse::<LadderRange>(), Err(LadderError::Step(7)));
        assert_eq!("300".parse::<LadderRange>(), Err(LadderError::Step(300)));
        assert!(matches!(
            "5-3".parse::<LadderRange>(),
            Err(LadderError::Reversed { low: 5, high: 3 })
        ));
        for bad in ["", "three", "3-", "3-5-6", "-3"] {
            assert!(
                matches!(bad.parse::<LadderRange>(), Err(LadderError::Syntax(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_ladder_range_is_written_as_a_step_or_a_pair_and_read_back_checked() {
        assert_eq!(serde_json::to_string(&range(4, 4)).unwrap(), "4");
        assert_eq!(serde_json::to_string(&range(3, 5)).unwrap(), "[3,5]");
        let read = |s: &str| serde_json::from_str::<LadderRange>(s).map_err(|e| e.to_string());
        assert_eq!(read("4"), Ok(range(4, 4)));
        assert_eq!(read("[3, 5]"), Ok(range(3, 5)));
        assert_eq!(read("[4, 4]"), Ok(range(4, 4)));
        for (bad, says) in [
            ("7", "step 7 is outside"),
            ("-1", "step -1 is outside"),
            ("256", "step 256 is outside"),
            ("[5, 3]", "runs downwards"),
            ("[3]", "this list has 1"),
            ("[1, 2, 3]", "this list has 3"),
            ("[]", "this list has 0"),
            ("[3, 9]", "step 9 is outside"),
            ("\"4\"", "a ladder step 1–5 or a range"),
        ] {
            let e = read(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn logics_are_a_set_in_the_historical_order() {
        use InstitutionalLogic::*;
        let both = Logics::new([Npg, Npm]).unwrap();
        assert_eq!(both.iter().collect::<Vec<_>>(), [Npm, Npg]);
        assert_eq!(both.to_string(), "NPM, NPG");
        assert_eq!(format!("{both:?}"), "{Npm, Npg}");
        assert_eq!(both.len(), 2);
        assert!(both.contains(Npm) && !both.contains(Tb));
        assert_eq!(Logics::new([Tb, Npm, Npg]).unwrap().len(), 3);
        assert_eq!(Logics::new([]), Err(LogicsError::Empty));
        assert_eq!(Logics::new([Npm, Tb, Npm]), Err(LogicsError::Twice(Npm)));
        assert_eq!(Logics::one(Tb).to_string(), "TB");
        assert_eq!("npg".parse(), Ok(Npg));
        assert!(matches!(
            "NPX".parse::<InstitutionalLogic>(),
            Err(LogicsError::Unknown(_))
        ));
    }

    #[test]
    fn logics_are_written_as_a_name_or_a_list_and_read_back_checked() {
        use InstitutionalLogic::*;
        assert_eq!(serde_json::to_string(&Logics::one(Npg)).unwrap(), "\"NPG\"");
        assert_eq!(
            serde_json::to_string(&Logics::new([Npg, Tb]).unwrap()).unwrap(),
            "[\"TB\",\"NPG\"]"
        );
        let read = |s: &str| serde_json::from_str::<Logics>(s).map_err(|e| e.to_string());
        assert_eq!(read("\"NPG\""), Ok(Logics::one(Npg)));
        assert_eq!(
            read("[\"NPG\", \"NPM\"]"),
            Logics::new([Npm, Npg]).map_err(|e| e.to_string())
        );
        for (bad, says) in [
            ("[]", "at least one"),
            ("[\"NPM\", \"NPM\"]", "NPM is named twice"),
            ("\"npg\"", "`npg` is not an institutional logic"),
            ("[\"TB\", \"XX\"]", "`XX` is not an institutional logic"),
            ("3", "TB, NPM or NPG, or a list"),
        ] {
            let e = read(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn an_actor_is_youth_or_a_named_service() {
        assert_eq!("youth".parse(), Ok(Actor::Youth));
        assert_eq!("service:nav".parse(), Ok(Actor::Service("nav".into())));
        // A service called `youth` is told apart from the young members.
        let odd = Actor::Service("youth".into());
        assert_eq!(odd.to_string(), "service:youth");
        assert_eq!(odd.to_string().parse(), Ok(odd.clone()));
        assert_eq!(odd.label(), "youth");
        assert_eq!("service:a:b".parse(), Ok(Actor::Service("a:b".into())));
        assert_eq!("service:".parse::<Actor>(), Err(ActorError::NoService));
        let e = "nav".parse::<Actor>().unwrap_err();
        assert_eq!(e, ActorError::Unknown("nav".into()));
        assert!(e.to_string().contains("`service:nav`"), "{e}");
        assert!("Youth".parse::<Actor>().is_err());
        assert_eq!(
            serde_json::to_string(&Actor::Service("nav".into())).unwrap(),
            "\"service:nav\""
        );
        assert_eq!(
            serde_json::from_str::<Actor>("\"youth\"").unwrap(),
            Actor::Youth
        );
    }

    #[test]
    fn a_fact_names_its_kind_and_id() {
        let f = Fact::Statement("PS-1".parse().unwrap());
        assert_eq!(f.to_string(), "problem statement `PS-1`");
        assert_eq!(
            serde_json::to_string(&Evidence::Fact(f)).unwrap(),
            r#"{"problem_statement":"PS-1"}"#
        );
        let q = Evidence::Quote {
            source: "I1".parse().unwrap(),
            start: 0,
            end: 4,
        };
        assert_eq!(
            serde_json::to_string(&q).unwrap(),
            r#"{"source":"I1","start":0,"end":4}"#
        );
    }
}
