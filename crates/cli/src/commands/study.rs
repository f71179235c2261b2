//! `samskap study show`.

use std::io::Write;

use crate::args::Cli;
use crate::output;

pub fn show(cli: &Cli, out: &mut dyn Write) -> anyhow::Result<()> {
    // Counts from SQL: the study itself need not be loaded to say how much it holds.
    let store = super::open_store(cli)?;
    let id = super::study_id(cli, &store)?;
    let s = store.study_summary(&id)?;
    if cli.json {
        return output::json(out, &serde_json::to_value(&s)?);
    }
    let m = &s.study;
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "–".into());
    let date = |d: Option<samskap_core::NaiveDate>| d.map_or_else(|| "…".into(), |d| d.to_string());
    let coders: Vec<&str> = s.coders.iter().map(|c| c.as_str()).collect();
    if let Some(notice) = m.provenance.notice() {
        writeln!(out, "{notice}")?;
    }
    let mut pairs = vec![
        ("study", m.id.to_string()),
        ("title", m.title.clone()),
        ("research question", opt(&m.research_question)),
        ("method", opt(&m.method)),
        (
            "period",
            format!("{} – {}", date(m.period_start), date(m.period_end)),
        ),
        ("framework", m.framework.to_string()),
        ("provenance", m.provenance.to_string()),
        ("municipalities", s.municipalities.to_string()),
        ("groups", s.groups.to_string()),
        ("members", s.members.to_string()),
        ("informants", s.informants.to_string()),
        ("sources", s.transcripts.to_string()),
        ("meaning units", s.units.to_string()),
        ("codings", s.codings.to_string()),
        ("coders", coders.join(", ")),
        ("memos", s.memos.to_string()),
    ];
    // Each custom attribute: its id, type and holders (a study without any prints no line).
    for a in &s.attributes {
        let holders: Vec<&str> = a.holders.iter().map(|h| h.as_str()).collect();
        let choices = if a.kind.choices().is_empty() {
            String::new()
        } else {
            format!(" ({})", a.kind.choices().join(", "))
        };
        pairs.push((
            "attribute",
            format!(
                "{}: {}{choices}, for {}",
                a.id,
                a.kind.name(),
                holders.join(", ")
            ),
        ));
    }
    output::pairs(out, &pairs)
}
