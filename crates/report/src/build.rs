//! Building the report's blocks from a study.

use std::collections::{BTreeSet, HashMap};

use samskap_core::analysis::{self, Column, Filter, Matrix, RowsBy};
use samskap_core::quoting::QuotedTexts;
use samskap_core::source::Voices;
use samskap_core::NO_ONE;
use samskap_core::{Code, CodeId, CodingTable, Consent, Framework, InformantId, Study};

use crate::chart::{self, Caption};
use crate::doc::{Block, Doc, Figure, Lang};
use crate::Options;

/// A code's label in the report's language, indented by `› ` for each level it sits below
/// `level` (1: the main themes, 2: the subthemes).
fn indented(framework: &Framework, code: &CodeId, level: usize, l: Lang) -> String {
    format!(
        "{}{}",
        "› ".repeat(code.depth().saturating_sub(level)),
        framework.code_label(code, l.tag())
    )
}

/// A value of a qualifier in the report's language (`barrier`, `barriere`), or its id.
fn value_label(framework: &Framework, q: &samskap_core::QualifierId, v: &str, l: Lang) -> String {
    framework
        .qualifier(q)
        .and_then(|q| q.values.iter().find(|x| x.id.as_str() == v))
        .and_then(|x| samskap_core::label_in(&x.label, l.tag()))
        .unwrap_or(v)
        .to_lowercase()
}

/// Builds the report of a study as seen through `options`, from its record and its codings:
/// `study` gives the head, people, transcripts, memos and facilitation record (its meaning
/// units and codings, if it holds any, are not read), and `table` the units and codings
/// (made from the same study: [`CodingTable::of`], or read from a store beside the record).
/// Only the few quotes shown have their words read, so a report of a million codings reads
/// no more text than one of a hundred.
pub fn build(study: &Study, table: &CodingTable, options: &Options) -> Doc {
    let l = options.lang;
    let meta = study.meta();
    let mut doc = Doc {
        title: meta.title.clone(),
        lang: l,
        // On every page, before anything that could be read as a finding.
        banner: l.notice(meta.provenance).map(str::to_owned),
        ..Doc::default()
    };
    doc.heading(1, &meta.title);
    if let Some(q) = &meta.research_question {
        doc.para(format!(
            "{} {q}",
            l.pick("Research question:", "Forskningsspørsmål:")
        ));
    }
    if let Some(m) = &meta.method {
        doc.para(format!("{} {m}", l.pick("Method:", "Metode:")));
    }
    let fw = study.framework().meta();
    let (framework, fw_id, coder) = (study.framework().label(l.tag()), &fw.id, &options.coder);
    let version = options.framework_version.map_or_else(String::new, |v| {
        format!("{} {v}", l.pick(", version", ", versjon"))
    });
    doc.para(match l {
        Lang::En => format!(
            "Study {}. Framework: {framework} ({fw_id}{version}). Codings by coder {coder}. Quotes are shown only from informants whose consent is given, and never with an informant label, workplace or position.",
            meta.id
        ),
        Lang::Nb => format!(
            "Studie {}. Rammeverk: {framework} ({fw_id}{version}). Kodet av {coder}. Sitater vises bare fra informanter som har gitt samtykke, og aldri sammen med informantens nummer, arbeidssted eller stilling.",
            meta.id
        ),
    });

    let filter = Filter {
        coder: Some(options.coder.clone()),
        consented_only: true,
        ..Filter::default()
    };
    let m = analysis::matrix(table, &filter, RowsBy::Code, None);
    table1(study, l, &mut doc);
    table2(study, table, &filter, &m, options, &mut doc);
    table3(study, table, l, &mut doc);
    counts(study, &m, options, &mut doc);
    agreement(study, table, options, &mut doc);
    facilitation(study, options, &mut doc);
    crate::assess::assessments(study, table, options, &mut doc);
    doc
}

/// "Meaning unit" in English and Norwegian, one and many.
const UNIT: ((&str, &str), (&str, &str)) = (
    ("meaning unit", "meaning units"),
    ("meningsbærende enhet", "meningsbærende enheter"),
);

/// Informants per table of Table 1: as many as a page holds side by side.
const INFORMANTS_PER_TABLE: usize = 8;

/// Table 1 as the thesis printed it: the informants as columns, with their resource group
/// and workplace as rows (then position, role, interview and consent), in tables of
/// [`INFORMANTS_PER_TABLE`]. Rows that no informant has a value for are left out, except
/// group and workplace.
fn table1(study: &Study, l: Lang, doc: &mut Doc) {
    doc.heading(
        2,
        l.pick("Table 1: Informants", "Tabell 1: Oversikt over informanter"),
    );
    let informants = study.informants();
    if informants.is_empty() {
        doc.para(l.pick(
            "The study has no informants.",
            "Studien har ingen informanter.",
        ));
        return;
    }
    let dash = || "–".to_owned();
    let group = |g: &samskap_core::GroupId| {
        study
            .groups()
            .iter()
            .find(|x| &x.id == g)
            .map_or_else(|| g.to_string(), |x| x.name.clone())
    };
    type Cell<'a> = Box<dyn Fn(&samskap_core::Informant) -> Option<String> + 'a>;
    let rows: Vec<(&str, bool, Cell)> = vec![
        (
            l.pick("Resource group", "Ressursgruppe"),
            true,
            Box::new(|i| i.details.as_ref()?.group.as_ref().map(group)),
        ),
        (
            l.pick("Workplace", "Arbeidssted"),
            true,
            Box::new(|i| i.details.as_ref()?.workplace.clone()),
        ),
        (
            l.pick("Position", "Stilling"),
            false,
            Box::new(|i| i.details.as_ref()?.position.clone()),
        ),
        (
            l.pick("Role", "Rolle"),
            true,
            Box::new(|i| i.details.as_ref().map(|d| l.role(d.role).to_owned())),
        ),
        (
            l.pick("Interviewed", "Intervjuet"),
            false,
            Box::new(|i| {
                let d = i.details.as_ref()?.interview_date?;
                Some(l.month(d))
            }),
        ),
        (
            l.pick("Consent", "Samtykke"),
            true,
            Box::new(|i| Some(l.consent(i.consent()).to_owned())),
        ),
    ];
    let rows: Vec<&(&str, bool, Cell)> = rows
        .iter()
        .filter(|(_, always, cell)| *always || informants.iter().any(|i| cell(i).is_some()))
        .collect();
    let parts = informants.len().div_ceil(INFORMANTS_PER_TABLE);
    for (k, chunk) in informants.chunks(INFORMANTS_PER_TABLE).enumerate() {
        let mut header = vec![l.pick("Informant", "Informant")];
        header.extend(chunk.iter().map(|i| i.id.as_str()));
        let body = rows
            .iter()
            .map(|(name, _, cell)| {
                std::iter::once((*name).to_owned())
                    .chain(chunk.iter().map(|i| cell(i).unwrap_or_else(dash)))
                    .collect()
            })
            .collect();
        let mut caption = l
            .pick(
                "Informants (one per column) with their resource group and workplace: a withdrawn informant's details are deleted",
                "Informantene (én per kolonne) med ressursgruppe og arbeidssted: opplysningene om en informant som har trukket seg, er slettet",
            )
            .to_owned();
        if parts > 1 {
            caption += &match l {
                Lang::En => format!(" (part {} of {parts})", k + 1),
                Lang::Nb => format!(" (del {} av {parts})", k + 1),
            };
        }
        doc.table(caption, &header, body);
    }
}

