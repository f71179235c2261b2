//! Sources in SQL (schema 12): `transcript` holds each source's description and text,
//! `source_informant` who speaks in it, `source_speaker` its turn labels and who speaks
//! them, `source_turn` where each turn runs. The turns are written with the text, so that
//! the counting commands know whose words a unit holds without reading any text. Since
//! schema 13, `transcript.guide_id` and `transcript.guide_version` name the interview guide
//! version a source followed (`crate::guides`).

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use samskap_core::source::{turn_starts, Voices};
use samskap_core::{InformantId, Source, SourceId, SourceKind, Study, Transcript, Voice};

use crate::read::{each, get, parse, parse_opt, rows, text};
use crate::StoreError;

/// Every source of `study` with its text, then who speaks in each and its turns. The texts
/// are staged and moved in one statement: the search index's trigger then fills FTS5's
/// in-memory index once and writes it out once, instead of flushing (and, under
/// secure-delete, merging) after every text.
pub(crate) fn write_all(
    tx: &Transaction<'_>,
    sid: &str,
    study: &Study,
) -> Result<usize, StoreError> {
    write(tx, sid, study.sources().iter().zip(study.transcripts()))
}

/// [`write_all`] of some sources with their texts, none of which the study has yet.
fn write<'a>(
    tx: &Transaction<'_>,
    sid: &str,
    sources: impl Iterator<Item = (&'a Source, &'a Transcript)> + Clone,
) -> Result<usize, StoreError> {
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS staged_source (
             source_id TEXT NOT NULL, kind TEXT NOT NULL, title TEXT, made_on TEXT,
             group_id TEXT, text TEXT NOT NULL, char_len INTEGER NOT NULL,
             guide_id TEXT, guide_version INTEGER, meeting_id TEXT);
         DELETE FROM temp.staged_source;",
    )
    .map_err(StoreError::db)?;
    {
        let mut stage = tx
            .prepare(
                "INSERT INTO temp.staged_source
                     (source_id, kind, title, made_on, group_id, text, char_len, guide_id,
                      guide_version, meeting_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .map_err(StoreError::db)?;
        for (s, t) in sources.clone() {
            stage
                .execute(params![
                    s.id.as_str(),
                    s.kind.as_str(),
                    s.title,
                    s.date.map(|d| d.to_string()),
                    s.group.as_ref().map(|g| g.as_str()),
                    t.text(),
                    t.char_len() as i64,
                    s.guide.as_ref().map(|r| r.guide.as_str()),
                    s.guide.as_ref().map(|r| r.version),
                    s.meeting.as_ref().map(|m| m.as_str())
                ])
                .map_err(StoreError::db)?;
        }
    }
    tx.execute(
        "INSERT INTO transcript
             (study_id, source_id, kind, title, made_on, group_id, text, char_len, guide_id,
              guide_version, meeting_id)
         SELECT ?1, source_id, kind, title, made_on, group_id, text, char_len, guide_id,
                guide_version, meeting_id
         FROM temp.staged_source ORDER BY rowid",
        [sid],
    )
    .map_err(StoreError::db)?;
    tx.execute("DELETE FROM temp.staged_source", [])
        .map_err(StoreError::db)?;
    let mut n = 0;
    for (s, t) in sources {
        write_voices(tx, sid, s, t.text())?;
        crate::attributes::insert_values(
            tx,
            sid,
            samskap_core::AttributeHolder::Source,
            s.id.as_str(),
            &s.attributes,
        )?;
        n += 1;
    }
    Ok(n)
}

/// Who speaks in a source and where their turns run, for its text `text`: its rows in
/// `source_informant`, `source_speaker` and `source_turn`, none of which it may have yet.
pub(crate) fn write_voices(
    conn: &Connection,
    sid: &str,
    s: &Source,
    text: &str,
) -> Result<(), StoreError> {
    let src = s.id.as_str();
    {
        let mut ins = conn
            .prepare_cached(
                "INSERT INTO source_informant (study_id, source_id, position, informant_id)
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(StoreError::db)?;
        for (k, i) in s.informants.iter().enumerate() {
            ins.execute(params![sid, src, k as i64, i.as_str()])
                .map_err(StoreError::db)?;
        }
    }
    {
        let mut ins = conn
            .prepare_cached(
                "INSERT INTO source_speaker (study_id, source_id, label, voice, informant_id)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(StoreError::db)?;
        for (label, voice) in &s.speakers {
            let (kind, who) = match voice {
                Voice::Informant(i) => ("informant", Some(i.as_str())),
                Voice::Interviewer => ("interviewer", None),
                Voice::Withdrawn => ("withdrawn", None),
            };
            ins.execute(params![sid, src, label, kind, who])
                .map_err(StoreError::db)?;
        }
    }
    write_turns(conn, sid, s, text)
}

/// A source's turns for its text `text`, in place of any it had.
pub(crate) fn write_turns(
    conn: &Connection,
    sid: &str,
    s: &Source,
    text: &str,
) -> Result<(), StoreError> {
    let src = s.id.as_str();
    conn.execute(
        "DELETE FROM source_turn WHERE study_id = ?1 AND source_id = ?2",
        [sid, src],
    )
    .map_err(StoreError::db)?;
    if s.speakers.is_empty() {
        return Ok(());
    }
    let starts = turn_starts(text, &s.speakers);
    let total = text.chars().count();
    let mut ins = conn
        .prepare_cached(
            "INSERT INTO source_turn (study_id, source_id, start_char, end_char, label)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(StoreError::db)?;
    for (k, &(at, label)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(total, |&(next, _)| next);
        ins.execute(params![
            sid,
            src,
            at as i64,
            end as i64,
            s.speakers[label].0
        ])
        .map_err(StoreError::db)?;
    }
    Ok(())
}

/// Every source of a study with its text, in the order they were written.
pub(crate) fn read_all(
    conn: &Connection,
    sid: &str,
) -> Result<Vec<(Source, Transcript)>, StoreError> {
    read(conn, sid, None)
}

/// One source of a study with its text.
pub(crate) fn read_one(
    conn: &Connection,
    sid: &str,
    source: &SourceId,
) -> Result<(Source, Transcript), StoreError> {
    read(conn, sid, Some(source))?
        .pop()
        .ok_or_else(|| StoreError::NotFound {
            what: "source",
            id: source.to_string(),
        })
}

/// The sources of a study (or the one `only` names) with their texts, in the order they
/// were written.
fn read(
    conn: &Connection,
    sid: &str,
    only: Option<&SourceId>,
) -> Result<Vec<(Source, Transcript)>, StoreError> {
    declarations(conn, sid, only, true)?
        .into_iter()
        .map(|(source, text, stored)| {
            let t = Transcript::new(source.id.clone(), &text.unwrap_or_default());
            // The length the counting commands read in place of the text must be its.
            if stored != t.char_len() {
                return Err(StoreError::Corrupt(format!(
                    "source {}: {stored} characters recorded, {} in its text",
                    source.id,
                    t.char_len()
                )));
            }
            Ok((source, t))
        })
        .collect()
}

/// The sources of a study (or the one `only` names), each with its text when `with_text`
/// and the length stored beside it, in the order they were written.
fn declarations(
    conn: &Connection,
    sid: &str,
    only: Option<&SourceId>,
    with_text: bool,
) -> Result<Vec<(Source, Option<String>, usize)>, StoreError> {
    let only = only.map(SourceId::as_str);
    let mut informants = informants_of(conn, sid, only)?;
    let declared = crate::attributes::declarations_in(conn, sid)?;
    let mut attributes =
        crate::attributes::values_in(conn, sid, samskap_core::AttributeHolder::Source, &declared)?;
    let mut speakers: BTreeMap<String, Vec<(String, Voice)>> = BTreeMap::new();
    each(
        conn,
        "SELECT source_id, label, voice, informant_id FROM source_speaker
         WHERE study_id = ?1 AND (?2 IS NULL OR source_id = ?2)
         ORDER BY source_id, label",
        params![sid, only],
        |r| {
            let voice = match text(r, 2)? {
                "informant" => Voice::Informant(parse(get(r, 3)?)?),
                "interviewer" => Voice::Interviewer,
                "withdrawn" => Voice::Withdrawn,
                other => return Err(StoreError::Corrupt(format!("unexpected voice `{other}`"))),
            };
            speakers
                .entry(text(r, 0)?.to_owned())
                .or_default()
                .push((get(r, 1)?, voice));
            Ok(())
        },
    )?;
    rows(
        conn,
        "SELECT source_id, kind, title, made_on, group_id, char_len,
                CASE WHEN ?3 THEN text END, guide_id, guide_version, meeting_id
         FROM transcript
         WHERE study_id = ?1 AND (?2 IS NULL OR source_id = ?2) ORDER BY rowid",
        params![sid, only, with_text],
        |r| {
            let id: SourceId = parse(get(r, 0)?)?;
            let kind: SourceKind = text(r, 1)?.parse().map_err(StoreError::Corrupt)?;
            let source = Source {
                kind,
                title: get(r, 2)?,
                date: parse_opt(get(r, 3)?)?,
                group: parse_opt(get(r, 4)?)?,
                informants: informants.remove(id.as_str()).unwrap_or_default(),
                speakers: speakers.remove(id.as_str()).unwrap_or_default(),
                guide: match (get::<Option<String>>(r, 7)?, get::<Option<u32>>(r, 8)?) {
                    (Some(guide), Some(version)) => Some(samskap_core::GuideRef {
                        guide: parse(guide)?,
                        version,
                    }),
                    (None, None) => None,
                    _ => {
                        return Err(StoreError::Corrupt(format!(
                        "source {id}: a guide without its version, or a version without its guide"
                    )))
                    }
                },
                meeting: parse_opt(get(r, 9)?)?,
                attributes: attributes.remove(id.as_str()).unwrap_or_default(),
                id,
            };
            Ok((source, get(r, 6)?, get::<i64>(r, 5)? as usize))
        },
    )
}

/// One source of a study, as `samskap sources` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRow {
    /// Its declaration.
    pub source: Source,
    /// The length of its text in characters.
    pub chars: usize,
    /// Its meaning units.
    pub units: usize,
    /// The codings of those units.
    pub codings: usize,
}

impl crate::Store {
    /// The sources of a study in the order they were added, with how many meaning units and
    /// codings each has, without their texts.
    pub fn sources(&self, study: &samskap_core::StudyId) -> Result<Vec<SourceRow>, StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(StoreError::db)?;
        let sid = study.as_str();
        crate::read::study_exists(&tx, sid)?;
        let mut counts: foldhash::HashMap<String, (usize, usize)> = foldhash::HashMap::default();
        each(
            &tx,
            "SELECT u.source_id, count(DISTINCT u.id), count(c.id)
             FROM meaning_unit u LEFT JOIN coding c ON c.unit_id = u.id
             WHERE u.study_id = ?1 GROUP BY u.source_id",
            [sid],
            |r| {
                counts.insert(
                    get(r, 0)?,
                    (get::<i64>(r, 1)? as usize, get::<i64>(r, 2)? as usize),
                );
                Ok(())
            },
        )?;
        declarations(&tx, sid, None, false)?
            .into_iter()
            .map(|(source, _, chars)| {
                let (units, codings) = counts.get(source.id.as_str()).copied().unwrap_or_default();
                Ok(SourceRow {
                    source,
                    chars,
                    units,
                    codings,
                })
            })
            .collect()
    }

    /// The sources of a study as declared (no texts, no counts), in the order added: what
    /// a selection by their attributes reads.
    pub fn source_declarations(
        &self,
        study: &samskap_core::StudyId,
    ) -> Result<Vec<Source>, StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(StoreError::db)?;
        crate::read::study_exists(&tx, study.as_str())?;
        Ok(declarations(&tx, study.as_str(), None, false)?
            .into_iter()
            .map(|(source, _, _)| source)
            .collect())
    }

    /// One source of a study with its text.
    pub fn source(
        &self,
        study: &samskap_core::StudyId,
        id: &SourceId,
    ) -> Result<(Source, Transcript), StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(StoreError::db)?;
        crate::read::study_exists(&tx, study.as_str())?;
        read_one(&tx, study.as_str(), id)
    }

    /// Adds a source with its text to a stored study, checked as a study checks it (a new
    /// id, known informants who have not withdrawn, a known group, labels that stand, values
    /// of attributes declared for sources, a recorded meeting of its group), in one
    /// transaction.
    pub fn add_source(
        &mut self,
        study: &samskap_core::StudyId,
        source: Source,
        text: Transcript,
    ) -> Result<(), StoreError> {
        let actor = self.actor.clone();
        let tx = self.write_tx()?;
        let sid = study.as_str();
        let taken: bool = tx
            .query_row(
                "SELECT 1 FROM transcript WHERE study_id = ?1 AND source_id = ?2",
                [sid, source.id.as_str()],
                |_| Ok(()),
            )
            .optional()
            .map_err(StoreError::db)?
            .is_some();
        if taken {
            return Err(StoreError::Conflict(format!(
                "study `{sid}` already has a source `{}`",
                source.id
            )));
        }
        // Checked against the study's people (and the meeting it names), as
        // `Study::add_source` checks it.
        let mut people = crate::read::load_people_in(&tx, study)?;
        if let Some(m) = &source.meeting {
            crate::facilitation::meeting_into(&tx, sid, m, &mut people)?;
        }
        people
            .add_source(source.clone(), text.clone())
            .map_err(|e| StoreError::Refused {
                reason: e.into(),
                conflict: false,
            })?;
        write(&tx, sid, std::iter::once((&source, &text)))?;
        let note = crate::journal::Note::final_(
            crate::EditKind::SourceAdd,
            Some(sid),
            format!(
                "added source {} ({}, {} characters)",
                source.id,
                source.kind.as_str(),
                text.char_len()
            ),
            vec![crate::journal::Touch::Source {
                study: sid.to_owned(),
                source: source.id.to_string(),
            }],
        );
        crate::journal::record(&tx, &actor, &note)?;
        tx.commit().map_err(StoreError::db)
    }
}

