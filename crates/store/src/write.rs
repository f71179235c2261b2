//! Writes: importing a whole study (with its facilitation record) in one transaction.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use samskap_core::{AttributeHolder, Framework, Member, Study};

use crate::facilitation::date_opt;
use crate::{read, Store, StoreError};

/// Whether an import may replace a study with the same id, and what becomes of the stored
/// facilitation record, which may hold what facilitators recorded through the API since the
/// study was last imported or exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Refuse when the study exists.
    No,
    /// Replace it, in the same transaction, when the new study brings the same facilitation
    /// record as the stored one; refuse (a `Conflict`) when the records differ, so that
    /// nothing recorded since is lost unasked.
    Yes,
    /// Replace it but keep the stored facilitation record, checked again against the new
    /// study (a `Conflict` when it no longer fits, e.g. a member it names is gone).
    KeepFacilitation,
    /// Replace it whole: the new study's facilitation record replaces the stored one.
    DiscardFacilitation,
}

/// What an import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Informants.
    pub informants: usize,
    /// Transcripts.
    pub transcripts: usize,
    /// Meaning units.
    pub units: usize,
    /// Codings.
    pub codings: usize,
    /// Memos.
    pub memos: usize,
    /// True when an older version of the study was replaced.
    pub replaced: bool,
}

impl Store {
    /// Writes a whole study. One transaction: on any error the store is as it was.
    pub fn import_study(
        &mut self,
        study: &Study,
        replace: Replace,
    ) -> Result<ImportSummary, StoreError> {
        let actor = self.actor.clone();
        let tx = self.write_tx()?;
        let summary = write_study(&tx, study, replace)?;
        journal_import(&tx, &actor, study, &summary, "")?;
        tx.commit().map_err(StoreError::db)?;
        Ok(summary)
    }
}

/// The journal's one entry for an import (never one per row): the whole study is written,
/// and its framework, so nothing before it can be undone. `from` says where the study came
/// from, if not a bundle (` from a REFI-QDA project`).
pub(crate) fn journal_import(
    tx: &Transaction<'_>,
    actor: &crate::Actor,
    study: &Study,
    s: &ImportSummary,
    from: &str,
) -> Result<(), StoreError> {
    use crate::journal::{EditKind, Note, Touch};
    let id = &study.meta().id;
    let verb = if s.replaced { "replaced" } else { "imported" };
    let summary = format!(
        "{verb} study {id}{from}: {} informants, {} sources, {} meaning units, {} codings, {} memos",
        s.informants, s.transcripts, s.units, s.codings, s.memos
    );
    let note = Note::final_(
        EditKind::StudyImport,
        Some(id.as_str()),
        summary,
        vec![
            Touch::Study(id.to_string()),
            Touch::Framework(study.framework().id().to_string()),
        ],
    );
    crate::journal::record(tx, actor, &note).map(drop)
}

fn write_framework(tx: &Transaction<'_>, f: &Framework) -> Result<(), StoreError> {
    let existing = read::framework_in(tx, f.id().as_str()).optional_missing()?;
    match existing {
        Some(e) if &e == f => return Ok(()),
        Some(_) => {
            let users = {
                let mut st = tx
                    .prepare("SELECT id FROM study WHERE framework_id = ?1 ORDER BY rowid")
                    .map_err(StoreError::db)?;
                let rows = st
                    .query_map([f.id().as_str()], |r| r.get::<_, String>(0))
                    .map_err(StoreError::db)?;
                rows.collect::<Result<Vec<_>, _>>()
                    .map_err(StoreError::db)?
            };
            if !users.is_empty() {
                return Err(StoreError::Conflict(format!(
                    "the store holds a different framework `{}`, used by study {}; give this one another id",
                    f.id(),
                    users.join(", ")
                )));
            }
            // No study codes against the old version any more (a --replace deleted it):
            // the edited framework takes its place.
            tx.execute("DELETE FROM framework WHERE id = ?1", [f.id().as_str()])
                .map_err(StoreError::db)?;
        }
        None => {}
    }
    insert_framework(tx, f, None)
}

