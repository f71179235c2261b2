//! `samskap sources` and `samskap source show|add|replace` over the fixture of the new layout
//! (`fixtures/sources`: a focus group in turns, interviews, minutes, a document) and the
//! thesis study of the first layout.

mod common;

use common::{fixtures, thesis, Env};

fn kilder() -> Env {
    let env = Env::new();
    let said = env.ok(&["import", fixtures().join("sources").to_str().unwrap()]);
    assert!(
        said.contains("4 informants, 5 sources, 11 meaning units, 13 codings"),
        "{said}"
    );
    env
}

/// The table row of `id` in `samskap sources`, its cells trimmed.
fn row(table: &str, id: &str) -> Vec<String> {
    table
        .lines()
        .find(|l| l.starts_with(&format!("│ {id} ")))
        .unwrap_or_else(|| panic!("no row {id} in\n{table}"))
        .trim_matches('│')
        .split('┆')
        .map(|c| c.trim().to_owned())
        .collect()
}

#[test]
fn sources_lists_kind_date_title_speakers_and_counts() {
    let env = kilder();
    let table = env.ok(&["sources"]);
    assert!(
        table.contains("│ id ") && table.contains("┆ speakers ┆ units ┆ codings │"),
        "{table}"
    );
    assert_eq!(
        row(&table, "fg-g1"),
        [
            "fg-g1",
            "focus-group",
            "2023-03-14",
            "Fokusgruppe, ressursgruppe 1",
            "I1, I2",
            "5",
            "6"
        ]
    );
    assert_eq!(
        row(&table, "int-i4"),
        ["int-i4", "interview", "2023-05-30", "–", "I4", "1", "1"]
    );
    assert_eq!(
        row(&table, "plan"),
        [
            "plan",
            "document",
            "2022-09-01",
            "Prosjektplan",
            "–",
            "1",
            "1"
        ]
    );
    assert_eq!(row(&table, "ref-g1-2023-04")[4], "–");
    // In the order they were declared.
    let order: Vec<usize> = ["fg-g1", "int-i3", "int-i4", "ref-g1-2023-04", "plan"]
        .iter()
        .map(|id| table.find(&format!("│ {id} ")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{table}");

    let json = env.json(&["sources"]);
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    let fg = &rows[0];
    assert_eq!(fg["id"], "fg-g1");
    assert_eq!(fg["kind"], "focus-group");
    assert_eq!(fg["date"], "2023-03-14");
    assert_eq!(fg["group"], "G1");
    assert_eq!(fg["informants"], serde_json::json!(["I1", "I2"]));
    assert_eq!(
        fg["speakers"],
        serde_json::json!({"A": "I1", "B": "I2", "M": "interviewer"})
    );
    assert_eq!(
        (fg["units"].as_u64(), fg["codings"].as_u64()),
        (Some(5), Some(6))
    );
    assert!(fg["chars"].as_u64().unwrap() > 300);
    // Every key on every row, null where there is no value.
    let plan = &rows[4];
    assert_eq!(plan["id"], "plan");
    assert_eq!(plan["group"], serde_json::Value::Null);
    assert_eq!(plan["informants"], serde_json::json!([]));
    assert_eq!(plan["speakers"], serde_json::json!({}));
    assert_eq!(rows[2]["title"], serde_json::Value::Null);
    let total: u64 = rows.iter().map(|r| r["codings"].as_u64().unwrap()).sum();
    assert_eq!(total, 13);

    // The first layout: an interview per informant, named for them.
    let env = Env::new();
    env.import_thesis();
    let json = env.json(&["sources"]);
    let rows = json.as_array().unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        assert_eq!(r["kind"], "interview");
        assert_eq!(r["informants"], serde_json::json!([r["id"].clone()]));
    }
}

/// The line of `text` that contains `needle`, and the lines after it.
fn from_line<'t>(text: &'t str, needle: &str) -> Vec<&'t str> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in\n{text}"));
    lines[at..].to_vec()
}

