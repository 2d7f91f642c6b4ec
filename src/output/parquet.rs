//! Tables as Parquet (`score --indicators parquet`, `--parquet`): typed columns (text;
//! numbers, counts and ranks as f64; flags as booleans; an empty cell is null), LZ4
//! compressed, written a batch of rows at a time (a row group each, its columns built in
//! parallel), so memory holds one batch however long the table.
//!
//! A column's type is that of its first non-empty cell in the first batch (text when
//! every cell of the batch is empty); every later cell must be of that type.

use super::table::Cell;
use polars::prelude::*;
use std::io::Write;

/// Rows per batch (a Parquet row group each).
const BATCH_ROWS: usize = 1 << 17;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Number,
    Flag,
}

fn kind(cell: &Cell) -> Option<Kind> {
    match cell {
        Cell::Text(_) => Some(Kind::Text),
        Cell::Num(..) | Cell::Exact(_) | Cell::Int(_) => Some(Kind::Number),
        Cell::Bool(_) => Some(Kind::Flag),
        Cell::Empty => None,
    }
}

fn invalid(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message)
}

/// Writes the table `name` (header and rows) as Parquet to `out`.
pub fn write_table(
    out: &mut dyn Write,
    name: &str,
    header: &[String],
    rows: impl Iterator<Item = Vec<Cell>>,
) -> std::io::Result<()> {
    let polars_error = |e: PolarsError| invalid(format!("{name}: {e}"));
    let mut rows = rows;
    let mut batch: Vec<Vec<Cell>> = rows.by_ref().take(BATCH_ROWS).collect();
    let kinds: Vec<Kind> = (0..header.len())
        .map(|j| batch.iter().find_map(|r| r.get(j).and_then(kind)).unwrap_or(Kind::Text))
        .collect();
    let schema = Schema::from_iter(header.iter().zip(&kinds).map(|(h, k)| {
        let dtype = match k {
            Kind::Text => DataType::String,
            Kind::Number => DataType::Float64,
            Kind::Flag => DataType::Boolean,
        };
        Field::new(h.as_str().into(), dtype)
    }));
    // LZ4: a third of the CSV's size at a fraction of zstd's time.
    let mut writer = ParquetWriter::new(out)
        .with_compression(ParquetCompression::Lz4Raw)
        .batched(&schema)
        .map_err(polars_error)?;
    loop {
        let frame = frame(name, header, &kinds, &batch)?;
        writer.write_batch(&frame).map_err(polars_error)?;
        batch = rows.by_ref().take(BATCH_ROWS).collect();
        if batch.is_empty() {
            break;
        }
    }
    writer.finish().map_err(polars_error)?;
    Ok(())
}

/// One batch of rows as a frame of the columns' kinds.
fn frame(name: &str, header: &[String], kinds: &[Kind], rows: &[Vec<Cell>]) -> std::io::Result<DataFrame> {
    use rayon::prelude::*;
    // Column by column, in parallel.
    let columns = header
        .par_iter()
        .zip(kinds)
        .enumerate()
        .map(|(j, (h, &k))| column(name, j, h, k, rows))
        .collect::<std::io::Result<Vec<Column>>>()?;
    DataFrame::new_infer_height(columns).map_err(|e| invalid(format!("{name}: {e}")))
}

/// Column `j` (named `h`, of kind `k`) of a batch of rows.
fn column(name: &str, j: usize, h: &str, k: Kind, rows: &[Vec<Cell>]) -> std::io::Result<Column> {
    let cells = rows.iter().map(|r| r.get(j).unwrap_or(&Cell::Empty));
    let mismatch = |cell: &Cell| {
        invalid(format!(
            "{name}: column `{h}` holds {cell:?} among cells of another type: cannot write it as Parquet"
        ))
    };
    let column = match k {
        Kind::Text => cells
            .map(|c| match c {
                Cell::Text(t) => Ok(Some(t.as_str())),
                Cell::Empty => Ok(None),
                other => Err(mismatch(other)),
            })
            .collect::<std::io::Result<StringChunked>>()?
            .with_name(h.into())
            .into_column(),
        Kind::Number => cells
            .map(|c| match *c {
                Cell::Num(v, _) | Cell::Exact(v) => Ok((!v.is_nan()).then_some(v)),
                Cell::Int(v) => Ok(Some(v as f64)),
                Cell::Empty => Ok(None),
                ref other => Err(mismatch(other)),
            })
            .collect::<std::io::Result<Float64Chunked>>()?
            .with_name(h.into())
            .into_column(),
        Kind::Flag => cells
            .map(|c| match *c {
                Cell::Bool(b) => Ok(Some(b)),
                Cell::Empty => Ok(None),
                ref other => Err(mismatch(other)),
            })
            .collect::<std::io::Result<BooleanChunked>>()?
            .with_name(h.into())
            .into_column(),
    };
    Ok(column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_columns_and_nulls_round_trip_across_batches() {
        let header: Vec<String> = ["unit", "rank", "imputed", "class"].map(String::from).to_vec();
        let n = BATCH_ROWS + 3;
        let rows = (0..n).map(|i| {
            vec![
                Cell::Text(format!("u{i}")),
                // Whole ranks and a tie's half rank in one column; NaN is empty.
                if i == 1 {
                    Cell::Num(2.5, 1)
                } else if i == 2 {
                    Cell::Exact(f64::NAN)
                } else {
                    Cell::rank(i as f64)
                },
                Cell::Bool(i % 2 == 0),
                Cell::Empty,
            ]
        });
        let mut bytes = Vec::new();
        write_table(&mut bytes, "t", &header, rows).unwrap();
        let df = ParquetReader::new(std::io::Cursor::new(bytes)).finish().unwrap();
        assert_eq!(df.height(), n);
        let rank = df.column("rank").unwrap().f64().unwrap();
        assert_eq!(rank.get(0), Some(0.0));
        assert_eq!(rank.get(1), Some(2.5));
        assert_eq!(rank.get(2), None);
        assert_eq!(rank.get(n - 1), Some((n - 1) as f64));
        assert_eq!(df.column("imputed").unwrap().bool().unwrap().get(3), Some(false));
        assert_eq!(
            df.column("unit").unwrap().str().unwrap().get(n - 1),
            Some(format!("u{}", n - 1).as_str())
        );
        assert_eq!(df.column("class").unwrap().null_count(), n);
        assert_eq!(df.column("class").unwrap().dtype(), &DataType::String);
    }

    #[test]
    fn a_cell_of_another_type_is_an_error() {
        let header: Vec<String> = vec!["x".into()];
        let rows = vec![vec![Cell::Exact(1.0)], vec![Cell::Text("a".into())]].into_iter();
        let e = write_table(&mut Vec::new(), "t", &header, rows)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("t: column `x` holds Text(\"a\") among cells of another type"),
            "{e}"
        );
    }
}
