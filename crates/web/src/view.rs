//! What each page shows, as plain values for its template (`templates/*.html`, checked
//! against these structs when the crate compiles), and the drawing of a page into a response.
//! Every value is text already in the reader's language; the templates escape it.

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::i18n::{Lang, Texts};

/// The frame of every page: the reader's words and language, their CSRF code for the forms
/// of the frame (language, sign-out), who is signed in, the path shown, and a line of news.
#[derive(Clone)]
pub struct Chrome {
    /// The reader's words.
    pub t: &'static Texts,
    /// Their language.
    pub lang: Lang,
    /// The session's CSRF code (empty when signed out).
    pub csrf: String,
    /// The token signed in with, if any.
    pub user: Option<String>,
    /// The path of this page, to come back to after a change of language.
    pub here: String,
    /// What went right (`Saved.`).
    pub ok: Option<&'static str>,
    /// What went wrong, in words.
    pub err: Option<String>,
}

impl Chrome {
    /// The page's `lang` (BCP 47).
    pub fn tag(&self) -> &'static str {
        self.lang.tag()
    }
}

/// A page drawn, as a response with `status`. A template that fails to draw is a bug; it is
/// logged, and the reader told so in a sentence.
pub fn html<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page could not be drawn");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "The page could not be drawn; the server's log has the details.",
            )
                .into_response()
        }
    }
}

/// One choice of a select, a set of radio buttons or checkboxes.
pub struct Choice {
    /// What the form sends.
    pub value: String,
    /// What the reader sees.
    pub label: String,
    /// Chosen now.
    pub selected: bool,
}

/// A group, as the head of its pages.
pub struct GroupHead {
    /// The study's title.
    pub study: String,
    /// The group's name.
    pub name: String,
    /// The path of its page (`/app/studies/S/groups/G`).
    pub href: String,
    /// The caller may change its record.
    pub can_write: bool,
    /// What a study made up to illustrate says on every page of it, in the reader's language.
    pub notice: Option<&'static str>,
}

/// The sign-in page.
#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInView {
    pub c: Chrome,
    /// The form's CSRF code (also in its cookie).
    pub code: String,
    /// The page to go to after.
    pub next: String,
}

/// A page that says what went wrong.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorView {
    pub c: Chrome,
    pub message: String,
}

/// A link to a group.
pub struct GroupLink {
    pub name: String,
    pub href: String,
}

/// A study's groups the caller may read.
pub struct StudyGroups {
    pub title: String,
    /// As [`GroupHead::notice`].
    pub notice: Option<&'static str>,
    pub groups: Vec<GroupLink>,
    /// Its sources, for a caller who may analyse.
    pub sources: Option<GroupLink>,
}

/// My groups.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomeView {
    pub c: Chrome,
    pub studies: Vec<StudyGroups>,
}

/// A member, as the group's pages list them (members are known by their ids).
pub struct MemberRow {
    pub id: String,
    pub sector: String,
    pub service: String,
    pub youth: bool,
    pub pd_youth: bool,
}

/// A meeting in a list.
pub struct MeetingRow {
    pub href: String,
    pub date: String,
    pub kind: String,
    /// Members whose attendance is recorded.
    pub recorded: usize,
}

/// A trial action in a list.
pub struct ActionLine {
    pub title: String,
    pub state: String,
}

/// A group's page.
#[derive(Template)]
#[template(path = "group.html")]
pub struct GroupView {
    pub c: Chrome,
    pub g: GroupHead,
    pub todays: Vec<MeetingRow>,
    pub meetings: Vec<MeetingRow>,
    pub members: Vec<MemberRow>,
    /// Where the PD process stands, in words.
    pub pd: Option<String>,
    /// The agreed problem statement, or the latest draft, and whether it is agreed.
    pub statement: Option<(String, bool)>,
    pub actions: Vec<ActionLine>,
    pub contacts: usize,
    /// The sectors a new member may be of.
    pub sectors: Vec<Choice>,
}

/// A member's attendance at a meeting, as the form shows it.
pub struct AttendanceRow {
    pub id: String,
    /// The form field (`presence:<member>`).
    pub field: String,
    pub about: String,
    /// `present`, `absent`, `excused`, or empty when none is recorded.
    pub choice: String,
}