/// Who speaks in each source of a study (or in the one `only` names), by source id, in the
/// order given.
fn informants_of(
    conn: &Connection,
    sid: &str,
    only: Option<&str>,
) -> Result<BTreeMap<String, Vec<InformantId>>, StoreError> {
    let mut informants: BTreeMap<String, Vec<InformantId>> = BTreeMap::new();
    each(
        conn,
        "SELECT source_id, informant_id FROM source_informant
         WHERE study_id = ?1 AND (?2 IS NULL OR source_id = ?2)
         ORDER BY source_id, position",
        params![sid, only],
        |r| {
            informants
                .entry(text(r, 0)?.to_owned())
                .or_default()
                .push(parse(get(r, 1)?)?);
            Ok(())
        },
    )?;
    Ok(informants)
}

/// Each source of a study as the coding table needs it: id, length, group and whose words
/// its spans are, with informants named by id (the caller numbers them).
pub(crate) struct Described {
    pub(crate) id: SourceId,
    pub(crate) chars: usize,
    pub(crate) group: Option<samskap_core::GroupId>,
    pub(crate) voices: Voices<InformantId>,
}

impl Described {
    /// Its voices with each informant numbered by `number`.
    pub(crate) fn numbered(
        &self,
        number: impl Fn(&InformantId) -> Result<u32, StoreError>,
    ) -> Result<Voices<u32>, StoreError> {
        Ok(match &self.voices {
            Voices::Everyone(all) => {
                Voices::Everyone(all.iter().map(&number).collect::<Result<_, _>>()?)
            }
            Voices::Turns(turns) => Voices::Turns(
                turns
                    .iter()
                    .map(|(at, who)| Ok((*at, who.as_ref().map(&number).transpose()?)))
                    .collect::<Result<_, StoreError>>()?,
            ),
        })
    }
}

