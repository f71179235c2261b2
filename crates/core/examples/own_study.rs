//! Another study reusing samskap-core without the store: its own framework as data, a study
//! built in code, and the analysis printed. Run with `cargo run -p samskap-core --example own_study`.

use samskap_core::analysis::{self, Column, Filter, RowsBy};
use samskap_core::*;

/// A framework of another study, in the same TOML format as the built-in one: a tree three
/// levels deep, codes coded at any level, and a qualifier of its own (the level at which a
/// thing happens) instead of Bentzen's polarity, required only under `school`.
const FRAMEWORK: &str = r##"
[framework]
id = "school-dropout"
label = { nb = "Frafall i videregående", en = "Dropout from upper secondary" }

[[qualifier]]
id = "level"
label = { nb = "Nivå", en = "Level" }
required = true
codes = ["school"]

[[qualifier.value]]
id = "individual"
label = { en = "Individual" }

[[qualifier.value]]
id = "organisation"
label = { en = "Organisation" }

[[code]]
id = "school"
label = { nb = "Skolen", en = "School" }
definition = "What the school does or fails to do."
colour = "#1b9e77"

[[code.code]]
id = "follow-up"
label = { nb = "Oppfølging", en = "Follow-up" }

[[code.code.code]]
id = "contact-teacher"
label = { nb = "Kontaktlærer", en = "Contact teacher" }

[[code.code]]
id = "teaching"
label = { nb = "Undervisning", en = "Teaching" }

[[code]]
id = "home"
label = { nb = "Hjemmet", en = "Home" }
"##;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let framework = Framework::from_toml(FRAMEWORK)?;
    let mut study = Study::new(
        StudyMeta {
            id: "dropout-2025".parse()?,
            title: "Why pupils stay".into(),
            research_question: Some("What keeps pupils in school?".into()),
            method: None,
            period_start: None,
            period_end: None,
            framework: framework.id().clone(),
            provenance: Provenance::Illustrative,
            language: None,
        },
        framework,
    )?;
    study.add_municipality(Municipality {
        id: "M1".parse()?,
        name: "Kommune 1".into(),
    })?;
    study.add_group(ResourceGroup {
        attributes: Default::default(),
        id: "G1".parse()?,
        name: "Resource group".into(),
        municipalities: vec!["M1".parse()?],
        period_start: None,
        period_end: None,
        studied: true,
    })?;
    for (id, text) in [
        (
            "I1",
            "Kontaktlæreren ringte hver uke. Det gjorde at jeg ble.",
        ),
        (
            "I2",
            "Ingen fulgte meg opp. Hjemme fikk jeg støtte, men ikke på skolen.",
        ),
    ] {
        let id: InformantId = id.parse()?;
        study.add_informant(Informant {
            id: id.clone(),
            details: Some(InformantDetails {
                attributes: Default::default(),
                role: Role::Participant,
                group: Some("G1".parse()?),
                workplace: None,
                position: None,
                interview_date: None,
                consent: ActiveConsent::Given,
            }),
        })?;
        // An interview: one informant's words, named for them.
        let interview = Source::interview(&id);
        let text = Transcript::new(interview.id.clone(), text);
        study.add_source(interview, text)?;
    }
    for (informant, quote, code, qualifiers) in [
        (
            "I1",
            "Kontaktlæreren ringte hver uke.",
            "school/follow-up/contact-teacher",
            "level=individual",
        ),
        (
            "I2",
            "Ingen fulgte meg opp.",
            "school/follow-up",
            "level=organisation",
        ),
        // A code at the top, with no qualifier: `home` takes none.
        ("I2", "Hjemme fikk jeg støtte", "home", ""),
    ] {
        let unit = study.locate_unit(&informant.parse()?, &TextQuote::exact(quote))?;
        study.add_coding(Coding {
            unit,
            code: code.parse()?,
            qualifiers: qualifiers.parse()?,
            coder: "A".parse()?,
            memo: None,
            exemplar: false,
        })?;
    }

    // Rows by every code of the tree (each counting the codes under it), split by level.
    let table = samskap_core::CodingTable::of(&study, None);
    let m = analysis::matrix(&table, &Filter::default(), RowsBy::Code, None);
    let total = m
        .columns
        .iter()
        .position(|c| *c == Column::Total)
        .unwrap_or(0);
    println!("{:<34} {:<14} units (informants)", "code", "level");
    for row in &m.rows {
        let c = row.counts[total];
        let level = row.value.as_ref().map_or("all", |v| v.as_str());
        println!(
            "{:<34} {:<14} {} ({})",
            row.key, level, c.units, c.informants
        );
    }
    for e in analysis::examples(&table, &Filter::default(), 1) {
        let quote = table.unit_text(&study, e.units[0]).unwrap_or_default();
        println!("{} [{}]: «{}»", e.code, e.qualifiers, quote);
    }
    Ok(())
}
