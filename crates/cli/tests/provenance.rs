//! A study made up to illustrate says so wherever it could pass for findings: `study show`
//! (text and JSON) and the report print it first; a study of research data prints nothing
//! of the kind.

mod common;

use common::{docx_part, fixtures, Env};

const NOTICE: &str = "Illustrative data:";

#[test]
fn an_illustrative_study_says_so_first_and_a_research_study_does_not() {
    let env = Env::new();
    env.import_thesis();
    let shown = env.ok(&["study", "show"]);
    assert!(shown.starts_with(NOTICE), "{shown}");
    assert!(shown.contains("provenance         illustrative"), "{shown}");
    let json = env.json(&["study", "show"]);
    assert_eq!(json["study"]["provenance"], "illustrative");
    env.ok(&["report", "--out", "report"]);
    for file in ["report.md", "report.html"] {
        let text = std::fs::read_to_string(env.path("report").join(file)).unwrap();
        let notice = text.find(NOTICE).expect(file);
        let table = text.find("Table 1").expect(file);
        assert!(notice < table, "{file}: the notice comes before any table");
    }
    // The Word file says it first too, and on every page, in the page header.
    let docx = env.path("report").join("report.docx");
    let body = docx_part(&docx, "word/document.xml").unwrap();
    let notice = body.find(NOTICE).expect("report.docx");
    assert!(notice < body.find("Table 1").expect("report.docx"));
    assert!(docx_part(&docx, "word/header1.xml")
        .unwrap()
        .contains(NOTICE));

    // The same bundle with its `provenance` line removed is research data.
    let research = env.path("research");
    std::fs::create_dir_all(research.join("transcripts")).unwrap();
    let from = fixtures().join("mini");
    for rel in [
        "codings.csv",
        "framework.toml",
        "memos.toml",
        "facilitation.toml",
    ] {
        std::fs::copy(from.join(rel), research.join(rel)).unwrap();
    }
    for e in std::fs::read_dir(from.join("transcripts")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), research.join("transcripts").join(e.file_name())).unwrap();
    }
    let toml = std::fs::read_to_string(from.join("study.toml")).unwrap();
    assert!(toml.contains("provenance = \"illustrative\"\n"));
    std::fs::write(
        research.join("study.toml"),
        toml.replace("provenance = \"illustrative\"\n", ""),
    )
    .unwrap();
    env.ok(&["import", research.to_str().unwrap()]);
    let shown = env.ok(&["--study", "mini", "study", "show"]);
    assert!(!shown.contains(NOTICE), "{shown}");
    assert!(shown.contains("provenance         research"), "{shown}");
    env.ok(&["--study", "mini", "report", "--out", "mini-report"]);
    let md = std::fs::read_to_string(env.path("mini-report/report.md")).unwrap();
    assert!(!md.contains(NOTICE));
    let docx = env.path("mini-report/report.docx");
    assert!(!docx_part(&docx, "word/document.xml")
        .unwrap()
        .contains(NOTICE));
    assert_eq!(docx_part(&docx, "word/header1.xml"), None);

    // A provenance that is neither is refused, naming the field.
    std::fs::write(
        research.join("study.toml"),
        toml.replace("provenance = \"illustrative\"", "provenance = \"demo\""),
    )
    .unwrap();
    let err = env.fails(&["import", research.to_str().unwrap(), "--replace"]);
    assert!(err.contains("study.toml") && err.contains("demo"), "{err}");
}
