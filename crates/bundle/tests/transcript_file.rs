//! Tests of `read_transcript_file`: `.docx` files built here and the committed
//! `fixtures/transcripts/sample.docx`, `.txt` and `.md` files, and each way a file is refused.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use samskap_bundle::{read_transcript_file, Limits, TranscriptFileError, TranscriptFormat};
use zip::write::SimpleFileOptions;

/// The repository's `fixtures/transcripts/` directory.
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/transcripts");

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

/// `word/document.xml` with `body` as the content of `w:body`.
fn document_xml(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    )
}

/// Writes a zip archive with the given parts (name, content), deflated.
fn write_zip(path: &Path, parts: &[(&str, &str)]) {
    let mut zip = zip::ZipWriter::new(fs::File::create(path).unwrap());
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

/// Writes a minimal `.docx` whose `word/document.xml` is `document`.
fn write_docx(path: &Path, document: &str) {
    write_zip(
        path,
        &[
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("word/document.xml", document),
        ],
    );
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap();
    path
}

fn refused(path: &Path) -> (TranscriptFileError, String) {
    let err =
        read_transcript_file(path, &Limits::default()).expect_err("the file should be refused");
    let message = err.to_string();
    assert!(
        message.contains(&path.display().to_string()),
        "the message should name the file: {message}"
    );
    (err, message)
}

#[test]
fn docx_paragraphs_runs_breaks_tabs_and_deletions() {
    let dir = temp();
    let path = dir.path().join("I1.docx");
    let body = concat!(
        // Runs of one paragraph are concatenated; properties carry no text.
        r#"<w:p><w:pPr><w:pStyle w:val="Normal"/></w:pPr>"#,
        r#"<w:r><w:rPr><w:b/></w:rPr><w:t>Intervjuer:</w:t></w:r>"#,
        r#"<w:r><w:tab/><w:t xml:space="preserve">Hva gjør du </w:t></w:r>"#,
        r#"<w:r><w:t>etter skolen?</w:t></w:r></w:p>"#,
        // A line break inside a paragraph; a deleted run; æøå and an emoji.
        r#"<w:p><w:r><w:t xml:space="preserve">Jeg går på </w:t></w:r>"#,
        r#"<w:del w:id="1" w:author="A" w:date="2024-01-01T00:00:00Z"><w:r><w:delText xml:space="preserve">fotball og </w:delText></w:r></w:del>"#,
        r#"<w:r><w:t>klubben.</w:t><w:br/><w:t>Blåbærsyltetøy, ÆØÅ! 🎉</w:t></w:r></w:p>"#,
        // An empty paragraph, then an empty-element one.
        r#"<w:p></w:p><w:p/>"#,
        r#"<w:p><w:r><w:t>Slutt</w:t></w:r></w:p>"#,
        r#"<w:sectPr/>"#,
    );
    write_docx(&path, &document_xml(body));
    assert_eq!(
        read_transcript_file(&path, &Limits::default()).unwrap(),
        "Intervjuer:\tHva gjør du etter skolen?\n\
         Jeg går på klubben.\nBlåbærsyltetøy, ÆØÅ! 🎉\n\
         \n\
         \n\
         Slutt"
    );
}

#[test]
fn docx_text_is_normalised_like_any_other() {
    let dir = temp();
    let path = dir.path().join("I2.DOCX");
    // "å" as "a" + combining ring, and a CR inside the text (as a character reference, which
    // XML keeps): both come out as every path gives them.
    let body = r#"<w:p><w:r><w:t>pa&#x30A;&#13;ny</w:t></w:r></w:p>"#;
    write_docx(&path, &document_xml(body));
    assert_eq!(
        read_transcript_file(&path, &Limits::default()).unwrap(),
        "på\nny"
    );
}

#[test]
fn empty_docx_body_gives_empty_text() {
    let dir = temp();
    let path = dir.path().join("empty.docx");
    write_docx(&path, &document_xml(""));
    assert_eq!(read_transcript_file(&path, &Limits::default()).unwrap(), "");
}

#[test]
fn txt_with_bom_and_crlf_gives_lf_text_without_bom() {
    let dir = temp();
    let path = write(
        dir.path(),
        "I1.txt",
        "\u{feff}Første linje\r\nandre linje\rtredje\r\n".as_bytes(),
    );
    assert_eq!(
        read_transcript_file(&path, &Limits::default()).unwrap(),
        "Første linje\nandre linje\ntredje\n"
    );
}

#[test]
fn markdown_is_kept_as_written() {
    let dir = temp();
    let text = "# Intervju\n\n**Intervjuer:** Hva *betyr* klubben?\n\n- [ ] _punkt_ `kode` <br>\n";
    let path = write(dir.path(), "I1.md", text.as_bytes());
    assert_eq!(
        read_transcript_file(&path, &Limits::default()).unwrap(),
        text
    );
}

#[test]
fn other_extensions_are_refused_naming_the_accepted_ones() {
    let dir = temp();
    for name in ["I1.pdf", "I1", "I1.doc", "I1.txt.bak"] {
        let path = write(dir.path(), name, b"%PDF-1.7");
        let (err, message) = refused(&path);
        assert!(
            matches!(err, TranscriptFileError::UnsupportedExtension { .. }),
            "{err:?}"
        );
        for ext in [".txt", ".md", ".docx"] {
            assert!(message.contains(ext), "{message}");
        }
    }
}

#[test]
fn missing_file_is_an_io_error() {
    let dir = temp();
    for name in ["gone.txt", "gone.docx"] {
        let (err, _) = refused(&dir.path().join(name));
        assert!(matches!(err, TranscriptFileError::Io { .. }), "{err:?}");
    }
}

#[test]
fn docx_that_is_not_a_zip_is_refused() {
    let dir = temp();
    // An old binary Word document renamed to .docx starts with the OLE signature.
    let path = write(
        dir.path(),
        "old.docx",
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 not a zip at all, just bytes",
    );
    let (err, message) = refused(&path);
    assert!(matches!(err, TranscriptFileError::NotZip { .. }), "{err:?}");
    assert!(message.contains("zip"), "{message}");

    let path = write(dir.path(), "empty.docx", b"");
    let (err, _) = refused(&path);
    assert!(matches!(err, TranscriptFileError::NotZip { .. }), "{err:?}");
}

#[test]
fn zip_without_document_part_is_refused() {
    let dir = temp();
    let path = dir.path().join("odt-like.docx");
    write_zip(&path, &[("content.xml", "<office:document/>")]);
    let (err, message) = refused(&path);
    assert!(
        matches!(err, TranscriptFileError::MissingDocument { .. }),
        "{err:?}"
    );
    assert!(message.contains("word/document.xml"), "{message}");
}

#[test]
fn docx_with_doctype_is_refused() {
    let dir = temp();
    let path = dir.path().join("xxe.docx");
    let document = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"#;
    write_docx(&path, document);
    let (err, message) = refused(&path);
    assert!(
        matches!(err, TranscriptFileError::Doctype { .. }),
        "{err:?}"
    );
    assert!(message.contains("DOCTYPE"), "{message}");
    assert!(!message.contains("root:"), "{message}");
}

#[test]
fn malformed_document_xml_is_refused_with_position() {
    let dir = temp();
    let path = dir.path().join("broken.docx");
    let document = document_xml("<w:p><w:r><w:t>open</w:r></w:p>");
    write_docx(&path, &document);
    let (err, message) = refused(&path);
    match err {
        TranscriptFileError::MalformedXml { position, .. } => {
            let position = position.expect("the parser knows where");
            assert!(position > 0 && position < document.len() as u64);
        }
        other => panic!("{other:?}"),
    }
    assert!(message.contains("word/document.xml at byte"), "{message}");

    // An entity that only a DTD could define.
    write_docx(
        &path,
        &document_xml("<w:p><w:r><w:t>&nbsp;</w:t></w:r></w:p>"),
    );
    let (err, message) = refused(&path);
    assert!(
        matches!(err, TranscriptFileError::MalformedXml { .. }),
        "{err:?}"
    );
    assert!(message.contains("&nbsp;"), "{message}");
}

#[test]
fn invalid_utf8_is_refused_with_offset_and_line() {
    let dir = temp();
    // Line 3 holds "ø" in Latin-1 (0xF8), as an old Windows editor would save it.
    let path = write(
        dir.path(),
        "latin1.txt",
        b"linje en\r\nlinje to\r\nm\xF8te\n",
    );
    let (err, message) = refused(&path);
    match err {
        TranscriptFileError::InvalidUtf8 { offset, line, .. } => {
            assert_eq!((offset, line), (21, 3));
        }
        other => panic!("{other:?}"),
    }
    assert!(message.contains(":3:"), "{message}");
    assert!(message.contains("byte 21"), "{message}");
    assert!(message.contains("UTF-8"), "{message}");
}

#[test]
fn utf16_text_is_refused_with_a_hint() {
    let dir = temp();
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend("hei".encode_utf16().flat_map(u16::to_le_bytes));
    let path = write(dir.path(), "notepad.txt", &bytes);
    let (err, message) = refused(&path);
    assert!(matches!(err, TranscriptFileError::Utf16 { .. }), "{err:?}");
    assert!(message.contains("UTF-16"), "{message}");
}

#[test]
fn formats_come_from_extensions() {
    assert_eq!(
        TranscriptFormat::from_path(Path::new("x/I1.Md")),
        Some(TranscriptFormat::Markdown)
    );
    assert_eq!(TranscriptFormat::from_path(Path::new("I1.rtf")), None);
    let listed: Vec<_> = TranscriptFormat::ALL
        .iter()
        .map(|f| f.extension())
        .collect();
    assert_eq!(listed, ["txt", "md", "docx"]);
}

#[test]
fn sample_fixture_docx_reads_as_expected() {
    let dir = Path::new(FIXTURES);
    let docx = read_transcript_file(&dir.join("sample.docx"), &Limits::default()).unwrap();
    let expected = fs::read_to_string(dir.join("sample.expected.txt")).unwrap();
    assert_eq!(docx, expected);
    // Footnotes, comments and headers are other parts of the package: not in the text.
    for left_out in ["FOTNOTE", "KOMMENTAR", "TOPPTEKST", "uklart", "veldig"] {
        assert!(!docx.contains(left_out), "{left_out}");
    }
    // The plain-text copy reads to the same text: every path gives the same string.
    assert_eq!(
        read_transcript_file(&dir.join("sample.expected.txt"), &Limits::default()).unwrap(),
        docx
    );
}
