//! Reads: studies, frameworks, and a whole study back as a core [`Study`].

use rusqlite::{Connection, OptionalExtension, Row};
use samskap_core::{
    ActiveConsent, AttributeHolder, Code, CodeId, CoderId, Coding, Framework, FrameworkMeta,
    Informant, InformantDetails, Labels, Member, Memo, Municipality, Qualifier, QualifierValue,
    Qualifiers, ResourceGroup, Study, StudyId, StudyMeta,
};

use crate::{Store, StoreError};

pub(crate) fn parse<T: std::str::FromStr>(s: String) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    s.parse().map_err(StoreError::corrupt)
}

pub(crate) fn parse_opt<T: std::str::FromStr>(s: Option<String>) -> Result<Option<T>, StoreError>
where
    T::Err: std::fmt::Display,
{
    s.map(parse).transpose()
}

fn enum_value<T: serde_like::FromName>(s: &str) -> Result<T, StoreError> {
    T::from_name(s).ok_or_else(|| StoreError::Corrupt(format!("unexpected value `{s}`")))
}

/// Parsing the lowercase names that the schema's CHECK constraints allow.
mod serde_like {
    use samskap_core::{ActiveConsent, Role, Sector};

    pub trait FromName: Sized {
        fn from_name(s: &str) -> Option<Self>;
    }

    impl FromName for Sector {
        fn from_name(s: &str) -> Option<Self> {
            Sector::ALL.into_iter().find(|v| v.as_str() == s)
        }
    }

    impl FromName for Role {
        fn from_name(s: &str) -> Option<Self> {
            [Role::Participant, Role::Facilitator]
                .into_iter()
                .find(|v| v.as_str() == s)
        }
    }

    impl FromName for ActiveConsent {
        fn from_name(s: &str) -> Option<Self> {
            match s {
                "pending" => Some(ActiveConsent::Pending),
                "given" => Some(ActiveConsent::Given),
                _ => None,
            }
        }
    }
}

/// Collects a query's rows, each mapped by a fallible function of our own error type.
pub(crate) fn rows<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    mut f: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    // Cached: the same few statements run on every request of a server.
    let mut st = conn.prepare_cached(sql).map_err(StoreError::db)?;
    let mut q = st.query(params).map_err(StoreError::db)?;
    let mut out = Vec::new();
    while let Some(r) = q.next().map_err(StoreError::db)? {
        out.push(f(r)?);
    }
    Ok(out)
}

/// Hands a query's rows, one at a time, to `f`: for the large tables, whose rows need not
/// all be held at once.
pub(crate) fn each(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    mut f: impl FnMut(&Row<'_>) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut st = conn.prepare_cached(sql).map_err(StoreError::db)?;
    let mut q = st.query(params).map_err(StoreError::db)?;
    while let Some(r) = q.next().map_err(StoreError::db)? {
        f(r)?;
    }
    Ok(())
}

/// Parses each distinct text once: a million rows name a few coders and codes, and a parsed
/// id is shared (`Arc`), so a repeat costs a lookup instead of a check and an allocation.
pub(crate) struct Interner<T> {
    parsed: foldhash::HashMap<Box<str>, T>,
}

impl<T: Clone + std::str::FromStr> Interner<T>
where
    T::Err: std::fmt::Display,
{
    pub(crate) fn new() -> Self {
        Self {
            parsed: foldhash::HashMap::default(),
        }
    }

    pub(crate) fn get(&mut self, text: &str) -> Result<T, StoreError> {
        if let Some(t) = self.parsed.get(text) {
            return Ok(t.clone());
        }
        let t: T = text.parse().map_err(StoreError::corrupt)?;
        self.parsed.insert(text.into(), t.clone());
        Ok(t)
    }
}

/// Column `i` of a row as text, borrowed from SQLite.
pub(crate) fn text<'r>(r: &'r Row<'_>, i: usize) -> Result<&'r str, StoreError> {
    r.get_ref(i)
        .map_err(StoreError::db)?
        .as_str()
        .map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))
}

pub(crate) fn get<T: rusqlite::types::FromSql>(r: &Row<'_>, i: usize) -> Result<T, StoreError> {
    r.get(i).map_err(StoreError::db)
}

pub(crate) fn studies(conn: &Connection) -> Result<Vec<StudyMeta>, StoreError> {
    rows(
        conn,
        "SELECT id, title, research_question, method, period_start, period_end, framework_id,
                provenance, language
         FROM study ORDER BY rowid",
        [],
        study_meta,
    )
}

