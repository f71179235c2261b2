//! A report as plain blocks, independent of the output format.

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
        /// Column titles.
        header: Vec<String>,
        /// Rows of cells, each as long as the header.
        rows: Vec<Vec<String>>,
    },
}

/// A whole report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Doc {
    /// The title (also the HTML `<title>`).
    pub title: String,
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

    pub(crate) fn quote(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Quote(text.into()));
    }

    pub(crate) fn table(&mut self, header: &[&str], rows: Vec<Vec<String>>) {
        self.blocks.push(Block::Table {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows,
        });
    }
}
