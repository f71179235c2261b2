//! Rows of a Taguette project, built by hand, to a study: documents to informants with
//! consent pending, tags to a code tree, highlights to units and codings, coders from the
//! log, and highlights that cannot be placed refused by id and document.

use samskap_core::{ActiveConsent, Counting};
use samskap_taguette::source::{Document, Highlight, HighlightCommand, Project, Source, Tag};
use samskap_taguette::{import, Options, PlaceError, TaguetteError};

const HTML: &str = "<p>Vi har for lite tid 🙂.</p>\n<p>Skolen &amp; NAV&nbsp;samarbeider.</p>";

/// UTF-8 byte range of `quote` in the text nodes of [`HTML`].
fn bytes(quote: &str) -> (i64, i64) {
    let nodes = "Vi har for lite tid 🙂.\nSkolen & NAV\u{a0}samarbeider.";
    let at = nodes.find(quote).unwrap();
    (at as i64, (at + quote.len()) as i64)
}

fn hl(id: i64, quote: &str) -> Highlight {
    let (start, end) = bytes(quote);
    Highlight {
        id,
        document_id: 10,
        start,
        end,
        snippet: format!("<p>{}</p>", quote.replace('&', "&amp;")),
    }
}

fn tag(id: i64, path: &str, description: &str) -> Tag {
    Tag {
        id,
        path: path.into(),
        description: description.into(),
    }
}

fn cmd(id: i64, highlight_id: i64, user: &str, tags: &[i64]) -> HighlightCommand {
    HighlightCommand {
        id,
        highlight_id,
        user: user.into(),
        tags: tags.to_vec(),
    }
}

fn source() -> Source {
    Source {
        project: Project {
            id: 1,
            name: "Tillit i tjenestene".into(),
            has_description: true,
        },
        documents: vec![Document {
            id: 10,
            name: "Intervju med Åse".into(),
            has_description: false,
            contents: HTML.into(),
        }],
        tags: vec![
            tag(1, "Ressurser.Tid", "Mangel på tid."),
            tag(2, "Samarbeid", "Mellom tjenester."),
            tag(3, "Ressurser", ""),
        ],
        highlights: vec![
            hl(100, "for lite tid 🙂"),
            hl(101, "Skolen & NAV\u{a0}samarbeider"),
            hl(102, "lite"),
        ],
        highlight_tags: vec![(100, 1), (100, 3), (101, 2)],
        commands: vec![
            // Kari made highlight 100 with tag 1; Ola added tag 3 later.
            cmd(1, 100, "kari", &[1]),
            cmd(2, 100, "ola", &[1, 3]),
        ],
        unreadable_commands: 0,
        members: vec!["kari".into(), "ola".into()],
    }
}

#[test]
fn documents_tags_and_highlights_become_a_study() {
    let imported = import(&source(), &Options::default()).unwrap();
    let study = &imported.study;
    assert_eq!(study.meta().id.as_str(), "tillit-i-tjenestene");
    assert_eq!(study.meta().framework.as_str(), "tillit-i-tjenestene-tags");
    let informant = &study.informants()[0];
    assert_eq!(informant.id.as_str(), "D10");
    assert_eq!(
        informant.details.as_ref().unwrap().consent,
        ActiveConsent::Pending
    );
    let text = study
        .transcript(&samskap_core::Source::interview(&informant.id).id)
        .unwrap()
        .text();
    assert_eq!(
        text,
        "Vi har for lite tid 🙂.\n\nSkolen & NAV\u{a0}samarbeider."
    );

    let f = study.framework();
    let ids: Vec<&str> = f.codes().iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["ressurser", "ressurser/tid", "samarbeid"]);
    assert_eq!(
        f.code(&"ressurser/tid".parse().unwrap())
            .unwrap()
            .definition,
        "Mangel på tid."
    );
    assert!(f.qualifiers().is_empty());

    let codings: Vec<(&str, &str, &str)> = study
        .codings()
        .iter()
        .map(|c| (study.unit_text(c.unit), c.code.as_str(), c.coder.as_str()))
        .collect();
    assert_eq!(
        codings,
        [
            ("for lite tid 🙂", "ressurser", "ola"),
            ("for lite tid 🙂", "ressurser/tid", "kari"),
            ("Skolen & NAV\u{a0}samarbeider", "samarbeid", "taguette"),
        ]
    );
    let r = &imported.report;
    assert_eq!(r.counting, Counting::Utf8);
    assert_eq!((r.highlights, r.units, r.codings), (3, 3, 3));
    assert_eq!(r.untagged, [102]);
    assert_eq!(r.snippet_mismatches, Vec::<i64>::new());
    assert_eq!(
        (
            r.attribution.tag_added_by,
            r.attribution.only_member,
            r.attribution.default_coder
        ),
        (2, 0, 1)
    );
}

