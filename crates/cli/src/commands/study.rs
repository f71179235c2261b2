//! `samskap study show`.

use std::collections::BTreeSet;
use std::io::Write;

use crate::args::Cli;
use crate::output;

pub fn show(cli: &Cli, out: &mut dyn Write) -> anyhow::Result<()> {
    let (_, study) = super::load(cli)?;
    let m = study.meta();
    let coders: BTreeSet<&str> = study.codings().iter().map(|c| c.coder.as_str()).collect();
    if cli.json {
        return output::json(
            out,
            &serde_json::json!({
                "study": m,
                "municipalities": study.municipalities().len(),
                "groups": study.groups().len(),
                "members": study.members().len(),
                "informants": study.informants().len(),
                "transcripts": study.transcripts().len(),
                "units": study.units().len(),
                "codings": study.codings().len(),
                "memos": study.memos().len(),
                "coders": coders,
            }),
        );
    }
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "–".into());
    let date = |d: Option<samskap_core::NaiveDate>| d.map_or_else(|| "…".into(), |d| d.to_string());
    output::pairs(
        out,
        &[
            ("study", m.id.to_string()),
            ("title", m.title.clone()),
            ("research question", opt(&m.research_question)),
            ("method", opt(&m.method)),
            (
                "period",
                format!("{} – {}", date(m.period_start), date(m.period_end)),
            ),
            ("framework", m.framework.to_string()),
            ("municipalities", study.municipalities().len().to_string()),
            ("groups", study.groups().len().to_string()),
            ("members", study.members().len().to_string()),
            ("informants", study.informants().len().to_string()),
            ("transcripts", study.transcripts().len().to_string()),
            ("meaning units", study.units().len().to_string()),
            ("codings", study.codings().len().to_string()),
            ("coders", coders.into_iter().collect::<Vec<_>>().join(", ")),
            ("memos", study.memos().len().to_string()),
        ],
    )
}
