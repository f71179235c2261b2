//! Editing a codebook in use (schema 8): a core [`Edit`] applied to a study's framework, with
//! every coding, memo and kept REFI-QDA GUID that names a code following it, and the result
//! recorded as a new version, all in one transaction. Each statement updates every row it
//! concerns at once (through temporary tables of what moves), so an edit of a large study
//! costs a few statements, not a query per coding.

use rusqlite::{params, OptionalExtension, Transaction};
use samskap_core::codebook::{Edit, Recode};
use samskap_core::{CodeId, CoderId, Framework, FrameworkId, StudyId};

use crate::journal::{self, EditKind, Note, Touch, Touches, Undo};
use crate::versions::{self, Change};
use crate::{read, Refusal, Store, StoreError};

/// Codings that a split moves to the new code: the codings of the split code on one meaning
/// unit of the study (by its source and character offsets, as `samskap code list` shows
/// them), all coders' or one coder's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    /// The source.
    pub source: samskap_core::SourceId,
    /// Where the unit starts (characters).
    pub start: usize,
    /// Where it ends.
    pub end: usize,
    /// Only this coder's codings; every coder's when `None`.
    pub coder: Option<CoderId>,
}

impl std::fmt::Display for Pick {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}-{}", self.source, self.start, self.end)?;
        if let Some(c) = &self.coder {
            write!(f, ":{c}")?;
        }
        Ok(())
    }
}

/// What an edit did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Edited {
    /// The framework edited.
    pub framework: FrameworkId,
    /// The version the edit made.
    pub version: u32,
    /// The edit, in one line.
    pub what: String,
    /// Codings that changed code (in every study that uses the framework).
    pub codings: usize,
    /// Codings that became the same as another coding (same unit, coder, code and qualifier
    /// values) and were merged into it.
    pub merged: usize,
    /// Memos that changed code.
    pub memos: usize,
}

