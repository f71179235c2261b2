//! The analysts' pages: a study's sources; a source with its codings highlighted in the
//! codes' colours and the codebook beside it, where a passage selected (or typed) is coded,
//! a coding removed and a memo written; the quotes of a code across sources; two coders side
//! by side on a source, their differences marked, a unit reconciled there.
//!
//! They are for the roles that may analyse (analyst, admin: `Caller::may_assess`), decided
//! before anything is read. A source is read alone with its codings
//! ([`Store::coded_source`]), never the whole study, so a page costs the same in a study of
//! a million codings. Every change goes through the store's checked writes (`add_codings`,
//! `remove_coding`, `reconcile_codings`, `add_memo`) with their journal entries and the
//! form's audit entry, as the CLI's and the API's do.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use samskap_api::AppState;
use samskap_core::agreement::{decide, Granularity, Key};
use samskap_core::analysis::Filter;
use samskap_core::{
    CodeId, CoderId, Framework, Memo, Qualifiers, SourceId, Span, StudyId, TextQuote, Transcript,
};
use samskap_store::{
    CodedSource, CodingRef, NewCoding, OnDuplicate, Outline, SourceCoding, Store, UnitRef,
};
use serde::Deserialize;

use crate::i18n::{coding_texts, CodingTexts, Lang};
use crate::pages::{
    chrome, done, failed, note_field, refused, segment, write, Fail, Params, Shown,
};
use crate::session::{Posted, Signed, BASE};
use crate::view::{html, Choice, Chrome};

/// The coder under whom consensus codings are recorded, as `samskap code reconcile` does.
const CONSENSUS: &str = "consensus";

/// Quotes a page lists at most; the rest are counted.
const QUOTES_SHOWN: usize = 500;

fn study_href(study: &StudyId) -> String {
    format!("{BASE}/studies/{}", segment(study.as_str()))
}

fn source_href(study: &StudyId, source: &SourceId) -> String {
    format!("{}/sources/{}", study_href(study), segment(source.as_str()))
}

/// The study id of the path.
fn study_id(l: Lang, p: &Params) -> Result<StudyId, Fail> {
    p.get("study").parse().map_err(|_| Fail::not_found(l))
}

/// The study and source ids of the path.
fn source_ids(l: Lang, p: &Params) -> Result<(StudyId, SourceId), Fail> {
    Ok((
        study_id(l, p)?,
        p.get("source").parse().map_err(|_| Fail::not_found(l))?,
    ))
}

/// Runs `f` on a reader of the store for a caller who may analyse; others get 403 before
/// anything is read.
async fn analyse<T: Send + 'static>(
    state: &AppState,
    signed: &Signed,
    f: impl FnOnce(&Store) -> Result<T, samskap_store::StoreError> + Send + 'static,
) -> Result<T, Fail> {
    let l = signed.lang;
    if !signed.caller.may_assess() {
        return Err(Fail::forbidden(l));
    }
    state.read(f).await.map_err(|e| Fail::from_api(l, &e))
}

// ---- Codes: their colours, labels and tree ----

/// The palette for codes without a colour of their own (Okabe–Ito), by their top code.
const PALETTE: [&str; 7] = [
    "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7",
];

/// The page's ink, which every highlight must keep readable.
const INK: (u8, u8, u8) = (0x1a, 0x1a, 0x1a);

fn rgb(hex: &str) -> Option<(u8, u8, u8)> {
    let h = hex.strip_prefix('#')?;
    if h.len() != 6 || !h.is_ascii() {
        return None;
    }
    let at = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some((at(0)?, at(2)?, at(4)?))
}

fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// A light tint of `colour` behind the ink: as much of the colour as keeps the text at 7:1
/// (WCAG's enhanced contrast), so a highlight never makes words hard to read.
fn tint(colour: (u8, u8, u8)) -> (u8, u8, u8) {
    let mix = |c: u8, share: f64| (f64::from(c) * share + 255.0 * (1.0 - share)).round() as u8;
    let mut share: f64 = 0.5;
    loop {
        let t = (
            mix(colour.0, share),
            mix(colour.1, share),
            mix(colour.2, share),
        );
        if contrast(t, INK) >= 7.0 || share <= 0.0 {
            return t;
        }
        share -= 0.05;
    }
}

/// The colour each code is shown in, by its rank in the framework: its own, or its top
/// code's, or the palette's by its top code.
fn colours(framework: &Framework) -> Vec<(u8, u8, u8)> {
    let roots: Vec<&CodeId> = framework.roots().map(|c| &c.id).collect();
    let mut by_code: BTreeMap<&CodeId, (u8, u8, u8)> = BTreeMap::new();
    let mut out = Vec::with_capacity(framework.codes().len());
    for code in framework.codes() {
        let own = code.colour.as_deref().and_then(rgb);
        let inherited = code
            .id
            .parent()
            .and_then(|p| by_code.get(&p).copied())
            .or_else(|| {
                let top = code.id.segments().next()?;
                let i = roots.iter().position(|r| r.as_str() == top)?;
                rgb(PALETTE[i % PALETTE.len()])
            });
        let c = own.or(inherited).unwrap_or(INK);
        by_code.insert(&code.id, c);
        out.push(c);
    }
    out
}

/// The class a code's highlight and swatch have.
fn class_of(framework: &Framework, code: &CodeId) -> String {
    framework
        .code_rank(code)
        .map_or_else(String::new, |r| format!("k{r}"))
}

/// GET the study's code colours as a style sheet (the pages allow no inline style).
pub async fn codes_css(State(state): State<AppState>, signed: Signed, p: Params) -> Response {
    let r = async {
        let study = study_id(signed.lang, &p)?;
        let outline = analyse(&state, &signed, move |s| s.outline(&study)).await?;
        let mut css = String::new();
        for (rank, c) in colours(&outline.framework).into_iter().enumerate() {
            let (r, g, b) = tint(c);
            css.push_str(&format!(
                ".k{rank}{{background:#{r:02x}{g:02x}{b:02x}}}\n.sw.k{rank}{{border-color:#{:02x}{:02x}{:02x}}}\n",
                c.0, c.1, c.2
            ));
        }
        let mut r = ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], css).into_response();
        // The codebook may change at any time; the browser asks again each time.
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        Ok(r)
    }
    .await;
    done(&signed, r)
}

