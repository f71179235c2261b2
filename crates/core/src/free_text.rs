//! Every field of the model that holds free text, and what a withdrawal does with it: the one
//! declaration that core's withdrawal (`Study::withdraw`) and the store's (in SQL) both follow.
//!
//! A field missing here would be a place where a withdrawn person's words survive. Two tests
//! keep the list whole: core's checks that withdrawal reaches every field declared here, and
//! the store's checks that every text column of its schema is one of these fields or is
//! declared, with a reason, to hold no personal text.

use serde::Serialize;

/// A field of the model that holds free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FreeText {
    /// `StudyMeta::title`.
    StudyTitle,
    /// `StudyMeta::research_question`.
    StudyResearchQuestion,
    /// `StudyMeta::method`.
    StudyMethod,
    /// `Municipality::name`.
    MunicipalityName,
    /// `ResourceGroup::name`.
    GroupName,
    /// `Member::service`.
    MemberService,
    /// `InformantDetails::workplace`.
    InformantWorkplace,
    /// `InformantDetails::position`.
    InformantPosition,
    /// A source's text.
    Transcript,
    /// `Source::title`.
    SourceTitle,
    /// A source's speaker labels (in its declaration and at its turns).
    SpeakerLabel,
    /// `Coding::memo`: a coder's note on one coding.
    CodingMemo,
    /// `Memo::text`: an analyst's memo.
    Memo,
    /// The framework's labels and description.
    FrameworkText,
    /// Categories' and subthemes' labels and definitions.
    CodeText,
    /// `Meeting::note`.
    MeetingNote,
    /// `GroupRules::frequency`.
    RulesFrequency,
    /// `GroupRules::place`.
    RulesPlace,
    /// `GroupRules::leader`.
    RulesLeader,
    /// `GroupRules::disagreement`.
    RulesDisagreement,
    /// `ProblemStatement::text`.
    StatementText,
    /// `ProcessMove::note`.
    MoveNote,
    /// `PdPractice::description`.
    PracticeDescription,
    /// `TrialAction::title`.
    ActionTitle,
    /// `Transition::note`.
    TransitionNote,
    /// `Dissemination::audience`.
    EventAudience,
    /// `Dissemination::note`.
    EventNote,
    /// `Contact::note`.
    ContactNote,
    /// `Assessment::note`.
    AssessmentNote,
    /// `Subject::Service`: the service an assessment is about.
    AssessmentService,
    /// `Attribute::label` and a one-of's texts: a study's declaration of an attribute.
    AttributeText,
    /// An informant's values of the study's attributes.
    InformantAttribute,
    /// A member's values of the study's attributes.
    MemberAttribute,
    /// A group's values of the study's attributes.
    GroupAttribute,
    /// A source's values of the study's attributes.
    SourceAttribute,
    /// An interview guide's title, its versions' notes, its themes' headings and its
    /// questions.
    GuideText,
}

/// What a withdrawal does with a free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnWithdrawal {
    /// The withdrawn informant's own: it goes with them, whatever it says (the transcript is
    /// deleted, the details are cleared).
    Theirs,
    /// When it quotes them, the record that holds it is deleted (an analyst's memo is
    /// nothing but its text).
    DeleteWhenQuoting,
    /// When it quotes them, it is cleared (an optional text).
    ClearWhenQuoting,
    /// When it quotes them, it is replaced by
    /// [`REMOVED_TEXT`](crate::facilitation::REMOVED_TEXT) (a text its record cannot lack).
    ReplaceWhenQuoting,
    /// Withdrawal leaves it alone, for the reason given: it names things, not what people
    /// said.
    Kept(&'static str),
}

