//! Guide yield: which questions of an interview guide produced material in which codes. The
//! thesis noticed that some questions gave much and others little; a question that gave
//! nothing is a row of zeros, not a missing row.

use serde::Serialize;

use super::{count, Count, Filter, RowsBy};
use crate::guide::{question_starts, section_at};
use crate::ids::{CodeId, GuideId, QuestionId};
use crate::study::Study;
use crate::table::CodingTable;
use crate::ModelError;

/// One question of the guide and what its sections yielded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YieldRow {
    /// The question.
    pub question: QuestionId,
    /// Its theme's heading (in the latest version counted that has it).
    pub theme: String,
    /// Its wording (likewise).
    pub text: String,
    /// The versions counted that ask it.
    pub versions: Vec<u32>,
    /// One count per column of [`GuideYield::columns`], then the total over all codes.
    pub counts: Vec<Count>,
}

/// Questions × codes: per question, the distinct meaning units that start in its sections of
/// the sources following the guide, and the distinct informants behind them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GuideYield {
    /// The guide.
    pub guide: GuideId,
    /// The one version counted, or `None` for all of them.
    pub version: Option<u32>,
    /// What the columns are.
    pub columns_by: RowsBy,
    /// The codes of the columns, in framework order; each row's counts end with a total.
    pub columns: Vec<CodeId>,
    /// The sources counted: those that follow the guide (the version, when one is given).
    pub sources: usize,
    /// The questions: those of the latest version counted in its order, then those only
    /// earlier versions ask, newest first.
    pub rows: Vec<YieldRow>,
    /// Units of those sources that start before their first question mark, counted as a
    /// row is.
    pub unmarked: Vec<Count>,
}

