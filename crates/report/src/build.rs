//! Building the report's blocks from a study.

use std::collections::BTreeSet;

use samskap_core::analysis::{self, Column, Filter, Matrix, RowsBy};
use samskap_core::quoting::QuotedTexts;
use samskap_core::source::Voices;
use samskap_core::NO_ONE;
use samskap_core::{
    Code, CodeId, CodingTable, Consent, Framework, InformantId, Qualifiers, Role, Study,
};

use crate::chart::{self, Caption};
use crate::doc::{Block, Doc, Figure};
use crate::{plural, Options};

/// The report's language, until reports take one (`--lang`).
const LANG: &str = "en";

/// A code's English label, with the Norwegian one beside it when it has a different one.
fn code_heading(c: &Code) -> String {
    let en = samskap_core::label_in(&c.label, LANG).unwrap_or(c.id.last());
    match c.label.get("nb") {
        Some(nb) if nb != en => format!("{en} ({nb})"),
        _ => en.to_owned(),
    }
}

/// The values of a coding's qualifiers, as a row label: `Barrier`, `Group, barrier`; for
/// codings with none, `All codings` where the code takes no qualifier, and `Without a level`
/// where it takes one that these codings were not given.
fn values_label(framework: &Framework, code: &CodeId, q: &Qualifiers) -> String {
    if q.is_empty() {
        let declared: Vec<String> = framework
            .qualifiers_of(code)
            .map(|d| {
                samskap_core::label_in(&d.label, LANG)
                    .unwrap_or(d.id.as_str())
                    .to_lowercase()
            })
            .collect();
        return if declared.is_empty() {
            "All codings".into()
        } else {
            format!("Without a {}", declared.join(" or "))
        };
    }
    let values: Vec<&str> = q.iter().map(|(_, v)| v.as_str()).collect();
    capitalise(&values.join(", "))
}

/// Builds the report of a study as seen through `options`, from its record and its codings:
/// `study` gives the head, people, transcripts, memos and facilitation record (its meaning
/// units and codings, if it holds any, are not read), and `table` the units and codings
/// (made from the same study: [`CodingTable::of`], or read from a store beside the record).
/// Only the few quotes shown have their words read, so a report of a million codings reads
/// no more text than one of a hundred.
pub fn build(study: &Study, table: &CodingTable, options: &Options) -> Doc {
    let meta = study.meta();
    let mut doc = Doc {
        title: meta.title.clone(),
        // On every page, before anything that could be read as a finding.
        banner: meta.provenance.notice().map(str::to_owned),
        ..Doc::default()
    };
    doc.heading(1, &meta.title);
    if let Some(q) = &meta.research_question {
        doc.para(format!("Research question: {q}"));
    }
    if let Some(m) = &meta.method {
        doc.para(format!("Method: {m}"));
    }
    let fw = study.framework().meta();
    let version = options
        .framework_version
        .map_or_else(String::new, |v| format!(", version {v}"));
    doc.para(format!(
        "Study {}. Framework: {} ({}{version}). Codings by coder {}. Quotes are shown only from informants whose consent is given, and never with an informant label, workplace or position.",
        meta.id,
        study.framework().label(LANG),
        fw.id,
        options.coder
    ));

    let filter = Filter {
        coder: Some(options.coder.clone()),
        consented_only: true,
        ..Filter::default()
    };
    table1(study, &mut doc);
    table2(study, table, &filter, options, &mut doc);
    table3(study, table, &mut doc);
    counts(study, table, &filter, options, &mut doc);
    agreement(study, table, options, &mut doc);
    facilitation(study, options, &mut doc);
    doc
}

fn table1(study: &Study, doc: &mut Doc) {
    doc.heading(2, "Table 1: Informants");
    let rows = study
        .informants()
        .iter()
        .map(|i| match &i.details {
            None => vec![
                i.id.to_string(),
                "–".into(),
                "–".into(),
                "–".into(),
                "–".into(),
                "–".into(),
                Consent::Withdrawn.as_str().into(),
            ],
            Some(d) => vec![
                i.id.to_string(),
                match d.role {
                    Role::Participant => "participant".into(),
                    Role::Facilitator => "facilitator".into(),
                },
                d.group
                    .as_ref()
                    .and_then(|g| study.groups().iter().find(|x| &x.id == g))
                    .map_or_else(|| "–".into(), |g| g.name.clone()),
                d.workplace.clone().unwrap_or_else(|| "–".into()),
                d.position.clone().unwrap_or_else(|| "–".into()),
                d.interview_date
                    .map_or_else(|| "–".into(), |x| x.format("%Y-%m").to_string()),
                i.consent().as_str().into(),
            ],
        })
        .collect();
    doc.table(
        &[
            "Informant",
            "Role",
            "Group",
            "Workplace",
            "Position",
            "Interviewed",
            "Consent",
        ],
        rows,
    );
}

