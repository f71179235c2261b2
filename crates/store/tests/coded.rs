//! A source read alone with its codings holds exactly what the whole study holds for it.

use std::path::Path;

use samskap_core::{Span, StudyId};
use samskap_store::{Replace, Store};

#[test]
fn a_source_alone_has_the_codings_the_study_has_for_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo");
    let study = samskap_bundle::read(&dir).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    store.import_study(&study, Replace::No).unwrap();
    let sid: StudyId = "ung-inkludering-demo".parse().unwrap();
    let mut checked = 0;
    for s in study.sources() {
        let coded = store.coded_source(&sid, &s.id).unwrap();
        assert_eq!(coded.source.id, s.id);
        assert_eq!(coded.text.text(), study.transcript(&s.id).unwrap().text());
        let mut want: Vec<(Span, String, String, String, Option<String>)> = study
            .codings()
            .iter()
            .filter(|c| study.units()[c.unit.index()].source == s.id)
            .map(|c| {
                (
                    study.units()[c.unit.index()].span,
                    c.coder.to_string(),
                    c.code.to_string(),
                    c.qualifiers.to_string(),
                    c.memo.clone(),
                )
            })
            .collect();
        want.sort();
        let got: Vec<_> = coded
            .codings
            .iter()
            .map(|c| {
                (
                    c.span,
                    c.coder.to_string(),
                    c.code.to_string(),
                    c.qualifiers.to_string(),
                    c.memo.clone(),
                )
            })
            .collect();
        assert_eq!(got, want, "source {}", s.id);
        checked += got.len();
    }
    assert!(checked > 0, "the fixture has codings");
    let e = store
        .coded_source(&sid, &"nobody".parse().unwrap())
        .unwrap_err();
    assert!(e.to_string().contains("nobody"), "{e}");
}
