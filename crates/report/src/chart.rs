//! Charts: pure functions from plain data (labels, counts, shares, dates) to [`Figure`]s, each
//! a small SVG 1.1 drawing with what a screen reader says of it.
//!
//! Every drawing is the same bytes for the same input: coordinates are rounded to one
//! decimal, nothing is read from a hash map, and nothing depends on the clock or the
//! machine's fonts (text widths are estimated from the characters). Every drawing can be read
//! without sight and without colour: the root `<svg>` has `role="img"` and `aria-labelledby`
//! naming its `<title>` and `<desc>`, its first two children; every value is printed as a
//! number beside its bar or in its cell; colours come from the Okabe–Ito palette (told apart
//! with any colour vision) or a one-hue scale, and each has a legend. Study text is
//! untrusted, so every label is escaped, and characters XML does not allow are replaced. The
//! same bytes are inlined in `report.html` and written as a standalone `.svg` beside
//! `report.md`, so a drawing uses nothing from the page (no CSS, no scripts, no external
//! references, generic font names) and its ids begin with the figure's name, which is
//! unique in a report.
//!
//! Why not plotters: it was tried (0.3.7, `default-features = false`, `svg_backend` only;
//! four crates, light). Its output is deterministic (integer pixels) and escapes text, but
//! its SVG backend has no way to add `role`, `aria-labelledby`, `<title>` or `<desc>`, so
//! each chart would be plotters' string edited after the fact; it writes font sizes as
//! unrounded floats (`font-size="9.67741935483871"`) and pads every `<text>` with newlines;
//! its charts are continuous Cartesian plots with meshes, while these are category rows,
//! table-like cells and date lanes, where the layout (label widths, legends, hatching for
//! missing cells, numbers beside bars) is ours to write anyway. It is also wordier: three
//! bars with their numbers and a plain axis took 4.6 kB, where the demo's chart here of ten
//! bars with numbers, legend, title and description takes 4.1 kB. What is left to draw
//! (rectangles, lines, text, a few paths) is little code, tested below, with no dependency
//! to follow.

use std::fmt::Write;

use chrono::{Datelike, NaiveDate};

use crate::doc::{Figure, Lang};

/// The Okabe–Ito palette, reordered so the first colours keep at least 3:1 contrast with
/// white; every mark also carries a dark outline, so the lighter ones stay visible.
pub const PALETTE: [&str; 8] = [
    "#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
];

/// Text and outlines.
const INK: &str = "#1a1a1a";
/// Secondary text: axes, notes.
const MUTED: &str = "#4d4d4d";
/// Grid lines and cell borders.
const GRID: &str = "#c8c8c8";
/// Labels and legends.
const FONT: f64 = 12.0;
/// Numbers on bars, in cells, on axes.
const SMALL: f64 = 11.0;
/// Room given to the longest row label before it is shortened.
const MAX_LABEL: f64 = 340.0;

/// What a figure is called and what it says in words, apart from its drawing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caption {
    /// The file name without extension (`fig-1-polarity`); characters other than ASCII
    /// letters, digits and hyphens are replaced by hyphens.
    pub name: String,
    /// Its title: what it shows and what it counts.
    pub title: String,
    /// What it shows, in words, with its main numbers.
    pub description: String,
    /// The language of its words and numbers (decimal mark, months).
    pub lang: Lang,
}

/// Horizontal bars, one group of bars per row, one bar per series.
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    /// The series, in the order their bars stand in each row; each has its colour.
    pub series: Vec<String>,
    /// The rows, top to bottom.
    pub rows: Vec<BarRow>,
    /// A line printed under the chart (what it leaves out), if any.
    pub note: Option<String>,
}

/// One row of [`Bars`].
#[derive(Debug, Clone, PartialEq)]
pub struct BarRow {
    /// What the row is.
    pub label: String,
    /// One value per series; a value that is not a finite number is drawn as missing.
    pub values: Vec<f64>,
}

/// What the numbers of a [`Heatmap`] are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// Counts, from zero to the largest.
    Counts,
    /// Shares from 0 to 1, printed as percentages.
    Shares,
}

/// A table of numbers drawn as shaded cells with the number in each.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    /// The column titles.
    pub columns: Vec<String>,
    /// The rows, top to bottom.
    pub rows: Vec<HeatRow>,
    /// What the numbers are.
    pub values: Values,
    /// What an empty cell means, for the legend (`no attendance recorded`).
    pub empty: String,
}

/// One row of a [`Heatmap`].
#[derive(Debug, Clone, PartialEq)]
pub struct HeatRow {
    /// What the row is.
    pub label: String,
    /// Its depth in a tree of rows (0 at the top), shown as indentation.
    pub depth: usize,
    /// One cell per column: `None` where there is nothing (not zero); a cell that is not a
    /// finite number, or missing at the end of the row, is empty too.
    pub cells: Vec<Option<f64>>,
}

/// Stays in lanes over dates: each lane a state (a step of a process), each stay a bar from
/// its start to its end.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// The lanes, top to bottom.
    pub lanes: Vec<String>,
    /// The kinds of stay, each with its colour, for the legend.
    pub kinds: Vec<String>,
    /// The stays in the order they happened; a line joins each to the next.
    pub stays: Vec<Stay>,
    /// The first date shown.
    pub start: NaiveDate,
    /// The last date shown: a stay with no end runs to it.
    pub end: NaiveDate,
    /// What the arrow at the end of a stay with no end means, for the legend.
    pub open: String,
}

/// One stay of a [`Timeline`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stay {
    /// Its lane, a position in [`Timeline::lanes`].
    pub lane: usize,
    /// Its kind, a position in [`Timeline::kinds`].
    pub kind: usize,
    /// When it began.
    pub from: NaiveDate,
    /// When it ended; `None` while it lasts.
    pub to: Option<NaiveDate>,
}

/// Estimates with intervals, one per row, on a fixed axis (agreement from -1 or 0 to 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Intervals {
    /// The rows, top to bottom.
    pub rows: Vec<Interval>,
    /// The axis's lowest value.
    pub from: f64,
    /// The axis's highest value.
    pub to: f64,
    /// Values marked with a dashed line and their label (thresholds such as 0.667, 0.8).
    pub marks: Vec<(f64, String)>,
}

/// One row of [`Intervals`]; numbers that are not finite are drawn as missing.
#[derive(Debug, Clone, PartialEq)]
pub struct Interval {
    /// What the row is.
    pub label: String,
    /// The point estimate.
    pub estimate: f64,
    /// The interval's lower end.
    pub low: f64,
    /// The interval's upper end.
    pub high: f64,
}

/// Placements on a scale of steps (a ladder from 1 to 5): per row, a band over the range
/// and a marker per actor.
#[derive(Debug, Clone, PartialEq)]
pub struct Ladder {
    /// The steps' names, lowest first; step `k` (from 1) is `steps[k - 1]`.
    pub steps: Vec<String>,
    /// What a row's band places (`the group`), as its placements at the right name it.
    pub whole: String,
    /// The actors who place, each with a marker shape and colour, for the legend.
    pub actors: Vec<String>,
    /// The rows, top to bottom.
    pub rows: Vec<LadderRow>,
}

/// One row of a [`Ladder`].
#[derive(Debug, Clone, PartialEq)]
pub struct LadderRow {
    /// What is placed.
    pub label: String,
    /// The range shown as a band (lowest and highest step), if any.
    pub band: Option<(f64, f64)>,
    /// Each actor's placement: a position in [`Ladder::actors`] and the lowest and highest
    /// step it is placed at (the same for one step).
    pub marks: Vec<(usize, (f64, f64))>,
}

