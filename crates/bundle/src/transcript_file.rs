//! Transcript files as analysts receive them (`.txt`, `.md`, `.docx`), read into normalised text.
//!
//! [`read_transcript_file`] picks the reader from the file's extension. Whatever the format,
//! the result goes through [`samskap_core::normalize`], so a transcript typed in Word and the
//! same transcript saved as plain text give the same string, and the same quote finds the
//! same meaning unit in either.

use std::borrow::Cow;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::NsReader;
use samskap_files::{Archive, ArchiveError, FileError, Kind, Limits, Links};

/// The kinds of transcript file samskap reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TranscriptFormat {
    /// `.txt`: UTF-8 text.
    Text,
    /// `.md`: UTF-8 text, kept as written. Markup is not stripped: the analyst quotes what
    /// the informant said as the file has it, and `*`, `_` or `#` are part of the file.
    Markdown,
    /// `.docx`: a Word document (Office Open XML); its body paragraphs are the text.
    Docx,
}

impl TranscriptFormat {
    /// Every format, in the order the accepted extensions are listed in messages.
    pub const ALL: [TranscriptFormat; 3] = [Self::Text, Self::Markdown, Self::Docx];

    /// The format of a file, from its extension (ignoring ASCII case); `None` for any other.
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?;
        Self::ALL
            .into_iter()
            .find(|f| ext.eq_ignore_ascii_case(f.extension()))
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Text => "txt",
            Self::Markdown => "md",
            Self::Docx => "docx",
        }
    }
}

/// The accepted extensions, as messages list them.
const ACCEPTED: &str = ".txt, .md, .docx";

/// The part of a `.docx` that holds the body text.
const DOCUMENT_PART: &str = "word/document.xml";

/// Why a transcript file could not be read. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum TranscriptFileError {
    /// The extension is not one samskap reads.
    #[error(
        "{}: cannot read a transcript from this kind of file; accepted extensions are {ACCEPTED}",
        path.display()
    )]
    UnsupportedExtension {
        /// The file.
        path: PathBuf,
    },
    /// The file system refused.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// A `.txt` or `.md` file that is not UTF-8.
    #[error(
        "{}:{line}: not valid UTF-8 (at byte {offset}); save the file as UTF-8",
        path.display()
    )]
    InvalidUtf8 {
        /// The file.
        path: PathBuf,
        /// 0-based byte offset of the first invalid byte.
        offset: usize,
        /// 1-based line of that byte (CRLF, CR and LF each end a line).
        line: usize,
    },
    /// A `.txt` or `.md` file in UTF-16, as Windows Notepad's "Unicode" saves it.
    #[error(
        "{}: the file is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8",
        path.display()
    )]
    Utf16 {
        /// The file.
        path: PathBuf,
    },
    /// A `.docx` that cannot be read as a zip archive (an old `.doc` renamed, a
    /// password-protected document, a damaged file).
    #[error("{}: not a readable .docx: {detail}", path.display())]
    NotZip {
        /// The file.
        path: PathBuf,
        /// What the zip reader said.
        detail: String,
    },
    /// A zip archive without the body part of a Word document.
    #[error("{}: not a .docx: the archive has no {DOCUMENT_PART}", path.display())]
    MissingDocument {
        /// The file.
        path: PathBuf,
    },
    /// A link, a FIFO, a device or a socket where a file should be, or a file over its
    /// size limit.
    #[error("{}: {reason}", path.display())]
    Refused {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: FileError,
    },
    /// A `.docx` that breaks a rule for untrusted zips: a part that unpacks too far (a zip
    /// bomb), too many entries, a name repeated, a link.
    #[error("{}: {problem}", path.display())]
    Archive {
        /// The file.
        path: PathBuf,
        /// What is wrong with the archive.
        problem: ArchiveError,
    },
    /// The body part is not well-formed XML.
    #[error(
        "{}: malformed XML in {DOCUMENT_PART}{}: {message}",
        path.display(),
        .position.map(|p| format!(" at byte {p}")).unwrap_or_default()
    )]
    MalformedXml {
        /// The file.
        path: PathBuf,
        /// Byte offset in `word/document.xml`, when the parser knows it.
        position: Option<u64>,
        /// What is wrong.
        message: String,
    },
    /// The body part declares a DOCTYPE, which Word never writes.
    #[error(
        "{}: {DOCUMENT_PART} has a DOCTYPE declaration, which a Word document never has; \
         refusing it (DTDs and entities are not read)",
        path.display()
    )]
    Doctype {
        /// The file.
        path: PathBuf,
    },
}

