//! Credentials of the HTTP API and its audit log. A token's secret is shown once, when it is
//! made; the store keeps only its SHA-256, and finds a token by the hash of what it is shown.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use samskap_core::{GroupId, StudyId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::journal::{EditKind, Note};
use crate::read::{get, parse, rows};
use crate::{Store, StoreError};

/// What a token may do. The store records it; the API decides what each role may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenRole {
    /// Everything, including tokens.
    Admin,
    /// The analyst's work on studies.
    Analyst,
    /// The facilitation record of the token's own groups.
    Facilitator,
}

impl TokenRole {
    /// Every role.
    pub const ALL: [TokenRole; 3] = [TokenRole::Admin, TokenRole::Analyst, TokenRole::Facilitator];

    /// The lowercase name (`admin`, `analyst`, `facilitator`).
    pub fn as_str(self) -> &'static str {
        match self {
            TokenRole::Admin => "admin",
            TokenRole::Analyst => "analyst",
            TokenRole::Facilitator => "facilitator",
        }
    }
}

impl fmt::Display for TokenRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a [`TokenRole`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown token role `{0}`: expected admin, analyst or facilitator")]
pub struct UnknownRole(pub String);

impl FromStr for TokenRole {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, UnknownRole> {
        TokenRole::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// A token as the store describes it: never its secret or hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// Its unique name (never reused, even after revocation).
    pub name: String,
    /// What it may do.
    pub role: TokenRole,
    /// The groups a facilitator's token works with (empty for other roles).
    pub groups: Vec<(StudyId, GroupId)>,
    /// When it was made.
    pub created: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked: Option<DateTime<Utc>>,
}

/// A request to record in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The name of the token that made the request.
    pub token_name: String,
    /// The HTTP method.
    pub method: String,
    /// The request path.
    pub path: String,
    /// The id of the object written or read, if one.
    pub object_id: Option<String>,
    /// The HTTP status of the response.
    pub status: u16,
}

/// An entry of the audit log as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// Its number; later entries have higher numbers.
    pub id: i64,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// The name of the token that made the request.
    pub token_name: String,
    /// The HTTP method.
    pub method: String,
    /// The request path.
    pub path: String,
    /// The id of the object written or read, if one.
    pub object_id: Option<String>,
    /// The HTTP status of the response.
    pub status: u16,
}

/// What every secret starts with, so that a leaked one is easy to recognise.
const SECRET_PREFIX: &str = "sk_";
/// Random bytes in a secret (hex-encoded after the prefix).
const SECRET_BYTES: usize = 32;
/// The longest token name.
const MAX_NAME_CHARS: usize = 100;

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

/// The hex SHA-256 of a secret: what the store keeps.
pub(crate) fn hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

pub(crate) fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from(std::time::SystemTime::now())
}

pub(crate) fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn parse_time(s: String) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(&s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("timestamp `{s}`: {e}")))
}

fn check_name(name: &str) -> Result<(), StoreError> {
    if name.trim().is_empty() || name.trim() != name {
        return Err(StoreError::Invalid(format!(
            "a token name must be non-empty without leading or trailing spaces: {name:?}"
        )));
    }
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!(
            "a token name has at most {MAX_NAME_CHARS} characters and no control characters: {name:?}"
        )));
    }
    Ok(())
}

