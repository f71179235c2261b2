//! The journal of edits (schema 19): every change made through the CLI or the API, with who
//! made it, when and what, written by the change's own transaction, so that a change that
//! fails leaves no entry and an entry always stands for a change that was made.
//!
//! An entry says what it did in a one-line summary of ids, spans and counts (never a text),
//! and keeps what undoing it needs (its payload) and what it wrote and read (its touches).
//! [`Store::undo`] reverts an entry when no later entry depends on it: one that read or wrote
//! anything it wrote. A withdrawal or an import of a study touches the whole study, so that
//! nothing of the study made before either can be undone; their payloads are then of no use,
//! and they are cleared, so that no memo text an informant's withdrawal removed stays behind
//! in the journal.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use samskap_core::codebook::Edit;
use samskap_core::{CodeId, StudyId};
use serde::{Deserialize, Serialize};

use crate::read::{get, rows};
use crate::tokens::{now, parse_time, timestamp};
use crate::{Store, StoreError};

/// How a change came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// The command line (or any other program that uses the store itself).
    Cli,
    /// The HTTP API.
    Api,
}

impl Via {
    /// `cli` or `api`.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Cli => "cli",
            Via::Api => "api",
        }
    }
}

/// Who makes the changes a store connection writes: what the journal records as `who` and
/// `via`. A store opened without one records [`Actor::default`] (`unknown`, via the CLI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    who: String,
    via: Via,
}

/// The longest name of an actor (as of a token).
const MAX_WHO_CHARS: usize = 100;

impl Actor {
    /// Someone by name: non-empty, without leading or trailing spaces or control characters,
    /// at most 100 characters (`Invalid` otherwise).
    pub fn new(who: &str, via: Via) -> Result<Self, StoreError> {
        let ok = !who.trim().is_empty()
            && who.trim() == who
            && who.chars().count() <= MAX_WHO_CHARS
            && !who.chars().any(char::is_control);
        if !ok {
            return Err(StoreError::Invalid(format!(
                "who makes a change is named by 1 to {MAX_WHO_CHARS} characters, without \
                 leading or trailing spaces or control characters: {who:?}"
            )));
        }
        Ok(Self {
            who: who.to_owned(),
            via,
        })
    }

    /// An API token's holder: its name was checked when the token was made.
    pub(crate) fn token(name: &str) -> Self {
        Self {
            who: name.to_owned(),
            via: Via::Api,
        }
    }

    /// The name.
    pub fn who(&self) -> &str {
        &self.who
    }

    /// How the changes come in.
    pub fn via(&self) -> Via {
        self.via
    }
}

impl Default for Actor {
    fn default() -> Self {
        Self {
            who: "unknown".into(),
            via: Via::Cli,
        }
    }
}

/// What kind of change an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EditKind {
    /// Codings added (`code add`).
    #[serde(rename = "coding.add")]
    CodingAdd,
    /// A coding removed (`code remove`).
    #[serde(rename = "coding.remove")]
    CodingRemove,
    /// Consensus codings recorded (`code reconcile`).
    #[serde(rename = "coding.reconcile")]
    Reconcile,
    /// A unit chosen as an exemplar of a code.
    #[serde(rename = "exemplar.add")]
    ExemplarAdd,
    /// A unit no longer an exemplar of a code.
    #[serde(rename = "exemplar.remove")]
    ExemplarRemove,
    /// A memo added.
    #[serde(rename = "memo.add")]
    MemoAdd,
    /// A memo's text changed.
    #[serde(rename = "memo.edit")]
    MemoEdit,
    /// A memo removed.
    #[serde(rename = "memo.remove")]
    MemoRemove,
    /// An informant's consent set to given or pending.
    #[serde(rename = "informant.consent")]
    Consent,
    /// An informant withdrawn (their material deleted).
    #[serde(rename = "informant.withdraw")]
    Withdraw,
    /// A code renamed, moved, merged, split or deleted.
    #[serde(rename = "codebook.edit")]
    CodebookEdit,
    /// A framework added or updated from a file.
    #[serde(rename = "framework.import")]
    FrameworkImport,
    /// A study imported (or replaced) whole.
    #[serde(rename = "study.import")]
    StudyImport,
    /// A source added.
    #[serde(rename = "source.add")]
    SourceAdd,
    /// A source's text replaced.
    #[serde(rename = "source.replace")]
    SourceReplace,
    /// Something added to the facilitation record (a member, a meeting, attendance, an
    /// assessment, …).
    #[serde(rename = "facilitation")]
    Facilitation,
    /// An API token made.
    #[serde(rename = "token.create")]
    TokenCreate,
    /// An API token revoked.
    #[serde(rename = "token.revoke")]
    TokenRevoke,
    /// The store restored from a backup.
    #[serde(rename = "store.restore")]
    Restore,
    /// An earlier entry undone.
    #[serde(rename = "undo")]
    Undo,
}

impl EditKind {
    /// Every kind.
    pub const ALL: [EditKind; 20] = [
        EditKind::CodingAdd,
        EditKind::CodingRemove,
        EditKind::Reconcile,
        EditKind::ExemplarAdd,
        EditKind::ExemplarRemove,
        EditKind::MemoAdd,
        EditKind::MemoEdit,
        EditKind::MemoRemove,
        EditKind::Consent,
        EditKind::Withdraw,
        EditKind::CodebookEdit,
        EditKind::FrameworkImport,
        EditKind::StudyImport,
        EditKind::SourceAdd,
        EditKind::SourceReplace,
        EditKind::Facilitation,
        EditKind::TokenCreate,
        EditKind::TokenRevoke,
        EditKind::Restore,
        EditKind::Undo,
    ];