/// Reads the text of a transcript file.
///
/// - `.txt` and `.md` are read as UTF-8; invalid UTF-8 is an error naming the byte offset and
///   the line. Markdown is kept exactly as written: markup is not stripped, because the
///   analyst quotes the file as it stands and markup characters are part of it.
/// - `.docx` gives the text of the body's paragraphs in document order, one paragraph per
///   line (paragraphs are separated by `"\n"`, with no newline after the last one). Inside a
///   paragraph the text of the `w:t` runs is concatenated, a `w:br` or `w:cr` break becomes
///   `"\n"`, a `w:tab` becomes `"\t"` and a non-breaking hyphen becomes `"-"`; soft hyphens,
///   field codes and symbols are left out. Tracked deletions (`w:del`, `w:delText`,
///   `w:moveFrom`) are skipped, and a paragraph whose mark was deleted runs on into the
///   next, as Word shows the document with the changes accepted. Footnotes, endnotes,
///   comments, headers and footers live in other parts of the package and are not read.
///   Paragraphs in a text box come out as lines of their own, before the paragraph that
///   anchors the box; the fallback copy of the same box (`mc:Fallback`) is skipped.
/// - Any other extension is refused with a message naming the file and the accepted
///   extensions (`.txt`, `.md`, `.docx`, in any ASCII case).
///
/// The result is then normalised with [`samskap_core::normalize`] (byte-order mark dropped,
/// CRLF and CR become LF, Unicode NFC), so every format gives the same text.
///
/// The file must be a regular file (a link to one is followed: the caller named the path)
/// within `limits`: a FIFO or a device is refused before anything is read.
pub fn read_transcript_file(path: &Path, limits: &Limits) -> Result<String, TranscriptFileError> {
    read_with(path, limits, Links::Follow)
}

/// [`read_transcript_file`], with links refused or followed.
pub(crate) fn read_with(
    path: &Path,
    limits: &Limits,
    links: Links,
) -> Result<String, TranscriptFileError> {
    let format = TranscriptFormat::from_path(path).ok_or_else(|| {
        TranscriptFileError::UnsupportedExtension {
            path: path.to_owned(),
        }
    })?;
    let raw = match format {
        TranscriptFormat::Text | TranscriptFormat::Markdown => read_utf8(path, limits, links)?,
        TranscriptFormat::Docx => read_docx(path, limits, links)?,
    };
    Ok(samskap_core::normalize(&raw))
}

fn refused(path: &Path) -> impl FnOnce(FileError) -> TranscriptFileError + '_ {
    move |reason| match reason {
        FileError::Missing => TranscriptFileError::Io {
            path: path.to_owned(),
            source: std::io::ErrorKind::NotFound.into(),
        },
        FileError::Io(source) => TranscriptFileError::Io {
            path: path.to_owned(),
            source,
        },
        reason => TranscriptFileError::Refused {
            path: path.to_owned(),
            reason,
        },
    }
}

/// A `.txt` or `.md` file as UTF-8, unchanged.
fn read_utf8(path: &Path, limits: &Limits, links: Links) -> Result<String, TranscriptFileError> {
    let bytes =
        samskap_files::read(path, Kind::Transcript, limits, links).map_err(refused(path))?;
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
            return TranscriptFileError::Utf16 {
                path: path.to_owned(),
            };
        }
        let offset = e.utf8_error().valid_up_to();
        TranscriptFileError::InvalidUtf8 {
            path: path.to_owned(),
            offset,
            line: line_of(&bytes[..offset]),
        }
    })
}