/// [`Described`] for every source of a study, in the order they were written, without their
/// texts.
pub(crate) fn described(conn: &Connection, sid: &str) -> Result<Vec<Described>, StoreError> {
    let mut informants = informants_of(conn, sid, None)?;
    let mut turns: BTreeMap<String, Vec<(usize, Option<InformantId>)>> = BTreeMap::new();
    each(
        conn,
        "SELECT t.source_id, t.start_char, s.informant_id FROM source_turn t
         JOIN source_speaker s
           ON s.study_id = t.study_id AND s.source_id = t.source_id AND s.label = t.label
         WHERE t.study_id = ?1 ORDER BY t.source_id, t.start_char",
        [sid],
        |r| {
            turns
                .entry(text(r, 0)?.to_owned())
                .or_default()
                .push((get::<i64>(r, 1)? as usize, parse_opt(get(r, 2)?)?));
            Ok(())
        },
    )?;
    let labelled: std::collections::BTreeSet<String> = rows(
        conn,
        "SELECT DISTINCT source_id FROM source_speaker WHERE study_id = ?1",
        [sid],
        |r| get(r, 0),
    )?
    .into_iter()
    .collect();
    rows(
        conn,
        "SELECT source_id, char_len, group_id FROM transcript WHERE study_id = ?1 ORDER BY rowid",
        [sid],
        |r| {
            let id: SourceId = parse(get(r, 0)?)?;
            // A source with labels is in turns, even if its text has none yet: its words
            // are then no one's.
            let voices = if labelled.contains(id.as_str()) {
                Voices::Turns(turns.remove(id.as_str()).unwrap_or_default())
            } else {
                Voices::Everyone(informants.remove(id.as_str()).unwrap_or_default())
            };
            Ok(Described {
                chars: get::<i64>(r, 1)? as usize,
                group: parse_opt(get(r, 2)?)?,
                voices,
                id,
            })
        },
    )
}