/// The yield of guide `guide` (of its version `version`, or of all its versions, a question
/// being one row across the versions that ask it by the same id) over the codings `filter`
/// keeps of `table`, a table of `study` ([`CodingTable::of`]).
///
/// One pass over the followed sources' texts to find their marks, one over the units to
/// place each in its section, and one count over the codings.
pub fn guide_yield(
    study: &Study,
    table: &CodingTable,
    filter: &Filter,
    guide: &GuideId,
    version: Option<u32>,
    columns_by: RowsBy,
) -> Result<GuideYield, ModelError> {
    let g = study.guide(guide).ok_or_else(|| ModelError::UnknownGuide {
        guide: guide.clone(),
        version: None,
    })?;
    let counted: Vec<&crate::guide::GuideVersion> = match version {
        Some(v) => vec![g.version(v).ok_or_else(|| ModelError::UnknownGuide {
            guide: guide.clone(),
            version: Some(v),
        })?],
        None => g.versions.iter().collect(),
    };
    // Rows: newest version first, so that a question keeps its latest wording and place.
    let mut rows: Vec<YieldRow> = Vec::new();
    let mut row_of: foldhash::HashMap<&QuestionId, usize> = foldhash::HashMap::default();
    // Per version counted (by number), the row of each of its questions in order.
    let mut rows_of_version: foldhash::HashMap<u32, Vec<usize>> = foldhash::HashMap::default();
    for v in counted.iter().rev() {
        let mut mine = Vec::new();
        for (t, q) in v.questions() {
            let r = *row_of.entry(&q.id).or_insert_with(|| {
                rows.push(YieldRow {
                    question: q.id.clone(),
                    theme: v.themes[t].title.clone(),
                    text: q.text.clone(),
                    versions: Vec::new(),
                    counts: Vec::new(),
                });
                rows.len() - 1
            });
            rows[r].versions.push(v.version);
            mine.push(r);
        }
        rows_of_version.insert(v.version, mine);
    }
    for r in &mut rows {
        r.versions.sort_unstable();
    }

    // Per unit of the table, its row; `unmarked` for before the first mark, `skip` outside
    // the followed sources.
    let unmarked = rows.len();
    let skip = u32::MAX;
    debug_assert_eq!(table.sources().len(), study.sources().len());
    let mut sections: Vec<Option<Vec<(usize, usize)>>> = Vec::with_capacity(study.sources().len());
    let mut sources = 0;
    for (s, t) in study.sources().iter().zip(study.transcripts()) {
        let followed = s
            .guide
            .as_ref()
            .filter(|r| &r.guide == guide)
            .and_then(|r| Some((rows_of_version.get(&r.version)?, g.version(r.version)?)));
        sections.push(followed.map(|(rows_here, v)| {
            sources += 1;
            question_starts(t.text(), v)
                .into_iter()
                .map(|(at, q)| (at, rows_here[q]))
                .collect()
        }));
    }
    let unit_row: Vec<u32> = table
        .units()
        .iter()
        .map(|u| match &sections[u.source as usize] {
            None => skip,
            Some(starts) => section_at(starts, u.span.start()).unwrap_or(unmarked) as u32,
        })
        .collect();

    let framework = table.framework();
    let columns: Vec<CodeId> = framework
        .codes()
        .iter()
        .filter(|c| columns_by == RowsBy::Code || c.id.parent().is_none())
        .map(|c| c.id.clone())
        .collect();
    // Per code rank, the column it has, if any; and per code rank, the columns its codings
    // count in (its top code's, or its own and every one above it).
    let mut column_of_rank = vec![usize::MAX; framework.codes().len()];
    for (k, id) in columns.iter().enumerate() {
        column_of_rank[framework.code_rank(id).expect("a code of the framework")] = k;
    }
    let counts_in: Vec<Vec<usize>> = count::row_codes(framework, columns_by)
        .into_iter()
        .map(|ranks| ranks.into_iter().map(|r| column_of_rank[r]).collect())
        .collect();
    let width = columns.len() + 1;
    let sel = filter.selection(table);
    let cells = count::count_cells(
        table,
        sel.codings(table)
            .filter(|c| unit_row[c.unit as usize] != skip),
        (rows.len() + 1) * width,
        |unit, voice| sel.keeps_voice(table, unit, voice),
        |c, _, cells| {
            let row = unit_row[c.unit as usize] as usize * width;
            cells.extend(counts_in[c.code as usize].iter().map(|&k| row + k));
            cells.push(row + columns.len());
        },
    );
    let mut chunks = cells.chunks(width).map(<[Count]>::to_vec);
    for r in &mut rows {
        r.counts = chunks.next().expect("a chunk per row");
    }
    Ok(GuideYield {
        guide: guide.clone(),
        version,
        columns_by,
        columns,
        sources,
        rows,
        unmarked: chunks.next().expect("a chunk for the unmarked"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guide::{Guide, GuideRef, GuideVersion, Question, Theme};
    use crate::testing::{barrier, id, study};
    use crate::{Coding, Source, SourceKind, TextQuote, Transcript};

    fn guide() -> Guide {
        let q = |i: &str, text: &str| Question {
            id: id(i),
            text: text.into(),
        };
        let v = |n: u32, q1: &str| GuideVersion {
            version: n,
            note: None,
            themes: vec![
                Theme {
                    title: "Tid".into(),
                    questions: vec![q("q1", q1), q("q2", "Hva mangler?")],
                },
                Theme {
                    title: "Slutt".into(),
                    questions: vec![q("q3", "Noe mer?")],
                },
            ],
        };
        Guide {
            id: id("g"),
            title: "Guide".into(),
            versions: vec![v(1, "Har dere tid?"), v(2, "Har dere nok tid?")],
        }
    }

    fn with_guide() -> Study {
        let mut s = study();
        s.add_guide(guide()).unwrap();
        let i1 = s.informants()[0].id.clone();
        let text = "Innledning.\n[q1] Har dere nok tid?\nVi har ikke tid.\n[q2]\nVi mangler folk. Og tid.\n[q3]\nNei.\n";
        let source = Source {
            guide: Some(GuideRef {
                guide: id("g"),
                version: 2,
            }),
            kind: SourceKind::Interview,
            ..Source::interview(&i1)
        };
        let sid: crate::SourceId = id("int-g");
        let source = Source {
            id: sid.clone(),
            ..source
        };
        s.add_source(source, Transcript::new(sid.clone(), text))
            .unwrap();
        for (quote, code, coder) in [
            ("Vi har ikke tid.", "resources/time-people-money", "A"),
            ("Vi har ikke tid.", "resources/time-people-money", "B"),
            ("Vi mangler folk.", "resources/time-people-money", "A"),
            ("Og tid.", "structure/infrastructure", "A"),
            ("Innledning.", "structure/infrastructure", "A"),
        ] {
            let unit = s.locate_unit(&sid, &TextQuote::exact(quote)).unwrap();
            s.add_coding(Coding {
                unit,
                code: id(code),
                qualifiers: barrier(),
                coder: id(coder),
                memo: None,
                exemplar: false,
            })
            .unwrap();
        }
        s
    }

    #[test]
    fn each_question_counts_the_units_that_start_in_its_sections() {
        let s = with_guide();
        let t = CodingTable::of(&s, None);
        let y = guide_yield(&s, &t, &Filter::default(), &id("g"), None, RowsBy::Top).unwrap();
        assert_eq!(y.sources, 1);
        let q: Vec<&str> = y.rows.iter().map(|r| r.question.as_str()).collect();
        assert_eq!(q, ["q1", "q2", "q3"]);
        // The latest wording, and both versions ask it.
        assert_eq!(y.rows[0].text, "Har dere nok tid?");
        assert_eq!(y.rows[0].versions, [1, 2]);
        let col = |c: &str| y.columns.iter().position(|k| k.as_str() == c).unwrap();
        let total = y.columns.len();
        // q1: one unit (coded by two coders), one informant.
        assert_eq!(y.rows[0].counts[col("resources")].units, 1);
        assert_eq!(y.rows[0].counts[col("resources")].informants, 1);
        // q2: two units, in two categories.
        assert_eq!(y.rows[1].counts[total].units, 2);
        assert_eq!(y.rows[1].counts[col("structure")].units, 1);
        // q3 gave nothing, and is listed.
        assert!(y.rows[2].counts.iter().all(|c| *c == Count::default()));
        // Before the first mark.
        assert_eq!(y.unmarked[total].units, 1);
        // A coder's view; a version that no source follows counts none.
        let b = Filter {
            coder: Some(id("B")),
            ..Filter::default()
        };
        let y = guide_yield(&s, &t, &b, &id("g"), None, RowsBy::Code).unwrap();
        let total = y.columns.len();
        assert_eq!(y.rows[0].counts[total].units, 1);
        assert_eq!(y.rows[1].counts[total].units, 0);
        let v1 = guide_yield(&s, &t, &Filter::default(), &id("g"), Some(1), RowsBy::Top).unwrap();
        assert_eq!(v1.sources, 0);
        assert_eq!(v1.rows[0].text, "Har dere tid?");
        let total = v1.columns.len();
        assert!(v1.rows.iter().all(|r| r.counts[total].units == 0));
        let e = guide_yield(&s, &t, &Filter::default(), &id("g"), Some(3), RowsBy::Top);
        assert!(e.unwrap_err().to_string().contains("no version 3"));
        let e = guide_yield(&s, &t, &Filter::default(), &id("h"), None, RowsBy::Top);
        assert!(e.unwrap_err().to_string().contains("unknown guide `h`"));
    }

    #[test]
    fn a_source_may_follow_only_a_declared_guide_version() {
        let mut s = study();
        let i1 = s.informants()[0].id.clone();
        let follows = |version| Source {
            id: id("x"),
            guide: Some(GuideRef {
                guide: id("g"),
                version,
            }),
            ..Source::interview(&i1)
        };
        let e = s
            .add_source(follows(1), Transcript::new(id("x"), "a"))
            .unwrap_err();
        assert!(e.to_string().contains("does not declare"), "{e}");
        s.add_guide(guide()).unwrap();
        assert!(s.add_guide(guide()).is_err());
        let e = s
            .add_source(follows(3), Transcript::new(id("x"), "a"))
            .unwrap_err();
        assert!(e.to_string().contains("version 3"), "{e}");
        s.add_source(follows(2), Transcript::new(id("x"), "a"))
            .unwrap();
    }
}
