//! The DOCX rendering of a [`Doc`]: `report.docx`, a Word file made of Word's own parts.
//!
//! Headings use Word's built-in heading styles (`Heading1`…`Heading6`, with outline levels),
//! so the navigation pane and a table of contents find them; quotes the built-in `Quote`
//! style; captions the built-in `Caption` style (a table's above it, a figure's below). A
//! table's first row repeats on every page (`w:tblHeader`). The banner of an illustrative
//! study stands first and in the page header, so every printed page carries it. The file
//! holds no timestamp, and its parts and zip entries come in a fixed order with a fixed date,
//! so the same `Doc` gives the same bytes.
//!
//! # Figures: the SVG, and a PNG drawn from it here
//!
//! Word shows SVG only through Microsoft's `asvg:svgBlip` extension, which sits inside an
//! `a:blip` that must name a raster picture for every reader that does not know the
//! extension: Word 2016 and older, and LibreOffice (its 7.4, Debian 12's, shows the PNG and
//! ignores the SVG; checked by hand). That fallback is what many readers of a municipal
//! report will see, so it has to be the chart itself, not a placeholder. We draw it with
//! `resvg` (usvg + tiny-skia, pure Rust, maintained by the linebender project), with its
//! default features off: no system-font scan (fontdb is built without file-system access,
//! so it cannot read installed fonts at all), no raster-image decoders, no svgz. Text is
//! drawn with two subsets of DejaVu Sans bundled in `fonts/` (about 100 KB, licence beside
//! them) and loaded from the binary, and every font family a chart names falls back to
//! them, so the PNG is the same on every machine. Hrefs are resolved to nothing, so drawing
//! a chart reads no file: rendering stays pure.
//!
//! Why 0.47 and not the newest resvg: 0.48 moved text to the fontations crates, which
//! doubles what resvg adds to a build on the project's 2-core CI (measured on a clean build
//! of resvg alone: about 1.5 minutes of CPU for 0.47 against 2.7 for 0.49, beside about 10
//! for the workspace's own debug build). The alternatives looked at: a placeholder PNG
//! (LibreOffice and old Word would show no chart), rasterising with an external program
//! (depends on the machine, and is I/O), or our own rasteriser for the charts' few elements
//! (rect, line, polyline, text) with glyph outlines from a font parser: less to build, but
//! text layout, and every SVG feature the chart module may later use, would be ours to
//! keep. A PNG is drawn at twice the picture's printed size in pixels (192 per inch), at
//! most 4096 pixels a side.

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::doc::{Block, Doc, Figure, Lang};

const NS_W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const NS_R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const NS_WP: &str = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing";
const NS_A: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
const NS_PIC: &str = "http://schemas.openxmlformats.org/drawingml/2006/picture";
const NS_ASVG: &str = "http://schemas.microsoft.com/office/drawing/2016/SVG/main";
/// The `a:ext` that holds an `asvg:svgBlip` (Microsoft's Office Drawing Extensions, MS-ODRAWXML).
const SVG_EXT_URI: &str = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// A4, the paper of the report's readers, with 2.5 cm margins; in twentieths of a point.
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
const MARGIN: u32 = 1418;
const TEXT_W: u32 = PAGE_W - 2 * MARGIN;
/// DrawingML measures in EMU: 635 to a twip, 9525 to a CSS pixel (96 to the inch).
const EMU_PER_TWIP: f64 = 635.0;
const EMU_PER_PX: f64 = 9525.0;
/// Pixels of a chart's PNG per CSS pixel of its printed size: 192 per inch, sharp in print.
const RASTER_SCALE: f64 = 2.0;
/// A PNG's longest side at most, whatever size an SVG claims.
const RASTER_MAX_SIDE: f64 = 4096.0;