impl Store {
    /// Makes a token and returns its secret (`sk_` and 64 hex digits), which is shown this
    /// once: the store keeps only its SHA-256. A facilitator's token needs at least one group,
    /// and each must exist; other roles take no groups (`Invalid`). A name that is taken, even
    /// by a revoked token, is a `Conflict`.
    pub fn create_token(
        &mut self,
        name: &str,
        role: TokenRole,
        groups: &[(StudyId, GroupId)],
    ) -> Result<String, StoreError> {
        check_name(name)?;
        match role {
            TokenRole::Facilitator if groups.is_empty() => {
                return Err(StoreError::Invalid(
                    "a facilitator's token needs at least one group".into(),
                ))
            }
            TokenRole::Admin | TokenRole::Analyst if !groups.is_empty() => {
                return Err(StoreError::Invalid(format!(
                    "only a facilitator's token has groups; an {role} token reaches every group its role allows"
                )))
            }
            _ => {}
        }
        let mut bytes = [0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes)
            .map_err(|e| StoreError::Database(format!("no randomness for a secret: {e}")))?;
        let secret = format!("{SECRET_PREFIX}{}", hex(&bytes));

        let actor = self.actor.clone();
        let tx = self.write_tx()?;
        let taken = tx
            .query_row(
                "SELECT 1 FROM api_token WHERE name = ?1",
                [name],
                |_| Ok(()),
            )
            .optional()
            .map_err(StoreError::db)?
            .is_some();
        if taken {
            return Err(StoreError::Conflict(format!(
                "a token named `{name}` exists or existed; names are not reused, choose another"
            )));
        }
        for (study, group) in groups {
            let known = tx
                .query_row(
                    "SELECT 1 FROM resource_group WHERE study_id = ?1 AND id = ?2",
                    [study.as_str(), group.as_str()],
                    |_| Ok(()),
                )
                .optional()
                .map_err(StoreError::db)?
                .is_some();
            if !known {
                return Err(StoreError::NotFound {
                    what: "group",
                    id: format!("{study}/{group}"),
                });
            }
        }
        tx.execute(
            "INSERT INTO api_token (name, role, hash, created) VALUES (?1, ?2, ?3, ?4)",
            params![name, role.as_str(), hash(&secret), timestamp(now())],
        )
        .map_err(StoreError::db)?;
        let id = tx.last_insert_rowid();
        for (study, group) in groups {
            tx.execute(
                "INSERT OR IGNORE INTO api_token_group (token_id, study_id, group_id) VALUES (?1, ?2, ?3)",
                params![id, study.as_str(), group.as_str()],
            )
            .map_err(StoreError::db)?;
        }
        let groups: Vec<String> = groups.iter().map(|(s, g)| format!("{s}/{g}")).collect();
        let summary = match groups.as_slice() {
            [] => format!("made the {role} token `{name}`"),
            _ => format!("made the {role} token `{name}` for {}", groups.join(", ")),
        };
        crate::journal::record(
            &tx,
            &actor,
            &Note::final_(EditKind::TokenCreate, None, summary, Vec::new()),
        )?;
        tx.commit().map_err(StoreError::db)?;
        Ok(secret)
    }