/// A study's informants and sources as the listing commands filter them: each source's
/// voices numbered by the informants' positions, its group, and its row id.
pub(crate) struct People {
    pub(crate) informants: Vec<samskap_core::Informant>,
    /// By source id: (voices, group).
    pub(crate) sources: foldhash::HashMap<SourceId, (Voices<u32>, Option<samskap_core::GroupId>)>,
}

impl People {
    pub(crate) fn read(conn: &Connection, sid: &str) -> Result<Self, StoreError> {
        let informants = rows(
            conn,
            &format!(
                "SELECT {} FROM informant WHERE study_id = ?1 ORDER BY rowid",
                crate::read::INFORMANT_COLUMNS
            ),
            [sid],
            crate::read::informant_row,
        )?;
        let position: foldhash::HashMap<&InformantId, u32> = informants
            .iter()
            .enumerate()
            .map(|(k, i)| (&i.id, k as u32))
            .collect();
        let number = |i: &InformantId| {
            position.get(i).copied().ok_or_else(|| {
                StoreError::Corrupt(format!("a source names unknown informant `{i}`"))
            })
        };
        let mut sources = foldhash::HashMap::default();
        for d in described(conn, sid)? {
            let voices = d.numbered(number)?;
            sources.insert(d.id, (voices, d.group));
        }
        Ok(Self {
            informants,
            sources,
        })
    }