#[test]
fn the_only_member_codes_what_the_log_says_nothing_of() {
    let mut s = source();
    s.members = vec!["kari".into()];
    s.commands.clear();
    let imported = import(&s, &Options::default()).unwrap();
    assert!(imported
        .study
        .codings()
        .iter()
        .all(|c| c.coder.as_str() == "kari"));
    assert_eq!(imported.report.attribution.only_member, 3);
}

#[test]
fn a_flat_tag_list_when_told_not_to_split() {
    let opts = Options {
        separator: None,
        ..Options::default()
    };
    let imported = import(&source(), &opts).unwrap();
    let ids: Vec<&str> = imported
        .study
        .framework()
        .codes()
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(ids, ["ressurser", "ressurser-tid", "samarbeid"]);
}

#[test]
fn highlights_that_cannot_be_placed_are_refused_by_id_and_document() {
    let mut s = source();
    s.highlights[1].end = 10_000;
    let (emoji, _) = bytes("🙂");
    s.highlights[2].start = emoji + 1;
    s.highlights[2].end = emoji + 3;
    let e = import(&s, &Options::default()).unwrap_err();
    let TaguetteError::Unplaceable(Counting::Utf8, list) = &e else {
        panic!("{e}")
    };
    assert_eq!(list.len(), 2);
    assert_eq!((list[0].highlight, list[0].document), (101, 10));
    assert!(matches!(list[0].problem, PlaceError::PastEnd { .. }));
    assert_eq!(list[1].highlight, 102);
    assert!(matches!(
        list[1].problem,
        PlaceError::InsideCharacter { .. }
    ));
    let m = e.to_string();
    assert!(m.contains("highlight 101 (document 10, bytes"), "{m}");
    assert!(m.contains("nothing was imported"), "{m}");
}

#[test]
fn other_countings_read_the_same_text_nodes() {
    // In UTF-16 the emoji counts 2 and `å` 1; "lite" starts at unit 10 in all three.
    let mut s = source();
    let nodes = "Vi har for lite tid 🙂.\nSkolen & NAV\u{a0}samarbeider.";
    let at = nodes.find("Skolen").unwrap();
    let u16_start = nodes[..at].encode_utf16().count() as i64;
    s.highlights = vec![Highlight {
        id: 1,
        document_id: 10,
        start: u16_start,
        end: u16_start + "Skolen".len() as i64,
        snippet: "<p>Skolen</p>".into(),
    }];
    s.highlight_tags = vec![(1, 2)];
    let opts = Options {
        counting: Counting::Utf16,
        ..Options::default()
    };
    let imported = import(&s, &opts).unwrap();
    let c = &imported.study.codings()[0];
    assert_eq!(imported.study.unit_text(c.unit), "Skolen");
    // The same numbers as UTF-8 bytes land elsewhere, and the snippet check says so.
    let imported = import(&s, &Options::default()).unwrap();
    assert_eq!(imported.report.snippet_mismatches, [1]);
}

#[test]
fn a_link_to_a_tag_of_no_project_is_refused() {
    let mut s = source();
    s.highlight_tags.push((101, 99));
    let e = import(&s, &Options::default()).unwrap_err();
    assert!(
        e.to_string().contains("highlight 101 carries tag 99"),
        "{e}"
    );
}

#[test]
fn a_tag_named_for_a_polarity_codes_the_tag_above_with_that_polarity() {
    let mut s = source();
    s.tags.push(tag(4, "Ressurser.Barrierer", ""));
    s.highlight_tags = vec![(100, 4), (101, 3)];
    s.commands.clear();
    let imported = import(&s, &Options::default()).unwrap();
    let codings: Vec<String> = imported
        .study
        .codings()
        .iter()
        .map(|c| format!("{}#{}", c.code, c.qualifiers))
        .collect();
    assert_eq!(codings, ["ressurser#polarity=barrier", "ressurser#"]);
    assert_eq!(imported.study.framework().qualifiers().len(), 1);
}
