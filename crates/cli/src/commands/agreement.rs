//! `samskap agreement`: between the study's coders (per code and overall, on units and on
//! characters), their disagreements, and `agreement compute FILE` on raw reliability data.

use std::io::Write;

use anyhow::Context;
use samskap_core::agreement::{
    self, study_agreement, study_agreement_with_intervals, Bootstrap, Granularity, Interval, Level,
    Measures, Metric, Outcome, ReliabilityData,
};
use samskap_core::{CoderId, Study};
use serde::Serialize;

use crate::args::{BootstrapArgs, Cli, CodersArgs, Command, ComputeArgs};
use crate::{output, progress};

pub fn compute(cli: &Cli, args: &ComputeArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let (metric, level) = (args.metric, args.level);
    anyhow::ensure!(
        args.order.is_none() || level == Level::Ordinal,
        "--order ranks ordinal labels: it needs --level ordinal"
    );
    let path = &args.file;
    let file = samskap_files::open(
        path,
        samskap_files::Kind::Table,
        &super::limits(cli),
        samskap_files::Links::Follow,
    )
    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let bar = progress::bytes(file.len(), "reading");
    let reader = std::io::BufReader::new(file.into_reader());
    let data = ReliabilityData::read_csv(reader, |b| bar.set_position(b))
        .with_context(|| format!("{}", path.display()))?;
    bar.finish_and_clear();
    let outcome = data
        .compute(metric, level, args.order.as_deref())
        .with_context(|| format!("{}", path.display()))?;
    let Some(spec) = bootstrap(&args.bootstrap)? else {
        return print(cli, &outcome, out);
    };
    anyhow::ensure!(
        metric == Metric::KrippendorffAlpha,
        "--ci bootstraps krippendorff_alpha only, not {metric}"
    );
    let interval = data.bootstrap_alpha(level, args.order.as_deref(), &spec)?;
    if cli.json {
        #[derive(Serialize)]
        struct WithInterval<'a> {
            #[serde(flatten)]
            outcome: &'a Outcome,
            interval: &'a Interval,
        }
        return output::json(
            out,
            &WithInterval {
                outcome: &outcome,
                interval: &interval,
            },
        );
    }
    let mut lines: Vec<(String, String)> = outcome_pairs(&outcome)
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    lines.push((
        "alpha 95% CI".to_owned(),
        match (interval.low, interval.high) {
            (Some(low), Some(high)) => format!("[{low:.6}, {high:.6}]"),
            _ => format!("none: {}", interval.reason.as_deref().unwrap_or("")),
        },
    ));
    for f in &interval.q_below {
        lines.push((format!("q(alpha < {})", f.alpha_min), format!("{:.4}", f.q)));
    }
    if interval.draws > 0 {
        lines.push((
            "bootstrap".to_owned(),
            format!(
                "{} resamples of {} pairs, seed {} (Hayes & Krippendorff 2007)",
                interval.resamples, interval.draws, interval.seed
            ),
        ));
    }
    let lines: Vec<(&str, String)> = lines.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    output::pairs(out, &lines)
}

/// The bootstrap asked for with `--ci`, if any.
fn bootstrap(args: &BootstrapArgs) -> anyhow::Result<Option<Bootstrap>> {
    if !args.ci {
        return Ok(None);
    }
    let spec = Bootstrap::new(
        args.resamples.unwrap_or(Bootstrap::DEFAULT_RESAMPLES),
        args.seed.unwrap_or(Bootstrap::DEFAULT_SEED),
    )
    .context("--resamples")?;
    Ok(Some(spec))
}

fn fmt_interval(i: Option<&Interval>) -> String {
    match i.map(|i| (i.low, i.high)) {
        Some((Some(low), Some(high))) => format!("[{low:.3}, {high:.3}]"),
        _ => "–".to_owned(),
    }
}

/// Prints an outcome as a table or as one JSON object.
pub fn print(cli: &Cli, o: &Outcome, out: &mut dyn Write) -> anyhow::Result<()> {
    if cli.json {
        return output::json(out, o);
    }
    output::pairs(out, &outcome_pairs(o))
}