/// Grouped horizontal bars: per row, one bar per series, each with its number and series
/// name beside it.
pub fn bars(caption: Caption, data: &Bars) -> Figure {
    let n_series = data.series.len().max(1);
    let bar = 14.0;
    let band = n_series as f64 * (bar + 2.0) + 12.0;
    let values = data.rows.iter().flat_map(|r| r.values.iter().copied());
    let (lo, hi) = extent(values.filter(|v| v.is_finite()));
    let axis = Axis::nice(lo.min(0.0), hi.max(0.0), 6, true);
    let label_w = widest(data.rows.iter().map(|r| r.label.as_str()), FONT).min(MAX_LABEL);
    let series_w = widest(data.series.iter().map(String::as_str), SMALL);
    let value_w = data
        .rows
        .iter()
        .flat_map(|r| r.values.iter())
        .map(|&v| text_width(&value_text(v, caption.lang), SMALL))
        .fold(0.0, f64::max)
        + series_w
        + text_width(" ", SMALL);
    let left = 12.0 + label_w + 10.0;
    let plot = 360.0;
    let note_w = data.note.as_deref().map_or(0.0, |n| text_width(n, SMALL));
    let width = (left + plot + 8.0 + value_w + 12.0).max(12.0 + note_w + 12.0);
    let key = Legend::new(
        data.series
            .iter()
            .enumerate()
            .map(|(k, s)| (s.clone(), Mark::Fill(PALETTE[k % PALETTE.len()].to_owned())))
            .collect(),
        width,
    );
    let top = key.height + 8.0;
    let rows_h = band * data.rows.len().max(1) as f64;
    let note_h = if data.note.is_some() { 20.0 } else { 0.0 };
    let height = top + rows_h + 28.0 + note_h + 8.0;
    let mut svg = Svg::begin(&caption, width, height);
    let x = |v: f64| left + axis.at(v) * plot;

    key.draw(&mut svg);
    for t in &axis.ticks {
        svg.line(x(*t), top, x(*t), top + rows_h, GRID, 1.0, None);
        svg.text(
            x(*t),
            top + rows_h + 16.0,
            Anchor::Middle,
            SMALL,
            MUTED,
            &axis.label(*t, caption.lang),
        );
    }
    if data.rows.is_empty() {
        svg.no_data(
            left + plot / 2.0,
            top + rows_h / 2.0 + SMALL * 0.35,
            caption.lang,
        );
    }
    for (i, row) in data.rows.iter().enumerate() {
        let y0 = top + i as f64 * band;
        svg.text(
            left - 10.0,
            y0 + band / 2.0 + FONT * 0.35,
            Anchor::End,
            FONT,
            INK,
            &shorten(&row.label, FONT, MAX_LABEL),
        );
        for (k, name) in data.series.iter().enumerate() {
            let v = row.values.get(k).copied().unwrap_or(f64::NAN);
            let yb = y0 + 6.0 + k as f64 * (bar + 2.0);
            let text = format!("{} {name}", value_text(v, caption.lang));
            if v.is_finite() {
                let (a, b) = (x(0.0), x(v));
                svg.rect(
                    a.min(b),
                    yb,
                    (b - a).abs(),
                    bar,
                    PALETTE[k % PALETTE.len()],
                    Some(INK),
                );
                svg.text(
                    a.max(b) + 4.0,
                    yb + bar / 2.0 + SMALL * 0.35,
                    Anchor::Start,
                    SMALL,
                    INK,
                    &text,
                );
            } else {
                svg.text(
                    x(0.0) + 4.0,
                    yb + bar / 2.0 + SMALL * 0.35,
                    Anchor::Start,
                    SMALL,
                    MUTED,
                    &text,
                );
            }
        }
    }
    svg.line(x(0.0), top, x(0.0), top + rows_h, INK, 1.0, None);
    if let Some(note) = &data.note {
        svg.text(12.0, height - 10.0, Anchor::Start, SMALL, MUTED, note);
    }
    svg.finish(caption)
}

/// A heatmap: rows × columns of shaded cells, each with its number; empty cells hatched.
pub fn heatmap(caption: Caption, data: &Heatmap) -> Figure {
    let cells: Vec<Vec<Option<f64>>> = data
        .rows
        .iter()
        .map(|r| {
            (0..data.columns.len())
                .map(|c| r.cells.get(c).copied().flatten().filter(|v| v.is_finite()))
                .collect()
        })
        .collect();
    let scale = match data.values {
        Values::Counts => {
            let (_, hi) = extent(cells.iter().flatten().flatten().copied());
            Axis::nice(0.0, hi.max(0.0), 5, true)
        }
        Values::Shares => Axis::nice(0.0, 1.0, 5, false),
    };
    let cell_text = |v: f64| match data.values {
        Values::Counts => value_text(v, caption.lang),
        Values::Shares => percent(v, caption.lang),
    };
    let any_empty = cells.iter().flatten().any(Option::is_none);
    let tree = data.rows.iter().any(|r| r.depth > 0);
    let indent = 12.0;
    // Bold type is about a tenth wider.
    let label_width = |r: &HeatRow| {
        let w = text_width(&r.label, FONT);
        if tree && r.depth == 0 {
            w * 1.1
        } else {
            w
        }
    };
    let label_w = data
        .rows
        .iter()
        .map(|r| r.depth as f64 * indent + label_width(r))
        .fold(0.0, f64::max)
        .min(MAX_LABEL);
    let value_w = cells
        .iter()
        .flatten()
        .flatten()
        .map(|&v| text_width(&cell_text(v), SMALL))
        .fold(0.0, f64::max);
    // Column titles stand level, on up to two lines; one that still does not fit slants.
    let room = 100.0;
    let titles: Vec<Vec<String>> = data
        .columns
        .iter()
        .map(|t| wrap(t, SMALL, room, 2))
        .collect();
    let slant = titles.iter().flatten().any(|l| l.ends_with('…'));
    let title_w = titles
        .iter()
        .flatten()
        .map(|l| text_width(l, SMALL))
        .fold(0.0, f64::max);
    let slant_w = widest(data.columns.iter().map(String::as_str), SMALL).min(MAX_LABEL);
    let cw = if slant {
        (value_w + 12.0).max(44.0)
    } else {
        (title_w + 10.0).max(value_w + 12.0).max(44.0)
    };
    let ch = 22.0;
    let lines = titles.iter().map(Vec::len).max().unwrap_or(1) as f64;
    let header_h = if slant {
        slant_w * 0.71 + 16.0
    } else {
        lines * 13.0 + 9.0
    };
    let left = 12.0 + label_w + 10.0;
    let grid_w = cw * data.columns.len() as f64;
    let grid_h = ch * data.rows.len() as f64;
    // A slanted title leans right of its column: leave room for the last one.
    let overhang = if slant { slant_w * 0.71 } else { 0.0 };
    // The legend: the scale's ticks (counts) or quarters (shares), then the empty cell.
    let steps: Vec<f64> = match data.values {
        Values::Counts => scale.ticks.clone(),
        Values::Shares => (0..5).map(|k| f64::from(k) / 4.0).collect(),
    };
    let entries: Vec<(String, Mark)> = steps
        .iter()
        .map(|&v| (cell_text(v), Mark::Fill(shade(scale.at(v)))))
        .chain(any_empty.then(|| (data.empty.clone(), Mark::Hatch)))
        .collect();
    let width = (left + grid_w + overhang + 12.0).max(Legend::new(entries.clone(), f64::MAX).width);
    let key = Legend::new(entries, width);
    let top = key.height + 8.0 + header_h;
    let height = top + grid_h.max(ch) + 12.0;
    let mut svg = Svg::begin(&caption, width, height);
    key.draw(&mut svg);

    for (c, (title, lines)) in data.columns.iter().zip(&titles).enumerate() {
        let cx = left + (c as f64 + 0.5) * cw;
        if slant {
            let (tx, ty) = (cx - 4.0, top - 6.0);
            let _ = writeln!(
                svg.out,
                "<text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"{INK}\" transform=\"rotate(-45 {} {})\">{}</text>",
                num(tx),
                num(ty),
                num(SMALL),
                num(tx),
                num(ty),
                esc(&shorten(title, SMALL, MAX_LABEL))
            );
        } else {
            // The last line sits just above the cells.
            for (j, line) in lines.iter().enumerate() {
                let y = top - 7.0 - (lines.len() - 1 - j) as f64 * 13.0;
                svg.text(cx, y, Anchor::Middle, SMALL, INK, line);
            }
        }
    }
    if data.rows.is_empty() || data.columns.is_empty() {
        svg.text(
            left,
            top + ch / 2.0 + FONT * 0.35,
            Anchor::Start,
            FONT,
            MUTED,
            caption.lang.pick("No data", "Ingen data"),
        );
    }
    for (r, row) in data.rows.iter().enumerate() {
        let y = top + r as f64 * ch;
        let x = 12.0 + row.depth as f64 * indent;
        let room = (left - 10.0 - x).max(FONT);
        let label = esc(&shorten(&row.label, FONT, room));
        let weight = if tree && row.depth == 0 {
            " font-weight=\"bold\""
        } else {
            ""
        };
        let _ = writeln!(
            svg.out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"{INK}\"{weight}>{label}</text>",
            num(x),
            num(y + ch / 2.0 + FONT * 0.35),
            num(FONT),
        );
        for (c, v) in cells[r].iter().enumerate() {
            let x = left + c as f64 * cw;
            match *v {
                Some(v) => {
                    let t = scale.at(v);
                    svg.rect(x, y, cw, ch, &shade(t), Some(GRID));
                    svg.text(
                        x + cw / 2.0,
                        y + ch / 2.0 + SMALL * 0.35,
                        Anchor::Middle,
                        SMALL,
                        on_shade(t),
                        &cell_text(v),
                    );
                }
                None => {
                    svg.rect(x, y, cw, ch, "#ffffff", Some(GRID));
                    svg.hatch(x, y, cw, ch);
                }
            }
        }
    }
    svg.finish(caption)
}