#[test]
fn source_show_marks_each_coded_unit_with_its_codings_and_voices() {
    let env = kilder();
    let shown = env.ok(&["source", "show", "fg-g1"]);
    // Not a terminal here: no pager, the page itself.
    assert!(shown.starts_with("Illustrative data:"), "{shown}");
    for line in [
        "source         fg-g1",
        "kind           focus-group",
        "date           2023-03-14",
        "title          Fokusgruppe, ressursgruppe 1",
        "group          G1",
        "informants     I1, I2",
        "speakers       A → I1, B → I2, M → interviewer",
        "meaning units  5",
        "codings        6",
    ] {
        assert!(shown.lines().any(|l| l == line), "{line:?} in\n{shown}");
    }
    // The unit "ingen har tid til møtene. / B: Ingen har tid" spans A's and B's turns: it
    // opens inside unit 2 (A's sentence) and ends in B's turn, and is both theirs.
    let lines = from_line(&shown, "A: ⟦2 Vi rekker");
    assert_eq!(
        lines[..4],
        [
            "A: ⟦2 Vi rekker ingenting, ⟦3 ingen har tid til møtene. 2⟧",
            "  ↳ 2 resources/time-people-money (polarity=barrier) by A · words of I1",
            "B: Ingen har tid 3⟧, og lederne prioriterer det ikke.",
            "  ↳ 3 resources/time-people-money (polarity=barrier) by A [memo: Spenner over to turer: begge sier det.] · words of I1, I2",
        ],
        "{shown}"
    );
    // The moderator's question is no informant's words; two coders on one unit, one line.
    assert!(shown.contains(
        "M: ⟦1 Hva gjør det vanskelig å samarbeide på tvers? 1⟧\n  ↳ 1 communication/group-communication (polarity=barrier) by B · no informant's words\n"
    ), "{shown}");
    assert!(shown.contains(
        "  ↳ 4 structure/infrastructure (polarity=opportunity) by A; structure/infrastructure (polarity=opportunity) by B · words of I1\n"
    ), "{shown}");
    // Uncoded lines come through as they are.
    assert!(shown.contains("\nM: Hva har hjulpet?\n"), "{shown}");

    // A document: no one's words, one unit at the end of a paragraph.
    let shown = env.ok(&["source", "show", "plan"]);
    assert!(shown.contains("kind           document\n"), "{shown}");
    assert!(shown.contains("informants     –\n"), "{shown}");
    assert!(shown.ends_with(
        "Hver gruppe skal møtes minst en gang i måneden. ⟦1 Tid til samarbeid skal settes av i tjenestenes egne planer. 1⟧\n  ↳ 1 resources/time-people-money (polarity=opportunity) by A · no informant's words\n"
    ), "{shown}");

    // An interview of the first layout: all its informant's words.
    let env = Env::new();
    env.import_thesis();
    let shown = env.ok(&["source", "show", "I3"]);
    assert!(shown.contains("informants     I3\n"), "{shown}");
    assert!(shown.contains("⟦1 "), "{shown}");
    assert!(shown.contains(" · words of I3\n"), "{shown}");
    assert!(!shown.contains("no informant's words"), "{shown}");

    let err = env.fails(&["source", "show", "nobody"]);
    assert!(err.contains("no source `nobody`"), "{err}");
}

#[test]
fn the_marks_of_nested_and_overlapping_units_follow_the_spans() {
    let env = kilder();
    // Three more units on one line of the document: one inside the coded sentence, one
    // that starts before it and ends inside it, and the whole line.
    for quote in [
        "samarbeid skal settes",
        "i måneden. Tid til",
        "Hver gruppe skal møtes minst en gang i måneden. Tid til samarbeid skal settes av i tjenestenes egne planer.",
    ] {
        env.ok(&[
            "code",
            "add",
            "--transcript",
            "plan",
            "--quote",
            quote,
            "--code",
            "structure/infrastructure",
            "--polarity",
            "opportunity",
            "--coder",
            "B",
        ]);
    }
    let shown = env.ok(&["source", "show", "plan"]);
    // Units in the order of the text: 1 the whole line, 2 "i måneden. Tid til", 3 the
    // coded sentence, 4 inside it. At one place, ends come before starts, the outer
    // unit's start first; each unit's line follows the line it ends on, in the order of
    // the ends.
    let lines = from_line(&shown, "Hver gruppe");
    assert_eq!(
        lines,
        [
            "⟦1 Hver gruppe skal møtes minst en gang ⟦2 i måneden. ⟦3 Tid til 2⟧ ⟦4 samarbeid skal settes 4⟧ av i tjenestenes egne planer. 3⟧ 1⟧",
            "  ↳ 2 structure/infrastructure (polarity=opportunity) by B · no informant's words",
            "  ↳ 4 structure/infrastructure (polarity=opportunity) by B · no informant's words",
            "  ↳ 3 resources/time-people-money (polarity=opportunity) by A · no informant's words",
            "  ↳ 1 structure/infrastructure (polarity=opportunity) by B · no informant's words",
        ],
        "{shown}"
    );
    let json = env.json(&["source", "show", "plan"]);
    let starts: Vec<u64> = json["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["start"].as_u64().unwrap())
        .collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "{starts:?}");
}