    /// The name stored and shown (`coding.add`).
    pub fn as_str(self) -> &'static str {
        match self {
            EditKind::CodingAdd => "coding.add",
            EditKind::CodingRemove => "coding.remove",
            EditKind::Reconcile => "coding.reconcile",
            EditKind::ExemplarAdd => "exemplar.add",
            EditKind::ExemplarRemove => "exemplar.remove",
            EditKind::MemoAdd => "memo.add",
            EditKind::MemoEdit => "memo.edit",
            EditKind::MemoRemove => "memo.remove",
            EditKind::Consent => "informant.consent",
            EditKind::Withdraw => "informant.withdraw",
            EditKind::CodebookEdit => "codebook.edit",
            EditKind::FrameworkImport => "framework.import",
            EditKind::StudyImport => "study.import",
            EditKind::SourceAdd => "source.add",
            EditKind::SourceReplace => "source.replace",
            EditKind::Facilitation => "facilitation",
            EditKind::TokenCreate => "token.create",
            EditKind::TokenRevoke => "token.revoke",
            EditKind::Restore => "store.restore",
            EditKind::Undo => "undo",
        }
    }

    /// Why an entry of this kind cannot be undone (when it cannot): said when one is asked
    /// for by number.
    fn why_not(self) -> &'static str {
        match self {
            EditKind::Withdraw => "a withdrawal deletes the informant's material for good",
            EditKind::StudyImport => {
                "an import is undone by importing the bundle as it was (`samskap import --replace`)"
            }
            EditKind::FrameworkImport => "import the framework file as it was instead",
            EditKind::CodebookEdit => {
                "of the codebook's edits, a rename, a move and a split can be undone; a merge or a \
                 delete cannot (restore a backup instead)"
            }
            EditKind::SourceAdd | EditKind::SourceReplace => {
                "a source's text is changed again with `samskap source replace`"
            }
            EditKind::Facilitation => "the facilitation record is added to, never taken back",
            EditKind::TokenCreate | EditKind::TokenRevoke => {
                "a token is revoked, or another made, instead"
            }
            EditKind::Restore => "restore the backup the restore kept instead",
            EditKind::Undo => "an undo is not undone: make the edit again",
            // The kinds that can be undone lose their payload when a later withdrawal or
            // import of the study (or a restore) makes the state they changed gone.
            _ => {
                "a later withdrawal, import or restore changed the study as a whole, so \
                 nothing before it can be undone"
            }
        }
    }
}

impl fmt::Display for EditKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EditKind {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, StoreError> {
        EditKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| StoreError::Corrupt(format!("journal entry of unknown kind `{s}`")))
    }
}

/// An entry of the journal, as `samskap history` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    /// Its number; later entries have higher numbers.
    pub id: i64,
    /// The study changed; `None` for a change to the store as a whole.
    pub study: Option<StudyId>,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// Who (the `--as` name or user on the CLI, the token's name on the API).
    pub who: String,
    /// How.
    pub via: Via,
    /// What kind of change.
    pub kind: EditKind,
    /// What it did, in one line of ids, spans and counts.
    pub summary: String,
    /// Whether it can be reverted by `undo`, unless a later entry depends on it: its kind
    /// can be undone, it has not been, and no withdrawal, import or restore came since.
    pub undoable: bool,
    /// The entry that undid it.
    pub undone_by: Option<i64>,
    /// The entry this one undid (for an undo).
    pub undoes: Option<i64>,
}

/// What [`Store::undo`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Undone {
    /// The entry reverted (now marked undone).
    pub reverted: JournalEntry,
    /// The entry that records the undo.
    pub entry: JournalEntry,
}

/// Something an entry wrote or read: what an undo looks at to tell whether a later entry
/// depends on an earlier one. Stored as text, `kind|id|…` (ids hold no `|`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Touch {
    /// The whole store (a restore).
    All,
    /// A whole study (an import, a withdrawal).
    Study(String),
    /// A whole framework (an import of it).
    Framework(String),
    /// A code of a framework, with the codings and memos on it (an edit of the codebook).
    Code { framework: String, code: String },
    /// One coding.
    Coding(CodingKey),
    /// Every coder's codings of a code on one unit (an exemplar).
    UnitCode {
        study: String,
        source: String,
        start: usize,
        end: usize,
        framework: String,
        code: String,
    },
    /// Every coding of one coder in a study (what a reconcile reads).
    CoderCodings { study: String, coder: String },
    /// A source with its text, units and codings.
    Source { study: String, source: String },
    /// A memo, by its id.
    Memo { study: String, id: i64 },
    /// A memo on a code: it moves with the code.
    MemoOn {
        study: String,
        id: i64,
        framework: String,
        code: String,
    },
    /// An informant's consent.
    Informant { study: String, informant: String },
    /// A study's facilitation record.
    Record(String),
}

/// A coding by what makes it one: its unit, code, qualifier values and coder.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CodingKey {
    pub study: String,
    pub source: String,
    pub start: usize,
    pub end: usize,
    pub framework: String,
    pub code: String,
    /// As core writes them (`polarity=barrier`; empty for none).
    pub qualifiers: String,
    pub coder: String,
}