/// The temporary tables an edit works through: what moves where, and which codings merge.
const TEMP_TABLES: &str = "
    CREATE TEMP TABLE IF NOT EXISTS recode_map (from_code TEXT PRIMARY KEY, to_code TEXT NOT NULL);
    CREATE TEMP TABLE IF NOT EXISTS recode_row (id INTEGER PRIMARY KEY, to_code TEXT NOT NULL);
    CREATE TEMP TABLE IF NOT EXISTS recode_dup (id INTEGER PRIMARY KEY, keep INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS temp.recode_dup_keep ON recode_dup (keep);
    CREATE TEMP TABLE IF NOT EXISTS recode_key (
        study_id TEXT NOT NULL, old TEXT NOT NULL, new TEXT NOT NULL, dup INTEGER NOT NULL,
        PRIMARY KEY (study_id, old));
    DELETE FROM recode_map; DELETE FROM recode_row; DELETE FROM recode_dup; DELETE FROM recode_key;";

fn refused(e: samskap_core::codebook::EditError) -> StoreError {
    use samskap_core::codebook::EditError;
    let conflict = matches!(e, EditError::Taken(_));
    StoreError::Refused {
        reason: Refusal::Codebook(e),
        conflict,
    }
}

impl Store {
    /// Applies `edit` to the framework of `study`, which every study that uses the framework
    /// follows: codings and memos of a code that moves go with it, codings that become the
    /// same as another coding (same unit, coder, code and qualifier values, as after a merge)
    /// become one (the earliest, which keeps its version; the memos of both are joined,
    /// each once), REFI-QDA GUIDs kept for the codes, codings and memos follow their
    /// objects, and the new framework is recorded as the next version, made by `change`.
    ///
    /// A split moves the codings `picks` name (each must name at least one coding of the
    /// split code in `study`); other edits take no picks. A delete of a code in use without
    /// a code to recode to is refused (a `Conflict` naming the codes), as is anything core
    /// refuses (`Refused` with [`Refusal::Codebook`]). One transaction, with every check in
    /// it: on any error the store is as it was. The journal records the edit under `study`;
    /// a rename, a move and a split can be undone.
    pub fn edit_codebook(
        &mut self,
        study: &StudyId,
        edit: &Edit,
        picks: &[Pick],
        change: &Change,
    ) -> Result<Edited, StoreError> {
        let actor = self.actor.clone();
        let tx = self.write_tx()?;
        let (edited, old, recode) = apply(&tx, study, edit, picks, change, None)?;
        let fid = edited.framework.to_string();
        let code = |c: &CodeId| Touch::Code {
            framework: fid.clone(),
            code: c.to_string(),
        };
        let mut writes: Vec<Touch> = Vec::new();
        for (from, to) in &recode.moves {
            writes.push(code(from));
            writes.push(code(to));
        }
        writes.extend(recode.must_be_unused.iter().map(code));
        let undo = match edit {
            Edit::Rename { from, to } => {
                // Where the code stood among its siblings, for an undo to put it back there.
                let parent = from.parent();
                let mut siblings = old.codes().iter().filter(|c| c.id.parent() == parent);
                let before = siblings
                    .by_ref()
                    .find(|c| &c.id == from)
                    .and_then(|_| siblings.next())
                    .map(|c| c.id.clone());
                Some(Undo::Rename {
                    from: from.clone(),
                    to: to.clone(),
                    before,
                })
            }
            Edit::Split { from, into } => {
                writes.push(code(from));
                writes.push(code(into));
                Some(Undo::Split {
                    from: from.clone(),
                    into: into.clone(),
                })
            }
            Edit::Merge { into, .. } => {
                writes.push(code(into));
                None
            }
            Edit::Delete { code: c, .. } => {
                writes.push(code(c));
                None
            }
        };
        let memos = if edited.memos == 1 { "memo" } else { "memos" };
        let summary = format!(
            "{} (framework {} version {}; {} codings moved, {} merged, {} {memos} moved)",
            edited.what,
            edited.framework,
            edited.version,
            edited.codings,
            edited.merged,
            edited.memos
        );
        let note = Note {
            kind: EditKind::CodebookEdit,
            study: Some(study.to_string()),
            summary,
            undo,
            touches: Touches {
                writes,
                reads: Vec::new(),
            },
        };
        journal::record(&tx, &actor, &note)?;
        tx.commit().map_err(StoreError::db)?;
        Ok(edited)
    }
}

/// Where a code an edit makes goes among its siblings: before `before`, or last when that is
/// `None` or not a sibling (an undone rename puts a code back where it was).
#[derive(Debug, Clone)]
pub(crate) struct Place {
    pub code: CodeId,
    pub before: Option<CodeId>,
}

/// `edit` applied in the caller's transaction (see [`Store::edit_codebook`]), with the code
/// `place` names put in its place; returns what it did, the framework as it was, and where
/// its codes went.
pub(crate) fn apply(
    tx: &Transaction<'_>,
    study: &StudyId,
    edit: &Edit,
    picks: &[Pick],
    change: &Change,
    place: Option<&Place>,
) -> Result<(Edited, Framework, Recode), StoreError> {
    let fid: String = tx
        .query_row(
            "SELECT framework_id FROM study WHERE id = ?1",
            [study.as_str()],
            |r| r.get(0),
        )
        .optional()
        .map_err(StoreError::db)?
        .ok_or_else(|| StoreError::NotFound {
            what: "study",
            id: study.to_string(),
        })?;
    let old = read::framework_in(tx, &fid)?;
    let (mut new, recode) = old.edit(edit).map_err(refused)?;
    if let Some(p) = place {
        new = placed(new, p)?;
    }
    match edit {
        Edit::Split { .. } if picks.is_empty() => {
            return Err(StoreError::Invalid(
                "a split needs the codings that go to the new code".into(),
            ))
        }
        Edit::Split { .. } => {}
        _ if !picks.is_empty() => {
            return Err(StoreError::Invalid(
                "only a split takes a list of codings".into(),
            ))
        }
        _ => {}
    }
    let mut in_use = Vec::new();
    for c in &recode.must_be_unused {
        let (codings, memos): (i64, i64) = tx
            .query_row(
                "SELECT (SELECT count(*) FROM coding WHERE framework_id = ?1 AND code = ?2),
                        (SELECT count(*) FROM memo WHERE framework_id = ?1 AND code = ?2)",
                params![fid, c.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(StoreError::db)?;
        if codings + memos > 0 {
            in_use.push(format!("`{c}` ({codings} codings, {memos} memos)"));
        }
    }
    if !in_use.is_empty() {
        return Err(StoreError::Conflict(format!(
            "code {} in use: give a code to recode to, or remove those codings first",
            in_use.join(", ")
        )));
    }

    // Codes and codings change together; the foreign keys from codings and memos to
    // codes are checked at commit, when both are written.
    tx.execute_batch("PRAGMA defer_foreign_keys = ON;")
        .map_err(StoreError::db)?;
    tx.execute_batch(TEMP_TABLES).map_err(StoreError::db)?;
    {
        let mut ins = tx
            .prepare("INSERT INTO temp.recode_map (from_code, to_code) VALUES (?1, ?2)")
            .map_err(StoreError::db)?;
        for (from, to) in &recode.moves {
            ins.execute(params![from.as_str(), to.as_str()])
                .map_err(StoreError::db)?;
        }
    }
    tx.execute(
        "INSERT INTO temp.recode_row (id, to_code)
         SELECT c.id, m.to_code FROM temp.recode_map m
         JOIN coding c ON c.framework_id = ?1 AND c.code = m.from_code",
        [&fid],
    )
    .map_err(StoreError::db)?;
    if let Edit::Split { from, into } = edit {
        pick(tx, study, from.as_str(), into.as_str(), picks)?;
    }
    let merged = merge_duplicates(tx, &fid)?;
    let codings = move_codings(tx)?;
    let memos = tx
        .execute(
            "UPDATE memo SET code = (SELECT to_code FROM temp.recode_map WHERE from_code = memo.code)
             WHERE framework_id = ?1 AND code IN (SELECT from_code FROM temp.recode_map)",
            [&fid],
        )
        .map_err(StoreError::db)?;
    move_guids(tx, &fid)?;
    let dropped: Vec<&samskap_core::CodeId> = old
        .codes()
        .iter()
        .map(|c| &c.id)
        .filter(|c| !new.contains(c))
        .collect();
    crate::edit::update_framework(tx, &new, &dropped)?;
    // Codes gone with no kept GUID to carry (a delete of unused codes, a merge into a
    // code that had its own).
    tx.execute(
        "DELETE FROM refi_framework_guid WHERE framework_id = ?1 AND
           CASE kind WHEN 'qualified' THEN substr(key, 1, instr(key, '#') - 1) ELSE key END
           NOT IN (SELECT path FROM code WHERE framework_id = ?1)",
        [&fid],
    )
    .map_err(StoreError::db)?;
    let what = edit.to_string();
    let version = versions::record(tx, &new, Some(change), &what)?;
    // Core reads every study on the framework back, as a load would: any coding that
    // no longer fits refuses the edit here rather than making the store unreadable.
    crate::edit::check_users(tx, &new)?;
    tx.execute_batch(
        "DELETE FROM temp.recode_map; DELETE FROM temp.recode_row;
         DELETE FROM temp.recode_dup; DELETE FROM temp.recode_key;",
    )
    .map_err(StoreError::db)?;
    let edited = Edited {
        framework: new.id().clone(),
        version,
        what,
        codings,
        merged,
        memos,
    };
    Ok((edited, old, recode))
}

/// `f` with the code `p` names moved among its siblings as `p` says (with the codes under
/// it, which follow it in tree order).
fn placed(f: Framework, p: &Place) -> Result<Framework, StoreError> {
    let mut codes = f.codes().to_vec();
    let Some(at) = codes.iter().position(|c| c.id == p.code) else {
        return Ok(f);
    };
    let code = codes.remove(at);
    let parent = code.id.parent();
    let to = p
        .before
        .as_ref()
        .and_then(|b| {
            codes
                .iter()
                .position(|c| &c.id == b && c.id.parent() == parent)
        })
        .unwrap_or(codes.len());
    codes.insert(to, code);
    Framework::new(f.meta().clone(), codes, f.qualifiers().to_vec()).map_err(StoreError::corrupt)
}

/// Adds the codings a split moves to `recode_row`: each pick must name at least one.
fn pick(
    tx: &Transaction<'_>,
    study: &StudyId,
    from: &str,
    into: &str,
    picks: &[Pick],
) -> Result<(), StoreError> {
    let mut ins = tx
        .prepare(
            "INSERT OR IGNORE INTO temp.recode_row (id, to_code)
             SELECT c.id, ?7 FROM meaning_unit u JOIN coding c ON c.unit_id = u.id
             WHERE u.study_id = ?1 AND u.source_id = ?2 AND u.start_char = ?3
               AND u.end_char = ?4 AND c.code = ?5 AND (?6 IS NULL OR c.coder = ?6)",
        )
        .map_err(StoreError::db)?;
    for p in picks {
        let n = ins
            .execute(params![
                study.as_str(),
                p.source.as_str(),
                p.start as i64,
                p.end as i64,
                from,
                p.coder.as_ref().map(|c| c.as_str()),
                into
            ])
            .map_err(StoreError::db)?;
        if n == 0 {
            return Err(StoreError::Invalid(format!(
                "study `{study}` has no coding of `{from}` at {p}{}",
                if p.coder.is_some() {
                    ""
                } else {
                    " by any coder"
                }
            )));
        }
    }
    Ok(())
}

/// Finds the codings that will be the same as an earlier one once moved, joins their memos
/// (and exemplar marks) into that one's, and deletes them (with the REFI-QDA GUIDs kept for them). Returns how
/// many.
fn merge_duplicates(tx: &Transaction<'_>, fid: &str) -> Result<usize, StoreError> {
    // Only codings that move, and codings already at a code something moves to, can meet.
    tx.execute(
        "INSERT INTO temp.recode_dup (id, keep)
         SELECT id, keep FROM (
             SELECT id, first_value(id) OVER
                    (PARTITION BY unit_id, code, qualifiers, coder ORDER BY id) AS keep
             FROM (SELECT c.id, c.unit_id, coalesce(r.to_code, c.code) AS code, c.qualifiers,
                          c.coder
                   FROM coding c LEFT JOIN temp.recode_row r ON r.id = c.id
                   WHERE c.framework_id = ?1
                     AND (r.id IS NOT NULL
                          OR c.code IN (SELECT to_code FROM temp.recode_row))))
         WHERE id <> keep",
        [fid],
    )
    .map_err(StoreError::db)?;
    // Each kept coding's memo becomes its own and its duplicates' memos, in the order the
    // codings were made, each text once.
    let memos = read::rows(
        tx,
        "SELECT d.keep, c.memo FROM
             (SELECT DISTINCT keep, keep AS id FROM temp.recode_dup
              UNION ALL SELECT keep, id FROM temp.recode_dup) d
         JOIN coding c ON c.id = d.id
         WHERE c.memo IS NOT NULL ORDER BY d.keep, c.id",
        [],
        |r| Ok((read::get::<i64>(r, 0)?, read::get::<String>(r, 1)?)),
    )?;
    let mut joined: Vec<(i64, Vec<String>)> = Vec::new();
    for (keep, memo) in memos {
        match joined.last_mut() {
            Some((k, texts)) if *k == keep => {
                if !texts.contains(&memo) {
                    texts.push(memo);
                }
            }
            _ => joined.push((keep, vec![memo])),
        }
    }
    // A kept coding is an exemplar when any it stands for was.
    tx.execute(
        "UPDATE coding SET exemplar = 1
         WHERE id IN (SELECT d.keep FROM temp.recode_dup d JOIN coding c ON c.id = d.id
                      WHERE c.exemplar)",
        [],
    )
    .map_err(StoreError::db)?;
    let mut set = tx
        .prepare("UPDATE coding SET memo = ?2 WHERE id = ?1")
        .map_err(StoreError::db)?;
    for (keep, texts) in joined {
        set.execute(params![keep, texts.join("\n\n")])
            .map_err(StoreError::db)?;
    }
    Ok(tx
        .query_row("SELECT count(*) FROM temp.recode_dup", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(StoreError::db)? as usize)
}

/// The REFI-QDA key of the coding `c` (joined with its unit `u`) with code `code`, as
/// interchange writes it (`I1:10-42:code:polarity=barrier:A`).
const CODING_KEY: &str = "u.source_id || ':' || u.start_char || '-' || u.end_char || ':' || {code} || ':' || c.qualifiers || ':' || c.coder";

/// Moves the codings in `recode_row` to their new codes, after noting their REFI-QDA keys
/// before and after (`recode_key`), and deletes the merged duplicates. Returns how many
/// codings moved.
fn move_codings(tx: &Transaction<'_>) -> Result<usize, StoreError> {
    tx.execute(
        &format!(
            "INSERT OR IGNORE INTO temp.recode_key (study_id, old, new, dup)
             SELECT u.study_id, {}, {}, d.id IS NOT NULL
             FROM temp.recode_row r JOIN coding c ON c.id = r.id
             JOIN meaning_unit u ON u.id = c.unit_id
             LEFT JOIN temp.recode_dup d ON d.id = c.id",
            CODING_KEY.replace("{code}", "c.code"),
            CODING_KEY.replace("{code}", "r.to_code"),
        ),
        [],
    )
    .map_err(StoreError::db)?;
    tx.execute(
        "DELETE FROM coding WHERE id IN (SELECT id FROM temp.recode_dup)",
        [],
    )
    .map_err(StoreError::db)?;
    let moved = tx
        .execute(
            "UPDATE coding SET code = (SELECT to_code FROM temp.recode_row r WHERE r.id = coding.id)
             WHERE id IN (SELECT id FROM temp.recode_row)",
            [],
        )
        .map_err(StoreError::db)?;
    Ok(moved)
}

/// Moves the REFI-QDA GUIDs kept for moved codes, codings and memos to their new keys. A GUID
/// whose new key is taken (a merge: the object it named is now another's) goes.
fn move_guids(tx: &Transaction<'_>, fid: &str) -> Result<(), StoreError> {
    tx.execute_batch(
        "UPDATE OR IGNORE refi_study_guid
         SET key = (SELECT k.new FROM temp.recode_key k
                    WHERE k.study_id = refi_study_guid.study_id AND k.old = refi_study_guid.key)
         WHERE kind IN ('coding', 'coding-note')
           AND (study_id, key) IN (SELECT study_id, old FROM temp.recode_key WHERE NOT dup);
         DELETE FROM refi_study_guid
         WHERE kind IN ('coding', 'coding-note')
           AND (study_id, key) IN (SELECT study_id, old FROM temp.recode_key);",
    )
    .map_err(StoreError::db)?;
    // A memo's key starts with its code's path and a `|` (a path has no `|`).
    let note_code = "substr(key, 1, instr(key, '|') - 1)";
    tx.execute(
        &format!(
            "UPDATE OR IGNORE refi_study_guid
             SET key = (SELECT to_code FROM temp.recode_map WHERE from_code = {note_code})
                       || substr(key, instr(key, '|'))
             WHERE kind = 'note' AND study_id IN (SELECT id FROM study WHERE framework_id = ?1)
               AND {note_code} IN (SELECT from_code FROM temp.recode_map)"
        ),
        [fid],
    )
    .map_err(StoreError::db)?;
    tx.execute(
        &format!(
            "DELETE FROM refi_study_guid
             WHERE kind = 'note' AND study_id IN (SELECT id FROM study WHERE framework_id = ?1)
               AND {note_code} IN (SELECT from_code FROM temp.recode_map)"
        ),
        [fid],
    )
    .map_err(StoreError::db)?;
    // A code's key is its path; a qualified code's, its path, `#` and the values. A code's
    // GUID goes with it to a new path (a rename, a move, a merge into a new code), but not
    // into a code that was there: that code is another object, with its own GUID. (Run
    // before the code table is rewritten, so `code` holds the old paths.)
    for sql in [
        "UPDATE OR IGNORE refi_framework_guid
         SET key = (SELECT to_code FROM temp.recode_map WHERE from_code = key)
         WHERE framework_id = ?1 AND kind = 'code'
           AND key IN (SELECT from_code FROM temp.recode_map
                       WHERE to_code NOT IN (SELECT path FROM code WHERE framework_id = ?1))",
        "UPDATE OR IGNORE refi_framework_guid
         SET key = (SELECT to_code FROM temp.recode_map
                    WHERE from_code = substr(key, 1, instr(key, '#') - 1))
                   || substr(key, instr(key, '#'))
         WHERE framework_id = ?1 AND kind = 'qualified'
           AND substr(key, 1, instr(key, '#') - 1) IN
               (SELECT from_code FROM temp.recode_map
                WHERE to_code NOT IN (SELECT path FROM code WHERE framework_id = ?1))",
    ] {
        tx.execute(sql, [fid]).map_err(StoreError::db)?;
    }
    Ok(())
}