/// A code in the codebook's tree.
pub struct CodeRow {
    pub path: String,
    pub label: String,
    pub class: String,
    pub depth: usize,
    /// Its codings in the source shown (0 elsewhere).
    pub count: usize,
    pub quotes_href: String,
}

fn tree(
    l: Lang,
    study: &StudyId,
    framework: &Framework,
    counts: &BTreeMap<&CodeId, usize>,
) -> Vec<CodeRow> {
    framework
        .codes()
        .iter()
        .map(|c| CodeRow {
            path: c.id.to_string(),
            label: framework.code_label(&c.id, l.tag()),
            class: class_of(framework, &c.id),
            depth: c.id.depth().min(6),
            count: counts.get(&c.id).copied().unwrap_or(0),
            quotes_href: format!(
                "{}/quotes?code={}",
                study_href(study),
                segment(c.id.as_str())
            ),
        })
        .collect()
}

// ---- Sources ----

/// A source in the list.
pub struct SourceLine {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub chars: usize,
    pub units: usize,
    pub codings: usize,
    pub href: String,
}

/// A study's sources.
#[derive(Template)]
#[template(path = "sources.html")]
pub struct SourcesView {
    pub c: Chrome,
    pub w: &'static CodingTexts,
    pub study: String,
    pub notice: Option<&'static str>,
    pub quotes_href: String,
    pub sources: Vec<SourceLine>,
}

/// GET a study's sources.
pub async fn sources(
    State(state): State<AppState>,
    signed: Signed,
    p: Params,
    Query(shown): Query<Shown>,
) -> Response {
    let r = async {
        let l = signed.lang;
        let study = study_id(l, &p)?;
        let sid = study.clone();
        let (outline, rows) = analyse(&state, &signed, move |s| {
            Ok((s.outline(&sid)?, s.sources(&sid)?))
        })
        .await?;
        Ok(html(
            StatusCode::OK,
            &SourcesView {
                c: chrome(&signed, Some(&shown)),
                w: coding_texts(l),
                study: outline.meta.title.clone(),
                notice: l.notice(outline.meta.provenance),
                quotes_href: format!("{}/quotes", study_href(&study)),
                sources: rows
                    .into_iter()
                    .map(|r| SourceLine {
                        href: source_href(&study, &r.source.id),
                        id: r.source.id.to_string(),
                        title: r.source.title.clone().unwrap_or_default(),
                        kind: r.source.kind.to_string(),
                        chars: r.chars,
                        units: r.units,
                        codings: r.codings,
                    })
                    .collect(),
            },
        ))
    }
    .await;
    done(&signed, r)
}

// ---- A source ----

/// A run of the text that the same codings cover.
pub struct Seg {
    /// Its first character's offset.
    pub o: usize,
    pub text: String,
    /// Its highlight's classes (empty: not coded).
    pub class: String,
    /// The codes over it, in words.
    pub title: String,
    /// Inside a unit the coders compared coded differently.
    pub differs: bool,
}

/// Cuts `len` characters at every start and end of `spans`: each run with the spans that
/// cover all of it (by their index), in text order. Runs nothing covers are included.
fn runs(len: usize, spans: &[Span]) -> Vec<(usize, usize, Vec<usize>)> {
    let mut events: Vec<(usize, bool, usize)> = Vec::with_capacity(spans.len() * 2);
    for (i, s) in spans.iter().enumerate() {
        events.push((s.start(), true, i));
        events.push((s.end(), false, i));
    }
    // Ends before starts at the same offset: spans that touch do not overlap.
    events.sort_unstable_by_key(|&(at, start, i)| (at, start, i));
    let mut active: BTreeSet<usize> = BTreeSet::new();
    let mut out = Vec::new();
    let mut at = 0;
    for (pos, start, i) in events {
        if pos > at {
            out.push((at, pos, active.iter().copied().collect()));
            at = pos;
        }
        if start {
            active.insert(i);
        } else {
            active.remove(&i);
        }
    }
    if len > at {
        out.push((at, len, Vec::new()));
    }
    out
}

/// The text of `t` cut into runs by `codings`' units, each highlighted in the colour of
/// its narrowest coding's code; a run inside one of `marked` (units two coders coded
/// differently) says so, whether this coder coded it or not.
fn segs(
    l: Lang,
    t: &Transcript,
    framework: &Framework,
    codings: &[&SourceCoding],
    marked: &[Span],
) -> Vec<Seg> {
    let n = codings.len();
    let spans: Vec<Span> = codings
        .iter()
        .map(|c| c.span)
        .chain(marked.iter().copied())
        .collect();
    runs(t.char_len(), &spans)
        .into_iter()
        .map(|(start, end, over)| {
            let span = Span::new(start, end, t.char_len()).expect("a run lies in the text");
            let (coded, marks): (Vec<usize>, Vec<usize>) = over.into_iter().partition(|&i| i < n);
            let codes: BTreeSet<&CodeId> = coded.iter().map(|&i| &codings[i].code).collect();
            let narrowest = coded.iter().min_by_key(|&&i| (codings[i].span.len(), i));
            let mut class =
                narrowest.map_or_else(String::new, |&i| class_of(framework, &codings[i].code));
            if codes.len() > 1 {
                class.push_str(" multi");
            }
            Seg {
                o: start,
                text: t.slice(span).to_owned(),
                class,
                title: codes
                    .iter()
                    .map(|c| framework.code_label(c, l.tag()))
                    .collect::<Vec<_>>()
                    .join(" · "),
                differs: !marks.is_empty(),
            }
        })
        .collect()
}

/// A coding in the source's list.
pub struct CodingLine {
    pub start: usize,
    pub end: usize,
    pub excerpt: String,
    pub code: String,
    pub label: String,
    pub class: String,
    pub qualifiers: String,
    pub coder: String,
    pub memo: String,
    /// Its page to move it.
    pub move_href: String,
}