impl FreeText {
    /// Every free-text field of the model.
    pub const ALL: [FreeText; 36] = [
        FreeText::StudyTitle,
        FreeText::StudyResearchQuestion,
        FreeText::StudyMethod,
        FreeText::MunicipalityName,
        FreeText::GroupName,
        FreeText::MemberService,
        FreeText::InformantWorkplace,
        FreeText::InformantPosition,
        FreeText::Transcript,
        FreeText::SourceTitle,
        FreeText::SpeakerLabel,
        FreeText::CodingMemo,
        FreeText::Memo,
        FreeText::FrameworkText,
        FreeText::CodeText,
        FreeText::MeetingNote,
        FreeText::RulesFrequency,
        FreeText::RulesPlace,
        FreeText::RulesLeader,
        FreeText::RulesDisagreement,
        FreeText::StatementText,
        FreeText::MoveNote,
        FreeText::PracticeDescription,
        FreeText::ActionTitle,
        FreeText::TransitionNote,
        FreeText::EventAudience,
        FreeText::EventNote,
        FreeText::ContactNote,
        FreeText::AssessmentNote,
        FreeText::AssessmentService,
        FreeText::AttributeText,
        FreeText::InformantAttribute,
        FreeText::MemberAttribute,
        FreeText::GroupAttribute,
        FreeText::SourceAttribute,
        FreeText::GuideText,
    ];

    /// What a withdrawal does with this field. A text "quotes" the informant by the rule in
    /// [`crate::quoting`].
    pub fn on_withdrawal(self) -> OnWithdrawal {
        use FreeText::*;
        use OnWithdrawal::*;
        match self {
            // A withdrawn speaker's labels give way to neutral ones (`Source::withdraw`).
            InformantWorkplace | InformantPosition | InformantAttribute | Transcript
            | SpeakerLabel => Theirs,
            // A value is deleted, not replaced: a one-of's value must be one of its texts.
            Memo | MemberAttribute | GroupAttribute | SourceAttribute => DeleteWhenQuoting,
            StudyResearchQuestion
            | StudyMethod
            | SourceTitle
            | CodingMemo
            | MeetingNote
            | RulesFrequency
            | RulesPlace
            | RulesLeader
            | RulesDisagreement
            | MoveNote
            | TransitionNote
            | EventNote
            | ContactNote
            | AssessmentNote => ClearWhenQuoting,
            StudyTitle | StatementText | PracticeDescription | ActionTitle | EventAudience => {
                ReplaceWhenQuoting
            }
            MunicipalityName => Kept("the name of a municipality, a public body"),
            GroupName => Kept("the name of a resource group, shown on every table"),
            MemberService | AssessmentService => {
                Kept("the kind of service or organisation (`nav`, `school`), not a person")
            }
            AttributeText => Kept(
                "the name of an attribute and the values it allows: categories a study \
                 declares, not what people said",
            ),
            GuideText => Kept(
                "an interview guide is the researchers' own text, the questions they asked, \
                 not what informants said",
            ),
            FrameworkText | CodeText => Kept(
                "a framework is shared by the studies in a store and kept as a file of its \
                 own; it defines codes and holds no study's material",
            ),
        }
    }
}

/// A free text in place, for withdrawal to clear or replace.
pub(crate) enum TextSlot<'a> {
    /// An optional text ([`OnWithdrawal::ClearWhenQuoting`]).
    Optional(&'a mut Option<String>),
    /// A text its record cannot lack ([`OnWithdrawal::ReplaceWhenQuoting`], or the text of a
    /// record that is deleted whole).
    Required(&'a mut String),
}

impl TextSlot<'_> {
    /// The text, if any.
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            TextSlot::Optional(t) => t.as_deref(),
            TextSlot::Required(t) => Some(t),
        }
    }

    /// Clears an optional text or replaces a required one when `quotes` says it quotes;
    /// true when it did.
    pub(crate) fn forget_if(self, quotes: impl Fn(&str) -> bool) -> bool {
        if !self.text().is_some_and(quotes) {
            return false;
        }
        match self {
            TextSlot::Optional(t) => *t = None,
            TextSlot::Required(t) => *t = crate::facilitation::REMOVED_TEXT.to_owned(),
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_field_once() {
        let mut seen = std::collections::BTreeSet::new();
        for f in FreeText::ALL {
            assert!(seen.insert(f), "{f:?} twice");
        }
    }
}