    /// Every token, revoked ones too, in the order they were made.
    pub fn list_tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let ids = rows(
            &self.conn,
            "SELECT id FROM api_token ORDER BY id",
            [],
            |r| get::<i64>(r, 0),
        )?;
        ids.into_iter().map(|id| self.token_info(id)).collect()
    }

    pub(crate) fn token_info(&self, id: i64) -> Result<TokenInfo, StoreError> {
        let (name, role, created, revoked): (String, String, String, Option<String>) = self
            .conn
            .prepare_cached("SELECT name, role, created, revoked FROM api_token WHERE id = ?1")
            .and_then(|mut st| {
                st.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            })
            .map_err(StoreError::db)?;
        let groups = rows(
            &self.conn,
            "SELECT study_id, group_id FROM api_token_group WHERE token_id = ?1 ORDER BY rowid",
            [id],
            |r| Ok((parse(get(r, 0)?)?, parse(get(r, 1)?)?)),
        )?;
        Ok(TokenInfo {
            name,
            role: role.parse().map_err(StoreError::corrupt)?,
            groups,
            created: parse_time(created)?,
            revoked: revoked.map(parse_time).transpose()?,
        })
    }

    /// Revokes a token by name; revoking a revoked token changes nothing. `NotFound` when no
    /// token has that name.
    pub fn revoke_token(&mut self, name: &str) -> Result<(), StoreError> {
        let actor = self.actor.clone();
        let tx = self.write_tx()?;
        let revoked: Option<Option<String>> = tx
            .query_row(
                "SELECT revoked FROM api_token WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()
            .map_err(StoreError::db)?;
        match revoked {
            None => {
                return Err(StoreError::NotFound {
                    what: "token",
                    id: name.to_owned(),
                })
            }
            Some(Some(_)) => {}
            Some(None) => {
                tx.execute(
                    "UPDATE api_token SET revoked = ?2 WHERE name = ?1",
                    [name, &timestamp(now())],
                )
                .map_err(StoreError::db)?;
                let summary = format!("revoked the token `{name}`");
                crate::journal::record(
                    &tx,
                    &actor,
                    &Note::final_(EditKind::TokenRevoke, None, summary, Vec::new()),
                )?;
            }
        }
        tx.commit().map_err(StoreError::db)
    }

    /// The live token whose secret this is; `None` for an unknown or revoked one. The secret
    /// is looked up by its hash.
    pub fn verify_token(&self, secret: &str) -> Result<Option<TokenInfo>, StoreError> {
        if !secret.starts_with(SECRET_PREFIX) {
            return Ok(None);
        }
        let id: Option<i64> = self
            .conn
            .prepare_cached("SELECT id FROM api_token WHERE hash = ?1 AND revoked IS NULL")
            .and_then(|mut st| st.query_row([hash(secret)], |r| r.get(0)).optional())
            .map_err(StoreError::db)?;
        id.map(|id| self.token_info(id)).transpose()
    }

    /// Records a request in the audit log, stamped with the time now.
    pub fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        insert_audit(&self.conn, entry)
    }

    /// The latest `limit` entries of the audit log, oldest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        rows(
            &self.conn,
            "SELECT id, at, token_name, method, path, object_id, status FROM
               (SELECT * FROM audit_log ORDER BY id DESC LIMIT ?1)
             ORDER BY id",
            [limit],
            |r| {
                Ok(AuditRecord {
                    id: get(r, 0)?,
                    at: parse_time(get(r, 1)?)?,
                    token_name: get(r, 2)?,
                    method: get(r, 3)?,
                    path: get(r, 4)?,
                    object_id: get(r, 5)?,
                    status: u16::try_from(get::<i64>(r, 6)?).map_err(StoreError::corrupt)?,
                })
            },
        )
    }
}

/// `Revoked` unless a live token is named `name`. Names are unique and never reused, so the
/// name identifies the token the request was let in with. Run inside a write's
/// transaction, it sees a revocation committed after the request's token was verified.
pub(crate) fn require_live(conn: &Connection, name: &str) -> Result<(), StoreError> {
    let live = conn
        .prepare_cached("SELECT 1 FROM api_token WHERE name = ?1 AND revoked IS NULL")
        .and_then(|mut st| st.query_row([name], |_| Ok(())).optional())
        .map_err(StoreError::db)?
        .is_some();
    if live {
        Ok(())
    } else {
        Err(StoreError::Revoked(name.to_owned()))
    }
}

/// One audit entry's row, stamped with the time now.
pub(crate) fn insert_audit(conn: &Connection, entry: &AuditEntry) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, token_name, method, path, object_id, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut st| {
        st.execute(params![
            timestamp(now()),
            entry.token_name,
            entry.method,
            entry.path,
            entry.object_id,
            entry.status
        ])
    })
    .map_err(StoreError::db)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_their_names() {
        for r in TokenRole::ALL {
            assert_eq!(r.as_str().parse::<TokenRole>().unwrap(), r);
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        let e = "root".parse::<TokenRole>().unwrap_err();
        assert!(
            e.to_string().contains("admin, analyst or facilitator"),
            "{e}"
        );
    }

    #[test]
    fn the_hash_is_hex_sha256() {
        // SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
