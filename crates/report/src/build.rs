//! Building the report's blocks from a study.

use std::collections::BTreeSet;

use samskap_core::analysis::{self, Column, Filter, RowsBy};
use samskap_core::quoting::QuotedTexts;
use samskap_core::source::Voices;
use samskap_core::NO_ONE;
use samskap_core::{
    Code, CodeId, CodingTable, Consent, Framework, InformantId, Qualifiers, Role, Study,
};

use crate::doc::Doc;
use crate::Options;

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
        "Study `{}`. Framework: {} (`{}`{version}). Codings by coder `{}`. Quotes are shown only from informants whose consent is given, and never with an informant label, workplace or position.",
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

fn counts(study: &Study, table: &CodingTable, filter: &Filter, options: &Options, doc: &mut Doc) {
    doc.heading(2, "Counts: meaning units (informants)");
    let m = analysis::matrix(table, filter, RowsBy::Code, None);
    let consented = |col: &Column| {
        study
            .informants()
            .iter()
            .filter(|i| i.consent() == Consent::Given)
            .filter(|i| match col {
                Column::Group(g) => i.group() == Some(g),
                Column::Ungrouped => i.group().is_none(),
                Column::Total => true,
            })
            .map(|i| &i.id)
            .collect::<BTreeSet<&InformantId>>()
            .len()
    };
    // A column for a group of few informants, set beside quotes that are counted in it,
    // could tie a quote to a person in Table 1. Such groups are pooled; a pool that is
    // itself too small is left out, leaving only the total.
    let mut shown: Vec<(String, Vec<usize>)> = Vec::new();
    let mut pool: (Vec<usize>, usize) = (Vec::new(), 0);
    for (i, col) in m.columns.iter().enumerate() {
        match col {
            Column::Total => {}
            Column::Group(g) if consented(col) >= options.small_group => {
                let name = study
                    .groups()
                    .iter()
                    .find(|x| &x.id == g)
                    .map_or_else(|| g.to_string(), |x| x.name.clone());
                shown.push((name, vec![i]));
            }
            _ => {
                pool.0.push(i);
                pool.1 += consented(col);
            }
        }
    }
    let pooled = !pool.0.is_empty();
    if pooled && pool.1 >= options.small_group {
        shown.push(("Smaller groups, pooled".into(), pool.0));
    } else if pooled {
        // The total minus the shown groups would give the left-out pool back.
        shown.clear();
    }
    shown.push(("Total".into(), vec![m.columns.len() - 1]));

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
                // Units and informants of different groups are disjoint, so they add up.
                let units: usize = cols.iter().map(|&c| r.counts[c].units).sum();
                let informants: usize = cols.iter().map(|&c| r.counts[c].informants).sum();
                format!("{units} ({informants})")
            }));
            row
        })
        .collect();
    doc.table(&header, rows);
    if pooled {
        doc.para(format!(
            "Groups with fewer than {} informants with consent (and informants in no group) are pooled; when the pool is also that small, only the total is shown. No count can then tie a quote to a person.",
            options.small_group
        ));
    }
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
                let key = if by == AttendanceBy::Service && r.key == "-" {
                    "(no service)".to_owned()
                } else {
                    r.key
                };
                let mut row = vec![
                    key,
                    format!("{}/{}", r.present, r.recorded),
                    format!("{:.0} %", r.rate * 100.0),
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
            "{meetings} meeting{} recorded. Rates by service and by sector; services below {:.0} % are the ones that stayed away.",
            plural(meetings),
            options.attendance_threshold * 100.0
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
        for g in groups {
            let rows = pd_timeline(f, &g.id)
                .into_iter()
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

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
