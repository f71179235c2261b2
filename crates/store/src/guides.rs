//! Interview guides in SQL (schema 13): `guide`, `guide_version`, `guide_theme` and
//! `guide_question`, each theme and question at its position; `transcript.guide_id` and
//! `transcript.guide_version` say which version a source followed (`crate::sources`).

use rusqlite::{params, Connection, Transaction};
use samskap_core::{Guide, GuideVersion, Question, Study, Theme};

use crate::read::{each, get, parse};
use crate::StoreError;

/// Every guide of `study`, which the store does not hold yet.
pub(crate) fn write_all(tx: &Transaction<'_>, sid: &str, study: &Study) -> Result<(), StoreError> {
    let prepare = |sql: &str| tx.prepare_cached(sql).map_err(StoreError::db);
    let mut guide = prepare("INSERT INTO guide (study_id, id, title) VALUES (?1, ?2, ?3)")?;
    let mut version = prepare(
        "INSERT INTO guide_version (study_id, guide_id, version, note) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut theme = prepare(
        "INSERT INTO guide_theme (study_id, guide_id, version, position, title)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut question = prepare(
        "INSERT INTO guide_question (study_id, guide_id, version, theme, position, id, text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for g in study.guides() {
        let gid = g.id.as_str();
        guide
            .execute(params![sid, gid, g.title])
            .map_err(StoreError::db)?;
        for v in &g.versions {
            version
                .execute(params![sid, gid, v.version, v.note])
                .map_err(StoreError::db)?;
            for (t, th) in v.themes.iter().enumerate() {
                theme
                    .execute(params![sid, gid, v.version, t as i64, th.title])
                    .map_err(StoreError::db)?;
                for (n, q) in th.questions.iter().enumerate() {
                    question
                        .execute(params![
                            sid,
                            gid,
                            v.version,
                            t as i64,
                            n as i64,
                            q.id.as_str(),
                            q.text
                        ])
                        .map_err(StoreError::db)?;
                }
            }
        }
    }
    Ok(())
}

/// The guides of a study in the order they were written, each whole: four queries, each
/// in the order the guide is built, so that every row is appended to the last thing made.
pub(crate) fn read_all(conn: &Connection, sid: &str) -> Result<Vec<Guide>, StoreError> {
    let mut guides: Vec<Guide> = Vec::new();
    // Position in `guides` by id: rows of the later tables name their guide.
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    each(
        conn,
        "SELECT id, title FROM guide WHERE study_id = ?1 ORDER BY rowid",
        [sid],
        |r| {
            let id: String = get(r, 0)?;
            at.insert(id.clone(), guides.len());
            guides.push(Guide {
                id: parse(id)?,
                title: get(r, 1)?,
                versions: Vec::new(),
            });
            Ok(())
        },
    )?;
    let guide_of = |id: &str| -> Result<usize, StoreError> {
        at.get(id)
            .copied()
            .ok_or_else(|| StoreError::Corrupt(format!("a guide row names no guide `{id}`")))
    };
    let mut versions: Vec<(usize, GuideVersion)> = Vec::new();
    each(
        conn,
        "SELECT guide_id, version, note FROM guide_version
         WHERE study_id = ?1 ORDER BY guide_id, version",
        [sid],
        |r| {
            versions.push((
                guide_of(&get::<String>(r, 0)?)?,
                GuideVersion {
                    version: get(r, 1)?,
                    note: get(r, 2)?,
                    themes: Vec::new(),
                },
            ));
            Ok(())
        },
    )?;
    // Versions, themes and questions come sorted by their keys; each is found by binary
    // search among the rows before it.
    let version_at = |versions: &[(usize, GuideVersion)], g: usize, v: u32| {
        versions
            .binary_search_by(|(k, x)| {
                (guides[*k].id.as_str(), x.version).cmp(&(guides[g].id.as_str(), v))
            })
            .map_err(|_| StoreError::Corrupt(format!("a guide row names no version {v}")))
    };
    each(
        conn,
        "SELECT guide_id, version, title FROM guide_theme
         WHERE study_id = ?1 ORDER BY guide_id, version, position",
        [sid],
        |r| {
            let g = guide_of(&get::<String>(r, 0)?)?;
            let k = version_at(&versions, g, get(r, 1)?)?;
            versions[k].1.themes.push(Theme {
                title: get(r, 2)?,
                questions: Vec::new(),
            });
            Ok(())
        },
    )?;
    each(
        conn,
        "SELECT guide_id, version, theme, id, text FROM guide_question
         WHERE study_id = ?1 ORDER BY guide_id, version, theme, position",
        [sid],
        |r| {
            let g = guide_of(&get::<String>(r, 0)?)?;
            let k = version_at(&versions, g, get(r, 1)?)?;
            let t: i64 = get(r, 2)?;
            let theme = usize::try_from(t)
                .ok()
                .and_then(|t| versions[k].1.themes.get_mut(t))
                .ok_or_else(|| StoreError::Corrupt(format!("a question names no theme {t}")))?;
            theme.questions.push(Question {
                id: parse(get::<String>(r, 3)?)?,
                text: get(r, 4)?,
            });
            Ok(())
        },
    )?;
    for (g, v) in versions {
        guides[g].versions.push(v);
    }
    Ok(guides)
}
