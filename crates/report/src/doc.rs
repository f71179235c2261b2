//! A report as plain blocks, independent of the output format.

/// The language a report is written in: every heading, caption and sentence, and the
/// formats of numbers and dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Norwegian bokmål.
    Nb,
}

impl Lang {
    /// Its BCP 47 tag, as in `<html lang>` and Word's `w:lang`: `en` or `nb`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Nb => "nb",
        }
    }
}

/// A chart: an SVG drawing with what a screen reader says of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// The file it is written to beside the report, without extension (`fig-1-polarity`):
    /// ASCII letters, digits and hyphens only.
    pub name: String,
    /// Its caption, and the SVG's `<title>`.
    pub title: String,
    /// What it shows, in words (the SVG's `<desc>`).
    pub description: String,
    /// The drawing: a whole `<svg>` element, the same bytes for the same input.
    pub svg: String,
}

/// A block of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A heading of level 1 to 4.
    Heading(u8, String),
    /// A paragraph of plain text.
    Para(String),
    /// A quoted passage.
    Quote(String),
    /// A table with a header row.
    Table {
        /// What the table shows and what it counts, printed above it.
        caption: Option<String>,
        /// Column titles.
        header: Vec<String>,
        /// Rows of cells, each as long as the header. A blank line (`\n\n`) parts a cell's
        /// paragraphs; a line break (`\n`) parts lines within one.
        rows: Vec<Vec<String>>,
        /// The column whose paragraphs are quotes (Table 2's examples), set as quotes in
        /// every format.
        quotes: Option<usize>,
    },
    /// A chart.
    Figure(Figure),
}

/// A whole report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Doc {
    /// The title (also the HTML `<title>`).
    pub title: String,
    /// The language it is written in.
    pub lang: Lang,
    /// A notice every page carries (an illustrative study's), in every format.
    pub banner: Option<String>,
    /// The blocks in order.
    pub blocks: Vec<Block>,
}

impl Doc {
    pub(crate) fn heading(&mut self, level: u8, text: impl Into<String>) {
        self.blocks.push(Block::Heading(level, text.into()));
    }

    pub(crate) fn para(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Para(text.into()));
    }

    /// A table with its caption: every table says what it shows and what it counts.
    pub(crate) fn table(
        &mut self,
        caption: impl Into<String>,
        header: &[&str],
        rows: Vec<Vec<String>>,
    ) {
        self.blocks.push(Block::Table {
            caption: Some(caption.into()),
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows,
            quotes: None,
        });
    }

    /// The figures, in order: what is written beside the report as files.
    pub fn figures(&self) -> impl Iterator<Item = &Figure> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Figure(f) => Some(f),
            _ => None,
        })
    }
}
