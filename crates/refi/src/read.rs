//! Reading `.qdpx` archives and `.qdc` codebooks into a [`Project`], all checks applied.

use std::io::{Read, Seek};

use crate::archive::{Archive, Limits};
use crate::project::{self, Ctx, NoteDraft, Project, SourceDraft, TextAt};
use crate::{xml, RefiError};

/// Reads a `.qdpx` archive. Nothing outside the archive is opened: sources kept as
/// `relative://` or `absolute://` files are skipped and counted.
pub fn read_qdpx<R: Read + Seek>(reader: R, limits: Limits) -> Result<Project, RefiError> {
    let mut archive = Archive::open(reader, limits)?;
    let names = archive.names();
    let qde = if archive.contains("project.qde") {
        "project.qde".to_owned()
    } else {
        let found: Vec<&String> = names
            .iter()
            .filter(|n| !n.contains('/') && n.to_ascii_lowercase().ends_with(".qde"))
            .collect();
        match found.as_slice() {
            [] => return Err(RefiError::NoProject),
            [one] => (*one).clone(),
            many => {
                return Err(RefiError::SeveralProjects(
                    many.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ))
            }
        }
    };
    let bytes = archive.read(&qde)?.ok_or(RefiError::NoProject)?;
    let root = xml::parse(&qde, &bytes, &limits)?;
    drop(bytes);
    let ctx = Ctx::new(&qde, &root)?;
    let (mut p, sources, notes) = project::project(&ctx, &root)?;
    drop(root);
    let mut used = std::collections::BTreeSet::new();
    for SourceDraft { mut source, at } in sources {
        let text = match at {
            TextAt::Inline(t) => t,
            TextAt::Internal(name) => {
                used.insert(format!("sources/{name}").to_ascii_lowercase());
                let bytes = fetch(&mut archive, &name, &source.guid.to_string())?;
                decode(bytes, &source.guid.to_string(), &name)?
            }
            TextAt::External => {
                p.skipped.add(
                    "text source kept outside the archive (relative:// or absolute://, not opened)",
                    1,
                );
                count_lost_codings(&source, &mut p);
                continue;
            }
            TextAt::None => {
                p.skipped
                    .add("text source with rich text only (no plain text)", 1);
                count_lost_codings(&source, &mut p);
                continue;
            }
        };
        source.text = text;
        p.sources.push(source);
    }
    for NoteDraft { mut note, at } in notes {
        note.text = match at {
            TextAt::Inline(t) => t,
            TextAt::Internal(name) => {
                used.insert(format!("sources/{name}").to_ascii_lowercase());
                let bytes = fetch(&mut archive, &name, &note.guid.to_string())?;
                decode(bytes, &note.guid.to_string(), &name)?
            }
            TextAt::External | TextAt::None => {
                p.skipped.add(
                    "note whose text is outside the archive or rich text only",
                    1,
                );
                continue;
            }
        };
        p.notes.push(note);
    }
    let extra = names
        .iter()
        .filter(|n| {
            let l = n.to_ascii_lowercase();
            l.starts_with("sources/") && !l.ends_with('/') && !used.contains(&l)
        })
        .count();
    p.skipped
        .add("file in sources/ that no text source or note uses", extra);
    Ok(p)
}

fn count_lost_codings(source: &project::TextSource, p: &mut Project) {
    let n: usize = source.selections.iter().map(|s| s.codings.len()).sum();
    p.skipped.add("coding in a text source that was skipped", n);
}

fn fetch<R: Read + Seek>(
    archive: &mut Archive<R>,
    name: &str,
    guid: &str,
) -> Result<Vec<u8>, RefiError> {
    let entry = format!("sources/{name}");
    archive
        .read(&entry)?
        .ok_or_else(|| RefiError::MissingSourceFile {
            source_guid: guid.to_owned(),
            path: format!("internal://{name}"),
        })
}

/// UTF-8 text without its byte-order mark; invalid UTF-8 is refused, never repaired.
fn decode(bytes: Vec<u8>, guid: &str, name: &str) -> Result<String, RefiError> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| RefiError::NotUtf8 {
        source_guid: guid.to_owned(),
        path: name.to_owned(),
        at: e.utf8_error().valid_up_to(),
    })
}

/// Reads a `.qdc` codebook: its codes, and what it holds besides (sets) as skipped.
pub fn read_qdc(bytes: &[u8], limits: Limits) -> Result<Project, RefiError> {
    let file = "codebook.qdc";
    let root = xml::parse(file, bytes, &limits)?;
    if root.name != "CodeBook" {
        return Err(RefiError::WrongRoot {
            file: file.to_owned(),
            found: root.name.clone(),
            expected: "CodeBook",
        });
    }
    let ctx = Ctx::new(file, &root)?;
    let mut p = Project {
        origin: root.attr("origin").map(str::to_owned),
        ..Project::default()
    };
    for cs in root.all("Codes") {
        p.codes.extend(project::codes(&ctx, cs)?);
    }
    p.skipped.add(
        "set (Set)",
        root.all("Sets").flat_map(|s| s.all("Set")).count(),
    );
    Ok(p)
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;

    #[test]
    fn the_element_limit_holds_for_projects_and_codebooks() {
        let qde = br#"<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Users><User guid="00000000-0000-4000-8000-000000000001" name="a"/></Users></Project>"#;
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file("project.qde", zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(qde).unwrap();
        let bytes = w.finish().unwrap().into_inner();
        // Project, Users, User and four attributes (`xmlns` counts too).
        let limits = |max_elements| Limits {
            max_elements,
            ..Limits::default()
        };
        assert!(read_qdpx(Cursor::new(&bytes), limits(7)).is_ok());
        let e = read_qdpx(Cursor::new(&bytes), limits(6)).unwrap_err();
        assert!(
            matches!(&e, RefiError::TooManyElements { file, limit: 6 } if file == "project.qde"),
            "{e}"
        );
        let qdc = br#"<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="00000000-0000-4000-8000-000000000001" name="a"/></Codes></CodeBook>"#;
        // CodeBook, Codes, Code and three attributes (`xmlns` counts too).
        assert!(read_qdc(qdc, limits(6)).is_ok());
        assert!(matches!(
            read_qdc(qdc, limits(5)),
            Err(RefiError::TooManyElements { limit: 5, .. })
        ));
    }
}
