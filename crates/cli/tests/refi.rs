//! End-to-end tests of `samskap refi`: the hand-made REFI-QDA files in `fixtures/refi/`, the
//! position conventions of each tool, mappings, round trips, validation of every export
//! against the official schemas (xmllint), and crafted hostile files that must be refused
//! with nothing written to the store.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use samskap_store::Store;

mod common;

use common::{copy_dir, fixtures, write_zip, zip_dir, Env};

fn refi(rel: &str) -> PathBuf {
    fixtures().join("refi").join(rel)
}

/// Every entry of a zip, by name.
fn unzip(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let mut b = Vec::new();
        e.read_to_end(&mut b).unwrap();
        out.insert(e.name().to_owned(), b);
    }
    out
}

fn hand(env: &Env) -> PathBuf {
    let p = env.path("hand.qdpx");
    zip_dir(&refi("hand"), &p);
    p
}

/// Imports `fixtures/refi/hand` as study `hand`, as it is: no mapping, no default values.
fn import_hand(env: &Env) -> serde_json::Value {
    let file = hand(env);
    env.json(&["refi", "import", s(&file), "--id", "hand"])
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Quote texts of the study, in order.
fn quotes(env: &Env, study: &str) -> Vec<String> {
    let v = env.json(&["--study", study, "quotes"]);
    v.as_array()
        .unwrap()
        .iter()
        .map(|q| q["text"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_hand_made_project_imports_with_everything_accounted_for() {
    let env = Env::new();
    let report = import_hand(&env);
    insta::assert_json_snapshot!("refi_import_hand", report);
    assert_eq!(
        quotes(&env, "hand"),
        [
            "Vi mangler en fast møteplass på tvers av etatene.",
            "Vi mangler en fast møteplass på tvers av etatene.",
            "Ressursgruppa ga oss en ny måte å jobbe på.",
            "Det tar for lang tid å få svar 🙂 fra NAV.",
            "Økonomien er stram",
            "Men ledelsen var ikke med.",
        ]
    );
    let informants = env.json(&["--study", "hand", "informants"]);
    insta::assert_json_snapshot!("refi_import_hand_informants", informants);
}

#[test]
fn codings_without_a_polarity_are_kept_unqualified_and_the_report_says_so() {
    let env = Env::new();
    let file = hand(&env);
    let out = env.ok(&["refi", "import", s(&file)]);
    assert!(out.contains("2 codings carry no qualifier value"), "{out}");
    assert!(out.contains("study `handlaget-prosjekt`"), "{out}");
    let v = env.json(&["--study", "handlaget-prosjekt", "quotes"]);
    let unqualified: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["qualifiers"].as_object().unwrap().is_empty())
        .map(|q| q["code"].as_str().unwrap())
        .collect();
    assert_eq!(unqualified, ["tid", "ledelse"]);
    assert_eq!(v.as_array().unwrap().len(), 6);
}

/// The same text, with CRLF line ends, Norwegian letters and an emoji, coded in the same
/// places by three tools that count positions differently.
#[test]
fn positions_follow_each_tools_counting() {
    for kind in ["standard", "nvivo", "atlas"] {
        let env = Env::new();
        let file = env.path("p.qdpx");
        zip_dir(&refi(&format!("positions-{kind}")), &file);
        let out = env.ok(&["refi", "import", s(&file), "--id", "p"]);
        let counting = match kind {
            "nvivo" => "utf16",
            "atlas" => "crlf-as-one",
            _ => "code-points",
        };
        assert!(
            out.contains(&format!("counted as {counting}")),
            "{kind}: {out}"
        );
        assert_eq!(quotes(&env, "p"), ["🙂", "går det bra", "Slutt"], "{kind}");
    }
    // Read as the wrong tool, ATLAS.ti's positions land one character early (one CRLF
    // before them): the override is honoured and the text shows it.
    let env = Env::new();
    let file = env.path("p.qdpx");
    zip_dir(&refi("positions-atlas"), &file);
    env.ok(&[
        "refi",
        "import",
        s(&file),
        "--id",
        "p",
        "--positions",
        "code-points",
    ]);
    assert_eq!(quotes(&env, "p")[1], " går det br");
    // NVivo's, read as code points, reach past the end of the text: refused, not clipped.
    let env = Env::new();
    zip_dir(&refi("positions-nvivo"), &file);
    let e = env.fails(&[
        "refi",
        "import",
        s(&file),
        "--id",
        "p",
        "--positions",
        "code-points",
    ]);
    assert!(e.contains("past the end of the text (45 positions"), "{e}");
}

#[test]
fn importing_again_needs_replace_and_replaces_whole() {
    let env = Env::new();
    let file = hand(&env);
    let args = ["refi", "import", s(&file), "--id", "hand"];
    env.ok(&args);
    let e = env.fails(&args);
    assert!(e.contains("--replace"), "{e}");
    let before = store_content(&env.db(), "hand");
    let out = env.ok(&[&args[..], &["--replace"]].concat());
    assert!(out.starts_with("replaced study `hand`"), "{out}");
    assert_eq!(store_content(&env.db(), "hand"), before, "the same, once");
    assert_eq!(quotes(&env, "hand").len(), 6);
    // --default-polarity fills a value in only where the framework declares polarity for the
    // code: the framework made from this tree declares it for the codes under a polarity
    // name, so `tid` and `ledelse` stay unqualified. Every coding was kept without it.
    let opportunities = |env: &Env| {
        let v = env.json(&["--study", "hand", "quotes", "--polarity", "opportunity"]);
        v.as_array().unwrap().len()
    };
    assert_eq!(opportunities(&env), 1);
    env.ok(&[
        &args[..],
        &["--replace", "--default-polarity", "opportunity"],
    ]
    .concat());
    assert_eq!(quotes(&env, "hand").len(), 6);
    assert_eq!(opportunities(&env), 1);
}

#[test]
fn a_mapping_lands_the_codes_on_an_existing_framework() {
    let env = Env::new();
    let file = hand(&env);
    let report = env.json(&[
        "refi",
        "import",
        s(&file),
        "--id",
        "hand",
        "--mapping",
        s(&refi("mapping-bentzen.toml")),
    ]);
    assert_eq!(report["report"]["framework"], "bentzen-2018");
    assert_eq!(report["report"]["framework_from"], "mapping");
    let v = env.json(&["quotes"]);
    let codes: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            format!(
                "{} {}",
                q["code"].as_str().unwrap(),
                q["qualifiers"]["polarity"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            "culture/own-organisation-anchoring barrier",
            "structure/infrastructure barrier",
            "structure/infrastructure barrier",
            "structure/infrastructure opportunity",
            "resources/time-people-money barrier",
            "resources/time-people-money barrier",
        ]
    );
    // A mapping to a code the framework lacks is refused before anything is written.
    let bad = env.path("bad.toml");
    std::fs::write(
        &bad,
        "framework = \"bentzen-2018\"\n[[code]]\npath = \"Tid\"\nto = \"resources/nope\"\n",
    )
    .unwrap();
    let e = env.fails(&[
        "refi",
        "import",
        s(&file),
        "--id",
        "h2",
        "--mapping",
        s(&bad),
    ]);
    assert!(e.contains("resources/nope"), "{e}");
    // A mapping that leaves a code in use uncovered stops the import instead of dropping
    // its codings.
    let partial = env.path("partial.toml");
    let full = std::fs::read_to_string(refi("mapping-bentzen.toml")).unwrap();
    std::fs::write(
        &partial,
        &full[..full.find("[[code]]\npath = \"Ledelse\"").unwrap()],
    )
    .unwrap();
    let e = env.fails(&[
        "refi",
        "import",
        s(&file),
        "--id",
        "h3",
        "--mapping",
        s(&partial),
    ]);
    assert!(
        e.contains("`Ledelse` (1)") && e.contains("nothing was written"),
        "{e}"
    );
    // Bentzen requires a polarity: a rule that gives none stops the import, and
    // --default-polarity is the shortcut that fills it in.
    let unvalued = env.path("unvalued.toml");
    std::fs::write(
        &unvalued,
        full.replace("qualifiers = { polarity = \"barrier\" }\n", ""),
    )
    .unwrap();
    let args = [
        "refi",
        "import",
        s(&file),
        "--id",
        "h4",
        "--mapping",
        s(&unvalued),
    ];
    let e = env.fails(&args);
    assert!(
        e.contains("requires qualifier `polarity`") && e.contains("Ledelse"),
        "{e}"
    );
    env.ok(&[&args[..], &["--default-polarity", "opportunity"]].concat());
    let v = env.json(&[
        "--study",
        "h4",
        "quotes",
        "--code",
        "culture/own-organisation-anchoring",
    ]);
    assert_eq!(v[0]["qualifiers"]["polarity"], "opportunity");
    assert_eq!(Store::open(&env.db()).unwrap().studies().unwrap().len(), 2);
}

#[test]
fn a_codebook_becomes_a_framework() {
    let env = Env::new();
    let v = env.json(&["refi", "import", s(&refi("codebook.qdc"))]);
    assert_eq!(v["framework"], "codebook");
    assert_eq!(v["skipped"]["set (Set)"], 1);
    let f = env.json(&["framework", "show", "codebook"]);
    // The codebook's codes sit under codes named for a polarity: they become plain codes
    // that take the polarity qualifier, not a category per code as before.
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().or(c["id"].as_str()).unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&f["codes"]), ["tid", "forankring", "nettverk"]);
    assert_eq!(f["qualifiers"][0]["id"], "polarity");
    assert_eq!(ids(&f["qualifiers"][0]["codes"]), ids(&f["codes"]));
    // The same codebook again changes nothing.
    let again = env.json(&["refi", "import", s(&refi("codebook.qdc"))]);
    assert_eq!(again["outcome"], "unchanged");
}

#[test]
fn a_codebook_goes_out_and_comes_back_with_its_guids() {
    let env = Env::new();
    import_hand(&env);
    let qdc = env.path("hand-codebook.qdc");
    env.ok(&["refi", "export", "--codebook", s(&qdc)]);
    let second = Env::new();
    second.ok(&["refi", "import", s(&qdc)]);
    let id = "hand-codebook".parse().unwrap();
    let codes = |db: &Path| {
        let store = Store::open(db).unwrap();
        let f = store
            .frameworks()
            .unwrap()
            .into_iter()
            .find(|f| f.id() == &id)
            .unwrap();
        (
            serde_json::to_value(f.codes()).unwrap(),
            store.refi_framework_guids(&id).unwrap(),
        )
    };
    assert_eq!(codes(&env.db()), codes(&second.db()));
}

/// The store's content for a study: the study as core serialises it, and what interchange
/// keeps beside it.
fn store_content(db: &Path, study: &str) -> (serde_json::Value, String) {
    let store = Store::open(db).unwrap();
    let id = study.parse().unwrap();
    let s = store.load_study(&id).unwrap();
    (
        serde_json::to_value(&s).unwrap(),
        format!("{:?}", store.refi_record(&id).unwrap()),
    )
}

#[test]
fn import_export_import_gives_the_same_store_content() {
    let env = Env::new();
    import_hand(&env);
    let out = env.path("out.qdpx");
    env.ok(&["refi", "export", "--project", s(&out)]);
    let second = Env::new();
    second.ok(&["refi", "import", s(&out), "--id", "hand"]);
    let (a, ra) = store_content(&env.db(), "hand");
    let (b, rb) = store_content(&second.db(), "hand");
    assert_eq!(a, b);
    assert_eq!(ra, rb);
    // The tools' GUIDs were kept and went out again.
    let qde = String::from_utf8(unzip(&out)["project.qde"].clone()).unwrap();
    for g in [
        "4a1c2e3f-0001-4b2c-8d3e-000000000001",
        "4a1c2e3f-0001-4b2c-8d3e-000000000013",
        "4a1c2e3f-0001-4b2c-8d3e-000000000101",
        "4a1c2e3f-0001-4b2c-8d3e-000000000111",
        "4a1c2e3f-0001-4b2c-8d3e-000000000131",
        "4a1c2e3f-0001-4b2c-8d3e-000000000301",
        "4a1c2e3f-0001-4b2c-8d3e-000000000501",
    ] {
        assert!(qde.contains(g), "{g} lost");
    }
}

#[test]
fn export_import_export_gives_the_same_files() {
    let env = Env::new();
    env.ok(&["import", s(&fixtures().join("ung-inkludering-demo"))]);
    let first = env.path("first.qdpx");
    env.ok(&["refi", "export", "--project", s(&first)]);
    let second_env = Env::new();
    second_env.ok(&["refi", "import", s(&first), "--id", "ung-inkludering-demo"]);
    let second = env.path("second.qdpx");
    second_env.ok(&["refi", "export", "--project", s(&second)]);
    assert_eq!(unzip(&first), unzip(&second));
    // The codes were recognised by their GUIDs: the study is back on the framework it left,
    // with every coding as it was.
    let report = second_env.json(&["refi", "import", s(&first), "--id", "again"]);
    assert_eq!(report["report"]["framework"], "bentzen-2018");
    assert_eq!(report["report"]["framework_from"], "codes' GUIDs");
    let codings = |env: &Env, study: &str| -> Vec<String> {
        let v = env.json(&["--study", study, "quotes"]);
        v.as_array()
            .unwrap()
            .iter()
            .map(|q| {
                format!(
                    "{} {} {} {} {} {}",
                    q["source"], q["informants"], q["code"], q["qualifiers"], q["coder"], q["text"]
                )
            })
            .collect()
    };
    assert_eq!(
        codings(&env, "ung-inkludering-demo"),
        codings(&second_env, "again")
    );
    // Exporting twice gives the same bytes: no clock, no random GUIDs.
    let again = env.path("again.qdpx");
    env.ok(&["refi", "export", "--project", s(&again)]);
    assert_eq!(
        std::fs::read(&first).unwrap(),
        std::fs::read(&again).unwrap()
    );
    // An existing file is not overwritten without --force.
    let e = env.fails(&["refi", "export", "--project", s(&first)]);
    assert!(e.contains("--force"), "{e}");
}

/// Validates `file` against one of the official schemas with xmllint. Without xmllint the
/// check fails under CI (`CI` set) and is skipped, with a message, elsewhere.
fn xmllint(file: &Path, schema: &str) -> bool {
    let xsd = refi("schema").join(schema);
    match Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(&xsd)
        .arg(file)
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{} does not validate against {schema}:\n{}",
                file.display(),
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
    let env = Env::new();
    env.ok(&["import", s(&fixtures().join("ung-inkludering-demo"))]);
    let project = env.path("thesis.qdpx");
    let codebook = env.path("thesis.qdc");
    env.ok(&["refi", "export", "--project", s(&project)]);
    env.ok(&["refi", "export", "--codebook", s(&codebook)]);
    import_hand(&env);
    let hand_out = env.path("hand-out.qdpx");
    env.ok(&[
        "--study",
        "hand",
        "refi",
        "export",
        "--project",
        s(&hand_out),
    ]);
    let mut checked = 0;
    for qdpx in [&project, &hand_out] {
        let qde = env.path("project.qde");
        std::fs::write(&qde, &unzip(qdpx)["project.qde"]).unwrap();
        checked += usize::from(xmllint(&qde, "Project-mrt2019.xsd"));
    }
    checked += usize::from(xmllint(&codebook, "Codebook.xsd"));
    // The hand-made fixtures are valid too, so the tests read what the standard allows.
    checked += usize::from(xmllint(&refi("hand/project.qde"), "Project-mrt2019.xsd"));
    checked += usize::from(xmllint(&refi("codebook.qdc"), "Codebook.xsd"));
    for kind in ["standard", "nvivo", "atlas"] {
        let qde = refi(&format!("positions-{kind}/project.qde"));
        checked += usize::from(xmllint(&qde, "Project-mrt2019.xsd"));
    }
    assert!(checked == 0 || checked == 8);
    // The thesis goes out whole: every transcript, selection and coding.
    let out = env.json(&[
        "--study",
        "ung-inkludering-demo",
        "refi",
        "export",
        "--project",
        s(&project),
        "--force",
    ]);
    assert_eq!(out["report"]["sources"], 6);
    assert_eq!(out["report"]["codings"], 110);
}

#[test]
fn a_note_on_a_selection_with_two_codings_goes_out_under_two_guids() {
    let qde = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="x">
  <CodeBook><Codes>
    <Code guid="{}" name="Tid" isCodable="true"><Code guid="{}" name="barriere" isCodable="true"/></Code>
    <Code guid="{}" name="Rom" isCodable="true"><Code guid="{}" name="mulighet" isCodable="true"/></Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="{}" name="a" plainTextPath="internal://a.txt">
      <PlainTextSelection guid="{}" startPosition="0" endPosition="3">
        <Coding guid="{}"><CodeRef targetGUID="{}"/></Coding>
        <Coding guid="{}"><CodeRef targetGUID="{}"/></Coding>
        <NoteRef targetGUID="{}"/>
      </PlainTextSelection>
    </TextSource>
  </Sources>
  <Notes><Note guid="{}" name="n"><PlainTextContent>Begge deler.</PlainTextContent></Note></Notes>
</Project>"#,
        g(1),
        g(2),
        g(3),
        g(4),
        g(5),
        g(6),
        g(7),
        g(2),
        g(8),
        g(4),
        g(9),
        g(9)
    );
    let env = Env::new();
    let file = env.path("n.qdpx");
    write_zip(
        &file,
        &with(valid_entries(), "project.qde", qde.into_bytes()),
    );
    env.ok(&["refi", "import", s(&file), "--id", "n"]);
    let out = env.path("out.qdpx");
    env.ok(&["refi", "export", "--project", s(&out)]);
    let text = String::from_utf8(unzip(&out)["project.qde"].clone()).unwrap();
    assert_eq!(
        text.matches("Begge deler.").count(),
        2,
        "one note per coding"
    );
    assert_eq!(text.matches(&format!("<Note guid=\"{}\"", g(9))).count(), 1);
    let qde = env.path("project.qde");
    std::fs::write(&qde, text).unwrap();
    xmllint(&qde, "Project-mrt2019.xsd");
    let second = Env::new();
    second.ok(&["refi", "import", s(&out), "--id", "n"]);
    assert_eq!(
        store_content(&env.db(), "n"),
        store_content(&second.db(), "n")
    );
}