fn table2(study: &Study, table: &CodingTable, filter: &Filter, options: &Options, doc: &mut Doc) {
    doc.heading(2, "Table 2: Codes and example meaning units");
    let examples = analysis::examples(table, filter, options.examples);
    // Each code's examples, in the order the analysis gives them (by qualifier values).
    let mut by_code: std::collections::HashMap<&CodeId, Vec<&analysis::Examples>> =
        std::collections::HashMap::new();
    for e in &examples {
        by_code.entry(&e.code).or_default().push(e);
    }
    let framework = study.framework();
    for code in framework.codes() {
        let depth = code.id.depth();
        doc.heading((2 + depth).min(6) as u8, code_heading(code));
        let has_children = framework.children(&code.id).next().is_some();
        let Some(list) = by_code.get(&code.id) else {
            // A code with codes under it is a heading for them; a leaf says it has nothing.
            if !has_children {
                doc.para("No meaning units coded.");
            }
            continue;
        };
        for e in list {
            let label = values_label(framework, &code.id, &e.qualifiers);
            let (n, s) = (e.total, plural(e.total));
            // Units of a document, of minutes or of the interviewer are no one's words.
            doc.para(match e.informants {
                0 if n == 1 => format!("{label}: 1 meaning unit, not tied to an informant."),
                0 => format!("{label}: {n} meaning units, none of them tied to an informant."),
                k => format!(
                    "{label}: {n} meaning unit{s} from {k} informant{}.",
                    plural(k)
                ),
            });
            for &u in &e.units {
                if let Some(q) = table.unit_text(study, u) {
                    doc.quote(unlabelled(study, table, u, q));
                }
            }
        }
    }
}

/// A quote that spans speaker turns, with each turn's label replaced by a dash: labels say
/// who spoke, and a report never puts a speaker beside a quote.
fn unlabelled(study: &Study, table: &CodingTable, unit: u32, quote: &str) -> String {
    let source = &table.sources()[table.units()[unit as usize].source as usize];
    let Some((s, _)) = study.source(&source.id) else {
        return quote.to_owned();
    };
    if s.speakers.is_empty() {
        return quote.to_owned();
    }
    quote
        .split_inclusive('\n')
        .enumerate()
        .map(|(k, line)| {
            // The first line may start mid-turn; a label begins only a line of its own.
            let label = (k > 0)
                .then(|| line.split_once(':'))
                .flatten()
                .filter(|(head, _)| s.speakers.iter().any(|(l, _)| l == head));
            match label {
                Some((_, rest)) => format!("–{rest}"),
                None => line.to_owned(),
            }
        })
        .collect()
}

/// For each memo of the study, whether it quotes an informant whose words the report may
/// not show (consent pending). The memos are indexed once and each such informant's
/// transcript read once, with the texts of that informant's units only.
fn withheld_memos(study: &Study, table: &CodingTable) -> Vec<bool> {
    let mut withheld = vec![false; study.memos().len()];
    let pending: Vec<bool> = table
        .informants()
        .iter()
        .map(|i| i.consent() == Consent::Pending)
        .collect();
    if withheld.is_empty() || !pending.contains(&true) {
        return withheld;
    }
    // A source in which a pending informant speaks is read whole (a shared source's other
    // speakers' words too: a memo that quotes them is withheld with it, never shown wrongly).
    let speaks = |v: &Voices<u32>| match v {
        Voices::Everyone(all) => all.iter().any(|&i| pending[i as usize]),
        Voices::Turns(turns) => turns
            .iter()
            .any(|&(_, who)| who.is_some_and(|i| pending[i as usize])),
    };
    let mut units: Vec<Vec<u32>> = vec![Vec::new(); table.sources().len()];
    for (at, u) in table.units().iter().enumerate() {
        if table
            .voices(at as u32)
            .iter()
            .any(|&v| v != NO_ONE && pending[v as usize])
        {
            units[u.source as usize].push(at as u32);
        }
    }
    let memos = QuotedTexts::new(study.memos().iter().map(|m| m.text.as_str()));
    for (k, source) in table.sources().iter().enumerate() {
        if !speaks(&source.voices) {
            continue;
        }
        let Some(t) = study.transcript(&source.id) else {
            continue;
        };
        let texts = units[k].iter().filter_map(|&u| table.unit_text(study, u));
        for (w, quoting) in withheld.iter_mut().zip(memos.quoting(t, texts)) {
            *w |= quoting;
        }
    }
    withheld
}

