//! The file-level shapes of a bundle (what serde reads and writes), kept apart from the
//! model so the model can change without changing the files people keep in git.

use serde::{Deserialize, Serialize};

use samskap_core::facilitation::{
    ActionKind, Actor, Attendance, Contact, Dissemination, LadderRange, Logics, MeetingKind,
    PdPractice, Presence, ProblemStatement, ProcessMove, Transition, TrialAction,
};
use samskap_core::{
    ActionId, AssessmentId, AttributeHolder, AttributeId, Attributes, CoderId, ContactId, EventId,
    GroupId, InformantId, MeetingId, Member, MemberId, Memo, Municipality, PracticeId,
    ResourceGroup, Role, SourceId, SourceKind, StatementId, StudyMeta,
};

/// Dates are written as quoted ISO strings (`"2023-05-15"`).
pub(crate) type Date = chrono::NaiveDate;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StudyFileIn {
    pub study: toml::Spanned<StudyMeta>,
    #[serde(default, rename = "attribute")]
    pub attributes: Vec<toml::Spanned<AttributeRow>>,
    #[serde(default, rename = "municipality")]
    pub municipalities: Vec<toml::Spanned<Municipality>>,
    #[serde(default, rename = "group")]
    pub groups: Vec<toml::Spanned<ResourceGroup>>,
    #[serde(default, rename = "member")]
    pub members: Vec<toml::Spanned<Member>>,
    #[serde(default, rename = "informant")]
    pub informants: Vec<toml::Spanned<InformantRow>>,
    #[serde(default, rename = "source")]
    pub sources: Vec<toml::Spanned<SourceRow>>,
}

#[derive(Serialize)]
pub(crate) struct StudyFileOut<'a> {
    pub study: &'a StudyMeta,
    #[serde(rename = "attribute", skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeRow>,
    #[serde(rename = "municipality", skip_serializing_if = "<[_]>::is_empty")]
    pub municipalities: &'a [Municipality],
    #[serde(rename = "group", skip_serializing_if = "<[_]>::is_empty")]
    pub groups: &'a [ResourceGroup],
    #[serde(rename = "member", skip_serializing_if = "<[_]>::is_empty")]
    pub members: &'a [Member],
    #[serde(rename = "informant", skip_serializing_if = "Vec::is_empty")]
    pub informants: Vec<InformantRow>,
    #[serde(rename = "source", skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceRowOut<'a>>,
}

/// An informant as written in `study.toml`: flat, with `consent` deciding which other keys
/// may appear (a withdrawn informant has none).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InformantRow {
    pub id: InformantId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workplace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    #[serde(
        default,
        with = "samskap_core::date::iso_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub interview_date: Option<Date>,
    pub consent: samskap_core::Consent,
    #[serde(default, skip_serializing_if = "Attributes::is_empty")]
    pub attributes: Attributes,
}

/// A source as declared in `study.toml`; its text is `sources/<id>.txt`. The speakers come
/// as written, each label with its span, so that a refusal names the label's line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SourceRow {
    pub id: SourceId,
    pub kind: SourceKind,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default, with = "samskap_core::date::iso_opt")]
    pub date: Option<Date>,
    #[serde(default)]
    pub informants: Vec<InformantId>,
    #[serde(default)]
    pub group: Option<GroupId>,
    #[serde(default)]
    pub guide: Option<samskap_core::GuideId>,
    #[serde(default)]
    pub guide_version: Option<u32>,
    /// The meeting of `facilitation.toml` it is the minutes or notes of.
    #[serde(default)]
    pub meeting: Option<samskap_core::MeetingId>,
    #[serde(default)]
    pub attributes: Attributes,
    #[serde(default)]
    pub speakers: SpeakersIn,
}

/// A source as written, with its keys in the order of [`SourceRow`]: `attributes` and
/// `speakers`, tables, come last as `[source.attributes]` and `[source.speakers]`.
#[derive(Serialize)]
pub(crate) struct SourceRowOut<'a> {
    pub id: &'a SourceId,
    pub kind: SourceKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'a str>,
    #[serde(
        with = "samskap_core::date::iso_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub date: Option<Date>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub informants: &'a [InformantId],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<&'a GroupId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guide: Option<&'a samskap_core::GuideId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guide_version: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting: Option<&'a samskap_core::MeetingId>,
    #[serde(skip_serializing_if = "Attributes::is_empty")]
    pub attributes: &'a Attributes,
    #[serde(skip_serializing_if = "SpeakersOut::is_empty")]
    pub speakers: SpeakersOut<'a>,
}

/// The `speakers` table as read: each label (with the span of its key) and who speaks it
/// (an informant id, `interviewer` or `withdrawn`), in the order of the file.
#[derive(Default)]
pub(crate) struct SpeakersIn(pub Vec<(toml::Spanned<String>, String)>);

