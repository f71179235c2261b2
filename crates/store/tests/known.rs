//! The ids a study has, for answering an unknown one with the closest.

use std::path::Path;

use samskap_store::{Known, Replace, Store};

#[test]
fn ids_of_each_kind_and_the_coders() {
    let bundle = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo");
    let study = samskap_bundle::read(&bundle).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    store.import_study(&study, Replace::No).unwrap();
    let id = study.meta().id.clone();
    let informants = store.known_ids(&id, Known::Informant).unwrap();
    assert_eq!(informants, ["I1", "I2", "I3", "I4", "I5", "I6"]);
    assert_eq!(store.known_ids(&id, Known::Source).unwrap(), informants);
    assert_eq!(
        store.known_ids(&id, Known::Group).unwrap(),
        ["G1", "G2", "G3", "G4", "G5"]
    );
    let coders: Vec<String> = store
        .coders(&id)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(coders, ["A", "B"]);
    assert!(store.has_coder(&id, &"A".parse().unwrap()).unwrap());
    assert!(!store.has_coder(&id, &"a".parse().unwrap()).unwrap());
    assert_eq!(Known::from_what("source"), Some(Known::Source));
    assert_eq!(Known::from_what("study"), None);
}
