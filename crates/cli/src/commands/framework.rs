//! `samskap framework show [ID]`.

use std::io::Write;

use anyhow::Context;
use samskap_core::Framework;

use crate::args::Cli;
use crate::output;

pub fn show(cli: &Cli, id: Option<&str>, out: &mut dyn Write) -> anyhow::Result<()> {
    let framework = match id {
        Some(id) => {
            let stored = match super::open_store(cli) {
                Ok(store) => store
                    .frameworks()?
                    .into_iter()
                    .find(|f| f.id().as_str() == id),
                Err(_) => None,
            };
            match stored {
                Some(f) => f,
                None => Framework::builtin(id).context("framework show")?,
            }
        }
        None => super::load(cli)?.1.framework().clone(),
    };
    if cli.json {
        return output::json(out, &framework);
    }
    let m = framework.meta();
    writeln!(out, "{} — {} (`{}`)", m.label_en, m.label_no, m.id)?;
    if !m.description.is_empty() {
        writeln!(out, "{}", m.description)?;
    }
    let mut rows = Vec::new();
    for c in framework.categories() {
        rows.push(vec![
            c.id.to_string(),
            format!("{} / {}", c.label_en, c.label_no),
            c.definition.clone(),
        ]);
        for s in &c.subthemes {
            rows.push(vec![
                format!("{}/{}", c.id, s.id),
                format!("{} / {}", s.label_en, s.label_no),
                s.definition.clone(),
            ]);
        }
    }
    output::table(out, &["code", "label (en / no)", "definition"], rows)
}