impl<'de> Deserialize<'de> for SpeakersIn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Rows;
        impl<'de> serde::de::Visitor<'de> for Rows {
            type Value = SpeakersIn;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a table of turn labels and who speaks them, such as `Ola = \"I1\"` or `M = \"interviewer\"`",
                )
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<SpeakersIn, A::Error> {
                let mut rows = Vec::new();
                while let Some(row) = map.next_entry()? {
                    rows.push(row);
                }
                Ok(SpeakersIn(rows))
            }
        }
        d.deserialize_map(Rows)
    }
}

/// The `speakers` table as written: label = voice, in the source's order (by label).
pub(crate) struct SpeakersOut<'a>(pub &'a [(String, samskap_core::Voice)]);

impl SpeakersOut<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for SpeakersOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (label, voice) in self.0 {
            map.serialize_entry(label, &voice.to_string())?;
        }
        map.end()
    }
}

/// A custom attribute's declaration in `study.toml`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttributeRow {
    pub id: AttributeId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// `text`, `number`, `date`, `boolean` or `one-of`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A one-of's texts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// What may hold it.
    #[serde(rename = "for")]
    pub holders: Vec<AttributeHolder>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MemosFileIn {
    #[serde(default, rename = "memo")]
    pub memos: Vec<toml::Spanned<Memo>>,
}

#[derive(Serialize)]
pub(crate) struct MemosFileOut<'a> {
    #[serde(rename = "memo")]
    pub memos: &'a [Memo],
}

/// `facilitation.toml` as read: one array of tables per kind of record, each item with its
/// span so that a refusal of the model can name the line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FacilitationFileIn {
    #[serde(default, rename = "meeting")]
    pub meetings: Vec<toml::Spanned<MeetingRow>>,
    #[serde(default)]
    pub rules: Vec<toml::Spanned<RulesRow>>,
    #[serde(default, rename = "problem_statement")]
    pub statements: Vec<toml::Spanned<ProblemStatement>>,
    #[serde(default, rename = "process_move")]
    pub moves: Vec<toml::Spanned<ProcessMove>>,
    #[serde(default, rename = "practice")]
    pub practices: Vec<toml::Spanned<PdPractice>>,
    #[serde(default, rename = "action")]
    pub actions: Vec<toml::Spanned<ActionRow>>,
    #[serde(default, rename = "dissemination")]
    pub events: Vec<toml::Spanned<Dissemination>>,
    #[serde(default, rename = "contact")]
    pub contacts: Vec<toml::Spanned<Contact>>,
    #[serde(default, rename = "assessment")]
    pub assessments: Vec<toml::Spanned<AssessmentRow>>,
}

/// `facilitation.toml` as written, in the order of [`FacilitationFileIn`].
#[derive(Serialize)]
pub(crate) struct FacilitationFileOut<'a> {
    #[serde(rename = "meeting", skip_serializing_if = "Vec::is_empty")]
    pub meetings: Vec<MeetingRowOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RulesRowOut<'a>>,
    #[serde(rename = "problem_statement", skip_serializing_if = "<[_]>::is_empty")]
    pub statements: &'a [ProblemStatement],
    #[serde(rename = "process_move", skip_serializing_if = "<[_]>::is_empty")]
    pub moves: &'a [ProcessMove],
    #[serde(rename = "practice", skip_serializing_if = "<[_]>::is_empty")]
    pub practices: &'a [PdPractice],
    #[serde(rename = "action", skip_serializing_if = "<[_]>::is_empty")]
    pub actions: &'a [TrialAction],
    #[serde(rename = "dissemination", skip_serializing_if = "<[_]>::is_empty")]
    pub events: &'a [Dissemination],
    #[serde(rename = "contact", skip_serializing_if = "<[_]>::is_empty")]
    pub contacts: &'a [Contact],
    #[serde(rename = "assessment", skip_serializing_if = "Vec::is_empty")]
    pub assessments: Vec<AssessmentRowOut<'a>>,
}

/// A meeting with its attendance as a table `member = "presence"`, which reads like the
/// list a facilitator keeps:
///
/// ```toml
/// [meeting.attendance]
/// G1-P1 = "present"
/// G1-P2 = "excused"
/// ```
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MeetingRow {
    pub id: MeetingId,
    pub group: GroupId,
    pub kind: MeetingKind,
    #[serde(with = "samskap_core::date::iso")]
    pub date: Date,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub attendance: AttendanceIn,
}