/// What real exports do against the standard, all in one file: a `.qde` named after the
/// project, a prefixed and misspelt namespace, braced upper-case GUIDs, a colour as `R,G,B`,
/// a path without `internal://`, `Sources/` with a capital S, an empty `.root` entry and an
/// empty `<Sets/>`.
#[test]
fn real_world_deviations_are_read() {
    let up = |n: u32| format!("{{{}}}", g(n).to_uppercase());
    let qde = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<qda:Project xmlns:qda="urn:QDA-XML:project:1:0" name="Mitt prosjekt" origin="Taguette 1.4">
  <qda:CodeBook><qda:Codes>
    <qda:Code guid="{}" name="Mulighet" isCodable="true" color="255,0,0"/>
  </qda:Codes></qda:CodeBook>
  <qda:Sources>
    <qda:TextSource guid="{}" name="a" plainTextPath="A.TXT">
      <qda:PlainTextSelection guid="{}" startPosition="4" endPosition="6">
        <qda:Coding guid="{}"><qda:CodeRef targetGUID="{}"/></qda:Coding>
      </qda:PlainTextSelection>
    </qda:TextSource>
  </qda:Sources>
  <qda:Sets/>
</qda:Project>"#,
        up(1),
        up(2),
        up(3),
        up(4),
        g(1)
    );
    let env = Env::new();
    let file = env.path("l.qdpx");
    write_zip(
        &file,
        &[
            (".root".into(), Vec::new()),
            ("Mitt prosjekt.qde".into(), qde.into_bytes()),
            ("Sources/A.TXT".into(), "Hei på deg 🙂".as_bytes().to_vec()),
        ],
    );
    let v = env.json(&["refi", "import", s(&file)]);
    assert_eq!(v["study"], "mitt-prosjekt");
    assert_eq!(v["codings"], 1);
    assert_eq!(quotes(&env, "mitt-prosjekt"), ["på"]);
    let out = env.path("out.qdpx");
    env.ok(&["refi", "export", "--project", s(&out)]);
    let text = String::from_utf8(unzip(&out)["project.qde"].clone()).unwrap();
    assert!(
        text.contains(&format!("guid=\"{}\"", g(3))),
        "GUIDs go out normalised"
    );
}