/// A timeline: stays as bars in their lanes over dates, joined in the order they happened;
/// a stay with no end runs to the last date and ends in an arrow.
pub fn timeline(caption: Caption, data: &Timeline) -> Figure {
    let start = data.start.min(data.end);
    let end = data.end.max(data.start);
    // At least a day, so a record of one date still has an axis.
    let days = (end - start).num_days().max(1) as f64;
    let lane_h = 24.0;
    let bar = 12.0;
    let label_w = widest(data.lanes.iter().map(String::as_str), FONT).min(MAX_LABEL);
    let left = 12.0 + label_w + 12.0;
    let plot = 480.0;
    let width = left + plot + 24.0;
    let has_open = data.stays.iter().any(|s| s.to.is_none());
    let key = Legend::new(
        data.kinds
            .iter()
            .enumerate()
            .map(|(k, s)| (s.clone(), Mark::Fill(PALETTE[k % PALETTE.len()].to_owned())))
            .chain(has_open.then(|| (data.open.clone(), Mark::Arrow)))
            .collect(),
        width,
    );
    let top = key.height + 12.0;
    let lanes_h = lane_h * data.lanes.len().max(1) as f64;
    let height = top + lanes_h + 30.0 + 8.0;
    let x = |d: NaiveDate| left + ((d - start).num_days() as f64 / days).clamp(0.0, 1.0) * plot;
    let mid = |lane: usize| top + (lane as f64 + 0.5) * lane_h;
    let mut svg = Svg::begin(&caption, width, height);

    key.draw(&mut svg);
    for (d, label) in month_ticks(start, end, plot, caption.lang) {
        let tx = x(d);
        svg.line(tx, top, tx, top + lanes_h, GRID, 1.0, None);
        svg.text(
            tx,
            top + lanes_h + 16.0,
            Anchor::Middle,
            SMALL,
            MUTED,
            &label,
        );
    }
    for (i, lane) in data.lanes.iter().enumerate() {
        svg.text(
            left - 12.0,
            mid(i) + FONT * 0.35,
            Anchor::End,
            FONT,
            INK,
            &shorten(lane, FONT, MAX_LABEL),
        );
    }
    svg.line(
        left,
        top + lanes_h,
        left + plot,
        top + lanes_h,
        INK,
        1.0,
        None,
    );
    let stays: Vec<&Stay> = data
        .stays
        .iter()
        .filter(|s| s.lane < data.lanes.len() && s.from <= end)
        .collect();
    // Joins first, so the bars lie over them.
    for pair in stays.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if a.lane != b.lane {
            let jx = x(b.from);
            svg.line(jx, mid(a.lane), jx, mid(b.lane), MUTED, 1.0, Some("3 2"));
        }
    }
    for s in &stays {
        let x0 = x(s.from.max(start));
        let x1 = x(s.to.unwrap_or(end).clamp(s.from.max(start), end));
        let y = mid(s.lane) - bar / 2.0;
        let fill = PALETTE[s.kind % PALETTE.len()];
        // A stay of no length on the axis still shows.
        svg.rect(x0, y, (x1 - x0).max(2.0), bar, fill, Some(INK));
        if s.to.is_none() {
            svg.arrow(x0 + (x1 - x0).max(2.0), mid(s.lane), bar);
        }
    }
    if stays.is_empty() {
        svg.no_data(
            left + plot / 2.0,
            top + lanes_h / 2.0 + FONT * 0.35,
            caption.lang,
        );
    }
    svg.finish(caption)
}

/// Point estimates with their intervals, one row each, on the axis `from`–`to`, with the
/// numbers printed at the right.
pub fn intervals(caption: Caption, data: &Intervals) -> Figure {
    let (from, to) = match (data.from.is_finite(), data.to.is_finite()) {
        (true, true) if data.from < data.to => (data.from, data.to),
        _ => (0.0, 1.0),
    };
    let axis = Axis::nice(from, to, 6, false);
    let row_h = 22.0;
    let label_w = widest(data.rows.iter().map(|r| r.label.as_str()), FONT).min(MAX_LABEL);
    let texts: Vec<String> = data
        .rows
        .iter()
        .map(|r| interval_text(r, caption.lang))
        .collect();
    let text_w = widest(texts.iter().map(String::as_str), SMALL);
    let left = 12.0 + label_w + 12.0;
    let plot = 360.0;
    let x = |v: f64| left + axis.at(v.clamp(from, to)) * plot;
    // Marks' labels above the plot, each on the lowest line where it overlaps no other.
    let mut marks: Vec<(f64, &str)> = data
        .marks
        .iter()
        .filter(|(v, _)| v.is_finite() && (from..=to).contains(v))
        .map(|(v, l)| (*v, l.as_str()))
        .collect();
    marks.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut ends: Vec<f64> = Vec::new();
    let levels: Vec<usize> = marks
        .iter()
        .map(|(v, label)| {
            let half = text_width(label, SMALL) / 2.0;
            let level = ends
                .iter()
                .position(|&end| end + 4.0 <= x(*v) - half)
                .unwrap_or(ends.len());
            if level == ends.len() {
                ends.push(0.0);
            }
            ends[level] = x(*v) + half;
            level
        })
        .collect();
    let top = 12.0 + 13.0 * ends.len().max(1) as f64;
    let rows_h = row_h * data.rows.len().max(1) as f64;
    let width = left + plot + 16.0 + text_w + 12.0;
    let height = top + rows_h + 30.0 + 8.0;
    let mut svg = Svg::begin(&caption, width, height);
    for t in &axis.ticks {
        svg.line(x(*t), top, x(*t), top + rows_h, GRID, 1.0, None);
        svg.text(
            x(*t),
            top + rows_h + 16.0,
            Anchor::Middle,
            SMALL,
            MUTED,
            &axis.label(*t, caption.lang),
        );
    }
    let label_y = |level: usize| top - 8.0 - 13.0 * level as f64;
    for ((v, _), level) in marks.iter().zip(&levels) {
        let y = label_y(*level);
        svg.line(x(*v), y + 4.0, x(*v), top + rows_h, MUTED, 1.0, Some("4 3"));
    }
    // Labels over the lines, each on white, so a line from a label above does not cross one.
    for ((v, label), level) in marks.iter().zip(&levels) {
        let (y, w) = (label_y(*level), text_width(label, SMALL));
        svg.rect(
            x(*v) - w / 2.0 - 1.0,
            y - 10.0,
            w + 2.0,
            13.0,
            "#ffffff",
            None,
        );
        svg.text(x(*v), y, Anchor::Middle, SMALL, MUTED, label);
    }
    if data.rows.is_empty() {
        svg.no_data(
            left + plot / 2.0,
            top + rows_h / 2.0 + FONT * 0.35,
            caption.lang,
        );
    }
    for (i, (row, text)) in data.rows.iter().zip(&texts).enumerate() {
        let y = top + (i as f64 + 0.5) * row_h;
        svg.text(
            left - 12.0,
            y + FONT * 0.35,
            Anchor::End,
            FONT,
            INK,
            &shorten(&row.label, FONT, MAX_LABEL),
        );
        if row.low.is_finite() && row.high.is_finite() {
            let (a, b) = (x(row.low.min(row.high)), x(row.low.max(row.high)));
            svg.line(a, y, b, y, INK, 1.5, None);
            svg.line(a, y - 5.0, a, y + 5.0, INK, 1.5, None);
            svg.line(b, y - 5.0, b, y + 5.0, INK, 1.5, None);
        }
        if row.estimate.is_finite() {
            svg.diamond(x(row.estimate), y, 5.0, PALETTE[1]);
        }
        svg.text(
            left + plot + 16.0,
            y + SMALL * 0.35,
            Anchor::Start,
            SMALL,
            INK,
            text,
        );
    }
    svg.line(
        left,
        top + rows_h,
        left + plot,
        top + rows_h,
        INK,
        1.0,
        None,
    );
    svg.finish(caption)
}

