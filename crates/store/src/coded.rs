//! One source as a coder reads it: its text with the codings of its meaning units, read by
//! the source alone (through the units' index on study and source), whatever the size of the
//! rest of the study.

use samskap_core::{CodeId, CoderId, Qualifiers, Source, SourceId, Span, StudyId, Transcript};

use crate::read::{self, Interner};
use crate::{Store, StoreError};

/// A coding of a unit of one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceCoding {
    /// Where the unit lies in the source's text.
    pub span: Span,
    /// The code.
    pub code: CodeId,
    /// Its qualifier values.
    pub qualifiers: Qualifiers,
    /// The coder.
    pub coder: CoderId,
    /// The note on the coding.
    pub memo: Option<String>,
}

/// A source with its text and its codings.
#[derive(Debug, Clone)]
pub struct CodedSource {
    /// Its declaration.
    pub source: Source,
    /// Its text.
    pub text: Transcript,
    /// The codings of its units, by start, end, coder and code.
    pub codings: Vec<SourceCoding>,
}

impl Store {
    /// A source of a study with its text and every coding of its units, read in one
    /// transaction (the codings are those of the text returned).
    pub fn coded_source(&self, study: &StudyId, id: &SourceId) -> Result<CodedSource, StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(StoreError::db)?;
        read::study_exists(&tx, study.as_str())?;
        let (source, text) = crate::sources::read_one(&tx, study.as_str(), id)?;
        let mut codes: Interner<CodeId> = Interner::new();
        let mut qualifiers: Interner<Qualifiers> = Interner::new();
        let mut coders: Interner<CoderId> = Interner::new();
        let mut codings = Vec::new();
        let len = text.char_len();
        read::each(
            &tx,
            "SELECT u.start_char, u.end_char, c.code, c.qualifiers, c.coder, c.memo
             FROM meaning_unit u JOIN coding c ON c.unit_id = u.id
             WHERE u.study_id = ?1 AND u.source_id = ?2
             ORDER BY u.start_char, u.end_char, c.coder, c.code, c.qualifiers",
            [study.as_str(), id.as_str()],
            |r| {
                let (start, end): (i64, i64) = (read::get(r, 0)?, read::get(r, 1)?);
                codings.push(SourceCoding {
                    span: Span::new(start as usize, end as usize, len)
                        .map_err(StoreError::corrupt)?,
                    code: codes.get(read::text(r, 2)?)?,
                    qualifiers: qualifiers.get(read::text(r, 3)?)?,
                    coder: coders.get(read::text(r, 4)?)?,
                    memo: read::get(r, 5)?,
                });
                Ok(())
            },
        )?;
        Ok(CodedSource {
            source,
            text,
            codings,
        })
    }
}