/// The 1-based line at the end of `before`, counting CRLF, lone CR and LF as line ends, as
/// [`samskap_core::normalize`] does.
fn line_of(before: &[u8]) -> usize {
    let mut line = 1;
    let mut iter = before.iter().peekable();
    while let Some(&b) = iter.next() {
        match b {
            b'\n' => line += 1,
            b'\r' if iter.peek() != Some(&&b'\n') => line += 1,
            _ => {}
        }
    }
    line
}

/// The body text of a `.docx`, before normalisation. The package is read as an untrusted zip
/// ([`samskap_files::Archive`]): only `word/document.xml` is unpacked, counted against
/// `limits.unpacked`.
fn read_docx(path: &Path, limits: &Limits, links: Links) -> Result<String, TranscriptFileError> {
    let file = samskap_files::open(path, Kind::Archive, limits, links)
        .map_err(refused(path))?
        .into_file();
    let archive_error = |problem: ArchiveError| match problem {
        ArchiveError::NotZip(detail) => TranscriptFileError::NotZip {
            path: path.to_owned(),
            detail: format!("it is not a zip archive ({detail})"),
        },
        problem => TranscriptFileError::Archive {
            path: path.to_owned(),
            problem,
        },
    };
    // Part names in a package compare without regard to ASCII case (ECMA-376 part 2,
    // 6.2.2.3), as the archive looks names up.
    let mut archive =
        Archive::open(BufReader::new(file), limits.unpacked).map_err(archive_error)?;
    let xml = archive
        .read(DOCUMENT_PART)
        .map_err(archive_error)?
        .ok_or_else(|| TranscriptFileError::MissingDocument {
            path: path.to_owned(),
        })?;
    document_text(&xml).map_err(|e| match e {
        XmlProblem::Doctype => TranscriptFileError::Doctype {
            path: path.to_owned(),
        },
        XmlProblem::Malformed { position, message } => TranscriptFileError::MalformedXml {
            path: path.to_owned(),
            position,
            message,
        },
    })
}

/// WordprocessingML, transitional and strict.
const W_NAMESPACES: [&[u8]; 2] = [
    b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    b"http://purl.oclc.org/ooxml/wordprocessingml/main",
];

/// Markup compatibility (`mc:AlternateContent`).
const MC_NAMESPACE: &[u8] = b"http://schemas.openxmlformats.org/markup-compatibility/2006";

/// What the body reader cares about in an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    /// `w:p`: a paragraph.
    Paragraph,
    /// `w:r`: a run.
    Run,
    /// `w:t`: the text of a run.
    Text,
    /// `w:pPr`: paragraph properties.
    ParagraphProps,
    /// `w:rPr`: run properties (and the paragraph mark's properties inside `w:pPr`).
    RunProps,
    /// `w:del` / `w:moveFrom` as a container of deleted runs.
    Deleted,
    /// `mc:Fallback`: a second rendering of content that `mc:Choice` already has.
    Fallback,
    /// Inline content: `w:br`, `w:cr`, `w:tab`, `w:ptab`, `w:noBreakHyphen`.
    Inline(&'static str),
    /// Anything else.
    Other,
}

/// Why `word/document.xml` was refused.
enum XmlProblem {
    Doctype,
    Malformed {
        position: Option<u64>,
        message: String,
    },
}

