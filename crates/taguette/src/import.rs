//! A Taguette project to a core [`Study`]: documents become informants (consent pending)
//! with their text as transcript, tags a framework of their own, highlights meaning units,
//! and each tag on a highlight a coding by the person the command log names.

use std::collections::{BTreeMap, HashMap, HashSet};

use samskap_core::{
    slug, ActiveConsent, CodeId, CoderId, Coding, Counting, FrameworkId, FrameworkMeta, Informant,
    InformantDetails, InformantId, Labels, ModelError, Qualifiers, Role, Slugs, Study, StudyId,
    StudyMeta, Transcript, UnitId,
};
use serde::Serialize;

use crate::error::Unplaceable;
use crate::html::{fragment_text, Document};
use crate::source::{Highlight, Project, Source};
use crate::tags::codebook;
use crate::TaguetteError;

/// Taguette's position counting: UTF-8 bytes, over the text nodes of the document's HTML
/// (character references decoded, tags not counted).
pub const COUNTING: Counting = Counting::Utf8;

/// How to import.
#[derive(Debug, Clone)]
pub struct Options {
    /// The new study's id; by default made from the project's name.
    pub study_id: Option<StudyId>,
    /// The coder of a highlight the command log says nothing of.
    pub default_coder: CoderId,
    /// Where tag paths split into levels (`.`); `None` for a flat list of codes.
    pub separator: Option<String>,
    /// The language tag the tags' labels are filed under (`und`: not said).
    pub language: String,
    /// How positions are counted over the text nodes ([`COUNTING`] unless told).
    pub counting: Counting,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            study_id: None,
            default_coder: "taguette".parse().expect("an id"),
            separator: Some(".".into()),
            language: "und".into(),
            counting: COUNTING,
        }
    }
}

/// The project `wanted` names (its exact name, or its id), or the only one.
pub fn choose_project<'a>(
    projects: &'a [Project],
    wanted: Option<&str>,
) -> Result<&'a Project, TaguetteError> {
    let describe = || {
        projects
            .iter()
            .map(|p| format!("{} `{}`", p.id, samskap_core::shorten(&p.name)))
            .collect::<Vec<_>>()
    };
    let Some(wanted) = wanted else {
        return match projects {
            [] => Err(TaguetteError::NoProject),
            [one] => Ok(one),
            _ => Err(TaguetteError::WhichProject(describe())),
        };
    };
    let named: Vec<&Project> = projects.iter().filter(|p| p.name == wanted).collect();
    match named.as_slice() {
        [one] => return Ok(one),
        [] => {}
        many => {
            return Err(TaguetteError::AmbiguousProject {
                name: wanted.to_owned(),
                ids: many.iter().map(|p| p.id).collect(),
            })
        }
    }
    wanted
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| projects.iter().find(|p| p.id == id))
        .ok_or_else(|| TaguetteError::UnknownProject {
            wanted: wanted.to_owned(),
            known: describe(),
        })
}

/// A document and the informant it became.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentReport {
    /// Taguette's id.
    pub document: i64,
    /// Its name in Taguette (not kept in the study).
    pub name: String,
    /// The informant.
    pub informant: InformantId,
    /// Characters of the transcript.
    pub characters: usize,
    /// Highlights in it.
    pub highlights: usize,
    /// What a person should know about how it was read.
    pub notes: Vec<String>,
}

/// A coder and where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct CoderReport {
    /// The coder.
    pub coder: CoderId,
    /// The Taguette login, or none for the default coder.
    pub login: Option<String>,
    /// Codings by this coder.
    pub codings: usize,
}

/// How each coding found its coder.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Attribution {
    /// The log says who put the tag on the highlight.
    pub tag_added_by: usize,
    /// The log says who made the highlight, not who tagged it (a tag merged into another).
    pub highlight_made_by: usize,
    /// The log says nothing of the highlight, and the project has one member: that member.
    pub only_member: usize,
    /// The log says nothing of the highlight, and the project has no one member: the
    /// default coder.
    pub default_coder: usize,
}

/// Highlights that coded the same words with the same tag by the same coder: one coding.
#[derive(Debug, Clone, Serialize)]
pub struct Merged {
    /// The highlights, the first being the one whose coding was kept.
    pub highlights: Vec<i64>,
    /// The code.
    pub code: CodeId,
    /// The coder.
    pub coder: CoderId,
}

