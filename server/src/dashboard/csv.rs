//! CSV export (RFC 4180), safe to open in a spreadsheet: a cell that would
//! start a formula (`=`, `+`, `-`, `@`, tab, carriage return) is prefixed
//! with an apostrophe.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// One cell, quoted when it needs to be.
pub fn cell(value: &str) -> String {
    let guarded =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) && value.parse::<f64>().is_err() {
            format!("'{value}")
        } else {
            value.to_owned()
        };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// A table as CSV text, header first, CRLF line ends.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let line = |cells: &mut dyn Iterator<Item = String>| {
        let v: Vec<String> = cells.collect();
        v.join(",") + "\r\n"
    };
    out.push_str(&line(&mut header.iter().map(|h| cell(h))));
    for r in rows {
        out.push_str(&line(&mut r.iter().map(|c| cell(c))));
    }
    out
}

/// A download of `body` named `filename` (letters, digits, `-`, `.` only).
pub fn download(filename: &str, body: String) -> Response {
    let safe: String = filename
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        .collect();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_formula_guard() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(cell("-3"), "-3");
        assert_eq!(cell("@x"), "'@x");
        let t = table(&["a", "b"], &[vec!["1".into(), "x,y".into()]]);
        assert_eq!(t, "a,b\r\n1,\"x,y\"\r\n");
    }
}