/// An outcome's lines in the table form.
fn outcome_pairs(o: &Outcome) -> Vec<(&'static str, String)> {
    let value = o.value.map_or_else(
        || format!("undefined: {}", o.reason.as_deref().unwrap_or("")),
        |v| format!("{v:.6}"),
    );
    vec![
        ("metric", o.metric.to_string()),
        ("level", o.level.to_string()),
        ("value", value),
        ("units", o.units.to_string()),
        ("pairable units", o.pairable_units.to_string()),
        ("coders", o.coders.to_string()),
    ]
}

/// The coders to compare: those named, or every coder of the study but `consensus`, in the
/// order their first coding was added.
pub fn coders(study: &Study, args: &CodersArgs) -> anyhow::Result<Vec<CoderId>> {
    let mut seen = std::collections::HashSet::new();
    let in_order: Vec<CoderId> = study
        .codings()
        .iter()
        .filter(|c| seen.insert(&c.coder))
        .map(|c| c.coder.clone())
        .collect();
    choose_coders(&in_order, args)
}

/// [`coders`] among the coders of a study, given in the order of their first coding.
fn choose_coders(in_order: &[CoderId], args: &CodersArgs) -> anyhow::Result<Vec<CoderId>> {
    let coders: Vec<CoderId> = match &args.coders {
        Some(names) => {
            let mut v: Vec<CoderId> = Vec::new();
            for n in names {
                let c: CoderId = n.parse().context("--coders")?;
                anyhow::ensure!(!v.contains(&c), "--coders: `{c}` is named twice");
                anyhow::ensure!(in_order.contains(&c), "--coders: no codings by coder `{c}`");
                v.push(c);
            }
            v
        }
        None => in_order
            .iter()
            .filter(|c| c.as_str() != "consensus")
            .cloned()
            .collect(),
    };
    anyhow::ensure!(
        coders.len() >= 2,
        "agreement needs two or more coders; the study has {} ({})",
        coders.len(),
        coders
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(coders)
}

fn granularity(args: &CodersArgs) -> Granularity {
    if args.ignore_qualifiers {
        Granularity::Code
    } else {
        Granularity::CodeAndQualifiers
    }
}

fn fmt(o: &Outcome) -> String {
    o.value
        .map_or_else(|| "–".to_owned(), |v| format!("{v:.3}"))
}

/// `samskap agreement`: per code and overall, on units and on characters.
pub fn between_coders(
    cli: &Cli,
    args: &CodersArgs,
    version: Option<u32>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let store = super::open_store(cli)?;
    let id = super::study_id(cli, &store)?;
    let table = store.coding_table(&id, version)?;
    if let Some(v) = version {
        let fid = table.framework().id();
        let current = store.framework_version(fid)?;
        anyhow::ensure!(
            v <= current,
            "--version {v}: framework `{fid}` has versions 1 to {current} (`samskap framework log`)"
        );
        anyhow::ensure!(
            !table.codings().is_empty(),
            "--version {v}: no codings were made under version {v} of framework `{fid}`"
        );
    }
    let coders = choose_coders(table.coders(), args).with_context(|| match version {
        Some(v) => format!("--version {v}: among the codings made under that version"),
        None => "agreement".to_owned(),
    })?;
    // The dispatcher hands on the coders and the version; the bootstrap flags are read
    // from the parsed command itself.
    let spec = match &cli.command {
        Command::Agreement(a) => bootstrap(&a.bootstrap)?,
        _ => None,
    };
    let a = match &spec {
        Some(spec) => study_agreement_with_intervals(&table, &coders, granularity(args), spec),
        None => study_agreement(&table, &coders, granularity(args)),
    };
    warn_sparse(&coders, &a.coded, a.units);
    if cli.json {
        return output::json(out, &a);
    }
    let two = coders.len() == 2;
    let measure_cols = |m: &Measures| {
        let mut v = vec![fmt(&m.percent_agreement), fmt(&m.krippendorff_alpha)];
        if spec.is_some() {
            v.push(fmt_interval(m.alpha_interval.as_ref()));
        }
        if let Some(k) = &m.cohen_kappa {
            v.push(fmt(k));
        }
        v
    };
    let mut rows: Vec<Vec<String>> = a
        .per_code
        .iter()
        .map(|c| {
            let mut row = vec![
                c.key.to_string(),
                c.applied
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" / "),
            ];
            row.extend(measure_cols(&c.units));
            row.extend(measure_cols(&c.characters));
            row
        })
        .collect();
    let mut total = vec!["overall (pooled)".to_owned(), String::new()];
    total.extend(measure_cols(&a.overall.units));
    total.extend(measure_cols(&a.overall.characters));
    rows.push(total);
    let names = coders
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" / ");
    let mut header = vec!["code".to_owned(), format!("units by {names}")];
    for on in ["units", "chars"] {
        header.push(format!("{on}: agree"));
        header.push(format!("{on}: alpha"));
        if spec.is_some() {
            header.push(format!("{on}: alpha 95% CI"));
        }
        if two {
            header.push(format!("{on}: kappa"));
        }
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    output::table(out, &header, rows)?;
    writeln!(
        out,
        "{} meaning units and {} characters coded by {names} ({}); – where a measure is undefined (see --json for why)",
        a.units,
        a.characters,
        who_coded(&coders, &a.coded)
    )?;
    if let Some(spec) = &spec {
        writeln!(
            out,
            "alpha's 95% intervals: bootstrap of Hayes & Krippendorff (2007) as KALPHA draws it, {} resamples, seed {}; – where there is none (alpha undefined or 1)",
            spec.resamples(),
            spec.seed()
        )?;
    }
    Ok(())
}