/// Inserts a new framework with its codes and qualifiers, and records it as version 1, made
/// by `change` when the caller says who made it.
pub(crate) fn insert_framework(
    tx: &Transaction<'_>,
    f: &Framework,
    change: Option<&crate::Change>,
) -> Result<(), StoreError> {
    let m = f.meta();
    tx.execute(
        "INSERT INTO framework (id, label, description) VALUES (?1, ?2, ?3)",
        params![m.id.as_str(), read::labels_json(&m.label), m.description],
    )
    .map_err(StoreError::db)?;
    upsert_codes(tx, f)?;
    insert_qualifiers(tx, f)?;
    crate::versions::record(tx, f, change, FIRST_VERSION)?;
    Ok(())
}

/// What version 1 of a framework says.
const FIRST_VERSION: &str = "first version";

/// Writes a framework's codes, each with its rank in tree order: a new code is inserted, one
/// that is there (by path) is updated in place, so that codings keep pointing at it.
pub(crate) fn upsert_codes(tx: &Transaction<'_>, f: &Framework) -> Result<(), StoreError> {
    let mut st = tx
        .prepare_cached(
            "INSERT INTO code (framework_id, path, rank, label, definition, colour, memo)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (framework_id, path) DO UPDATE SET rank = excluded.rank,
                 label = excluded.label, definition = excluded.definition,
                 colour = excluded.colour, memo = excluded.memo",
        )
        .map_err(StoreError::db)?;
    for (rank, c) in f.codes().iter().enumerate() {
        st.execute(params![
            f.id().as_str(),
            c.id.as_str(),
            rank as i64,
            read::labels_json(&c.label),
            c.definition,
            c.colour,
            c.memo
        ])
        .map_err(StoreError::db)?;
    }
    Ok(())
}

/// Inserts a framework's qualifiers and their values, in order.
pub(crate) fn insert_qualifiers(tx: &Transaction<'_>, f: &Framework) -> Result<(), StoreError> {
    let fid = f.id().as_str();
    for (rank, q) in f.qualifiers().iter().enumerate() {
        let codes: Vec<&str> = q.codes.iter().map(|c| c.as_str()).collect();
        tx.execute(
            "INSERT INTO qualifier (framework_id, id, rank, label, required, codes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                fid,
                q.id.as_str(),
                rank as i64,
                read::labels_json(&q.label),
                q.required,
                serde_json::to_string(&codes).expect("a list of strings is JSON")
            ],
        )
        .map_err(StoreError::db)?;
        for (rank, v) in q.values.iter().enumerate() {
            tx.execute(
                "INSERT INTO qualifier_value (framework_id, qualifier_id, id, rank, label)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    fid,
                    q.id.as_str(),
                    v.id.as_str(),
                    rank as i64,
                    read::labels_json(&v.label)
                ],
            )
            .map_err(StoreError::db)?;
        }
    }
    Ok(())
}

trait OptionalMissing<T> {
    fn optional_missing(self) -> Result<Option<T>, StoreError>;
}

