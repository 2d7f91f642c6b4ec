//! A table as the writers take it: a name, a header and rows of [`Cell`]s, made as
//! they are written. The CSV, Parquet and xlsx writers ([`super::csv`],
//! [`super::parquet`], [`super::xlsx`]) render the same tables.

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A number printed with this many decimals (NaN = empty).
    Num(f64, usize),
    /// A number printed exactly: the shortest decimal that round-trips (NaN = empty).
    Exact(f64),
    /// A count or id.
    Int(i64),
    Bool(bool),
    Empty,
}

impl Cell {
    /// A rank: whole numbers without decimals, average ties with one (2.5).
    pub fn rank(r: f64) -> Cell {
        if r.is_nan() {
            Cell::Empty
        } else if r.fract() == 0.0 {
            Cell::Int(r as i64)
        } else {
            Cell::Num(r, 1)
        }
    }
}

/// A table: its name (file stem / sheet name), header and rows (lazily built).
pub struct Table<'a> {
    pub name: &'static str,
    pub header: Vec<String>,
    pub rows: Rows<'a>,
}

/// A table's rows, made as they are written: one after another, or each from its
/// number, so that a writer can make blocks of them on several threads.
pub enum Rows<'a> {
    Each(Box<dyn Iterator<Item = Vec<Cell>> + 'a>),
    Numbered {
        count: usize,
        row: Box<dyn Fn(usize) -> Vec<Cell> + Sync + 'a>,
    },
}

impl<'a> Rows<'a> {
    /// `count` rows, row `i` being `row(i)`.
    pub fn numbered(count: usize, row: impl Fn(usize) -> Vec<Cell> + Sync + 'a) -> Rows<'a> {
        Rows::Numbered {
            count,
            row: Box::new(row),
        }
    }
}

impl<'a, I: Iterator<Item = Vec<Cell>> + 'a> From<I> for Rows<'a> {
    fn from(rows: I) -> Rows<'a> {
        Rows::Each(Box::new(rows))
    }
}

impl<'a> IntoIterator for Rows<'a> {
    type Item = Vec<Cell>;
    type IntoIter = Box<dyn Iterator<Item = Vec<Cell>> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        match self {
            Rows::Each(rows) => rows,
            Rows::Numbered { count, row } => Box::new((0..count).map(row)),
        }
    }
}
