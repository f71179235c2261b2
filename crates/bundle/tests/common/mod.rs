//! Helpers shared by the integration tests of bundles.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use samskap_bundle::{write, BundleError, WriteMode};
use samskap_core::{CodingTable, Study};

/// Writes a whole study as a bundle: its record, and its codings as a table.
pub fn export(study: &Study, dir: &Path, mode: WriteMode) -> Result<(), BundleError> {
    write(study, &CodingTable::of(study, None), dir, mode)
}

/// Asserts that two studies are the same: everything a study holds is in its JSON but the
/// indexes and the sources' voices, which follow from the rest and are compared too.
pub fn assert_same_study(actual: &Study, expected: &Study) {
    assert_eq!(
        serde_json::to_value(actual).unwrap(),
        serde_json::to_value(expected).unwrap()
    );
    assert_eq!(actual.voices(), expected.voices());
}

/// Every file under `dir`, relative to it with `/` as the separator, sorted.
pub fn all_files(dir: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap();
                let parts: Vec<_> = rel.iter().map(|p| p.to_string_lossy()).collect();
                out.insert(parts.join("/"));
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

/// A minimal .docx whose body is `paragraphs`, one `w:p` each.
pub fn docx(path: &Path, paragraphs: &[&str]) {
    use std::io::Write;
    let body: String = paragraphs
        .iter()
        .map(|p| {
            let p = p.replace('&', "&amp;").replace('<', "&lt;");
            format!("<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>")
        })
        .collect();
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:body>{body}</w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>").unwrap();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(document.as_bytes()).unwrap();
    zip.finish().unwrap();
}