fn table3(study: &Study, table: &CodingTable, doc: &mut Doc) {
    doc.heading(2, "Table 3: Summary of findings");
    let withheld = withheld_memos(study, table);
    let framework = study.framework();
    let mut rows = Vec::new();
    for top in framework.roots() {
        // The top code's own row when it is coded alone (no codes under it) or has memos;
        // then every code under it, indented by depth.
        let under: Vec<&Code> = framework
            .codes()
            .iter()
            .filter(|c| c.id != top.id && c.id.is_within(&top.id))
            .collect();
        let own_memos = study
            .memos()
            .iter()
            .any(|m| m.code.as_ref() == Some(&top.id));
        let listed: Vec<&Code> = if under.is_empty() || own_memos {
            std::iter::once(top).chain(under).collect()
        } else {
            under
        };
        for (i, c) in listed.into_iter().enumerate() {
            let summary: Vec<&str> = study
                .memos()
                .iter()
                .zip(&withheld)
                .filter(|(m, _)| m.code.as_ref() == Some(&c.id))
                .map(|(m, &withheld)| {
                    if withheld {
                        "(withheld: this summary quotes an informant whose consent is pending)"
                    } else {
                        m.text.as_str()
                    }
                })
                .collect();
            let first = i == 0;
            rows.push(vec![
                if first {
                    framework.code_label(&top.id, LANG)
                } else {
                    String::new()
                },
                if first {
                    top.definition.clone()
                } else {
                    String::new()
                },
                format!(
                    "{}{}",
                    "› ".repeat(c.id.depth().saturating_sub(2)),
                    framework.code_label(&c.id, LANG)
                ),
                if summary.is_empty() {
                    "–".into()
                } else {
                    summary.join("\n\n")
                },
            ]);
        }
    }
    doc.table(&["Category", "Definition", "Code", "Summary"], rows);
}

/// The columns the counts show, each a title and the matrix columns it adds up, the total
/// last; and whether small groups were pooled (or left out).
///
/// A column for a group of few informants, set beside quotes that are counted in it, could
/// tie a quote to a person in Table 1. Groups are published by core's disclosure rule
/// ([`samskap_core::disclosure::breakdown`], with k = `small_group`): those of fewer
/// informants with consent are pooled, a pool still below k takes the smallest shown group
/// with it, and a group of no one is left out. The counts table and every chart of the same
/// counts show these columns and no others.
fn shown_columns(
    study: &Study,
    m: &Matrix,
    small_group: usize,
) -> (Vec<(String, Vec<usize>)>, bool) {
    // Informants with consent per group (None: in no group), counted once.
    let mut sizes: std::collections::HashMap<
        Option<&samskap_core::GroupId>,
        BTreeSet<&InformantId>,
    > = std::collections::HashMap::new();
    for i in study
        .informants()
        .iter()
        .filter(|i| i.consent() == Consent::Given)
    {
        sizes.entry(i.group()).or_default().insert(&i.id);
    }
    let size = |g: Option<&samskap_core::GroupId>| sizes.get(&g).map_or(0, BTreeSet::len);
    let classes: Vec<(usize, usize)> = m
        .columns
        .iter()
        .enumerate()
        .filter_map(|(i, col)| match col {
            Column::Total => None,
            Column::Group(g) => Some((i, size(Some(g)))),
            Column::Ungrouped => Some((i, size(None))),
        })
        .collect();
    let b = samskap_core::disclosure::breakdown(&classes, small_group);
    let names: std::collections::HashMap<&samskap_core::GroupId, &str> = study
        .groups()
        .iter()
        .map(|g| (&g.id, g.name.as_str()))
        .collect();
    let mut shown: Vec<(String, Vec<usize>)> = b
        .shown
        .iter()
        .map(|&i| {
            let name = match &m.columns[i] {
                Column::Group(g) => names
                    .get(g)
                    .map_or_else(|| g.to_string(), |n| (*n).to_owned()),
                _ => "In no group".to_owned(),
            };
            (name, vec![i])
        })
        .collect();
    if !b.pooled.is_empty() {
        shown.push(("Smaller groups, pooled".into(), b.pooled.clone()));
    }
    shown.push(("Total".into(), vec![m.columns.len() - 1]));
    (shown, b.suppressed())
}

/// A row's count in a shown column: units and informants of different groups are disjoint,
/// so they add up.
fn count_in(r: &analysis::Row, cols: &[usize]) -> (usize, usize) {
    (
        cols.iter().map(|&c| r.counts[c].units).sum(),
        cols.iter().map(|&c| r.counts[c].informants).sum(),
    )
}

