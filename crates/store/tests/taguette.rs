//! The store's reader of Taguette databases over `fixtures/taguette/project.sqlite3`: the
//! rows of each project, the command log by schema revision, and nothing written beside
//! the file.

use std::path::{Path, PathBuf};

use samskap_files::Limits;
use samskap_store::{StoreError, TaguetteFile};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/taguette/project.sqlite3")
}

fn copy(dir: &Path) -> PathBuf {
    let p = dir.join("project.sqlite3");
    std::fs::copy(fixture(), &p).unwrap();
    p
}

#[test]
fn the_fixture_reads_whole() {
    let f = TaguetteFile::open(&fixture(), &Limits::default()).unwrap();
    assert_eq!(f.revision(), Some("db5e31a0233d"));
    assert_eq!(f.known_revision(), Some(true));
    let projects = f.projects().unwrap();
    let names: Vec<&str> = projects.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Ung inkludering – Taguette", "Pilot"]);
    let one = f.project(&projects[0]).unwrap();
    assert_eq!(
        (one.documents.len(), one.tags.len(), one.highlights.len()),
        (2, 5, 10)
    );
    assert_eq!(one.highlight_tags.len(), 11);
    assert_eq!(one.members, ["kari", "ola"]);
    // Eight highlights were made with a log entry; the document entries are not highlights.
    assert_eq!(one.commands.len(), 8);
    assert!(one
        .commands
        .iter()
        .all(|c| c.user == "kari" || c.user == "ola"));
    assert_eq!(one.unreadable_commands, 0);
    let two = f.project(&projects[1]).unwrap();
    assert_eq!(two.members, ["admin"]);
    assert!(two.commands.is_empty());
    assert_eq!(two.highlights[0].snippet, "<p>tillit</p>");
}

#[test]
fn an_older_log_names_its_highlight_id() {
    let dir = tempfile::tempdir().unwrap();
    let p = copy(dir.path());
    let conn = rusqlite::Connection::open(&p).unwrap();
    conn.execute_batch(
        "UPDATE alembic_version SET version_num = 'ecb4065de575';
         UPDATE commands SET payload = replace(payload, '\"highlight_id\"', '\"id\"');
         UPDATE commands SET payload = 'not json' WHERE id = 1;",
    )
    .unwrap();
    drop(conn);
    let f = TaguetteFile::open(&p, &Limits::default()).unwrap();
    let projects = f.projects().unwrap();
    let one = f.project(&projects[0]).unwrap();
    assert_eq!(one.commands.len(), 8);
    assert_eq!(one.commands[0].highlight_id, 1);
    assert_eq!(one.unreadable_commands, 1);
}

#[test]
fn a_row_over_the_transcript_limit_is_refused_by_name() {
    let limits = Limits {
        transcript: 100,
        ..Limits::default()
    };
    let f = TaguetteFile::open(&fixture(), &limits).unwrap();
    let projects = f.projects().unwrap();
    let e = f.project(&projects[0]).unwrap_err();
    assert!(matches!(e, StoreError::Foreign { .. }), "{e}");
    assert!(e.to_string().contains("document 1 holds"), "{e}");
}

#[test]
fn nothing_is_written_beside_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = copy(dir.path());
    let before = std::fs::read(&p).unwrap();
    {
        let f = TaguetteFile::open(&p, &Limits::default()).unwrap();
        for project in f.projects().unwrap() {
            f.project(&project).unwrap();
        }
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no journal, WAL or lock file while open");
    }
    assert_eq!(std::fs::read(&p).unwrap(), before);
}
