//! Snapshot tests of the report over every fixture study, and its privacy rules.

use std::path::Path;

use samskap_core::{CodingTable, Study};
use samskap_report::{default_coder, render, Block, Doc, Lang, Options};

/// The report of a whole study, as the CLI builds it from the study's record and table.
fn build(study: &Study, options: &Options) -> Doc {
    samskap_report::build(study, &CodingTable::of(study, None), options)
}

fn options(study: &Study) -> Options {
    Options {
        coder: default_coder(&CodingTable::of(study, None)).expect("fixtures have codings"),
        examples: 2,
        small_group: 3,
        attendance_threshold: 0.5,
        framework_version: Some(1),
        lang: Lang::En,
    }
}

/// The report in each language, and the suffix of its snapshots' names.
const LANGS: [(Lang, &str); 2] = [(Lang::En, ""), (Lang::Nb, "-nb")];

#[test]
fn reports_of_the_fixtures() {
    insta::glob!("../../../fixtures", "*/study.toml", |path| {
        let dir = path.parent().unwrap();
        let study = samskap_bundle::read(dir).unwrap();
        for (lang, suffix) in LANGS {
            let options = Options {
                lang,
                ..options(&study)
            };
            let rendered = render(&build(&study, &options));
            // Same study, same bytes: nothing in the report depends on time or place.
            assert_eq!(rendered, render(&build(&study, &options)));
            insta::assert_snapshot!(format!("md{suffix}"), rendered.markdown);
            insta::assert_snapshot!(format!("html{suffix}"), rendered.html);
        }
    });
}

/// Each figure's drawing alone, as it is written beside `report.md`, and what the report
/// says of each (its name, title and description), so that a chart that goes missing shows.
#[test]
fn figures_of_the_fixtures() {
    insta::glob!("../../../fixtures", "*/study.toml", |path| {
        let dir = path.parent().unwrap();
        let study = samskap_bundle::read(dir).unwrap();
        for (lang, suffix) in LANGS {
            let doc = build(
                &study,
                &Options {
                    lang,
                    ..options(&study)
                },
            );
            let listing: String = doc
                .figures()
                .map(|f| format!("{}\n{}\n{}\n\n", f.name, f.title, f.description))
                .collect();
            insta::assert_snapshot!(format!("figures{suffix}"), listing);
            for f in doc.figures() {
                insta::assert_snapshot!(format!("{}{suffix}", f.name), f.svg);
            }
        }
    });
}

/// The texts a drawing prints (its `<text>` elements), unescaped enough to compare.
fn drawn_texts(svg: &str) -> Vec<String> {
    svg.split("<text ")
        .skip(1)
        .filter_map(|t| t.split_once('>'))
        .filter_map(|(_, rest)| rest.split_once("</text>"))
        .map(|(text, _)| text.replace("&amp;", "&"))
        .collect()
}

#[test]
fn the_codes_chart_shows_only_the_columns_of_the_counts_table() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo");
    let study = samskap_bundle::read(&dir).unwrap();
    let names: Vec<&str> = study.groups().iter().map(|g| g.name.as_str()).collect();
    // At 3 the second group is pooled; at 1 both groups with material are shown; at 100
    // only the total is.
    for (small_group, shown) in [
        (3, vec!["Ressursgruppe 1"]),
        (1, vec!["Ressursgruppe 1", "Ressursgruppe 2"]),
        (100, vec![]),
    ] {
        let doc = build(
            &study,
            &Options {
                small_group,
                ..options(&study)
            },
        );
        let at = doc
            .blocks
            .iter()
            .position(|b| matches!(b, Block::Heading(2, h) if h.starts_with("Counts")))
            .unwrap();
        let Block::Table { header, .. } = &doc.blocks[at + 1] else {
            panic!("the counts table follows its heading");
        };
        let chart = doc.figures().find(|f| f.name.ends_with("codes-by-group"));
        if shown.is_empty() {
            assert!(
                chart.is_none(),
                "a chart of the total alone, at {small_group}"
            );
            continue;
        }
        let texts = drawn_texts(&chart.expect("a codes chart").svg);
        for name in &names {
            assert_eq!(
                texts.iter().any(|t| t == name),
                header.iter().any(|h| h == name),
                "{name} at {small_group}"
            );
            assert_eq!(
                shown.contains(name),
                header.iter().any(|h| h == name),
                "{header:?} at {small_group}"
            );
        }
    }
}

