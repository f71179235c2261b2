//! `guides.toml`: a study's interview guides (their versions, themes and questions), read
//! into the study through the core's checks before the sources that follow them, and written
//! in canonical form.

use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};

use samskap_core::{
    Guide, GuideId, GuidePlace, GuideVersion, ModelError, Question, QuestionId, Study, Theme,
};
use samskap_files::{Kind, Limits};

use crate::read::{key_line, read_text, toml_error};
use crate::BundleError;

/// The file's name in the bundle.
pub(crate) const GUIDES_FILE: &str = "guides.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GuidesIn {
    #[serde(default, rename = "guide")]
    guides: Vec<toml::Spanned<GuideIn>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GuideIn {
    id: GuideId,
    title: String,
    #[serde(default, rename = "version")]
    versions: Vec<toml::Spanned<VersionIn>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionIn {
    version: u32,
    #[serde(default)]
    note: Option<String>,
    #[serde(default, rename = "theme")]
    themes: Vec<toml::Spanned<ThemeIn>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeIn {
    title: String,
    #[serde(default, rename = "question")]
    questions: Vec<toml::Spanned<QuestionIn>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionIn {
    id: QuestionId,
    text: String,
}

#[derive(Serialize)]
struct GuidesOut<'a> {
    #[serde(rename = "guide")]
    guides: Vec<GuideOut<'a>>,
}

#[derive(Serialize)]
struct GuideOut<'a> {
    id: &'a GuideId,
    title: &'a str,
    #[serde(rename = "version")]
    versions: Vec<VersionOut<'a>>,
}

#[derive(Serialize)]
struct VersionOut<'a> {
    version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    #[serde(rename = "theme")]
    themes: Vec<ThemeOut<'a>>,
}

#[derive(Serialize)]
struct ThemeOut<'a> {
    title: &'a str,
    #[serde(rename = "question")]
    questions: &'a [Question],
}

/// Where a version's table lies, and each of its themes' with their questions'.
type VersionSpans = (Range<usize>, Vec<(Range<usize>, Vec<Range<usize>>)>);

/// Reads `guides.toml`, if the bundle has one, into the study. A refusal names the line of
/// the table at fault and its key.
pub(crate) fn read_guides(
    dir: &Path,
    study: &mut Study,
    limits: &Limits,
) -> Result<(), BundleError> {
    let rel = Path::new(GUIDES_FILE);
    let text = match read_text(dir, rel, Kind::Document, limits) {
        Err(BundleError::Missing(_)) => return Ok(()),
        other => other?,
    };
    let file: GuidesIn = toml::from_str(&text).map_err(|e| toml_error(rel, &text, &e))?;
    for row in file.guides {
        let span = row.span();
        let row = row.into_inner();
        // The span of every table, by the positions the core's refusal names.
        let mut spans: Vec<VersionSpans> = Vec::new();
        let mut versions = Vec::with_capacity(row.versions.len());
        for v in row.versions {
            let v_span = v.span();
            let v = v.into_inner();
            let mut theme_spans = Vec::with_capacity(v.themes.len());
            let mut themes = Vec::with_capacity(v.themes.len());
            for t in v.themes {
                let t_span = t.span();
                let t = t.into_inner();
                theme_spans.push((t_span, t.questions.iter().map(|q| q.span()).collect()));
                themes.push(Theme {
                    title: t.title,
                    questions: t
                        .questions
                        .into_iter()
                        .map(|q| {
                            let q = q.into_inner();
                            Question {
                                id: q.id,
                                text: q.text,
                            }
                        })
                        .collect(),
                });
            }
            spans.push((v_span, theme_spans));
            versions.push(GuideVersion {
                version: v.version,
                note: v.note,
                themes,
            });
        }
        let guide = Guide {
            id: row.id,
            title: row.title,
            versions,
        };
        study.add_guide(guide).map_err(|e| {
            let (at, field) = match &e {
                ModelError::InvalidGuide { place, field, .. } => {
                    let at = match *place {
                        GuidePlace::Guide => &span,
                        GuidePlace::Version(v) => &spans[v].0,
                        GuidePlace::Theme(v, t) => &spans[v].1[t].0,
                        GuidePlace::Question(v, t, q) => &spans[v].1[t].1[q],
                    };
                    (at, *field)
                }
                _ => (&span, "id"),
            };
            BundleError::at(rel, Some(key_line(&text, at, Some(field))), Some(field), e)
        })?;
    }
    Ok(())
}

/// `guides.toml` for the study, or `None` when it has no guide.
pub(crate) fn guides_toml(study: &Study) -> Option<String> {
    if study.guides().is_empty() {
        return None;
    }
    let file = GuidesOut {
        guides: study
            .guides()
            .iter()
            .map(|g| GuideOut {
                id: &g.id,
                title: &g.title,
                versions: g
                    .versions
                    .iter()
                    .map(|v| VersionOut {
                        version: v.version,
                        note: v.note.as_deref(),
                        themes: v
                            .themes
                            .iter()
                            .map(|t| ThemeOut {
                                title: &t.title,
                                questions: &t.questions,
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    };
    Some(toml::to_string(&file).expect("guides always serialise to TOML"))
}