impl<T> OptionalMissing<T> for Result<T, StoreError> {
    fn optional_missing(self) -> Result<Option<T>, StoreError> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The study to write in place of a stored one with the same id, under `replace`: the same
/// study, or (keeping the stored record) a copy with the stored record; refused when
/// replacing would lose a stored record unasked. See [`Replace`].
fn replacement(
    tx: &Transaction<'_>,
    study: &Study,
    replace: Replace,
) -> Result<Option<Study>, StoreError> {
    let stored = match replace {
        Replace::No | Replace::DiscardFacilitation => return Ok(None),
        Replace::Yes | Replace::KeepFacilitation => match read::load_study_in(tx, &study.meta().id)
        {
            Ok(s) => s,
            Err(StoreError::NotFound { what: "study", .. }) => return Ok(None),
            Err(e) => return Err(e),
        },
    };
    // Members added through the API are facilitators' records too.
    let roster = study.roster();
    let added: Vec<&Member> = stored
        .members()
        .iter()
        .filter(|m| roster.member(&m.id).is_none())
        .collect();
    let id = &study.meta().id;
    match replace {
        Replace::Yes if stored.facilitation() != study.facilitation() || !added.is_empty() => {
            let members = if added.is_empty() {
                String::new()
            } else {
                let ids: Vec<&str> = added.iter().map(|m| m.id.as_str()).collect();
                format!("; members only in the store: {}", ids.join(", "))
            };
            Err(StoreError::Conflict(format!(
                "the store's facilitation record of `{id}` differs from the one being \
                 imported, and may hold what facilitators recorded through the API since \
                 (stored: {}; imported: {}{members}). Export the study first and bring its \
                 facilitation.toml and members into the bundle, or keep the stored record \
                 and members (--keep-facilitation) or replace them (--discard-facilitation)",
                stored.facilitation().summary(),
                study.facilitation().summary(),
            )))
        }
        Replace::KeepFacilitation => {
            let misfit = |e: &dyn std::fmt::Display| {
                StoreError::Conflict(format!(
                    "the stored facilitation record of `{id}` does not fit the study being \
                     imported: {e}"
                ))
            };
            let mut s = study.clone();
            for m in added {
                s.add_member(m.clone()).map_err(|e| misfit(&e))?;
            }
            s.replace_facilitation(stored.facilitation())
                .map_err(|e| misfit(&e))?;
            Ok(Some(s))
        }
        _ => Ok(None),
    }
}

pub(crate) fn write_study(
    tx: &Transaction<'_>,
    study: &Study,
    replace: Replace,
) -> Result<ImportSummary, StoreError> {
    let kept = replacement(tx, study, replace)?;
    let study = kept.as_ref().unwrap_or(study);
    let meta = study.meta();
    let sid = meta.id.as_str();
    let exists: bool = tx
        .query_row("SELECT 1 FROM study WHERE id = ?1", [sid], |_| Ok(()))
        .optional()
        .map_err(StoreError::db)?
        .is_some();
    let mut summary = ImportSummary::default();
    if exists {
        if replace == Replace::No {
            return Err(StoreError::Conflict(format!(
                "the store already holds study `{sid}`; use --replace to replace it"
            )));
        }
        delete_study(tx, sid)?;
        summary.replaced = true;
    }
    write_framework(tx, study.framework())?;
    tx.execute(
        "INSERT INTO study (id, title, research_question, method, period_start, period_end, framework_id,
                            provenance, language)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            sid,
            meta.title,
            meta.research_question,
            meta.method,
            date_opt(meta.period_start),
            date_opt(meta.period_end),
            meta.framework.as_str(),
            meta.provenance.as_str(),
            meta.language.as_ref().map(|l| l.as_str())
        ],
    )
    .map_err(StoreError::db)?;
    crate::attributes::insert_declarations(tx, sid, study)?;
    for m in study.municipalities() {
        tx.execute(
            "INSERT INTO municipality (study_id, id, name) VALUES (?1, ?2, ?3)",
            params![sid, m.id.as_str(), m.name],
        )
        .map_err(StoreError::db)?;
    }
    for g in study.groups() {
        tx.execute(
            "INSERT INTO resource_group (study_id, id, name, period_start, period_end, studied)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                sid,
                g.id.as_str(),
                g.name,
                date_opt(g.period_start),
                date_opt(g.period_end),
                g.studied
            ],
        )
        .map_err(StoreError::db)?;
        crate::attributes::insert_values(
            tx,
            sid,
            AttributeHolder::Group,
            g.id.as_str(),
            &g.attributes,
        )?;
        for m in &g.municipalities {
            tx.execute(
                "INSERT INTO group_municipality (study_id, group_id, municipality_id) VALUES (?1, ?2, ?3)",
                params![sid, g.id.as_str(), m.as_str()],
            )
            .map_err(StoreError::db)?;
        }
    }
    for m in study.members() {
        insert_member(tx, sid, m)?;
    }
    for i in study.informants() {
        let d = i.details.as_ref();
        tx.execute(
            "INSERT INTO informant (study_id, id, role, group_id, workplace, job_position, interview_date, consent)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                sid,
                i.id.as_str(),
                d.map(|d| d.role.as_str()),
                d.and_then(|d| d.group.as_ref().map(|g| g.as_str())),
                d.and_then(|d| d.workplace.as_deref()),
                d.and_then(|d| d.position.as_deref()),
                date_opt(d.and_then(|d| d.interview_date)),
                i.consent().as_str()
            ],
        )
        .map_err(StoreError::db)?;
        if let Some(d) = d {
            crate::attributes::insert_values(
                tx,
                sid,
                AttributeHolder::Informant,
                i.id.as_str(),
                &d.attributes,
            )?;
        }
        summary.informants += 1;
    }
    // Before the sources, which may follow them.
    crate::guides::write_all(tx, sid, study)?;
    summary.transcripts = crate::sources::write_all(tx, sid, study)?;
    let mut unit_rows = Vec::with_capacity(study.units().len());
    {
        let mut ins = tx
            .prepare(
                "INSERT INTO meaning_unit (study_id, source_id, start_char, end_char) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(StoreError::db)?;
        for u in study.units() {
            ins.execute(params![
                sid,
                u.source.as_str(),
                u.span.start() as i64,
                u.span.end() as i64
            ])
            .map_err(StoreError::db)?;
            unit_rows.push(tx.last_insert_rowid());
        }
        summary.units = unit_rows.len();
    }
    // The index by code takes the codings in code order, not in the order they come: a
    // million of them inserted one by one touch its pages at random. When the import brings
    // more codings than the store holds, the index is dropped and built again after, by one
    // sort (a third of the time). In the transaction, so a failed import leaves it as it was.
    // The highest row id bounds how many codings there are, found without counting them.
    let existing: i64 = tx
        .query_row("SELECT coalesce(max(id), 0) FROM coding", [], |r| r.get(0))
        .map_err(StoreError::db)?;
    let rebuild_index = study.codings().len() as i64 > existing;
    if rebuild_index {
        tx.execute_batch("DROP INDEX coding_code;")
            .map_err(StoreError::db)?;
    }
    {
        let fid = study.framework().id().as_str();
        // A bundle does not say which version its codings were made under: they are
        // recorded under the framework's version now.
        let version = crate::versions::current(tx, fid)?;
        let mut ins = tx
            .prepare(
                "INSERT INTO coding
                     (unit_id, framework_id, code, qualifiers, coder, memo, version, exemplar)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(StoreError::db)?;
        // A study has a few distinct sets of qualifier values: each is written out once.
        let mut written: foldhash::HashMap<&samskap_core::Qualifiers, String> =
            foldhash::HashMap::default();
        for c in study.codings() {
            let qualifiers = written
                .entry(&c.qualifiers)
                .or_insert_with(|| c.qualifiers.to_string());
            ins.execute(params![
                unit_rows[c.unit.index()],
                fid,
                c.code.as_str(),
                qualifiers.as_str(),
                c.coder.as_str(),
                c.memo,
                version,
                c.exemplar
            ])
            .map_err(StoreError::db)?;
            summary.codings += 1;
        }
    }
    if rebuild_index {
        tx.execute_batch(CODING_CODE_INDEX)
            .map_err(StoreError::db)?;
    }
    for m in study.memos() {
        let fid = m.code.as_ref().map(|_| study.framework().id().as_str());
        tx.execute(
            "INSERT INTO memo (study_id, framework_id, code, author, text)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                sid,
                fid,
                m.code.as_ref().map(|c| c.as_str()),
                m.author.as_str(),
                m.text
            ],
        )
        .map_err(StoreError::db)?;
        summary.memos += 1;
    }
    crate::facilitation::write_all(tx, sid, study.facilitation())?;
    Ok(summary)
}

/// The index of codings by code, exactly as migration 7 made it (`sqlite_master` keeps the
/// statement's text, and a store rebuilt by an import must read as one made by migrating).
const CODING_CODE_INDEX: &str =
    "CREATE INDEX coding_code ON coding (framework_id, code, qualifiers);";

fn delete_study(tx: &Transaction<'_>, sid: &str) -> Result<(), StoreError> {
    // Codings hang off units, which hang off transcripts: cascades reach them all.
    tx.execute("DELETE FROM study WHERE id = ?1", [sid])
        .map_err(StoreError::db)?;
    Ok(())
}

/// One member's row.
pub(crate) fn insert_member(
    conn: &Connection,
    sid: &str,
    m: &samskap_core::Member,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO member (study_id, id, group_id, sector, service, youth, pd_youth)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            sid,
            m.id.as_str(),
            m.group.as_str(),
            m.sector.as_str(),
            m.service,
            m.youth,
            m.pd_youth
        ],
    )
    .map_err(StoreError::db)?;
    crate::attributes::insert_values(
        conn,
        sid,
        AttributeHolder::Member,
        m.id.as_str(),
        &m.attributes,
    )?;
    Ok(())
}