/// The family name of the bundled fonts, which every family a chart names resolves to.
const FONT_FAMILY: &str = "DejaVu Sans";
const FONT_REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const FONT_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Renders `doc` as the bytes of a `.docx` file.
pub(crate) fn docx(doc: &Doc) -> Vec<u8> {
    let mut body = Body::default();
    if let Some(banner) = &doc.banner {
        paragraph(&mut body.xml, "Notice", "", banner, "");
    }
    for block in &doc.blocks {
        match block {
            Block::Heading(level, text) => {
                let style = format!("Heading{}", (*level).clamp(1, 6));
                paragraph(&mut body.xml, &style, "", text, "");
                body.last_was_table = false;
            }
            Block::Para(text) => {
                paragraph(&mut body.xml, "Normal", "", text, "");
                body.last_was_table = false;
            }
            Block::Quote(text) => {
                paragraph(&mut body.xml, "Quote", "", text, "");
                body.last_was_table = false;
            }
            Block::Table {
                caption,
                header,
                rows,
                quotes,
            } => body.table(caption.as_deref(), header, rows, *quotes),
            Block::Figure(f) => body.figure(f),
        }
    }
    // Word merges two tables with nothing between them, and wants a paragraph last.
    if body.last_was_table || body.xml.is_empty() {
        body.xml.push_str("<w:p/>");
    }

    let mut rels = vec![
        ("styles", "styles.xml".to_owned()),
        ("settings", "settings.xml".to_owned()),
    ];
    let mut header_ref = String::new();
    let mut header = None;
    if let Some(banner) = &doc.banner {
        rels.push(("header", "header1.xml".to_owned()));
        let _ = write!(
            header_ref,
            "<w:headerReference w:type=\"default\" r:id=\"rId{}\"/>",
            rels.len()
        );
        let mut xml = String::new();
        paragraph(&mut xml, "Header", "", banner, "");
        header = Some(format!(
            "{XML_DECL}<w:hdr xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\">{xml}</w:hdr>"
        ));
    }
    // The figures' relationships follow the fixed ones: `Body` numbered them from here.
    debug_assert!(rels.len() < FIRST_MEDIA_RID);
    let document = format!(
        "{XML_DECL}<w:document xmlns:w=\"{NS_W}\" xmlns:r=\"{NS_R}\" xmlns:wp=\"{NS_WP}\" \
         xmlns:a=\"{NS_A}\" xmlns:pic=\"{NS_PIC}\"><w:body>{}<w:sectPr>{header_ref}\
         <w:pgSz w:w=\"{PAGE_W}\" w:h=\"{PAGE_H}\"/><w:pgMar w:top=\"{MARGIN}\" \
         w:right=\"{MARGIN}\" w:bottom=\"{MARGIN}\" w:left=\"{MARGIN}\" w:header=\"709\" \
         w:footer=\"709\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>",
        body.xml
    );

    let mut doc_rels = format!(
        "{XML_DECL}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    );
    for (i, (kind, target)) in rels.iter().enumerate() {
        let _ = write!(
            doc_rels,
            "<Relationship Id=\"rId{}\" Type=\"{REL}/{kind}\" Target=\"{target}\"/>",
            i + 1
        );
    }
    for m in &body.media {
        let _ = write!(
            doc_rels,
            "<Relationship Id=\"rId{}\" Type=\"{REL}/image\" Target=\"media/{}\"/>",
            m.rid, m.name
        );
    }
    doc_rels.push_str("</Relationships>");

    let mut parts: Vec<(String, Vec<u8>)> = vec![
        (
            "[Content_Types].xml".into(),
            content_types(header.is_some()).into_bytes(),
        ),
        ("_rels/.rels".into(), ROOT_RELS.as_bytes().to_vec()),
        ("docProps/core.xml".into(), core(doc).into_bytes()),
        ("word/document.xml".into(), document.into_bytes()),
        ("word/styles.xml".into(), styles(doc.lang).into_bytes()),
        ("word/settings.xml".into(), SETTINGS.as_bytes().to_vec()),
    ];
    if let Some(h) = header {
        parts.push(("word/header1.xml".into(), h.into_bytes()));
    }
    parts.push(("word/_rels/document.xml.rels".into(), doc_rels.into_bytes()));
    for m in body.media {
        parts.push((format!("word/media/{}", m.name), m.bytes));
    }
    zip(parts)
}

/// The first relationship id of the figures' media: styles, settings and the header come
/// first.
const FIRST_MEDIA_RID: usize = 4;

/// The document's body as it is written, and the media it refers to.
#[derive(Default)]
struct Body {
    xml: String,
    media: Vec<Media>,
    /// The figures so far: numbers their drawings and media files.
    figures: usize,
    last_was_table: bool,
}

/// A file under `word/media/` and its relationship id.
struct Media {
    rid: usize,
    name: String,
    bytes: Vec<u8>,
}

impl Body {
    fn table(
        &mut self,
        caption: Option<&str>,
        header: &[String],
        rows: &[Vec<String>],
        quotes: Option<usize>,
    ) {
        let cols = rows.iter().map(Vec::len).fold(header.len(), usize::max);
        if cols == 0 {
            // Word holds no table without a cell; nothing here to show.
            return;
        }
        if let Some(c) = caption {
            paragraph(&mut self.xml, "Caption", "<w:keepNext/>", c, "");
        } else if self.last_was_table {
            self.xml.push_str("<w:p/>");
        }
        let widths = column_widths(header, rows, cols);
        let border = |side: &str| {
            format!("<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"BBBBBB\"/>")
        };
        let _ = write!(
            self.xml,
            "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders>{}{}{}{}{}{}\
             </w:tblBorders><w:tblCellMar>\
             <w:left w:w=\"100\" w:type=\"dxa\"/><w:right w:w=\"100\" w:type=\"dxa\"/>\
             </w:tblCellMar></w:tblPr><w:tblGrid>",
            border("top"),
            border("left"),
            border("bottom"),
            border("right"),
            border("insideH"),
            border("insideV"),
        );
        for w in &widths {
            let _ = write!(self.xml, "<w:gridCol w:w=\"{w}\"/>");
        }
        self.xml.push_str("</w:tblGrid>");
        self.row(header, &widths, None);
        for r in rows {
            self.row(r, &widths, Some(quotes));
        }
        self.xml.push_str("</w:tbl>");
        self.last_was_table = true;
    }

    /// A row: the header row (`body` None), or a row of the body, whose cells are
    /// paragraphs parted by blank lines, those of the `quotes` column set as quotes.
    fn row(&mut self, cells: &[String], widths: &[u32], body: Option<Option<usize>>) {
        let header = body.is_none();
        self.xml.push_str("<w:tr>");
        if header {
            // Repeated at the top of every page the table runs onto.
            self.xml
                .push_str("<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
        }
        for (i, w) in widths.iter().enumerate() {
            let text = cells.get(i).map_or("", String::as_str);
            let _ = write!(
                self.xml,
                "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/>"
            );
            if header {
                self.xml
                    .push_str("<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"EEEEEE\"/>");
            }
            self.xml.push_str("</w:tcPr>");
            let style = if body == Some(Some(i)) {
                "Quote"
            } else {
                "TableText"
            };
            // A cell holds at least one paragraph, even an empty one.
            let paras: Vec<&str> = if header {
                vec![text]
            } else {
                text.split("\n\n").collect()
            };
            for p in paras {
                let _ = write!(
                    self.xml,
                    "<w:p><w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>"
                );
                runs(
                    &mut self.xml,
                    p,
                    if header {
                        "<w:rPr><w:b/><w:bCs/></w:rPr>"
                    } else {
                        ""
                    },
                );
                self.xml.push_str("</w:p>");
            }
            self.xml.push_str("</w:tc>");
        }
        self.xml.push_str("</w:tr>");
    }

    fn figure(&mut self, f: &Figure) {
        self.last_was_table = false;
        let Some(raster) = rasterize(&f.svg) else {
            // A drawing that cannot be read: say in words what it shows, as a screen reader
            // would, rather than leave a hole. The SVG file beside the report is still there.
            paragraph(&mut self.xml, "Normal", "", &f.description, "");
            paragraph(&mut self.xml, "Caption", "", &f.title, "");
            return;
        };
        self.figures += 1;
        let n = self.figures;
        let rid = FIRST_MEDIA_RID + self.media.len();
        let png = Media {
            rid,
            name: format!("figure{n}.png"),
            bytes: raster.png,
        };
        let svg = Media {
            rid: rid + 1,
            name: format!("figure{n}.svg"),
            bytes: f.svg.clone().into_bytes(),
        };
        let (cx, cy) = (raster.cx, raster.cy);
        let name = attr(&f.name);
        let descr = attr(&f.description);
        let _ = write!(
            self.xml,
            "<w:p><w:pPr><w:keepNext/></w:pPr><w:r><w:drawing>\
             <wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\">\
             <wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:effectExtent l=\"0\" t=\"0\" r=\"0\" b=\"0\"/>\
             <wp:docPr id=\"{n}\" name=\"{name}\" descr=\"{descr}\"/>\
             <wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect=\"1\"/></wp:cNvGraphicFramePr>\
             <a:graphic><a:graphicData uri=\"{NS_PIC}\"><pic:pic>\
             <pic:nvPicPr><pic:cNvPr id=\"{n}\" name=\"{}\" descr=\"{descr}\"/><pic:cNvPicPr/></pic:nvPicPr>\
             <pic:blipFill><a:blip r:embed=\"rId{}\"><a:extLst><a:ext uri=\"{SVG_EXT_URI}\">\
             <asvg:svgBlip xmlns:asvg=\"{NS_ASVG}\" r:embed=\"rId{}\"/></a:ext></a:extLst></a:blip>\
             <a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
             <pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm>\
             <a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr>\
             </pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>",
            svg.name,
            png.rid,
            svg.rid,
        );
        paragraph(&mut self.xml, "Caption", "", &f.title, "");
        self.media.push(png);
        self.media.push(svg);
    }
}

/// Column widths in twips that fill the text width, as a browser lays out a table: each
/// column gets at least its longest word, where the page allows, and the width left over
/// goes to the columns whose lines are longer than that, after how much longer. Word
/// takes them as preferred widths and fits the table to its content from there (autofit);
/// LibreOffice keeps them. Either way "participant" is not broken in two to give a column
/// of single digits room it does not need.
fn column_widths(header: &[String], rows: &[Vec<String>], cols: usize) -> Vec<u32> {
    // A character of table text (Calibri 10 pt, bold in the header, with some room to
    // spare) and a cell's margins, in twips.
    const CHAR: u32 = 110;
    const PAD: u32 = 260;
    let count = |s: &str| u32::try_from(s.chars().count()).unwrap_or(u32::MAX);
    let (mut least, mut wanted) = (Vec::new(), Vec::new());
    for i in 0..cols {
        let cells = || {
            std::iter::once(header.get(i))
                .chain(rows.iter().map(|r| r.get(i)))
                .flatten()
        };
        let word = cells()
            .flat_map(|c| c.split_whitespace())
            .map(count)
            .max()
            .unwrap_or(0)
            .clamp(3, 30);
        let line = cells()
            .flat_map(|c| c.lines())
            .map(count)
            .max()
            .unwrap_or(0)
            .clamp(word, 80);
        least.push(word * CHAR + PAD);
        wanted.push(line * CHAR + PAD);
    }
    let sum = |v: &[u32]| v.iter().sum::<u32>();
    let mut widths: Vec<u32> = if sum(&wanted) <= TEXT_W {
        // Everything fits on one line: share the whole width after the lines' lengths.
        wanted.iter().map(|w| TEXT_W * w / sum(&wanted)).collect()
    } else if sum(&least) <= TEXT_W {
        let spare = TEXT_W - sum(&least);
        let more: Vec<u32> = wanted.iter().zip(&least).map(|(w, l)| w - l).collect();
        least
            .iter()
            .zip(&more)
            .map(|(l, m)| l + spare * m / sum(&more).max(1))
            .collect()
    } else {
        // Words must break somewhere: each column in proportion to its longest word.
        least.iter().map(|l| TEXT_W * l / sum(&least)).collect()
    };
    // Rounding leaves a few twips over: the last column takes them.
    let rest = TEXT_W - sum(&widths);
    if let Some(last) = widths.last_mut() {
        *last += rest;
    }
    widths
}

/// A paragraph of `style` holding `text`; `ppr` is more paragraph properties, which come
/// after the style in the schema's order.
fn paragraph(out: &mut String, style: &str, ppr: &str, text: &str, rpr: &str) {
    let _ = write!(
        out,
        "<w:p><w:pPr><w:pStyle w:val=\"{style}\"/>{ppr}</w:pPr>"
    );
    runs(out, text, rpr);
    out.push_str("</w:p>");
}

/// `text` as one run: a line break becomes `w:br` and a tab `w:tab`, so the lines of a
/// quote or a cell stay lines, as in the other formats.
fn runs(out: &mut String, text: &str, rpr: &str) {
    if text.is_empty() {
        return;
    }
    out.push_str("<w:r>");
    out.push_str(rpr);
    let mut start = 0;
    let flush = |out: &mut String, piece: &str| {
        if !piece.is_empty() {
            let _ = write!(out, "<w:t xml:space=\"preserve\">{}</w:t>", esc(piece));
        }
    };
    for (i, c) in text.char_indices() {
        let mark = match c {
            '\n' => "<w:br/>",
            '\t' => "<w:tab/>",
            _ => continue,
        };
        flush(out, &text[start..i]);
        out.push_str(mark);
        start = i + c.len_utf8();
    }
    flush(out, &text[start..]);
    out.push_str("</w:r>");
}

/// Whether XML 1.0 can hold `c` at all (its `Char` production). A study's text is
/// untrusted: one control character pasted from elsewhere would make Word refuse the file.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}

/// Text as character data. Carriage returns go too: the other formats break lines at `\n`
/// only, and a lone `\r` in XML text would read back as a line break.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => {}
            c if xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Text as an attribute value in double quotes. Whitespace other than spaces is written as
/// references, which a parser's attribute normalisation would otherwise turn into spaces.
fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => {}
            c if xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Word's tag for the language: Word knows Bokmål by its regional tag (nb-NO), as it
/// writes it itself; English keeps the tag the HTML uses.
fn word_lang(lang: Lang) -> &'static str {
    match lang {
        Lang::Nb => "nb-NO",
        Lang::En => lang.tag(),
    }
}

/// The package's title and language; no author and no dates, which would differ between
/// runs or say who ran it.
fn core(doc: &Doc) -> String {
    format!(
        "{XML_DECL}<cp:coreProperties \
         xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title>\
         <dc:language>{}</dc:language></cp:coreProperties>",
        esc(&doc.title),
        word_lang(doc.lang)
    )
}

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
</Relationships>";

fn content_types(header: bool) -> String {
    let wml = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    let mut out = format!(
        "{XML_DECL}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Default Extension=\"png\" ContentType=\"image/png\"/>\
         <Default Extension=\"svg\" ContentType=\"image/svg+xml\"/>\
         <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
         <Override PartName=\"/word/document.xml\" ContentType=\"{wml}.document.main+xml\"/>\
         <Override PartName=\"/word/styles.xml\" ContentType=\"{wml}.styles+xml\"/>\
         <Override PartName=\"/word/settings.xml\" ContentType=\"{wml}.settings+xml\"/>"
    );
    if header {
        let _ = write!(
            out,
            "<Override PartName=\"/word/header1.xml\" ContentType=\"{wml}.header+xml\"/>"
        );
    }
    out.push_str("</Types>");
    out
}

/// Word 2013 and later compatibility, so Word does not open the file in compatibility mode.
const SETTINGS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:defaultTabStop w:val=\"709\"/><w:compat><w:compatSetting w:name=\"compatibilityMode\" \
w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat></w:settings>";

/// The styles: Word's built-in ones under their built-in names (`heading 1`, `Quote`,
/// `caption`, `header`), which Word shows in the user's language and a table of contents
/// or a list of tables picks up; `Notice` for the banner and `Table Text` (10 pt, little
/// spacing) for the cells.
fn styles(lang: Lang) -> String {
    let lang = word_lang(lang);
    let mut out = format!(
        "{XML_DECL}<w:styles xmlns:w=\"{NS_W}\"><w:docDefaults><w:rPrDefault><w:rPr>\
         <w:rFonts w:ascii=\"Calibri\" w:hAnsi=\"Calibri\" w:eastAsia=\"Calibri\" w:cs=\"Calibri\"/>\
         <w:sz w:val=\"22\"/><w:szCs w:val=\"22\"/><w:lang w:val=\"{lang}\" w:eastAsia=\"{lang}\"/>\
         </w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>\
         <w:spacing w:after=\"120\" w:line=\"264\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault>\
         </w:docDefaults>\
         <w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/>\
         <w:qFormat/></w:style>"
    );
    // Sizes in half-points: 16, 13, 12 and 11 pt, the last three told apart by style.
    for (level, size, italic) in [
        (1, 32, false),
        (2, 26, false),
        (3, 24, false),
        (4, 22, false),
        (5, 22, true),
        (6, 22, true),
    ] {
        let _ = write!(
            out,
            "<w:style w:type=\"paragraph\" w:styleId=\"Heading{level}\">\
             <w:name w:val=\"heading {level}\"/><w:basedOn w:val=\"Normal\"/>\
             <w:next w:val=\"Normal\"/><w:uiPriority w:val=\"9\"/><w:qFormat/>\
             <w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before=\"{}\" w:after=\"120\"/>\
             <w:outlineLvl w:val=\"{}\"/></w:pPr><w:rPr><w:b/><w:bCs/>{}\
             <w:color w:val=\"1F3864\"/><w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/>\
             </w:rPr></w:style>",
            if level == 1 { 360 } else { 240 },
            level - 1,
            if italic { "<w:i/><w:iCs/>" } else { "" },
        );
    }
    out.push_str(
        "<w:style w:type=\"paragraph\" w:styleId=\"Quote\"><w:name w:val=\"Quote\"/>\
         <w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"29\"/>\
         <w:qFormat/><w:pPr><w:pBdr><w:left w:val=\"single\" w:sz=\"18\" w:space=\"8\" \
         w:color=\"999999\"/></w:pBdr><w:spacing w:before=\"120\" w:after=\"120\"/>\
         <w:ind w:left=\"567\" w:right=\"567\"/></w:pPr><w:rPr><w:i/><w:iCs/>\
         <w:color w:val=\"333333\"/></w:rPr></w:style>\
         <w:style w:type=\"paragraph\" w:styleId=\"Caption\"><w:name w:val=\"caption\"/>\
         <w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"35\"/>\
         <w:unhideWhenUsed/><w:qFormat/><w:pPr><w:spacing w:before=\"120\" w:after=\"60\"/>\
         </w:pPr><w:rPr><w:i/><w:iCs/><w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/></w:rPr>\
         </w:style>\
         <w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"TableText\">\
         <w:name w:val=\"Table Text\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/>\
         <w:pPr><w:spacing w:before=\"20\" w:after=\"20\" w:line=\"240\" w:lineRule=\"auto\"/>\
         </w:pPr><w:rPr><w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/></w:rPr></w:style>\
         <w:style w:type=\"paragraph\" w:styleId=\"Header\"><w:name w:val=\"header\"/>\
         <w:basedOn w:val=\"Normal\"/><w:uiPriority w:val=\"99\"/><w:unhideWhenUsed/>\
         <w:pPr><w:pBdr><w:bottom w:val=\"single\" w:sz=\"8\" w:space=\"2\" w:color=\"B58900\"/>\
         </w:pBdr><w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"FFF3CD\"/>\
         <w:spacing w:after=\"0\"/></w:pPr><w:rPr><w:b/><w:bCs/><w:sz w:val=\"18\"/>\
         <w:szCs w:val=\"18\"/></w:rPr></w:style>\
         <w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"Notice\">\
         <w:name w:val=\"Notice\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/>\
         <w:qFormat/><w:pPr><w:pBdr>\
         <w:top w:val=\"single\" w:sz=\"12\" w:space=\"4\" w:color=\"B58900\"/>\
         <w:left w:val=\"single\" w:sz=\"12\" w:space=\"4\" w:color=\"B58900\"/>\
         <w:bottom w:val=\"single\" w:sz=\"12\" w:space=\"4\" w:color=\"B58900\"/>\
         <w:right w:val=\"single\" w:sz=\"12\" w:space=\"4\" w:color=\"B58900\"/></w:pBdr>\
         <w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"FFF3CD\"/>\
         <w:spacing w:after=\"240\"/></w:pPr><w:rPr><w:b/><w:bCs/></w:rPr></w:style>\
         </w:styles>",
    );
    out
}

/// Zips the parts in the order given, each dated 1980-01-01 (the format's earliest date)
/// and with the same permissions, so the file depends on its parts alone.
fn zip(parts: Vec<(String, Vec<u8>)>) -> Vec<u8> {
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        // A PNG is compressed already.
        let method = if name.ends_with(".png") {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(DateTime::DEFAULT)
            .unix_permissions(0o644);
        zip.start_file(name, options)
            .and_then(|()| zip.write_all(&bytes).map_err(Into::into))
            .expect("zipping into memory does not fail");
    }
    zip.finish()
        .expect("zipping into memory does not fail")
        .into_inner()
}

/// A chart's PNG, and the size the picture takes on the page in EMU.
struct Raster {
    png: Vec<u8>,
    cx: u64,
    cy: u64,
}

/// The bundled fonts, loaded once: the only fonts a chart's PNG is drawn with.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    Arc::clone(FONTS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(FONT_REGULAR.to_vec());
        db.load_font_data(FONT_BOLD.to_vec());
        // usvg falls back to the serif family for a family it does not find, and resolves
        // the generic ones through these: every name ends at the bundled fonts.
        db.set_serif_family(FONT_FAMILY);
        db.set_sans_serif_family(FONT_FAMILY);
        db.set_monospace_family(FONT_FAMILY);
        db.set_cursive_family(FONT_FAMILY);
        db.set_fantasy_family(FONT_FAMILY);
        Arc::new(db)
    }))
}

