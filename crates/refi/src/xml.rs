//! A small XML tree for REFI-QDA files, read without recursion and without any DTD, and a
//! writer that escapes everything it is given.
//!
//! Reading is lenient about namespaces (tools write `codebook:1:0`, `0:4`, or prefixes):
//! elements and attributes are compared by local name. It is strict about safety: a
//! `<!DOCTYPE>` is refused outright, only the five predefined entities and character
//! references are expanded, characters XML 1.0 does not allow (control characters other than
//! tab, line feed and carriage return; U+FFFE, U+FFFF) are refused, and nesting is capped.
//! The writer leaves such characters out and counts them.

use std::fmt::Write as _;

use quick_xml::events::{BytesRef, Event};
use quick_xml::Reader;

use crate::{Limits, RefiError};

/// An element: local name, attributes (local names), children and its own text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    /// The text directly inside this element (all text nodes, joined).
    pub text: String,
}

impl Element {
    /// An attribute by local name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The children with this local name.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child with this local name.
    pub fn first(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// How a person finds this element: `Code guid="…"` or `Code name="…"`.
    pub fn label(&self) -> String {
        match (self.attr("guid"), self.attr("name")) {
            (Some(g), _) => format!("{} guid=\"{g}\"", self.name),
            (None, Some(n)) => format!("{} name=\"{n}\"", self.name),
            (None, None) => self.name.clone(),
        }
    }
}

/// True for a character XML 1.0 does not allow in a document, even as a reference: the C0
/// controls other than tab, LF and CR, and U+FFFE and U+FFFF (Rust strings hold no
/// surrogates).
pub(crate) fn forbidden(c: char) -> bool {
    matches!(c, '\0'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// How a person finds `el`, whose ancestors are `parents`: its label, and the nearest
/// ancestor with a GUID when it has none (`<PlainTextContent> in <Note guid="…">`).
fn locate(el: &Element, parents: &[Element]) -> String {
    let own = format!("<{}>", el.label());
    let found = if el.attr("guid").is_some() {
        own
    } else {
        match parents.iter().rev().find(|p| p.attr("guid").is_some()) {
            Some(p) => format!("{own} in <{}>", p.label()),
            None => own,
        }
    };
    // The label may hold the very character at fault: show it as an escape.
    found
        .chars()
        .map(|c| {
            if forbidden(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Refuses `s` when it holds a character XML 1.0 does not allow.
fn check_chars(
    s: &str,
    file: &str,
    element: impl FnOnce() -> String,
    place: &str,
) -> Result<(), RefiError> {
    match s.chars().find(|c| forbidden(*c)) {
        None => Ok(()),
        Some(c) => Err(RefiError::ForbiddenChar {
            file: file.to_owned(),
            element: element(),
            place: place.to_owned(),
            code: u32::from(c),
        }),
    }
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    match name.rsplit_once(':') {
        Some((_, l)) => l.to_owned(),
        None => name.into_owned(),
    }
}

/// Parses a whole document into its root element, within `limits.max_depth` and
/// `limits.max_elements`.
pub(crate) fn parse(file: &str, bytes: &[u8], limits: &Limits) -> Result<Element, RefiError> {
    let max_depth = limits.max_depth;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = Reader::from_reader(bytes);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.trim_text(false);
    let malformed = |position: u64, message: String| RefiError::Xml {
        file: file.to_owned(),
        position,
        message,
    };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    // Elements and attributes read so far.
    let mut nodes: usize = 0;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| malformed(reader.error_position(), e.to_string()))?;
        let at = reader.buffer_position();
        match event {
            Event::DocType(_) => {
                return Err(RefiError::Doctype {
                    file: file.to_owned(),
                })
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let n_attrs = e.attributes().count();
                nodes += 1 + n_attrs;
                if nodes > limits.max_elements {
                    return Err(RefiError::TooManyElements {
                        file: file.to_owned(),
                        limit: limits.max_elements,
                    });
                }
                let mut el = Element {
                    name: local(e.name().as_ref()),
                    attrs: Vec::with_capacity(n_attrs),
                    ..Element::default()
                };
                for a in e.attributes() {
                    let a = a.map_err(|err| malformed(at, err.to_string()))?;
                    let key = a.key.as_ref();
                    if key == b"xmlns" || key.starts_with(b"xmlns:") {
                        continue;
                    }
                    let value = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|err| malformed(at, format!("in attribute: {err}")))?;
                    el.attrs.push((local(key), value.into_owned()));
                }
                for (k, v) in &el.attrs {
                    check_chars(
                        v,
                        file,
                        || locate(&el, &stack),
                        &format!("attribute `{k}` of"),
                    )?;
                }
                if matches!(event, Event::Start(_)) {
                    if stack.len() >= max_depth {
                        return Err(RefiError::TooDeep {
                            file: file.to_owned(),
                            limit: max_depth,
                        });
                    }
                    stack.push(el);
                } else {
                    attach(&mut stack, &mut root, el, file, at)?;
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| malformed(at, "an end tag without a start tag".into()))?;
                attach(&mut stack, &mut root, el, file, at)?;
            }
            Event::Text(ref t) => {
                let s = t
                    .xml10_content()
                    .map_err(|e| malformed(at, e.to_string()))?;
                push_text(&mut stack, &s, file, at)?;
            }
            Event::CData(ref t) => {
                let s = t
                    .xml10_content()
                    .map_err(|e| malformed(at, e.to_string()))?;
                push_text(&mut stack, &s, file, at)?;
            }
            Event::GeneralRef(ref r) => {
                let s = resolve_reference(r).map_err(|m| malformed(at, m))?;
                push_text(&mut stack, &s, file, at)?;
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(malformed(
            reader.buffer_position(),
            "the document ends inside an element".into(),
        ));
    }
    root.ok_or_else(|| malformed(0, "no root element".into()))
}

fn attach(
    stack: &mut [Element],
    root: &mut Option<Element>,
    el: Element,
    file: &str,
    at: u64,
) -> Result<(), RefiError> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None if root.is_none() => *root = Some(el),
        None => {
            return Err(RefiError::Xml {
                file: file.to_owned(),
                position: at,
                message: "a second root element".into(),
            })
        }
    }
    Ok(())
}

fn push_text(stack: &mut [Element], s: &str, file: &str, at: u64) -> Result<(), RefiError> {
    let (last, parents) = match stack.split_last_mut() {
        Some((last, parents)) => (Some(last), &*parents),
        None => (None, &[][..]),
    };
    match last {
        Some(el) => {
            check_chars(s, file, || locate(el, parents), "the text of")?;
            el.text.push_str(s);
            Ok(())
        }
        None if s.trim().is_empty() => Ok(()),
        None => Err(RefiError::Xml {
            file: file.to_owned(),
            position: at,
            message: "text outside the root element".into(),
        }),
    }
}

/// The text of an entity or character reference: the five predefined entities and
/// character references only; anything else would need a DTD, which is never read.
fn resolve_reference(r: &BytesRef<'_>) -> Result<String, String> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => return Ok(c.to_string()),
        Ok(None) => {}
        Err(e) => return Err(e.to_string()),
    }
    let name = r.decode().map_err(|e| e.to_string())?;
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(str::to_owned)
        .ok_or_else(|| {
            format!("unknown entity `&{name};` (only the five predefined entities are allowed)")
        })
}

/// Builds an XML document as text, two spaces an indentation level.
pub(crate) struct Writer {
    out: String,
    open: Vec<&'static str>,
    /// Characters left out because XML 1.0 does not allow them.
    dropped: usize,
}

/// Escapes text content, leaving out (and counting) characters XML 1.0 does not allow.
fn escape_text(s: &str, out: &mut String, dropped: &mut usize) {
    for c in s.chars() {
        match c {
            c if forbidden(c) => *dropped += 1,
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

/// Escapes an attribute value (quoted with `"`); line ends and tabs as references so that
/// attribute normalisation on reading gives them back. Characters XML 1.0 does not allow are
/// left out and counted.
fn escape_attr(s: &str, out: &mut String, dropped: &mut usize) {
    for c in s.chars() {
        match c {
            c if forbidden(c) => *dropped += 1,
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
}

impl Writer {
    /// A document with the XML declaration (UTF-8, no byte-order mark).
    pub fn new() -> Self {
        Self {
            out: "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n".to_owned(),
            open: Vec::new(),
            dropped: 0,
        }
    }

    /// Characters left out so far because XML 1.0 does not allow them.
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    fn indent(&mut self) {
        for _ in 0..self.open.len() {
            self.out.push_str("  ");
        }
    }

    fn tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            let _ = write!(self.out, " {k}=\"");
            escape_attr(v, &mut self.out, &mut self.dropped);
            self.out.push('"');
        }
    }

    /// Opens an element that will have children.
    pub fn start(&mut self, name: &'static str, attrs: &[(&str, &str)]) {
        self.tag(name, attrs);
        self.out.push_str(">\n");
        self.open.push(name);
    }

    /// Closes the innermost open element.
    pub fn end(&mut self) {
        let name = self.open.pop().expect("end matches a start");
        self.indent();
        let _ = writeln!(self.out, "</{name}>");
    }

    /// An element without content.
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.tag(name, attrs);
        self.out.push_str("/>\n");
    }

    /// An element holding only text.
    pub fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.tag(name, attrs);
        self.out.push('>');
        escape_text(text, &mut self.out, &mut self.dropped);
        let _ = writeln!(self.out, "</{name}>");
    }

    /// The finished document.
    pub fn finish(self) -> String {
        assert!(self.open.is_empty(), "unclosed elements: {:?}", self.open);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(file: &str, bytes: &[u8], max_depth: usize) -> Result<Element, RefiError> {
        super::parse(
            file,
            bytes,
            &Limits {
                max_depth,
                ..Limits::default()
            },
        )
    }

    #[test]
    fn elements_and_attributes_are_counted_against_the_limit() {
        let limits = |max_elements| Limits {
            max_elements,
            ..Limits::default()
        };
        // 1 + 3 elements, 2 attributes: 6 nodes.
        let doc = br#"<a x="1"><b/><b y="2"/><b/></a>"#;
        assert!(super::parse("x", doc, &limits(6)).is_ok());
        let e = super::parse("x", doc, &limits(5)).unwrap_err();
        assert!(
            matches!(e, RefiError::TooManyElements { limit: 5, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("more than 5 elements"), "{e}");
        // Tiny elements cost memory whatever the bytes: a flat run of them is stopped.
        let flat = format!("<a>{}</a>", "<b/>".repeat(1000));
        assert!(super::parse("x", flat.as_bytes(), &limits(1000)).is_err());
        assert!(super::parse("x", flat.as_bytes(), &limits(1001)).is_ok());
    }

    #[test]
    fn doctype_and_unknown_entities_are_refused() {
        let bomb = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><Project name="&lol2;"/>"#;
        assert!(matches!(
            parse("project.qde", bomb, 10),
            Err(RefiError::Doctype { .. })
        ));
        let e = parse("x", b"<a>&xxe;</a>", 10).unwrap_err();
        assert!(e.to_string().contains("unknown entity"), "{e}");
        let e = parse("x", br#"<a b="&xxe;"/>"#, 10).unwrap_err();
        assert!(e.to_string().contains("attribute"), "{e}");
    }

    #[test]
    fn local_names_text_and_depth() {
        let doc = parse(
            "x",
            "\u{feff}<p:Project xmlns:p=\"urn:QDA-XML:project:1:0\" p:name=\"a&amp;b\"><Description>æ &#x1F642;</Description></p:Project>".as_bytes(),
            10,
        )
        .unwrap();
        assert_eq!(doc.name, "Project");
        assert_eq!(doc.attr("name"), Some("a&b"));
        assert_eq!(doc.first("Description").unwrap().text, "æ 🙂");
        let deep = "<a>".repeat(20) + &"</a>".repeat(20);
        assert!(matches!(
            parse("x", deep.as_bytes(), 10),
            Err(RefiError::TooDeep { .. })
        ));
    }

    #[test]
    fn written_text_reads_back() {
        let mut w = Writer::new();
        w.start("R", &[("name", "a\"<&>\n\tb")]);
        w.text("T", &[], "x < y & z\r\n");
        w.end();
        let doc = parse("x", w.finish().as_bytes(), 10).unwrap();
        assert_eq!(doc.attr("name"), Some("a\"<&>\n\tb"));
        assert_eq!(doc.first("T").unwrap().text, "x < y & z\r\n");
    }

    #[test]
    fn characters_xml_forbids_are_refused_on_reading_and_left_out_on_writing() {
        for (doc, place) in [
            (
                &b"<a><b guid=\"g\">x\x01y</b></a>"[..],
                "the text of <b guid=\"g\"> holds the character U+0001",
            ),
            (
                b"<a><b guid=\"g\">&#x1;</b></a>",
                "the text of <b guid=\"g\"> holds",
            ),
            (
                b"<a><b guid=\"g\"><c>&#xB;</c></b></a>",
                "the text of <c> in <b guid=\"g\"> holds the character U+000B",
            ),
            (
                b"<a><b guid=\"g\"><![CDATA[\x1f]]></b></a>",
                "the text of <b guid=\"g\">",
            ),
            (b"<a><b guid=\"g\">\xef\xbf\xbe</b></a>", "U+FFFE"),
            (
                b"<a><b guid=\"g\" name=\"x\x02\"/></a>",
                "attribute `name` of <b guid=\"g\"> holds",
            ),
            (
                b"<a guid=\"h\"><b name=\"&#12;\"/></a>",
                "attribute `name` of <b name=\"\\u{c}\"> in <a guid=\"h\"> holds",
            ),
        ] {
            let e = parse("x", doc, 10).unwrap_err();
            assert!(matches!(e, RefiError::ForbiddenChar { .. }), "{e}");
            let m = e.to_string();
            assert!(m.contains(place), "{m}");
        }
        // Tab, LF and CR are allowed, as text and as references.
        let ok = parse("x", b"<a b=\"&#9;&#10;&#13;\">\t\n&#13;</a>", 10).unwrap();
        assert_eq!(ok.text, "\t\n\r");
        let mut w = Writer::new();
        w.start("R", &[("name", "a\u{1}b\u{B}")]);
        w.text("T", &[], "x\u{0}y\u{FFFF}z\u{C}\t\n");
        w.end();
        assert_eq!(w.dropped(), 5);
        let out = w.finish();
        assert!(!out.chars().any(forbidden), "{out:?}");
        let doc = parse("x", out.as_bytes(), 10).unwrap();
        assert_eq!(doc.attr("name"), Some("ab"));
        assert_eq!(doc.first("T").unwrap().text, "xyz\t\n");
    }
}