/// A coding of source `t` (whose page is `href`) as a list or a page shows it.
fn coding_line(
    l: Lang,
    fw: &Framework,
    t: &Transcript,
    c: &SourceCoding,
    href: &str,
) -> CodingLine {
    CodingLine {
        start: c.span.start(),
        end: c.span.end(),
        excerpt: excerpt(t.slice(c.span)),
        code: c.code.to_string(),
        label: fw.code_label(&c.code, l.tag()),
        class: class_of(fw, &c.code),
        qualifiers: c.qualifiers.to_string(),
        coder: c.coder.to_string(),
        memo: c.memo.clone().unwrap_or_default(),
        move_href: format!(
            "{href}/codings/move?start={}&end={}&code={}&qualifiers={}&coder={}",
            c.span.start(),
            c.span.end(),
            segment(c.code.as_str()),
            segment(&c.qualifiers.to_string()),
            segment(c.coder.as_str())
        ),
    }
}

/// A qualifier's field in the coding form.
pub struct QualifierField {
    pub id: String,
    pub label: String,
    /// The codes it applies to (with the codes under them), space-separated; empty for all.
    pub codes: String,
    pub applies: String,
    pub values: Vec<Choice>,
}

/// A code offered in the coding form.
pub struct CodeOption {
    pub path: String,
    pub label: String,
}

/// What a refused coding form held, to show it again.
#[derive(Default, Clone)]
pub struct Kept {
    pub quote: String,
    pub start: String,
    pub end: String,
    pub code: String,
    pub memo: String,
}

/// The codes offered in a form, in the reader's language.
fn code_options(l: Lang, fw: &Framework) -> Vec<CodeOption> {
    fw.codes()
        .iter()
        .map(|c| CodeOption {
            path: c.id.to_string(),
            label: fw.code_label(&c.id, l.tag()),
        })
        .collect()
}

/// Every qualifier's field, with the values in `chosen` shown chosen.
fn qualifier_choices(l: Lang, fw: &Framework, chosen: &Qualifiers) -> Vec<QualifierField> {
    fw.qualifiers()
        .iter()
        .map(|q| QualifierField {
            id: q.id.to_string(),
            label: crate::i18n::label(&q.label, l, q.id.as_str()),
            codes: q
                .codes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            applies: q
                .codes
                .iter()
                .map(|c| fw.code_label(c, l.tag()))
                .collect::<Vec<_>>()
                .join(", "),
            values: q
                .values
                .iter()
                .map(|v| Choice {
                    value: v.id.to_string(),
                    label: crate::i18n::label(&v.label, l, v.id.as_str()),
                    selected: chosen.get(&q.id) == Some(&v.id),
                })
                .collect(),
        })
        .collect()
}

/// A source opened for coding.
#[derive(Template)]
#[template(path = "source.html")]
pub struct SourceView {
    pub c: Chrome,
    pub w: &'static CodingTexts,
    pub study: String,
    pub notice: Option<&'static str>,
    pub title: String,
    pub kind: String,
    pub sources_href: String,
    pub href: String,
    pub css_href: String,
    pub compare_href: String,
    pub memos_href: String,
    pub segs: Vec<Seg>,
    pub codings: Vec<CodingLine>,
    pub tree: Vec<CodeRow>,
    pub codes: Vec<CodeOption>,
    pub qualifiers: Vec<QualifierField>,
    /// The coder filter's choices (the first: all).
    pub coders: Vec<Choice>,
    /// The coder the form codes as.
    pub coder: String,
    pub kept: Kept,
}

/// `?coder=` and `?saved=1`.
#[derive(Debug, Default, Deserialize)]
pub struct SourceQuery {
    saved: Option<String>,
    coder: Option<String>,
}

fn excerpt(text: &str) -> String {
    const MAX: usize = 120;
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(MAX).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

async fn source_page(
    state: &AppState,
    signed: &Signed,
    (study, source): (StudyId, SourceId),
    coder: Option<String>,
    kept: Kept,
    c: Chrome,
) -> Result<Response, Fail> {
    let l = signed.lang;
    let w = coding_texts(l);
    let (outline, coded) = read_source(state, signed, &study, &source).await?;
    let fw = &outline.framework;
    let CodedSource {
        source: declared,
        text,
        codings,
    } = coded;
    let filter: Option<CoderId> = coder.as_deref().and_then(|c| c.parse().ok());
    let shown: Vec<&SourceCoding> = codings
        .iter()
        .filter(|c| filter.as_ref().is_none_or(|f| &c.coder == f))
        .collect();
    let mut counts: BTreeMap<&CodeId, usize> = BTreeMap::new();
    for c in &shown {
        *counts.entry(&c.code).or_default() += 1;
    }
    let all_coders: BTreeSet<&CoderId> = codings.iter().map(|c| &c.coder).collect();
    let mut coders = vec![Choice {
        value: String::new(),
        label: w.all_coders.into(),
        selected: filter.is_none(),
    }];
    coders.extend(all_coders.iter().map(|c| Choice {
        value: c.to_string(),
        label: c.to_string(),
        selected: filter.as_ref() == Some(*c),
    }));
    // The form codes as the coder shown, else as the one signed in when that is a coder's
    // name: an analyst's own token is named for them.
    let me = filter.as_ref().map(ToString::to_string).unwrap_or_else(|| {
        let name = signed.caller.0.name.clone();
        if name.parse::<CoderId>().is_ok() {
            name
        } else {
            String::new()
        }
    });
    let href = source_href(&study, &source);
    let view = SourceView {
        w,
        study: outline.meta.title.clone(),
        notice: l.notice(outline.meta.provenance),
        title: declared
            .title
            .clone()
            .map_or_else(|| source.to_string(), |t| format!("{source} · {t}")),
        kind: declared.kind.to_string(),
        sources_href: format!("{}/sources", study_href(&study)),
        css_href: format!("{}/codes.css", study_href(&study)),
        compare_href: format!("{href}/compare"),
        memos_href: format!("{}/memos", study_href(&study)),
        segs: segs(l, &text, fw, &shown, &[]),
        codings: shown
            .iter()
            .map(|c| coding_line(l, fw, &text, c, &href))
            .collect(),
        tree: tree(l, &study, fw, &counts),
        codes: code_options(l, fw),
        qualifiers: qualifier_choices(l, fw, &Qualifiers::none()),
        coders,
        coder: me,
        kept,
        href,
        c,
    };
    Ok(html(StatusCode::OK, &view))
}

/// The frame of a page, with `Saved.` after a form.
fn framed(signed: &Signed, saved: Option<&String>) -> Chrome {
    let mut c = signed.chrome();
    if saved.is_some() {
        c.ok = Some(c.t.saved);
    }
    c
}

/// GET a source with its codings.
pub async fn source(
    State(state): State<AppState>,
    signed: Signed,
    p: Params,
    Query(q): Query<SourceQuery>,
) -> Response {
    let r = async {
        let ids = source_ids(signed.lang, &p)?;
        let c = framed(&signed, q.saved.as_ref());
        source_page(&state, &signed, ids, q.coder.clone(), Kept::default(), c).await
    }
    .await;
    done(&signed, r)
}

/// Writes a form's change of the codings of `span` of a source through `f` (given the
/// study), with the form's audit entry; then back to the source's page, saying so, with the
/// coder shown before and the passage in view.
async fn write_then_back<T: Send + 'static>(
    state: &AppState,
    posted: &Posted,
    (study, source, span): (StudyId, SourceId, Span),
    status: StatusCode,
    f: impl FnOnce(&mut Store, &StudyId) -> Result<T, samskap_store::StoreError> + Send + 'static,
) -> Result<Response, Fail> {
    let object = format!("{source}:{}..{}", span.start(), span.end());
    let sid = study.clone();
    write(state, &posted.signed, &object, status, move |store| {
        f(store, &sid)
    })
    .await?;
    let coder = match posted.get("shown") {
        "" => String::new(),
        shown => format!("&coder={}", segment(shown)),
    };
    let href = source_href(&study, &source);
    Ok(Redirect::to(&format!("{href}?saved=1{coder}#o{}", span.start())).into_response())
}