/// Placements on a scale of steps: per row a band over its range and each actor's marker
/// (a shape and a colour of its own), with the placements printed at the right.
pub fn ladder(caption: Caption, data: &Ladder) -> Figure {
    let n = data.steps.len().max(1);
    let row_h = 28.0;
    let label_w = widest(data.rows.iter().map(|r| r.label.as_str()), FONT).min(MAX_LABEL);
    let summaries: Vec<String> = data
        .rows
        .iter()
        .map(|r| {
            let at = |lo: f64, hi: f64| {
                if lo == hi {
                    value_text(lo, caption.lang)
                } else {
                    format!(
                        "{}–{}",
                        value_text(lo.min(hi), caption.lang),
                        value_text(lo.max(hi), caption.lang)
                    )
                }
            };
            r.band
                .filter(|(lo, hi)| lo.is_finite() && hi.is_finite())
                .map(|(lo, hi)| format!("{} {}", data.whole, at(lo, hi)))
                .into_iter()
                .chain(
                    r.marks
                        .iter()
                        .filter(|(a, (lo, hi))| {
                            *a < data.actors.len() && lo.is_finite() && hi.is_finite()
                        })
                        .map(|(a, (lo, hi))| format!("{} {}", data.actors[*a], at(*lo, *hi))),
                )
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    let summary_w = widest(summaries.iter().map(String::as_str), SMALL);
    let left = 12.0 + label_w + 12.0;
    let step_w = 96.0;
    let plot = step_w * n as f64;
    let width = left + plot + 16.0 + summary_w + 12.0;
    let key = Legend::new(
        data.actors
            .iter()
            .enumerate()
            .map(|(k, a)| (a.clone(), Mark::Actor(k)))
            .collect(),
        width,
    );
    let top = key.height + 12.0;
    let rows_h = row_h * data.rows.len().max(1) as f64;
    // Step names under the axis, each in its step's width, on up to three lines.
    let names_h = 47.0;
    let height = top + rows_h + names_h + 8.0;
    let x = |v: f64| left + (v.clamp(1.0, n as f64) - 0.5) * step_w;
    let mut svg = Svg::begin(&caption, width, height);
    key.draw(&mut svg);
    for (k, step) in data.steps.iter().enumerate() {
        let cx = x(k as f64 + 1.0);
        svg.line(cx, top, cx, top + rows_h, GRID, 1.0, None);
        let lines = wrap(step, SMALL, step_w - 6.0, 3);
        for (j, line) in lines.iter().enumerate() {
            svg.text(
                cx,
                top + rows_h + 14.0 + j as f64 * 13.0,
                Anchor::Middle,
                SMALL,
                MUTED,
                line,
            );
        }
    }
    svg.line(
        left,
        top + rows_h,
        left + plot,
        top + rows_h,
        INK,
        1.0,
        None,
    );
    if data.rows.is_empty() {
        svg.no_data(
            left + plot / 2.0,
            top + rows_h / 2.0 + FONT * 0.35,
            caption.lang,
        );
    }
    for (i, (row, summary)) in data.rows.iter().zip(&summaries).enumerate() {
        let y = top + (i as f64 + 0.5) * row_h;
        svg.text(
            left - 12.0,
            y + FONT * 0.35,
            Anchor::End,
            FONT,
            INK,
            &shorten(&row.label, FONT, MAX_LABEL),
        );
        let marks: Vec<&(usize, (f64, f64))> = row
            .marks
            .iter()
            .filter(|(a, (lo, hi))| *a < data.actors.len() && lo.is_finite() && hi.is_finite())
            .collect();
        // Actors placed alike stand side by side, not on top of each other.
        let offsets: Vec<f64> = marks
            .iter()
            .enumerate()
            .map(|(j, (_, v))| {
                let same = marks[..j].iter().filter(|(_, w)| w == v).count();
                let total = marks.iter().filter(|(_, w)| w == v).count();
                (same as f64 - (total as f64 - 1.0) / 2.0) * 14.0
            })
            .collect();
        if let Some((a, b)) = row.band.filter(|(a, b)| a.is_finite() && b.is_finite()) {
            let (x0, x1) = (x(a.min(b)), x(a.max(b)));
            // Wide enough to hold the markers set side by side at its ends.
            let pad = 8.0 + offsets.iter().fold(0.0, |m: f64, d| m.max(d.abs()));
            svg.rect(
                x0 - pad,
                y - 9.0,
                x1 - x0 + 2.0 * pad,
                18.0,
                "#e3e3e3",
                Some(MUTED),
            );
        }
        for ((actor, (lo, hi)), dx) in marks.iter().zip(&offsets) {
            // A range is its two ends joined, in the actor's colour.
            if lo != hi {
                let colour = PALETTE[actor % PALETTE.len()];
                svg.line(x(*lo) + dx, y, x(*hi) + dx, y, colour, 2.0, None);
                svg.actor(x(*hi) + dx, y, *actor);
            }
            svg.actor(x(*lo) + dx, y, *actor);
        }
        svg.text(
            left + plot + 16.0,
            y + SMALL * 0.35,
            Anchor::Start,
            SMALL,
            INK,
            summary,
        );
    }
    svg.finish(caption)
}

/// How text is placed at its point.
#[derive(Clone, Copy)]
enum Anchor {
    Start,
    Middle,
    End,
}

/// A legend entry's symbol.
#[derive(Clone)]
enum Mark {
    /// A square filled with a colour.
    Fill(String),
    /// A hatched square: an empty cell.
    Hatch,
    /// The arrow that ends a stay without end.
    Arrow,
    /// An actor's marker.
    Actor(usize),
}

/// An SVG drawing being written.
struct Svg {
    out: String,
}

impl Svg {
    /// The root element, its title and description first, and a white ground so a
    /// standalone file reads the same in a dark viewer.
    fn begin(caption: &Caption, width: f64, height: f64) -> Self {
        let id = id_of(&caption.name);
        let (w, h) = (num(width.ceil()), num(height.ceil()));
        let mut out = String::new();
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{w}\" height=\"{h}\" \
             viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
             font-family=\"sans-serif\">\n\
             <title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>\n\
             <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n",
            esc(&caption.title),
            esc(&caption.description),
        );
        Svg { out }
    }

    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, stroke: Option<&str>) {
        let _ = write!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"",
            num(x),
            num(y),
            num(w.max(0.0)),
            num(h.max(0.0))
        );
        if let Some(s) = stroke {
            let _ = write!(self.out, " stroke=\"{s}\" stroke-width=\"1\"");
        }
        self.out.push_str("/>\n");
    }

    #[allow(clippy::too_many_arguments)] // a line is its two ends and its pen
    fn line(
        &mut self,
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
        stroke: &str,
        width: f64,
        dash: Option<&str>,
    ) {
        let _ = write!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"{}\"",
            num(x1),
            num(y1),
            num(x2),
            num(y2),
            num(width)
        );
        if let Some(d) = dash {
            let _ = write!(self.out, " stroke-dasharray=\"{d}\"");
        }
        self.out.push_str("/>\n");
    }

    fn text(&mut self, x: f64, y: f64, anchor: Anchor, size: f64, fill: &str, text: &str) {
        let anchor = match anchor {
            Anchor::Start => "",
            Anchor::Middle => " text-anchor=\"middle\"",
            Anchor::End => " text-anchor=\"end\"",
        };
        let _ = writeln!(
            self.out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"{fill}\"{anchor}>{}</text>",
            num(x),
            num(y),
            num(size),
            esc(text)
        );
    }

    /// Diagonal lines across a box: an empty cell, told apart from zero without colour.
    fn hatch(&mut self, x: f64, y: f64, w: f64, h: f64) {
        let step = 6.0;
        let mut c = step;
        // Lines of slope -1 (x + y = c in the box's coordinates), cut to the box.
        while c < w + h {
            let (x1, y1) = (c.min(w), (c - w).max(0.0));
            let (x2, y2) = ((c - h).max(0.0), c.min(h));
            self.line(x + x1, y + y1, x + x2, y + y2, "#8c8c8c", 1.0, None);
            c += step;
        }
    }

    /// A right-pointing arrowhead whose tip is at (`x` + its length, `y`).
    fn arrow(&mut self, x: f64, y: f64, size: f64) {
        let _ = writeln!(
            self.out,
            "<path d=\"M{} {}L{} {}L{} {}Z\" fill=\"{INK}\"/>",
            num(x),
            num(y - size / 2.0),
            num(x + size * 0.8),
            num(y),
            num(x),
            num(y + size / 2.0)
        );
    }

    fn diamond(&mut self, x: f64, y: f64, r: f64, fill: &str) {
        let _ = writeln!(
            self.out,
            "<path d=\"M{} {}L{} {}L{} {}L{} {}Z\" fill=\"{fill}\" stroke=\"{INK}\" stroke-width=\"1\"/>",
            num(x),
            num(y - r),
            num(x + r),
            num(y),
            num(x),
            num(y + r),
            num(x - r),
            num(y)
        );
    }

    /// Actor `k`'s marker centred at (`x`, `y`): a shape and a colour of its own, so two
    /// actors differ without colour.
    /// What an empty chart says where its rows would be.
    fn no_data(&mut self, x: f64, y: f64, lang: Lang) {
        self.text(
            x,
            y,
            Anchor::Middle,
            FONT,
            MUTED,
            lang.pick("No data", "Ingen data"),
        );
    }

    fn actor(&mut self, x: f64, y: f64, k: usize) {
        let fill = PALETTE[k % PALETTE.len()];
        let r = 5.0;
        let d = match k % 4 {
            0 => format!(
                "M{} {}L{} {}L{} {}L{} {}Z",
                num(x - r),
                num(y - r),
                num(x + r),
                num(y - r),
                num(x + r),
                num(y + r),
                num(x - r),
                num(y + r)
            ),
            1 => format!(
                "M{} {}L{} {}L{} {}Z",
                num(x),
                num(y - r - 1.0),
                num(x + r + 1.0),
                num(y + r),
                num(x - r - 1.0),
                num(y + r)
            ),
            2 => format!(
                "M{} {}L{} {}L{} {}L{} {}Z",
                num(x),
                num(y - r - 1.0),
                num(x + r + 1.0),
                num(y),
                num(x),
                num(y + r + 1.0),
                num(x - r - 1.0),
                num(y)
            ),
            _ => format!(
                "M{} {}L{} {}L{} {}Z",
                num(x - r - 1.0),
                num(y - r),
                num(x + r + 1.0),
                num(y - r),
                num(x),
                num(y + r)
            ),
        };
        let _ = writeln!(
            self.out,
            "<path d=\"{d}\" fill=\"{fill}\" stroke=\"{INK}\" stroke-width=\"1\"/>"
        );
    }

    fn finish(mut self, caption: Caption) -> Figure {
        self.out.push_str("</svg>\n");
        Figure {
            name: id_of(&caption.name),
            title: caption.title,
            description: caption.description,
            svg: self.out,
        }
    }
}