fn counts(study: &Study, table: &CodingTable, filter: &Filter, options: &Options, doc: &mut Doc) {
    doc.heading(2, "Counts: meaning units (informants)");
    let m = analysis::matrix(table, filter, RowsBy::Code, None);
    let (shown, pooled) = shown_columns(study, &m, options.small_group);

    // The qualifier the rows are split by, if any; a row with no value holds all codings
    // of its code (and of the codes under it).
    let qualifier = m
        .qualifier
        .as_ref()
        .and_then(|q| study.framework().qualifier(q))
        .map(|q| {
            samskap_core::label_in(&q.label, LANG)
                .unwrap_or(q.id.as_str())
                .to_owned()
        });
    let mut header: Vec<&str> = vec!["Code"];
    if let Some(q) = &qualifier {
        header.push(q);
    }
    header.extend(shown.iter().map(|(name, _)| name.as_str()));
    let rows = m
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![r.key.clone()];
            if qualifier.is_some() {
                row.push(
                    r.value
                        .as_ref()
                        .map_or_else(|| "all codings".to_owned(), ToString::to_string),
                );
            }
            row.extend(shown.iter().map(|(_, cols)| {
                let (units, informants) = count_in(r, cols);
                format!("{units} ({informants})")
            }));
            row
        })
        .collect();
    doc.table(&header, rows);
    if let Some(f) = polarity_chart(study, &m, doc) {
        figure(doc, f);
    }
    if let Some(f) = codes_by_group_chart(study, &m, &shown, doc) {
        figure(doc, f);
    }
    if pooled {
        doc.para(format!(
            "Groups with fewer than {} informants with consent (and informants in no group, when they are that few) are pooled; when the pool is also that small, the smallest group shown joins it. No count can then tie a quote to a person.",
            options.small_group
        ));
    }
}

/// Adds a chart after what is already in the report.
/// Agreement between the coders other than `consensus`, when there are two or more: alpha
/// per code and pooled, on meaning units and on characters, each with its bootstrapped 95 %
/// interval and the chance of failing 0.667 and 0.8 (Hayes & Krippendorff 2007), and a chart
/// of the per-code intervals on units.
fn agreement(study: &Study, table: &CodingTable, options: &Options, doc: &mut Doc) {
    use samskap_core::agreement::{study_agreement_with_intervals, Bootstrap, Granularity};
    let coders: Vec<samskap_core::CoderId> = table
        .coders()
        .iter()
        .filter(|c| c.as_str() != "consensus")
        .cloned()
        .collect();
    if coders.len() < 2 {
        return;
    }
    let a = study_agreement_with_intervals(
        table,
        &coders,
        Granularity::CodeAndQualifiers,
        &Bootstrap::default(),
    );
    doc.heading(2, "Agreement between coders");
    let version = options
        .framework_version
        .map_or_else(String::new, |v| format!(" (version {v})"));
    doc.para(format!(
        "Coders {} on {} meaning units and {} characters, under the codebook {}{version}. Krippendorff's alpha (nominal) per code and value, and pooled over every code; each with a 95 % interval from 10,000 bootstrap resamples (Hayes and Krippendorff 2007; seed 2007), and q, the share of resamples below 0.667 and 0.8. An interval is missing where alpha is undefined or 1. The bootstrap draws at most 25 pairs per cell of the coincidence matrix, so a rare code's interval stays wide however many units there are: read q beside it.",
        coders.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
        a.units,
        a.characters,
        study.framework().meta().id,
    ));
    let number = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| format!("{v:.3}"));
    let cells = |m: &samskap_core::agreement::Measures| {
        let i = m.alpha_interval.as_ref();
        let q = |min: f64| {
            i.and_then(|i| i.q_below.iter().find(|f| (f.alpha_min - min).abs() < 1e-9))
                .map_or_else(|| "–".to_owned(), |f| format!("{:.2}", f.q))
        };
        vec![
            number(m.krippendorff_alpha.value),
            match i.and_then(|i| i.low.zip(i.high)) {
                Some((lo, hi)) => format!("{lo:.3} – {hi:.3}"),
                None => "–".to_owned(),
            },
            q(0.667),
            q(0.8),
        ]
    };
    let header = [
        "Code",
        "Units coded (each coder)",
        "Alpha, units",
        "95 % interval",
        "q below 0.667",
        "q below 0.8",
        "Alpha, characters",
        "95 % interval",
    ];
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
            row.extend(cells(&c.units));
            let chars = cells(&c.characters);
            row.extend([chars[0].clone(), chars[1].clone()]);
            row
        })
        .collect();
    let mut pooled = vec!["All codes, pooled".to_owned(), String::new()];
    pooled.extend(cells(&a.overall.units));
    let chars = cells(&a.overall.characters);
    pooled.extend([chars[0].clone(), chars[1].clone()]);
    rows.push(pooled);
    doc.blocks.push(Block::Table {
        caption: Some(
            "Agreement per code: Krippendorff's alpha over meaning units and over characters"
                .into(),
        ),
        header: header.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    });
    let shown: Vec<chart::Interval> = a
        .per_code
        .iter()
        .map(|c| {
            let i = c.units.alpha_interval.as_ref();
            chart::Interval {
                label: c.key.to_string(),
                estimate: c.units.krippendorff_alpha.value.unwrap_or(f64::NAN),
                low: i.and_then(|i| i.low).unwrap_or(f64::NAN),
                high: i.and_then(|i| i.high).unwrap_or(f64::NAN),
            }
        })
        .collect();
    if shown.iter().any(|r| r.estimate.is_finite()) {
        let defined = shown.iter().filter(|r| r.estimate.is_finite()).count();
        let low = shown
            .iter()
            .filter(|r| r.estimate.is_finite())
            .min_by(|a, b| a.estimate.total_cmp(&b.estimate))
            .expect("one is defined");
        let description = format!(
            "Krippendorff's alpha over meaning units for {defined} of {} codes with their 95 % bootstrap intervals; the lowest is {} at {:.3}. Pooled over every code, alpha is {}.",
            shown.len(),
            low.label,
            low.estimate,
            number(a.overall.units.krippendorff_alpha.value),
        );
        let f = chart::intervals(
            Caption {
                name: figure_name(doc, "agreement per code"),
                title: "Agreement per code: Krippendorff's alpha over meaning units, with 95 % intervals".into(),
                description,
            },
            &chart::Intervals {
                // From 0, or lower where an alpha or a bound is below it (alpha ≥ −1).
                from: shown
                    .iter()
                    .flat_map(|r| [r.estimate, r.low])
                    .filter(|v| v.is_finite())
                    .fold(0.0_f64, f64::min)
                    .max(-1.0),
                rows: shown,
                to: 1.0,
                marks: vec![(0.667, "0.667".into()), (0.8, "0.8".into())],
            },
        );
        figure(doc, f);
    }
}

