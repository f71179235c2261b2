//! The hand-made projects in `fixtures/refi/`, zipped as a tool would, through the library:
//! every coding of a plain-text selection arrives, the whole code tree becomes the
//! framework, import → export → import gives the same framework and coded texts (and the
//! same files again), mappings refuse what they cannot place, and every export validates
//! against the official schemas.

use std::collections::BTreeSet;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use samskap_core::{Framework, Qualifiers, Study};
use samskap_refi::{
    codebook_xml, import_project, project_files, read_qdpx, recognise, write_qdpx, ImportOptions,
    Imported, Limits, Mapping, Project, RefiError,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/refi")
        .join(name)
}

/// The directory as a `.qdpx`: its files as deflated zip entries, by relative path.
fn zip_dir(dir: &Path) -> Vec<u8> {
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
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut entries = Vec::new();
    walk(dir, dir, &mut entries);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(name, options).unwrap();
        zip.write_all(&bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn read(name: &str) -> Project {
    read_qdpx(Cursor::new(zip_dir(&fixture(name))), Limits::default()).unwrap()
}

fn opts(study: &str) -> ImportOptions {
    ImportOptions {
        study_id: study.parse().unwrap(),
        counting: None,
        mapping: None,
        default_qualifiers: Qualifiers::none(),
        default_coder: "refi".parse().unwrap(),
        keep: Default::default(),
    }
}

/// Codings of plain-text selections in the file, as read.
fn codings_in(project: &Project) -> usize {
    project
        .sources
        .iter()
        .flat_map(|s| &s.selections)
        .map(|s| s.codings.len())
        .sum()
}

/// Every coding as (informant, coded text, code, qualifier values, coder).
fn coded_texts(study: &Study) -> BTreeSet<(String, String, String, String, String)> {
    study
        .codings()
        .iter()
        .map(|c| {
            let u = &study.units()[c.unit.index()];
            let text = study.transcript(&u.source).unwrap().slice(u.span);
            (
                u.source.to_string(),
                text.to_owned(),
                c.code.to_string(),
                c.qualifiers.to_string(),
                c.coder.to_string(),
            )
        })
        .collect()
}

fn ids(f: &Framework) -> Vec<&str> {
    f.codes().iter().map(|c| c.id.as_str()).collect()
}

/// The study as a `.qdpx`.
fn export(imported: &Imported) -> (String, Vec<u8>) {
    let files = project_files(&imported.study, &imported.guids, &[]);
    let mut out = Cursor::new(Vec::new());
    write_qdpx(&files, &mut out).unwrap();
    (files.qde, out.into_inner())
}

#[test]
fn a_project_without_polarity_names_keeps_every_coding_unqualified() {
    let project = read("no-polarity");
    assert_eq!(codings_in(&project), 10);
    let out = import_project(&project, &opts("samarbeid")).unwrap();
    let f = out.study.framework();
    assert!(f.qualifiers().is_empty());
    assert_eq!(
        ids(f),
        [
            "samarbeid",
            "samarbeid/tverrfaglige-moter",
            "samarbeid/informasjonsdeling",
            "ressurser",
            "ressurser/tid",
            "ressurser/penger",
            "ungdommens-stemme"
        ]
    );
    let top = f.code(&"samarbeid".parse().unwrap()).unwrap();
    assert_eq!(top.label["und"], "Samarbeid");
    assert_eq!(top.colour.as_deref(), Some("#1b9e77"));
    assert_eq!(top.definition, "Hvordan etatene jobber sammen.");
    assert_eq!(out.study.codings().len(), 10);
    assert!(out.study.codings().iter().all(|c| c.qualifiers.is_empty()));
    assert_eq!(out.report.qualifiers.unqualified, 10);
    assert!(out.report.skipped.is_empty(), "{:?}", out.report.skipped);
    let texts = coded_texts(&out.study);
    assert!(texts.contains(&(
        "I2".into(),
        "Samarbeidet har blitt bedre det siste året.".into(),
        "samarbeid".into(),
        String::new(),
        "siri-lund".into()
    )));
    assert_eq!(
        texts
            .iter()
            .filter(|t| t.1 == "Vi møtes hver fjortende dag i ressursgruppa.")
            .count(),
        2,
        "two coders, one code"
    );
}

#[test]
fn a_three_level_tree_keeps_every_level_and_polarity_where_named() {
    let project = read("three-levels");
    let out = import_project(&project, &opts("tre")).unwrap();
    let f = out.study.framework();
    assert_eq!(
        ids(f),
        [
            "organisering",
            "organisering/ledelse",
            "organisering/ledelse/forankring",
            "organisering/struktur",
            "organisering/struktur/moteplass",
            "kommunikasjon",
            "kommunikasjon/sprak",
            "kommunikasjon/sprak/fagsprak"
        ]
    );
    let q = &f.qualifiers()[0];
    assert_eq!(
        q.codes.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        ["organisering/ledelse", "organisering/struktur/moteplass"]
    );
    assert!(!q.required);
    assert_eq!(out.study.codings().len(), codings_in(&project));
    let texts = coded_texts(&out.study);
    let mut expected: BTreeSet<(String, String, String, String, String)> = [
        (
            "Lederne i kommunen har forankret prosjektet i planen.",
            "organisering/ledelse/forankring",
            "",
            "Kari",
        ),
        (
            "Likevel var det vanskelig å få rektorene med.",
            "organisering/ledelse",
            "polarity=barrier",
            "Kari",
        ),
        (
            "Ressursgruppa er blitt en fast møteplass.",
            "organisering/struktur/moteplass",
            "polarity=opportunity",
            "Kari",
        ),
        (
            "Ressursgruppa er blitt en fast møteplass.",
            "organisering/struktur/moteplass",
            "",
            "Ola",
        ),
        (
            "Fagspråket til helsesøster var vanskelig å forstå.",
            "kommunikasjon/sprak/fagsprak",
            "",
            "Kari",
        ),
    ]
    .into_iter()
    .map(|(t, c, q, by)| ("intervju-3".into(), t.into(), c.into(), q.into(), by.into()))
    .collect();
    assert_eq!(texts, expected);
    assert_eq!(out.report.qualifiers.from_code_names, 2);
    assert_eq!(out.report.qualifiers.unqualified, 3);
    // The same tree with polarity given by default where it applies and is missing.
    let mut o = opts("tre");
    o.default_qualifiers = "polarity=barrier".parse().unwrap();
    let out = import_project(&project, &o).unwrap();
    expected = expected
        .into_iter()
        .map(|mut t| {
            if t.3.is_empty() && t.2.starts_with("organisering/") {
                t.3 = "polarity=barrier".into();
            }
            t
        })
        .collect();
    assert_eq!(coded_texts(&out.study), expected);
    assert_eq!(out.report.qualifiers.from_default, 2);
}

#[test]
fn codes_on_inner_nodes_are_codes_like_any_other() {
    let project = read("inner-codes");
    let out = import_project(&project, &opts("tillit")).unwrap();
    let f = out.study.framework();
    assert_eq!(
        ids(f),
        [
            "tillit",
            "tillit/mellom-etater",
            "tillit/mellom-etater/nav",
            "tillit/apenhet",
            "tillit/apenhet-2",
            "tid"
        ]
    );
    assert_eq!(
        f.code(&"tillit/apenhet-2".parse().unwrap()).unwrap().label["und"],
        "Apenhet"
    );
    assert_eq!(out.study.codings().len(), 7);
    let on = |code: &str| {
        coded_texts(&out.study)
            .into_iter()
            .filter(|t| t.2 == code)
            .map(|t| (t.1, t.3))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        on("tillit"),
        [
            (
                "Mange ungdommer stoler ikke på voksne.".to_owned(),
                "polarity=barrier".to_owned()
            ),
            ("Vi stoler på hverandre i gruppa.".to_owned(), String::new()),
        ]
    );
    assert_eq!(on("tillit/mellom-etater").len(), 1);
    assert_eq!(on("tillit/mellom-etater/nav").len(), 1);
    assert_eq!(on("tid").len(), 2);
    // `Barrierer` only groups: it is no code, and the report says so.
    assert_eq!(out.report.skipped.0.len(), 1, "{:?}", out.report.skipped);
}

#[test]
fn the_hand_made_project_keeps_every_plain_text_coding() {
    let project = read("hand");
    assert_eq!(codings_in(&project), 6);
    let out = import_project(&project, &opts("hand")).unwrap();
    assert_eq!(out.study.codings().len(), 6);
    assert_eq!(
        ids(out.study.framework()),
        [
            "struktur",
            "struktur/moteplass",
            "tid",
            "okonomi",
            "ledelse"
        ]
    );
    assert_eq!(out.report.qualifiers.from_code_names, 4);
    assert_eq!(out.report.qualifiers.unqualified, 2);
    assert!(out
        .report
        .notes
        .iter()
        .any(|n| n.starts_with("2 codings carry no qualifier value")));
}

/// Import, export, import again (with no store: the framework made anew from the tree; with
/// one: the framework recognised by its GUIDs), export again.
fn round_trip(name: &str) {
    let first = import_project(&read(name), &opts("rt")).unwrap();
    let (qde, bytes) = export(&first);
    let back = read_qdpx(Cursor::new(&bytes), Limits::default()).unwrap();
    assert_eq!(codings_in(&back), first.study.codings().len(), "{name}");

    let fresh = import_project(&back, &opts("rt")).unwrap();
    assert_eq!(fresh.study.framework(), first.study.framework(), "{name}");
    assert_eq!(
        coded_texts(&fresh.study),
        coded_texts(&first.study),
        "{name}"
    );
    assert_eq!(fresh.study.memos(), first.study.memos(), "{name}");
    assert_eq!(export(&fresh).0, qde, "{name}: the same file again");

    let candidates = vec![(first.study.framework().clone(), first.guids.clone())];
    let (found, note) = recognise(&back, &candidates);
    let found = found.unwrap_or_else(|| panic!("{name}: not recognised: {note:?}"));
    let mut o = opts("rt");
    o.mapping = Some((found.mapping, found.framework));
    let known = import_project(&back, &o).unwrap();
    assert_eq!(known.study.framework(), first.study.framework(), "{name}");
    assert_eq!(
        coded_texts(&known.study),
        coded_texts(&first.study),
        "{name}"
    );
    assert_eq!(export(&known).0, qde, "{name}: the same file again");
}

#[test]
fn import_export_import_gives_the_same_codes_qualifiers_and_coded_texts() {
    for name in ["no-polarity", "three-levels", "inner-codes", "hand"] {
        round_trip(name);
    }
}

#[test]
fn export_writes_the_tree_back_under_the_tools_guids() {
    let first = import_project(&read("three-levels"), &opts("tre")).unwrap();
    let (qde, _) = export(&first);
    let g = |n: u32| format!("7d4f5062-0004-4e5f-9061-{n:012}");
    // Codes, a folded polarity code as the value under its code, and codings, each under
    // the GUID the tool gave it.
    for want in [
        format!(
            r#"<Code guid="{}" name="Organisering" isCodable="true">"#,
            g(11)
        ),
        format!(
            r#"<Code guid="{}" name="Fagspråk" isCodable="true"/>"#,
            g(23)
        ),
        format!(
            r##"<Code guid="{}" name="barrier" isCodable="true" color="#C0392B"/>"##,
            g(14)
        ),
        format!(
            r##"<Code guid="{}" name="Møteplass" isCodable="true" color="#D95F02">"##,
            g(16)
        ),
        format!(r#"<Coding guid="{}""#, g(506)),
        format!(r#"<CodeRef targetGUID="{}"/>"#, g(17)),
    ] {
        assert!(qde.contains(&want), "{want} in {qde}");
    }
    // Nesting: Fagspråk three levels down in Project/CodeBook/Codes.
    let line = qde.lines().find(|l| l.contains(&g(23))).unwrap();
    assert!(line.starts_with(&format!("{}<", " ".repeat(10))), "{line}");
}

#[test]
fn a_project_with_no_codes_lands_on_a_mapping_framework_as_an_empty_study() {
    let project = read("empty");
    assert!(project.codes.is_empty());
    let mut o = opts("tom");
    o.mapping = Some((
        Mapping::from_toml("framework = \"bentzen-2018\"\n").unwrap(),
        Framework::builtin("bentzen-2018").unwrap(),
    ));
    let out = import_project(&project, &o).unwrap();
    assert!(out.study.codings().is_empty());
    assert_eq!(out.study.transcripts().len(), 1);
    assert_eq!(
        out.study.transcripts()[0].text(),
        "Vi har ikke kodet noe ennå.\nDette er bare teksten.\n"
    );
}

/// A framework with two qualifiers, one required everywhere and one on a branch, and a
/// mapping of `hand/` onto it that gives a coding values of both.
fn two_qualifiers() -> Option<(Mapping, Framework)> {
    let framework = Framework::from_toml(
        r#"
[framework]
id = "two-qualifiers"
label = { en = "Two qualifiers" }

[[qualifier]]
id = "polarity"
required = true
[[qualifier.value]]
id = "barrier"
[[qualifier.value]]
id = "opportunity"

[[qualifier]]
id = "level"
codes = ["organisation"]
[[qualifier.value]]
id = "group"
[[qualifier.value]]
id = "municipality"

[[code]]
id = "organisation"
label = { en = "Organisation" }
[[code.code]]
id = "leadership"
[[code]]
id = "time"
"#,
    )
    .unwrap();
    let mapping = Mapping::from_toml(
        r#"framework = "two-qualifiers"
[[code]]
path = "Struktur"
to = "organisation"
qualifiers = { level = "group" }
[[code]]
path = "Tid"
to = "time"
polarity = "barrier"
[[code]]
path = "Barrierer"
to = "time"
[[code]]
path = "Ledelse"
to = "organisation/leadership"
qualifiers = { polarity = "barrier", level = "municipality" }
"#,
    )
    .unwrap();
    Some((mapping, framework))
}

#[test]
fn values_of_two_qualifiers_go_out_as_one_code_and_come_back() {
    let mut o = opts("two");
    o.mapping = two_qualifiers();
    let first = import_project(&read("hand"), &o).unwrap();
    let texts = coded_texts(&first.study);
    assert_eq!(texts.len(), 6, "{texts:?}");
    assert!(texts
        .iter()
        .any(|t| t.2 == "organisation/leadership" && t.3 == "level=municipality;polarity=barrier"));
    let (qde, bytes) = export(&first);
    assert!(qde.contains(r#"name="municipality, barrier""#), "{qde}");
    let back = read_qdpx(Cursor::new(&bytes), Limits::default()).unwrap();
    let candidates = vec![(first.study.framework().clone(), first.guids.clone())];
    let (found, note) = recognise(&back, &candidates);
    let found = found.unwrap_or_else(|| panic!("not recognised: {note:?}"));
    let mut o = opts("two");
    o.mapping = Some((found.mapping, found.framework));
    let again = import_project(&back, &o).unwrap();
    assert_eq!(coded_texts(&again.study), texts);
    assert_eq!(export(&again).0, qde);
}

#[test]
fn a_project_with_no_codes_imports_as_an_empty_study() {
    let out = import_project(&read("empty"), &opts("tom")).unwrap();
    assert!(out.study.framework().codes().is_empty());
    assert!(out.study.framework().qualifiers().is_empty());
    assert!(out.study.codings().is_empty());
    assert_eq!(out.study.transcripts().len(), 1);
    let (qde, _) = export(&out);
    assert!(!qde.contains("<CodeBook>"), "{qde}");
    validates(&qde, "Project-mrt2019.xsd");
}

fn mapping_onto_bentzen(text: &str) -> Option<(Mapping, Framework)> {
    Some((
        Mapping::from_toml(text).unwrap(),
        Framework::builtin("bentzen-2018").unwrap(),
    ))
}

#[test]
fn a_mapping_that_leaves_coded_codes_out_stops_the_import_and_names_them() {
    let mut o = opts("hand");
    o.mapping = mapping_onto_bentzen(
        r#"framework = "bentzen-2018"
[[code]]
path = "Struktur"
to = "structure/infrastructure"
[[code]]
path = "Tid"
to = "resources/time-people-money"
polarity = "barrier"
[[code]]
path = "Barrierer"
to = "resources/time-people-money"
"#,
    );
    let e = import_project(&read("hand"), &o).unwrap_err();
    assert!(matches!(e, RefiError::Unmapped { count: 1, .. }), "{e}");
    assert!(e.to_string().contains("`Ledelse` (1)"), "{e}");
}

#[test]
fn a_required_qualifier_without_a_value_stops_the_import_until_one_is_given() {
    let text = r#"framework = "bentzen-2018"
[[code]]
path = "Struktur"
to = "structure/infrastructure"
[[code]]
path = "Tid"
to = "resources/time-people-money"
[[code]]
path = "Barrierer"
to = "resources/time-people-money"
[[code]]
path = "Ledelse"
to = "culture/own-organisation-anchoring"
"#;
    let mut o = opts("hand");
    o.mapping = mapping_onto_bentzen(text);
    let e = import_project(&read("hand"), &o).unwrap_err();
    let RefiError::QualifierMissing {
        count,
        ref qualifier,
        ..
    } = e
    else {
        panic!("{e}")
    };
    assert_eq!((count, qualifier.as_str()), (2, "polarity"));
    let msg = e.to_string();
    assert!(msg.contains("`Ledelse` (1), `Tid` (1)"), "{msg}");
    assert!(msg.contains("barrier|opportunity"), "{msg}");
    // A default (as `--default-polarity` gives) fills in what names and rules leave out.
    o.default_qualifiers = "polarity=opportunity".parse().unwrap();
    let out = import_project(&read("hand"), &o).unwrap();
    assert_eq!(out.study.codings().len(), 6);
    assert_eq!(out.report.qualifiers.from_default, 2);
    assert_eq!(out.report.qualifiers.from_code_names, 4);
    // As does the mapping's own default.
    let mut o = opts("hand");
    o.mapping = mapping_onto_bentzen(&format!("default_polarity = \"barrier\"\n{text}"));
    assert_eq!(
        import_project(&read("hand"), &o)
            .unwrap()
            .study
            .codings()
            .len(),
        6
    );
}

#[test]
fn the_fixture_mapping_places_every_coding_of_the_hand_made_project() {
    let text = std::fs::read_to_string(fixture("mapping-bentzen.toml")).unwrap();
    let mut o = opts("hand");
    o.mapping = mapping_onto_bentzen(&text);
    let out = import_project(&read("hand"), &o).unwrap();
    assert_eq!(out.study.codings().len(), 6);
    assert_eq!(out.report.qualifiers.from_mapping, 2);
    assert_eq!(out.report.qualifiers.from_code_names, 4);
    assert_eq!(out.report.qualifiers.unqualified, 0);
    let values: BTreeSet<String> = coded_texts(&out.study)
        .into_iter()
        .map(|t| format!("{} {}", t.2, t.3))
        .collect();
    assert_eq!(
        values.into_iter().collect::<Vec<_>>(),
        [
            "culture/own-organisation-anchoring polarity=barrier",
            "resources/time-people-money polarity=barrier",
            "structure/infrastructure polarity=barrier",
            "structure/infrastructure polarity=opportunity",
        ]
    );
}

#[test]
fn a_default_for_a_value_the_framework_lacks_is_refused() {
    let mut o = opts("tre");
    o.default_qualifiers = "polarity=maybe".parse().unwrap();
    let e = import_project(&read("three-levels"), &o).unwrap_err();
    assert!(
        e.to_string()
            .contains("`maybe` is not a value of qualifier `polarity`"),
        "{e}"
    );
    // One for a qualifier the framework does not declare is unused, and said so.
    let mut o = opts("samarbeid");
    o.default_qualifiers = "polarity=barrier".parse().unwrap();
    let out = import_project(&read("no-polarity"), &o).unwrap();
    assert!(out.study.codings().iter().all(|c| c.qualifiers.is_empty()));
    assert!(
        out.report
            .notes
            .iter()
            .any(|n| n.contains("default value of qualifier `polarity` was not used")),
        "{:?}",
        out.report.notes
    );
}

/// Validates `xml` against one of the official schemas with xmllint. Without xmllint the
/// check fails under CI (`CI` set) and is skipped, with a message, elsewhere.
fn validates(xml: &str, schema: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file.xml");
    std::fs::write(&file, xml).unwrap();
    match Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(fixture("schema").join(schema))
        .arg(&file)
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "does not validate against {schema}:\n{}\n{xml}",
                String::from_utf8_lossy(&out.stderr)
            );
            true
        }
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "xmllint is needed in CI to validate exports ({e}); install libxml2-utils"
            );
            eprintln!(
                "SKIPPED: xmllint not found ({e}); install libxml2-utils to validate exports"
            );
            false
        }
    }
}

#[test]
fn every_export_validates_against_the_official_schemas() {
    let mut studies = Vec::new();
    for name in ["no-polarity", "three-levels", "inner-codes", "hand"] {
        studies.push(import_project(&read(name), &opts("v")).unwrap());
    }
    // A study on a framework with a required qualifier, and one with values of two
    // qualifiers in one coding.
    let mut o = opts("v");
    o.mapping =
        mapping_onto_bentzen(&std::fs::read_to_string(fixture("mapping-bentzen.toml")).unwrap());
    studies.push(import_project(&read("hand"), &o).unwrap());
    o.mapping = two_qualifiers();
    studies.push(import_project(&read("hand"), &o).unwrap());
    for imported in &studies {
        let (qde, _) = export(imported);
        if !validates(&qde, "Project-mrt2019.xsd") {
            return;
        }
        let qdc = codebook_xml(imported.study.framework(), &imported.guids);
        validates(&qdc, "Codebook.xsd");
    }
}