/// A legend at the top left, its entries (a mark, then its text) in rows that break
/// before the drawing's width.
struct Legend {
    entries: Vec<(String, Mark, f64, f64)>,
    /// From the top of the drawing to below the last row.
    height: f64,
    /// From the left of the drawing to the right of the widest row, margin included.
    width: f64,
}

impl Legend {
    fn new(entries: Vec<(String, Mark)>, width: f64) -> Legend {
        let (x0, y0, row) = (12.0, 10.0, 22.0);
        let (mut x, mut y, mut widest) = (x0, y0, 0.0f64);
        let mut placed = Vec::new();
        for (text, mark) in entries {
            let w = 19.0 + text_width(&text, FONT);
            if x > x0 && x + w + 12.0 > width {
                x = x0;
                y += row;
            }
            placed.push((text, mark, x, y));
            widest = widest.max(x + w);
            x += w + 16.0;
        }
        let height = if placed.is_empty() { y0 } else { y + 16.0 };
        Legend {
            entries: placed,
            height,
            width: widest + 12.0,
        }
    }

    fn draw(&self, svg: &mut Svg) {
        for (text, mark, x, y) in &self.entries {
            let (x, y) = (*x, *y);
            match mark {
                Mark::Fill(colour) => svg.rect(x, y, 14.0, 14.0, colour, Some(INK)),
                Mark::Hatch => {
                    svg.rect(x, y, 14.0, 14.0, "#ffffff", Some(INK));
                    svg.hatch(x, y, 14.0, 14.0);
                }
                Mark::Arrow => svg.arrow(x + 2.0, y + 7.0, 12.0),
                Mark::Actor(a) => svg.actor(x + 7.0, y + 7.0, *a),
            }
            svg.text(x + 19.0, y + 11.0, Anchor::Start, FONT, INK, text);
        }
    }
}

/// A linear axis from `lo` to `hi` with round ticks.
struct Axis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
    /// Decimals in the ticks' labels.
    decimals: usize,
}

impl Axis {
    /// An axis that covers `lo`–`hi` with at most `most` ticks at steps of 1, 2 or 5 times
    /// a power of ten (whole numbers only when `whole`).
    fn nice(lo: f64, hi: f64, most: usize, whole: bool) -> Axis {
        let (lo, hi) = if hi > lo { (lo, hi) } else { (lo, lo + 1.0) };
        let raw = (hi - lo) / (most.max(2) - 1) as f64;
        let power = 10f64.powf(raw.log10().floor());
        let mut step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * power)
            .find(|s| *s >= raw * (1.0 - 1e-9))
            .unwrap_or(10.0 * power);
        if whole {
            step = step.max(1.0).round();
        }
        // Within rounding error of a tick is on it.
        let first = (lo / step + 1e-9).floor() as i64;
        let last = (hi / step - 1e-9).ceil() as i64;
        let ticks: Vec<f64> = (first..=last).map(|k| k as f64 * step).collect();
        // The fewest decimals that print the step exactly (0.5 → 1, 0.25 → 2).
        let decimals = (0..10)
            .find(|&d| {
                let scaled = step * 10f64.powi(d);
                (scaled - scaled.round()).abs() < 1e-6
            })
            .unwrap_or(10) as usize;
        Axis {
            lo: ticks[0],
            hi: *ticks.last().expect("at least two ticks"),
            ticks,
            decimals,
        }
    }

    /// Where `v` lies, from 0 at `lo` to 1 at `hi`.
    fn at(&self, v: f64) -> f64 {
        ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0)
    }

    fn label(&self, v: f64, lang: Lang) -> String {
        shown(fixed(v, self.decimals), lang)
    }
}

/// The smallest and largest of some finite numbers; (0, 0) for none.
fn extent(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values
        .fold(None, |acc: Option<(f64, f64)>, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
        .unwrap_or((0.0, 0.0))
}

/// A coordinate or size: one decimal, no trailing `.0`, never `-0`, never NaN or infinity
/// (a number that is not finite is drawn at 0 rather than breaking the file).
fn num(x: f64) -> String {
    fixed(if x.is_finite() { x } else { 0.0 }, 1)
}

/// `x` with `decimals` decimals, trailing zeros dropped.
fn fixed(x: f64, decimals: usize) -> String {
    let mut s = format!("{:.*}", decimals, x);
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_owned();
    }
    if s == "-0" {
        s = "0".to_owned();
    }
    s
}

/// A value as printed beside its mark: whole numbers as such, others with two decimals;
/// `–` for a value that is not a number.
fn value_text(v: f64, lang: Lang) -> String {
    if !v.is_finite() {
        "–".to_owned()
    } else if v.fract() == 0.0 && (0.0..1e15).contains(&v) {
        // Counts as the tables print them, grouped from five digits.
        lang.int(v as u64)
    } else if v.fract() == 0.0 {
        fixed(v, 0)
    } else {
        shown(fixed(v, 2), lang)
    }
}

/// A number printed by [`fixed`] with the language's decimal mark.
fn shown(s: String, lang: Lang) -> String {
    match lang {
        Lang::En => s,
        Lang::Nb => s.replace('.', ","),
    }
}

/// A share (0–1) as a whole percentage, as the report's tables print it.
fn percent(v: f64, lang: Lang) -> String {
    lang.percent(v)
}

fn interval_text(r: &Interval, lang: Lang) -> String {
    let two = |v: f64| {
        if v.is_finite() {
            shown(fixed(v, 2), lang)
        } else {
            "–".to_owned()
        }
    };
    if r.low.is_finite() && r.high.is_finite() {
        // A comma is the decimal mark in Norwegian: the bounds are parted by a semicolon.
        format!(
            "{} [{}{} {}]",
            two(r.estimate),
            two(r.low.min(r.high)),
            lang.pick(",", ";"),
            two(r.low.max(r.high))
        )
    } else {
        two(r.estimate)
    }
}

