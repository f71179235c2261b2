//! A study's codings as numbers ([`CodingTable`]), read straight from the tables: what the
//! counting commands need, without the transcripts' words or the facilitation record.

use rusqlite::{Connection, Row};
use samskap_core::{
    CodeId, CoderId, CodingTable, GroupId, Qualifiers, StudyId, TableBuilder, TableCoding,
};

use crate::read::{each, framework_in, get, parse, rows, study_row, text, INFORMANT_COLUMNS};
use crate::{Store, StoreError};

/// Positions by the text in a column, each distinct text checked as UTF-8 and parsed once:
/// a million rows hold a few dozen distinct codes, qualifier values and coders.
struct Positions(foldhash::HashMap<Box<[u8]>, u32>);

impl Positions {
    fn new() -> Self {
        Self(foldhash::HashMap::default())
    }

    fn get(
        &mut self,
        r: &Row<'_>,
        i: usize,
        place: impl FnOnce(&str) -> Result<u32, StoreError>,
    ) -> Result<u32, StoreError> {
        let bytes = r
            .get_ref(i)
            .map_err(StoreError::db)?
            .as_bytes()
            .map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))?;
        if let Some(&n) = self.0.get(bytes) {
            return Ok(n);
        }
        let n = place(text(r, i)?)?;
        self.0.insert(bytes.into(), n);
        Ok(n)
    }
}

impl Store {
    /// The [`CodingTable`] of a study: all its codings, or with `version` only those made
    /// under that version of its framework (their codes as they are now, as
    /// the codebook edits recode them). The same codings, in the same order, as
    /// [`CodingTable::of`] the loaded study gives.
    pub fn coding_table(
        &self,
        id: &StudyId,
        version: Option<u32>,
    ) -> Result<CodingTable, StoreError> {
        // One read transaction, as for `load_study`.
        let tx = self.conn.unchecked_transaction().map_err(StoreError::db)?;
        coding_table_in(&tx, id, version)
    }
}

pub(crate) fn coding_table_in(
    conn: &Connection,
    id: &StudyId,
    version: Option<u32>,
) -> Result<CodingTable, StoreError> {
    let sid = id.as_str();
    let c = StoreError::corrupt;
    let meta = study_row(conn, id)?;
    let framework = framework_in(conn, meta.framework.as_str())?;
    let groups: Vec<GroupId> = rows(
        conn,
        "SELECT id FROM resource_group WHERE study_id = ?1 ORDER BY rowid",
        [sid],
        |r| parse(get(r, 0)?),
    )?;
    let informants = rows(
        conn,
        &format!("SELECT {INFORMANT_COLUMNS} FROM informant WHERE study_id = ?1 ORDER BY rowid"),
        [sid],
        crate::read::informant_row,
    )?;
    let mut b = TableBuilder::new(framework, groups, informants).map_err(c)?;
    for d in crate::sources::described(conn, sid)? {
        let voices = d.numbered(|i| b.informant(i).map_err(c))?;
        b.source(d.id, d.chars, d.group.as_ref(), voices)
            .map_err(c)?;
    }
    let mut source_of = Positions::new();
    // Row ids of units to their positions; read in row id order, so a sorted list. The
    // table is scanned in that order (`+` keeps SQLite off the index on the study, whose
    // order would need a sort of every unit): a store holds a study or a few, so the units
    // of other studies passed over cost less than the sort.
    let mut unit_rows: Vec<(i64, u32)> = Vec::new();
    each(
        conn,
        "SELECT id, source_id, start_char, end_char FROM meaning_unit
         WHERE +study_id = ?1 ORDER BY id",
        [sid],
        |r| {
            let row: i64 = get(r, 0)?;
            let i = source_of.get(r, 1, |s| {
                b.source_position(&s.parse::<samskap_core::SourceId>().map_err(c)?)
                    .map_err(c)
            })?;
            let (start, end): (i64, i64) = (get(r, 2)?, get(r, 3)?);
            let at = b.unit(i, start as usize, end as usize).map_err(c)?;
            unit_rows.push((row, at));
            Ok(())
        },
    )?;
    let (mut codes, mut sets, mut coders) = (Positions::new(), Positions::new(), Positions::new());
    // As in `load_study`: the codings by row id within the range of this study's units.
    let lo = unit_rows.first().map_or(0, |&(row, _)| row);
    let hi = unit_rows.last().map_or(-1, |&(row, _)| row);
    // A unit's position by its row id: a direct look-up where the study's row ids are dense
    // (as an import leaves them), a binary search where edits have spread them out.
    let dense: Option<Vec<u32>> = ((hi - lo) < 2 * unit_rows.len() as i64 + 1024).then(|| {
        let mut v = vec![u32::MAX; (hi - lo + 1).max(0) as usize];
        for &(row, at) in &unit_rows {
            v[(row - lo) as usize] = at;
        }
        v
    });
    let position = |row: i64| -> Option<u32> {
        match &dense {
            Some(v) => v
                .get(usize::try_from(row - lo).ok()?)
                .copied()
                .filter(|&at| at != u32::MAX),
            None => unit_rows
                .binary_search_by_key(&row, |&(r, _)| r)
                .ok()
                .map(|i| unit_rows[i].1),
        }
    };
    each(
        conn,
        "SELECT unit_id, code, qualifiers, coder, memo, exemplar FROM coding
         WHERE +unit_id BETWEEN ?1 AND ?2 AND (?3 IS NULL OR version = ?3) ORDER BY id",
        rusqlite::params![lo, hi, version],
        |r| {
            let Some(unit) = position(get(r, 0)?) else {
                return Ok(());
            };
            let coding = TableCoding {
                unit,
                code: codes.get(r, 1, |s| {
                    b.code(&s.parse::<CodeId>().map_err(c)?).map_err(c)
                })?,
                qualifiers: sets.get(r, 2, |s| {
                    Ok(b.qualifiers(&s.parse::<Qualifiers>().map_err(c)?))
                })?,
                coder: coders.get(r, 3, |s| Ok(b.coder(&s.parse::<CoderId>().map_err(c)?)))?,
            };
            b.coding(coding, get(r, 4)?, get(r, 5)?).map_err(c)
        },
    )?;
    b.finish().map_err(c)
}