/// The body text of `word/document.xml`: one line per paragraph.
///
/// XXE safety: quick-xml never loads external entities or DTDs and does not expand entities
/// declared in a DOCTYPE; it hands entity references to the caller, and this reader resolves
/// only the five predefined ones and character references, and refuses any other. On top of
/// that a document with a DOCTYPE is refused outright: Word never writes one, so its presence
/// means the file was made by hand or crafted.
fn document_text(xml: &[u8]) -> Result<String, XmlProblem> {
    let mut reader = NsReader::from_reader(xml);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.trim_text(false);

    let malformed =
        |reader: &NsReader<&[u8]>, message: String, at_error: bool| XmlProblem::Malformed {
            position: Some(if at_error {
                reader.error_position()
            } else {
                reader.buffer_position()
            }),
            message,
        };

    let mut lines: Vec<String> = Vec::new();
    // Open paragraphs, innermost last: a text box puts paragraphs inside a run of another.
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    // Text of paragraphs whose mark was deleted, waiting for the next paragraph.
    let mut carried = String::new();
    let mut stack: Vec<Tag> = Vec::new();
    // How many open elements hide their content (deletions, fallbacks, properties).
    let mut hidden = 0usize;

    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (Ns::of(&ns), event),
            Err(e) => return Err(malformed(&reader, e.to_string(), true)),
        };
        match event {
            Event::DocType(_) => return Err(XmlProblem::Doctype),
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_start = matches!(event, Event::Start(_));
                let tag = classify(ns, e).map_err(|m| malformed(&reader, m, false))?;
                let parent = stack.last().copied();
                let grandparent = stack.len().checked_sub(2).map(|i| stack[i]);

                // A deletion mark on the paragraph mark: `w:pPr/w:rPr/w:del`.
                if tag == Tag::Deleted
                    && parent == Some(Tag::RunProps)
                    && grandparent == Some(Tag::ParagraphProps)
                {
                    if let Some(p) = paragraphs.last_mut() {
                        p.mark_deleted = true;
                    }
                }
                if let Tag::Inline(s) = tag {
                    if hidden == 0 && parent == Some(Tag::Run) {
                        if let Some(p) = paragraphs.last_mut() {
                            p.text.push_str(s);
                        }
                    }
                }
                if tag == Tag::Paragraph {
                    let p = Paragraph {
                        text: std::mem::take(&mut carried),
                        mark_deleted: false,
                        hidden: hidden > 0,
                    };
                    if is_start {
                        paragraphs.push(p);
                    } else {
                        end_paragraph(p, &mut lines, &mut carried);
                    }
                }
                if is_start {
                    if hides(tag, parent) {
                        hidden += 1;
                    }
                    stack.push(tag);
                }
            }
            Event::End(_) => {
                let tag = stack.pop().ok_or_else(|| {
                    malformed(&reader, "an end tag without a start tag".into(), false)
                })?;
                let parent = stack.last().copied();
                if hides(tag, parent) {
                    hidden -= 1;
                }
                if tag == Tag::Paragraph {
                    if let Some(p) = paragraphs.pop() {
                        end_paragraph(p, &mut lines, &mut carried);
                    }
                }
            }
            Event::Text(ref t) => {
                if let Some(p) = visible_text(&stack, hidden, &mut paragraphs) {
                    let s = t
                        .xml10_content()
                        .map_err(|e| malformed(&reader, e.to_string(), false))?;
                    p.push_str(&s);
                }
            }
            Event::CData(ref t) => {
                if let Some(p) = visible_text(&stack, hidden, &mut paragraphs) {
                    let s = t
                        .xml10_content()
                        .map_err(|e| malformed(&reader, e.to_string(), false))?;
                    p.push_str(&s);
                }
            }
            Event::GeneralRef(ref r) => {
                // Resolved even where the text is not kept, so that an unknown entity is
                // refused wherever it stands.
                let s = resolve_reference(r).map_err(|m| malformed(&reader, m, false))?;
                if let Some(p) = visible_text(&stack, hidden, &mut paragraphs) {
                    p.push_str(&s);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(malformed(
            &reader,
            "the document ends inside an element".into(),
            false,
        ));
    }
    if !carried.is_empty() {
        lines.push(carried);
    }
    Ok(lines.join("\n"))
}

/// A paragraph being read.
struct Paragraph {
    text: String,
    /// Its mark (the end of the paragraph) is a tracked deletion.
    mark_deleted: bool,
    /// It lies inside deleted or fallback content, so it is not part of the text.
    hidden: bool,
}

/// Ends a paragraph: a new line, or text carried into the next paragraph when its mark was
/// deleted.
fn end_paragraph(p: Paragraph, lines: &mut Vec<String>, carried: &mut String) {
    if p.hidden {
        // Hidden content never reaches the text; what it carried in goes on.
        carried.insert_str(0, &p.text);
        return;
    }
    if p.mark_deleted {
        *carried = p.text + carried;
    } else {
        lines.push(p.text);
    }
}

/// The paragraph to append text to, when the reader is inside a visible `w:t`.
fn visible_text<'a>(
    stack: &[Tag],
    hidden: usize,
    paragraphs: &'a mut [Paragraph],
) -> Option<&'a mut String> {
    if hidden == 0 && stack.last() == Some(&Tag::Text) {
        paragraphs.last_mut().map(|p| &mut p.text)
    } else {
        None
    }
}