impl CodingKey {
    /// `I1 10..42 a/b (polarity=barrier) by A`.
    pub(crate) fn describe(&self) -> String {
        let values = if self.qualifiers.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.qualifiers)
        };
        format!(
            "{} {}..{} as {}{values} by {}",
            self.source, self.start, self.end, self.code, self.coder
        )
    }
}

impl Touch {
    /// This, and every touch that covers it: a later entry that touches any of them depends
    /// on an earlier one that wrote this, and one that writes any of them changes it.
    fn covered_by(&self) -> Vec<Touch> {
        let mut out = vec![self.clone()];
        let study = |s: &String| Touch::Study(s.clone());
        let framework = |f: &String| Touch::Framework(f.clone());
        let code = |f: &String, c: &String| Touch::Code {
            framework: f.clone(),
            code: c.clone(),
        };
        let source = |s: &String, src: &String| Touch::Source {
            study: s.clone(),
            source: src.clone(),
        };
        match self {
            Touch::All => return out,
            Touch::Study(_) | Touch::Framework(_) => {}
            Touch::Code { framework: f, .. } => out.push(framework(f)),
            Touch::Coding(k) => {
                out.push(Touch::UnitCode {
                    study: k.study.clone(),
                    source: k.source.clone(),
                    start: k.start,
                    end: k.end,
                    framework: k.framework.clone(),
                    code: k.code.clone(),
                });
                out.push(Touch::CoderCodings {
                    study: k.study.clone(),
                    coder: k.coder.clone(),
                });
                out.push(code(&k.framework, &k.code));
                out.push(source(&k.study, &k.source));
                out.push(study(&k.study));
                out.push(framework(&k.framework));
            }
            Touch::UnitCode {
                study: s,
                source: src,
                framework: f,
                code: c,
                ..
            } => {
                out.push(code(f, c));
                out.push(source(s, src));
                out.push(study(s));
                out.push(framework(f));
            }
            Touch::CoderCodings { study: s, .. }
            | Touch::Source { study: s, .. }
            | Touch::Memo { study: s, .. }
            | Touch::Informant { study: s, .. }
            | Touch::Record(s) => out.push(study(s)),
            Touch::MemoOn {
                study: s,
                framework: f,
                code: c,
                ..
            } => {
                out.push(code(f, c));
                out.push(study(s));
                out.push(framework(f));
            }
        }
        out.push(Touch::All);
        out
    }
}

impl fmt::Display for Touch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Touch::All => write!(f, "all"),
            Touch::Study(s) => write!(f, "study|{s}"),
            Touch::Framework(x) => write!(f, "framework|{x}"),
            Touch::Code { framework, code } => write!(f, "code|{framework}|{code}"),
            Touch::Coding(k) => write!(
                f,
                "coding|{}|{}|{}|{}|{}|{}|{}|{}",
                k.study, k.source, k.start, k.end, k.framework, k.code, k.qualifiers, k.coder
            ),
            Touch::UnitCode {
                study,
                source,
                start,
                end,
                framework,
                code,
            } => write!(
                f,
                "unit-code|{study}|{source}|{start}|{end}|{framework}|{code}"
            ),
            Touch::CoderCodings { study, coder } => write!(f, "coder|{study}|{coder}"),
            Touch::Source { study, source } => write!(f, "source|{study}|{source}"),
            Touch::Memo { study, id } => write!(f, "memo|{study}|{id}"),
            Touch::MemoOn {
                study,
                id,
                framework,
                code,
            } => write!(f, "memo-on|{study}|{id}|{framework}|{code}"),
            Touch::Informant { study, informant } => write!(f, "informant|{study}|{informant}"),
            Touch::Record(s) => write!(f, "record|{s}"),
        }
    }
}

impl FromStr for Touch {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, StoreError> {
        let bad = || StoreError::Corrupt(format!("journal touch `{s}`"));
        let p: Vec<&str> = s.split('|').collect();
        let o = |i: usize| p[i].to_owned();
        let n = |i: usize| p[i].parse::<usize>().map_err(|_| bad());
        Ok(match (p[0], p.len()) {
            ("all", 1) => Touch::All,
            ("study", 2) => Touch::Study(o(1)),
            ("framework", 2) => Touch::Framework(o(1)),
            ("code", 3) => Touch::Code {
                framework: o(1),
                code: o(2),
            },
            ("coding", 9) => Touch::Coding(CodingKey {
                study: o(1),
                source: o(2),
                start: n(3)?,
                end: n(4)?,
                framework: o(5),
                code: o(6),
                qualifiers: o(7),
                coder: o(8),
            }),
            ("unit-code", 7) => Touch::UnitCode {
                study: o(1),
                source: o(2),
                start: n(3)?,
                end: n(4)?,
                framework: o(5),
                code: o(6),
            },
            ("coder", 3) => Touch::CoderCodings {
                study: o(1),
                coder: o(2),
            },
            ("source", 3) => Touch::Source {
                study: o(1),
                source: o(2),
            },
            ("memo", 3) => Touch::Memo {
                study: o(1),
                id: p[2].parse().map_err(|_| bad())?,
            },
            ("memo-on", 5) => Touch::MemoOn {
                study: o(1),
                id: p[2].parse().map_err(|_| bad())?,
                framework: o(3),
                code: o(4),
            },
            ("informant", 3) => Touch::Informant {
                study: o(1),
                informant: o(2),
            },
            ("record", 2) => Touch::Record(o(1)),
            _ => return Err(bad()),
        })
    }
}

