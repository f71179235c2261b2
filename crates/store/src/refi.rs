//! What REFI-QDA interchange keeps beside a study: the GUIDs QDA tools gave its objects (so an
//! export reuses them) and the case variables the model has no field for. Written with the
//! study in one transaction (schema 4).

use rusqlite::{params, Transaction};
use samskap_core::{Framework, FrameworkId, InformantId, Study, StudyId};

use crate::read::{get, parse, rows};
use crate::write::{insert_framework, write_study};
use crate::{FrameworkImport, ImportSummary, Replace, Store, StoreError};

/// A GUID kept for one object: `kind` and `key` name it (see `samskap-refi`'s `Kind`). A
/// framework's objects are `code` (key: the code's path, `culture/holistic-approach`) and
/// `qualified` (key: the path, `#` and the qualifier values as core writes them,
/// `culture/holistic-approach#polarity=barrier`); a study's include `coding` and
/// `coding-note` (key: `I1:10-42:culture/holistic-approach:polarity=barrier:A`, that is the
/// unit, the code's path, the qualifier values and the coder).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RefiGuid {
    /// What kind of object (`user`, `case`, `selection`, `code`, ...).
    pub kind: String,
    /// Which one.
    pub key: String,
    /// The GUID, normalised.
    pub guid: String,
}

/// A case variable of an informant that the model has no field for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefiAttribute {
    /// Whose.
    pub informant: InformantId,
    /// The variable's name.
    pub variable: String,
    /// Its REFI-QDA type (`Text`, `Date`, ...).
    pub kind: String,
    /// The value as written.
    pub value: String,
}

/// Everything interchange keeps beside a study.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefiRecord {
    /// GUIDs of the study's objects.
    pub study_guids: Vec<RefiGuid>,
    /// GUIDs of the codes of its framework.
    pub framework_guids: Vec<RefiGuid>,
    /// Case variables.
    pub attributes: Vec<RefiAttribute>,
}

/// A `kind, key, guid` row.
fn guid_row(r: &rusqlite::Row<'_>) -> Result<RefiGuid, StoreError> {
    Ok(RefiGuid {
        kind: get(r, 0)?,
        key: get(r, 1)?,
        guid: get(r, 2)?,
    })
}

/// The kinds of framework objects (schema 7's CHECK on `refi_framework_guid.kind`).
const FRAMEWORK_KINDS: [&str; 2] = ["code", "qualified"];

fn insert_framework_guids(
    tx: &Transaction<'_>,
    framework: &FrameworkId,
    guids: &[RefiGuid],
) -> Result<(), StoreError> {
    for g in guids {
        if !FRAMEWORK_KINDS.contains(&g.kind.as_str()) {
            return Err(StoreError::Invalid(format!(
                "`{}` is not a kind of framework object",
                g.kind
            )));
        }
        // A framework shared by studies keeps the GUIDs it was first given.
        tx.execute(
            "INSERT OR IGNORE INTO refi_framework_guid (framework_id, kind, key, guid)
             VALUES (?1, ?2, ?3, ?4)",
            params![framework.as_str(), g.kind, g.key, g.guid],
        )
        .map_err(StoreError::db)?;
    }
    Ok(())
}

impl Store {
    /// Writes a study imported from a REFI-QDA project with what interchange keeps beside
    /// it. One transaction: on any error the store is as it was.
    pub fn import_refi_study(
        &mut self,
        study: &Study,
        record: &RefiRecord,
        replace: Replace,
    ) -> Result<ImportSummary, StoreError> {
        let actor = self.actor.clone();
        let tx = self.write_tx()?;
        let summary = write_study(&tx, study, replace)?;
        crate::write::journal_import(&tx, &actor, study, &summary, " from a REFI-QDA project")?;
        let sid = study.meta().id.as_str();
        for g in &record.study_guids {
            tx.execute(
                "INSERT INTO refi_study_guid (study_id, kind, key, guid) VALUES (?1, ?2, ?3, ?4)",
                params![sid, g.kind, g.key, g.guid],
            )
            .map_err(StoreError::db)?;
        }
        insert_framework_guids(&tx, study.framework().id(), &record.framework_guids)?;
        for a in &record.attributes {
            tx.execute(
                "INSERT INTO refi_attribute (study_id, informant_id, variable, kind, value)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![sid, a.informant.as_str(), a.variable, a.kind, a.value],
            )
            .map_err(StoreError::db)?;
        }
        tx.commit().map_err(StoreError::db)?;
        Ok(summary)
    }

