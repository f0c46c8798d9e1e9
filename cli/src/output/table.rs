//! A plain-text table: columns padded to their widest cell, two spaces apart.
//! Widths count characters, so accented aliases line up.

/// Rows of cells under a header.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column titles.
    pub fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are blank, extra cells are dropped.
    pub fn row(&mut self, cells: Vec<String>) {
        let mut cells = cells;
        cells.resize(self.header.len(), String::new());
        // Keep each row on one line whatever a note holds.
        for c in &mut cells {
            if c.contains(['\n', '\r', '\t']) {
                *c = c.replace(['\n', '\r', '\t'], " ");
            }
        }
        self.rows.push(cells);
    }

    /// Appends the table to `out`, or `empty` when there are no rows.
    pub fn render(&self, out: &mut String, empty: &str) {
        if self.rows.is_empty() {
            out.push_str(empty);
            out.push('\n');
            return;
        }
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let mut text = String::new();
            for (i, (c, w)) in row.iter().zip(&widths).enumerate() {
                text.push_str(c);
                if i + 1 < widths.len() {
                    let pad = w - c.chars().count() + 2;
                    text.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_by_characters() {
        let mut t = Table::new(&["who", "n"]);
        t.row(vec!["Zoë".into(), "1".into()]);
        t.row(vec!["Amber".into(), "22".into()]);
        let mut out = String::new();
        t.render(&mut out, "none");
        assert_eq!(out, "who    n\nZoë    1\nAmber  22\n");
    }

    #[test]
    fn empty_table_says_so() {
        let mut out = String::new();
        Table::new(&["a"]).render(&mut out, "nothing yet");
        assert_eq!(out, "nothing yet\n");
    }
}