/// What an entry wrote and read, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Touches {
    pub writes: Vec<Touch>,
    pub reads: Vec<Touch>,
}

#[derive(Serialize, Deserialize)]
struct TouchesJson {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    w: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    r: Vec<String>,
}

impl Touches {
    fn to_json(&self) -> String {
        let strings = |v: &[Touch]| v.iter().map(ToString::to_string).collect();
        serde_json::to_string(&TouchesJson {
            w: strings(&self.writes),
            r: strings(&self.reads),
        })
        .expect("lists of strings are JSON")
    }

    fn from_json(s: &str) -> Result<Self, StoreError> {
        let j: TouchesJson = serde_json::from_str(s).map_err(StoreError::corrupt)?;
        let parse = |v: Vec<String>| v.iter().map(|t| t.parse()).collect::<Result<_, _>>();
        Ok(Self {
            writes: parse(j.w)?,
            reads: parse(j.r)?,
        })
    }
}

/// What a later entry must not touch for an earlier one to be undone: the earlier one's
/// writes, and everything that covers them, indexed once.
struct Written {
    writes: HashSet<Touch>,
    covering: HashSet<Touch>,
}

impl Written {
    fn of(writes: &[Touch]) -> Self {
        Self {
            writes: writes.iter().cloned().collect(),
            covering: writes.iter().flat_map(Touch::covered_by).collect(),
        }
    }

    /// True when `t` covers something written, or is covered by it.
    fn meets(&self, t: &Touch) -> bool {
        self.covering.contains(t) || t.covered_by().iter().any(|c| self.writes.contains(c))
    }
}

/// How to revert an entry: stored as its payload (JSON). Codings are named by the entry's
/// `Coding` writes, which hold every part of their key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "undo", rename_all = "snake_case")]
pub(crate) enum Undo {
    /// Delete the codings the entry wrote.
    DeleteCodings,
    /// Put the coding the entry wrote (removed) back as it was, with its row id and its
    /// unit's (the order of addition, which listings follow) unless another took them.
    RestoreCoding {
        row: i64,
        unit: i64,
        memo: Option<String>,
        version: u32,
        exemplar: bool,
    },
    /// Set the exemplar mark of the codings the entry wrote back to `!chosen`.
    Exemplar { chosen: bool },
    /// Delete the memo added.
    MemoAdded { id: i64 },
    /// Put a memo's text back.
    MemoEdited { id: i64, text: String },
    /// Put a removed memo back, with its id.
    MemoRemoved {
        id: i64,
        framework: Option<String>,
        code: Option<String>,
        author: String,
        text: String,
    },
    /// Set an informant's consent back.
    Consent { informant: String, was: String },
    /// Rename `to` back to `from`, before its old next sibling (`None`: as the last).
    Rename {
        from: CodeId,
        to: CodeId,
        before: Option<CodeId>,
    },
    /// Merge the code split off back into the code it came from.
    Split { from: CodeId, into: CodeId },
}

/// An entry to write.
#[derive(Debug, Clone)]
pub(crate) struct Note {
    pub kind: EditKind,
    pub study: Option<String>,
    pub summary: String,
    pub undo: Option<Undo>,
    pub touches: Touches,
}

impl Note {
    /// An entry that cannot be undone.
    pub(crate) fn final_(
        kind: EditKind,
        study: Option<&str>,
        summary: String,
        writes: Vec<Touch>,
    ) -> Self {
        Self {
            kind,
            study: study.map(str::to_owned),
            summary,
            undo: None,
            touches: Touches {
                writes,
                reads: Vec::new(),
            },
        }
    }

    /// An entry that can be undone.
    pub(crate) fn undoable(
        kind: EditKind,
        study: &str,
        summary: String,
        undo: Undo,
        writes: Vec<Touch>,
    ) -> Self {
        Self {
            kind,
            study: Some(study.to_owned()),
            summary,
            undo: Some(undo),
            touches: Touches {
                writes,
                reads: Vec::new(),
            },
        }
    }
}

/// Writes an entry in the caller's transaction; returns its number. An entry that writes a
/// whole study (or the store) clears the payloads of the entries before it there: none of
/// them can be undone any more, and a withdrawal must leave no text of theirs behind.
pub(crate) fn record(conn: &Connection, actor: &Actor, note: &Note) -> Result<i64, StoreError> {
    record_undo(conn, actor, note, None)
}

fn record_undo(
    conn: &Connection,
    actor: &Actor,
    note: &Note,
    undoes: Option<i64>,
) -> Result<i64, StoreError> {
    let payload = note
        .undo
        .as_ref()
        .map(|u| serde_json::to_string(u).expect("an undo is JSON"));
    conn.prepare_cached(
        "INSERT INTO journal (study_id, at, who, via, kind, summary, payload, touches, undoes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .and_then(|mut st| {
        st.execute(params![
            note.study,
            timestamp(now()),
            actor.who,
            actor.via.as_str(),
            note.kind.as_str(),
            note.summary,
            payload,
            note.touches.to_json(),
            undoes
        ])
    })
    .map_err(StoreError::db)?;
    let id = conn.last_insert_rowid();
    for w in &note.touches.writes {
        match w {
            Touch::All => {
                conn.execute(
                    "UPDATE journal SET payload = NULL WHERE id < ?1 AND payload IS NOT NULL",
                    [id],
                )
                .map_err(StoreError::db)?;
            }
            Touch::Study(s) => {
                conn.execute(
                    "UPDATE journal SET payload = NULL
                     WHERE study_id = ?2 AND id < ?1 AND payload IS NOT NULL",
                    params![id, s],
                )
                .map_err(StoreError::db)?;
            }
            _ => {}
        }
    }
    Ok(id)
}