/// One study's row, or `NotFound`.
pub(crate) fn study_row(conn: &Connection, id: &StudyId) -> Result<StudyMeta, StoreError> {
    conn.query_row(
        "SELECT id, title, research_question, method, period_start, period_end, framework_id,
                provenance, language
         FROM study WHERE id = ?1",
        [id.as_str()],
        |r| Ok(study_meta(r)),
    )
    .optional()
    .map_err(StoreError::db)?
    .ok_or_else(|| StoreError::NotFound {
        what: "study",
        id: id.as_str().to_owned(),
    })?
}

fn study_meta(r: &Row<'_>) -> Result<StudyMeta, StoreError> {
    Ok(StudyMeta {
        id: parse(get(r, 0)?)?,
        title: get(r, 1)?,
        research_question: get(r, 2)?,
        method: get(r, 3)?,
        period_start: parse_opt(get(r, 4)?)?,
        period_end: parse_opt(get(r, 5)?)?,
        framework: parse(get(r, 6)?)?,
        provenance: parse(get(r, 7)?)?,
        language: parse_opt(get(r, 8)?)?,
    })
}

/// Labels by language, as the schema keeps them: a JSON object.
pub(crate) fn labels(json: &str) -> Result<Labels, StoreError> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt(format!("labels `{}`: {e}", samskap_core::shorten(json))))
}

/// Labels as the schema keeps them.
pub(crate) fn labels_json(labels: &Labels) -> String {
    serde_json::to_string(labels).expect("a map of strings is JSON")
}

pub(crate) fn framework_in(conn: &Connection, id: &str) -> Result<Framework, StoreError> {
    let (fid, label, description): (String, String, String) = conn
        .query_row(
            "SELECT id, label, description FROM framework WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(StoreError::db)?
        .ok_or_else(|| StoreError::NotFound {
            what: "framework",
            id: id.to_owned(),
        })?;
    let codes = rows(
        conn,
        "SELECT path, label, definition, colour, memo FROM code
         WHERE framework_id = ?1 ORDER BY rank",
        [id],
        |r| {
            Ok(Code {
                id: parse(get(r, 0)?)?,
                label: labels(text(r, 1)?)?,
                definition: get(r, 2)?,
                colour: get(r, 3)?,
                memo: get(r, 4)?,
            })
        },
    )?;
    let qualifiers = qualifiers_in(conn, id)?;
    Framework::new(
        FrameworkMeta {
            id: parse(fid)?,
            label: labels(&label)?,
            description,
        },
        codes,
        qualifiers,
    )
    .map_err(StoreError::corrupt)
}

/// A framework's qualifiers with their values, in order: all that checking a coding's
/// qualifier values needs of it ([`samskap_core::Qualifier::check_values`]).
pub(crate) fn qualifiers_in(conn: &Connection, id: &str) -> Result<Vec<Qualifier>, StoreError> {
    // Each qualifier's values, in order.
    let mut values: foldhash::HashMap<String, Vec<QualifierValue>> = foldhash::HashMap::default();
    each(
        conn,
        "SELECT qualifier_id, id, label FROM qualifier_value
         WHERE framework_id = ?1 ORDER BY qualifier_id, rank",
        [id],
        |r| {
            values.entry(get(r, 0)?).or_default().push(QualifierValue {
                id: parse(get(r, 1)?)?,
                label: labels(text(r, 2)?)?,
            });
            Ok(())
        },
    )?;
    rows(
        conn,
        "SELECT id, label, required, codes FROM qualifier WHERE framework_id = ?1 ORDER BY rank",
        [id],
        |r| {
            let qid: String = get(r, 0)?;
            let codes = text(r, 3)?;
            Ok(Qualifier {
                values: values.remove(&qid).unwrap_or_default(),
                id: parse(qid)?,
                label: labels(text(r, 1)?)?,
                required: get(r, 2)?,
                codes: serde_json::from_str(codes).map_err(|e| {
                    StoreError::Corrupt(format!(
                        "codes of a qualifier `{}`: {e}",
                        samskap_core::shorten(codes)
                    ))
                })?,
            })
        },
    )
}

impl Store {
    /// Every framework in the store, in the order they arrived.
    pub fn frameworks(&self) -> Result<Vec<Framework>, StoreError> {
        let ids = rows(
            &self.conn,
            "SELECT id FROM framework ORDER BY rowid",
            [],
            |r| get::<String>(r, 0),
        )?;
        ids.iter().map(|id| framework_in(&self.conn, id)).collect()
    }

    /// A whole study, rebuilt through the core constructors so every invariant is checked
    /// again on the way out.
    pub fn load_study(&self, id: &StudyId) -> Result<Study, StoreError> {
        // One read transaction: a study that another process changes meanwhile is read
        // wholly before or wholly after the change, never half of each.
        let tx = self.conn.unchecked_transaction().map_err(StoreError::db)?;
        load_study_in(&tx, id)
    }

    /// A study without its meaning units and codings: its head, framework, people,
    /// transcripts, memos and facilitation record, checked as [`Store::load_study`] checks
    /// them. This is what the facilitators' API serves; it loads in a fraction of the time
    /// on a study of a million codings.
    pub fn load_record(&self, id: &StudyId) -> Result<Study, StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(StoreError::db)?;
        load_parts(&tx, id, Parts::Record)
    }

    /// A study's head, framework, attributes, municipalities, groups, members and
    /// informants, without transcripts, codings, memos or facilitation record: what a
    /// selection of informants by their attributes reads (`--where`).
    pub fn load_people(&self, id: &StudyId) -> Result<Study, StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(StoreError::db)?;
        load_parts(&tx, id, Parts::People)
    }

    /// A study's record ([`Store::load_record`]) and its codings ([`Store::coding_table`]),
    /// read in one transaction, so that the two are of the same moment: together they hold
    /// the whole study, as a report reads it, in a fraction of the memory and time of
    /// [`Store::load_study`].
    pub fn load_record_and_table(
        &self,
        id: &StudyId,
    ) -> Result<(Study, samskap_core::CodingTable), StoreError> {
        let snapshot = self.snapshot()?;
        Ok((snapshot.record(id)?, snapshot.table(id)?))
    }

    /// A read of the store at one moment, in parts: what is read through it is of the same
    /// moment, however long the caller takes between parts (an export writes the record's
    /// files while the codings are read).
    pub fn snapshot(&self) -> Result<Snapshot<'_>, StoreError> {
        Ok(Snapshot {
            tx: self.conn.unchecked_transaction().map_err(StoreError::db)?,
        })
    }
}