fn figure(doc: &mut Doc, f: Figure) {
    doc.blocks.push(Block::Figure(f));
}

/// The name of the next figure of `doc`: `fig-<n>-<what>`, unique in the report.
fn figure_name(doc: &Doc, what: &str) -> String {
    format!(
        "fig-{}-{}",
        doc.figures().count() + 1,
        samskap_core::slug(what, "chart")
    )
}

/// A label in the report's language, or the id.
fn label_or<'a>(labels: &'a samskap_core::Labels, id: &'a str) -> &'a str {
    samskap_core::label_in(labels, LANG).unwrap_or(id)
}

/// Bars of the two values of the framework's first qualifier (barrier and opportunity) per
/// top-level category, from the counts' total column. Only a qualifier of two values
/// contrasts two sides as barrier and opportunity do; with none, or one of other values
/// (levels), there is no such chart to draw, and none is.
fn polarity_chart(study: &Study, m: &Matrix, doc: &Doc) -> Option<Figure> {
    let framework = study.framework();
    let q = framework.qualifier(m.qualifier.as_ref()?)?;
    let [a, b] = q.values.as_slice() else {
        return None;
    };
    let names = [a, b].map(|v| label_or(&v.label, v.id.as_str()).to_lowercase());
    let total = m.columns.len() - 1;
    let mut rows = Vec::new();
    let mut said = Vec::new();
    for top in framework.roots() {
        let key = top.id.to_string();
        let of = |value: Option<&samskap_core::ValueId>| {
            m.rows
                .iter()
                .find(|r| r.key == key && r.value.as_ref() == value)
                .map(|r| r.counts[total].units)
        };
        // A category the qualifier does not reach has no rows by value.
        let (Some(x), Some(y)) = (of(Some(&a.id)), of(Some(&b.id))) else {
            continue;
        };
        let all = of(None).unwrap_or(0);
        let label = framework.code_label(&top.id, LANG);
        said.push(format!(
            "{label}: {x} {}, {y} {}, of {all} in all",
            names[0], names[1]
        ));
        rows.push(chart::BarRow {
            label,
            values: vec![x as f64, y as f64],
        });
    }
    if rows.is_empty() {
        return None;
    }
    let qualifier = label_or(&q.label, q.id.as_str()).to_lowercase();
    let title = format!(
        "{} and {} per category: meaning units",
        capitalise(&names[0]),
        names[1]
    );
    let description = format!(
        "Meaning units coded {} and {} in each top-level category (with the codes under it), all groups together, as in the counts table's total column. {}.{}",
        names[0],
        names[1],
        said.join("; "),
        if q.required {
            String::new()
        } else {
            format!(" Meaning units without a {qualifier} are in the totals only.")
        }
    );
    Some(chart::bars(
        Caption {
            name: figure_name(doc, &format!("{} by category", q.id)),
            title,
            description,
        },
        &chart::Bars {
            series: names.to_vec(),
            rows,
            note: (!q.required)
                .then(|| format!("Meaning units without a {qualifier} are not drawn.")),
        },
    ))
}