/// Whether an element hides the text inside it. Properties hide everything (their `w:del` is
/// a mark, not a container), so do tracked deletions and markup-compatibility fallbacks.
fn hides(tag: Tag, parent: Option<Tag>) -> bool {
    match tag {
        Tag::ParagraphProps | Tag::RunProps | Tag::Fallback => true,
        Tag::Deleted => parent != Some(Tag::RunProps),
        _ => false,
    }
}

/// The namespace of an element, as far as the body reader cares.
enum Ns {
    /// WordprocessingML.
    Word,
    /// Markup compatibility.
    Mc,
    /// Any other namespace, or none.
    Other,
    /// A prefix that is not declared.
    Undeclared(Vec<u8>),
}

impl Ns {
    fn of(ns: &ResolveResult<'_>) -> Self {
        match ns {
            ResolveResult::Bound(Namespace(n)) if W_NAMESPACES.contains(n) => Ns::Word,
            ResolveResult::Bound(Namespace(n)) if *n == MC_NAMESPACE => Ns::Mc,
            ResolveResult::Bound(_) | ResolveResult::Unbound => Ns::Other,
            ResolveResult::Unknown(prefix) => Ns::Undeclared(prefix.clone()),
        }
    }
}

/// What an element is, from its namespace and local name.
fn classify(ns: Ns, e: &BytesStart<'_>) -> Result<Tag, String> {
    let local = e.local_name();
    Ok(match (ns, local.as_ref()) {
        (Ns::Undeclared(prefix), _) => {
            return Err(format!(
                "the namespace prefix `{}` is not declared",
                String::from_utf8_lossy(&prefix)
            ))
        }
        (Ns::Mc, b"Fallback") => Tag::Fallback,
        (Ns::Mc | Ns::Other, _) => Tag::Other,
        (Ns::Word, b"p") => Tag::Paragraph,
        (Ns::Word, b"r") => Tag::Run,
        (Ns::Word, b"t") => Tag::Text,
        (Ns::Word, b"pPr") => Tag::ParagraphProps,
        (Ns::Word, b"rPr") => Tag::RunProps,
        (Ns::Word, b"del" | b"moveFrom") => Tag::Deleted,
        // `w:tab` inside `w:pPr/w:tabs` is a tab stop, not a character: only a `w:tab` whose
        // parent is a run is written out (see the caller).
        (Ns::Word, b"tab" | b"ptab") => Tag::Inline("\t"),
        (Ns::Word, b"br" | b"cr") => Tag::Inline("\n"),
        (Ns::Word, b"noBreakHyphen") => Tag::Inline("-"),
        (Ns::Word, _) => Tag::Other,
    })
}