    /// The sources in which `filter` can keep any words, or `None` when it can keep words
    /// in every one: what SQL narrows the codings to before each unit's voices are tested.
    pub(crate) fn candidates(
        &self,
        filter: &samskap_core::analysis::Filter,
        speakers: &samskap_core::analysis::Speakers,
    ) -> Option<Vec<&SourceId>> {
        let mut out = Vec::new();
        for (id, (voices, group)) in &self.sources {
            if !filter.keeps_source(id) {
                continue;
            }
            let any = match voices {
                Voices::Everyone(all) => {
                    all.iter().any(|&v| speakers.keeps_voice(v, false))
                        || (all.is_empty() && filter.keeps_no_one(group.as_ref()))
                }
                Voices::Turns(turns) => {
                    filter.keeps_no_one(group.as_ref())
                        || turns
                            .iter()
                            .any(|(_, w)| w.is_some_and(|v| speakers.keeps_voice(v, false)))
                }
            };
            if any {
                out.push(id);
            }
        }
        (out.len() < self.sources.len()).then_some(out)
    }
}

/// How many meaning units hold each informant's words, by informant id: in a source without
/// labels every unit is each of its informants'; in one with labels, a unit is the
/// informants' whose turns it touches. Counted per source, not per unit, where it can be.
pub(crate) fn units_per_informant(
    conn: &Connection,
    sid: &str,
) -> Result<foldhash::HashMap<String, usize>, StoreError> {
    let mut out: foldhash::HashMap<String, usize> = foldhash::HashMap::default();
    each(
        conn,
        "SELECT si.informant_id, n.count
         FROM (SELECT source_id, count(*) AS count FROM meaning_unit WHERE study_id = ?1
               GROUP BY source_id) n
         JOIN source_informant si ON si.study_id = ?1 AND si.source_id = n.source_id
         WHERE NOT EXISTS (SELECT 1 FROM source_speaker sp
                           WHERE sp.study_id = ?1 AND sp.source_id = n.source_id)",
        [sid],
        |r| {
            *out.entry(get(r, 0)?).or_default() += get::<i64>(r, 1)? as usize;
            Ok(())
        },
    )?;
    each(
        conn,
        "SELECT sp.informant_id, count(DISTINCT u.id)
         FROM meaning_unit u
         JOIN source_turn t ON t.study_id = u.study_id AND t.source_id = u.source_id
                           AND t.start_char < u.end_char AND t.end_char > u.start_char
         JOIN source_speaker sp ON sp.study_id = t.study_id AND sp.source_id = t.source_id
                               AND sp.label = t.label
         WHERE u.study_id = ?1 AND sp.informant_id IS NOT NULL
         GROUP BY sp.informant_id",
        [sid],
        |r| {
            *out.entry(get(r, 0)?).or_default() += get::<i64>(r, 1)? as usize;
            Ok(())
        },
    )?;
    Ok(out)
}