/// One read transaction, from [`Store::snapshot`].
#[derive(Debug)]
pub struct Snapshot<'a> {
    tx: rusqlite::Transaction<'a>,
}

impl Snapshot<'_> {
    /// The study's record, as [`Store::load_record`] reads it.
    pub fn record(&self, id: &StudyId) -> Result<Study, StoreError> {
        load_parts(&self.tx, id, Parts::Record)
    }

    /// The study's codings, as [`Store::coding_table`] reads them.
    pub fn table(&self, id: &StudyId) -> Result<samskap_core::CodingTable, StoreError> {
        crate::table::coding_table_in(&self.tx, id, None)
    }
}

/// The columns [`informant_row`] reads, in its order.
pub(crate) const INFORMANT_COLUMNS: &str =
    "id, role, group_id, workplace, job_position, interview_date, consent";

pub(crate) fn informant_row(r: &Row<'_>) -> Result<Informant, StoreError> {
    let consent: String = get(r, 6)?;
    let details = if consent == "withdrawn" {
        None
    } else {
        Some(InformantDetails {
            attributes: Default::default(),
            role: enum_value(&get::<String>(r, 1)?)?,
            group: parse_opt(get(r, 2)?)?,
            workplace: get(r, 3)?,
            position: get(r, 4)?,
            interview_date: parse_opt(get(r, 5)?)?,
            consent: enum_value::<ActiveConsent>(&consent)?,
        })
    };
    Ok(Informant {
        id: parse(get(r, 0)?)?,
        details,
    })
}

/// How much a study holds, counted in SQL: what `study show` prints, without loading the
/// study.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StudySummary {
    /// The head of the study.
    pub study: StudyMeta,
    /// Municipalities.
    pub municipalities: usize,
    /// Resource groups.
    pub groups: usize,
    /// Members of the groups.
    pub members: usize,
    /// Informants, withdrawn ones included.
    pub informants: usize,
    /// Transcripts.
    pub transcripts: usize,
    /// Meaning units.
    pub units: usize,
    /// Codings.
    pub codings: usize,
    /// Memos.
    pub memos: usize,
    /// The coders who coded, in id order.
    pub coders: Vec<CoderId>,
    /// The custom attributes it declares, in order (left out of JSON when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<samskap_core::Attribute>,
}