/// Draws an SVG as a PNG; `None` when it cannot be read or has no area.
fn rasterize(svg: &str) -> Option<Raster> {
    let options = usvg::Options {
        font_family: FONT_FAMILY.to_owned(),
        fontdb: fonts(),
        // A chart refers to nothing outside itself, and drawing it must read no file: the
        // default resolver would open any path an `<image href>` names.
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).ok()?;
    let (w, h) = (
        f64::from(tree.size().width()),
        f64::from(tree.size().height()),
    );
    // On the page: the SVG's own size, narrowed to the text width if wider.
    let max_cx = f64::from(TEXT_W) * EMU_PER_TWIP;
    let shrink = (max_cx / (w * EMU_PER_PX)).min(1.0);
    let (cx, cy) = (w * EMU_PER_PX * shrink, h * EMU_PER_PX * shrink);
    let scale = (RASTER_SCALE * shrink).min(RASTER_MAX_SIDE / w.max(h));
    let (pw, ph) = ((w * scale).ceil(), (h * scale).ceil());
    if !(cx >= 1.0 && cy >= 1.0 && pw >= 1.0 && ph >= 1.0) {
        return None;
    }
    // In range: each side is between 1 and RASTER_MAX_SIDE (+1 for rounding up).
    let mut pixmap = tiny_skia::Pixmap::new(pw as u32, ph as u32)?;
    let transform = tiny_skia::Transform::from_scale(scale as f32, scale as f32);
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    Some(Raster {
        png: pixmap.encode_png().ok()?,
        cx: cx.round() as u64,
        cy: cy.round() as u64,
    })
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    /// A chart as the chart module draws them: plain SVG 1.1.
    const CHART: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"200\" \
        viewBox=\"0 0 400 200\"><title>Units by polarity</title><desc>Two bars.</desc>\
        <rect x=\"0\" y=\"0\" width=\"400\" height=\"200\" fill=\"#fff\"/>\
        <rect x=\"40\" y=\"40\" width=\"60\" height=\"120\" fill=\"#1f77b4\"/>\
        <line x1=\"30\" y1=\"160\" x2=\"380\" y2=\"160\" stroke=\"#000\"/>\
        <polyline points=\"40,150 200,90 360,120\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>\
        <text x=\"40\" y=\"185\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"14\">Barrière – øl</text>\
        <text x=\"200\" y=\"30\" font-weight=\"bold\" font-size=\"16\" text-anchor=\"middle\">Title</text></svg>";

    fn figure(svg: &str) -> Figure {
        Figure {
            name: "fig-1-polarity".into(),
            title: "Figure 1: Units by polarity".into(),
            description: "Two bars: \"barrier\" 12 & opportunity 7.".into(),
            svg: svg.into(),
        }
    }

    fn sample() -> Doc {
        Doc {
            title: "A <study> & \"its\" title".into(),
            lang: Lang::En,
            banner: Some("Illustrative data: made up.".into()),
            blocks: vec![
                Block::Heading(1, "Report".into()),
                Block::Para("Line one\nline\ttwo".into()),
                Block::Heading(2, "Table 1: Informants".into()),
                Block::Table {
                    caption: Some("Informants by group".into()),
                    header: vec!["Informant".into(), "Group".into()],
                    rows: vec![
                        vec!["I1".into(), "G1".into()],
                        vec!["I2".into(), "G2".into()],
                    ],
                    quotes: None,
                },
                Block::Table {
                    caption: None,
                    header: vec!["Code".into()],
                    rows: vec![vec!["x".into()]],
                    quotes: None,
                },
                Block::Quote("We met\nevery week.".into()),
                Block::Heading(3, "Deeper".into()),
                Block::Figure(figure(CHART)),
            ],
        }
    }

    fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>, DateTime)> {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        (0..archive.len())
            .map(|i| {
                let mut f = archive.by_index(i).unwrap();
                let mut data = Vec::new();
                f.read_to_end(&mut data).unwrap();
                (
                    f.name().to_owned(),
                    data,
                    f.last_modified().unwrap_or_default(),
                )
            })
            .collect()
    }

    fn part(bytes: &[u8], name: &str) -> String {
        let (_, data, _) = unzip(bytes)
            .into_iter()
            .find(|(n, _, _)| n == name)
            .unwrap_or_else(|| panic!("no part {name}"));
        String::from_utf8(data).unwrap()
    }

    /// Every XML part parses, and holds no character XML 1.0 forbids.
    fn assert_well_formed(bytes: &[u8]) {
        for (name, data, _) in unzip(bytes) {
            if !(name.ends_with(".xml") || name.ends_with(".rels")) {
                continue;
            }
            let text = String::from_utf8(data).unwrap();
            assert!(text.chars().all(xml_char), "{name} holds a forbidden char");
            let mut reader = quick_xml::Reader::from_str(&text);
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => panic!("{name} is not well-formed: {e}\n{text}"),
                }
            }
        }
    }

    #[test]
    fn text_is_escaped_and_characters_xml_forbids_are_dropped() {
        let hostile = "a<b> & c \"q\" \u{1}\u{8}\u{b}\u{c}\u{1b}\u{fffe}\u{ffff}end\r\n<w:p/>";
        let doc = Doc {
            title: hostile.into(),
            banner: Some(hostile.into()),
            blocks: vec![
                Block::Heading(1, hostile.into()),
                Block::Para(hostile.into()),
                Block::Quote(hostile.into()),
                Block::Table {
                    caption: Some(hostile.into()),
                    header: vec![hostile.into()],
                    rows: vec![vec![hostile.into()]],
                    quotes: None,
                },
                Block::Figure(Figure {
                    name: hostile.into(),
                    title: hostile.into(),
                    description: hostile.into(),
                    svg: CHART.into(),
                }),
            ],
            ..Doc::default()
        };
        let bytes = docx(&doc);
        assert_well_formed(&bytes);
        let body = part(&bytes, "word/document.xml");
        let text =
            "a&lt;b&gt; &amp; c \"q\" end</w:t><w:br/><w:t xml:space=\"preserve\">&lt;w:p/&gt;";
        // Banner, heading, paragraph, quote, caption, two cells, figure caption.
        assert_eq!(body.matches(text).count(), 8, "{body}");
        assert!(body.contains("descr=\"a&lt;b&gt; &amp; c &quot;q&quot; end&#10;&lt;w:p/&gt;\""));
        assert!(part(&bytes, "word/header1.xml").contains(text));
        assert!(part(&bytes, "docProps/core.xml")
            .contains("<dc:title>a&lt;b&gt; &amp; c \"q\" end\n&lt;w:p/&gt;</dc:title>"));
    }

    #[test]
    fn the_same_doc_gives_the_same_bytes() {
        let doc = sample();
        let first = docx(&doc);
        assert_eq!(first, docx(&doc));
        let entries = unzip(&first);
        let names: Vec<&str> = entries.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "[Content_Types].xml",
                "_rels/.rels",
                "docProps/core.xml",
                "word/document.xml",
                "word/styles.xml",
                "word/settings.xml",
                "word/header1.xml",
                "word/_rels/document.xml.rels",
                "word/media/figure1.png",
                "word/media/figure1.svg",
            ]
        );
        // Not the time of the run: the zip format's earliest date, on every entry.
        for (name, _, date) in &entries {
            assert_eq!(*date, DateTime::DEFAULT, "{name}");
        }
        assert!(!part(&first, "docProps/core.xml").contains("dcterms"));
    }

    #[test]
    fn a_tables_header_row_repeats_and_is_bold_with_borders() {
        let bytes = docx(&sample());
        let body = part(&bytes, "word/document.xml");
        assert_eq!(body.matches("<w:tbl>").count(), 2);
        for table in body.split("<w:tbl>").skip(1) {
            let rows: Vec<&str> = table.split("<w:tr>").skip(1).collect();
            assert!(rows[0].starts_with("<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"));
            assert!(rows[0].contains("<w:rPr><w:b/><w:bCs/></w:rPr>"));
            assert!(rows[1..].iter().all(|r| !r.contains("tblHeader")));
            assert!(rows[1..].iter().all(|r| !r.contains("<w:b/>")));
            assert!(table.contains("<w:insideH w:val=\"single\""));
            assert!(table.contains("<w:insideV w:val=\"single\""));
        }
        // Two tables in a row are kept apart, or Word would join them.
        assert!(body.contains("</w:tbl><w:p/><w:tbl>"));
    }

    #[test]
    fn columns_hold_their_longest_word_and_fill_the_text_width() {
        let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let header = strings(&["Informant", "Role", "Consent", "Summary"]);
        let summary = "a summary of what was said, in many words ".repeat(10);
        let rows = vec![strings(&["I1", "participant", "given", &summary])];
        let w = column_widths(&header, &rows, 4);
        assert_eq!(w.iter().sum::<u32>(), TEXT_W);
        // "participant" fits on one line; the summary takes what the others leave.
        assert!(w[1] >= 11 * 110 + 260, "{w:?}");
        assert!(w[3] > w[0] + w[1] + w[2], "{w:?}");
        // Short columns share the width after their lines' lengths.
        let w = column_widths(&strings(&["Group", "Units"]), &[strings(&["G1", "12"])], 2);
        assert_eq!(w, [TEXT_W / 2, TEXT_W - TEXT_W / 2]);
        // More words than the page holds: no column vanishes.
        let wide = strings(&["Constitutionally"; 12]);
        let w = column_widths(&wide, &[], 12);
        assert_eq!(w.iter().sum::<u32>(), TEXT_W);
        assert!(w.iter().all(|w| *w >= TEXT_W / 12), "{w:?}");
    }

    #[test]
    fn headings_quotes_and_captions_use_words_styles() {
        let bytes = docx(&sample());
        let body = part(&bytes, "word/document.xml");
        for (style, text) in [
            ("Heading1", "Report"),
            ("Heading2", "Table 1: Informants"),
            ("Heading3", "Deeper"),
            ("Quote", "We met"),
            ("Caption", "Informants by group"),
            ("Caption", "Figure 1: Units by polarity"),
            ("Notice", "Illustrative data: made up."),
        ] {
            let p = format!(
                "<w:pStyle w:val=\"{style}\"/>{}</w:pPr><w:r><w:t xml:space=\"preserve\">{text}",
                if style == "Caption" && text.starts_with("Informants") {
                    "<w:keepNext/>"
                } else {
                    ""
                }
            );
            assert!(body.contains(&p), "{style}: {text}");
        }
        // The banner comes first, the caption right above its table.
        assert!(body.contains("<w:body><w:p><w:pPr><w:pStyle w:val=\"Notice\"/>"));
        assert!(body.contains("Informants by group</w:t></w:r></w:p><w:tbl>"));
        let styles = part(&bytes, "word/styles.xml");
        for level in 1..=6 {
            assert!(styles.contains(&format!(
                "w:styleId=\"Heading{level}\"><w:name w:val=\"heading {level}\"/>"
            )));
            assert!(styles.contains(&format!("<w:outlineLvl w:val=\"{}\"/>", level - 1)));
        }
        assert!(styles.contains("w:styleId=\"Quote\"><w:name w:val=\"Quote\"/>"));
        assert!(styles.contains("w:styleId=\"Caption\"><w:name w:val=\"caption\"/>"));
        assert!(styles.contains("<w:lang w:val=\"en\""));
        let nb = docx(&Doc {
            lang: Lang::Nb,
            ..sample()
        });
        assert!(part(&nb, "word/styles.xml").contains("<w:lang w:val=\"nb-NO\""));
    }

    #[test]
    fn the_banner_is_the_page_header_and_without_one_there_is_none() {
        let bytes = docx(&sample());
        let rels = part(&bytes, "word/_rels/document.xml.rels");
        assert!(rels.contains("Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/header\" Target=\"header1.xml\""));
        assert!(part(&bytes, "word/document.xml")
            .contains("<w:sectPr><w:headerReference w:type=\"default\" r:id=\"rId3\"/>"));
        assert!(part(&bytes, "word/header1.xml").contains("Illustrative data: made up."));
        assert!(part(&bytes, "[Content_Types].xml").contains("/word/header1.xml"));

        let plain = docx(&Doc {
            banner: None,
            ..sample()
        });
        assert_well_formed(&plain);
        let names: Vec<String> = unzip(&plain).into_iter().map(|(n, _, _)| n).collect();
        assert!(!names.iter().any(|n| n == "word/header1.xml"));
        let body = part(&plain, "word/document.xml");
        assert!(!body.contains("headerReference") && !body.contains("Notice"));
        assert!(!part(&plain, "[Content_Types].xml").contains("header1"));
    }

    #[test]
    fn a_figure_is_its_svg_with_a_png_drawn_from_it() {
        let bytes = docx(&sample());
        assert_well_formed(&bytes);
        let body = part(&bytes, "word/document.xml");
        assert!(body.contains(
            "<wp:docPr id=\"1\" name=\"fig-1-polarity\" descr=\"Two bars: &quot;barrier&quot; 12 &amp; opportunity 7.\"/>"
        ));
        assert!(body.contains(&format!(
            "<a:blip r:embed=\"rId4\"><a:extLst><a:ext uri=\"{SVG_EXT_URI}\"><asvg:svgBlip xmlns:asvg=\"{NS_ASVG}\" r:embed=\"rId5\"/>"
        )));
        // 400 × 200 CSS pixels at 9525 EMU each: narrower than the text width.
        assert!(body.contains("<wp:extent cx=\"3810000\" cy=\"1905000\"/>"));
        let rels = part(&bytes, "word/_rels/document.xml.rels");
        assert!(rels.contains("Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/figure1.png\""));
        assert!(rels.contains("Target=\"media/figure1.svg\""));
        assert_eq!(part(&bytes, "word/media/figure1.svg"), CHART);

        let (_, png, _) = unzip(&bytes)
            .into_iter()
            .find(|(n, _, _)| n.ends_with(".png"))
            .unwrap();
        let pixmap = tiny_skia::Pixmap::decode_png(&png).unwrap();
        assert_eq!((pixmap.width(), pixmap.height()), (800, 400));
        // The bar is drawn in its colour, where the SVG puts it (at twice the size).
        let bar = pixmap.pixel(140, 200).unwrap();
        assert_eq!((bar.red(), bar.green(), bar.blue()), (0x1f, 0x77, 0xb4));
    }

    #[test]
    fn a_charts_text_is_drawn_with_the_bundled_fonts() {
        // fontdb is built without file access: these two are all it can know.
        let families: Vec<String> = fonts()
            .faces()
            .map(|f| format!("{} {}", f.families[0].0, f.weight.0))
            .collect();
        assert_eq!(families, ["DejaVu Sans 400", "DejaVu Sans 700"]);
        let ink = |svg: &str| {
            let png = rasterize(svg).unwrap().png;
            let pixmap = tiny_skia::Pixmap::decode_png(&png).unwrap();
            pixmap.pixels().iter().filter(|p| p.alpha() > 0).count()
        };
        let text = |attrs: &str| {
            format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"40\">\
                 <text x=\"4\" y=\"30\" font-size=\"20\" {attrs}>Ærlig øl</text></svg>"
            )
        };
        // A family the machine may have, one no machine has, and none: all drawn.
        let regular = ink(&text("font-family=\"Arial\""));
        assert!(regular > 200, "{regular} pixels of text");
        assert_eq!(ink(&text("font-family=\"No Such Font\"")), regular);
        assert_eq!(ink(&text("")), regular);
        // Bold has its own face, with more ink.
        assert!(ink(&text("font-weight=\"bold\"")) > regular);
    }

    #[test]
    fn a_drawing_that_cannot_be_read_leaves_its_description() {
        for svg in [
            "not svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"0\" height=\"0\"/>",
        ] {
            let doc = Doc {
                blocks: vec![Block::Figure(figure(svg))],
                ..Doc::default()
            };
            let bytes = docx(&doc);
            assert_well_formed(&bytes);
            let body = part(&bytes, "word/document.xml");
            assert!(!body.contains("<w:drawing>"));
            assert!(body.contains("Two bars: \"barrier\" 12 &amp; opportunity 7."));
            assert!(body.contains("Figure 1: Units by polarity"));
            assert!(unzip(&bytes).iter().all(|(n, _, _)| !n.contains("media/")));
        }
    }

    #[test]
    fn an_image_in_a_chart_reads_no_file() {
        // usvg's default resolver would open the file and draw the black square in it.
        let dir = tempfile::tempdir().unwrap();
        let square = dir.path().join("square.svg");
        std::fs::write(
            &square,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">\
             <rect width=\"10\" height=\"10\"/></svg>",
        )
        .unwrap();
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
             width=\"10\" height=\"10\"><image width=\"10\" height=\"10\" xlink:href=\"{}\"/></svg>",
            square.display()
        );
        let drawn = tiny_skia::Pixmap::decode_png(&rasterize(&svg).unwrap().png).unwrap();
        assert!(drawn.pixels().iter().all(|p| p.alpha() == 0));
    }
}