/// A stored entry with what undoing it needs.
struct Row {
    entry: JournalEntry,
    undo: Option<Undo>,
    touches: Touches,
}

const COLUMNS: &str =
    "id, study_id, at, who, via, kind, summary, payload, touches, undoes, undone_by";

/// [`COLUMNS`] for a listing, in the same places: whether there is a payload rather than
/// the payload, and no touches, which a reconcile of many codings makes large and which a
/// listing never shows.
const ENTRY_COLUMNS: &str =
    "id, study_id, at, who, via, kind, summary, payload IS NOT NULL, NULL, undoes, undone_by";

fn row(r: &rusqlite::Row<'_>) -> Result<Row, StoreError> {
    let payload: Option<String> = get(r, 7)?;
    let undo: Option<Undo> = payload
        .map(|p| serde_json::from_str(&p).map_err(StoreError::corrupt))
        .transpose()?;
    Ok(Row {
        entry: entry_of(r, undo.is_some())?,
        undo,
        touches: Touches::from_json(&get::<String>(r, 8)?)?,
    })
}

/// An entry as a listing shows it, from a row of [`ENTRY_COLUMNS`] (or [`COLUMNS`], given
/// whether it has a payload).
fn entry_of(r: &rusqlite::Row<'_>, has_payload: bool) -> Result<JournalEntry, StoreError> {
    let via: String = get(r, 4)?;
    let undone_by: Option<i64> = get(r, 10)?;
    Ok(JournalEntry {
        id: get(r, 0)?,
        study: crate::read::parse_opt(get(r, 1)?)?,
        at: parse_time(get(r, 2)?)?,
        who: get(r, 3)?,
        via: match via.as_str() {
            "cli" => Via::Cli,
            "api" => Via::Api,
            other => return Err(StoreError::Corrupt(format!("journal via `{other}`"))),
        },
        kind: get::<String>(r, 5)?.parse()?,
        summary: get(r, 6)?,
        undoable: has_payload && undone_by.is_none(),
        undone_by,
        undoes: get(r, 9)?,
    })
}

/// [`entry_of`] a row of [`ENTRY_COLUMNS`].
fn listed(r: &rusqlite::Row<'_>) -> Result<JournalEntry, StoreError> {
    let has_payload: bool = get(r, 7)?;
    entry_of(r, has_payload)
}

fn entry(conn: &Connection, id: i64) -> Result<Option<Row>, StoreError> {
    let found = rows(
        conn,
        &format!("SELECT {COLUMNS} FROM journal WHERE id = ?1"),
        [id],
        row,
    )?;
    Ok(found.into_iter().next())
}

impl Store {
    /// Who the changes this connection makes are recorded as made by, from now on.
    pub fn act_as(&mut self, actor: Actor) {
        self.actor = actor;
    }

    /// Who the changes this connection makes are recorded as made by.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The latest `limit` entries of the journal, newest first: those of `study` and those
    /// of the store as a whole, or every entry when `study` is `None`.
    pub fn history(
        &self,
        study: Option<&StudyId>,
        limit: usize,
    ) -> Result<Vec<JournalEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let found = match study {
            Some(s) => {
                crate::read::study_exists(&self.conn, s.as_str())?;
                rows(
                    &self.conn,
                    &format!(
                        "SELECT {ENTRY_COLUMNS} FROM journal WHERE study_id = ?1 OR study_id IS NULL
                         ORDER BY id DESC LIMIT ?2"
                    ),
                    params![s.as_str(), limit],
                    listed,
                )?
            }
            None => rows(
                &self.conn,
                &format!("SELECT {ENTRY_COLUMNS} FROM journal ORDER BY id DESC LIMIT ?1"),
                [limit],
                listed,
            )?,
        };
        Ok(found)
    }

    /// Reverts an entry of `study`'s journal: the one numbered `id`, or the newest that can
    /// be undone. Refused when a later entry (not itself undone) read or wrote anything the
    /// entry wrote, naming it; when the entry's kind cannot be undone (a withdrawal, an
    /// import, the facilitation record, a merge of codes, …) or it came before a
    /// withdrawal, import or restore; and when it was undone already. The undo is an entry
    /// of its own, written in the same transaction. [`StoreError::NothingToUndo`] when no
    /// entry can be undone.
    pub fn undo(&mut self, study: &StudyId, id: Option<i64>) -> Result<Undone, StoreError> {
        let actor = self.actor.clone();
        let tx = self.write_tx()?;
        crate::read::study_exists(&tx, study.as_str())?;
        let target = match id {
            Some(id) => entry(&tx, id)?.ok_or_else(|| StoreError::NotFound {
                what: "journal entry",
                id: format!("#{id}"),
            })?,
            None => {
                let newest: Option<i64> = tx
                    .query_row(
                        "SELECT max(id) FROM journal WHERE study_id = ?1 AND payload IS NOT NULL
                           AND undone_by IS NULL",
                        [study.as_str()],
                        |r| r.get(0),
                    )
                    .map_err(StoreError::db)?;
                let newest = newest.ok_or_else(|| StoreError::NothingToUndo(study.to_string()))?;
                entry(&tx, newest)?.ok_or_else(|| StoreError::NothingToUndo(study.to_string()))?
            }
        };
        let e = &target.entry;
        let named = format!("entry #{} ({}: {})", e.id, e.kind, e.summary);
        if let Some(by) = e.undone_by {
            return Err(StoreError::Conflict(format!(
                "{named} was undone already, by entry #{by}"
            )));
        }
        if e.study.as_ref() != Some(study) {
            return Err(StoreError::Invalid(match &e.study {
                Some(other) => format!("{named} is an edit of study `{other}`, not of `{study}`"),
                None => format!(
                    "{named} changed the store as a whole and cannot be undone: {}",
                    e.kind.why_not()
                ),
            }));
        }
        let Some(undo) = target.undo.clone() else {
            return Err(StoreError::Invalid(format!(
                "{named} cannot be undone: {}",
                e.kind.why_not()
            )));
        };
        depends(&tx, &target)?;
        let writes = &target.touches.writes;
        revert(&tx, study, &actor, e.id, &undo, writes)?;
        let note = Note {
            kind: EditKind::Undo,
            study: Some(study.to_string()),
            summary: format!("undid #{}: {}", e.id, e.summary),
            undo: None,
            touches: Touches {
                writes: writes.clone(),
                reads: Vec::new(),
            },
        };
        let undo_id = record_undo(&tx, &actor, &note, Some(e.id))?;
        tx.execute(
            "UPDATE journal SET undone_by = ?2 WHERE id = ?1",
            [e.id, undo_id],
        )
        .map_err(StoreError::db)?;
        let reverted = entry(&tx, e.id)?.expect("the entry is there").entry;
        let written = entry(&tx, undo_id)?.expect("the entry is there").entry;
        tx.commit().map_err(StoreError::db)?;
        Ok(Undone {
            reverted,
            entry: written,
        })
    }
}

