//! Markdown and HTML renderings of a [`Doc`].

use std::fmt::Write;

use crate::doc::{Block, Doc, Figure};

/// Markdown text with raw HTML disarmed: a study's own text must not become markup.
fn md_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;")
}

fn md_cell(s: &str) -> String {
    md_text(&s.replace('\\', "\\\\").replace('|', "\\|")).replace('\n', "<br>")
}

pub(crate) fn markdown(doc: &Doc) -> String {
    let mut out = String::new();
    if let Some(banner) = &doc.banner {
        let _ = writeln!(out, "**{}**\n", md_text(banner));
    }
    for (i, b) in doc.blocks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match b {
            Block::Heading(level, text) => {
                let _ = writeln!(out, "{} {}", "#".repeat(usize::from(*level)), md_text(text));
            }
            Block::Para(text) => {
                let _ = writeln!(out, "{}", md_text(text));
            }
            Block::Quote(text) => {
                for line in text.lines() {
                    if line.is_empty() {
                        out.push_str(">\n");
                    } else {
                        let _ = writeln!(out, "> {}", md_text(line));
                    }
                }
            }
            Block::Table {
                caption,
                header,
                rows,
                ..
            } => {
                if let Some(c) = caption {
                    let _ = writeln!(out, "{}\n", md_text(c));
                }
                let cells =
                    |r: &[String]| r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ");
                let _ = writeln!(out, "| {} |", cells(header));
                let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
                for r in rows {
                    let _ = writeln!(out, "| {} |", cells(r));
                }
            }
            Block::Figure(Figure {
                name,
                title,
                description,
                ..
            }) => {
                let _ = writeln!(out, "![{}]({name}.svg)\n", md_text(title));
                let _ = writeln!(out, "{}", md_text(description));
            }
        }
    }
    out
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn esc_lines(s: &str) -> String {
    esc(s).replace('\n', "<br>\n")
}

/// Inline style: the file must open anywhere with no other file beside it.
const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#222}\
table{border-collapse:collapse;margin:1rem 0;width:100%}\
th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#eee}\
blockquote{margin:.6rem 0 .6rem 1rem;padding-left:.8rem;border-left:3px solid #999;color:#333}\
h1,h2,h3,h4{line-height:1.2}\
caption{caption-side:top;text-align:left;font-style:italic;padding:.3rem 0}\
figure{margin:1rem 0}figure svg{max-width:100%;height:auto}figcaption{font-style:italic}\
.banner{background:#fff3cd;border:2px solid #b58900;padding:.5rem .8rem;font-weight:bold}\
@media print{body{max-width:none;margin:0;padding:3.2rem 0 0;font-size:10.5pt}\
.banner{position:fixed;top:0;left:0;right:0}\
thead{display:table-header-group}tr,figure,blockquote{break-inside:avoid}\
h1,h2,h3,h4,caption{break-after:avoid}}";

pub(crate) fn html(doc: &Doc) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        doc.lang.tag(),
        esc(&doc.title)
    );
    if let Some(banner) = &doc.banner {
        let _ = writeln!(
            out,
            "<div class=\"banner\" role=\"note\">{}</div>",
            esc(banner)
        );
    }
    for b in &doc.blocks {
        match b {
            Block::Heading(level, text) => {
                let _ = writeln!(out, "<h{level}>{}</h{level}>", esc(text));
            }
            Block::Para(text) => {
                let _ = writeln!(out, "<p>{}</p>", esc_lines(text));
            }
            Block::Quote(text) => {
                let _ = writeln!(out, "<blockquote>{}</blockquote>", esc_lines(text));
            }
            Block::Table {
                caption,
                header,
                rows,
                quotes,
            } => {
                out.push_str("<table>\n");
                if let Some(c) = caption {
                    let _ = writeln!(out, "<caption>{}</caption>", esc(c));
                }
                out.push_str("<thead><tr>");
                for h in header {
                    let _ = write!(out, "<th>{}</th>", esc(h));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for r in rows {
                    out.push_str("<tr>");
                    for (i, c) in r.iter().enumerate() {
                        out.push_str("<td>");
                        for (k, p) in c.split("\n\n").enumerate() {
                            if *quotes == Some(i) {
                                let _ = write!(out, "<blockquote>{}</blockquote>", esc_lines(p));
                            } else {
                                if k > 0 {
                                    out.push_str("<br>\n<br>\n");
                                }
                                out.push_str(&esc_lines(p));
                            }
                        }
                        out.push_str("</td>");
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
            Block::Figure(f) => {
                // The SVG is the chart module's, made from numbers and escaped labels.
                let _ = writeln!(
                    out,
                    "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>",
                    f.svg.trim_end(),
                    esc(&f.title)
                );
            }
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_and_markdown_escapes_pipes() {
        let doc = Doc {
            lang: crate::Lang::Nb,
            banner: Some("x<y".into()),
            title: "a<b".into(),
            blocks: vec![Block::Table {
                caption: Some("c<d".into()),
                header: vec!["x".into()],
                rows: vec![vec!["1|2 <script>".into()]],
                quotes: None,
            }],
        };
        let h = html(&doc);
        assert!(h.contains("<title>a&lt;b</title>"));
        assert!(h.contains("<caption>c&lt;d</caption>"));
        assert!(h.contains("1|2 &lt;script&gt;"));
        assert!(!h.contains("<script>"));
        assert!(h.contains("<html lang=\"nb\">"));
        assert!(h.contains("role=\"note\">x&lt;y</div>"));
        assert!(markdown(&doc).contains("1\\|2 &lt;script>"));
    }
}