/// Table 2 as the thesis printed it: per main theme, its subthemes and example meaning
/// units. The examples are those the analyst chose (`samskap code exemplar`); for a theme
/// with none chosen, up to `options.examples` picked by a documented rule (one from each
/// subtheme in turn, each subtheme's first from speakers not quoted yet, never a passage
/// overlapping one shown), and the theme says how many of its units are shown.
fn table2(
    study: &Study,
    table: &CodingTable,
    filter: &Filter,
    m: &Matrix,
    options: &Options,
    doc: &mut Doc,
) {
    let l = options.lang;
    doc.heading(
        2,
        l.pick(
            "Table 2: Main themes, subthemes and example meaning units",
            "Tabell 2: Oversikt over hovedtema, undertema og eksempler på meningsbærende enheter i analysen",
        ),
    );
    let framework = study.framework();
    let examples = analysis::examples(table, filter, options.examples);
    let total = m.columns.len() - 1;
    let mut picked_by_rule = false;
    let mut rows = Vec::new();
    for top in framework.roots() {
        let under: Vec<&Code> = framework
            .codes()
            .iter()
            .filter(|c| c.id != top.id && c.id.is_within(&top.id))
            .collect();
        let subthemes = if under.is_empty() {
            "–".to_owned()
        } else {
            under
                .iter()
                .map(|c| indented(framework, &c.id, 2, l))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let lists: Vec<&analysis::Examples> = examples
            .iter()
            .filter(|e| e.code.is_within(&top.id))
            .collect();
        let chosen = lists.iter().any(|e| e.chosen);
        // Each shown unit with the list it is shown from (its code and values).
        let mut shown: Vec<(u32, &analysis::Examples)> = Vec::new();
        if chosen {
            for e in lists.iter().filter(|e| e.chosen) {
                for &u in &e.units {
                    if !shown.iter().any(|(x, _)| *x == u) {
                        shown.push((u, e));
                    }
                }
            }
        } else {
            // One from each list in turn, until the theme has its number.
            let mut turn = 0;
            while shown.len() < options.examples && lists.iter().any(|e| e.units.len() > turn) {
                for e in &lists {
                    if shown.len() >= options.examples {
                        break;
                    }
                    if let Some(&u) = e.units.get(turn) {
                        if !shown.iter().any(|(x, _)| *x == u) {
                            shown.push((u, e));
                        }
                    }
                }
                turn += 1;
            }
        }
        let key = top.id.to_string();
        let coded = m
            .rows
            .iter()
            .find(|r| r.key == key && r.value.is_none())
            .map_or(0, |r| r.counts[total].units);
        let quotes: Vec<String> = shown
            .iter()
            .filter_map(|&(u, e)| {
                let text = table.unit_text(study, u)?;
                // Blank lines part a cell's paragraphs: a quote stays one.
                let text = unlabelled(study, table, u, text).replace("\n\n", "\n");
                let mut about = vec![framework.code_label(&e.code, l.tag())];
                about.extend(
                    e.qualifiers
                        .iter()
                        .map(|(q, v)| value_label(framework, q, v.as_str(), l)),
                );
                // Norwegian quotes «like this» (Språkrådet), English “like this”.
                let (open, close) = (l.pick("“", "«"), l.pick("”", "»"));
                Some(format!(
                    "{open}{}{close} ({})",
                    text.trim(),
                    about.join("; ")
                ))
            })
            .collect();
        let theme = framework.code_label(&top.id, l.tag());
        let theme = if coded == 0 {
            theme
        } else {
            picked_by_rule |= !chosen && quotes.len() < coded;
            let n = quotes.len();
            let all = l.count(coded, UNIT.0, UNIT.1);
            let of = match (l, chosen) {
                (Lang::En, true) => format!("{n} of {all} shown, chosen by the analyst"),
                (Lang::En, false) => format!("{n} of {all} shown"),
                (Lang::Nb, true) => format!("{n} av {all} vist, valgt av analytikeren"),
                (Lang::Nb, false) => format!("{n} av {all} vist"),
            };
            format!("{theme}\n\n({of})")
        };
        rows.push(vec![
            theme,
            subthemes,
            if quotes.is_empty() {
                l.pick(
                    "No meaning units coded.",
                    "Ingen meningsbærende enheter er kodet.",
                )
                .to_owned()
            } else {
                quotes.join("\n\n")
            },
        ]);
    }
    doc.blocks.push(Block::Table {
        caption: Some(
            l.pick(
                "Main themes with their subthemes and example meaning units (quotes from informants with consent, never with who said them); under each theme, how many of its meaning units are shown",
                "Hovedtema med undertema og eksempler på meningsbærende enheter (sitater fra informanter med samtykke, aldri med hvem som sa dem); under hvert tema hvor mange av dets meningsbærende enheter som vises",
            )
            .into(),
        ),
        header: [
            l.pick("Main theme", "Hovedtema"),
            l.pick("Subthemes", "Undertema"),
            l.pick("Example meaning units", "Eksempler på meningsbærende enheter"),
        ]
        .map(str::to_owned)
        .to_vec(),
        rows,
        quotes: Some(2),
    });
    if picked_by_rule {
        let k = options.examples;
        doc.para(match l {
            Lang::En => format!(
                "Where the analyst chose no exemplars of a theme, up to {k} meaning units are shown, picked by rule: one from each subtheme (and polarity) in turn, within each the first from speakers not quoted yet, never a passage that overlaps one already shown."
            ),
            Lang::Nb => format!(
                "Der analytikeren ikke har valgt eksempler for et tema, vises inntil {k} meningsbærende enheter valgt etter en regel: én fra hvert undertema (og hver polaritet) etter tur, innenfor hvert først fra talere som ikke er sitert ennå, aldri et utdrag som overlapper et som allerede vises."
            ),
        });
    }
}

/// A quote that spans speaker turns, with each turn's label replaced by a dash: labels say
/// who spoke, and a report never puts a speaker beside a quote.
fn unlabelled(study: &Study, table: &CodingTable, unit: u32, quote: &str) -> String {
    let u = &table.units()[unit as usize];
    let source = &table.sources()[u.source as usize];
    unlabelled_in(study, &source.id, u.span.start(), quote)
}

/// A quote of `source` that begins at character `start`, with each turn's label replaced
/// by a dash, as [`unlabelled`]. Its first line is a turn's start, label and all, when the
/// quote begins a line of the text.
pub(crate) fn unlabelled_in(
    study: &Study,
    source: &samskap_core::SourceId,
    start: usize,
    quote: &str,
) -> String {
    let Some((s, t)) = study.source(source) else {
        return quote.to_owned();
    };
    if s.speakers.is_empty() {
        return quote.to_owned();
    }
    let begins_line = start == 0
        || samskap_core::Span::new(start - 1, start, t.char_len())
            .is_ok_and(|before| t.slice(before) == "\n");
    quote
        .split_inclusive('\n')
        .enumerate()
        .map(|(k, line)| {
            // A label begins only a line of its own: the first line may start mid-turn.
            let label = (k > 0 || begins_line)
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

/// Table 3 as the thesis printed it: per main theme, its definition and the summary of
/// findings: the analyst's memos on the theme and, each under its name, on its subthemes.
fn table3(study: &Study, table: &CodingTable, l: Lang, doc: &mut Doc) {
    doc.heading(
        2,
        l.pick(
            "Table 3: Summary of findings",
            "Tabell 3: Oppsummering av resultatene",
        ),
    );
    let withheld = withheld_memos(study, table);
    let framework = study.framework();
    let memos_of = |code: &CodeId| -> Vec<&str> {
        study
            .memos()
            .iter()
            .zip(&withheld)
            .filter(|(m, _)| m.code.as_ref() == Some(code))
            .map(|(m, &withheld)| {
                if withheld {
                    l.pick(
                        "(withheld: this summary quotes an informant whose consent is pending)",
                        "(holdt tilbake: denne oppsummeringen siterer en informant som ennå ikke har gitt samtykke)",
                    )
                } else {
                    m.text.as_str()
                }
            })
            .collect()
    };
    let mut rows = Vec::new();
    for top in framework.roots() {
        let mut summary: Vec<String> = memos_of(&top.id)
            .into_iter()
            .map(|t| t.replace("\n\n", "\n"))
            .collect();
        for c in framework
            .codes()
            .iter()
            .filter(|c| c.id != top.id && c.id.is_within(&top.id))
        {
            for text in memos_of(&c.id) {
                summary.push(format!(
                    "{}: {}",
                    indented(framework, &c.id, 2, l),
                    text.replace("\n\n", "\n")
                ));
            }
        }
        rows.push(vec![
            framework.code_label(&top.id, l.tag()),
            if top.definition.is_empty() {
                "–".to_owned()
            } else {
                top.definition.clone()
            },
            if summary.is_empty() {
                "–".to_owned()
            } else {
                summary.join("\n\n")
            },
        ]);
    }
    doc.table(
        l.pick(
            "Main themes with their definition and the analyst's summary of findings, theme by theme and subtheme by subtheme",
            "Hovedtema med definisjon og analytikerens oppsummering av funn, tema for tema og undertema for undertema",
        ),
        &[
            l.pick("Main theme", "Hovedtema"),
            l.pick("Definition", "Definisjon"),
            l.pick("Summary of findings", "Oppsummering av funn"),
        ],
        rows,
    );
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
    l: Lang,
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
                _ => l.pick("In no group", "Uten gruppe").to_owned(),
            };
            (name, vec![i])
        })
        .collect();
    if !b.pooled.is_empty() {
        shown.push((
            l.pick("Smaller groups, pooled", "Mindre grupper, slått sammen")
                .into(),
            b.pooled.clone(),
        ));
    }
    shown.push((l.pick("Total", "I alt").into(), vec![m.columns.len() - 1]));
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

fn counts(study: &Study, m: &Matrix, options: &Options, doc: &mut Doc) {
    let l = options.lang;
    doc.heading(
        2,
        l.pick(
            "Counts: meaning units (informants)",
            "Antall: meningsbærende enheter (informanter)",
        ),
    );
    let (shown, pooled) = shown_columns(study, m, options.small_group, l);
    let framework = study.framework();

    // The qualifier the rows are split by, if any; a row with no value holds all codings
    // of its code (and of the codes under it).
    let qualifier = m
        .qualifier
        .as_ref()
        .and_then(|q| framework.qualifier(q))
        .map(|q| capitalise(label_or(&q.label, q.id.as_str(), l)));
    let mut header: Vec<&str> = vec![l.pick("Code", "Kode")];
    if let Some(q) = &qualifier {
        header.push(q);
    }
    header.extend(shown.iter().map(|(name, _)| name.as_str()));
    let rows = m
        .rows
        .iter()
        .map(|r| {
            let label = r
                .key
                .parse::<CodeId>()
                .map_or_else(|_| r.key.clone(), |c| indented(framework, &c, 1, l));
            let mut row = vec![label];
            if let (Some(_), Some(q)) = (&qualifier, &m.qualifier) {
                row.push(r.value.as_ref().map_or_else(
                    || l.pick("all codings", "alle kodinger").to_owned(),
                    |v| value_label(framework, q, v.as_str(), l),
                ));
            }
            row.extend(shown.iter().map(|(_, cols)| {
                let (units, informants) = count_in(r, cols);
                format!("{} ({})", l.int(units), l.int(informants))
            }));
            row
        })
        .collect();
    doc.table(
        l.pick(
            "Meaning units per code and group, and in brackets the distinct informants with consent who said them; a code's row counts the codes under it too",
            "Meningsbærende enheter per kode og gruppe, og i parentes hvor mange ulike informanter med samtykke som sa dem; en kodes rad teller også kodene under den",
        ),
        &header,
        rows,
    );
    if let Some(f) = polarity_chart(study, m, l, doc) {
        figure(doc, f);
    }
    if let Some(f) = codes_by_group_chart(study, m, &shown, l, doc) {
        figure(doc, f);
    }
    if pooled {
        let k = options.small_group;
        doc.para(match l {
            Lang::En => format!(
                "Groups with fewer than {k} informants with consent (and informants in no group, when they are that few) are pooled; when the pool is also that small, the smallest group shown joins it. No count can then tie a quote to a person."
            ),
            Lang::Nb => format!(
                "Grupper med færre enn {k} informanter med samtykke (og informanter uten gruppe, når de er så få) er slått sammen; når også det sammenslåtte er så lite, slås den minste viste gruppen sammen med dem. Da kan ingen telling knytte et sitat til en person."
            ),
        });
    }
}

/// Agreement between the coders other than `consensus`, when there are two or more: alpha
/// per code and pooled, on meaning units and on characters, each with its bootstrapped 95 %
/// interval and the chance of failing 0.667 and 0.8 (Hayes & Krippendorff 2007), and a chart
/// of the per-code intervals on units.
fn agreement(study: &Study, table: &CodingTable, options: &Options, doc: &mut Doc) {
    use samskap_core::agreement::{study_agreement_with_intervals, Bootstrap, Granularity};
    let l = options.lang;
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
    doc.heading(
        2,
        l.pick("Agreement between coders", "Samsvar mellom koderne"),
    );
    let version = options.framework_version.map_or_else(String::new, |v| {
        format!(" ({} {v})", l.pick("version", "versjon"))
    });
    let who = coders
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let (units, chars, fw) = (
        l.int(a.units),
        l.int(a.characters),
        &study.framework().meta().id,
    );
    let (q1, q2) = (l.decimal(0.667, 3), l.decimal(0.8, 1));
    doc.para(match l {
        Lang::En => format!(
            "Coders {who} on {units} meaning units and {chars} characters, under the codebook {fw}{version}. Krippendorff's alpha (nominal) per code and value, and pooled over every code; each with a 95% interval from 10,000 bootstrap resamples (Hayes and Krippendorff 2007; seed 2007), and q, the share of resamples below {q1} and {q2}. An interval is missing where alpha is undefined or 1. The bootstrap draws at most 25 pairs per cell of the coincidence matrix, so a rare code's interval stays wide however many units there are: read q beside it."
        ),
        Lang::Nb => format!(
            "Koderne {who} på {units} meningsbærende enheter og {chars} tegn, med kodeboka {fw}{version}. Krippendorffs alfa (nominalnivå) per kode og verdi, og samlet over alle koder; hver med et 95\u{a0}%-intervall fra 10\u{a0}000 bootstrap-trekninger (Hayes og Krippendorff 2007; seed 2007), og q, andelen trekninger under {q1} og {q2}. Intervallet mangler der alfa er udefinert eller 1. Bootstrap-trekningen tar høyst 25 par per celle i koinsidensmatrisen, så intervallet for en sjelden kode forblir bredt uansett hvor mange enheter det er: les q ved siden av."
        ),
    });
    let number = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| l.decimal(v, 3));
    let cells = |m: &samskap_core::agreement::Measures| {
        let i = m.alpha_interval.as_ref();
        let q = |min: f64| {
            i.and_then(|i| i.q_below.iter().find(|f| (f.alpha_min - min).abs() < 1e-9))
                .map_or_else(|| "–".to_owned(), |f| l.decimal(f.q, 2))
        };
        vec![
            number(m.krippendorff_alpha.value),
            match i.and_then(|i| i.low.zip(i.high)) {
                Some((lo, hi)) => format!("{} – {}", l.decimal(lo, 3), l.decimal(hi, 3)),
                None => "–".to_owned(),
            },
            q(0.667),
            q(0.8),
        ]
    };
    let below = |v: &str| format!("{} {v}", l.pick("q below", "q under"));
    let header = [
        l.pick("Code", "Kode").to_owned(),
        l.pick("Units coded (each coder)", "Enheter kodet (hver koder)")
            .to_owned(),
        l.pick("Alpha, units", "Alfa, enheter").to_owned(),
        l.pick("95% interval", "95\u{a0}%-intervall").to_owned(),
        below(&q1),
        below(&q2),
        l.pick("Alpha, characters", "Alfa, tegn").to_owned(),
        l.pick("95% interval", "95\u{a0}%-intervall").to_owned(),
    ];
    let mut rows: Vec<Vec<String>> = a
        .per_code
        .iter()
        .map(|c| {
            let mut row = vec![
                key_label(study.framework(), &c.key, l),
                c.applied
                    .iter()
                    .map(|n| l.int(*n))
                    .collect::<Vec<_>>()
                    .join(" / "),
            ];
            row.extend(cells(&c.units));
            let chars = cells(&c.characters);
            row.extend([chars[0].clone(), chars[1].clone()]);
            row
        })
        .collect();
    let mut pooled = vec![
        l.pick("All codes, pooled", "Alle koder, samlet").to_owned(),
        String::new(),
    ];
    pooled.extend(cells(&a.overall.units));
    let chars = cells(&a.overall.characters);
    pooled.extend([chars[0].clone(), chars[1].clone()]);
    rows.push(pooled);
    doc.blocks.push(Block::Table {
        caption: Some(
            l.pick(
                "Agreement per code: Krippendorff's alpha over meaning units and over characters",
                "Samsvar per kode: Krippendorffs alfa over meningsbærende enheter og over tegn",
            )
            .into(),
        ),
        header: header.to_vec(),
        rows,
        quotes: None,
    });
    let shown: Vec<chart::Interval> = a
        .per_code
        .iter()
        .map(|c| {
            let i = c.units.alpha_interval.as_ref();
            chart::Interval {
                label: key_label(study.framework(), &c.key, l),
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
        let (n, lowest, at, all) = (
            shown.len(),
            &low.label,
            l.decimal(low.estimate, 3),
            number(a.overall.units.krippendorff_alpha.value),
        );
        let description = match l {
            Lang::En => format!(
                "Krippendorff's alpha over meaning units for {defined} of {n} codes with their 95% bootstrap intervals; the lowest is {lowest} at {at}. Pooled over every code, alpha is {all}."
            ),
            Lang::Nb => format!(
                "Krippendorffs alfa over meningsbærende enheter for {defined} av {n} koder med 95\u{a0}% bootstrap-intervall; lavest er {lowest} med {at}. Samlet over alle koder er alfa {all}."
            ),
        };
        let f = chart::intervals(
            Caption {
                name: figure_name(doc, "agreement per code"),
                title: l
                    .pick(
                        "Agreement per code: Krippendorff's alpha over meaning units, with 95% intervals",
                        "Samsvar per kode: Krippendorffs alfa over meningsbærende enheter, med 95\u{a0}%-intervall",
                    )
                    .into(),
                description,
                lang: l,
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
                marks: vec![(0.667, q1.clone()), (0.8, q2.clone())],
            },
        );
        figure(doc, f);
    }
}

/// What agreement was measured on, in the report's language: the code's label and its
/// values, `Regular meeting place (opportunity)`.
fn key_label(framework: &Framework, key: &samskap_core::agreement::Key, l: Lang) -> String {
    let code = framework.code_label(&key.code, l.tag());
    if key.qualifiers.is_empty() {
        return code;
    }
    let values: Vec<String> = key
        .qualifiers
        .iter()
        .map(|(q, v)| value_label(framework, q, v.as_str(), l))
        .collect();
    format!("{code} ({})", values.join(", "))
}

fn figure(doc: &mut Doc, f: Figure) {
    doc.blocks.push(Block::Figure(f));
}

/// The name of the next figure of `doc`: `fig-<n>-<what>`, unique in the report.
pub(crate) fn figure_name(doc: &Doc, what: &str) -> String {
    format!(
        "fig-{}-{}",
        doc.figures().count() + 1,
        samskap_core::slug(what, "chart")
    )
}

/// A label in the report's language, or the id.
fn label_or<'a>(labels: &'a samskap_core::Labels, id: &'a str, l: Lang) -> &'a str {
    samskap_core::label_in(labels, l.tag()).unwrap_or(id)
}

/// Bars of the two values of the framework's first qualifier (barrier and opportunity) per
/// top-level category, from the counts' total column. Only a qualifier of two values
/// contrasts two sides as barrier and opportunity do; with none, or one of other values
/// (levels), there is no such chart to draw, and none is.
fn polarity_chart(study: &Study, m: &Matrix, l: Lang, doc: &Doc) -> Option<Figure> {
    let framework = study.framework();
    let q = framework.qualifier(m.qualifier.as_ref()?)?;
    let [a, b] = q.values.as_slice() else {
        return None;
    };
    let names = [a, b].map(|v| label_or(&v.label, v.id.as_str(), l).to_lowercase());
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
        let all = l.int(of(None).unwrap_or(0));
        let label = framework.code_label(&top.id, l.tag());
        let (x, y) = (l.int(x).to_string(), l.int(y));
        let [na, nb] = &names;
        said.push(match l {
            Lang::En => format!("{label}: {x} {na}, {y} {nb}, of {all} in all"),
            Lang::Nb => format!("{label}: {x} {na}, {y} {nb}, av {all} i alt"),
        });
        rows.push(chart::BarRow {
            label,
            values: vec![
                of(Some(&a.id)).unwrap_or(0) as f64,
                of(Some(&b.id)).unwrap_or(0) as f64,
            ],
        });
    }
    if rows.is_empty() {
        return None;
    }
    let qualifier = label_or(&q.label, q.id.as_str(), l).to_lowercase();
    let [na, nb] = &names;
    let title = match l {
        Lang::En => format!("{} and {nb} per category: meaning units", capitalise(na)),
        Lang::Nb => format!(
            "{} og {nb} per kategori: meningsbærende enheter",
            capitalise(na)
        ),
    };
    let said = said.join("; ");
    let description = match l {
        Lang::En => format!(
            "Meaning units coded {na} and {nb} in each top-level category (with the codes under it), all groups together, as in the counts table's total column. {said}.{}",
            if q.required {
                String::new()
            } else {
                format!(" Meaning units without a {qualifier} are in the totals only.")
            }
        ),
        Lang::Nb => format!(
            "Meningsbærende enheter kodet {na} og {nb} i hver kategori på øverste nivå (med kodene under den), alle grupper samlet, som i kolonnen «I alt» i tabellen over antall. {said}.{}",
            if q.required {
                String::new()
            } else {
                format!(" Meningsbærende enheter uten {qualifier} er bare med i «i alt».")
            }
        ),
    };
    Some(chart::bars(
        Caption {
            name: figure_name(doc, &format!("{} by category", q.id)),
            title,
            description,
            lang: l,
        },
        &chart::Bars {
            series: names.to_vec(),
            rows,
            note: (!q.required).then(|| match l {
                Lang::En => format!("Meaning units without a {qualifier} are not drawn."),
                Lang::Nb => format!("Meningsbærende enheter uten {qualifier} er ikke tegnet."),
            }),
        },
    ))
}

/// The most groups a chart is drawn for one by one (a PD timeline each) or side by side
/// (the codes-by-group heatmap's columns). A national programme's hundred groups make a
/// hundred charts no one reads, and drawing each for the Word file is most of the time a
/// large report takes; the tables still list every group.
pub(crate) const MAX_CHARTED_GROUPS: usize = 12;

/// A heatmap of meaning units per code (all codings, the codes under it included) in the
/// columns the counts table shows. With fewer than two columns besides the total (a single
/// group or pool, which the total repeats) there is nothing to compare, and no chart; with
/// more than [`MAX_CHARTED_GROUPS`], neither.
fn codes_by_group_chart(
    study: &Study,
    m: &Matrix,
    shown: &[(String, Vec<usize>)],
    l: Lang,
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
            let label = framework.code_label(&code.id, l.tag());
            let cells: Vec<usize> = shown.iter().map(|(_, cols)| count_in(r, cols).0).collect();
            if code.id.depth() == 1 {
                // The total is last; the number comes first, as group names may end in one.
                let parts: Vec<String> = shown
                    .iter()
                    .zip(&cells)
                    .enumerate()
                    .map(|(k, ((name, _), n))| {
                        let n = l.int(*n);
                        match (l, k + 1 == shown.len()) {
                            (Lang::En, true) => format!("{n} in all"),
                            (Lang::En, false) => format!("{n} in {name}"),
                            (Lang::Nb, true) => format!("{n} i alt"),
                            (Lang::Nb, false) => format!("{n} i {name}"),
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
    let (cols, said) = (columns.join("; "), said.join(". "));
    let description = match l {
        Lang::En => format!(
            "Meaning units per code, with the codes under it, in the columns of the counts table ({cols}). By top-level category: {said}."
        ),
        Lang::Nb => format!(
            "Meningsbærende enheter per kode, med kodene under den, i kolonnene i tabellen over antall ({cols}). Per kategori på øverste nivå: {said}."
        ),
    };
    Some(chart::heatmap(
        Caption {
            name: figure_name(doc, "codes by group"),
            title: l
                .pick(
                    "Codes by group: meaning units",
                    "Koder per gruppe: meningsbærende enheter",
                )
                .into(),
            description,
            lang: l,
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
        attendance_rates, composition, contacts_across_services, contacts_by_group, pd_timeline,
        AttendanceBy,
    };
    let l = options.lang;
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
    doc.heading(2, l.pick("Facilitation", "Fasilitering"));
    let rows: Vec<Vec<String>> = composition(study)
        .into_iter()
        .filter(|c| c.members > 0)
        .map(|c| {
            vec![
                group_name(&c.group),
                l.int(c.members),
                c.sectors
                    .iter()
                    .map(|(s, n)| format!("{} {}", l.sector(*s), l.int(*n)))
                    .collect::<Vec<_>>()
                    .join(", "),
                l.int(c.youth),
                l.int(c.pd_youth),
                c.blau.map_or_else(|| "–".into(), |b| l.decimal(b, 2)),
            ]
        })
        .collect();
    // A record of meetings alone (minutes' meetings, say) has no members to compose.
    if !rows.is_empty() {
        doc.heading(
            3,
            l.pick("Composition of the groups", "Gruppenes sammensetning"),
        );
        doc.table(
            l.pick(
                "Members per group by sector, the youth among them, and the Blau index of sector diversity (0: one sector; higher: more evenly spread)",
                "Medlemmer per gruppe etter sektor, ungdommene blant dem, og Blau-indeksen for sektormangfold (0: én sektor; høyere: jevnere fordelt)",
            ),
            &[
                l.pick("Group", "Gruppe"),
                l.pick("Members", "Medlemmer"),
                l.pick("Sectors", "Sektorer"),
                l.pick("Youth", "Ungdom"),
                l.pick("PD youth", "PD-ungdom"),
                l.pick("Blau index (sectors)", "Blau-indeks (sektorer)"),
            ],
            rows,
        );
    }
    let rate_rows = |by| {
        attendance_rates(study, f, by, None)
            .into_iter()
            .map(|r| {
                let away = r.rate < options.attendance_threshold;
                let key = match by {
                    AttendanceBy::Service => service_label(&r.key, l),
                    AttendanceBy::Sector => samskap_core::Sector::ALL
                        .into_iter()
                        .find(|s| s.as_str() == r.key)
                        .map_or_else(|| r.key.clone(), |s| l.sector(s).to_owned()),
                    AttendanceBy::Month => l.month_key(&r.key),
                    _ => r.key.clone(),
                };
                let mut row = vec![
                    key,
                    format!("{}/{}", l.int(r.present), l.int(r.recorded)),
                    l.percent(r.rate),
                ];
                if by == AttendanceBy::Service {
                    row.push(if away {
                        l.pick("stayed away", "uteble").into()
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
    let n_meetings = l.count(meetings, ("meeting", "meetings"), ("møte", "møter"));
    if meetings > 0 && !recorded {
        doc.heading(3, l.pick("Attendance", "Oppmøte"));
        doc.para(match l {
            Lang::En => format!("{n_meetings} recorded, with no attendance recorded."),
            Lang::Nb => format!("{n_meetings} registrert, uten registrert oppmøte."),
        });
    } else if meetings > 0 {
        doc.heading(3, l.pick("Attendance", "Oppmøte"));
        let below = l.percent(options.attendance_threshold);
        doc.para(match l {
            Lang::En => format!(
                "{n_meetings} recorded. Rates by service, by sector and by month, never by person: services below {below} are the ones that stayed away."
            ),
            Lang::Nb => format!(
                "{n_meetings} registrert. Oppmøte per tjeneste, per sektor og per måned, aldri per person: tjenester under {below} er de som uteble."
            ),
        });
        let present = l.pick("Present/recorded", "Til stede / registrert");
        let rate = l.pick("Rate", "Andel");
        doc.table(
            l.pick(
                "Attendance by service: members' attendances present out of those recorded (present, absent or excused)",
                "Oppmøte per tjeneste: antall ganger medlemmene var til stede av alle registreringer (til stede, fraværende eller meldt forfall)",
            ),
            &[l.pick("Service", "Tjeneste"), present, rate, l.pick("Stayed away", "Uteble")],
            rate_rows(AttendanceBy::Service),
        );
        doc.table(
            l.pick(
                "Attendance by sector: attendances present out of those recorded",
                "Oppmøte per sektor: antall ganger til stede av alle registreringer",
            ),
            &[l.pick("Sector", "Sektor"), present, rate],
            rate_rows(AttendanceBy::Sector),
        );
        doc.table(
            l.pick(
                "Attendance by month: attendances present out of those recorded, all groups' meetings together",
                "Oppmøte per måned: antall ganger til stede av alle registreringer, alle gruppers møter samlet",
            ),
            &[l.pick("Month", "Måned"), present, rate],
            rate_rows(AttendanceBy::Month),
        );
        let name = figure_name(doc, "attendance by service and month");
        if let Some(f) = attendance_chart(study, None, options.attendance_threshold, l, name) {
            figure(doc, f);
        }
    }
    let contacts = contacts_by_group(study, f);
    if !contacts.is_empty() {
        doc.heading(3, l.pick("New contacts", "Nye kontakter"));
        doc.table(
            l.pick(
                "New working relations between members recorded per group (the group of the first member named), and how many of them cross sectors",
                "Nye arbeidsrelasjoner mellom medlemmer registrert per gruppe (gruppen til det første medlemmet som er nevnt), og hvor mange av dem som går på tvers av sektorer",
            ),
            &[
                l.pick("Group", "Gruppe"),
                l.pick("Contacts", "Kontakter"),
                l.pick("Across sectors", "På tvers av sektorer"),
            ],
            contacts
                .into_iter()
                .map(|c| {
                    let name = c
                        .key
                        .parse()
                        .map_or_else(|_| c.key.clone(), |g| group_name(&g));
                    vec![name, l.int(c.contacts), l.int(c.cross_sector)]
                })
                .collect(),
        );
    }
    let across = contacts_across_services(study, f);
    if !across.is_empty() {
        // A pair of services stands for the people in them: a service of fewer than k
        // members is counted with the other small ones, never named alone.
        let mut size: HashMap<&str, usize> = HashMap::new();
        for m in study.members() {
            if let Some(s) = &m.service {
                *size.entry(s.as_str()).or_default() += 1;
            }
        }
        let small = l.pick("(smaller services)", "(mindre tjenester)");
        let name = |s: &str| {
            if s == samskap_core::facilitation::NO_SERVICE
                || size.get(s).copied().unwrap_or(0) >= options.small_group
            {
                service_label(s, l)
            } else {
                small.to_owned()
            }
        };
        let mut pairs: Vec<((String, String), usize)> = Vec::new();
        for c in &across {
            let (a, b) = (name(&c.a), name(&c.b));
            let key = if a <= b { (a, b) } else { (b, a) };
            match pairs.iter_mut().find(|(k, _)| *k == key) {
                Some((_, n)) => *n += c.contacts,
                None => pairs.push((key, c.contacts)),
            }
        }
        let within = l.pick("(within the service)", "(innen tjenesten)");
        doc.table(
            match l {
                Lang::En => format!(
                    "New contacts between services (and within one), counted per pair of services: silos lie between services as much as between sectors. Services of fewer than {} members are counted together",
                    options.small_group
                ),
                Lang::Nb => format!(
                    "Nye kontakter mellom tjenester (og innen én), talt per par av tjenester: siloer ligger mellom tjenester like mye som mellom sektorer. Tjenester med færre enn {} medlemmer er talt sammen",
                    options.small_group
                ),
            },
            &[
                l.pick("Service", "Tjeneste"),
                l.pick("Service", "Tjeneste"),
                l.pick("Contacts", "Kontakter"),
            ],
            pairs
                .into_iter()
                .map(|((a, b), n)| {
                    let b = if a == b && a != small && a != service_label("-", l) {
                        within.to_owned()
                    } else {
                        b
                    };
                    vec![a, b, l.int(n)]
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
        doc.heading(3, l.pick("The PD process", "PD-prosessen"));
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
            let n = groups.len();
            doc.para(match l {
                Lang::En => format!(
                    "{n} groups moved through the PD process: each group's steps are in its table; timelines are charted for at most {MAX_CHARTED_GROUPS} groups."
                ),
                Lang::Nb => format!(
                    "{n} grupper gikk gjennom PD-prosessen: hver gruppes steg står i dens tabell; tidslinjer tegnes for høyst {MAX_CHARTED_GROUPS} grupper."
                ),
            });
        }
        for g in groups {
            let timeline = pd_timeline(f, &g.id);
            let rows = timeline
                .iter()
                .map(|t| {
                    vec![
                        l.phase(t.phase).to_owned(),
                        l.step(t.step).to_owned(),
                        l.date(t.entered),
                        t.left.map_or_else(|| "…".into(), |d| l.date(d)),
                        if t.back {
                            l.pick("back", "tilbake").into()
                        } else {
                            String::new()
                        },
                    ]
                })
                .collect();
            let name = group_name(&g.id);
            doc.table(
                match l {
                    Lang::En => format!("{name}: the PD steps in the order the group moved through them, with the dates it entered and left each"),
                    Lang::Nb => format!("{name}: PD-stegene i den rekkefølgen gruppen gikk gjennom dem, med datoene den gikk inn i og ut av hvert"),
                },
                &[
                    l.pick("Phase", "Fase"),
                    l.pick("Step", "Steg"),
                    l.pick("Entered", "Fra"),
                    l.pick("Left", "Til"),
                    l.pick("Back to an earlier step", "Tilbake til et tidligere steg"),
                ],
                rows,
            );
            if let (true, Some(first), Some(last)) = (charted, first, last) {
                let fig = figure_name(doc, &format!("pd process {}", g.id));
                let chart = pd_chart(&name, &timeline, first, last, l, fig);
                figure(doc, chart);
            }
        }
    }
    if !f.actions().is_empty() {
        doc.heading(
            3,
            l.pick(
                "Trial actions and interventions",
                "Prøvehandlinger og intervensjoner",
            ),
        );
        let rows = f
            .actions()
            .iter()
            .map(|a| {
                vec![
                    group_name(&a.group),
                    a.title.clone(),
                    l.action_state(a.state()).to_owned(),
                    a.history
                        .iter()
                        .map(|t| format!("{} {}", l.action_state(t.state), l.date(t.date)))
                        .collect::<Vec<_>>()
                        .join(" → "),
                ]
            })
            .collect();
        doc.table(
            l.pick(
                "Trial actions per group: where each stands and what came of it, step by step",
                "Prøvehandlinger per gruppe: hvor hver står og hva som kom ut av den, steg for steg",
            ),
            &[
                l.pick("Group", "Gruppe"),
                l.pick("Action", "Prøvehandling"),
                l.pick("State", "Status"),
                l.pick("History", "Historikk"),
            ],
            rows,
        );
    }
}

pub(crate) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// A service as the report names it: members with none count under `-` in the record.
pub(crate) fn service_label(key: &str, l: Lang) -> String {
    if key == "-" {
        l.pick("(no service)", "(ingen tjeneste)").to_owned()
    } else {
        key.to_owned()
    }
}

/// The charts of one group as the report draws them, for a page about the group: its
/// attendance by service and month (services below `threshold` named as staying away) and
/// its path through the PD steps, each where there is something to draw.
pub fn group_figures(
    study: &Study,
    group: &samskap_core::GroupId,
    threshold: f64,
    l: Lang,
) -> Vec<Figure> {
    use samskap_core::facilitation::pd_timeline;
    let f = study.facilitation();
    let name = study
        .groups()
        .iter()
        .find(|g| &g.id == group)
        .map_or_else(|| group.to_string(), |g| g.name.clone());
    let mut out = Vec::new();
    let attendance = format!("{} attendance by service and month", group);
    out.extend(attendance_chart(
        study,
        Some(group),
        threshold,
        l,
        samskap_core::slug(&attendance, "chart"),
    ));
    let moves = f.moves().iter().filter(|m| &m.group == group);
    let first = moves.clone().map(|m| m.date).min();
    let last = moves
        .map(|m| m.date)
        .chain(
            f.meetings()
                .iter()
                .filter(|(m, _)| &m.group == group)
                .map(|(m, _)| m.date),
        )
        .max();
    if let (Some(first), Some(last)) = (first, last) {
        let timeline = pd_timeline(f, group);
        let fig = samskap_core::slug(&format!("{group} pd process"), "chart");
        out.push(pd_chart(&name, &timeline, first, last, l, fig));
    }
    out
}

/// Attendance per service and month as shares of the recorded attendances (of `group`'s
/// meetings, or every group's together): never by person, as in the report's tables.
fn attendance_chart(
    study: &Study,
    group: Option<&samskap_core::GroupId>,
    threshold: f64,
    l: Lang,
    name: String,
) -> Option<Figure> {
    use samskap_core::facilitation::{attendance_by_month, attendance_rates, AttendanceBy};
    let f = study.facilitation();
    let grid = attendance_by_month(study, f, AttendanceBy::Service, group);
    if grid.months.is_empty() {
        return None;
    }
    let away: Vec<String> = attendance_rates(study, f, AttendanceBy::Service, group)
        .into_iter()
        .filter(|r| r.rate < threshold)
        .map(|r| format!("{} {}", service_label(&r.key, l), l.percent(r.rate)))
        .collect();
    let months = attendance_rates(study, f, AttendanceBy::Month, group);
    let low = months.iter().min_by(|a, b| a.rate.total_cmp(&b.rate))?;
    let high = months.iter().max_by(|a, b| a.rate.total_cmp(&b.rate))?;
    let gaps = grid.cells.iter().flatten().filter(|c| c.is_none()).count();
    let (services, n_months) = (
        l.count(
            grid.keys.len(),
            ("service", "services"),
            ("tjeneste", "tjenester"),
        ),
        l.count(grid.months.len(), ("month", "months"), ("måned", "måneder")),
    );
    let (from, to) = (
        l.month_key(&grid.months[0]),
        l.month_key(&grid.months[grid.months.len() - 1]),
    );
    let threshold = l.percent(threshold);
    let (lo, lo_m, hi, hi_m) = (
        l.percent(low.rate),
        l.month_key(&low.key),
        l.percent(high.rate),
        l.month_key(&high.key),
    );
    let away = away.join(", ");
    let whose = match (l, group) {
        (Lang::En, None) => "all groups' meetings together",
        (Lang::En, Some(_)) => "the group's meetings",
        (Lang::Nb, None) => "alle gruppers møter samlet",
        (Lang::Nb, Some(_)) => "gruppens møter",
    };
    let mut description = match l {
        Lang::En => format!(
            "Share of recorded attendances (present out of present, absent or excused) per service and calendar month, {services} by {n_months} from {from} to {to}, {whose}. "
        ),
        Lang::Nb => format!(
            "Andel av registrerte oppmøter (til stede av til stede, fraværende eller meldt forfall) per tjeneste og kalendermåned, {services} og {n_months} fra {from} til {to}, {whose}. "
        ),
    };
    description += &match (l, away.is_empty()) {
        (Lang::En, true) => format!("No service is below {threshold} over the whole record. "),
        (Lang::En, false) => format!("Below {threshold} over the whole record: {away}. "),
        (Lang::Nb, true) => format!("Ingen tjeneste er under {threshold} over hele perioden. "),
        (Lang::Nb, false) => format!("Under {threshold} over hele perioden: {away}. "),
    };
    description += &match l {
        Lang::En => format!("By month, from {lo} in {lo_m} to {hi} in {hi_m}."),
        Lang::Nb => format!("Per måned fra {lo} i {lo_m} til {hi} i {hi_m}."),
    };
    if gaps > 0 {
        description += &match l {
            Lang::En => format!(
                " {} where a service had no attendance recorded that month.",
                l.count(gaps, ("hatched cell", "hatched cells"), ("", ""))
            ),
            Lang::Nb => format!(
                " {} der en tjeneste ikke hadde registrert oppmøte den måneden.",
                l.count(gaps, ("", ""), ("skravert celle", "skraverte celler"))
            ),
        };
    }
    Some(chart::heatmap(
        Caption {
            name,
            title: l
                .pick(
                    "Attendance by service and month: share of recorded attendances",
                    "Oppmøte per tjeneste og måned: andel av registrerte oppmøter",
                )
                .into(),
            description,
            lang: l,
        },
        &chart::Heatmap {
            columns: grid.months.iter().map(|m| l.month_key(m)).collect(),
            rows: grid
                .keys
                .iter()
                .zip(&grid.cells)
                .map(|(k, cells)| chart::HeatRow {
                    label: service_label(k, l),
                    depth: 0,
                    cells: cells.iter().map(|c| c.and_then(|t| t.rate())).collect(),
                })
                .collect(),
            values: chart::Values::Shares,
            empty: l
                .pick("no attendance recorded", "ikke registrert oppmøte")
                .into(),
        },
    ))
}

/// A group's path through the PD steps over dates, from `first` to `last` (the record's
/// first move and last date, the same for every group).
fn pd_chart(
    name: &str,
    timeline: &[samskap_core::facilitation::TimelineEntry],
    first: samskap_core::NaiveDate,
    last: samskap_core::NaiveDate,
    l: Lang,
    figure: String,
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
            let phase = l.phase(*p);
            match (l, steps.as_slice()) {
                (Lang::En, [one]) => format!("{phase} (step {one})"),
                (Lang::En, [a, .., b]) => format!("{phase} (steps {a}–{b})"),
                (Lang::Nb, [one]) => format!("{phase} (steg {one})"),
                (Lang::Nb, [a, .., b]) => format!("{phase} (steg {a}–{b})"),
                (_, []) => phase.to_owned(),
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
    let end = l.date(last);
    let said: Vec<String> = timeline
        .iter()
        .map(|t| {
            let back = if t.back {
                l.pick("back to ", "tilbake til ")
            } else {
                ""
            };
            let (step, from) = (l.step(t.step), l.date(t.entered));
            match (l, t.left) {
                (Lang::En, Some(left)) => format!("{back}{step} from {from} to {}", l.date(left)),
                (Lang::Nb, Some(left)) => format!("{back}{step} fra {from} til {}", l.date(left)),
                (Lang::En, None) if t.entered == last => {
                    format!("{back}{step} from {from}, the last date recorded")
                }
                (Lang::Nb, None) if t.entered == last => {
                    format!("{back}{step} fra {from}, den siste registrerte datoen")
                }
                (Lang::En, None) => {
                    format!("{back}{step} from {from}, with no later move recorded up to {end}")
                }
                (Lang::Nb, None) => {
                    format!(
                        "{back}{step} fra {from}, uten senere registrert bevegelse fram til {end}"
                    )
                }
            }
        })
        .collect();
    let said = said.join("; ");
    chart::timeline(
        Caption {
            name: figure,
            title: match l {
                Lang::En => {
                    format!("{name}: PD steps over time, from entering each to leaving it")
                }
                Lang::Nb => {
                    format!("{name}: PD-steg over tid, fra gruppen gikk inn i hvert til den gikk ut")
                }
            },
            description: match l {
                Lang::En => format!(
                    "The path of {name} through the six Positive Deviance steps, one lane per step: {said}."
                ),
                Lang::Nb => format!(
                    "Veien {name} gikk gjennom de seks stegene i Positive Deviance, ett felt per steg: {said}."
                ),
            },
            lang: l,
        },
        &chart::Timeline {
            lanes: PdStep::ALL.iter().map(|s| l.step(*s).to_owned()).collect(),
            kinds,
            stays,
            start: first,
            end: last,
            open: match l {
                Lang::En => format!("no later move recorded up to {end}"),
                Lang::Nb => format!("ingen senere bevegelse registrert fram til {end}"),
            },
        },
    )
}

#[cfg(test)]
mod tests {
    use super::unlabelled_in;

    /// A quote that begins where a turn does carries the speaker's label: it goes too, as
    /// every later turn's does, and a quote that begins mid-line keeps its words.
    #[test]
    fn a_quote_from_a_turn_s_start_loses_its_label() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/sources");
        let study = samskap_bundle::read(&dir).unwrap();
        let id: samskap_core::SourceId = "fg-g1".parse().unwrap();
        let text = study.transcript(&id).unwrap().text();
        let at = text.find("A: Vi rekker").unwrap();
        let start = text[..at].chars().count();
        let quote = "A: Vi rekker ingenting, ingen har tid til møtene.\nB: Ingen har tid";
        assert_eq!(
            unlabelled_in(&study, &id, start, quote),
            "– Vi rekker ingenting, ingen har tid til møtene.\n– Ingen har tid"
        );
        // Mid-line: `Vi rekker: ingenting` is no label, and the first line is as it was.
        assert_eq!(
            unlabelled_in(&study, &id, start + 3, "Vi rekker ingenting"),
            "Vi rekker ingenting"
        );
    }
}