/// The span a coding form names: the characters selected (`start`, `end`), which must
/// still hold the words sent with them, or else the words typed, found in the text. Either
/// way without the spaces at its edges.
fn passage(l: Lang, posted: &Posted, t: &Transcript) -> Result<Span, Fail> {
    let w = coding_texts(l);
    let quote = posted.get("quote");
    let (start, end) = (posted.get("start"), posted.get("end"));
    let span = if start.is_empty() && end.is_empty() {
        if quote.is_empty() {
            return Err(Fail::field(crate::i18n::missing(l, w.passage)));
        }
        t.locate(&TextQuote::exact(quote).typed())
            .map_err(|e| Fail::field(format!("{}: {e}", w.passage)))?
    } else {
        let at = |s: &str| s.parse::<usize>().ok();
        let (Some(start), Some(end)) = (at(start), at(end)) else {
            return Err(Fail::field(format!("{}: {start}..{end}", w.selected_at)));
        };
        let span = t
            .span(start, end)
            .map_err(|e| Fail::field(format!("{}: {e}", w.selected_at)))?;
        if t.slice(span).trim() != quote {
            return Err(Fail::Form(StatusCode::CONFLICT, w.selection_moved.into()));
        }
        span
    };
    trimmed(t, span).ok_or_else(|| Fail::field(w.whitespace_only.into()))
}

/// `span` without the whitespace at its edges; none when nothing else is left.
fn trimmed(t: &Transcript, span: Span) -> Option<Span> {
    let text = t.slice(span);
    let lead = text.chars().take_while(|c| c.is_whitespace()).count();
    let inner = text.trim();
    if inner.is_empty() {
        return None;
    }
    let start = span.start() + lead;
    t.span(start, start + inner.chars().count()).ok()
}

/// The code a form's field `name` names: its path, or its name in the reader's language.
fn code_field(l: Lang, posted: &Posted, name: &str, fw: &Framework) -> Result<CodeId, Fail> {
    let w = coding_texts(l);
    let given = posted.get(name);
    if given.is_empty() {
        return Err(Fail::field(crate::i18n::missing(l, w.code)));
    }
    if let Ok(id) = given.parse::<CodeId>() {
        if fw.contains(&id) {
            return Ok(id);
        }
    }
    let named: Vec<&CodeId> = fw
        .codes()
        .iter()
        .filter(|c| fw.code_label(&c.id, l.tag()).eq_ignore_ascii_case(given))
        .map(|c| &c.id)
        .collect();
    match named.as_slice() {
        [one] => Ok((*one).clone()),
        _ => Err(Fail::field(format!(
            "{}: “{given}” {}",
            w.code, w.not_a_code
        ))),
    }
}

/// The qualifier values a form gives for `code`: those of the qualifiers that apply to it
/// (the form shows every qualifier; the others' fields are not read). The store checks
/// them against the framework.
fn qualifier_fields(
    l: Lang,
    posted: &Posted,
    fw: &Framework,
    code: &CodeId,
) -> Result<Qualifiers, Fail> {
    let w = coding_texts(l);
    let mut pairs = Vec::new();
    for q in fw.qualifiers_of(code) {
        let v = posted.get(&format!("q:{}", q.id));
        if v.is_empty() {
            continue;
        }
        let value = v
            .parse()
            .map_err(|_| Fail::field(crate::i18n::not_a_choice(l, q.id.as_str())))?;
        pairs.push((q.id.clone(), value));
    }
    Qualifiers::new(pairs).map_err(|e| Fail::field(format!("{}: {e}", w.code)))
}

fn coder_field(l: Lang, given: &str) -> Result<CoderId, Fail> {
    let w = coding_texts(l);
    if given.is_empty() {
        return Err(Fail::field(crate::i18n::missing(l, w.coder)));
    }
    given
        .parse()
        .map_err(|_| Fail::field(format!("{}: “{given}” {}", w.coder, w.not_a_coder)))
}

