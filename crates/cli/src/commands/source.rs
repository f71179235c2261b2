//! `samskap sources`, `samskap source show|add|replace` (and `samskap transcript replace`,
//! the old name of `source replace`).
//!
//! `source show` marks each coded meaning unit in the text: `⟦N ` where unit N starts,
//! ` N⟧` where it ends (units numbered in the order of the text, by start then end), and,
//! after each line on which units end, a line per unit:
//! `  ↳ N code (qualifier=value) by coder [memo: …]; … · words of I1, I2`. Marks of units that overlap
//! or nest interleave as the spans do; at one place, ends come before starts, the inner
//! unit's end first and the outer unit's start first.

use std::io::{IsTerminal, Write};
use std::process::{Command, Stdio};

use anyhow::Context;
use samskap_core::{
    CodingTable, GroupId, InformantId, Qualifiers, Source, SourceId, SourceKind, StudyId,
    Transcript, Voice, NO_ONE,
};
use samskap_store::Store;

use crate::args::{Cli, ReplaceTextArgs, SourceAddArgs};
use crate::output;

/// `samskap sources`: every source of the study, without their texts.
pub fn list(cli: &Cli, out: &mut dyn Write) -> anyhow::Result<()> {
    let store = super::open_store(cli)?;
    let study = super::study_id(cli, &store)?;
    let rows = store.sources(&study)?;
    if cli.json {
        let rows: Vec<_> = rows
            .iter()
            .map(|r| {
                let mut v = source_json(&r.source);
                v["chars"] = r.chars.into();
                v["units"] = r.units.into();
                v["codings"] = r.codings.into();
                v
            })
            .collect();
        return output::json(out, &rows);
    }
    let dash = |o: Option<String>| o.unwrap_or_else(|| "–".into());
    let rows = rows
        .iter()
        .map(|r| {
            let s = &r.source;
            vec![
                s.id.to_string(),
                s.kind.to_string(),
                dash(s.date.map(|d| d.to_string())),
                dash(s.title.clone()),
                informants(&s.informants),
                r.units.to_string(),
                r.codings.to_string(),
            ]
        })
        .collect();
    output::table(
        out,
        &[
            "id", "kind", "date", "title", "speakers", "units", "codings",
        ],
        rows,
    )
}