impl Store {
    /// [`StudySummary`] of a study.
    pub fn study_summary(&self, id: &StudyId) -> Result<StudySummary, StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(StoreError::db)?;
        let sid = id.as_str();
        let study = study_row(&tx, id)?;
        let count = |sql: &str| -> Result<usize, StoreError> {
            tx.query_row(sql, [sid], |r| r.get::<_, i64>(0))
                .map(|n| n as usize)
                .map_err(StoreError::db)
        };
        // One pass over the codings gives both the coders and the count. Counted here, by
        // the coder's bytes, rather than by SQL's GROUP BY, which sorts a million texts.
        let mut counted: foldhash::HashMap<Box<[u8]>, usize> = foldhash::HashMap::default();
        each(
            &tx,
            "SELECT c.coder FROM meaning_unit u JOIN coding c ON c.unit_id = u.id
             WHERE u.study_id = ?1",
            [sid],
            |r| {
                let coder = r
                    .get_ref(0)
                    .map_err(StoreError::db)?
                    .as_bytes()
                    .map_err(|e| StoreError::Corrupt(format!("coder: {e}")))?;
                match counted.get_mut(coder) {
                    Some(n) => *n += 1,
                    None => {
                        counted.insert(coder.into(), 1);
                    }
                }
                Ok(())
            },
        )?;
        let mut per_coder: Vec<(CoderId, usize)> = counted
            .into_iter()
            .map(|(coder, n)| {
                let coder = String::from_utf8(coder.into_vec()).map_err(StoreError::corrupt)?;
                Ok((parse(coder)?, n))
            })
            .collect::<Result<_, StoreError>>()?;
        per_coder.sort_unstable_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        Ok(StudySummary {
            municipalities: count("SELECT count(*) FROM municipality WHERE study_id = ?1")?,
            groups: count("SELECT count(*) FROM resource_group WHERE study_id = ?1")?,
            members: count("SELECT count(*) FROM member WHERE study_id = ?1")?,
            informants: count("SELECT count(*) FROM informant WHERE study_id = ?1")?,
            transcripts: count("SELECT count(*) FROM transcript WHERE study_id = ?1")?,
            units: count("SELECT count(*) FROM meaning_unit WHERE study_id = ?1")?,
            codings: per_coder.iter().map(|(_, n)| n).sum(),
            memos: count("SELECT count(*) FROM memo WHERE study_id = ?1")?,
            coders: per_coder.into_iter().map(|(c, _)| c).collect(),
            attributes: crate::attributes::declarations_in(&tx, sid)?,
            study,
        })
    }

    /// A study's informants in study order (with their values of custom attributes), each
    /// with how many meaning units of theirs are coded, and the attributes the study
    /// declares: Table 1 without loading the study.
    pub fn informants(
        &self,
        id: &StudyId,
    ) -> Result<(Vec<samskap_core::Attribute>, Vec<InformantRow>), StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(StoreError::db)?;
        let sid = id.as_str();
        if tx
            .query_row("SELECT 1 FROM study WHERE id = ?1", [sid], |_| Ok(()))
            .optional()
            .map_err(StoreError::db)?
            .is_none()
        {
            return Err(StoreError::NotFound {
                what: "study",
                id: sid.to_owned(),
            });
        }
        let units = crate::sources::units_per_informant(&tx, sid)?;
        let declared = crate::attributes::declarations_in(&tx, sid)?;
        let mut values =
            crate::attributes::values_in(&tx, sid, AttributeHolder::Informant, &declared)?;
        let list = rows(
            &tx,
            &format!(
                "SELECT {INFORMANT_COLUMNS} FROM informant WHERE study_id = ?1 ORDER BY rowid"
            ),
            [sid],
            |r| {
                let mut i = informant_row(r)?;
                if let Some(d) = i.details.as_mut() {
                    d.attributes = values.remove(i.id.as_str()).unwrap_or_default();
                }
                let n = units.get(i.id.as_str()).copied().unwrap_or(0);
                Ok((i, n))
            },
        )?;
        Ok((declared, list))
    }
}

/// An informant with how many meaning units of theirs are coded.
pub type InformantRow = (Informant, usize);

/// A study's head, framework, people and attributes, without sources, codings, memos or
/// facilitation record, as the caller's transaction sees it.
pub(crate) fn load_people_in(conn: &Connection, id: &StudyId) -> Result<Study, StoreError> {
    load_parts(conn, id, Parts::People)
}