#[test]
fn charts_show_no_person() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo");
    let study = samskap_bundle::read(&dir).unwrap();
    let doc = build(&study, &options(&study));
    assert!(doc.figures().count() >= 5, "the demo has every chart");
    for f in doc.figures() {
        let said = format!("{}\n{}\n{}", f.title, f.description, f.svg);
        for i in study.informants() {
            let d = i.details.as_ref().unwrap();
            for private in [d.workplace.as_deref(), d.position.as_deref()]
                .into_iter()
                .flatten()
            {
                assert!(!said.contains(private), "{} names `{private}`", f.name);
            }
            assert!(
                !drawn_texts(&f.svg)
                    .iter()
                    .any(|t| t.contains(i.id.as_str())),
                "{} names informant {}",
                f.name,
                i.id
            );
        }
        for m in study.members() {
            assert!(
                !said.contains(m.id.as_str()),
                "{} names member {}",
                f.name,
                m.id
            );
        }
    }
}

#[test]
fn html_is_self_contained() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo");
    let study = samskap_bundle::read(&dir).unwrap();
    let html = render(&build(&study, &options(&study))).html;
    assert!(html.contains("<svg "), "the demo's report has charts");
    // The SVG namespace is a name, not an address anything is fetched from.
    let html = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for external in [
        "<link", "<script", "src=", "href", "http://", "https://", "url(",
    ] {
        assert!(
            !html.contains(external),
            "report.html refers outside: {external}"
        );
    }
}

#[test]
fn quotes_never_stand_beside_workplace_or_position() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo");
    let study = samskap_bundle::read(&dir).unwrap();
    for (lang, _) in LANGS {
        let doc = build(
            &study,
            &Options {
                lang,
                ..options(&study)
            },
        );
        let Some((rows, column)) = doc.blocks.iter().find_map(|b| match b {
            Block::Table {
                rows,
                quotes: Some(c),
                ..
            } => Some((rows, *c)),
            _ => None,
        }) else {
            panic!("Table 2 sets its examples as quotes");
        };
        // Everything in Table 2 but the quoted words: the other cells, and what each
        // quote is labelled with (its code and values, in brackets after it).
        let mut outside: Vec<&str> = Vec::new();
        let mut quotes = 0;
        for row in rows {
            for (i, cell) in row.iter().enumerate() {
                if i != column {
                    outside.push(cell);
                    continue;
                }
                for p in cell.split("\n\n").filter(|p| p.starts_with(['“', '«'])) {
                    let (_, label) = p.rsplit_once(['”', '»']).expect("a quote and its code");
                    outside.push(label);
                    quotes += 1;
                }
            }
        }
        assert!(quotes > 0, "Table 2 has quotes");
        for i in study.informants() {
            let d = i.details.as_ref().unwrap();
            for private in [d.workplace.as_deref(), d.position.as_deref()]
                .into_iter()
                .flatten()
            {
                // A workplace may be said inside a quote by someone else; what must not
                // appear is the label text outside quotes.
                assert!(
                    !outside.iter().any(|t| t.contains(private)),
                    "Table 2 names `{private}` outside a quote"
                );
            }
            assert!(
                !outside.iter().any(|t| t
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| w == i.id.as_str())),
                "Table 2 carries informant label {}",
                i.id
            );
        }
    }
}