/// Refuses when an entry after `target` that is not undone (and not itself an undo) touches
/// what `target` wrote. An undo does not count: it reverted an entry that, being undoable
/// then, depended on nothing the target still holds.
fn depends(conn: &Connection, target: &Row) -> Result<(), StoreError> {
    let written = Written::of(&target.touches.writes);
    let mut blocker: Option<Row> = None;
    crate::read::each(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM journal WHERE id > ?1 AND undone_by IS NULL
               AND undoes IS NULL ORDER BY id"
        ),
        [target.entry.id],
        |r| {
            if blocker.is_some() {
                return Ok(());
            }
            let later = row(r)?;
            let t = &later.touches;
            if t.writes.iter().chain(&t.reads).any(|x| written.meets(x)) {
                blocker = Some(later);
            }
            Ok(())
        },
    )?;
    let Some(later) = blocker else {
        return Ok(());
    };
    let (e, l) = (&target.entry, &later.entry);
    let then = if later.undo.is_some() {
        format!("undo that first (`samskap undo {}`)", l.id)
    } else {
        "it cannot be undone, so neither can this".to_owned()
    };
    Err(StoreError::Conflict(format!(
        "entry #{} ({}: {}) cannot be undone: entry #{} ({}: {}, by {} at {}) came later and \
         depends on it; {then}",
        e.id,
        e.kind,
        e.summary,
        l.id,
        l.kind,
        l.summary,
        l.who,
        l.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )))
}

/// The codings an entry wrote.
fn codings(writes: &[Touch]) -> impl Iterator<Item = &CodingKey> {
    writes.iter().filter_map(|t| match t {
        Touch::Coding(k) => Some(k),
        _ => None,
    })
}

/// The meaning unit of a coding key, if it is there.
fn unit_of(conn: &Connection, k: &CodingKey) -> Result<Option<i64>, StoreError> {
    conn.prepare_cached(
        "SELECT id FROM meaning_unit
         WHERE study_id = ?1 AND source_id = ?2 AND start_char = ?3 AND end_char = ?4",
    )
    .and_then(|mut st| {
        st.query_row(
            params![k.study, k.source, k.start as i64, k.end as i64],
            |r| r.get(0),
        )
        .optional()
    })
    .map_err(StoreError::db)
}

/// A change the journal expected to find and did not: the store was changed by other means.
fn gone(what: String) -> StoreError {
    StoreError::Conflict(format!(
        "{what} is not as the journal left it (the store was changed by other means); \
         nothing was undone"
    ))
}