/// The text of an entity or character reference: the five predefined entities and
/// character references only; anything else would need a DTD, which is never read.
fn resolve_reference(r: &BytesRef<'_>) -> Result<Cow<'static, str>, String> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => return Ok(Cow::Owned(c.to_string())),
        Ok(None) => {}
        Err(e) => return Err(e.to_string()),
    }
    let name = r.decode().map_err(|e| e.to_string())?;
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(Cow::Borrowed)
        .ok_or_else(|| format!("unknown entity `&{name};`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_every_kind_of_line_end() {
        assert_eq!(line_of(b""), 1);
        assert_eq!(line_of(b"a\nb"), 2);
        assert_eq!(line_of(b"a\r\nb\r\n"), 3);
        assert_eq!(line_of(b"a\rb\r"), 3);
        // A CR at the very end is a line end: the next byte starts a line.
        assert_eq!(line_of(b"a\r"), 2);
    }

    fn body(inner: &str) -> String {
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
  xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{inner}</w:body></w:document>"#
        );
        match document_text(xml.as_bytes()) {
            Ok(s) => s,
            Err(XmlProblem::Doctype) => panic!("doctype"),
            Err(XmlProblem::Malformed { message, .. }) => panic!("{message}"),
        }
    }

    #[test]
    fn tab_stops_are_not_tabs() {
        let s = body(
            r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>
               <w:r><w:t>a</w:t><w:tab/><w:t>b</w:t></w:r></w:p>"#,
        );
        assert_eq!(s, "a\tb");
    }

    #[test]
    fn a_deleted_paragraph_mark_joins_paragraphs() {
        let s = body(
            r#"<w:p><w:pPr><w:rPr><w:del w:id="1" w:author="x" w:date="2024-01-01T00:00:00Z"/></w:rPr></w:pPr>
                 <w:r><w:t xml:space="preserve">one </w:t></w:r></w:p>
               <w:p><w:r><w:t>two</w:t></w:r></w:p>
               <w:p><w:pPr><w:rPr><w:del w:id="2" w:author="x"/></w:rPr></w:pPr>
                 <w:del w:id="3" w:author="x"><w:r><w:delText>gone</w:delText></w:r></w:del></w:p>
               <w:p><w:r><w:t>three</w:t></w:r></w:p>"#,
        );
        assert_eq!(s, "one two\nthree");
    }

    #[test]
    fn moves_keep_the_destination_only() {
        let s = body(
            r#"<w:p><w:moveFrom w:id="1" w:author="x"><w:r><w:t>old place</w:t></w:r></w:moveFrom>
                 <w:moveTo w:id="2" w:author="x"><w:r><w:t>new place</w:t></w:r></w:moveTo>
                 <w:ins w:id="3" w:author="x"><w:r><w:t>!</w:t></w:r></w:ins></w:p>"#,
        );
        assert_eq!(s, "new place!");
    }

    #[test]
    fn text_boxes_once_and_fallback_skipped() {
        let s = body(
            r#"<w:p><w:r><w:t>before </w:t></w:r><w:r><mc:AlternateContent>
                 <mc:Choice Requires="wps"><w:drawing><w:txbxContent>
                   <w:p><w:r><w:t>in the box</w:t></w:r></w:p>
                 </w:txbxContent></w:drawing></mc:Choice>
                 <mc:Fallback><w:pict><w:txbxContent>
                   <w:p><w:r><w:t>in the box</w:t></w:r></w:p>
                 </w:txbxContent></w:pict></mc:Fallback>
               </mc:AlternateContent></w:r><w:r><w:t>after</w:t></w:r></w:p>"#,
        );
        assert_eq!(s, "in the box\nbefore after");
    }

    #[test]
    fn references_and_field_codes() {
        let s = body(
            r#"<w:p><w:r><w:t>&lt;a&gt; &amp; &#xE5;&#230;</w:t></w:r>
                 <w:r><w:fldChar w:fldCharType="begin"/></w:r>
                 <w:r><w:instrText> PAGE </w:instrText></w:r>
                 <w:r><w:fldChar w:fldCharType="separate"/></w:r>
                 <w:r><w:t>7</w:t></w:r>
                 <w:r><w:fldChar w:fldCharType="end"/></w:r>
                 <w:r><w:softHyphen/><w:noBreakHyphen/><w:br w:type="page"/><w:cr/></w:r></w:p>"#,
        );
        assert_eq!(s, "<a> & åæ7-\n\n");
    }

    #[test]
    fn unknown_entities_and_prefixes_are_refused() {
        let doc = br#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"#;
        assert!(matches!(
            document_text(doc),
            Err(XmlProblem::Malformed { message, .. }) if message.contains("&xxe;")
        ));
        let doc = br#"<w:document><w:body/></w:document>"#;
        assert!(matches!(
            document_text(doc),
            Err(XmlProblem::Malformed { message, .. }) if message.contains("`w`")
        ));
    }

    #[test]
    fn formats_from_extensions() {
        assert_eq!(
            TranscriptFormat::from_path(Path::new("a/I1.TXT")),
            Some(TranscriptFormat::Text)
        );
        assert_eq!(
            TranscriptFormat::from_path(Path::new("I1.Docx")),
            Some(TranscriptFormat::Docx)
        );
        assert_eq!(TranscriptFormat::from_path(Path::new("I1.md.bak")), None);
        assert_eq!(TranscriptFormat::from_path(Path::new("md")), None);
    }
}