/// The study's outline (head and framework) and a source with its codings, read for a
/// caller who may analyse.
async fn read_source(
    state: &AppState,
    signed: &Signed,
    study: &StudyId,
    source: &SourceId,
) -> Result<(Outline, CodedSource), Fail> {
    let (sid, src) = (study.clone(), source.clone());
    analyse(state, signed, move |s| {
        Ok((s.outline(&sid)?, s.coded_source(&sid, &src)?))
    })
    .await
}

/// POST a coding of a passage of a source.
pub async fn add_coding(State(state): State<AppState>, p: Params, posted: Posted) -> Response {
    let signed = &posted.signed;
    let l = signed.lang;
    let r = async {
        let (study, source) = source_ids(l, &p)?;
        let (Outline { framework: fw, .. }, coded) =
            read_source(&state, signed, &study, &source).await?;
        let span = passage(l, &posted, &coded.text)?;
        let code = code_field(l, &posted, "code", &fw)?;
        let qualifiers = qualifier_fields(l, &posted, &fw, &code)?;
        let coder = coder_field(l, posted.get("coder"))?;
        let new = NewCoding {
            unit: UnitRef::of(&coded.text, span),
            code,
            qualifiers,
            coder: coder.clone(),
            memo: note_field(&posted, "memo"),
        };
        let at = (study, source, span);
        write_then_back(
            &state,
            &posted,
            at,
            StatusCode::CREATED,
            move |store, sid| store.add_codings(sid, &[new], OnDuplicate::Refuse),
        )
        .await
    }
    .await;
    let kept = Kept {
        quote: posted.get("quote").into(),
        start: posted.get("start").into(),
        end: posted.get("end").into(),
        code: posted.get("code").into(),
        memo: posted.get("memo").into(),
    };
    match r {
        Ok(r) => r,
        Err(fail) => {
            let shown = Some(posted.get("shown").to_owned()).filter(|s| !s.is_empty());
            refused(signed, fail, |c| async {
                source_page(&state, signed, source_ids(l, &p)?, shown, kept, c).await
            })
            .await
        }
    }
}

/// The span a form names by the offsets in its fields `names`, inside `t`.
fn offsets(l: Lang, posted: &Posted, names: (&str, &str), t: &Transcript) -> Result<Span, Fail> {
    let w = coding_texts(l);
    let (start, end) = (posted.get(names.0), posted.get(names.1));
    start
        .parse::<usize>()
        .ok()
        .zip(end.parse::<usize>().ok())
        .and_then(|(s, e)| t.span(s, e).ok())
        .ok_or_else(|| Fail::field(format!("{}: {start}..{end}", w.selected_at)))
}

/// The coding a form names (a remove or move button's hidden fields): its unit, code,
/// values and coder.
fn coding_named(l: Lang, posted: &Posted, t: &Transcript) -> Result<CodingRef, Fail> {
    let w = coding_texts(l);
    Ok(CodingRef {
        unit: UnitRef::of(t, offsets(l, posted, ("start", "end"), t)?),
        code: posted
            .get("code")
            .parse()
            .map_err(|_| Fail::field(crate::i18n::missing(l, w.code)))?,
        qualifiers: posted
            .get("qualifiers")
            .parse()
            .map_err(|_| Fail::field(crate::i18n::not_a_choice(l, w.code)))?,
        coder: coder_field(l, posted.get("coder"))?,
    })
}

/// POST the removal of one coding.
pub async fn remove_coding(State(state): State<AppState>, p: Params, posted: Posted) -> Response {
    let signed = &posted.signed;
    let l = signed.lang;
    let r = async {
        let (study, source) = source_ids(l, &p)?;
        let (_, coded) = read_source(&state, signed, &study, &source).await?;
        let from = coding_named(l, &posted, &coded.text)?;
        let span = from.unit.span;
        let at = (study, source, span);
        write_then_back(&state, &posted, at, StatusCode::OK, move |store, sid| {
            store.remove_coding(sid, &from.unit, &from.code, &from.qualifiers, &from.coder)
        })
        .await
    }
    .await;
    match r {
        Ok(r) => r,
        Err(fail) => {
            refused(signed, fail, |c| async {
                source_page(&state, signed, source_ids(l, &p)?, None, Kept::default(), c).await
            })
            .await
        }
    }
}

/// A coding's page to move it.
#[derive(Template)]
#[template(path = "move.html")]
pub struct MoveView {
    pub c: Chrome,
    pub w: &'static CodingTexts,
    pub study: String,
    pub notice: Option<&'static str>,
    pub title: String,
    pub href: String,
    pub css_href: String,
    pub coding: CodingLine,
    pub codes: Vec<CodeOption>,
    pub qualifiers: Vec<QualifierField>,
    /// The coder the source's page showed, to go back to.
    pub shown: String,
}

/// The coding to move: `?start=&end=&code=&qualifiers=&coder=` (and `shown`).
#[derive(Debug, Default, Deserialize)]
pub struct MoveQuery {
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    qualifiers: String,
    #[serde(default)]
    coder: String,
    #[serde(default)]
    shown: String,
}

async fn move_page(
    state: &AppState,
    signed: &Signed,
    (study, source): (StudyId, SourceId),
    q: MoveQuery,
    c: Chrome,
) -> Result<Response, Fail> {
    let l = signed.lang;
    let w = coding_texts(l);
    let (outline, coded) = read_source(state, signed, &study, &source).await?;
    let fw = &outline.framework;
    let at = |v: &str| v.parse::<usize>().ok();
    // Only a coding the source has: the page names what it moves.
    let found = coded.codings.iter().find(|c| {
        Some(c.span.start()) == at(&q.start)
            && Some(c.span.end()) == at(&q.end)
            && c.code.as_str() == q.code
            && c.qualifiers.to_string() == q.qualifiers
            && c.coder.as_str() == q.coder
    });
    let Some(k) = found else {
        return Err(Fail::not_found(l));
    };
    let href = source_href(&study, &source);
    Ok(html(
        StatusCode::OK,
        &MoveView {
            w,
            study: outline.meta.title.clone(),
            notice: l.notice(outline.meta.provenance),
            title: source.to_string(),
            css_href: format!("{}/codes.css", study_href(&study)),
            coding: coding_line(l, fw, &coded.text, k, &href),
            codes: code_options(l, fw),
            qualifiers: qualifier_choices(l, fw, &k.qualifiers),
            shown: q.shown,
            href,
            c,
        },
    ))
}