/// What the import did, for the person who ran it.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// How positions were counted over the text nodes.
    pub counting: Counting,
    /// The project's name.
    pub project: String,
    /// Each document and the informant it became.
    pub documents: Vec<DocumentReport>,
    /// Tags in the project.
    pub tags: usize,
    /// Codes in the framework.
    pub codes: usize,
    /// Codes made for levels of tag paths that are no tag.
    pub levels_added: usize,
    /// The separator of levels, if any.
    pub separator: Option<String>,
    /// Highlights in the project (every one became a meaning unit).
    pub highlights: usize,
    /// Meaning units (highlights over the same words share one).
    pub units: usize,
    /// Highlights with no tag: meaning units without a coding.
    pub untagged: Vec<i64>,
    /// Codings made.
    pub codings: usize,
    /// The coders.
    pub coders: Vec<CoderReport>,
    /// How codings found their coder.
    pub attribution: Attribution,
    /// Repeats folded into one coding.
    pub merged: Vec<Merged>,
    /// Highlights whose edge fell inside a character that normalisation joins (a letter and
    /// its combining accent), moved out to take the whole character.
    pub rounded: Vec<i64>,
    /// Highlights whose text differs from the snippet Taguette stored (Taguette does not
    /// renew a snippet when a highlight is moved, so this is a warning).
    pub snippet_mismatches: Vec<i64>,
    /// What Taguette holds that the study does not, with counts.
    pub not_brought_in: Vec<(String, usize)>,
    /// Other things to know, one sentence each.
    pub notes: Vec<String>,
}

/// A study made from a Taguette project.
#[derive(Debug)]
pub struct Imported {
    /// The study, consistent by construction.
    pub study: Study,
    /// What happened.
    pub report: ImportReport,
}

fn id_error(what: &'static str) -> impl FnOnce(ModelError) -> TaguetteError {
    move |source| TaguetteError::Id { what, source }
}

/// The framework of a study made from Taguette: the study's id and `-tags`.
pub fn framework_id(study: &StudyId) -> FrameworkId {
    let mut base = study.to_string();
    base.truncate(64 - "-tags".len());
    format!("{}-tags", base.trim_end_matches(['-', '.', '_']))
        .parse()
        .expect("a study id with a suffix is an id")
}