/// The informants who speak in a source, for a table: joined, or a dash for none.
fn informants(informants: &[InformantId]) -> String {
    if informants.is_empty() {
        return "–".to_owned();
    }
    informants
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A source's description as JSON, every key present (null where it has no value).
fn source_json(s: &Source) -> serde_json::Value {
    let speakers: serde_json::Map<String, serde_json::Value> = s
        .speakers
        .iter()
        .map(|(label, voice)| (label.clone(), voice.to_string().into()))
        .collect();
    serde_json::json!({
        "id": s.id,
        "kind": s.kind,
        "title": s.title,
        "date": s.date,
        "group": s.group,
        "informants": s.informants,
        "speakers": speakers,
        "meeting": s.meeting,
        "attributes": s.attributes,
    })
}

/// A meaning unit of the shown source, with its codings.
struct Unit {
    start: usize,
    end: usize,
    /// Whose words it holds (none: no informant's).
    voices: Vec<InformantId>,
    codings: Vec<UnitCoding>,
}

struct UnitCoding {
    code: String,
    qualifiers: Qualifiers,
    coder: String,
    memo: Option<String>,
}

/// How often the source and the codings are read again when the source changed between the
/// two reads (another process replaced its text meanwhile).
const ATTEMPTS: usize = 3;

/// A source, its text and its meaning units in the order of the text.
///
/// The store has no read of one source's units: they come from the study's coding table,
/// which holds every coding as numbers and no text (cheaper than loading the study, but it
/// reads every coding of the study). The source and the table are two reads; a source
/// whose text changed between them is read again.
fn read_source(
    store: &Store,
    study: &StudyId,
    id: &SourceId,
) -> anyhow::Result<(Source, Transcript, Vec<Unit>)> {
    for _ in 0..ATTEMPTS {
        let (source, text) = store.source(study, id)?;
        let table = store.coding_table(study, None)?;
        if let Some(units) = units_of(&table, id, text.char_len()) {
            return Ok((source, text, units));
        }
    }
    anyhow::bail!("source `{id}` kept changing while it was read; try again")
}

/// The units of source `id` in `table`, in the order of the text; `None` when the table's
/// source is not the text of `chars` characters (it changed between the reads).
fn units_of(table: &CodingTable, id: &SourceId, chars: usize) -> Option<Vec<Unit>> {
    let position = table.sources().iter().position(|s| &s.id == id)?;
    if table.sources()[position].chars != chars {
        return None;
    }
    let mut units: Vec<(u32, Unit)> = Vec::new();
    for (k, u) in table.units().iter().enumerate() {
        if u.source as usize != position {
            continue;
        }
        let voices = table
            .voices(k as u32)
            .iter()
            .filter(|&&v| v != NO_ONE)
            .map(|&v| table.informants()[v as usize].id.clone())
            .collect();
        units.push((
            k as u32,
            Unit {
                start: u.span.start(),
                end: u.span.end(),
                voices,
                codings: Vec::new(),
            },
        ));
    }
    units.sort_by_key(|(_, u)| (u.start, u.end));
    // Each unit of the table to its place here, or `usize::MAX` for another source's.
    let mut at = vec![usize::MAX; table.units().len()];
    for (i, (k, _)) in units.iter().enumerate() {
        at[*k as usize] = i;
    }
    for (c, coding) in table.codings().iter().enumerate() {
        let i = at[coding.unit as usize];
        if i != usize::MAX {
            units[i].1.codings.push(UnitCoding {
                code: table.code(coding).to_string(),
                qualifiers: table.qualifier_sets()[coding.qualifiers as usize].clone(),
                coder: table.coders()[coding.coder as usize].to_string(),
                memo: table.memo(c).map(ToOwned::to_owned),
            });
        }
    }
    Some(units.into_iter().map(|(_, u)| u).collect())
}

/// `samskap source show ID`.
pub fn show(cli: &Cli, id: &str, out: &mut dyn Write) -> anyhow::Result<()> {
    let id: SourceId = id.parse().context("source id")?;
    let store = super::open_store(cli)?;
    let study = super::study_id(cli, &store)?;
    let (source, text, units) = read_source(&store, &study, &id)?;
    if cli.json {
        let units: Vec<_> = units
            .iter()
            .enumerate()
            .map(|(k, u)| {
                serde_json::json!({
                    "number": k + 1,
                    "start": u.start,
                    "end": u.end,
                    "text": slice(&text, u),
                    "voices": u.voices,
                    "codings": u.codings.iter().map(|c| serde_json::json!({
                        "code": c.code,
                        "qualifiers": c.qualifiers,
                        "coder": c.coder,
                        "memo": c.memo,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        return output::json(
            out,
            &serde_json::json!({
                "source": source_json(&source),
                "text": text.text(),
                "units": units,
            }),
        );
    }
    let mut page = Vec::new();
    let notice = store
        .studies()?
        .into_iter()
        .find(|s| s.id == study)
        .and_then(|s| s.provenance.notice());
    if let Some(notice) = notice {
        writeln!(page, "{notice}")?;
    }
    header(&mut page, &source, &units)?;
    writeln!(page)?;
    marked(&mut page, text.text(), &units)?;
    paged(&page, out)
}

/// The words of a unit.
fn slice<'t>(text: &'t Transcript, u: &Unit) -> &'t str {
    text.slice(
        samskap_core::Span::new(u.start, u.end, text.char_len()).expect("read with its text"),
    )
}

/// The source's description, as "key  value" lines.
fn header(out: &mut dyn Write, s: &Source, units: &[Unit]) -> anyhow::Result<()> {
    let dash = |o: Option<String>| o.unwrap_or_else(|| "–".into());
    let codings: usize = units.iter().map(|u| u.codings.len()).sum();
    let speakers = if s.speakers.is_empty() && s.informants.is_empty() {
        "– (no informant's words)".to_owned()
    } else if s.speakers.is_empty() {
        "– (no turns: the whole text is its informants' words)".to_owned()
    } else {
        s.speakers
            .iter()
            .map(|(label, voice)| format!("{label} → {voice}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    output::pairs(
        out,
        &[
            ("source", s.id.to_string()),
            ("kind", s.kind.to_string()),
            ("date", dash(s.date.map(|d| d.to_string()))),
            ("title", dash(s.title.clone())),
            ("group", dash(s.group.as_ref().map(ToString::to_string))),
            ("informants", informants(&s.informants)),
            ("speakers", speakers),
            ("meeting", dash(s.meeting.as_ref().map(ToString::to_string))),
            (
                "attributes",
                if s.attributes.is_empty() {
                    "–".to_owned()
                } else {
                    s.attributes
                        .iter()
                        .map(|(id, v)| format!("{id}={v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            ),
            ("meaning units", units.len().to_string()),
            ("codings", codings.to_string()),
        ],
    )
}

/// Where a mark goes, in the order marks at one place are written: ends (the inner unit's
/// first), then starts (the outer unit's first), then both marks of an empty unit.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Mark {
    /// Unit `.1` ends; `.0` orders the ends at one place (the later start first).
    End(std::cmp::Reverse<usize>, usize),
    /// Unit `.1` starts; `.0` orders the starts at one place (the later end first).
    Start(std::cmp::Reverse<usize>, usize),
    /// Unit `.0` starts and ends here.
    Empty(usize),
}

/// Writes `text` with the units marked (see the module's documentation).
fn marked(out: &mut dyn Write, text: &str, units: &[Unit]) -> anyhow::Result<()> {
    // Marks by character position; units numbered from 1.
    let mut marks: Vec<(usize, Mark)> = Vec::with_capacity(units.len() * 2);
    for (k, u) in units.iter().enumerate() {
        let n = k + 1;
        if u.start == u.end {
            marks.push((u.start, Mark::Empty(n)));
        } else {
            marks.push((u.start, Mark::Start(std::cmp::Reverse(u.end), n)));
            marks.push((u.end, Mark::End(std::cmp::Reverse(u.start), n)));
        }
    }
    marks.sort();
    let mut marks = marks.into_iter().peekable();
    // The units that ended on the current line, to list after it.
    let mut ended: Vec<usize> = Vec::new();
    let mut line = String::new();
    let mut put_marks = |at: usize, line: &mut String, ended: &mut Vec<usize>| {
        while let Some((_, mark)) = marks.next_if(|(p, _)| *p == at) {
            match mark {
                Mark::Start(_, n) => line.push_str(&format!("⟦{n} ")),
                Mark::End(_, n) => {
                    line.push_str(&format!(" {n}⟧"));
                    ended.push(n);
                }
                Mark::Empty(n) => {
                    line.push_str(&format!("⟦{n}  {n}⟧"));
                    ended.push(n);
                }
            }
        }
    };
    let mut chars = 0;
    for c in text.chars() {
        put_marks(chars, &mut line, &mut ended);
        line.push(c);
        chars += 1;
        if c == '\n' {
            out.write_all(line.as_bytes())?;
            line.clear();
            legend(out, units, &mut ended)?;
        }
    }
    put_marks(chars, &mut line, &mut ended);
    if !line.is_empty() {
        out.write_all(line.as_bytes())?;
        writeln!(out)?;
    }
    legend(out, units, &mut ended)
}

/// A line for each unit in `ended`, which it empties: its codings and whose words it holds.
fn legend(out: &mut dyn Write, units: &[Unit], ended: &mut Vec<usize>) -> anyhow::Result<()> {
    for n in ended.drain(..) {
        let u = &units[n - 1];
        let codings = if u.codings.is_empty() {
            "(no coding)".to_owned()
        } else {
            u.codings
                .iter()
                .map(|c| {
                    let qualifiers = if c.qualifiers.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", c.qualifiers)
                    };
                    let memo = c.memo.as_deref().map_or_else(String::new, |m| {
                        format!(
                            " [memo: {}]",
                            m.split_whitespace().collect::<Vec<_>>().join(" ")
                        )
                    });
                    format!("{}{qualifiers} by {}{memo}", c.code, c.coder)
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        let whose = if u.voices.is_empty() {
            "no informant's words".to_owned()
        } else {
            format!("words of {}", informants(&u.voices))
        };
        writeln!(out, "  ↳ {n} {codings} · {whose}")?;
    }
    Ok(())
}

/// Writes `page` through the pager when stdout is a terminal, or straight to `out`: a
/// pager that is missing or fails to start is no error.
fn paged(page: &[u8], out: &mut dyn Write) -> anyhow::Result<()> {
    if std::io::stdout().is_terminal() {
        if let Some(mut child) = pager() {
            if let Some(mut stdin) = child.stdin.take() {
                // A closed pipe is the reader quitting early, their choice; a pager that
                // failed (a bad $PAGER) leaves the page to go straight out.
                let written = stdin.write_all(page);
                drop(stdin);
                let succeeded = child.wait().is_ok_and(|s| s.success());
                match written {
                    Ok(()) if succeeded => return Ok(()),
                    Err(e) if succeeded && e.kind() == std::io::ErrorKind::BrokenPipe => {
                        return Ok(())
                    }
                    _ => {}
                }
            } else {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
    out.write_all(page)?;
    Ok(())
}

/// The pager, started with its input piped: `$PAGER` (split at spaces; empty or `cat`
/// means none), else `less -R`. `None` when there is none or it cannot be started.
fn pager() -> Option<std::process::Child> {
    let chosen = std::env::var("PAGER").ok();
    let mut words: Vec<String> = match chosen.as_deref() {
        Some(p) => p.split_whitespace().map(ToOwned::to_owned).collect(),
        None => vec!["less".into(), "-R".into()],
    };
    if words.is_empty() || words[0] == "cat" {
        return None;
    }
    let program = words.remove(0);
    let mut cmd = Command::new(program);
    cmd.args(words).stdin(Stdio::piped());
    // As git does: a page shorter than the screen is printed and less quits.
    if std::env::var_os("LESS").is_none() {
        cmd.env("LESS", "FR");
    }
    cmd.spawn().ok()
}

/// `samskap source add FILE --id ID --kind KIND ...`.
pub fn add(cli: &Cli, args: &SourceAddArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let id: SourceId = args.id.parse().context("--id")?;
    let kind: SourceKind = args
        .kind
        .parse()
        .map_err(|e: String| anyhow::anyhow!("--kind: {e}"))?;
    let informants = args
        .informants
        .iter()
        .map(|i| {
            i.parse::<InformantId>()
                .with_context(|| format!("--informant `{}`", samskap_core::shorten(i)))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let speakers = args
        .speakers
        .iter()
        .map(|s| speaker(s, &informants))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let group: Option<GroupId> = args
        .group
        .as_deref()
        .map(str::parse)
        .transpose()
        .context("--group")?;
    let title = args
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(ToOwned::to_owned);
    let source = Source {
        id: id.clone(),
        kind,
        title,
        date: args.date,
        informants,
        speakers,
        group,
        guide: match (&args.guide, args.guide_version) {
            (Some(g), Some(version)) => Some(samskap_core::GuideRef {
                guide: g.parse().context("--guide")?,
                version,
            }),
            _ => None,
        },
        meeting: args
            .meeting
            .as_deref()
            .map(str::parse)
            .transpose()
            .context("--meeting")?,
        // Given as text; the study reads each in its declared type when the source is added.
        attributes: args
            .attributes
            .iter()
            .map(|a| {
                let (id, value) = a.split_once('=').with_context(|| {
                    format!(
                        "--attribute: `{}` is not ATTRIBUTE=VALUE (`phase=pilot`)",
                        samskap_core::shorten(a)
                    )
                })?;
                Ok((
                    id.trim().parse().context("--attribute")?,
                    samskap_core::AttributeValue::Text(value.trim().to_owned()),
                ))
            })
            .collect::<anyhow::Result<samskap_core::Attributes>>()?,
    }
    .checked()?;
    let raw = samskap_bundle::read_transcript_file(&args.file, &super::limits(cli))?;
    let text = Transcript::new(id.clone(), &raw);

    let mut store = super::open_store(cli)?;
    let study = super::study_id(cli, &store)?;
    store
        .add_source(&study, source.clone(), text.clone())
        .map_err(|e| {
            // The model's refusal names the value; the option that gave it is named here.
            use samskap_core::ModelError as M;
            use samskap_store::{Refusal, StoreError as E};
            let flag = match &e {
                E::Refused {
                    reason: Refusal::Model(M::UnknownInformant(_) | M::Withdrawn(_)),
                    ..
                } => Some("--informant"),
                E::Refused {
                    reason: Refusal::Model(M::UnknownGroup(_)),
                    ..
                } => Some("--group"),
                E::Conflict(_) => Some("--id"),
                _ => None,
            };
            let e = anyhow::Error::from(e);
            match flag {
                Some(flag) => e.context(flag),
                None => e,
            }
            .context(format!("adding source `{id}` to study `{study}`"))
        })?;

    // Declared labels that begin no turn: most likely a label spelled otherwise in the text.
    let turns = samskap_core::source::turn_starts(text.text(), &source.speakers);
    let unused: Vec<&str> = source
        .speakers
        .iter()
        .enumerate()
        .filter(|(k, _)| !turns.iter().any(|(_, label)| label == k))
        .map(|(_, (label, _))| label.as_str())
        .collect();
    if cli.json {
        let mut v = source_json(&source);
        v["chars"] = text.char_len().into();
        v["turns"] = turns.len().into();
        v["unused_labels"] = unused.into();
        return output::json(out, &v);
    }
    writeln!(
        out,
        "added source `{id}` to study `{study}`: {}, {} characters, speakers {}{}",
        source.kind,
        text.char_len(),
        informants_or_none(&source.informants),
        if source.speakers.is_empty() {
            String::new()
        } else {
            format!(", {} turns", turns.len())
        }
    )?;
    for label in unused {
        crate::warn(&format!(
            "no line of the text starts with `{label}:`, so the label begins no turn"
        ));
    }
    Ok(())
}

fn informants_or_none(informants: &[InformantId]) -> String {
    if informants.is_empty() {
        "none".to_owned()
    } else {
        self::informants(informants)
    }
}

/// A `--speaker LABEL=INFORMANT|interviewer` option.
fn speaker(option: &str, informants: &[InformantId]) -> anyhow::Result<(String, Voice)> {
    let shown = samskap_core::shorten(option);
    let (label, who) = option.split_once('=').with_context(|| {
        format!("--speaker: `{shown}` is not LABEL=INFORMANT or LABEL=interviewer (`A=I1`)")
    })?;
    let voice: Voice = who
        .trim()
        .parse()
        .with_context(|| format!("--speaker `{shown}`"))?;
    match &voice {
        Voice::Withdrawn => anyhow::bail!(
            "--speaker `{shown}`: a new source has no withdrawn speaker; name an informant or `interviewer`"
        ),
        Voice::Informant(i) if !informants.contains(i) => anyhow::bail!(
            "--speaker `{shown}`: informant `{i}` is not among the source's informants: add --informant {i}"
        ),
        _ => {}
    }
    Ok((label.to_owned(), voice))
}

/// `samskap source replace ID FILE` (and `samskap transcript replace`, its old name).
pub fn replace(cli: &Cli, args: &ReplaceTextArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut store = super::open_store(cli)?;
    let study = super::study_id(cli, &store)?;
    let source: SourceId = args.source.parse().context("source")?;
    let text = samskap_bundle::read_transcript_file(&args.file, &super::limits(cli))?;
    let r = store.replace_transcript(&study, &source, &text, args.drop_orphans)?;
    let list = r
        .orphans
        .iter()
        .map(|o| {
            format!(
                "  {} ({}, {}): {:?}",
                o.code, o.qualifiers, o.coder, o.quote.exact
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    if !r.applied {
        anyhow::bail!(
            "nothing changed: {} codings of {source} quote text that is not in {}:\n{list}\nrecode them after the replacement, or pass --drop-orphans to remove them",
            r.orphans.len(),
            args.file.display()
        );
    }
    if cli.json {
        return output::json(out, &r);
    }
    writeln!(
        out,
        "replaced the text of {source}: {} meaning units re-anchored ({} unchanged, {} moved, {} edited), {} orphaned codings removed",
        r.units_reanchored(),
        r.units_unchanged,
        r.units_moved,
        r.units_edited,
        r.orphans.len()
    )?;
    for u in &r.units {
        let Some(to) = u.to else { continue };
        let place = format!(
            "{}..{} → {}..{}, {} coding{}",
            u.from.start(),
            u.from.end(),
            to.start(),
            to.end(),
            u.codings,
            if u.codings == 1 { "" } else { "s" }
        );
        match &u.new_text {
            Some(new_text) => {
                let (was, is) = samskap_core::edit_excerpts(&u.text, new_text, 24, 72);
                writeln!(out, "  edited {place}: {was:?} → {is:?}")?;
            }
            None => writeln!(
                out,
                "  moved  {place}: {:?}",
                samskap_core::shorten(&u.text)
            )?,
        }
    }
    if !list.is_empty() {
        writeln!(out, "{list}")?;
    }
    Ok(())
}
