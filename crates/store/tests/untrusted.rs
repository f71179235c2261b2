//! Property tests of the readers of untrusted files on their way into the store: case bundles
//! (from others' git repositories), `.docx` transcripts and REFI-QDA projects (by e-mail). Any
//! input gives a study or an error (naming a file, for bundles), never a panic; and an input
//! refused on its way into the store leaves the store exactly as it was.
//!
//! The case count is bounded for CI; `PROPTEST_CASES=20000 cargo test -p samskap-store --test
//! untrusted` runs longer.

use std::io::Write;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use samskap_bundle::{read, read_transcript_file};
use samskap_store::{RefiRecord, Replace, Store};

fn mini() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/mini")
}

/// The files of the mini bundle, by path relative to it.
fn mini_files() -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&mini(), &mini(), &mut out);
    out
}

/// One edit to a byte string, at a position given as a fraction of its length so that the
/// same strategy serves files of every size.
#[derive(Debug, Clone)]
enum Edit {
    Truncate(f64),
    Insert(f64, Vec<u8>),
    Delete(f64, usize),
    Replace(f64, u8),
    Duplicate(f64, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = 0.0..1.0f64;
    // Bytes that matter to TOML, CSV, XML and UTF-8.
    let token = prop_oneof![
        prop::sample::select(vec![
            &b"\""[..],
            b"\n",
            b",",
            b"=",
            b"[",
            b"]",
            b"[[",
            b"#",
            b"<",
            b">",
            b"&",
            b"&amp;",
            b"&#0;",
            b"\xff",
            b"\xc3",
            b"\xe2\x80",
            b"\r",
            b"\0",
            b"'''",
            b"\"\"\"",
            b"\\",
            b"id = \"x\"\n",
            b"2024-13-40",
            b"-1",
            b"99999999999999999999",
        ])
        .prop_map(<[u8]>::to_vec),
        prop::collection::vec(any::<u8>(), 1..16),
    ];
    prop_oneof![
        at.clone().prop_map(Edit::Truncate),
        (at.clone(), token).prop_map(|(a, t)| Edit::Insert(a, t)),
        (at.clone(), 1usize..64).prop_map(|(a, n)| Edit::Delete(a, n)),
        (at.clone(), any::<u8>()).prop_map(|(a, b)| Edit::Replace(a, b)),
        (at, 1usize..128).prop_map(|(a, n)| Edit::Duplicate(a, n)),
    ]
}

fn apply(bytes: &mut Vec<u8>, e: &Edit) {
    let pos = |f: f64, len: usize| ((len as f64) * f) as usize;
    match e {
        Edit::Truncate(f) => bytes.truncate(pos(*f, bytes.len())),
        Edit::Insert(f, t) => {
            let at = pos(*f, bytes.len());
            bytes.splice(at..at, t.iter().copied());
        }
        Edit::Delete(f, n) => {
            let at = pos(*f, bytes.len());
            let end = (at + n).min(bytes.len());
            bytes.drain(at..end);
        }
        Edit::Replace(f, b) => {
            if !bytes.is_empty() {
                let at = pos(*f, bytes.len()).min(bytes.len() - 1);
                bytes[at] = *b;
            }
        }
        Edit::Duplicate(f, n) => {
            let at = pos(*f, bytes.len());
            let end = (at + n).min(bytes.len());
            let copy = bytes[at..end].to_vec();
            bytes.splice(end..end, copy);
        }
    }
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

fn docx_bytes(document: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in [
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("word/document.xml", document),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Pieces of WordprocessingML, well-formed or not, to string together into a body.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "<w:p>",
            "</w:p>",
            "<w:r>",
            "</w:r>",
            "<w:t>",
            "</w:t>",
            "<w:t xml:space=\"preserve\">",
            "<w:br/>",
            "<w:tab/>",
            "<w:p/>",
            "<w:del w:id=\"1\">",
            "</w:del>",
            "<w:delText>",
            "</w:delText>",
            "<w:pPr><w:rPr><w:del/></w:rPr></w:pPr>",
            "<mc:AlternateContent>",
            "<mc:Fallback>",
            "</mc:Fallback>",
            "&amp;",
            "&lt;",
            "&#x1F600;",
            "&#0;",
            "&#xD800;",
            "&bogus;",
            "<!DOCTYPE x>",
            "<![CDATA[x]]>",
            "<?pi x?>",
            "<!-- c -->",
            "<x:y>",
            "</w:body>",
            "Blåbær ",
            "\u{301}",
            "\r\n",
        ])
        .prop_map(str::to_owned),
        "[ -~]{0,12}".prop_map(|s| s.replace(['<', '&'], "")),
    ]
}