/// Whitespace runs as one space, trimmed, in NFC: how a highlight's text and its snippet are
/// compared (a snippet is HTML whose spaces a browser collapses).
fn comparable(s: &str) -> String {
    samskap_core::normalize(&s.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Who put each tag on a highlight, from the `highlight_add` entries of the log: the entry
/// that last added the tag (it was not among the highlight's tags just before), else the
/// first entry (whoever made the highlight), else nobody.
struct Log<'a> {
    by_highlight: HashMap<i64, Vec<&'a crate::source::HighlightCommand>>,
}

enum Who<'a> {
    Tagged(&'a str),
    Made(&'a str),
    Unknown,
}

impl<'a> Log<'a> {
    fn new(source: &'a Source) -> Self {
        let mut by_highlight: HashMap<i64, Vec<_>> = HashMap::new();
        for c in &source.commands {
            by_highlight.entry(c.highlight_id).or_default().push(c);
        }
        for list in by_highlight.values_mut() {
            list.sort_by_key(|c| c.id);
        }
        Self { by_highlight }
    }

    fn who(&self, highlight: i64, tag: i64) -> Who<'a> {
        let Some(list) = self.by_highlight.get(&highlight) else {
            return Who::Unknown;
        };
        let mut added = None;
        let mut before: &[i64] = &[];
        for c in list {
            if c.tags.contains(&tag) && !before.contains(&tag) {
                added = Some(c.user.as_str());
            }
            before = &c.tags;
        }
        match (added, list.first()) {
            (Some(u), _) => Who::Tagged(u),
            (None, Some(first)) => Who::Made(first.user.as_str()),
            (None, None) => Who::Unknown,
        }
    }
}

/// Turns one project into a study. Every highlight becomes a meaning unit, every tag on it
/// a coding; a highlight that cannot be placed in its document refuses the whole import,
/// naming each such highlight.
pub fn import(source: &Source, opts: &Options) -> Result<Imported, TaguetteError> {
    let project = &source.project;
    let study_id = match &opts.study_id {
        Some(id) => id.clone(),
        None => slug(&project.name, "taguette-project")
            .parse()
            .map_err(id_error("the project's name makes no study id; give one"))?,
    };
    let title = if project.name.trim().is_empty() {
        format!("Taguette project {}", project.id)
    } else {
        project.name.trim().to_owned()
    };
    let lang = opts.language.as_str();
    let fid = framework_id(&study_id);
    let separator = opts.separator.as_deref().filter(|s| !s.is_empty());
    if source.tags.is_empty() {
        return Err(TaguetteError::NoTags(project.name.clone()));
    }
    let highlight_ids: HashSet<i64> = source.highlights.iter().map(|h| h.id).collect();
    let coded: HashSet<i64> = source
        .highlight_tags
        .iter()
        .filter(|(h, _)| highlight_ids.contains(h))
        .map(|&(_, t)| t)
        .collect();
    let book = codebook(
        &source.tags,
        &coded,
        FrameworkMeta {
            id: fid.clone(),
            label: Labels::from([(lang.to_owned(), format!("{title} (Taguette tags)"))]),
            description: format!(
                "The tags of the Taguette project `{title}`{}.",
                match separator {
                    Some(s) => format!(", in levels split at `{s}`"),
                    None => String::new(),
                }
            ),
        },
        lang,
        separator,
    )?;
    let framework = book.framework.clone();
    let mut study = Study::new(
        StudyMeta {
            id: study_id,
            title,
            research_question: None,
            method: None,
            period_start: None,
            period_end: None,
            framework: fid,
            provenance: samskap_core::Provenance::Research,
            language: None,
        },
        book.framework,
    )?;

    // Documents, in Taguette's order of ids.
    let mut documents: Vec<&crate::source::Document> = source.documents.iter().collect();
    documents.sort_by_key(|d| d.id);
    let mut read: HashMap<i64, (InformantId, Document, usize)> = HashMap::new();
    let mut reports = Vec::new();
    for d in &documents {
        let informant: InformantId = format!("D{}", d.id)
            .parse()
            .map_err(id_error("a document id"))?;
        study.add_informant(Informant {
            id: informant.clone(),
            details: Some(InformantDetails {
                attributes: Default::default(),
                role: Role::Participant,
                group: None,
                workplace: None,
                position: None,
                interview_date: None,
                consent: ActiveConsent::Pending,
            }),
        })?;
        let doc = Document::read(&d.contents);
        // Each document is an interview with its own informant.
        let interview = samskap_core::Source::interview(&informant);
        let transcript = Transcript::new(interview.id.clone(), doc.text());
        debug_assert_eq!(transcript.text(), doc.text(), "the layout is normalised");
        study.add_source(interview, transcript)?;
        reports.push(DocumentReport {
            document: d.id,
            name: d.name.clone(),
            informant: informant.clone(),
            characters: doc.text().chars().count(),
            highlights: 0,
            notes: doc.notes().to_vec(),
        });
        read.insert(d.id, (informant, doc, reports.len() - 1));
    }

    // Tags on each highlight, in the framework's order.
    let mut tags_of: HashMap<i64, Vec<(usize, i64)>> = HashMap::new();
    let mut stray_links = 0usize;
    for &(h, t) in &source.highlight_tags {
        if !highlight_ids.contains(&h) {
            stray_links += 1;
            continue;
        }
        let (code, _) = book.code_of.get(&t).ok_or(TaguetteError::UnknownTag {
            highlight: h,
            tag: t,
        })?;
        let rank = framework.code_rank(code).expect("a code of the framework");
        tags_of.entry(h).or_default().push((rank, t));
    }
    for list in tags_of.values_mut() {
        list.sort_unstable();
        list.dedup();
    }

    // Coders: the default first, so that no login takes its id.
    let log = Log::new(source);
    let mut coder_ids = Slugs::new();
    coder_ids.take_exact(opts.default_coder.as_str(), "taguette");
    let mut logins: BTreeMap<&str, CoderId> = BTreeMap::new();
    // A highlight the log says nothing of is the only member's, when there is one.
    let only_member = match source.members.as_slice() {
        [one] => Some(one.as_str()),
        _ => None,
    };
    let mut users: Vec<&str> = source.commands.iter().map(|c| c.user.as_str()).collect();
    users.extend(only_member);
    users.sort_unstable();
    users.dedup();
    for u in &users {
        let id = coder_ids
            .take(u, "coder")
            .parse()
            .map_err(id_error("a coder made from a login"))?;
        logins.insert(u, id);
    }

    let mut highlights: Vec<&Highlight> = source.highlights.iter().collect();
    highlights.sort_by_key(|h| (h.document_id, h.start, h.end, h.id));
    let mut problems = Vec::new();
    let mut attribution = Attribution::default();
    let mut counts: HashMap<CoderId, usize> = HashMap::new();
    let mut first: HashMap<(UnitId, CodeId, Qualifiers, CoderId), usize> = HashMap::new();
    let mut merged: Vec<Merged> = Vec::new();
    let (mut untagged, mut rounded, mut mismatches) = (Vec::new(), Vec::new(), Vec::new());
    let mut codings = 0;
    for h in highlights {
        let Some((informant, doc, report)) = read.get(&h.document_id) else {
            return Err(TaguetteError::UnknownDocument {
                highlight: h.id,
                document: h.document_id,
            });
        };
        reports[*report].highlights += 1;
        let placed = match doc.place(opts.counting, h.start, h.end) {
            Ok(p) => p,
            Err(problem) => {
                problems.push(Unplaceable {
                    highlight: h.id,
                    document: h.document_id,
                    start: h.start,
                    end: h.end,
                    problem,
                });
                continue;
            }
        };
        if !problems.is_empty() {
            // The import refuses: only look for more problems.
            continue;
        }
        if placed.rounded {
            rounded.push(h.id);
        } else if comparable(doc.node_slice(opts.counting, h.start, h.end))
            != comparable(&fragment_text(&h.snippet))
        {
            mismatches.push(h.id);
        }
        let source = samskap_core::Source::interview(informant).id;
        let span = study
            .transcript(&source)
            .expect("added above")
            .span(placed.start, placed.end)?;
        let unit = study.unit(&source, span)?;
        let Some(tags) = tags_of.get(&h.id) else {
            untagged.push(h.id);
            continue;
        };
        for &(_, t) in tags {
            let (code, qualifiers) = book.code_of[&t].clone();
            let coder = match log.who(h.id, t) {
                Who::Tagged(u) => {
                    attribution.tag_added_by += 1;
                    logins[u].clone()
                }
                Who::Made(u) => {
                    attribution.highlight_made_by += 1;
                    logins[u].clone()
                }
                Who::Unknown => match only_member {
                    Some(u) => {
                        attribution.only_member += 1;
                        logins[u].clone()
                    }
                    None => {
                        attribution.default_coder += 1;
                        opts.default_coder.clone()
                    }
                },
            };
            let key = (unit, code.clone(), qualifiers.clone(), coder.clone());
            if let Some(&m) = first.get(&key) {
                merged[m].highlights.push(h.id);
                continue;
            }
            study.add_coding(Coding {
                unit,
                code: code.clone(),
                qualifiers,
                coder: coder.clone(),
                memo: None,
                exemplar: false,
            })?;
            merged.push(Merged {
                highlights: vec![h.id],
                code,
                coder: coder.clone(),
            });
            first.insert(key, merged.len() - 1);
            *counts.entry(coder).or_default() += 1;
            codings += 1;
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|u| u.highlight);
        return Err(TaguetteError::Unplaceable(opts.counting, problems));
    }
    merged.retain(|m| m.highlights.len() > 1);

    let mut coders: Vec<CoderReport> = logins
        .iter()
        .map(|(login, id)| CoderReport {
            coder: id.clone(),
            login: Some((*login).to_owned()),
            codings: counts.get(id).copied().unwrap_or(0),
        })
        .collect();
    if attribution.default_coder > 0 {
        coders.push(CoderReport {
            coder: opts.default_coder.clone(),
            login: None,
            codings: counts.get(&opts.default_coder).copied().unwrap_or(0),
        });
    }

    let mut not_brought_in = book.not_kept.clone();
    let mut count = |what: &str, n: usize| {
        if n > 0 {
            not_brought_in.push((what.to_owned(), n));
        }
    };
    count(
        "document names (the model holds no names: each is shown here beside the informant it became, and kept nowhere)",
        documents.len(),
    );
    count(
        "document descriptions",
        documents.iter().filter(|d| d.has_description).count(),
    );
    count(
        "the project's description",
        usize::from(project.has_description),
    );
    count(
        "links from a tag to no highlight of the project",
        stray_links,
    );
    count(
        "entries of the command log that are not JSON",
        usize::try_from(source.unreadable_commands).unwrap_or(usize::MAX),
    );

    let mut notes = Vec::new();
    if !source.commands.is_empty() && source.commands.iter().all(|c| c.user == "admin") {
        notes.push(
            "every change in the file's log is by `admin`: Taguette's project export writes them so, and a one-person Taguette runs as `admin`, so codings cannot be told apart by coder".to_owned(),
        );
    }
    let report = ImportReport {
        counting: opts.counting,
        project: project.name.clone(),
        documents: reports,
        tags: source.tags.len(),
        codes: framework.codes().len(),
        levels_added: book.levels_added,
        separator: separator.map(str::to_owned),
        highlights: source.highlights.len(),
        units: study.units().len(),
        untagged,
        codings,
        coders,
        attribution,
        merged,
        rounded,
        snippet_mismatches: mismatches,
        not_brought_in,
        notes,
    };
    Ok(Imported { study, report })
}