#[test]
fn informants_without_consent_are_not_quoted() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo");
    let text = std::fs::read_to_string(dir.join("study.toml")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&dir, tmp.path());
    // I3 has not answered yet: their words must stay out of the report.
    let pending = text.replacen(
        "id = \"I3\"\nrole = \"participant\"\ngroup = \"G1\"\nworkplace = \"Tjeneste B\"\nposition = \"Koordinator\"\ninterview_date = \"2023-05-31\"\nconsent = \"given\"",
        "id = \"I3\"\nrole = \"participant\"\ngroup = \"G1\"\nworkplace = \"Tjeneste B\"\nposition = \"Koordinator\"\ninterview_date = \"2023-05-31\"\nconsent = \"pending\"",
        1,
    );
    assert_ne!(
        pending, text,
        "the fixture's I3 entry changed: update this test"
    );
    std::fs::write(tmp.path().join("study.toml"), pending).unwrap();
    let study = samskap_bundle::read(tmp.path()).unwrap();
    let md = render(&build(&study, &options(&study))).markdown;
    let i3 = study
        .transcript(&"I3".parse().unwrap())
        .unwrap()
        .text()
        .to_owned();
    for line in i3.lines().filter(|l| l.len() > 40) {
        assert!(!md.contains(line), "pending informant quoted: {line}");
    }
}

#[test]
fn a_memo_quoting_an_informant_whose_consent_is_pending_is_withheld() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo");
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&dir, tmp.path());
    let study_toml = std::fs::read_to_string(dir.join("study.toml")).unwrap();
    let pending = study_toml.replacen(
        "position = \"Koordinator\"\ninterview_date = \"2023-05-31\"\nconsent = \"given\"",
        "position = \"Koordinator\"\ninterview_date = \"2023-05-31\"\nconsent = \"pending\"",
        1,
    );
    assert_ne!(
        pending, study_toml,
        "the fixture's I3 entry changed: update this test"
    );
    std::fs::write(tmp.path().join("study.toml"), pending).unwrap();
    // Two memos on one code: one quotes eight words of I3 in a row (not a unit, not a
    // whole sentence), the other six of them, which is not quoting.
    let eight = "hele kommunen ha et felles verdisyn. Det handler";
    let memos = std::fs::read_to_string(dir.join("memos.toml")).unwrap()
        + &format!(
            "\n[[memo]]\ncode = \"culture/belief-in-change\"\nauthor = \"A\"\ntext = \"Sitat: {eight}.\"\n\n[[memo]]\ncode = \"culture/belief-in-change\"\nauthor = \"A\"\ntext = \"Nesten: hele kommunen ha et felles verdisyn.\"\n"
        );
    std::fs::write(tmp.path().join("memos.toml"), memos).unwrap();
    let study = samskap_bundle::read(tmp.path()).unwrap();
    let md = render(&build(&study, &options(&study))).markdown;
    assert!(!md.contains(eight), "a memo quoting I3 is printed");
    assert!(md.contains("(withheld: this summary quotes an informant whose consent is pending)"));
    assert!(md.contains("Nesten: hele kommunen ha et felles verdisyn."));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn facilitation_section_shows_services_that_stay_away_but_no_person() {
    // The fixture's record has child welfare coming to one meeting of ten or eleven.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo");
    let study = samskap_bundle::read(&dir).unwrap();
    assert!(!study.facilitation().meetings().is_empty());
    let options = Options {
        coder: default_coder(&CodingTable::of(&study, None)).unwrap(),
        examples: 3,
        small_group: 3,
        attendance_threshold: 0.5,
        framework_version: Some(1),
        lang: Lang::En,
    };
    let md = render(&build(&study, &options)).markdown;
    let section = md
        .split("## Facilitation")
        .nth(1)
        .expect("a facilitation section");
    let child_welfare = section
        .lines()
        .find(|l| l.starts_with("| child-welfare |"))
        .expect("a row for child welfare");
    assert!(
        child_welfare.ends_with("| stayed away |"),
        "{child_welfare}"
    );
    assert!(section.contains("1 define the problem"));
    assert!(section.contains("Blau index"));
    for m in study.members() {
        assert!(
            !section.contains(&format!("| {} |", m.id)),
            "{} named in the report",
            m.id
        );
    }
}