#[derive(Serialize)]
pub(crate) struct MeetingRowOut<'a> {
    pub id: &'a MeetingId,
    pub group: &'a GroupId,
    pub kind: MeetingKind,
    pub date: Date,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'a str>,
    #[serde(skip_serializing_if = "AttendanceOut::is_empty")]
    pub attendance: AttendanceOut<'a>,
}

/// The attendance table as read: each member (with the span of its key) and presence, in
/// the order of the file.
#[derive(Default)]
pub(crate) struct AttendanceIn(pub Vec<(toml::Spanned<MemberId>, Presence)>);

impl<'de> Deserialize<'de> for AttendanceIn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Rows;
        impl<'de> serde::de::Visitor<'de> for Rows {
            type Value = AttendanceIn;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table of members and their presence, such as `G1-P1 = \"present\"`")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<AttendanceIn, A::Error> {
                let mut rows = Vec::new();
                while let Some(row) = map.next_entry()? {
                    rows.push(row);
                }
                Ok(AttendanceIn(rows))
            }
        }
        d.deserialize_map(Rows)
    }
}

/// The attendance table as written, in the record's order.
pub(crate) struct AttendanceOut<'a>(pub &'a [Attendance]);

impl AttendanceOut<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for AttendanceOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for a in self.0 {
            map.serialize_entry(a.member.as_str(), &a.presence)?;
        }
        map.end()
    }
}

/// A group's rules: the group and the rules' keys side by side.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RulesRow {
    pub group: GroupId,
    #[serde(default)]
    pub frequency: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub leader: Option<String>,
    #[serde(default)]
    pub disagreement: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct RulesRowOut<'a> {
    pub group: &'a GroupId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disagreement: Option<&'a str>,
}

/// A trial action as read: the model's shape, with a span for each step of its history.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActionRow {
    pub id: ActionId,
    pub group: GroupId,
    pub kind: ActionKind,
    pub title: String,
    pub history: Vec<toml::Spanned<Transition>>,
}

/// An assessment, flat: the subject is `group` or `service`, the value `ladder` (with an
/// optional `actor`) or `logic`. A step reads as `4`, a range as `[3, 5]`; logics as `"NPG"`
/// or `["NPM", "NPG"]`; an actor as `"youth"` or `"service:nav"`: each checked as it is read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssessmentRow {
    pub id: AssessmentId,
    #[serde(default)]
    pub group: Option<GroupId>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub ladder: Option<LadderRange>,
    #[serde(default)]
    pub actor: Option<Actor>,
    #[serde(default)]
    pub logic: Option<Logics>,
    pub assessor: CoderId,
    #[serde(with = "samskap_core::date::iso")]
    pub date: Date,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub evidence: Vec<toml::Spanned<EvidenceRow>>,
}

#[derive(Serialize)]
pub(crate) struct AssessmentRowOut<'a> {
    pub id: &'a AssessmentId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<&'a GroupId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ladder: Option<LadderRange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<&'a Actor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logic: Option<Logics>,
    pub assessor: &'a CoderId,
    pub date: Date,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceRowOut>,
}

/// What supports an assessment: a meaning unit named like a row of `codings.csv` (the
/// source whose text it is in and a quote selector; bundles hold no character offsets), or
/// one fact of the record, named by the key of its table and its id (`meeting = "G1-2"`).
/// The source is `source`, or `transcript` as the first layout named it. Every key is read
/// as optional, so that a message can name the key that is missing or too many.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EvidenceRow {
    #[serde(default)]
    pub source: Option<SourceId>,
    #[serde(default)]
    pub transcript: Option<SourceId>,
    #[serde(default)]
    pub prefix: Option<String>,
    #[serde(default)]
    pub exact: Option<String>,
    #[serde(default)]
    pub suffix: Option<String>,
    #[serde(default)]
    pub meeting: Option<MeetingId>,
    #[serde(default)]
    pub problem_statement: Option<StatementId>,
    #[serde(default)]
    pub practice: Option<PracticeId>,
    #[serde(default)]
    pub action: Option<ActionId>,
    #[serde(default)]
    pub dissemination: Option<EventId>,
    #[serde(default)]
    pub contact: Option<ContactId>,
}

/// Evidence as written: a quote always says `source`; a fact is its one key.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum EvidenceRowOut {
    Quote {
        source: SourceId,
        #[serde(skip_serializing_if = "String::is_empty")]
        prefix: String,
        exact: String,
        #[serde(skip_serializing_if = "String::is_empty")]
        suffix: String,
    },
    Meeting {
        meeting: MeetingId,
    },
    Statement {
        problem_statement: StatementId,
    },
    Practice {
        practice: PracticeId,
    },
    Action {
        action: ActionId,
    },
    Dissemination {
        dissemination: EventId,
    },
    Contact {
        contact: ContactId,
    },
}
