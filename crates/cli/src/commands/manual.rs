//! `samskap completions SHELL` and `samskap man --out DIR`: the shell completions and the
//! manual pages, made from the grammar the binary parses, so they cannot drift from it.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;

use crate::args::Cli;

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> anyhow::Result<()> {
    // Made in memory first: `generate` panics on a failed write, and a reader that closes
    // the pipe early (`| head`) is no reason to.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "samskap", &mut script);
    out.write_all(&script)?;
    Ok(())
}

/// `samskap.1`, and `samskap-<sub>.1` (`samskap-code-add.1`) for every subcommand at any
/// depth, as `git` and `cargo` ship theirs.
pub fn man(dir: &Path, out: &mut dyn Write) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("{}", dir.display()))?;
    let mut cmd = Cli::command();
    cmd.build();
    let mut written = 0;
    write_pages(&cmd, "samskap", dir, &mut written)?;
    writeln!(out, "wrote {written} manual pages in {}", dir.display())?;
    Ok(())
}

fn write_pages(
    cmd: &clap::Command,
    name: &str,
    dir: &Path,
    written: &mut usize,
) -> anyhow::Result<()> {
    let page = cmd.clone().name(name.to_owned());
    let mut bytes = Vec::new();
    clap_mangen::Man::new(page).render(&mut bytes)?;
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, bytes).with_context(|| format!("{}", path.display()))?;
    *written += 1;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        write_pages(sub, &format!("{name}-{}", sub.get_name()), dir, written)?;
    }
    Ok(())
}