/// GET a coding's page to move it.
pub async fn move_form(
    State(state): State<AppState>,
    signed: Signed,
    p: Params,
    Query(q): Query<MoveQuery>,
) -> Response {
    let r = async {
        let ids = source_ids(signed.lang, &p)?;
        move_page(&state, &signed, ids, q, signed.chrome()).await
    }
    .await;
    done(&signed, r)
}

/// POST a coding moved to another code, other characters of its source, or both, in one
/// write that keeps its coder and memo.
pub async fn move_coding(State(state): State<AppState>, p: Params, posted: Posted) -> Response {
    let signed = &posted.signed;
    let l = signed.lang;
    let r = async {
        let (study, source) = source_ids(l, &p)?;
        let (Outline { framework: fw, .. }, coded) =
            read_source(&state, signed, &study, &source).await?;
        let from = coding_named(l, &posted, &coded.text)?;
        let to = offsets(l, &posted, ("to_start", "to_end"), &coded.text)?;
        let to = trimmed(&coded.text, to)
            .ok_or_else(|| Fail::field(coding_texts(l).whitespace_only.into()))?;
        let code = code_field(l, &posted, "to_code", &fw)?;
        let qualifiers = qualifier_fields(l, &posted, &fw, &code)?;
        let unit = UnitRef::of(&coded.text, to);
        let at = (study, source, to);
        write_then_back(&state, &posted, at, StatusCode::OK, move |store, sid| {
            store.move_coding(sid, &from, &unit, &code, &qualifiers)
        })
        .await
    }
    .await;
    let q = MoveQuery {
        start: posted.get("start").into(),
        end: posted.get("end").into(),
        code: posted.get("code").into(),
        qualifiers: posted.get("qualifiers").into(),
        coder: posted.get("coder").into(),
        shown: posted.get("shown").into(),
    };
    match r {
        Ok(r) => r,
        Err(fail) => {
            refused(signed, fail, |c| async {
                move_page(&state, signed, source_ids(l, &p)?, q, c).await
            })
            .await
        }
    }
}

/// POST a memo, on a code or on the study; back to the page it was written on.
pub async fn add_memo(State(state): State<AppState>, p: Params, posted: Posted) -> Response {
    let signed = &posted.signed;
    let l = signed.lang;
    let w = coding_texts(l);
    let r = async {
        let study = study_id(l, &p)?;
        let sid = study.clone();
        let fw = analyse(&state, signed, move |s| Ok(s.outline(&sid)?.framework)).await?;
        let code = match posted.get("code") {
            "" => None,
            given => Some(
                code_field(l, &posted, "code", &fw)
                    .map_err(|_| Fail::field(format!("{}: “{given}” {}", w.code, w.not_a_code)))?,
            ),
        };
        let text = posted.get("text");
        if text.is_empty() {
            return Err(Fail::field(crate::i18n::missing(l, w.memo)));
        }
        let memo = Memo {
            code,
            author: coder_field(l, posted.get("author"))?,
            text: text.to_owned(),
        };
        let sid = study.clone();
        let id = write(&state, signed, "memo", StatusCode::CREATED, move |store| {
            store.add_memo(&sid, &memo)
        })
        .await?;
        // Back only to a page of this study: the field is the browser's to send, not a
        // place to send the reader anywhere.
        let home = study_href(&study);
        let to = crate::session::local_path(posted.get("back"))
            .filter(|back| back.starts_with(&format!("{home}/")))
            .map_or_else(|| format!("{home}/sources"), str::to_owned);
        let sep = if to.contains('?') { '&' } else { '?' };
        Ok(Redirect::to(&format!("{to}{sep}saved=1#memo{id}")).into_response())
    }
    .await;
    match r {
        Ok(r) => r,
        Err(fail) => failed(signed, fail),
    }
}

// ---- Quotes of a code ----

/// A quote in the list.
pub struct QuoteLine {
    pub source: String,
    pub href: String,
    pub text: String,
    pub label: String,
    pub class: String,
    pub qualifiers: String,
    pub coder: String,
}

/// The quotes of a code across sources.
#[derive(Template)]
#[template(path = "quotes.html")]
pub struct QuotesView {
    pub c: Chrome,
    pub w: &'static CodingTexts,
    pub study: String,
    pub notice: Option<&'static str>,
    pub sources_href: String,
    pub css_href: String,
    pub tree: Vec<CodeRow>,
    /// The code chosen, in words.
    pub code: Option<String>,
    pub quotes: Vec<QuoteLine>,
    /// Quotes not listed.
    pub more: usize,
}

/// `?code=`.
#[derive(Debug, Default, Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
}

