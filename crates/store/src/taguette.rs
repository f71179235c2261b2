//! A Taguette project's SQLite file, read as untrusted input: checked through
//! `samskap-files` (a regular file, no link, within its size limit), opened read-only and
//! immutable (SQLite writes nothing beside it: no journal, no WAL, no lock), checked to be a
//! Taguette database, and read into the plain values of `samskap_taguette::source`. Only
//! `SELECT`s over the tables Taguette makes run; nothing the file declares (views,
//! triggers, functions in its schema) is trusted.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::config::DbConfig;
use rusqlite::limits::Limit;
use rusqlite::{Connection, OpenFlags};
use samskap_files::{FileError, Kind, Limits, Links, RAISE_LIMITS};
use samskap_taguette::source::{Document, Highlight, HighlightCommand, Project, Source, Tag};

use crate::StoreError;

/// The revisions of Taguette's schema (its Alembic migrations), oldest first. Before
/// `bc8e0e0677e9` a `highlight_add` entry of the log named its highlight `id`.
const REVISIONS: &[&str] = &[
    "e4e090a5b511",
    "dd37d9027a24",
    "679f625e6e6a",
    "80b1cc9d4c22",
    "447d636f72c5",
    "bce44849c2f2",
    "91ade71ccf4d",
    "b23f3b7a638e",
    "807c0cc0ecf6",
    "ecb4065de575",
    "bc8e0e0677e9",
    "43d6c240309d",
    "d86c45d7aa8a",
    "491de2dc7cd7",
    "e4cf92942271",
    "09c662cd9483",
    "6489b5f9cfb5",
    "382db36f20f4",
    "db5e31a0233d",
];

/// The tables and columns this reader needs.
const NEEDED: &[(&str, &[&str])] = &[
    ("projects", &["id", "name", "description"]),
    (
        "documents",
        &["id", "name", "description", "project_id", "contents"],
    ),
    (
        "highlights",
        &["id", "document_id", "start_offset", "end_offset", "snippet"],
    ),
    ("tags", &["id", "project_id", "path", "description"]),
    ("highlight_tags", &["highlight_id", "tag_id"]),
];

/// Tables read when they are there: who made what, and who belongs to a project.
const OPTIONAL: &[(&str, &[&str])] = &[
    ("commands", &["id", "user_login", "project_id", "payload"]),
    ("project_members", &["project_id", "user_login"]),
];

/// A Taguette database, opened and checked.
pub struct TaguetteFile {
    conn: Connection,
    path: PathBuf,
    revision: Option<String>,
    has: HashMap<&'static str, bool>,
    /// The longest text one row may hold (a document's HTML, a snippet).
    max_text: u64,
}

impl std::fmt::Debug for TaguetteFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaguetteFile")
            .field("path", &self.path)
            .field("revision", &self.revision)
            .finish_non_exhaustive()
    }
}