/// A meeting and its attendance form.
#[derive(Template)]
#[template(path = "meeting.html")]
pub struct MeetingView {
    pub c: Chrome,
    pub g: GroupHead,
    pub title: String,
    pub note: String,
    pub action: String,
    pub rows: Vec<AttendanceRow>,
    /// (value, label) of each presence.
    pub presences: Vec<(String, String)>,
}

/// The form for a new meeting.
#[derive(Template)]
#[template(path = "new_meeting.html")]
pub struct NewMeetingView {
    pub c: Chrome,
    pub g: GroupHead,
    pub today: String,
    pub kinds: Vec<Choice>,
}

/// A stay in a PD step.
pub struct StayRow {
    pub phase: String,
    pub step: String,
    pub entered: String,
    pub left: String,
    pub back: bool,
}

/// The steps of one phase, for the select.
pub struct PhaseSteps {
    pub label: String,
    pub steps: Vec<Choice>,
}

/// The PD process and the form for a move.
#[derive(Template)]
#[template(path = "process.html")]
pub struct ProcessView {
    pub c: Chrome,
    pub g: GroupHead,
    pub today: String,
    pub stays: Vec<StayRow>,
    pub phases: Vec<PhaseSteps>,
}

/// A trial action with the states it may go to next.
pub struct ActionCard {
    pub title: String,
    pub kind: String,
    pub state: String,
    pub history: Vec<String>,
    pub href: String,
    pub next: Vec<Choice>,
}

/// The register of trial actions.
#[derive(Template)]
#[template(path = "actions.html")]
pub struct ActionsView {
    pub c: Chrome,
    pub g: GroupHead,
    pub today: String,
    pub actions: Vec<ActionCard>,
    pub kinds: Vec<Choice>,
}

/// A problem statement.
pub struct StatementCard {
    pub text: String,
    pub drafted: String,
    pub agreed: Option<String>,
    pub participants: String,
    pub agree_href: String,
}

/// The problem statements and the form for a new one.
#[derive(Template)]
#[template(path = "statements.html")]
pub struct StatementsView {
    pub c: Chrome,
    pub g: GroupHead,
    pub today: String,
    pub statements: Vec<StatementCard>,
    pub members: Vec<Choice>,
}

/// A contact between two members.
pub struct ContactRow {
    pub a: String,
    pub b: String,
    pub date: String,
    pub note: String,
}

/// The group's new contacts and the form for one.
#[derive(Template)]
#[template(path = "contacts.html")]
pub struct ContactsView {
    pub c: Chrome,
    pub g: GroupHead,
    pub today: String,
    pub contacts: Vec<ContactRow>,
    pub members: Vec<Choice>,
}

/// A row of attendance rates.
pub struct RateRow {
    pub key: String,
    pub present: String,
    pub rate: String,
}

/// A chart as the report draws it.
pub struct FigureView {
    pub title: String,
    /// The drawing: an `<svg>` element made by the report's chart code, which escapes every
    /// label it draws.
    pub svg: String,
}

/// The group's analytics.
#[derive(Template)]
#[template(path = "analytics.html")]
pub struct AnalyticsView {
    pub c: Chrome,
    pub g: GroupHead,
    pub members: String,
    pub sectors: String,
    pub youth: String,
    pub blau: String,
    pub by_service: Vec<RateRow>,
    pub by_sector: Vec<RateRow>,
    pub by_month: Vec<RateRow>,
    pub contacts: String,
    pub figures: Vec<FigureView>,
}

/// A positive deviant practice in the list.
pub struct PracticeRow {
    pub level: String,
    pub description: String,
    pub observed: String,
}

/// A dissemination in the list.
pub struct EventRow {
    pub date: String,
    pub audience: String,
    pub action: String,
    pub note: String,
}

/// The group's rules, its positive deviant practices and its dissemination.
#[derive(Template)]
#[template(path = "record.html")]
pub struct RecordView {
    pub c: Chrome,
    pub g: GroupHead,
    pub today: String,
    pub frequency: String,
    pub place: String,
    pub leader: String,
    pub disagreement: String,
    pub levels: Vec<Choice>,
    pub practices: Vec<PracticeRow>,
    pub actions: Vec<Choice>,
    pub events: Vec<EventRow>,
}