/// The most groups a chart is drawn for one by one (a PD timeline each) or side by side
/// (the codes-by-group heatmap's columns). A national programme's hundred groups make a
/// hundred charts no one reads, and drawing each for the Word file is most of the time a
/// large report takes; the tables still list every group.
const MAX_CHARTED_GROUPS: usize = 12;

/// A heatmap of meaning units per code (all codings, the codes under it included) in the
/// columns the counts table shows. With fewer than two columns besides the total (a single
/// group or pool, which the total repeats) there is nothing to compare, and no chart; with
/// more than [`MAX_CHARTED_GROUPS`], neither.
fn codes_by_group_chart(
    study: &Study,
    m: &Matrix,
    shown: &[(String, Vec<usize>)],
    doc: &Doc,
) -> Option<Figure> {
    if shown.len() < 3 || shown.len() - 1 > MAX_CHARTED_GROUPS {
        return None;
    }
    let framework = study.framework();
    let all: Vec<&analysis::Row> = m.rows.iter().filter(|r| r.value.is_none()).collect();
    let mut said = Vec::new();
    let rows: Vec<chart::HeatRow> = all
        .iter()
        .filter_map(|r| {
            let code = framework.code(&r.key.parse().ok()?)?;
            let label = framework.code_label(&code.id, LANG);
            let cells: Vec<usize> = shown.iter().map(|(_, cols)| count_in(r, cols).0).collect();
            if code.id.depth() == 1 {
                // The total is last; the number comes first, as group names may end in one.
                let parts: Vec<String> = shown
                    .iter()
                    .zip(&cells)
                    .enumerate()
                    .map(|(k, ((name, _), n))| {
                        if k + 1 == shown.len() {
                            format!("{n} in all")
                        } else {
                            format!("{n} in {name}")
                        }
                    })
                    .collect();
                said.push(format!("{label}: {}", parts.join("; ")));
            }
            Some(chart::HeatRow {
                label,
                depth: code.id.depth().saturating_sub(1),
                cells: cells.into_iter().map(|n| Some(n as f64)).collect(),
            })
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let columns: Vec<String> = shown.iter().map(|(name, _)| name.clone()).collect();
    let description = format!(
        "Meaning units per code, with the codes under it, in the columns of the counts table ({}). By top-level category: {}.",
        columns.join("; "),
        said.join(". ")
    );
    Some(chart::heatmap(
        Caption {
            name: figure_name(doc, "codes by group"),
            title: "Codes by group: meaning units".into(),
            description,
        },
        &chart::Heatmap {
            columns,
            rows,
            values: chart::Values::Counts,
            empty: String::new(),
        },
    ))
}

/// The facilitation record, when there is one: composition, attendance by service and
/// sector (never by person), contacts across sectors, each group's PD path, actions.
fn facilitation(study: &Study, options: &Options, doc: &mut Doc) {
    use samskap_core::facilitation::{
        attendance_rates, composition, contacts_by_group, pd_timeline, AttendanceBy,
    };
    let f = study.facilitation();
    if f == &samskap_core::facilitation::Facilitation::default() {
        return;
    }
    let group_name = |g: &samskap_core::GroupId| {
        study
            .groups()
            .iter()
            .find(|x| &x.id == g)
            .map_or_else(|| g.to_string(), |x| x.name.clone())
    };
    doc.heading(2, "Facilitation");
    let rows: Vec<Vec<String>> = composition(study)
        .into_iter()
        .filter(|c| c.members > 0)
        .map(|c| {
            vec![
                group_name(&c.group),
                c.members.to_string(),
                c.sectors
                    .iter()
                    .map(|(s, n)| format!("{} {n}", s.as_str()))
                    .collect::<Vec<_>>()
                    .join(", "),
                c.youth.to_string(),
                c.pd_youth.to_string(),
                c.blau.map_or_else(|| "–".into(), |b| format!("{b:.2}")),
            ]
        })
        .collect();
    // A record of meetings alone (minutes' meetings, say) has no members to compose.
    if !rows.is_empty() {
        doc.heading(3, "Composition of the groups");
        doc.table(
            &[
                "Group",
                "Members",
                "Sectors",
                "Youth",
                "PD youth",
                "Blau index (sectors)",
            ],
            rows,
        );
    }
    let rate_rows = |by| {
        attendance_rates(study, f, by, None)
            .into_iter()
            .map(|r| {
                let away = r.rate < options.attendance_threshold;
                let key = if by == AttendanceBy::Service {
                    service_label(&r.key)
                } else {
                    r.key
                };
                let mut row = vec![
                    key,
                    format!("{}/{}", r.present, r.recorded),
                    percent(r.rate),
                ];
                if by == AttendanceBy::Service {
                    row.push(if away {
                        "stayed away".into()
                    } else {
                        String::new()
                    });
                }
                row
            })
            .collect::<Vec<_>>()
    };
    let meetings = f.meetings().len();
    let recorded = f.meetings().iter().any(|(_, a)| !a.is_empty());
    if meetings > 0 && !recorded {
        doc.heading(3, "Attendance");
        doc.para(format!(
            "{meetings} meeting{} recorded, without attendance.",
            plural(meetings)
        ));
    } else if meetings > 0 {
        doc.heading(3, "Attendance");
        doc.para(format!(
            "{meetings} meeting{} recorded. Rates by service and by sector; services below {} are the ones that stayed away.",
            plural(meetings),
            percent(options.attendance_threshold)
        ));
        doc.table(
            &["Service", "Present/recorded", "Rate", ""],
            rate_rows(AttendanceBy::Service),
        );
        doc.table(
            &["Sector", "Present/recorded", "Rate"],
            rate_rows(AttendanceBy::Sector),
        );
        doc.table(
            &["Month", "Present/recorded", "Rate"],
            rate_rows(AttendanceBy::Month),
        );
        if let Some(f) = attendance_chart(study, options, doc) {
            figure(doc, f);
        }
    }
    let contacts = contacts_by_group(study, f);
    if !contacts.is_empty() {
        doc.heading(3, "New contacts");
        doc.table(
            &["Group", "Contacts", "Across sectors"],
            contacts
                .into_iter()
                .map(|c| {
                    let name = c
                        .key
                        .parse()
                        .map_or_else(|_| c.key.clone(), |g| group_name(&g));
                    vec![name, c.contacts.to_string(), c.cross_sector.to_string()]
                })
                .collect(),
        );
    }
    let groups: Vec<&samskap_core::ResourceGroup> = study
        .groups()
        .iter()
        .filter(|g| f.moves().iter().any(|m| m.group == g.id))
        .collect();
    if !groups.is_empty() {
        doc.heading(3, "The PD process");
        // One axis for every group's chart, so they can be set side by side: from the
        // first move to the last thing recorded (a meeting or a move).
        let first = f.moves().iter().map(|m| m.date).min();
        let last = f
            .moves()
            .iter()
            .map(|m| m.date)
            .chain(f.meetings().iter().map(|(m, _)| m.date))
            .max();
        let charted = groups.len() <= MAX_CHARTED_GROUPS;
        if !charted {
            doc.para(format!(
                "{} groups moved through the PD process: each group's steps are in its table; timelines are charted for at most {MAX_CHARTED_GROUPS} groups.",
                groups.len()
            ));
        }
        for g in groups {
            let timeline = pd_timeline(f, &g.id);
            let rows = timeline
                .iter()
                .map(|t| {
                    vec![
                        t.phase.label().to_owned(),
                        t.step.label().to_owned(),
                        t.entered.to_string(),
                        t.left.map_or_else(|| "…".into(), |d| d.to_string()),
                        if t.back { "back".into() } else { String::new() },
                    ]
                })
                .collect();
            doc.para(group_name(&g.id));
            doc.table(&["Phase", "Step", "Entered", "Left", ""], rows);
            if let (true, Some(first), Some(last)) = (charted, first, last) {
                let chart = pd_chart(&group_name(&g.id), &g.id, &timeline, first, last, doc);
                figure(doc, chart);
            }
        }
    }
    if !f.actions().is_empty() {
        doc.heading(3, "Trial actions and interventions");
        let rows = f
            .actions()
            .iter()
            .map(|a| {
                vec![
                    group_name(&a.group),
                    a.title.clone(),
                    a.state().to_string(),
                    a.history
                        .iter()
                        .map(|t| format!("{} {}", t.state, t.date))
                        .collect::<Vec<_>>()
                        .join(" → "),
                ]
            })
            .collect();
        doc.table(&["Group", "Action", "State", "History"], rows);
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// A service as the report names it: members with none count under `-` in the record.
fn service_label(key: &str) -> String {
    if key == "-" {
        "(no service)".to_owned()
    } else {
        key.to_owned()
    }
}

/// A rate (0–1) as the report prints it: a whole percentage.
fn percent(rate: f64) -> String {
    format!("{:.0} %", rate * 100.0)
}

/// Attendance per service and month as shares of the recorded attendances (every group's
/// meetings together): never by person, as in the tables above it.
fn attendance_chart(study: &Study, options: &Options, doc: &Doc) -> Option<Figure> {
    use samskap_core::facilitation::{attendance_by_month, attendance_rates, AttendanceBy};
    let f = study.facilitation();
    let grid = attendance_by_month(study, f, AttendanceBy::Service, None);
    if grid.months.is_empty() {
        return None;
    }
    let away: Vec<String> = attendance_rates(study, f, AttendanceBy::Service, None)
        .into_iter()
        .filter(|r| r.rate < options.attendance_threshold)
        .map(|r| format!("{} {}", service_label(&r.key), percent(r.rate)))
        .collect();
    let months = attendance_rates(study, f, AttendanceBy::Month, None);
    let low = months.iter().min_by(|a, b| a.rate.total_cmp(&b.rate))?;
    let high = months.iter().max_by(|a, b| a.rate.total_cmp(&b.rate))?;
    let gaps = grid.cells.iter().flatten().filter(|c| c.is_none()).count();
    let mut description = format!(
        "Share of recorded attendances (present out of present, absent or excused) per service and calendar month, {} services by {} months from {} to {}, all groups' meetings together. ",
        grid.keys.len(),
        grid.months.len(),
        grid.months[0],
        grid.months[grid.months.len() - 1],
    );
    if away.is_empty() {
        description += &format!(
            "No service is below {} over the whole record. ",
            percent(options.attendance_threshold)
        );
    } else {
        description += &format!(
            "Below {} over the whole record: {}. ",
            percent(options.attendance_threshold),
            away.join(", ")
        );
    }
    description += &format!(
        "By month, from {} in {} to {} in {}.",
        percent(low.rate),
        low.key,
        percent(high.rate),
        high.key
    );
    if gaps > 0 {
        description += &format!(
            " {gaps} hatched cell{} where a service had no attendance recorded that month.",
            plural(gaps)
        );
    }
    Some(chart::heatmap(
        Caption {
            name: figure_name(doc, "attendance by service and month"),
            title: "Attendance by service and month: share of recorded attendances".into(),
            description,
        },
        &chart::Heatmap {
            columns: grid.months.clone(),
            rows: grid
                .keys
                .iter()
                .zip(&grid.cells)
                .map(|(k, cells)| chart::HeatRow {
                    label: service_label(k),
                    depth: 0,
                    cells: cells.iter().map(|c| c.and_then(|t| t.rate())).collect(),
                })
                .collect(),
            values: chart::Values::Shares,
            empty: "no attendance recorded".into(),
        },
    ))
}

/// A group's path through the PD steps over dates, from `first` to `last` (the record's
/// first move and last date, the same for every group).
fn pd_chart(
    name: &str,
    group: &samskap_core::GroupId,
    timeline: &[samskap_core::facilitation::TimelineEntry],
    first: samskap_core::NaiveDate,
    last: samskap_core::NaiveDate,
    doc: &Doc,
) -> Figure {
    use samskap_core::facilitation::{PdStep, Phase};
    let kinds = Phase::ALL
        .iter()
        .map(|p| {
            let steps: Vec<usize> = (1..)
                .zip(PdStep::ALL)
                .filter(|(_, s)| s.phase() == *p)
                .map(|(k, _)| k)
                .collect();
            match steps.as_slice() {
                [one] => format!("{} (step {one})", p.label()),
                [a, .., b] => format!("{} (steps {a}–{b})", p.label()),
                [] => p.label().to_owned(),
            }
        })
        .collect();
    let stays = timeline
        .iter()
        .map(|t| chart::Stay {
            lane: PdStep::ALL.iter().position(|s| *s == t.step).unwrap_or(0),
            kind: Phase::ALL.iter().position(|p| *p == t.phase).unwrap_or(0),
            from: t.entered,
            to: t.left,
        })
        .collect();
    let said: Vec<String> = timeline
        .iter()
        .map(|t| {
            let back = if t.back { "back to " } else { "" };
            match t.left {
                Some(left) => format!("{back}{} from {} to {left}", t.step.label(), t.entered),
                None if t.entered == last => format!(
                    "{back}{} from {}, the last date recorded",
                    t.step.label(),
                    t.entered
                ),
                None => format!(
                    "{back}{} from {}, with no later move recorded up to {last}",
                    t.step.label(),
                    t.entered
                ),
            }
        })
        .collect();
    chart::timeline(
        Caption {
            name: figure_name(doc, &format!("pd process {group}")),
            title: format!("{name}: PD steps over time, from entering each to leaving it"),
            description: format!(
                "The path of {name} through the six Positive Deviance steps, one lane per step: {}.",
                said.join("; ")
            ),
        },
        &chart::Timeline {
            lanes: PdStep::ALL.iter().map(|s| s.label().to_owned()).collect(),
            kinds,
            stays,
            start: first,
            end: last,
            open: format!("no later move recorded up to {last}"),
        },
    )
}