fn refused(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::Foreign {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// A path as an SQLite `file:` URI, every byte outside the unreserved set escaped (so that
/// `?`, `#` and `%` in a file name stay part of the name).
fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for &b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    uri
}

impl TaguetteFile {
    /// Opens `path` as a Taguette database. The file must be a regular file (a symbolic
    /// link is refused: the file arrived from someone else) within `limits.database`; one
    /// row's text may be at most `limits.transcript` bytes.
    pub fn open(path: &Path, limits: &Limits) -> Result<Self, StoreError> {
        use std::io::Read;
        let opened = samskap_files::open(path, Kind::Database, limits, Links::Refuse)
            .map_err(|e| match e {
                FileError::Link => refused(
                    path,
                    "is a symbolic link; samskap reads no link to another tool's database: give the file itself",
                ),
                other => refused(path, other.to_string()),
            })?;
        let mut file = opened.into_file();
        let mut header = [0u8; 100];
        let got = file.read(&mut header).map_err(StoreError::file(path))?;
        if got < 16 || &header[..16] != b"SQLite format 3\0" {
            return Err(refused(
                path,
                "is not an SQLite database (Taguette keeps a project in an .sqlite3 file)",
            ));
        }
        // Immutable: SQLite takes no lock and writes no journal, WAL or shared-memory
        // file beside it, whatever mode the file was left in.
        let conn = Connection::open_with_flags(
            file_uri(path),
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| refused(path, format!("SQLite cannot open it: {e}")))?;
        let db = |e: rusqlite::Error| refused(path, format!("SQLite cannot read it: {e}"));
        // SQLite's advice for a database from elsewhere: no function of its schema runs,
        // damaged pages are noticed, nothing is mapped into memory.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
            .map_err(db)?;
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)
            .map_err(db)?;
        conn.execute_batch("PRAGMA cell_size_check=ON; PRAGMA mmap_size=0;")
            .map_err(db)?;
        let max_text = limits.transcript;
        let cap = i32::try_from(max_text.saturating_add(1024)).unwrap_or(i32::MAX);
        let _ = conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, cap);
        let check: String = conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(db)?;
        if check != "ok" {
            return Err(refused(
                path,
                format!("is damaged (SQLite's check says: {check})"),
            ));
        }
        same_file(path, &file)?;

        let mut missing = Vec::new();
        let mut has = HashMap::new();
        for (table, columns) in NEEDED.iter().chain(OPTIONAL) {
            let required = NEEDED.iter().any(|(t, _)| t == table);
            match table_columns(&conn, table).map_err(db)? {
                None if required => missing.push(format!("no table `{table}`")),
                None => {
                    has.insert(*table, false);
                }
                Some(found) => {
                    let lacking: Vec<&str> = columns
                        .iter()
                        .copied()
                        .filter(|c| !found.iter().any(|f| f == c))
                        .collect();
                    if lacking.is_empty() {
                        has.insert(*table, true);
                    } else if required {
                        missing.push(format!(
                            "table `{table}` has no column {}",
                            lacking
                                .iter()
                                .map(|c| format!("`{c}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    } else {
                        has.insert(*table, false);
                    }
                }
            }
        }
        if !missing.is_empty() {
            return Err(refused(
                path,
                format!("is not a Taguette database: {}", missing.join("; ")),
            ));
        }
        let revision = match table_columns(&conn, "alembic_version").map_err(db)? {
            Some(cols) if cols.iter().any(|c| c == "version_num") => conn
                .query_row("SELECT version_num FROM alembic_version LIMIT 1", [], |r| {
                    r.get::<_, Option<String>>(0)
                })
                .map(|v| v.map(|v| samskap_core::shorten(&v).into_owned()))
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })
                .map_err(db)?,
            _ => None,
        };
        Ok(Self {
            conn,
            path: path.to_owned(),
            revision,
            has,
            max_text,
        })
    }

    /// The schema revision Taguette recorded (`alembic_version`), if any.
    pub fn revision(&self) -> Option<&str> {
        self.revision.as_deref()
    }

    /// Whether the recorded revision is one this reader knows; `None` when none is recorded.
    pub fn known_revision(&self) -> Option<bool> {
        self.revision.as_deref().map(|r| REVISIONS.contains(&r))
    }

    fn err(&self, what: &str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        let what = what.to_owned();
        move |e| refused(&self.path, format!("{what}: {e}"))
    }

    /// The projects in the file, by id.
    pub fn projects(&self) -> Result<Vec<Project>, StoreError> {
        let e = self.err("reading table `projects`");
        let mut st = self
            .conn
            .prepare(
                "SELECT id, name, description IS NOT NULL AND trim(description) <> '' \
                 FROM projects ORDER BY id",
            )
            .map_err(&e)?;
        let rows = st
            .query_map([], |r| {
                Ok(Project {
                    id: r.get(0)?,
                    name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    has_description: r.get(2)?,
                })
            })
            .map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    /// Everything of one project.
    pub fn project(&self, project: &Project) -> Result<Source, StoreError> {
        let id = project.id;
        let max = i64::try_from(self.max_text).unwrap_or(i64::MAX);
        let big: Option<(String, i64, i64)> = self
            .conn
            .query_row(
                "SELECT 'document', d.id, octet_length(d.contents) FROM documents d \
                 WHERE d.project_id = ?1 AND octet_length(d.contents) > ?2 \
                 UNION ALL SELECT 'highlight', h.id, octet_length(h.snippet) FROM highlights h \
                 JOIN documents d ON d.id = h.document_id \
                 WHERE d.project_id = ?1 AND octet_length(h.snippet) > ?2 LIMIT 1",
                (id, max),
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .map_err(self.err("measuring documents"))?;
        if let Some((what, row, len)) = big {
            return Err(refused(
                &self.path,
                format!(
                    "{what} {row} holds {len} bytes of text, more than the limit for a transcript ({} bytes); {RAISE_LIMITS}",
                    self.max_text
                ),
            ));
        }

        let e = self.err("reading table `documents`");
        let mut st = self
            .conn
            .prepare(
                "SELECT id, name, description IS NOT NULL AND trim(description) <> '', contents \
                 FROM documents WHERE project_id = ?1 ORDER BY id",
            )
            .map_err(&e)?;
        let documents = st
            .query_map([id], |r| {
                Ok(Document {
                    id: r.get(0)?,
                    name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    has_description: r.get(2)?,
                    contents: r.get(3)?,
                })
            })
            .map_err(&e)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(&e)?;

        let e = self.err("reading table `tags`");
        let mut st = self
            .conn
            .prepare(
                "SELECT id, path, coalesce(description, '') FROM tags \
                 WHERE project_id = ?1 ORDER BY id",
            )
            .map_err(&e)?;
        let tags = st
            .query_map([id], |r| {
                Ok(Tag {
                    id: r.get(0)?,
                    path: r.get(1)?,
                    description: r.get(2)?,
                })
            })
            .map_err(&e)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(&e)?;

        let e = self.err("reading table `highlights`");
        let mut st = self
            .conn
            .prepare(
                "SELECT h.id, h.document_id, h.start_offset, h.end_offset, h.snippet \
                 FROM highlights h JOIN documents d ON d.id = h.document_id \
                 WHERE d.project_id = ?1 ORDER BY h.id",
            )
            .map_err(&e)?;
        let highlights = st
            .query_map([id], |r| {
                Ok(Highlight {
                    id: r.get(0)?,
                    document_id: r.get(1)?,
                    start: r.get(2)?,
                    end: r.get(3)?,
                    snippet: r.get(4)?,
                })
            })
            .map_err(&e)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(&e)?;

        let e = self.err("reading table `highlight_tags`");
        let mut st = self
            .conn
            .prepare(
                "SELECT ht.highlight_id, ht.tag_id FROM highlight_tags ht \
                 JOIN highlights h ON h.id = ht.highlight_id \
                 JOIN documents d ON d.id = h.document_id \
                 WHERE d.project_id = ?1 ORDER BY ht.highlight_id, ht.tag_id",
            )
            .map_err(&e)?;
        let highlight_tags = st
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(&e)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(&e)?;

        let (commands, unreadable_commands) = if self.has["commands"] {
            self.commands(id)?
        } else {
            (Vec::new(), 0)
        };
        let members = if self.has["project_members"] {
            let e = self.err("reading table `project_members`");
            let mut st = self
                .conn
                .prepare(
                    "SELECT DISTINCT user_login FROM project_members \
                     WHERE project_id = ?1 AND user_login IS NOT NULL ORDER BY user_login",
                )
                .map_err(&e)?;
            let members = st
                .query_map([id], |r| r.get(0))
                .map_err(&e)?
                .collect::<Result<Vec<String>, _>>()
                .map_err(&e)?;
            members
        } else {
            Vec::new()
        };
        Ok(Source {
            project: project.clone(),
            documents,
            tags,
            highlights,
            highlight_tags,
            commands,
            unreadable_commands,
            members,
        })
    }

    /// The `highlight_add` entries of the project's log, and how many entries are no JSON
    /// object with a type.
    fn commands(&self, project: i64) -> Result<(Vec<HighlightCommand>, u64), StoreError> {
        // Before revision bc8e0e0677e9 the highlight was `id`; an unknown (newer) revision
        // is read as the current one.
        let old = self.revision.as_deref().is_some_and(|r| {
            let at = |x: &str| REVISIONS.iter().position(|v| *v == x);
            matches!((at(r), at("bc8e0e0677e9")), (Some(a), Some(b)) if a < b)
        });
        let key = if old { "id" } else { "highlight_id" };
        let e = self.err("reading table `commands`");
        let mut st = self
            .conn
            .prepare(
                "SELECT id, user_login, payload FROM commands \
                 WHERE project_id = ?1 ORDER BY id",
            )
            .map_err(&e)?;
        let mut rows = st.query([project]).map_err(&e)?;
        let mut out = Vec::new();
        let mut unreadable = 0u64;
        while let Some(r) = rows.next().map_err(&e)? {
            let id: i64 = r.get(0).map_err(&e)?;
            let user: Option<String> = r.get(1).map_err(&e)?;
            let payload: Option<String> = r.get(2).map_err(&e)?;
            let value = payload
                .as_deref()
                .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok());
            let Some(ty) = value.as_ref().and_then(|v| v.get("type")?.as_str()) else {
                unreadable += 1;
                continue;
            };
            if ty != "highlight_add" {
                continue;
            }
            let v = value.as_ref().expect("read above");
            let highlight = v.get(key).and_then(serde_json::Value::as_i64);
            let tags: Option<Vec<i64>> = v
                .get("tags")
                .and_then(serde_json::Value::as_array)
                .and_then(|a| a.iter().map(serde_json::Value::as_i64).collect());
            match (highlight, tags, user) {
                (Some(highlight_id), Some(tags), Some(user)) => out.push(HighlightCommand {
                    id,
                    highlight_id,
                    user,
                    tags,
                }),
                _ => unreadable += 1,
            }
        }
        Ok((out, unreadable))
    }
}

/// The columns of `table` if it is a table (not a view: a view would run the file's SQL).
fn table_columns(conn: &Connection, table: &str) -> rusqlite::Result<Option<Vec<String>>> {
    let kind: Option<String> = conn
        .query_row(
            "SELECT type FROM sqlite_schema WHERE name = ?1 COLLATE NOCASE",
            [table],
            |r| r.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    if kind.as_deref() != Some("table") {
        return Ok(None);
    }
    let mut st = conn.prepare("SELECT name FROM pragma_table_info(?1)")?;
    let cols = st
        .query_map([table], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(Some(cols))
}

/// The file SQLite opened by name is the one checked: a path swapped for another file
/// between the check and SQLite's open is refused.
#[cfg(unix)]
fn same_file(path: &Path, checked: &std::fs::File) -> Result<(), StoreError> {
    use std::os::unix::fs::MetadataExt;
    let a = checked.metadata().map_err(StoreError::file(path))?;
    let b = std::fs::symlink_metadata(path).map_err(StoreError::file(path))?;
    if (a.dev(), a.ino()) != (b.dev(), b.ino()) || !b.file_type().is_file() {
        return Err(refused(
            path,
            "changed while it was being opened; try again",
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn same_file(_: &Path, _: &std::fs::File) -> Result<(), StoreError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_escape_what_sqlite_would_read_as_parameters() {
        assert_eq!(
            file_uri(Path::new("/tmp/a b?c#d%e.sqlite3")),
            "file:/tmp/a%20b%3Fc%23d%25e.sqlite3?mode=ro&immutable=1"
        );
    }
}