fn document(fragments: &[String]) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{}</w:body></w:document>"#,
        fragments.concat()
    )
    .into_bytes()
}

fn read_docx(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("I1.docx");
    std::fs::write(&path, bytes).unwrap();
    if let Err(e) = read_transcript_file(&path, &samskap_bundle::Limits::default()) {
        // A refusal names the file.
        assert!(e.to_string().contains("I1.docx"), "{e}");
    }
}

/// Every row of every table, in order: two equal dumps are two equal stores.
fn dump(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = Vec::new();
    for t in tables {
        let mut st = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = st.column_count();
        let rows = st
            .query_map([], |r| {
                let cells: Vec<String> = (0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect();
                Ok(format!("{t}: {}", cells.join(" | ")))
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

/// A store holding the mini study, the one every edited bundle tries to replace.
fn store_with_mini(dir: &Path) -> (Store, PathBuf) {
    let path = dir.join("s.db");
    let mut store = Store::open(&path).unwrap();
    store
        .import_study(&read(&mini()).unwrap(), Replace::No)
        .unwrap();
    (store, path)
}

fn refi_hand() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/refi/hand");
    let mut out = vec![(
        "project.qde".to_owned(),
        std::fs::read(root.join("project.qde")).unwrap(),
    )];
    for e in std::fs::read_dir(root.join("sources")).unwrap() {
        let e = e.unwrap();
        out.push((
            format!("sources/{}", e.file_name().to_string_lossy()),
            std::fs::read(e.path()).unwrap(),
        ));
    }
    out
}

fn zip_bytes(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Reads a project and, if it imports, writes it over the study of the same id in a store
/// that already holds one: refused or not, the store is in one of its two states.
fn refi_into_store(bytes: &[u8]) {
    let Ok(project) =
        samskap_refi::read_qdpx(std::io::Cursor::new(bytes), samskap_refi::Limits::default())
    else {
        return;
    };
    let opts = samskap_refi::ImportOptions {
        study_id: "hand".parse().unwrap(),
        counting: None,
        mapping: None,
        default_qualifiers: samskap_core::Qualifiers::none(),
        default_coder: "A".parse().unwrap(),
        keep: Default::default(),
    };
    let Ok(imported) = samskap_refi::import_project(&project, &opts) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open(&path).unwrap();
    store
        .import_refi_study(&imported.study, &RefiRecord::default(), Replace::No)
        .unwrap();
    let before = dump(&path);
    // The same study again without --replace is refused whole.
    assert!(store
        .import_refi_study(&imported.study, &RefiRecord::default(), Replace::No)
        .is_err());
    assert_eq!(dump(&path), before);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn docx_bodies_read_or_refuse(fragments in prop::collection::vec(fragment(), 0..40)) {
        read_docx(&docx_bytes(&document(&fragments)));
    }

    #[test]
    fn damaged_docx_archives_read_or_refuse(
        fragments in prop::collection::vec(fragment(), 0..10),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let mut bytes = docx_bytes(&document(&fragments));
        for e in &edits {
            apply(&mut bytes, e);
        }
        read_docx(&bytes);
    }

    #[test]
    fn edited_bundles_read_or_refuse_naming_a_file(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let files = mini_files();
        let target = which.index(files.len());
        let dir = tempfile::tempdir().unwrap();
        for (i, (rel, bytes)) in files.iter().enumerate() {
            let mut bytes = bytes.clone();
            if i == target {
                for e in &edits {
                    apply(&mut bytes, e);
                }
            }
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        match read(dir.path()) {
            Err(e) => {
                let message = e.to_string();
                prop_assert!(
                    files.iter().any(|(rel, _)| message.contains(rel.as_str())),
                    "the message names no file of the bundle: {}", message
                );
            }
            Ok(study) => {
                // It reads: replacing the stored study with it is all or nothing.
                let (mut store, path) = store_with_mini(dir.path());
                let before = dump(&path);
                if store.import_study(&study, Replace::Yes).is_err() {
                    prop_assert_eq!(dump(&path), before);
                }
            }
        }
    }

    #[test]
    fn edited_refi_projects_read_or_refuse(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let mut entries = refi_hand();
        let target = which.index(entries.len());
        for e in &edits {
            apply(&mut entries[target].1, e);
        }
        refi_into_store(&zip_bytes(&entries));
    }

    #[test]
    fn damaged_refi_archives_read_or_refuse(edits in prop::collection::vec(edit(), 1..4)) {
        let mut bytes = zip_bytes(&refi_hand());
        for e in &edits {
            apply(&mut bytes, e);
        }
        refi_into_store(&bytes);
    }
}