/// `NotFound` unless the store holds study `sid`.
pub(crate) fn study_exists(conn: &Connection, sid: &str) -> Result<(), StoreError> {
    conn.query_row("SELECT 1 FROM study WHERE id = ?1", [sid], |_| Ok(()))
        .optional()
        .map_err(StoreError::db)?
        .ok_or_else(|| StoreError::NotFound {
            what: "study",
            id: sid.to_owned(),
        })
}

/// A whole study as [`Store::load_study`] gives it, read through `conn` (which may be a
/// transaction, so that a checked write sees what it checks).
pub(crate) fn load_study_in(conn: &Connection, id: &StudyId) -> Result<Study, StoreError> {
    load_parts(conn, id, Parts::Whole)
}

/// A study's record as [`Store::load_record`] gives it, read through `conn` (a server's
/// checked write loads its copy in memory in its own transaction).
pub(crate) fn load_record_in(conn: &Connection, id: &StudyId) -> Result<Study, StoreError> {
    load_parts(conn, id, Parts::Record)
}

/// What of a study to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Parts {
    /// All of it.
    Whole,
    /// All but the coded material: see [`Store::load_record`].
    Record,
    /// The head and the people: see [`Store::load_people`].
    People,
}

fn load_parts(conn: &Connection, id: &StudyId, parts: Parts) -> Result<Study, StoreError> {
    let sid = id.as_str();
    let meta = study_row(conn, id)?;
    let framework = framework_in(conn, meta.framework.as_str())?;
    let mut study = Study::new(meta, framework).map_err(StoreError::corrupt)?;
    let c = StoreError::corrupt;
    let declared = crate::attributes::declarations_in(conn, sid)?;
    let values = |holder| crate::attributes::values_in(conn, sid, holder, &declared);
    let (mut of_groups, mut of_members, mut of_informants) = (
        values(AttributeHolder::Group)?,
        values(AttributeHolder::Member)?,
        values(AttributeHolder::Informant)?,
    );
    for a in &declared {
        study.add_attribute(a.clone()).map_err(c)?;
    }

    for m in rows(
        conn,
        "SELECT id, name FROM municipality WHERE study_id = ?1 ORDER BY rowid",
        [sid],
        |r| {
            Ok(Municipality {
                id: parse(get(r, 0)?)?,
                name: get(r, 1)?,
            })
        },
    )? {
        study.add_municipality(m).map_err(c)?;
    }
    // Each group's municipalities, in the order they were linked.
    let mut links: foldhash::HashMap<String, Vec<String>> = foldhash::HashMap::default();
    each(
        conn,
        "SELECT group_id, municipality_id FROM group_municipality WHERE study_id = ?1 ORDER BY rowid",
        [sid],
        |r| {
            links.entry(get(r, 0)?).or_default().push(get(r, 1)?);
            Ok(())
        },
    )?;
    for g in rows(
        conn,
        "SELECT id, name, period_start, period_end, studied FROM resource_group
         WHERE study_id = ?1 ORDER BY rowid",
        [sid],
        |r| {
            let gid: String = get(r, 0)?;
            let municipalities = links
                .remove(&gid)
                .unwrap_or_default()
                .into_iter()
                .map(parse)
                .collect::<Result<_, _>>()?;
            Ok(ResourceGroup {
                attributes: of_groups.remove(&gid).unwrap_or_default(),
                id: parse(gid)?,
                name: get(r, 1)?,
                municipalities,
                period_start: parse_opt(get(r, 2)?)?,
                period_end: parse_opt(get(r, 3)?)?,
                studied: get(r, 4)?,
            })
        },
    )? {
        study.add_group(g).map_err(c)?;
    }
    for m in rows(
        conn,
        "SELECT id, group_id, sector, service, youth, pd_youth FROM member
         WHERE study_id = ?1 ORDER BY rowid",
        [sid],
        |r| {
            let mid: String = get(r, 0)?;
            Ok(Member {
                attributes: of_members.remove(&mid).unwrap_or_default(),
                id: parse(mid)?,
                group: parse(get(r, 1)?)?,
                sector: enum_value(&get::<String>(r, 2)?)?,
                service: get(r, 3)?,
                youth: get(r, 4)?,
                pd_youth: get(r, 5)?,
            })
        },
    )? {
        study.add_member(m).map_err(c)?;
    }
    for i in rows(
        conn,
        &format!("SELECT {INFORMANT_COLUMNS} FROM informant WHERE study_id = ?1 ORDER BY rowid"),
        [sid],
        informant_row,
    )? {
        let mut i = i;
        if let Some(d) = i.details.as_mut() {
            d.attributes = of_informants.remove(i.id.as_str()).unwrap_or_default();
        }
        study.add_informant(i).map_err(c)?;
    }
    // With the people: a source added to the study is checked against its guides.
    for g in crate::guides::read_all(conn, sid)? {
        study.add_guide(g).map_err(c)?;
    }
    if parts == Parts::People {
        return Ok(study);
    }
    // Minutes are linked to their meeting once the facilitation record is read.
    let mut meetings = Vec::new();
    for (mut source, t) in crate::sources::read_all(conn, sid)? {
        if let Some(m) = source.meeting.take() {
            meetings.push((source.id.clone(), m));
        }
        study.add_source(source, t).map_err(c)?;
    }
    if parts == Parts::Whole {
        read_coded_into(conn, sid, &mut study)?;
    }
    for m in rows(
        conn,
        "SELECT code, author, text FROM memo WHERE study_id = ?1 ORDER BY id",
        [sid],
        |r| {
            Ok(Memo {
                code: parse_opt(get(r, 0)?)?,
                author: parse(get(r, 1)?)?,
                text: get(r, 2)?,
            })
        },
    )? {
        study.add_memo(m).map_err(c)?;
    }
    crate::facilitation::read_into(conn, sid, &mut study)?;
    for (source, m) in meetings {
        study.link_meeting(&source, m).map_err(c)?;
    }
    Ok(study)
}