// ---- Hostile files: each refused with a message that names the problem, nothing written.

const GUID: &str = "7d4f5b62-0004-4e5f-9a61-0000000000";

fn g(n: u32) -> String {
    format!("{GUID}{n:02}")
}

/// A small valid project whose one source is `sources/a.txt` (or as given).
fn project(source_path: &str, selection: (u32, u32), extra: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="x">
  <CodeBook><Codes><Code guid="{}" name="barrier" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="{}" name="a" plainTextPath="{source_path}">
      <PlainTextSelection guid="{}" startPosition="{}" endPosition="{}">
        <Coding guid="{}"><CodeRef targetGUID="{}"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>{extra}
</Project>"#,
        g(1),
        g(2),
        g(3),
        selection.0,
        selection.1,
        g(4),
        g(1)
    )
}

fn valid_entries() -> Vec<(String, Vec<u8>)> {
    vec![
        (
            "project.qde".into(),
            project("internal://a.txt", (0, 3), "").into_bytes(),
        ),
        ("sources/a.txt".into(), "Hei på deg 🙂".as_bytes().to_vec()),
    ]
}

/// Imports crafted entries into a store that holds the mini study and expects a refusal
/// that mentions `expect`, with the store unchanged.
fn refused(entries: &[(String, Vec<u8>)], expect: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.qdpx");
    write_zip(&file, entries);
    refused_file(&std::fs::read(&file).unwrap(), expect);
}