/// `name` as an id: ASCII letters, digits and hyphens, starting with a letter.
fn id_of(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s
    } else {
        format!("fig-{s}")
    }
}

/// Text for XML content or a quoted attribute: markup characters escaped, line breaks as
/// spaces, and characters XML 1.0 does not allow replaced by U+FFFD.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\r' | '\t' => out.push(' '),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            _ => out.push(c),
        }
    }
    out
}

/// About how wide `s` is in a sans-serif font of `size` (DejaVu Sans, the widest common
/// one, errs on the side of room).
fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.3,
            'f' | 'r' | 't' | ' ' | '(' | ')' | '[' | ']' | '-' => 0.4,
            'm' | 'w' => 0.92,
            'M' | 'W' | '%' | '@' => 0.95,
            '0'..='9' => 0.64,
            'A'..='Z' => 0.72,
            _ => 0.62,
        })
        .sum::<f64>()
        * size
}

fn widest<'a>(texts: impl Iterator<Item = &'a str>, size: f64) -> f64 {
    texts.map(|t| text_width(t, size)).fold(0.0, f64::max)
}

/// `s` cut with an ellipsis to fit `room`.
fn shorten(s: &str, size: f64, room: f64) -> String {
    if text_width(s, size) <= room {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut used = text_width("…", size);
    for c in s.chars() {
        used += text_width(c.encode_utf8(&mut [0; 4]), size);
        if used > room {
            break;
        }
        out.push(c);
    }
    out.trim_end().to_owned() + "…"
}

/// `s` in lines of at most `room`, broken at spaces; at most `lines` lines, the last
/// shortened if need be.
fn wrap(s: &str, size: f64, room: f64, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in s.split_whitespace() {
        match out.last_mut() {
            Some(last) if text_width(&format!("{last} {word}"), size) <= room => {
                last.push(' ');
                last.push_str(word);
            }
            _ => out.push(word.to_owned()),
        }
    }
    if out.len() > lines {
        let rest = out.split_off(lines - 1).join(" ");
        out.push(rest);
    }
    out.into_iter().map(|l| shorten(&l, size, room)).collect()
}

/// The first days of months from `start` to `end`, labelled `2023-02`, every one, two,
/// three or six months or every one or more years, so labels do not crowd an axis `plot`
/// wide.
fn month_ticks(
    start: NaiveDate,
    end: NaiveDate,
    plot: f64,
    lang: Lang,
) -> Vec<(NaiveDate, String)> {
    let months = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
    let span = (months(end) - months(start) + 1).max(1) as f64;
    let per = [1, 2, 3, 6, 12, 24, 60, 120]
        .into_iter()
        .find(|k| plot / span * f64::from(*k) >= 56.0)
        .unwrap_or(120);
    let mut out = Vec::new();
    let mut m = months(start);
    // The first tick on or after start, on a month divisible by the step (January first).
    if start.day() != 1 {
        m += 1;
    }
    while m.rem_euclid(per) != 0 {
        m += 1;
    }
    while m <= months(end) {
        if let Some(d) = NaiveDate::from_ymd_opt(m.div_euclid(12), m.rem_euclid(12) as u32 + 1, 1) {
            out.push((d, lang.month(d)));
        }
        m += per;
    }
    out
}

/// A point of a one-hue blue scale (ColorBrewer's Blues: ordered by lightness, so it reads
/// with any colour vision and in grey), from the lightest at 0 to the darkest at 1.
fn shade(t: f64) -> String {
    const STOPS: [(f64, f64, f64); 5] = [
        (247.0, 251.0, 255.0),
        (198.0, 219.0, 239.0),
        (107.0, 174.0, 214.0),
        (33.0, 113.0, 181.0),
        (8.0, 48.0, 107.0),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (STOPS.len() - 1) as f64;
    let k = (pos.floor() as usize).min(STOPS.len() - 2);
    let f = pos - k as f64;
    let (a, b) = (STOPS[k], STOPS[k + 1]);
    let mix = |p: f64, q: f64| (p + (q - p) * f).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

/// The text colour that reads best on `shade(t)`: black or white, whichever contrasts more.
fn on_shade(t: f64) -> &'static str {
    let hex = shade(t);
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0)) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    // Contrast with white is 1.05 / (l + 0.05), with black (l + 0.05) / 0.05.
    if 1.05 / (l + 0.05) > (l + 0.05) / 0.05 {
        "#ffffff"
    } else {
        INK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "</text><script>x</script>\"'&\u{1}";

    fn caption(name: &str) -> Caption {
        Caption {
            name: name.into(),
            title: format!("Title {HOSTILE}"),
            description: format!("Description {HOSTILE}"),
            lang: Lang::En,
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn sample_bars() -> Bars {
        Bars {
            series: vec!["barrier".into(), HOSTILE.into()],
            rows: vec![
                BarRow {
                    label: "Culture".into(),
                    values: vec![6.0, 4.0],
                },
                BarRow {
                    label: HOSTILE.into(),
                    values: vec![f64::NAN, f64::INFINITY],
                },
                BarRow {
                    label: "Short row".into(),
                    values: vec![1.0],
                },
            ],
            note: Some(HOSTILE.into()),
        }
    }

    fn sample_heatmap() -> Heatmap {
        Heatmap {
            columns: vec!["2023-02".into(), HOSTILE.into()],
            rows: vec![
                HeatRow {
                    label: "nav".into(),
                    depth: 0,
                    cells: vec![Some(0.0), Some(1.0)],
                },
                HeatRow {
                    label: HOSTILE.into(),
                    depth: 1,
                    cells: vec![None, Some(f64::NAN)],
                },
                HeatRow {
                    label: "ragged".into(),
                    depth: 0,
                    cells: vec![Some(0.5)],
                },
            ],
            values: Values::Shares,
            empty: "no attendance recorded".into(),
        }
    }

    fn sample_timeline() -> Timeline {
        Timeline {
            lanes: vec!["1 define the problem".into(), HOSTILE.into()],
            kinds: vec!["1 challenge".into(), HOSTILE.into()],
            stays: vec![
                Stay {
                    lane: 0,
                    kind: 0,
                    from: d("2023-02-08"),
                    to: Some(d("2023-05-10")),
                },
                Stay {
                    lane: 1,
                    kind: 1,
                    from: d("2023-05-10"),
                    to: None,
                },
                // Out of range: ignored, not a panic.
                Stay {
                    lane: 9,
                    kind: 9,
                    from: d("2023-05-10"),
                    to: None,
                },
            ],
            start: d("2023-02-08"),
            end: d("2023-12-19"),
            open: "no later move".into(),
        }
    }

    fn sample_intervals() -> Intervals {
        Intervals {
            rows: vec![
                Interval {
                    label: "culture".into(),
                    estimate: 0.72,
                    low: 0.55,
                    high: 0.85,
                },
                Interval {
                    label: HOSTILE.into(),
                    estimate: f64::NAN,
                    low: f64::NEG_INFINITY,
                    high: 0.3,
                },
                Interval {
                    label: "below the axis".into(),
                    estimate: -0.4,
                    low: -2.0,
                    high: 0.1,
                },
            ],
            from: -1.0,
            to: 1.0,
            marks: vec![
                (0.8, "0.8".into()),
                (0.667, "0.667".into()),
                (f64::NAN, HOSTILE.into()),
            ],
        }
    }

    fn sample_ladder() -> Ladder {
        Ladder {
            steps: vec![
                "1 inform".into(),
                "2 consult".into(),
                "3 dialogue".into(),
                "4 co-design".into(),
                "5 co-create, a name far too long for three short lines".into(),
            ],
            whole: "group".into(),
            actors: vec!["A".into(), HOSTILE.into(), "C".into()],
            rows: vec![
                LadderRow {
                    label: "Ressursgruppe 1".into(),
                    band: Some((2.0, 4.0)),
                    marks: vec![(0, (2.0, 2.0)), (1, (4.0, 4.0)), (2, (4.0, 4.0))],
                },
                LadderRow {
                    label: HOSTILE.into(),
                    band: Some((f64::NAN, 3.0)),
                    marks: vec![(7, (3.0, 3.0)), (0, (1.0, f64::INFINITY))],
                },
            ],
        }
    }

    /// Every chart kind, over the samples above.
    fn all() -> Vec<Figure> {
        vec![
            bars(caption("fig-1-bars"), &sample_bars()),
            heatmap(caption("fig-2-heat"), &sample_heatmap()),
            timeline(caption("fig-3-time"), &sample_timeline()),
            intervals(caption("fig-4-alpha"), &sample_intervals()),
            ladder(caption("fig-5-ladder"), &sample_ladder()),
        ]
    }

    /// Every chart kind over empty data.
    fn empties() -> Vec<Figure> {
        vec![
            bars(
                caption("e1"),
                &Bars {
                    series: vec![],
                    rows: vec![],
                    note: None,
                },
            ),
            heatmap(
                caption("e2"),
                &Heatmap {
                    columns: vec![],
                    rows: vec![],
                    values: Values::Counts,
                    empty: String::new(),
                },
            ),
            timeline(
                caption("e3"),
                &Timeline {
                    lanes: vec![],
                    kinds: vec![],
                    stays: vec![],
                    start: d("2023-02-01"),
                    end: d("2023-02-01"),
                    open: String::new(),
                },
            ),
            intervals(
                caption("e4"),
                &Intervals {
                    rows: vec![],
                    from: f64::NAN,
                    to: 1.0,
                    marks: vec![],
                },
            ),
            ladder(
                caption("e5"),
                &Ladder {
                    steps: vec![],
                    whole: String::new(),
                    actors: vec![],
                    rows: vec![],
                },
            ),
        ]
    }

    /// The values of every `name="…"` attribute in `svg`.
    fn attributes<'a>(svg: &'a str, name: &str) -> Vec<&'a str> {
        let key = format!(" {name}=\"");
        svg.match_indices(&key)
            .map(|(at, _)| {
                let rest = &svg[at + key.len()..];
                &rest[..rest.find('"').unwrap()]
            })
            .collect()
    }

    #[test]
    fn hostile_labels_are_escaped_everywhere() {
        for f in all() {
            assert!(!f.svg.contains("<script"), "{}", f.svg);
            assert!(!f.svg.contains("</text><"), "{}", f.name);
            assert!(!f.svg.contains('\u{1}'), "{}", f.name);
            assert!(
                f.svg.contains("&lt;/text&gt;&lt;script&gt;"),
                "{}: the hostile label is shown, escaped",
                f.name
            );
            assert!(f.svg.contains("&quot;&#39;&amp;\u{fffd}"), "{}", f.name);
            // Every `<` opens one of the few elements a chart is made of.
            for (at, _) in f.svg.match_indices('<') {
                let tag = f.svg[at + 1..]
                    .split([' ', '>', '/'])
                    .find(|s| !s.is_empty())
                    .unwrap();
                assert!(
                    ["svg", "title", "desc", "rect", "line", "text", "path", "g"].contains(&tag),
                    "{}: <{tag}>",
                    f.name
                );
            }
        }
    }

    #[test]
    fn same_input_same_bytes() {
        let (a, b) = (all(), all());
        assert_eq!(a, b);
        // And the bytes do not depend on how long the process has run or what ran before.
        let _ = empties();
        assert_eq!(all(), a);
    }

    #[test]
    fn title_and_description_come_first_and_name_the_figure() {
        for f in all().into_iter().chain(empties()) {
            let id = &f.name;
            let head = "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"";
            assert!(f.svg.starts_with(head), "{}", f.svg);
            let first_line = f.svg.lines().next().unwrap();
            assert!(first_line.contains(" role=\"img\""));
            assert!(first_line.contains(&format!(" aria-labelledby=\"{id}-title {id}-desc\"")));
            assert!(first_line.contains(" viewBox=\"0 0 "));
            assert!(first_line.contains(" font-family=\"sans-serif\""));
            let mut lines = f.svg.lines().skip(1);
            assert_eq!(
                lines.next().unwrap(),
                format!("<title id=\"{id}-title\">{}</title>", esc(&f.title))
            );
            assert_eq!(
                lines.next().unwrap(),
                format!("<desc id=\"{id}-desc\">{}</desc>", esc(&f.description))
            );
            assert!(f.svg.ends_with("</svg>\n"));
            // width and height match the view box.
            let (w, h) = (
                attributes(&f.svg, "width")[0],
                attributes(&f.svg, "height")[0],
            );
            assert!(first_line.contains(&format!("viewBox=\"0 0 {w} {h}\"")));
        }
    }

    #[test]
    fn ids_are_unique_and_carry_the_figure_name() {
        let figures = all();
        let mut seen = std::collections::BTreeSet::new();
        for f in &figures {
            for id in attributes(&f.svg, "id") {
                assert!(id.starts_with(&format!("{}-", f.name)), "{id}");
                assert!(seen.insert(id.to_owned()), "id {id} twice in one page");
            }
        }
        assert_eq!(seen.len(), 2 * figures.len());
        // A name that is no id is made one, and the figure is named by it.
        let odd = bars(caption("1 <b>"), &sample_bars());
        assert_eq!(odd.name, "fig-1--b-");
        assert!(odd
            .svg
            .contains("aria-labelledby=\"fig-1--b--title fig-1--b--desc\""));
    }

    #[test]
    fn no_number_is_nan_or_infinite_or_unrounded() {
        for f in all().into_iter().chain(empties()) {
            for bad in ["NaN", "inf\"", "inf<", ">inf", "\"inf", "-inf"] {
                assert!(!f.svg.contains(bad), "{}: {bad}", f.name);
            }
            for attr in [
                "x",
                "y",
                "x1",
                "y1",
                "x2",
                "y2",
                "width",
                "height",
                "font-size",
            ] {
                for v in attributes(&f.svg, attr) {
                    let n: f64 = v.parse().unwrap_or_else(|_| panic!("{attr}={v}"));
                    assert!(n.is_finite());
                    assert!(
                        !v.contains('.') || v.split('.').nth(1).unwrap().len() == 1,
                        "{v}"
                    );
                    assert_ne!(v, "-0");
                }
            }
        }
    }

    #[test]
    fn empty_data_draws_a_chart_that_says_so() {
        for f in empties() {
            assert!(f.svg.contains(">No data</text>"), "{}", f.svg);
        }
    }

    #[test]
    fn every_value_is_printed_beside_its_bar_with_its_series() {
        let f = bars(caption("b"), &sample_bars());
        assert!(f.svg.contains(">6 barrier</text>"));
        assert!(f.svg.contains(">4 &lt;/text&gt;"));
        // A value that is no number is said to be missing, with no bar.
        assert!(f.svg.contains(">– barrier</text>"));
        assert_eq!(f.svg.matches("<rect").count(), 1 + 2 + 3);
        // Legend swatches and bars take the series' colours in order.
        assert_eq!(
            f.svg.matches(&format!("fill=\"{}\"", PALETTE[0])).count(),
            3
        );
    }

    #[test]
    fn heatmap_cells_show_their_numbers_and_empty_cells_are_not_zero() {
        let f = heatmap(caption("h"), &sample_heatmap());
        assert!(f.svg.contains(">0%</text>"));
        assert!(f.svg.contains(">100%</text>"));
        assert!(f.svg.contains(">50%</text>"));
        // Three empty cells (none, NaN, and the ragged row's missing one), each hatched,
        // and the legend's hatched swatch explains them.
        assert!(f.svg.contains(">no attendance recorded</text>"));
        let hatched = f.svg.matches("stroke=\"#8c8c8c\"").count();
        let one = {
            let mut s = Svg { out: String::new() };
            s.hatch(0.0, 0.0, 44.0, 22.0);
            s.out.matches("<line").count()
        };
        assert!(hatched > 3 * one, "{hatched} hatch lines");
        // Zero is the lightest shade, drawn as a cell with its number, not hatched.
        assert!(f.svg.contains(&format!("fill=\"{}\"", shade(0.0))));
        // Without empty cells there is no such legend entry.
        let full = heatmap(
            caption("h2"),
            &Heatmap {
                columns: vec!["G1".into(), "Total".into()],
                rows: vec![HeatRow {
                    label: "culture".into(),
                    depth: 0,
                    cells: vec![Some(3.0), Some(7.0)],
                }],
                values: Values::Counts,
                empty: "no record".into(),
            },
        );
        assert!(!full.svg.contains("no record"));
        assert!(full.svg.contains(">3</text>") && full.svg.contains(">7</text>"));
    }

    #[test]
    fn long_column_titles_slant_and_long_labels_are_shortened() {
        let long = "A long column title, wider than a cell".to_owned();
        let f = heatmap(
            caption("h"),
            &Heatmap {
                columns: vec![long.clone(), "x".into()],
                rows: vec![HeatRow {
                    label: "y".repeat(200),
                    depth: 0,
                    cells: vec![Some(1.0), Some(2.0)],
                }],
                values: Values::Counts,
                empty: String::new(),
            },
        );
        assert!(f.svg.contains("transform=\"rotate(-45 "));
        assert!(f.svg.contains(&format!(">{long}</text>")));
        assert!(f.svg.contains("…</text>"));
        assert!(!f.svg.contains(&"y".repeat(200)));
    }

    #[test]
    fn the_timeline_joins_stays_and_marks_the_open_one() {
        let f = timeline(caption("t"), &sample_timeline());
        // One join (lane 0 to lane 1), one open stay with its arrow, and the legend's arrow.
        assert_eq!(f.svg.matches("stroke-dasharray=\"3 2\"").count(), 1);
        assert_eq!(f.svg.matches("<path").count(), 2);
        assert!(f.svg.contains(">no later move</text>"));
        for month in ["2023-03", "2023-05", "2023-11"] {
            assert!(f.svg.contains(&format!(">{month}</text>")), "{month}");
        }
        // The open stay runs to the end of the axis.
        let plot_end = attributes(&f.svg, "x2")
            .into_iter()
            .map(|v| v.parse::<f64>().unwrap())
            .fold(0.0, f64::max);
        let arrow = f
            .svg
            .lines()
            .filter(|l| l.starts_with("<path"))
            .nth(1)
            .unwrap();
        assert!(
            arrow.starts_with(&format!("<path d=\"M{} ", num(plot_end))),
            "{arrow}"
        );
    }

    #[test]
    fn month_ticks_thin_out_over_long_spans() {
        let monthly = month_ticks(d("2023-02-01"), d("2023-05-19"), 480.0, Lang::En);
        let labels: Vec<&str> = monthly.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["2023-02", "2023-03", "2023-04", "2023-05"]);
        // Eleven months on 480 points: every other month, from the first whole one.
        let short = month_ticks(d("2023-02-08"), d("2023-12-19"), 480.0, Lang::En);
        let labels: Vec<&str> = short.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            labels,
            ["2023-03", "2023-05", "2023-07", "2023-09", "2023-11"]
        );
        let halves = month_ticks(d("2023-01-15"), d("2025-06-01"), 480.0, Lang::En);
        assert!(
            halves.iter().all(|(d, _)| d.month0() % 6 == 0),
            "{halves:?}"
        );
        let long = month_ticks(d("2020-01-01"), d("2029-12-31"), 480.0, Lang::En);
        let years: Vec<i32> = long.iter().map(|(d, _)| d.year()).collect();
        assert_eq!(years, [2020, 2022, 2024, 2026, 2028]);
        assert!(long.iter().all(|(d, _)| d.month() == 1));
        assert!(month_ticks(d("2023-02-02"), d("2023-02-20"), 480.0, Lang::En).is_empty());
    }

    #[test]
    fn intervals_print_estimate_and_interval_and_clamp_to_the_axis() {
        let f = intervals(caption("a"), &sample_intervals());
        assert!(f.svg.contains(">0.72 [0.55, 0.85]</text>"));
        assert!(f.svg.contains(">-0.4 [-2, 0.1]</text>"));
        assert!(f.svg.contains(">–</text>"));
        // Two marks too close for their labels to share a line are stacked.
        let y_of = |label: &str| {
            let line = f
                .svg
                .lines()
                .find(|l| l.ends_with(&format!(">{label}</text>")))
                .unwrap();
            attributes(line, "y")[0].to_owned()
        };
        assert_ne!(y_of("0.667"), y_of("0.8"));
        for tick in ["-1", "-0.5", "0", "0.5", "1"] {
            assert!(f.svg.contains(&format!(">{tick}</text>")), "{tick}");
        }
        // Every mark stays on the axis, even an interval reaching past it.
        let xs: Vec<f64> = attributes(&f.svg, "x1")
            .into_iter()
            .map(|v| v.parse().unwrap())
            .collect();
        let (lo, hi) = extent(xs.iter().copied());
        let ticks: Vec<f64> = f
            .svg
            .lines()
            .filter(|l| l.contains(&format!("stroke=\"{GRID}\"")))
            .map(|l| attributes(l, "x1")[0].parse().unwrap())
            .collect();
        assert!(
            lo >= ticks[0] && hi <= *ticks.last().unwrap(),
            "{lo} {hi} {ticks:?}"
        );
    }

    #[test]
    fn a_placement_between_two_steps_is_drawn_from_one_to_the_other() {
        let mut data = sample_ladder();
        data.rows.truncate(1);
        data.rows[0].marks = vec![(0, (3.0, 5.0))];
        let f = ladder(caption("l"), &data);
        assert!(f.svg.contains(">group 2–4, A 3–5</text>"), "{}", f.svg);
        // Both ends marked (and the legend's marker), joined by a line in A's colour.
        assert_eq!(f.svg.matches("<path").count(), 3 + 2);
        assert!(f
            .svg
            .contains(&format!("stroke=\"{}\" stroke-width=\"2\"", PALETTE[0])));
    }

    #[test]
    fn the_ladder_shows_band_markers_and_placements() {
        let f = ladder(caption("l"), &sample_ladder());
        assert!(f.svg.contains(">group 2–4, A 2, &lt;/text&gt;"));
        assert!(f.svg.contains(", C 4</text>"));
        // One band (the other's is no number), three markers and three in the legend.
        assert_eq!(f.svg.matches("fill=\"#e3e3e3\"").count(), 1);
        assert_eq!(f.svg.matches("<path").count(), 6);
        // Two actors on step 4 stand apart: their shapes' first points differ in x.
        let markers: Vec<&str> = f.svg.lines().filter(|l| l.starts_with("<path")).collect();
        let first_x = |l: &str| {
            l["<path d=\"M".len()..]
                .split(' ')
                .next()
                .unwrap()
                .to_owned()
        };
        assert_ne!(first_x(markers[4]), first_x(markers[5]));
        assert!(f.svg.contains(">1 inform</text>"));
        // A long step name is wrapped on three lines, the last shortened.
        assert!(f.svg.contains(">5 co-create, a</text>"), "{}", f.svg);
        assert!(f.svg.contains(">name far too</text>"), "{}", f.svg);
        assert!(f.svg.contains(" three…</text>"), "{}", f.svg);
    }

    #[test]
    fn numbers_are_fixed_and_never_negative_zero() {
        assert_eq!(num(1.25), "1.2");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(12.0), "12");
        assert_eq!(value_text(3.0, Lang::En), "3");
        assert_eq!(value_text(0.125, Lang::En), "0.12");
        assert_eq!(value_text(0.125, Lang::Nb), "0,12");
        assert_eq!(value_text(250_000.0, Lang::En), "250,000");
        assert_eq!(value_text(250_000.0, Lang::Nb), "250\u{a0}000");
        assert_eq!(percent(0.995, Lang::En), "100%");
        assert_eq!(percent(0.095, Lang::Nb), "10\u{a0}%");
        let a = Axis::nice(0.0, 7.0, 6, true);
        assert_eq!(a.ticks, [0.0, 2.0, 4.0, 6.0, 8.0]);
        let b = Axis::nice(0.0, 0.0, 6, true);
        assert_eq!(b.ticks, [0.0, 1.0]);
        let c = Axis::nice(-1.0, 1.0, 6, false);
        assert_eq!(c.ticks, [-1.0, -0.5, 0.0, 0.5, 1.0]);
        assert_eq!(c.label(-0.5, Lang::En), "-0.5");
        assert_eq!(c.label(-1.0, Lang::En), "-1");
        let e = Axis::nice(0.0, 0.03, 6, false);
        assert_eq!(e.label(e.ticks[1], Lang::En), "0.01");
    }

    #[test]
    fn shades_darken_and_text_on_them_stays_readable() {
        assert_eq!(shade(0.0), "#f7fbff");
        assert_eq!(shade(1.0), "#08306b");
        assert_eq!(shade(f64::NAN), shade(0.0));
        assert_eq!(on_shade(0.0), INK);
        assert_eq!(on_shade(1.0), "#ffffff");
    }
}
