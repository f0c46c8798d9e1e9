//! The referral form as a PDF (A4, the standard Helvetica fonts, so no font
//! file ships with the server), made with `printpdf`. Text the standard
//! fonts cannot show is replaced, never dropped silently: the printable page
//! carries the exact text.

use super::referral_form::{Line, ReferralSheet};
use printpdf::{
    BuiltinFont, IndirectFontRef, Mm, PdfDocument, PdfDocumentReference, PdfLayerReference,
};

const WIDTH: f32 = 210.0;
const HEIGHT: f32 = 297.0;
const MARGIN: f32 = 20.0;
const WRAP: usize = 88;

/// Why the PDF could not be made.
#[derive(Debug, thiserror::Error)]
#[error("the referral form PDF could not be made: {0}")]
pub struct PdfError(String);

/// What the standard fonts can show: Latin-1 stays, common punctuation is
/// spelled in ASCII, anything else becomes `?`.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{2013}' | '\u{2014}' => "-".to_owned(),
            '\u{2018}' | '\u{2019}' => "'".to_owned(),
            '\u{201c}' | '\u{201d}' => "\"".to_owned(),
            '\u{2192}' => "->".to_owned(),
            '\u{2026}' => "...".to_owned(),
            c if c == '\n' || c == '\t' => " ".to_owned(),
            c if (' '..='~').contains(&c) || ('\u{a0}'..='\u{ff}').contains(&c) => c.to_string(),
            _ => "?".to_owned(),
        })
        .collect()
}

/// Splits text into lines of at most `width` characters, at spaces.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let mut word = word.to_owned();
        while word.chars().count() > width {
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            out.push(head);
        }
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current);
    }
    out
}

struct Writer {
    doc: PdfDocumentReference,
    layer: PdfLayerReference,
    regular: IndirectFontRef,
    bold: IndirectFontRef,
    y: f32,
}

impl Writer {
    fn room(&mut self, needed: f32) {
        if self.y - needed < MARGIN {
            let (page, layer) = self.doc.add_page(Mm(WIDTH), Mm(HEIGHT), "form");
            self.layer = self.doc.get_page(page).get_layer(layer);
            self.y = HEIGHT - MARGIN;
        }
    }

    fn text(&mut self, text: &str, size: f32, bold: bool) {
        let font = if bold {
            self.bold.clone()
        } else {
            self.regular.clone()
        };
        for l in wrap(&printable(text), WRAP) {
            self.room(size * 0.5);
            self.layer.use_text(l, size, Mm(MARGIN), Mm(self.y), &font);
            self.y -= size * 0.5;
        }
    }

    fn heading(&mut self, text: &str) {
        self.y -= 3.0;
        self.text(text, 12.0, true);
        self.y -= 1.0;
    }

    fn lines(&mut self, lines: &[Line]) {
        for l in lines {
            self.text(&format!("{}: {}", l.label, l.value), 10.0, false);
        }
    }
}

/// The form as PDF bytes.
pub fn render(sheet: &ReferralSheet) -> Result<Vec<u8>, PdfError> {
    let title = format!("{} - referral form", sheet.partnership);
    let (doc, page, layer) = PdfDocument::new(printable(&title), Mm(WIDTH), Mm(HEIGHT), "form");
    let err = |e: printpdf::Error| PdfError(e.to_string());
    let regular = doc.add_builtin_font(BuiltinFont::Helvetica).map_err(err)?;
    let bold = doc
        .add_builtin_font(BuiltinFont::HelveticaBold)
        .map_err(err)?;
    let layer = doc.get_page(page).get_layer(layer);
    let mut w = Writer {
        doc,
        layer,
        regular,
        bold,
        y: HEIGHT - MARGIN,
    };
    w.text(&title, 16.0, true);
    w.text(&format!("Referral {}", sheet.referral_id), 9.0, false);
    w.heading("To the agency");
    w.lines(&sheet.agency);
    w.heading("The referral");
    w.lines(&sheet.referral);
    w.heading("About her, as she agreed to share");
    if sheet.her_details.is_empty() {
        w.text(
            "Nothing: her consent to this agency covers none of her details.",
            10.0,
            false,
        );
    }
    w.lines(&sheet.her_details);
    if !sheet.withheld.is_empty() {
        w.heading("Not shared");
        for s in &sheet.withheld {
            w.text(s, 10.0, false);
        }
    }
    w.heading("Consent");
    w.lines(&sheet.consent);
    if let Some(sent) = &sheet.sent {
        w.heading("Sent");
        w.text(sent, 10.0, false);
    }
    w.doc.save_to_bytes().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_word_and_the_width() {
        let text = "one two three fourfourfourfour five";
        let lines = wrap(text, 10);
        assert!(lines.iter().all(|l| l.chars().count() <= 10), "{lines:?}");
        assert_eq!(lines.join(" ").replace(' ', ""), text.replace(' ', ""));
        assert_eq!(wrap("", 10), vec![String::new()]);
        assert_eq!(printable("Dee — café → ☕"), "Dee - café -> ?");
    }
}
