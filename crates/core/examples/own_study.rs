//! Another study reusing samskap-core without the store: its own framework as data, a study
//! built in code, and the analysis printed. Run with `cargo run -p samskap-core --example own_study`.

use samskap_core::analysis::{self, Column, Filter, RowsBy};
use samskap_core::*;

/// A framework of another study, in the same TOML format as the built-in one.
const FRAMEWORK: &str = r#"
[framework]
id = "school-dropout"
label_no = "Frafall i videregående"
label_en = "Dropout from upper secondary"

[[category]]
id = "school"
label_no = "Skolen"
label_en = "School"
definition = "What the school does or fails to do."

[[category.subtheme]]
id = "follow-up"
label_no = "Oppfølging"
label_en = "Follow-up"

[[category.subtheme]]
id = "teaching"
label_no = "Undervisning"
label_en = "Teaching"

[[category]]
id = "home"
label_no = "Hjemmet"
label_en = "Home"

[[category.subtheme]]
id = "support"
label_no = "Støtte"
label_en = "Support"
"#;

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
        },
        framework,
    )?;
    study.add_municipality(Municipality {
        id: "M1".parse()?,
        name: "Kommune 1".into(),
    })?;
    study.add_group(ResourceGroup {
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
                role: Role::Participant,
                group: Some("G1".parse()?),
                workplace: None,
                position: None,
                interview_date: None,
                consent: ActiveConsent::Given,
            }),
        })?;
        study.add_transcript(Transcript::new(id, text))?;
    }
    for (informant, quote, code, polarity) in [
        (
            "I1",
            "Kontaktlæreren ringte hver uke.",
            "school/follow-up",
            Polarity::Opportunity,
        ),
        (
            "I2",
            "Ingen fulgte meg opp.",
            "school/follow-up",
            Polarity::Barrier,
        ),
        (
            "I2",
            "Hjemme fikk jeg støtte",
            "home/support",
            Polarity::Opportunity,
        ),
    ] {
        let unit = study.locate_unit(&informant.parse()?, &TextQuote::exact(quote))?;
        study.add_coding(Coding {
            unit,
            code: code.parse()?,
            polarity,
            coder: "A".parse()?,
            memo: None,
        })?;
    }

    let m = analysis::matrix(&study, &Filter::default(), RowsBy::Subtheme);
    let total = m
        .columns
        .iter()
        .position(|c| *c == Column::Total)
        .unwrap_or(0);
    println!("{:<20} {:<12} units (informants)", "subtheme", "polarity");
    for row in &m.rows {
        let c = row.counts[total];
        let polarity = row.polarity.map_or("both", Polarity::as_str);
        println!(
            "{:<20} {:<12} {} ({})",
            row.key, polarity, c.units, c.informants
        );
    }
    for e in analysis::examples(&study, &Filter::default(), 1) {
        println!("{} ({}): «{}»", e.code, e.polarity, e.quotes[0]);
    }
    Ok(())
}