/// GET the quotes of a code (and the codes under it) across the study's sources.
pub async fn quotes(
    State(state): State<AppState>,
    signed: Signed,
    p: Params,
    Query(q): Query<CodeQuery>,
) -> Response {
    let r = async {
        let l = signed.lang;
        let study = study_id(l, &p)?;
        let sid = study.clone();
        let code: Option<CodeId> = match q.code.as_deref().filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(c.parse().map_err(|_| Fail::not_found(l))?),
        };
        let wanted = code.clone();
        let (outline, quotes, total) = analyse(&state, &signed, move |s| {
            let outline = s.outline(&sid)?;
            let mut quotes = Vec::new();
            let mut total = 0;
            if let Some(code) = wanted {
                if !outline.framework.contains(&code) {
                    return Err(samskap_store::StoreError::NotFound {
                        what: "code",
                        id: code.to_string(),
                    });
                }
                let filter = Filter {
                    code: Some(code),
                    ..Filter::default()
                };
                total = s.quotes(&sid, &filter, |q, _| {
                    if quotes.len() < QUOTES_SHOWN {
                        quotes.push(q);
                    }
                    Ok(())
                })?;
            }
            Ok((outline, quotes, total))
        })
        .await?;
        let fw = &outline.framework;
        Ok(html(
            StatusCode::OK,
            &QuotesView {
                c: signed.chrome(),
                w: coding_texts(l),
                study: outline.meta.title.clone(),
                notice: l.notice(outline.meta.provenance),
                sources_href: format!("{}/sources", study_href(&study)),
                css_href: format!("{}/codes.css", study_href(&study)),
                tree: tree(l, &study, fw, &BTreeMap::new()),
                code: code.as_ref().map(|c| fw.code_label(c, l.tag())),
                more: total - quotes.len(),
                quotes: quotes
                    .into_iter()
                    .map(|q| QuoteLine {
                        href: format!("{}#o{}", source_href(&study, &q.source), q.start),
                        source: q.source.to_string(),
                        text: q.text,
                        label: fw.code_label(&q.code, l.tag()),
                        class: class_of(fw, &q.code),
                        qualifiers: q.qualifiers.to_string(),
                        coder: q.coder.to_string(),
                    })
                    .collect(),
            },
        ))
    }
    .await;
    done(&signed, r)
}

// ---- Two coders side by side ----

/// A unit the two coders compared, with what each gave it and the consensus.
pub struct UnitLine {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub a: String,
    pub b: String,
    pub consensus: String,
    pub differs: bool,
    /// The codes offered for the consensus (each either coder gave), ticked where both did.
    pub keys: Vec<Choice>,
}

/// Two coders side by side.
#[derive(Template)]
#[template(path = "compare.html")]
pub struct CompareView {
    pub c: Chrome,
    pub w: &'static CodingTexts,
    pub study: String,
    pub notice: Option<&'static str>,
    pub title: String,
    pub source_href: String,
    pub css_href: String,
    pub href: String,
    pub coders: Vec<Choice>,
    /// The two compared, when there are two.
    pub a: String,
    pub b: String,
    pub compared: bool,
    pub left: Vec<Seg>,
    pub right: Vec<Seg>,
    pub units: Vec<UnitLine>,
    pub differing: usize,
}

/// `?a=&b=` and `?saved=1`.
#[derive(Debug, Default, Deserialize)]
pub struct CompareQuery {
    a: Option<String>,
    b: Option<String>,
    saved: Option<String>,
}

fn key_value(k: &Key) -> String {
    format!("{}|{}", k.code, k.qualifiers)
}