/// Applies `undo` in the caller's transaction.
fn revert(
    tx: &Transaction<'_>,
    study: &StudyId,
    actor: &Actor,
    id: i64,
    undo: &Undo,
    writes: &[Touch],
) -> Result<(), StoreError> {
    let sid = study.as_str();
    let one = |n: usize, what: &dyn Fn() -> String| {
        if n == 1 {
            Ok(())
        } else {
            Err(gone(what()))
        }
    };
    match undo {
        Undo::DeleteCodings => {
            let mut units = Vec::new();
            for k in codings(writes) {
                let unit =
                    unit_of(tx, k)?.ok_or_else(|| gone(format!("the coding {}", k.describe())))?;
                let n = tx
                    .prepare_cached(
                        "DELETE FROM coding WHERE unit_id = ?1 AND code = ?2 AND qualifiers = ?3
                           AND coder = ?4",
                    )
                    .and_then(|mut st| st.execute(params![unit, k.code, k.qualifiers, k.coder]))
                    .map_err(StoreError::db)?;
                one(n, &|| format!("the coding {}", k.describe()))?;
                units.push(unit);
            }
            let mut empty = tx
                .prepare_cached(
                    "DELETE FROM meaning_unit WHERE id = ?1
                       AND NOT EXISTS (SELECT 1 FROM coding WHERE unit_id = ?1)",
                )
                .map_err(StoreError::db)?;
            for u in units {
                empty.execute([u]).map_err(StoreError::db)?;
            }
        }
        Undo::RestoreCoding {
            row,
            unit,
            memo,
            version,
            exemplar,
        } => {
            for k in codings(writes) {
                let len: Option<i64> = tx
                    .query_row(
                        "SELECT char_len FROM transcript WHERE study_id = ?1 AND source_id = ?2",
                        params![k.study, k.source],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(StoreError::db)?;
                if len.is_none_or(|len| k.end as i64 > len) {
                    return Err(gone(format!("source `{}`", k.source)));
                }
                let free = |table: &str, id: i64| -> Result<Option<i64>, StoreError> {
                    let taken = tx
                        .query_row(
                            &format!("SELECT 1 FROM {table} WHERE id = ?1"),
                            [id],
                            |_| Ok(()),
                        )
                        .optional()
                        .map_err(StoreError::db)?
                        .is_some();
                    Ok((!taken).then_some(id))
                };
                let unit = match unit_of(tx, k)? {
                    Some(u) => u,
                    None => {
                        tx.execute(
                            "INSERT INTO meaning_unit (id, study_id, source_id, start_char, end_char)
                             VALUES (?1, ?2, ?3, ?4, ?5)",
                            params![
                                free("meaning_unit", *unit)?,
                                k.study,
                                k.source,
                                k.start as i64,
                                k.end as i64
                            ],
                        )
                        .map_err(StoreError::db)?;
                        tx.last_insert_rowid()
                    }
                };
                tx.execute(
                    "INSERT INTO coding (id, unit_id, framework_id, code, qualifiers, coder, memo,
                                         version, exemplar)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![
                        free("coding", *row)?,
                        unit,
                        k.framework,
                        k.code,
                        k.qualifiers,
                        k.coder,
                        memo,
                        version,
                        exemplar
                    ],
                )
                .map_err(|e| match e.sqlite_error_code() {
                    Some(rusqlite::ErrorCode::ConstraintViolation) => {
                        gone(format!("the coding {}", k.describe()))
                    }
                    _ => StoreError::db(e),
                })?;
            }
        }
        Undo::Exemplar { chosen } => {
            for k in codings(writes) {
                let unit =
                    unit_of(tx, k)?.ok_or_else(|| gone(format!("the coding {}", k.describe())))?;
                let n = tx
                    .execute(
                        "UPDATE coding SET exemplar = ?5 WHERE unit_id = ?1 AND code = ?2
                           AND qualifiers = ?3 AND coder = ?4",
                        params![unit, k.code, k.qualifiers, k.coder, !chosen],
                    )
                    .map_err(StoreError::db)?;
                one(n, &|| format!("the coding {}", k.describe()))?;
            }
        }
        Undo::MemoAdded { id } => {
            let n = tx
                .execute(
                    "DELETE FROM memo WHERE id = ?1 AND study_id = ?2",
                    params![id, sid],
                )
                .map_err(StoreError::db)?;
            one(n, &|| format!("memo {id}"))?;
        }
        Undo::MemoEdited { id, text } => {
            let n = tx
                .execute(
                    "UPDATE memo SET text = ?3 WHERE id = ?1 AND study_id = ?2",
                    params![id, sid, text],
                )
                .map_err(StoreError::db)?;
            one(n, &|| format!("memo {id}"))?;
        }
        Undo::MemoRemoved {
            id,
            framework,
            code,
            author,
            text,
        } => {
            tx.execute(
                "INSERT INTO memo (id, study_id, framework_id, code, author, text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, sid, framework, code, author, text],
            )
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::ConstraintViolation) => gone(format!("memo {id}")),
                _ => StoreError::db(e),
            })?;
        }
        Undo::Consent { informant, was } => {
            let n = tx
                .execute(
                    "UPDATE informant SET consent = ?3
                     WHERE study_id = ?1 AND id = ?2 AND consent <> 'withdrawn'",
                    params![sid, informant, was],
                )
                .map_err(StoreError::db)?;
            one(n, &|| format!("informant `{informant}`"))?;
        }
        Undo::Rename { from, to, before } => {
            let edit = Edit::Rename {
                from: to.clone(),
                to: from.clone(),
            };
            let place = crate::codebook::Place {
                code: from.clone(),
                before: before.clone(),
            };
            crate::codebook::apply(tx, study, &edit, &[], &undo_change(actor, id), Some(&place))?;
        }
        Undo::Split { from, into } => {
            let edit = Edit::Merge {
                from: vec![into.clone()],
                into: from.clone(),
            };
            crate::codebook::apply(tx, study, &edit, &[], &undo_change(actor, id), None)?;
        }
    }
    Ok(())
}