    /// Adds a framework read from a REFI-QDA codebook, with its codes' GUIDs. A framework
    /// with the same id and the same content is left as it is; a different one is refused,
    /// since codings may rely on it (use `samskap framework import` to change one).
    pub fn import_refi_framework(
        &mut self,
        f: &Framework,
        guids: &[RefiGuid],
    ) -> Result<FrameworkImport, StoreError> {
        let actor = self.actor.clone();
        let tx = self.write_tx()?;
        let existing = match crate::read::framework_in(&tx, f.id().as_str()) {
            Ok(e) => Some(e),
            Err(StoreError::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        let outcome = match existing {
            Some(e) if &e == f => FrameworkImport::Unchanged,
            Some(_) => {
                return Err(StoreError::Conflict(format!(
                "the store already holds a different framework `{}`; give the codebook another id",
                f.id()
            )))
            }
            None => {
                insert_framework(&tx, f, None)?;
                let note = crate::journal::Note::final_(
                    crate::EditKind::FrameworkImport,
                    None,
                    format!("added framework {} from a REFI-QDA codebook", f.id()),
                    vec![crate::journal::Touch::Framework(f.id().to_string())],
                );
                crate::journal::record(&tx, &actor, &note)?;
                FrameworkImport::Added
            }
        };
        insert_framework_guids(&tx, f.id(), guids)?;
        tx.commit().map_err(StoreError::db)?;
        Ok(outcome)
    }

    /// The GUIDs kept for a framework's codes, in key order.
    pub fn refi_framework_guids(&self, f: &FrameworkId) -> Result<Vec<RefiGuid>, StoreError> {
        rows(
            &self.conn,
            "SELECT kind, key, guid FROM refi_framework_guid WHERE framework_id = ?1
             ORDER BY kind, key",
            [f.as_str()],
            guid_row,
        )
    }

    /// What interchange keeps beside a study, in key order.
    pub fn refi_record(&self, study: &StudyId) -> Result<RefiRecord, StoreError> {
        let framework: String = self
            .conn
            .query_row(
                "SELECT framework_id FROM study WHERE id = ?1",
                [study.as_str()],
                |r| r.get(0),
            )
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound {
                    what: "study",
                    id: study.to_string(),
                },
                e => StoreError::db(e),
            })?;
        let study_guids = rows(
            &self.conn,
            "SELECT kind, key, guid FROM refi_study_guid WHERE study_id = ?1 ORDER BY kind, key",
            [study.as_str()],
            guid_row,
        )?;
        let framework_guids = self.refi_framework_guids(&parse(framework)?)?;
        let attributes = rows(
            &self.conn,
            "SELECT informant_id, variable, kind, value FROM refi_attribute WHERE study_id = ?1
             ORDER BY rowid",
            [study.as_str()],
            |r| {
                Ok(RefiAttribute {
                    informant: parse(get(r, 0)?)?,
                    variable: get(r, 1)?,
                    kind: get(r, 2)?,
                    value: get(r, 3)?,
                })
            },
        )?;
        Ok(RefiRecord {
            study_guids,
            framework_guids,
            attributes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use samskap_core::{ActiveConsent, Informant, InformantDetails, Role, StudyMeta};

    fn study() -> Study {
        let f = Framework::builtin("bentzen-2018").unwrap();
        let mut s = Study::new(
            StudyMeta {
                id: "s".parse().unwrap(),
                title: "S".into(),
                research_question: None,
                method: None,
                period_start: None,
                period_end: None,
                framework: f.id().clone(),
                provenance: samskap_core::Provenance::Research,
                language: None,
            },
            f,
        )
        .unwrap();
        s.add_informant(Informant {
            id: "I1".parse().unwrap(),
            details: Some(InformantDetails {
                attributes: Default::default(),
                role: Role::Participant,
                group: None,
                workplace: None,
                position: None,
                interview_date: None,
                consent: ActiveConsent::Given,
            }),
        })
        .unwrap();
        s
    }

    fn record(kind: &str) -> RefiRecord {
        RefiRecord {
            study_guids: vec![RefiGuid {
                kind: "case".into(),
                key: "I1".into(),
                guid: "6f0d3c2b-1a2b-4c3d-8e9f-0123456789ab".into(),
            }],
            framework_guids: vec![RefiGuid {
                kind: kind.into(),
                key: "structure".into(),
                guid: "6f0d3c2b-1a2b-4c3d-8e9f-0123456789ac".into(),
            }],
            attributes: vec![RefiAttribute {
                informant: "I1".parse().unwrap(),
                variable: "age".into(),
                kind: "Integer".into(),
                value: "24".into(),
            }],
        }
    }

    #[test]
    fn a_record_round_trips_and_a_bad_one_changes_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        let e = store
            .import_refi_study(&study(), &record("user"), Replace::No)
            .unwrap_err();
        assert!(e.to_string().contains("`user`"), "{e}");
        assert!(store.studies().unwrap().is_empty());
        store
            .import_refi_study(&study(), &record("code"), Replace::No)
            .unwrap();
        assert_eq!(
            store.refi_record(&"s".parse().unwrap()).unwrap(),
            record("code")
        );
    }

    #[test]
    fn withdrawal_removes_attributes() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .import_refi_study(&study(), &record("code"), Replace::No)
            .unwrap();
        store
            .withdraw(&"s".parse().unwrap(), &"I1".parse().unwrap())
            .unwrap();
        let r = store.refi_record(&"s".parse().unwrap()).unwrap();
        assert!(r.attributes.is_empty());
        assert_eq!(r.study_guids.len(), 1);
    }
}