fn key_words(l: Lang, fw: &Framework, keys: &BTreeSet<Key>, none: &str) -> String {
    if keys.is_empty() {
        return none.into();
    }
    keys.iter()
        .map(|k| {
            let label = fw.code_label(&k.code, l.tag());
            if k.qualifiers.is_empty() {
                label
            } else {
                format!("{label} ({})", k.qualifiers)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

async fn compare_page(
    state: &AppState,
    signed: &Signed,
    (study, source): (StudyId, SourceId),
    q: CompareQuery,
    c: Chrome,
) -> Result<Response, Fail> {
    let l = signed.lang;
    let w = coding_texts(l);
    let (outline, coded) = read_source(state, signed, &study, &source).await?;
    let fw = &outline.framework;
    let consensus: CoderId = CONSENSUS.parse().expect("a coder's name");
    // The coders of this source, most codings first; the consensus is offered, not chosen.
    let mut per: BTreeMap<&CoderId, usize> = BTreeMap::new();
    for c in &coded.codings {
        *per.entry(&c.coder).or_default() += 1;
    }
    let mut ranked: Vec<(&CoderId, usize)> = per.into_iter().collect();
    ranked.sort_by_key(|&(c, n)| (c == &consensus, std::cmp::Reverse(n), c.clone()));
    let pick = |given: Option<&str>, skip: Option<&CoderId>| -> Option<CoderId> {
        given.and_then(|g| g.parse().ok()).or_else(|| {
            ranked
                .iter()
                .map(|(c, _)| (*c).clone())
                .find(|c| Some(c) != skip)
        })
    };
    let a = pick(q.a.as_deref(), None);
    let b = a.as_ref().and_then(|a| pick(q.b.as_deref(), Some(a)));
    let href = source_href(&study, &source);
    let mut view = CompareView {
        w,
        study: outline.meta.title.clone(),
        notice: l.notice(outline.meta.provenance),
        title: source.to_string(),
        source_href: href.clone(),
        css_href: format!("{}/codes.css", study_href(&study)),
        href: format!("{href}/compare"),
        coders: ranked
            .iter()
            .map(|(c, n)| Choice {
                value: c.to_string(),
                label: format!("{c} ({n})"),
                selected: false,
            })
            .collect(),
        a: a.as_ref().map(ToString::to_string).unwrap_or_default(),
        b: b.as_ref().map(ToString::to_string).unwrap_or_default(),
        compared: false,
        left: Vec::new(),
        right: Vec::new(),
        units: Vec::new(),
        differing: 0,
        c,
    };
    let (Some(a), Some(b)) = (a, b) else {
        return Ok(html(StatusCode::OK, &view));
    };
    if a == b {
        return Ok(html(StatusCode::OK, &view));
    }
    let pair = [a.clone(), b.clone()];
    let decided = decide(
        coded.codings.iter().map(|c| {
            (
                (c.span.start(), c.span.end()),
                &c.coder,
                &c.code,
                &c.qualifiers,
            )
        }),
        &pair,
        Granularity::CodeAndQualifiers,
    );
    let agreed = decide(
        coded.codings.iter().map(|c| {
            (
                (c.span.start(), c.span.end()),
                &c.coder,
                &c.code,
                &c.qualifiers,
            )
        }),
        std::slice::from_ref(&consensus),
        Granularity::CodeAndQualifiers,
    );
    let differing: Vec<Span> = decided
        .iter()
        .filter(|(_, per)| per[0] != per[1])
        .map(|(&(start, end), _)| {
            Span::new(start, end, coded.text.char_len()).expect("a stored unit")
        })
        .collect();
    let of = |coder: &CoderId| -> Vec<&SourceCoding> {
        coded.codings.iter().filter(|c| &c.coder == coder).collect()
    };
    view.left = segs(l, &coded.text, fw, &of(&a), &differing);
    view.right = segs(l, &coded.text, fw, &of(&b), &differing);
    let none = w.nothing_given;
    view.units = decided
        .iter()
        .map(|(&(start, end), per)| {
            let span = Span::new(start, end, coded.text.char_len()).expect("a stored unit");
            let both: BTreeSet<&Key> = per[0].intersection(&per[1]).collect();
            let any: BTreeSet<&Key> = per[0].union(&per[1]).collect();
            UnitLine {
                start,
                end,
                text: excerpt(coded.text.slice(span)),
                a: key_words(l, fw, &per[0], none),
                b: key_words(l, fw, &per[1], none),
                consensus: agreed
                    .get(&(start, end))
                    .map(|c| key_words(l, fw, &c[0], none))
                    .unwrap_or_default(),
                differs: per[0] != per[1],
                keys: any
                    .into_iter()
                    .map(|k| Choice {
                        value: key_value(k),
                        label: key_words(l, fw, &BTreeSet::from([k.clone()]), none),
                        selected: both.contains(k),
                    })
                    .collect(),
            }
        })
        .collect();
    view.differing = differing.len();
    view.compared = true;
    Ok(html(StatusCode::OK, &view))
}

/// GET two coders side by side on a source.
pub async fn compare(
    State(state): State<AppState>,
    signed: Signed,
    p: Params,
    Query(q): Query<CompareQuery>,
) -> Response {
    let r = async {
        let ids = source_ids(signed.lang, &p)?;
        let c = framed(&signed, q.saved.as_ref());
        compare_page(&state, &signed, ids, q, c).await
    }
    .await;
    done(&signed, r)
}

/// POST the consensus of one unit two coders coded differently: the codes ticked, under
/// the coder `consensus`, journalled as a reconcile of the two.
pub async fn reconcile(State(state): State<AppState>, p: Params, posted: Posted) -> Response {
    let signed = &posted.signed;
    let l = signed.lang;
    let w = coding_texts(l);
    let r = async {
        let (study, source) = source_ids(l, &p)?;
        let (Outline { framework: fw, .. }, coded) =
            read_source(&state, signed, &study, &source).await?;
        let a = coder_field(l, posted.get("a"))?;
        let b = coder_field(l, posted.get("b"))?;
        let span = offsets(l, &posted, ("start", "end"), &coded.text)?;
        let consensus: CoderId = CONSENSUS.parse().expect("a coder's name");
        let mut new = Vec::new();
        for k in posted.all("key") {
            let (code, qualifiers) = k.split_once('|').unwrap_or((k, ""));
            let code: CodeId = code
                .parse()
                .ok()
                .filter(|c| fw.contains(c))
                .ok_or_else(|| Fail::field(format!("{}: “{code}” {}", w.code, w.not_a_code)))?;
            let qualifiers: Qualifiers = qualifiers
                .parse()
                .map_err(|_| Fail::field(crate::i18n::not_a_choice(l, w.code)))?;
            new.push(NewCoding {
                unit: UnitRef::of(&coded.text, span),
                code,
                qualifiers,
                coder: consensus.clone(),
                memo: None,
            });
        }
        if new.is_empty() {
            return Err(Fail::field(w.tick_one.into()));
        }
        let object = format!("{source}:{}..{}", span.start(), span.end());
        let sid = study.clone();
        let coders = [a.clone(), b.clone()];
        write(&state, signed, &object, StatusCode::CREATED, move |store| {
            store.reconcile_codings(&sid, &new, &coders)
        })
        .await?;
        Ok(Redirect::to(&format!(
            "{}/compare?a={}&b={}&saved=1#r{}-{}",
            source_href(&study, &source),
            segment(a.as_str()),
            segment(b.as_str()),
            span.start(),
            span.end()
        ))
        .into_response())
    }
    .await;
    match r {
        Ok(r) => r,
        Err(fail) => {
            let q = CompareQuery {
                a: Some(posted.get("a").to_owned()),
                b: Some(posted.get("b").to_owned()),
                saved: None,
            };
            refused(signed, fail, |c| async {
                compare_page(&state, signed, source_ids(l, &p)?, q, c).await
            })
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(a: usize, b: usize) -> Span {
        Span::new(a, b, 100).unwrap()
    }

    #[test]
    fn runs_cut_at_every_edge_and_cover_the_text() {
        let r = runs(20, &[span(2, 8), span(5, 12), span(12, 15)]);
        assert_eq!(
            r,
            vec![
                (0, 2, vec![]),
                (2, 5, vec![0]),
                (5, 8, vec![0, 1]),
                (8, 12, vec![1]),
                (12, 15, vec![2]),
                (15, 20, vec![]),
            ]
        );
        assert_eq!(runs(3, &[]), vec![(0, 3, vec![])]);
    }

    #[test]
    fn a_tint_keeps_the_ink_readable_and_keeps_some_colour() {
        for hex in PALETTE
            .iter()
            .chain(&["#000000", "#ffffff", "#ff0000", "#0000ff"])
        {
            let c = rgb(hex).unwrap();
            let t = tint(c);
            assert!(contrast(t, INK) >= 7.0, "{hex} → {t:?}");
        }
        // A mid colour is not washed out to white.
        assert_ne!(tint(rgb("#56b4e9").unwrap()), (255, 255, 255));
        assert_eq!(rgb("#12345"), None);
        assert_eq!(rgb("12345678"), None);
    }

    #[test]
    fn a_span_loses_its_edge_spaces_and_a_blank_one_is_refused() {
        let t = Transcript::new("I1".parse().unwrap(), "Ja,  vi møtes.\nNei.");
        let s = trimmed(&t, t.span(3, 11).unwrap()).unwrap();
        assert_eq!(t.slice(s), "vi møt");
        assert_eq!(trimmed(&t, t.span(3, 5).unwrap()), None);
    }
}
