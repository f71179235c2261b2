//! `samskap token create|list|revoke`.

use std::io::Write;

use anyhow::Context;
use samskap_store::{Store, TokenRole};

use crate::args::{Cli, TokenCommand};
use crate::output;

pub fn run(cli: &Cli, cmd: &TokenCommand, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Create { name, role, groups } => {
            let role: TokenRole = role.parse().context("--role")?;
            let mut store = super::open_store(cli)?;
            let groups = if groups.is_empty() {
                Vec::new()
            } else {
                let study = super::study_id(cli, &store)?;
                groups
                    .iter()
                    .map(|g| Ok((study.clone(), g.parse().context("--group")?)))
                    .collect::<anyhow::Result<Vec<_>>>()?
            };
            let secret = store.create_token(name, role, &groups)?;
            if cli.json {
                return output::json(
                    out,
                    &serde_json::json!({ "name": name, "role": role, "token": secret }),
                );
            }
            // The secret alone on stdout, so that `TOKEN=$(samskap token create …)` keeps it;
            // what it is goes to stderr, where the person running it reads it.
            writeln!(out, "{secret}")?;
            eprintln!(
                "token `{name}` ({role}) created: the secret above is shown only now; only its hash is stored"
            );
        }
        TokenCommand::List => {
            let store = Store::open_existing(&cli.db)?;
            let tokens = store.list_tokens()?;
            if cli.json {
                return output::json(out, &tokens);
            }
            let rows = tokens
                .iter()
                .map(|t| {
                    vec![
                        t.name.clone(),
                        t.role.to_string(),
                        t.groups
                            .iter()
                            .map(|(s, g)| format!("{s}/{g}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        t.created.to_rfc3339(),
                        t.revoked.map_or_else(String::new, |r| r.to_rfc3339()),
                    ]
                })
                .collect();
            output::listing(
                out,
                &["name", "role", "groups", "created", "revoked"],
                rows,
                "no tokens: `samskap token create` makes one",
            )?;
        }
        TokenCommand::Revoke { name } => {
            let mut store = super::open_store(cli)?;
            store.revoke_token(name)?;
            if cli.json {
                return output::json(out, &serde_json::json!({ "revoked": name }));
            }
            writeln!(out, "token `{name}` revoked")?;
        }
    }
    Ok(())
}
