//! Bar charts as inline SVG: no scripts, no external files, readable by a
//! screen reader (`role="img"`, a title and a description listing every
//! value) and in print. Every bar carries its value as text, so nothing is
//! said by colour alone. Colours come from the stylesheet's classes.

use std::fmt::Write;

/// Escapes text for SVG or HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: u64,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: u64) -> Self {
        Self {
            label: label.into(),
            value,
        }
    }
}

fn description(title: &str, bars: &[Bar]) -> String {
    if bars.is_empty() {
        return format!("{title}: nothing recorded.");
    }
    let values: Vec<String> = bars
        .iter()
        .map(|b| format!("{} {}", b.label, b.value))
        .collect();
    format!("{title}: {}.", values.join("; "))
}

/// A label cut to `max` characters with an ellipsis (the description keeps
/// the whole label).
fn short(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_owned()
    } else {
        let cut: String = label.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// A horizontal bar chart: one row per bar, label on the left, value at the
/// end of the bar. `id` must be unique on the page.
pub fn horizontal(id: &str, title: &str, bars: &[Bar]) -> String {
    let row = 28;
    let label_w = 260;
    let bar_w = 420;
    let width = label_w + bar_w + 70;
    let height = 16 + row * bars.len().max(1);
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" id="{id}" role="img" aria-labelledby="{id}-t {id}-d" viewBox="0 0 {width} {height}" width="{width}" height="{height}"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(&description(title, bars))
    );
    if bars.is_empty() {
        let _ = write!(
            s,
            r#"<text class="chart-label" x="0" y="24">Nothing recorded in this period.</text>"#
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let y = 8 + i * row;
        let w = (b.value as f64 / max as f64 * bar_w as f64).round() as u64;
        let w = if b.value > 0 { w.max(2) } else { 0 };
        let _ = write!(
            s,
            r#"<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text><rect class="chart-bar" x="{}" y="{}" width="{w}" height="{}"/><text class="chart-value" x="{}" y="{}">{}</text>"#,
            label_w - 8,
            y + 15,
            escape(&short(&b.label, 34)),
            label_w,
            y + 2,
            row - 8,
            label_w as u64 + w + 6,
            y + 15,
            b.value
        );
    }
    s.push_str("</svg>");
    s
}

/// A vertical bar chart (columns), for values over time.
pub fn columns(id: &str, title: &str, bars: &[Bar]) -> String {
    let col = 64usize;
    let plot_h = 180usize;
    let top = 24usize;
    let width = 20 + col * bars.len().max(1);
    let height = top + plot_h + 40;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" id="{id}" role="img" aria-labelledby="{id}-t {id}-d" viewBox="0 0 {width} {height}" width="{width}" height="{height}"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(&description(title, bars))
    );
    let _ = write!(
        s,
        r#"<line class="chart-axis" x1="10" y1="{0}" x2="{1}" y2="{0}"/>"#,
        top + plot_h,
        width - 10
    );
    for (i, b) in bars.iter().enumerate() {
        let x = 14 + i * col;
        let h = (b.value as f64 / max as f64 * plot_h as f64).round() as usize;
        let h = if b.value > 0 { h.max(2) } else { 0 };
        let y = top + plot_h - h;
        let _ = write!(
            s,
            r#"<rect class="chart-bar" x="{x}" y="{y}" width="{}" height="{h}"/><text class="chart-value" x="{}" y="{}" text-anchor="middle">{}</text><text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>"#,
            col - 12,
            x + (col - 12) / 2,
            y.saturating_sub(6).max(12),
            b.value,
            x + (col - 12) / 2,
            top + plot_h + 20,
            escape(&short(&b.label, 9))
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_and_describe() {
        let bars = [Bar::new("<b>&", 3), Bar::new("Leaflet", 0)];
        let h = horizontal("c1", "Supplies", &bars);
        assert!(h.starts_with("<svg"));
        assert!(h.contains("&lt;b&gt;&amp;"));
        assert!(!h.contains("<b>"));
        assert!(h.contains("Supplies: &lt;b&gt;&amp; 3; Leaflet 0."));
        let c = columns("c2", "Weeks", &bars);
        assert!(c.contains(r#"role="img""#));
        assert!(horizontal("c3", "None", &[]).contains("Nothing recorded"));
        let long = horizontal("c4", "Agencies", &[Bar::new("a".repeat(50), 1)]);
        assert!(long.contains(&format!("{}…", "a".repeat(33))));
        assert!(long.contains(&"a".repeat(50)), "the description has it all");
    }
}