#[test]
fn source_show_json_holds_the_source_its_text_and_its_units() {
    let env = kilder();
    let json = env.json(&["source", "show", "fg-g1"]);
    assert_eq!(json["source"]["id"], "fg-g1");
    assert_eq!(json["source"]["kind"], "focus-group");
    assert_eq!(json["source"]["title"], "Fokusgruppe, ressursgruppe 1");
    assert_eq!(
        json["source"]["informants"],
        serde_json::json!(["I1", "I2"])
    );
    assert_eq!(json["source"]["speakers"]["M"], "interviewer");
    let text = json["text"].as_str().unwrap();
    assert!(text.starts_with("Fokusgruppe med to deltakere"), "{text}");
    let units = json["units"].as_array().unwrap();
    assert_eq!(units.len(), 5);
    let chars: Vec<char> = text.chars().collect();
    for (k, u) in units.iter().enumerate() {
        assert_eq!(u["number"], k + 1);
        let (s, e) = (
            u["start"].as_u64().unwrap() as usize,
            u["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            chars[s..e].iter().collect::<String>(),
            u["text"].as_str().unwrap()
        );
    }
    let spanning = units
        .iter()
        .find(|u| u["text"] == "ingen har tid til møtene.\nB: Ingen har tid")
        .unwrap();
    assert_eq!(spanning["voices"], serde_json::json!(["I1", "I2"]));
    assert_eq!(
        spanning["codings"],
        serde_json::json!([{
            "code": "resources/time-people-money",
            "qualifiers": {"polarity": "barrier"},
            "coder": "A",
            "memo": "Spenner over to turer: begge sier det.",
        }])
    );
    assert_eq!(units[0]["voices"], serde_json::json!([]));
    let both = units
        .iter()
        .find(|u| u["codings"].as_array().unwrap().len() == 2)
        .unwrap();
    assert_eq!(both["codings"][0]["coder"], "A");
    assert_eq!(both["codings"][1]["coder"], "B");
    assert_eq!(both["codings"][0]["memo"], serde_json::Value::Null);

    let plan = env.json(&["source", "show", "plan"]);
    assert_eq!(plan["source"]["informants"], serde_json::json!([]));
    assert_eq!(plan["source"]["speakers"], serde_json::json!({}));
    assert_eq!(plan["units"][0]["voices"], serde_json::json!([]));
}

#[test]
fn source_add_checks_the_declaration_and_the_store_lists_it() {
    let env = kilder();
    std::fs::write(
        env.path("fg-2.txt"),
        "M: Hva har endret seg?\nB: Vi møtes oftere nå.\nF: Og vi ringer hverandre.\n",
    )
    .unwrap();
    fn add<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec![
            "source",
            "add",
            "fg-2.txt",
            "--kind",
            "focus-group",
            "--date",
            "2023-10-01",
            "--title",
            "Fokusgruppe 2",
            "--group",
            "G1",
        ];
        args.extend_from_slice(extra);
        args
    }
    let speakers = [
        "--informant",
        "I2",
        "--informant",
        "I3",
        "--speaker",
        "B=I2",
        "--speaker",
        "F=I3",
        "--speaker",
        "M=interviewer",
    ];

    // An informant the study does not have: refused, naming it and the option.
    let mut args = add(&["--id", "fg-2", "--informant", "I9"]);
    args.extend_from_slice(&speakers);
    let err = env.fails(&args);
    assert!(
        err.contains("--informant") && err.contains("unknown informant `I9`"),
        "{err}"
    );
    // A label for someone not among the informants: refused before the store is touched.
    let err = env.fails(&add(&["--id", "fg-2", "--speaker", "B=I2"]));
    assert!(
        err.contains("--speaker `B=I2`") && err.contains("add --informant I2"),
        "{err}"
    );
    let err = env.fails(&add(&["--id", "fg-2", "--speaker", "B"]));
    assert!(
        err.contains("--speaker: `B` is not LABEL=INFORMANT"),
        "{err}"
    );
    let err = env.fails(&[
        "source", "add", "fg-2.txt", "--id", "fg-2", "--kind", "meeting",
    ]);
    assert!(
        err.contains("--kind: unknown source kind `meeting`"),
        "{err}"
    );
    let err = env.fails(&[
        "source", "add", "fg-2.txt", "--id", "fg-2", "--kind", "minutes", "--group", "G7",
    ]);
    assert!(err.contains("--group") && err.contains("`G7`"), "{err}");
    // An id the study has: refused.
    let mut args = add(&["--id", "fg-g1"]);
    args.extend_from_slice(&speakers);
    let err = env.fails(&args);
    assert!(
        err.contains("--id") && err.contains("already has a source `fg-g1`"),
        "{err}"
    );
    // A date that is none: clap's usage error, naming the option.
    let out = env.run(&[
        "source",
        "add",
        "fg-2.txt",
        "--id",
        "x",
        "--kind",
        "minutes",
        "--date",
        "2023-13-01",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--date"));
    assert_eq!(env.json(&["sources"]).as_array().unwrap().len(), 5);

    let mut args = add(&["--id", "fg-2"]);
    args.extend_from_slice(&speakers);
    let said = env.ok(&args);
    assert!(
        said.starts_with("added source `fg-2` to study `kilder`: focus-group,")
            && said.contains("speakers I2, I3, 3 turns"),
        "{said}"
    );
    assert!(!said.contains("warning"), "{said}");
    let table = env.ok(&["sources"]);
    assert_eq!(
        row(&table, "fg-2"),
        [
            "fg-2",
            "focus-group",
            "2023-10-01",
            "Fokusgruppe 2",
            "I2, I3",
            "0",
            "0"
        ]
    );
    // Its turns say whose words a unit is.
    env.ok(&[
        "code",
        "add",
        "--transcript",
        "fg-2",
        "--quote",
        "Vi møtes oftere nå.",
        "--code",
        "structure/infrastructure",
        "--polarity",
        "opportunity",
        "--coder",
        "A",
    ]);
    let shown = env.ok(&["source", "show", "fg-2"]);
    assert!(
        shown.contains("B: ⟦1 Vi møtes oftere nå. 1⟧\n  ↳ 1 structure/infrastructure (polarity=opportunity) by A · words of I2\n"),
        "{shown}"
    );

    // A label that begins no turn is added, with a warning; a document needs no one.
    std::fs::write(env.path("notat.md"), "Notat uten turer.\n").unwrap();
    let out = env.run(&[
        "source",
        "add",
        "notat.md",
        "--id",
        "notat",
        "--kind",
        "observation",
        "--informant",
        "I3",
        "--speaker",
        "Siv=I3",
    ]);
    assert!(out.status.success());
    let warned = String::from_utf8(out.stderr).unwrap();
    assert!(
        warned.contains("warning: no line of the text starts with `Siv:`"),
        "{warned}"
    );
    let json = env.json(&[
        "source", "add", "notat.md", "--id", "doc", "--kind", "document",
    ]);
    assert_eq!(json["id"], "doc");
    assert_eq!(json["kind"], "document");
    assert_eq!(json["informants"], serde_json::json!([]));
    assert_eq!(json["turns"], 0);
    assert_eq!(env.json(&["sources"]).as_array().unwrap().len(), 8);
}

#[test]
fn source_replace_and_transcript_replace_are_one_command() {
    let env = kilder();
    let text = std::fs::read_to_string(fixtures().join("sources/sources/plan.txt")).unwrap();
    std::fs::write(env.path("plan-1.txt"), format!("Utkast 2.\n\n{text}")).unwrap();
    let said = env.ok(&["source", "replace", "plan", "plan-1.txt"]);
    assert_eq!(
        said,
        "replaced the text of plan: 1 meaning units re-anchored (0 unchanged, 1 moved, 0 edited), 0 orphaned codings removed\n  \
         moved  83..142 → 94..153, 1 coding: \"Tid til samarbeid skal settes av i tjenestenes egne planer.\"\n"
    );
    let shown = env.ok(&["source", "show", "plan"]);
    assert!(shown.contains("\nUtkast 2.\n"), "{shown}");
    assert!(shown.contains("⟦1 Tid til samarbeid"), "{shown}");

    // The old name, the same function: the orphan refused, then dropped when told.
    let gone = "Tid til samarbeid skal settes av i tjenestenes egne planer.";
    std::fs::write(env.path("plan-2.txt"), text.replace(gone, "")).unwrap();
    let err = env.fails(&["transcript", "replace", "plan", "plan-2.txt"]);
    assert!(
        err.contains("nothing changed") && err.contains(gone),
        "{err}"
    );
    let err2 = env.fails(&["source", "replace", "plan", "plan-2.txt"]);
    assert_eq!(err, err2);
    let json = env.json(&[
        "transcript",
        "replace",
        "plan",
        "plan-2.txt",
        "--drop-orphans",
    ]);
    assert_eq!(json["applied"], true);
    assert_eq!(json["orphans"].as_array().unwrap().len(), 1);
    let table = env.ok(&["sources"]);
    assert_eq!(row(&table, "plan")[5..], ["0", "0"]);

    // The first layout's interviews are sources named for their informants.
    let env = Env::new();
    env.import_thesis();
    let i2 = std::fs::read_to_string(thesis().join("transcripts/I2.txt")).unwrap();
    std::fs::write(env.path("I2.txt"), format!("Intervjuer: Hei.\n\n{i2}")).unwrap();
    let said = env.ok(&["source", "replace", "I2", "I2.txt"]);
    assert!(said.contains("0 orphaned codings removed"), "{said}");
}

/// The report that led here: a one-word edit inside a long coded unit orphaned its codings.
/// Now the unit stretches over the new word and keeps them, and the command says what moved.
#[test]
fn a_one_word_edit_inside_a_coded_unit_keeps_its_codings() {
    let env = Env::new();
    env.import_thesis();
    let codings = |env: &Env| -> Vec<serde_json::Value> {
        let all = env.json(&["code", "list"]);
        let mut i1: Vec<serde_json::Value> = all
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["source"] == "I1")
            .cloned()
            .collect();
        i1.sort_by_key(|c| (c["start"].as_u64(), c["coder"].as_str().map(str::to_owned)));
        i1
    };
    let before = codings(&env);
    let i1 = std::fs::read_to_string(thesis().join("transcripts/I1.txt")).unwrap();
    // "Noen ganger er ansatte veldig …" lies inside a 349-character unit coded twice.
    assert_eq!(i1.matches("Noen ganger").count(), 1);
    let edited = i1.replace("Noen ganger", "Noen ganske mange ganger");
    std::fs::write(env.path("I1-edited.txt"), &edited).unwrap();
    let said = env.ok(&["source", "replace", "I1", "I1-edited.txt"]);
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(
        lines,
        [
            "replaced the text of I1: 9 meaning units re-anchored (3 unchanged, 5 moved, 1 edited), 0 orphaned codings removed",
            "  edited 821..1170 → 821..1183, 2 codings: \"…å si det sånn. Noen ganger er ansatte veldig…\" → \"…å si det sånn. Noen ganske mange ganger er ansatte veldig…\"",
            "  moved  1247..1384 → 1260..1397, 2 codings: \"Aller først så var jeg litt skeptisk. Vi har allerede 211 forskj…\"",
            "  moved  1285..1355 → 1298..1368, 2 codings: \"Vi har allerede 211 forskjellige prosjekter, også kom det enda e…\"",
            "  moved  1386..1554 → 1399..1567, 2 codings: \"Jeg sitter jo med min NAV-hatt på i aldersgruppen 18 til 30. Så …\"",
            "  moved  1687..1786 → 1700..1799, 2 codings: \"Nei, nei, da får du nei. Det må jeg være ærlig på. Tilstrekkelig…\"",
            "  moved  1788..2008 → 1801..2021, 2 codings: \"Vi må spille hverandre gode for at vi skal få resultater. Prøve …\"",
        ]
    );
    // Every coding is still there, on its text: the edited unit's on the new version of it.
    let after = codings(&env);
    assert_eq!(after.len(), before.len());
    let chars: Vec<char> = samskap_core::normalize(&edited).chars().collect();
    for c in &after {
        let (s, e) = (
            c["start"].as_u64().unwrap() as usize,
            c["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            chars[s..e].iter().collect::<String>(),
            c["text"].as_str().unwrap()
        );
    }
    assert_eq!(
        after
            .iter()
            .filter(|c| c["text"]
                .as_str()
                .unwrap()
                .contains("Noen ganske mange ganger"))
            .count(),
        2
    );

    // With --json, the structured list; whitespace re-wrapped inside the unit keeps it too.
    let rewrapped = edited.replace(
        "Noen ganske mange ganger er",
        "Noen ganske mange\nganger  er",
    );
    std::fs::write(env.path("I1-rewrapped.txt"), &rewrapped).unwrap();
    let json = env.json(&["source", "replace", "I1", "I1-rewrapped.txt"]);
    assert_eq!(json["applied"], true);
    assert_eq!(
        [
            &json["units_unchanged"],
            &json["units_moved"],
            &json["units_edited"],
            &json["units_orphaned"]
        ],
        [3, 5, 1, 0]
    );
    let units = json["units"].as_array().unwrap();
    assert_eq!(units.len(), 6);
    assert_eq!(units[0]["fate"], "edited");
    assert_eq!(
        units[0]["from"],
        serde_json::json!({"start": 821, "end": 1183})
    );
    assert_eq!(
        units[0]["to"],
        serde_json::json!({"start": 821, "end": 1184})
    );
    assert_eq!(units[0]["codings"], 2);
    assert!(units[0]["new_text"]
        .as_str()
        .unwrap()
        .contains("Noen ganske mange\nganger  er"));
    assert!(units[1..]
        .iter()
        .all(|u| u["fate"] == "moved" && u.get("new_text").is_none()));
    assert_eq!(
        units[1]["from"],
        serde_json::json!({"start": 1260, "end": 1397})
    );
    assert_eq!(
        units[1]["to"],
        serde_json::json!({"start": 1261, "end": 1398})
    );
}

#[test]
fn a_withdrawn_informants_turns_are_no_longer_shown() {
    let env = kilder();
    let before = env.ok(&["source", "show", "fg-g1"]);
    assert!(before.contains("Vi rekker ingenting"), "{before}");
    env.ok(&["informant", "withdraw", "I1", "--yes"]);
    let shown = env.ok(&["source", "show", "fg-g1"]);
    for gone in [
        "Vi rekker ingenting",
        "ingen har tid til møtene",
        "Faste møter hver måned",
        "\nA: ",
        "I1",
    ] {
        assert!(!shown.contains(gone), "{gone:?} in\n{shown}");
    }
    assert_eq!(
        shown
            .matches("withdrawn: (removed: the speaker withdrew)\n")
            .count(),
        2,
        "{shown}"
    );
    assert!(shown.contains("informants     I2\n"), "{shown}");
    assert!(
        shown.contains("speakers       B → I2, M → interviewer, withdrawn → withdrawn\n"),
        "{shown}"
    );
    // What is left of the others is still marked, and still theirs.
    assert!(
        shown.contains("⟦2 Jeg ringer heller enn å sende skjema. 2⟧\n  ↳ 2 communication/group-communication (polarity=opportunity) by A · words of I2\n"),
        "{shown}"
    );
    let json = env.json(&["source", "show", "fg-g1"]);
    assert!(!json["text"].as_str().unwrap().contains("Vi rekker"));
    let table = env.ok(&["sources"]);
    assert_eq!(row(&table, "fg-g1")[4..], ["I2", "2", "2"]);
}

#[test]
fn where_on_an_attribute_of_sources_keeps_the_units_of_those_sources() {
    let env = kilder();
    // `phase` is the sources': fg-g1 and the minutes are `pilot`, int-i3 is `main`.
    let sources_of = |args: &[&str]| {
        let mut ids: Vec<String> = env
            .json(args)
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["source"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    assert_eq!(
        sources_of(&["--json", "quotes", "--where", "phase=pilot"]),
        ["fg-g1", "ref-g1-2023-04"]
    );
    assert_eq!(
        sources_of(&["--json", "quotes", "--where", "phase=main"]),
        ["int-i3"]
    );
    // Beside a clause on people, each must hold: I1's words in the pilot sources.
    let both = env.json(&[
        "--json",
        "quotes",
        "--where",
        "phase=pilot",
        "--group",
        "G1",
        "--coder",
        "A",
    ]);
    assert!(both
        .as_array()
        .unwrap()
        .iter()
        .all(|q| q["source"] == "fg-g1" || q["source"] == "ref-g1-2023-04"));
    let hits = env.json(&[
        "--json",
        "search",
        "--fts",
        "møte*",
        "--where",
        "phase=main",
    ]);
    assert!(hits
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["source"] == "int-i3"));
    let hits = env.json(&["--json", "search", "tid", "--where", "phase=pilot"]);
    assert!(!hits.as_array().unwrap().is_empty());
    assert!(hits
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["source"] == "fg-g1" || h["source"] == "ref-g1-2023-04"));
    // The matrix counts the pilot sources' units only.
    let units = |args: &[&str]| -> u64 {
        env.json(args)["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["value"].is_null())
            .map(|r| {
                r["counts"].as_array().unwrap().last().unwrap()["units"]
                    .as_u64()
                    .unwrap()
            })
            .sum()
    };
    let total_units = units(&["--json", "matrix", "--where", "phase=pilot", "--by", "top"]);
    let all_units = units(&["--json", "matrix", "--by", "top"]);
    assert!(
        total_units > 0 && total_units < all_units,
        "{total_units} of {all_units}"
    );
    // A value the attribute does not take, and an attribute no one declares, are refused.
    let e = env.fails(&["quotes", "--where", "phase=later"]);
    assert!(e.contains("--where") && e.contains("later"), "{e}");
    let e = env.fails(&["quotes", "--where", "nosuch=1"]);
    assert!(e.contains("`nosuch`"), "{e}");
    // `source show` names the meeting the minutes are of, and the source's values.
    let shown = env.ok(&["source", "show", "ref-g1-2023-04"]);
    assert!(shown.contains("meeting        G1-2023-04\n"), "{shown}");
    assert!(shown.contains("attributes     phase=pilot\n"), "{shown}");
}

#[test]
fn source_add_takes_a_meeting_and_attributes_checked_as_a_bundle_is() {
    let env = kilder();
    let file = env.path("ref-2.txt");
    std::fs::write(&file, "Referat: nytt møte.\n").unwrap();
    let file = file.to_str().unwrap();
    fn add<'a>(file: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
        let mut a = vec!["source", "add", file, "--kind", "minutes", "--group", "G1"];
        a.extend_from_slice(extra);
        a
    }
    for (extra, error) in [
        (
            &["--id", "r3", "--meeting", "G1-2099-01"][..],
            "source `r3`: it is of meeting `G1-2099-01`, which the facilitation record does not hold",
        ),
        (
            &["--id", "r4", "--attribute", "phase=late"][..],
            "attribute `phase` of source `r4`: `late` is not one of `pilot`, `main`",
        ),
        (
            &["--id", "r5", "--attribute", "nosuch=1"][..],
            "source `r5` has a value of attribute `nosuch`, which the study does not declare",
        ),
        (
            &["--id", "r6", "--attribute", "phase"][..],
            "--attribute: `phase` is not ATTRIBUTE=VALUE",
        ),
    ] {
        let e = env.fails(&add(file, extra));
        assert!(e.contains(error), "{extra:?}: {e}");
    }
    env.ok(&add(
        file,
        &[
            "--id",
            "r2",
            "--meeting",
            "G1-2023-04",
            "--attribute",
            "phase=main",
        ],
    ));
    let listed = env.json(&["sources"]);
    let r2 = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "r2")
        .unwrap();
    assert_eq!(r2["meeting"], "G1-2023-04");
    assert_eq!(r2["attributes"], serde_json::json!({"phase": "main"}));
    // Nothing of the refused ones was written.
    assert_eq!(listed.as_array().unwrap().len(), 6);
    // And `--where phase=main` now keeps r2's (uncoded) source too: a search finds it.
    let hits = env.json(&["search", "nytt", "--where", "phase=main"]);
    assert_eq!(hits[0]["source"], "r2");
}