/// A programme of many groups gets every group's PD steps in a table but no chart per
/// group, and no codes-by-group heatmap of that many columns: a hundred charts no one
/// reads, and drawing each for the Word file is most of a large report's time.
#[test]
fn many_groups_are_tabled_but_not_charted_one_by_one() {
    use samskap_core::facilitation::{PdStep, Phase, ProcessMove};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo");
    let charts = |study: &Study| -> Vec<String> {
        build(study, &options(study))
            .figures()
            .map(|f| f.name.clone())
            .collect()
    };
    let mut study = samskap_bundle::read(&dir).unwrap();
    let before = charts(&study);
    assert!(
        before.iter().any(|n| n.contains("pd-process")),
        "{before:?}"
    );
    let municipality = study.municipalities()[0].id.clone();
    for k in 1..=12 {
        let id: samskap_core::GroupId = format!("X{k}").parse().unwrap();
        study
            .add_group(samskap_core::ResourceGroup {
                id: id.clone(),
                name: format!("Gruppe X{k}"),
                municipalities: vec![municipality.clone()],
                period_start: None,
                period_end: None,
                studied: false,
                attributes: Default::default(),
            })
            .unwrap();
        study
            .facilitate(|f, r| {
                f.add_move(
                    r,
                    ProcessMove {
                        group: id.clone(),
                        date: "2023-03-01".parse().unwrap(),
                        phase: Phase::Challenge,
                        step: PdStep::DefineProblem,
                        note: None,
                    },
                )
            })
            .unwrap();
    }
    let after = charts(&study);
    assert!(!after.iter().any(|n| n.contains("pd-process")), "{after:?}");
    let md = render(&build(&study, &options(&study))).markdown;
    assert!(
        md.contains("14 groups moved through the PD process"),
        "{md}"
    );
    assert!(md.contains("Gruppe X12"));
}

/// A quote cited as evidence for an assessment stands beside what was assessed: it is shown
/// beside a group of at least k informants with consent, never beside a smaller group, and
/// never beside a service (whose members the record cannot tie to informants' workplaces).
#[test]
fn assessment_quotes_never_narrow_their_speaker() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo");
    let study = samskap_bundle::read(&dir).unwrap();
    let doc = build(&study, &options(&study));
    let at = doc
        .blocks
        .iter()
        .position(|b| matches!(b, Block::Heading(2, h) if h == "Assessments"))
        .expect("the demo has assessments");
    let tables: Vec<&Vec<Vec<String>>> = doc.blocks[at..]
        .iter()
        .filter_map(|b| match b {
            Block::Table { rows, .. } => Some(rows),
            _ => None,
        })
        .collect();
    let (ladder, logics) = (tables[0], tables[1]);
    let quotes = |cell: &str| cell.split("\n\n").filter(|p| p.starts_with('“')).count();
    // Group 1 has four informants with consent, group 2 two (as the thesis's had).
    let shown: Vec<(&str, usize)> = ladder
        .iter()
        .map(|r| (r[0].as_str(), quotes(&r[4])))
        .collect();
    assert!(
        shown.iter().any(|(g, n)| *g == "Ressursgruppe 1" && *n > 0),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .all(|(g, n)| *g != "Ressursgruppe 2" || *n == 0),
        "{shown:?}"
    );
    assert!(ladder
        .iter()
        .any(|r| r[0] == "Ressursgruppe 2" && r[4].contains("cited, not shown")));
    for r in logics {
        assert_eq!(quotes(&r[3]), 0, "a quote beside a service: {r:?}");
    }
}