/// The codebook version an undo makes: by whoever undoes, now.
fn undo_change(actor: &Actor, id: i64) -> crate::Change {
    crate::Change {
        by: actor.who.clone(),
        at: now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        note: Some(format!("undo of journal entry #{id}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coding(coder: &str, code: &str) -> Touch {
        Touch::Coding(CodingKey {
            study: "s".into(),
            source: "I1".into(),
            start: 10,
            end: 42,
            framework: "f".into(),
            code: code.into(),
            qualifiers: "polarity=barrier".into(),
            coder: coder.into(),
        })
    }

    #[test]
    fn touches_read_back_as_written() {
        let all = [
            Touch::All,
            Touch::Study("s".into()),
            Touch::Framework("f".into()),
            Touch::Code {
                framework: "f".into(),
                code: "a/b".into(),
            },
            coding("A", "a/b"),
            Touch::Coding(CodingKey {
                qualifiers: String::new(),
                ..match coding("A", "a") {
                    Touch::Coding(k) => k,
                    _ => unreachable!(),
                }
            }),
            Touch::UnitCode {
                study: "s".into(),
                source: "I1".into(),
                start: 0,
                end: 3,
                framework: "f".into(),
                code: "a".into(),
            },
            Touch::CoderCodings {
                study: "s".into(),
                coder: "A".into(),
            },
            Touch::Source {
                study: "s".into(),
                source: "I1".into(),
            },
            Touch::Memo {
                study: "s".into(),
                id: 7,
            },
            Touch::MemoOn {
                study: "s".into(),
                id: 7,
                framework: "f".into(),
                code: "a".into(),
            },
            Touch::Informant {
                study: "s".into(),
                informant: "I1".into(),
            },
            Touch::Record("s".into()),
        ];
        for t in all {
            assert_eq!(t.to_string().parse::<Touch>().unwrap(), t, "{t}");
        }
        assert!("coding|s|I1|x|2|f|a||A".parse::<Touch>().is_err());
        assert!("nothing".parse::<Touch>().is_err());
    }

    #[test]
    fn a_later_touch_meets_what_it_covers_or_what_covers_it() {
        let written = Written::of(&[coding("A", "a/b")]);
        // The same coding, the unit and code (an exemplar), the coder (a reconcile), the
        // code (a rename), the source, the study, the framework, the store.
        for t in coding("A", "a/b").covered_by() {
            assert!(written.meets(&t), "{t}");
        }
        // Another coder's coding of the same unit and code, another code, a memo, another
        // study's coder: independent.
        for t in [
            coding("B", "a/b"),
            coding("A", "a/c"),
            Touch::Code {
                framework: "f".into(),
                code: "a".into(),
            },
            Touch::Memo {
                study: "s".into(),
                id: 1,
            },
            Touch::CoderCodings {
                study: "t".into(),
                coder: "A".into(),
            },
            Touch::Record("s".into()),
        ] {
            assert!(!written.meets(&t), "{t}");
        }
        // A rename of the code meets a memo on it, but a coding of the code does not.
        let memo = Written::of(&[
            Touch::Memo {
                study: "s".into(),
                id: 3,
            },
            Touch::MemoOn {
                study: "s".into(),
                id: 3,
                framework: "f".into(),
                code: "a/b".into(),
            },
        ]);
        assert!(memo.meets(&Touch::Code {
            framework: "f".into(),
            code: "a/b".into()
        }));
        assert!(!memo.meets(&coding("A", "a/b")));
        assert!(memo.meets(&Touch::Memo {
            study: "s".into(),
            id: 3
        }));
        // A rename (of its codes) meets a later coding of the code it renamed to.
        let rename = Written::of(&[
            Touch::Code {
                framework: "f".into(),
                code: "a/b".into(),
            },
            Touch::Code {
                framework: "f".into(),
                code: "a/c".into(),
            },
        ]);
        assert!(rename.meets(&coding("A", "a/c")));
        assert!(!rename.meets(&coding("A", "a/d")));
        assert!(!rename.meets(&Touch::Study("t".into())));
    }

    #[test]
    fn a_change_whose_entry_cannot_be_written_is_not_made() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .conn
            .execute_batch(
                "CREATE TEMP TRIGGER no_journal BEFORE INSERT ON main.journal
                 BEGIN SELECT RAISE(ABORT, 'the journal refuses'); END;",
            )
            .unwrap();
        let e = store
            .create_token("kari", crate::TokenRole::Admin, &[])
            .unwrap_err();
        assert!(e.to_string().contains("the journal refuses"), "{e}");
        assert!(store.list_tokens().unwrap().is_empty());
        let mini = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/mini");
        let study = samskap_bundle::read(&mini).unwrap();
        let e = store.import_study(&study, crate::Replace::No).unwrap_err();
        assert!(e.to_string().contains("the journal refuses"), "{e}");
        assert!(store.studies().unwrap().is_empty());
    }

    #[test]
    fn every_kind_reads_back_from_its_name() {
        for k in EditKind::ALL {
            assert_eq!(k.as_str().parse::<EditKind>().unwrap(), k);
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert!("coding.frobnicate".parse::<EditKind>().is_err());
    }

    #[test]
    fn a_name_must_be_one_a_person_would_give() {
        assert!(Actor::new("kari", Via::Cli).is_ok());
        for bad in ["", " kari", "kari\n", &"x".repeat(101)] {
            assert!(Actor::new(bad, Via::Cli).is_err(), "{bad:?}");
        }
    }
}