/// [`refused`] for a file given as bytes (a zip that the zip writer would not write).
fn refused_file(bytes: &[u8], expect: &str) {
    let env = Env::new();
    env.ok(&["import", s(&fixtures().join("mini"))]);
    let before = store_content(&env.db(), "mini");
    let file = env.path("bad.qdpx");
    std::fs::write(&file, bytes).unwrap();
    let e = env.fails(&["refi", "import", s(&file), "--id", "bad"]);
    assert!(e.contains(expect), "expected `{expect}` in: {e}");
    assert!(e.contains("nothing was written"), "{e}");
    let store = Store::open(&env.db()).unwrap();
    let ids: Vec<String> = store
        .studies()
        .unwrap()
        .iter()
        .map(|s| s.id.to_string())
        .collect();
    assert_eq!(ids, ["mini"]);
    assert_eq!(store_content(&env.db(), "mini"), before);
}

fn with(entries: Vec<(String, Vec<u8>)>, name: &str, bytes: Vec<u8>) -> Vec<(String, Vec<u8>)> {
    let mut e: Vec<_> = entries.into_iter().filter(|(n, _)| n != name).collect();
    e.push((name.to_owned(), bytes));
    e
}

#[test]
fn the_crafting_base_is_valid() {
    let env = Env::new();
    let file = env.path("ok.qdpx");
    write_zip(&file, &valid_entries());
    env.ok(&["refi", "import", s(&file), "--id", "ok"]);
    assert_eq!(quotes(&env, "ok"), ["Hei"]);
}

#[test]
fn entries_that_escape_the_archive_are_refused() {
    for name in [
        "../evil.txt",
        "sources/../../evil.txt",
        "/etc/evil",
        "C:/evil.txt",
        "sources\\..\\evil.txt",
    ] {
        let entries = with(valid_entries(), name, b"x".to_vec());
        refused(&entries, "unsafe path");
    }
}

#[test]
fn entries_whose_names_differ_only_in_case_are_refused() {
    let entries = with(valid_entries(), "Sources/A.TXT", b"Annen tekst".to_vec());
    refused(
        &entries,
        "`sources/a.txt` and `Sources/A.TXT` differ only in case",
    );
}

/// Two entries of one name: tools read the first, a zip reader that keeps one entry per
/// name reads the second. The zip writer will not write a name twice, so the second is
/// written under a stand-in name of the same length and renamed in the bytes.
#[test]
fn entries_of_the_same_name_are_refused() {
    let env = Env::new();
    let file = env.path("twice.qdpx");
    let mut entries = valid_entries();
    entries.push(("sources/X.txt".into(), "Hei".as_bytes().to_vec()));
    write_zip(&file, &entries);
    let mut bytes = std::fs::read(&file).unwrap();
    let mut at = 0;
    while let Some(i) = bytes[at..].windows(13).position(|w| w == b"sources/X.txt") {
        bytes[at + i..at + i + 13].copy_from_slice(b"sources/a.txt");
        at += i + 13;
    }
    refused_file(&bytes, "archive entry `sources/a.txt` appears twice");
}

