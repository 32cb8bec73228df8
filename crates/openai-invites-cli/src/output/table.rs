//! Aligned columns for people, styled; the stream a table is written to drops the styles
//! where colours are off (`NO_COLOR`, not a terminal), so widths are measured on plain text.
//!
//! ```ignore
//! table::write(&mut out, &["ID", "EMAIL"], &[vec![Cell::plain("invite-1"), Cell::plain("a@b.co")]])?;
//! // ID        EMAIL
//! // invite-1  a@b.co
//! ```

use std::io::{self, Write};

use anstyle::Style;

/// Between two columns.
const GAP: &str = "  ";

/// One cell: its text and how it is styled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub style: Style,
}

impl Cell {
    pub fn plain(text: impl Into<String>) -> Self {
        Self::styled(text, Style::new())
    }

    pub fn styled(text: impl Into<String>, style: Style) -> Self {
        Self {
            text: text.into(),
            style,
        }
    }
}

fn width(text: &str) -> usize {
    text.chars().count()
}

/// A header row (bold) and rows, each column as wide as its widest cell; no trailing spaces.
pub fn write(out: &mut dyn Write, header: &[&str], rows: &[Vec<Cell>]) -> io::Result<()> {
    let bold = Style::new().bold();
    let header: Vec<Cell> = header.iter().map(|h| Cell::styled(*h, bold)).collect();
    let mut widths: Vec<usize> = header.iter().map(|c| width(&c.text)).collect();
    for row in rows {
        for (n, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(n) {
                *w = (*w).max(width(&cell.text));
            }
        }
    }
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (n, cell) in row.iter().enumerate() {
            if n > 0 {
                line.push_str(GAP);
            }
            let pad = widths
                .get(n)
                .copied()
                .unwrap_or(0)
                .saturating_sub(width(&cell.text));
            line.push_str(&styled(cell));
            line.extend(std::iter::repeat_n(' ', pad));
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// The cell's text between its style's codes (none around an empty text, so that a line's
/// trailing blanks can be trimmed).
fn styled(cell: &Cell) -> String {
    if cell.text.is_empty() {
        return String::new();
    }
    format!(
        "{}{}{}",
        cell.style.render(),
        cell.text,
        cell.style.render_reset()
    )
}

/// `label  value` lines, labels aligned (one record, as `get` shows it).
pub fn write_details(out: &mut dyn Write, fields: &[(&str, Cell)]) -> io::Result<()> {
    let label_width = fields.iter().map(|(l, _)| width(l)).max().unwrap_or(0);
    let bold = Style::new().bold();
    for (label, cell) in fields {
        write!(
            out,
            "{}{label:label_width$}{}{GAP}",
            bold.render(),
            bold.render_reset()
        )?;
        writeln!(out, "{}", styled(cell))?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn plain(out: Vec<u8>) -> String {
        let text = String::from_utf8(out).unwrap();
        anstream::adapter::strip_str(&text).to_string()
    }

    #[test]
    fn columns_align_without_trailing_spaces() {
        let mut out = Vec::new();
        let rows = vec![
            vec![
                Cell::plain("invite-1"),
                Cell::styled("a@b.co", Style::new().bold()),
                Cell::plain("x"),
            ],
            vec![
                Cell::plain("i2"),
                Cell::plain("ana@example.com"),
                Cell::plain(""),
            ],
        ];
        write(&mut out, &["ID", "EMAIL", "NOTE"], &rows).unwrap();
        assert_eq!(
            plain(out),
            "ID        EMAIL            NOTE\n\
             invite-1  a@b.co           x\n\
             i2        ana@example.com\n"
        );
    }

    #[test]
    fn styles_are_written_for_the_stream_to_keep_or_drop() {
        let mut out = Vec::new();
        write(&mut out, &["ID"], &[]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "\u{1b}[1mID\u{1b}[0m\n");
    }

    #[test]
    fn details() {
        let mut out = Vec::new();
        write_details(
            &mut out,
            &[
                ("id", Cell::plain("invite-1")),
                ("email", Cell::plain("a@b.co")),
            ],
        )
        .unwrap();
        assert_eq!(plain(out), "id     invite-1\nemail  a@b.co\n");
    }
}