/// `A coded 55, B 54, C 1`: meaning units per coder compared.
pub(super) fn who_coded(coders: &[CoderId], coded: &[usize]) -> String {
    coders
        .iter()
        .zip(coded)
        .enumerate()
        .map(|(i, (c, n))| {
            if i == 0 {
                format!("{c} coded {n}")
            } else {
                format!("{c} {n}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A warning on stderr for each coder compared who coded almost nothing (see
/// [`agreement::sparse_coders`]): their silence reads as disagreement on every unit the
/// others coded, which can sink a code's alpha without a word otherwise.
pub(super) fn warn_sparse(coders: &[CoderId], coded: &[usize], units: usize) {
    for i in agreement::sparse_coders(coded, units) {
        crate::warn(&format!(
            "coder `{}` coded {} of the {} compared ({:.0}%): each unit they left uncoded counts as a disagreement, so these figures say more about how much was coded than about the codebook",
            coders[i],
            coded[i],
            output::count(units, "meaning unit", "meaning units"),
            100.0 * coded[i] as f64 / units.max(1) as f64
        ));
    }
}

/// `samskap agreement disagreements`.
pub fn disagreements(cli: &Cli, args: &CodersArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let (_, study) = super::load(cli)?;
    let coders = coders(&study, args)?;
    let list = agreement::disagreements(&study, &coders, granularity(args));
    if cli.json {
        return output::json(out, &list);
    }
    let mut header = vec!["source".to_owned(), "unit".to_owned()];
    header.extend(coders.iter().map(ToString::to_string));
    let rows = list
        .iter()
        .map(|d| {
            let mut row = vec![d.source.to_string(), d.text.clone()];
            row.extend(d.by_coder.iter().map(|c| {
                let keys = &c.codes;
                if keys.is_empty() {
                    "(not coded)".to_owned()
                } else {
                    keys.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("\n")
                }
            }));
            row
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    if list.is_empty() {
        writeln!(out, "no units where the coders differ")?;
        return Ok(());
    }
    output::table(out, &header, rows)?;
    writeln!(
        out,
        "{} where the coders differ",
        output::count(list.len(), "unit", "units")
    )?;
    Ok(())
}