#[test]
fn symbolic_link_entries_are_refused() {
    let env = Env::new();
    let file = env.path("link.qdpx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&file).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    let (_, project) = &valid_entries()[0];
    zip.start_file("project.qde", options).unwrap();
    zip.write_all(project).unwrap();
    zip.add_symlink("sources/a.txt", "/etc/passwd", options)
        .unwrap();
    zip.finish().unwrap();
    refused_file(
        &std::fs::read(&file).unwrap(),
        "archive entry `sources/a.txt` is a symbolic link",
    );
}

#[test]
fn source_paths_that_leave_the_sources_folder_are_refused() {
    let entries = with(
        valid_entries(),
        "project.qde",
        project("internal://../a.txt", (0, 3), "").into_bytes(),
    );
    refused(&entries, "is not a plain file name");
}

#[test]
fn zip_bombs_are_refused_while_unpacking() {
    // 64 MiB of zeros packs into some 64 KiB: a ratio of about 1000.
    let entries = with(valid_entries(), "sources/a.txt", vec![b'a'; 64 << 20]);
    refused(&entries, "possible zip bomb");
    let mut many = valid_entries();
    for i in 0..10_001 {
        many.push((format!("sources/f{i}.txt"), Vec::new()));
    }
    refused(&many, "more than the limit of 10000");
}

#[test]
fn doctype_and_entities_are_refused() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol1;"/>"#;
    let entries = with(valid_entries(), "project.qde", laughs.as_bytes().to_vec());
    refused(&entries, "<!DOCTYPE>");
    let xxe = r#"<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&xxe;"/>"#;
    refused(
        &with(valid_entries(), "project.qde", xxe.as_bytes().to_vec()),
        "<!DOCTYPE>",
    );
    let undeclared = project(
        "internal://a.txt",
        (0, 3),
        "<Description>&xxe;</Description>",
    );
    refused(
        &with(valid_entries(), "project.qde", undeclared.into_bytes()),
        "unknown entity",
    );
}