/// The meaning units and codings of a study, added to it.
fn read_coded_into(conn: &Connection, sid: &str, study: &mut Study) -> Result<(), StoreError> {
    let c = StoreError::corrupt;
    // Row ids of units to their place in the study; read in order, so a sorted list. As in
    // `coding_table`, the table is scanned in row id order rather than sorted.
    let mut unit_rows: Vec<(i64, samskap_core::UnitId)> = Vec::new();
    let mut source_ids: Interner<samskap_core::SourceId> = Interner::new();
    each(
        conn,
        "SELECT id, source_id, start_char, end_char FROM meaning_unit
         WHERE +study_id = ?1 ORDER BY id",
        [sid],
        |r| {
            let row_id: i64 = get(r, 0)?;
            let source = source_ids.get(text(r, 1)?)?;
            let (start, end): (i64, i64) = (get(r, 2)?, get(r, 3)?);
            let t = study
                .transcript(&source)
                .ok_or_else(|| StoreError::Corrupt(format!("unit {row_id} has no transcript")))?;
            let span = t.span(start as usize, end as usize).map_err(c)?;
            unit_rows.push((row_id, study.unit(&source, span).map_err(c)?));
            Ok(())
        },
    )?;
    let mut codes: Interner<CodeId> = Interner::new();
    let mut qualifiers: Interner<Qualifiers> = Interner::new();
    let mut coders: Interner<CoderId> = Interner::new();
    // Codings in the order they were added (their rowid). The study's units have row ids in
    // [lo, hi]: scanning `coding` by rowid (`+` keeps SQLite off the unit index, which would
    // need a sort) within that range keeps the order without a sort
    // and without looking up each unit's study; a coding whose unit is not one of this
    // study's (another study imported alongside) is skipped.
    let lo = unit_rows.first().map_or(0, |&(row, _)| row);
    let hi = unit_rows.last().map_or(-1, |&(row, _)| row);
    each(
        conn,
        "SELECT unit_id, code, qualifiers, coder, memo, exemplar FROM coding
         WHERE +unit_id BETWEEN ?1 AND ?2 ORDER BY id",
        rusqlite::params![lo, hi],
        |r| {
            let unit: i64 = get(r, 0)?;
            let Ok(at) = unit_rows.binary_search_by_key(&unit, |&(row, _)| row) else {
                return Ok(());
            };
            let coding = Coding {
                unit: unit_rows[at].1,
                code: codes.get(text(r, 1)?)?,
                qualifiers: qualifiers.get(text(r, 2)?)?,
                coder: coders.get(text(r, 3)?)?,
                memo: get(r, 4)?,
                exemplar: get(r, 5)?,
            };
            study.add_coding(coding).map_err(c)
        },
    )?;
    Ok(())
}