#[test]
fn a_codebook_with_a_doctype_is_refused() {
    let env = Env::new();
    let qdc = env.path("bad.qdc");
    std::fs::write(
        &qdc,
        r#"<?xml version="1.0"?>
<!DOCTYPE c [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="00000000-0000-4000-8000-000000000001" name="&xxe;" isCodable="true"/></Codes></CodeBook>"#,
    )
    .unwrap();
    let e = env.fails(&["refi", "import", s(&qdc)]);
    assert!(
        e.contains("<!DOCTYPE>") && e.contains("nothing was written"),
        "{e}"
    );
    assert!(!env.db().exists(), "the store was not even created");
}

#[test]
fn missing_and_mismatched_sources_are_refused() {
    let missing: Vec<_> = valid_entries()
        .into_iter()
        .filter(|(n, _)| n != "sources/a.txt")
        .collect();
    refused(&missing, "not in the archive");
    let latin1 = with(valid_entries(), "sources/a.txt", b"Hei p\xe5 deg".to_vec());
    refused(&latin1, "not valid UTF-8");
}

#[test]
fn selections_outside_their_source_are_refused() {
    for (sel, expect) in [
        ((0, 99), "past the end"),
        ((5, 5), "is not before"),
        ((9, 3), "is not before"),
    ] {
        let entries = with(
            valid_entries(),
            "project.qde",
            project("internal://a.txt", sel, "").into_bytes(),
        );
        refused(&entries, expect);
    }
}

#[test]
fn a_position_inside_an_emoji_is_refused_and_the_selection_named() {
    // "Hei på deg 🙂": in NVivo's UTF-16 the emoji is positions 11 and 12.
    let qde = project("internal://a.txt", (0, 12), "")
        .replace(r#"name="x">"#, r#"name="x" origin="NVivo 14">"#);
    let entries = with(valid_entries(), "project.qde", qde.into_bytes());
    refused(&entries, "falls inside a character");
    refused(&entries, &g(3));
}

#[test]
fn duplicate_guids_and_dangling_references_are_refused() {
    let dup = project("internal://a.txt", (0, 3), "").replace(&g(4), &g(3));
    refused(
        &with(valid_entries(), "project.qde", dup.into_bytes()),
        "is used by both",
    );
    let braced = project("internal://a.txt", (0, 3), "").replace(
        &format!("guid=\"{}\" startPosition", g(3)),
        &format!("guid=\"{{{}}}\" startPosition", g(2).to_uppercase()),
    );
    refused(
        &with(valid_entries(), "project.qde", braced.into_bytes()),
        "is used by both",
    );
    let dangling = project("internal://a.txt", (0, 3), "").replace(
        &format!("<CodeRef targetGUID=\"{}\"", g(1)),
        &format!("<CodeRef targetGUID=\"{}\"", g(9)),
    );
    refused(
        &with(valid_entries(), "project.qde", dangling.into_bytes()),
        "which the file does not define",
    );
}

/// NVivo writes a note's text as rich text only (`richTextPath`, no `plainTextPath`): the
/// note is skipped, and a selection, coding or code that points at it imports without it.
#[test]
fn a_note_with_rich_text_only_is_skipped_where_it_is_referenced() {
    let note_ref = format!("<NoteRef targetGUID=\"{}\"/>", g(9));
    let qde = project(
        "internal://a.txt",
        (0, 3),
        &format!(
            r#"
  <Notes><Note guid="{}" name="memo" richTextPath="internal://{}.docx"/></Notes>"#,
            g(9),
            g(9)
        ),
    )
    .replace(
        r#"isCodable="true"/>"#,
        &format!(r#"isCodable="true">{note_ref}</Code>"#),
    )
    .replace("</Coding>", &format!("{note_ref}</Coding>{note_ref}"));
    let env = Env::new();
    let file = env.path("nvivo.qdpx");
    let entries = with(valid_entries(), "project.qde", qde.into_bytes());
    write_zip(
        &file,
        &with(entries, &format!("sources/{}.docx", g(9)), b"PK".to_vec()),
    );
    let v = env.json(&["refi", "import", s(&file), "--id", "nvivo"]);
    assert_eq!(v["codings"], 1);
    assert_eq!(v["memos"], 0);
    let skipped = &v["report"]["skipped"];
    assert_eq!(
        skipped["note whose text is outside the archive or rich text only"], 1,
        "{skipped}"
    );
    assert_eq!(
        skipped["reference to a note that was skipped (its text is outside the archive or rich text only)"],
        2,
        "once for the coding (its own ref and the selection's), once for the code: {skipped}"
    );
    assert_eq!(quotes(&env, "nvivo"), ["Hei"]);
}

/// A `<Variable>` or `<Note>` outside its container is never read, so a reference to it
/// is refused by name rather than resolved.
#[test]
fn references_to_elements_outside_their_containers_are_refused() {
    let variable = format!(
        r#"<Variable guid="{}" name="alder" typeOfVariable="Integer"/>"#,
        g(10)
    );
    let case = format!(
        r#"
  <Cases><Case guid="{}" name="I1"><VariableValue><VariableRef targetGUID="{}"/><IntegerValue>40</IntegerValue></VariableValue><SourceRef targetGUID="{}"/></Case></Cases>"#,
        g(11),
        g(10),
        g(2)
    );
    // Placed in <Notes> instead of <Variables>.
    let qde = project(
        "internal://a.txt",
        (0, 3),
        &format!("{case}\n  <Notes>{variable}</Notes>"),
    );
    refused(
        &with(valid_entries(), "project.qde", qde.into_bytes()),
        "a <Variable> that stands outside <Project/Variables>",
    );
    // A note inside a source, referenced by a coding.
    let note = format!(
        r#"<Note guid="{}"><PlainTextContent>n</PlainTextContent></Note>"#,
        g(12)
    );
    let qde = project("internal://a.txt", (0, 3), "").replace(
        "</Coding>",
        &format!("<NoteRef targetGUID=\"{}\"/></Coding>{note}", g(12)),
    );
    refused(
        &with(valid_entries(), "project.qde", qde.into_bytes()),
        "a <Note> that stands outside <Project/Notes>",
    );
}

/// Values a variable's type does not allow are kept as Text and the report says so, so the
/// export made from the import validates; a memo with a control character (which an import
/// refuses, but other ways in may carry) goes out without it.
#[test]
fn exports_stay_valid_whatever_the_values_and_texts() {
    let var = |n: u32, name: &str, kind: &str| {
        format!(
            r#"<Variable guid="{}" name="{name}" typeOfVariable="{kind}"/>"#,
            g(n)
        )
    };
    let value = |n: u32, element: &str| {
        format!(
            r#"<VariableValue><VariableRef targetGUID="{}"/>{element}</VariableValue>"#,
            g(n)
        )
    };
    let extra = format!(
        r#"
  <Variables>{}{}{}{}</Variables>
  <Cases><Case guid="{}" name="I1">{}{}{}{}<SourceRef targetGUID="{}"/></Case></Cases>"#,
        var(10, "vekt", "Float"),
        var(11, "ferdig", "Boolean"),
        var(12, "alder", "Integer"),
        var(13, "født", "Date"),
        g(20),
        value(10, "<FloatValue>1,5</FloatValue>"),
        value(11, "<BooleanValue>True</BooleanValue>"),
        value(12, "<IntegerValue/>"),
        value(13, "<DateValue>1990-05-17</DateValue>"),
        g(2)
    );
    let env = Env::new();
    let file = env.path("v.qdpx");
    write_zip(
        &file,
        &with(
            valid_entries(),
            "project.qde",
            project("internal://a.txt", (0, 3), &extra).into_bytes(),
        ),
    );
    let v = env.json(&["refi", "import", s(&file), "--id", "v"]);
    let notes: Vec<&str> = v["report"]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .filter(|n| n.contains("kept as Text"))
        .collect();
    assert_eq!(notes.len(), 3, "{notes:?}");
    for (name, kind, value) in [
        ("vekt", "Float", "1,5"),
        ("ferdig", "Boolean", "True"),
        ("alder", "Integer", ""),
    ] {
        let want = format!("`{name}` is declared {kind}, but has the value `{value}`");
        assert!(notes.iter().any(|n| n.contains(&want)), "{want}: {notes:?}");
    }
    env.ok(&[
        "memo",
        "add",
        "--author",
        "refi",
        "--text",
        "Ark\u{b}side\u{1}",
    ]);
    let out = env.path("out.qdpx");
    let report = env.json(&["refi", "export", "--project", s(&out)]);
    let dropped =
        "character XML 1.0 does not allow (a control character), left out of a name, note or value";
    assert_eq!(report["report"]["not_written"][dropped], 2, "{report}");
    let text = String::from_utf8(unzip(&out)["project.qde"].clone()).unwrap();
    assert!(text.contains("<TextValue>1,5</TextValue>"), "{text}");
    assert!(text.contains("<TextValue>True</TextValue>"), "{text}");
    assert!(text.contains("<DateValue>1990-05-17</DateValue>"), "{text}");
    assert!(
        text.contains("<PlainTextContent>Arkside</PlainTextContent>"),
        "{text}"
    );
    let qde = env.path("project.qde");
    std::fs::write(&qde, &text).unwrap();
    xmllint(&qde, "Project-mrt2019.xsd");
    // What went out comes back as it went: the values as Text, nothing more to say.
    let again = Env::new();
    let v = again.json(&["refi", "import", s(&out), "--id", "v"]);
    assert!(
        !v["report"]["notes"].to_string().contains("kept as Text"),
        "{v}"
    );
}

/// A control character in the XML is refused on import, naming the element.
#[test]
fn characters_xml_forbids_are_refused_with_the_element_named() {
    for (extra, expect) in [
        (
            format!(
                r#"<Notes><Note guid="{}"><PlainTextContent>Ark&#xB;side</PlainTextContent></Note></Notes>"#,
                g(9)
            ),
            format!(
                "the text of <PlainTextContent> in <Note guid=\"{}\"> holds the character U+000B",
                g(9)
            ),
        ),
        (
            format!(
                "<Users><User guid=\"{}\" name=\"Kari\u{1}\"/></Users>",
                g(9)
            ),
            format!(
                "attribute `name` of <User guid=\"{}\"> holds the character U+0001",
                g(9)
            ),
        ),
    ] {
        let qde = project("internal://a.txt", (0, 3), &extra);
        refused(
            &with(valid_entries(), "project.qde", qde.into_bytes()),
            &expect,
        );
    }
}

/// A project refused on import (here: a selection past the end of its text, found only
/// when the study is made) leaves no new store behind.
#[test]
fn a_refused_import_into_a_missing_store_creates_none() {
    let env = Env::new();
    let file = env.path("bad.qdpx");
    write_zip(
        &file,
        &with(
            valid_entries(),
            "project.qde",
            project("internal://a.txt", (0, 99), "").into_bytes(),
        ),
    );
    let e = env.fails(&["refi", "import", s(&file), "--id", "bad"]);
    assert!(e.contains("past the end"), "{e}");
    assert!(
        !env.db().exists(),
        "a refused import created {:?}",
        env.db()
    );
    let mapped = env.fails(&[
        "refi",
        "import",
        s(&file),
        "--mapping",
        s(&refi("mapping-bentzen.toml")),
    ]);
    assert!(mapped.contains("nothing was written"), "{mapped}");
    assert!(!env.db().exists());
    // The same file, valid, creates it.
    write_zip(&file, &valid_entries());
    env.ok(&["refi", "import", s(&file), "--id", "ok"]);
    assert!(env.db().exists());
}

/// An export is written beside its file and renamed into place: one that fails half-way
/// (here: the file size limit of the process) leaves the old file as it was and nothing
/// else, and one that succeeds leaves no temporary file.
#[test]
fn a_failed_export_leaves_no_partial_file() {
    let env = Env::new();
    // A transcript of some 300 KB that does not compress much.
    let mut text = "Hei på deg 🙂 ".to_owned();
    let mut x: u32 = 1;
    for _ in 0..300_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        text.push(b"abcdefghijklmnopqrstuvwxyz .\n"[(x >> 16) as usize % 29] as char);
    }
    let file = env.path("big.qdpx");
    write_zip(
        &file,
        &with(valid_entries(), "sources/a.txt", text.into_bytes()),
    );
    env.ok(&["refi", "import", s(&file), "--id", "big"]);
    let out = env.path("out.qdpx");
    std::fs::write(&out, "the old export").unwrap();
    let run = env.run_with_small_files(&["refi", "export", "--project", s(&out), "--force"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert_eq!(
        stderr.matches("(os error 27)").count(),
        1,
        "said once: {stderr}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "the old export");
    let names = || -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(env.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with("samskap.db"))
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(), ["big.qdpx", "out.qdpx"]);
    env.ok(&["refi", "export", "--project", s(&out), "--force"]);
    assert_eq!(names(), ["big.qdpx", "out.qdpx"]);
    assert!(unzip(&out).contains_key("project.qde"));
}

#[test]
fn a_project_replacing_a_study_keeps_its_facilitation_record_only_when_told() {
    let env = Env::new();
    env.import_thesis();
    let project = env.path("thesis.qdpx");
    env.ok(&["refi", "export", "--project", s(&project)]);
    let args = [
        "refi",
        "import",
        s(&project),
        "--id",
        "ung-inkludering-demo",
    ];
    let before = store_content(&env.db(), "ung-inkludering-demo");
    // A project carries no facilitation record: a plain replace would drop the thesis's.
    let e = env.fails(&[&args[..], &["--replace"]].concat());
    assert!(e.contains("facilitation record"), "{e}");
    assert!(e.contains("--discard-facilitation"), "{e}");
    assert_eq!(store_content(&env.db(), "ung-inkludering-demo"), before);
    // The replaced study's municipalities and groups are kept, and each case's `group`
    // variable puts its informant back in their group: the record about the groups fits.
    env.ok(&[&args[..], &["--replace", "--keep-facilitation"]].concat());
    let (kept, _) = store_content(&env.db(), "ung-inkludering-demo");
    assert_eq!(kept["facilitation"], before.0["facilitation"]);
    assert_eq!(kept["groups"], before.0["groups"]);
    assert_eq!(kept["municipalities"], before.0["municipalities"]);
    let groups = |v: &serde_json::Value| -> Vec<(String, serde_json::Value)> {
        v["informants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["id"].to_string(), i["details"]["group"].clone()))
            .collect()
    };
    assert_eq!(groups(&kept), groups(&before.0));
    assert!(groups(&kept).iter().any(|(_, g)| !g.is_null()));
    // Asked for in so many words, the project replaces the study and drops the record.
    env.ok(&[&args[..], &["--replace", "--discard-facilitation"]].concat());
    let (after, _) = store_content(&env.db(), "ung-inkludering-demo");
    assert_eq!(
        after["facilitation"]["meetings"],
        serde_json::json!([]),
        "{after}"
    );
    assert_ne!(before.0["facilitation"]["meetings"], serde_json::json!([]));
}

/// A case variable the model has no field for is a custom attribute of its type: a number
/// from an Integer, which `--where` selects by, and which goes out again as an Integer.
#[test]
fn case_variables_become_typed_attributes_and_go_out_as_they_came() {
    let env = Env::new();
    import_hand(&env);
    let shown = env.json(&["--study", "hand", "study", "show"]);
    let declared = &shown["attributes"];
    assert_eq!(declared[0]["id"], "alder", "{shown}");
    assert_eq!(declared[0]["type"], "number", "{shown}");
    // 34 is a number: `34.0` selects the same informant.
    let quotes = env.json(&["--study", "hand", "quotes", "--where", "alder=34.0"]);
    let speakers: std::collections::BTreeSet<String> = quotes
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|q| q["informants"].as_array().unwrap().clone())
        .map(|i| i.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(speakers.len(), 1, "{quotes}");
    let out = env.path("out.qdpx");
    env.ok(&["--study", "hand", "refi", "export", "--project", s(&out)]);
    let text = String::from_utf8(unzip(&out)["project.qde"].clone()).unwrap();
    assert!(
        text.contains(r#"name="alder" typeOfVariable="Integer""#),
        "{text}"
    );
    assert!(text.contains("<IntegerValue>34</IntegerValue>"), "{text}");
    assert!(text.contains("<IntegerValue>19</IntegerValue>"), "{text}");
}

/// Each source's attribute values, by the source's text (an import names sources for the
/// informants whose cases claim them, so the text is what tells a source again), as
/// attribute id and value.
fn source_values(db: &Path, study: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let store = Store::open(db).unwrap();
    let s = store.load_study(&study.parse().unwrap()).unwrap();
    s.sources()
        .iter()
        .zip(s.transcripts())
        .map(|(source, t)| {
            let values = source
                .attributes
                .iter()
                .map(|(id, v)| (id.to_string(), v.to_string()))
                .collect();
            (t.text().to_owned(), values)
        })
        .collect()
}

/// The `kilder` fixture declares `phase` for sources: its values go out on the sources'
/// `<TextSource>`s, validate against the schema, and come back on the same texts, an
/// attribute of sources that `--where` selects sources by.
#[test]
fn source_attributes_go_out_and_come_back_on_their_sources() {
    let env = Env::new();
    env.ok(&["import", s(&fixtures().join("sources"))]);
    let out = env.path("kilder.qdpx");
    env.ok(&["refi", "export", "--project", s(&out)]);
    let text = String::from_utf8(unzip(&out)["project.qde"].clone()).unwrap();
    // A one-of goes out as Text, under the attribute's id (its label, `Fase`, does not make
    // it again).
    assert!(
        text.contains(r#"name="phase" typeOfVariable="Text""#),
        "{text}"
    );
    assert_eq!(text.matches("<TextValue>pilot</TextValue>").count(), 2);
    assert_eq!(text.matches("<TextValue>main</TextValue>").count(), 1);
    let qde = env.path("project.qde");
    std::fs::write(&qde, &text).unwrap();
    xmllint(&qde, "Project-mrt2019.xsd");

    let back = Env::new();
    let report = back.json(&["refi", "import", s(&out), "--id", "kilder"]);
    assert_eq!(report["report"]["framework"], "bentzen-2018", "{report}");
    let went = source_values(&env.db(), "kilder");
    let came = source_values(&back.db(), "kilder");
    assert_eq!(came, went);
    assert_eq!(
        went.values().filter(|v| v.contains_key("phase")).count(),
        3,
        "{went:?}"
    );
    let shown = back.json(&["study", "show"]);
    // (`group` names no group the import keeps, so it is an attribute of informants.)
    let phase = shown["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "phase")
        .unwrap();
    assert_eq!(
        (&phase["id"], &phase["type"], &phase["for"]),
        (
            &serde_json::json!("phase"),
            &serde_json::json!("text"),
            &serde_json::json!(["source"])
        ),
        "{shown}"
    );
    // fg-g1 came back as I1's interview (the first case that claims it), int-i3 as I3's.
    let sources_of = |env: &Env, value: &str| -> std::collections::BTreeSet<String> {
        let v = env.json(&["quotes", "--where", &format!("phase={value}")]);
        v.as_array()
            .unwrap()
            .iter()
            .map(|q| q["source"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(sources_of(&back, "main"), ["I3".to_owned()].into());
    assert!(sources_of(&back, "pilot").contains("I1"));
    assert!(!sources_of(&back, "pilot").contains("I3"));
}

/// Attributes of sources of every type validate as variables of theirs, and one named as a
/// field samskap writes for cases goes out (and comes back) as `name (source)`.
#[test]
fn source_attributes_of_every_type_validate_and_keep_their_values() {
    let env = Env::new();
    let bundle = env.path("kilder");
    copy_dir(&fixtures().join("sources"), &bundle);
    let toml = std::fs::read_to_string(bundle.join("study.toml")).unwrap();
    let declared = r#"for = ["source"]

[[attribute]]
id = "consent"
label = "Samtykke til sitat"
type = "boolean"
for = ["source"]

[[attribute]]
id = "pages"
type = "number"
for = ["source"]

[[attribute]]
id = "share"
type = "number"
for = ["source"]

[[attribute]]
id = "received"
type = "date"
for = ["source"]
"#;
    let toml = toml.replacen("for = [\"source\"]\n", declared, 1)
        + "\n[source.attributes]\nconsent = true\npages = 12\nshare = 0.25\nreceived = \"2022-08-30\"\n";
    std::fs::write(bundle.join("study.toml"), toml).unwrap();
    env.ok(&["import", s(&bundle)]);
    let out = env.path("kilder.qdpx");
    let said = env.ok(&["refi", "export", "--project", s(&out)]);
    assert!(
        said.contains(
            "note: attribute `consent` of sources goes out as variable `consent (source)`"
        ),
        "{said}"
    );
    let text = String::from_utf8(unzip(&out)["project.qde"].clone()).unwrap();
    for want in [
        r#"name="consent" typeOfVariable="Text""#,
        r#"name="consent (source)" typeOfVariable="Boolean""#,
        r#"name="pages" typeOfVariable="Integer""#,
        r#"name="share" typeOfVariable="Float""#,
        r#"name="received" typeOfVariable="Date""#,
        "<BooleanValue>true</BooleanValue>",
        "<IntegerValue>12</IntegerValue>",
        "<FloatValue>0.25</FloatValue>",
        "<DateValue>2022-08-30</DateValue>",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
    let qde = env.path("project.qde");
    std::fs::write(&qde, &text).unwrap();
    xmllint(&qde, "Project-mrt2019.xsd");

    let back = Env::new();
    back.ok(&["refi", "import", s(&out), "--id", "kilder"]);
    let mut went = source_values(&env.db(), "kilder");
    for values in went.values_mut() {
        if let Some(v) = values.remove("consent") {
            values.insert("consent-source".into(), v);
        }
    }
    assert_eq!(source_values(&back.db(), "kilder"), went);
    // Out again, the name it came back under is its own: nothing more to say.
    let again = back.path("again.qdpx");
    let said = back.ok(&["refi", "export", "--project", s(&again)]);
    assert!(!said.contains("note:"), "{said}");
    let text = String::from_utf8(unzip(&again)["project.qde"].clone()).unwrap();
    assert!(
        text.contains(r#"name="consent (source)" typeOfVariable="Boolean""#),
        "{text}"
    );
}

/// A source's value that refers to no variable, or that is not of its variable's type,
/// refuses the project naming the source and the variable, with nothing written.
#[test]
fn malformed_values_on_sources_are_refused_naming_source_and_variable() {
    let with_value = |element: &str, target: u32| {
        let value = format!(
            r#"<VariableValue><VariableRef targetGUID="{}"/>{element}</VariableValue></TextSource>"#,
            g(target)
        );
        let variables = format!(
            r#"
  <Variables><Variable guid="{}" name="sider" typeOfVariable="Integer"/></Variables>"#,
            g(10)
        );
        project("internal://a.txt", (0, 3), &variables).replacen("</TextSource>", &value, 1)
    };
    let source = format!("text source `a` (<TextSource guid=\"{}\">)", g(2));
    for (qde, problem) in [
        (
            with_value("<IntegerValue>mange</IntegerValue>", 10),
            "variable `sider` is declared Integer, and its value `mange` is not one".to_owned(),
        ),
        (
            with_value("<IntegerValue>12</IntegerValue>", 9),
            format!(
                "a <VariableValue> refers to variable {}, which the file does not define",
                g(9)
            ),
        ),
    ] {
        refused(
            &with(valid_entries(), "project.qde", qde.into_bytes()),
            &format!("{source}: {problem}"),
        );
    }
    // The same value well formed comes in.
    let env = Env::new();
    let file = env.path("ok.qdpx");
    let qde = with_value("<IntegerValue>12</IntegerValue>", 10);
    write_zip(
        &file,
        &with(valid_entries(), "project.qde", qde.into_bytes()),
    );
    env.ok(&["refi", "import", s(&file), "--id", "ok"]);
    let values = source_values(&env.db(), "ok");
    assert_eq!(
        values
            .values()
            .next()
            .unwrap()
            .get("sider")
            .map(String::as_str),
        Some("12")
    );
}
