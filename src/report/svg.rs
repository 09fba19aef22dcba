//! The few SVG shapes the report's charts need, written as text.
//!
//! A plotting crate would bring fonts, backends and features the page has no use for; the
//! charts are bars, dots, lines and labels, so a small writer is enough and keeps every
//! byte of the page under our control: coordinates are rounded to a tenth so the same
//! report is the same page, and all text is escaped (district names come from a voter
//! file). Hidden counts are drawn with [`Svg::placeholder`], whose size is fixed by the
//! caller and never depends on the count.

use std::fmt::Write as _;

/// Escapes text for HTML and SVG, in content and in quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// A coordinate, rounded to a tenth, without a trailing `.0`.
pub fn num(v: f64) -> String {
    let tenths = (v * 10.0).round() as i64;
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{:.1}", tenths as f64 / 10.0)
    }
}

/// Horizontal alignment of a label.
#[derive(Clone, Copy)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn name(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// One chart: a fixed-size drawing that scales down to the page width.
pub struct Svg {
    width: f64,
    height: f64,
    body: String,
}

impl Svg {
    pub fn new(width: f64, height: f64) -> Svg {
        Svg {
            width,
            height,
            body: String::new(),
        }
    }

    /// A bar or cell; `title` is its tooltip (already formatted, escaped here).
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, class: &str, title: &str) {
        let _ = write!(
            self.body,
            r#"<rect class="{class}" x="{}" y="{}" width="{}" height="{}">"#,
            num(x),
            num(y),
            num(w.max(0.0)),
            num(h.max(0.0))
        );
        self.title_and_close(title, "rect");
    }

    /// A cell filled with a colour of its own (the heatmap's shades).
    #[allow(clippy::too_many_arguments)]
    pub fn shaded(&mut self, x: f64, y: f64, w: f64, h: f64, class: &str, fill: &str, title: &str) {
        let _ = write!(
            self.body,
            r#"<rect class="{class}" x="{}" y="{}" width="{}" height="{}" fill="{fill}">"#,
            num(x),
            num(y),
            num(w),
            num(h)
        );
        self.title_and_close(title, "rect");
    }

    /// A hidden count: a hatched box whose size the caller fixes without looking at it.
    pub fn placeholder(&mut self, x: f64, y: f64, w: f64, h: f64, title: &str) {
        self.rect(x, y, w, h, "hidden", title);
    }

    pub fn text(&mut self, x: f64, y: f64, anchor: Anchor, class: &str, text: &str) {
        let _ = write!(
            self.body,
            r#"<text class="{class}" x="{}" y="{}" text-anchor="{}">{}</text>"#,
            num(x),
            num(y),
            anchor.name(),
            escape(text)
        );
    }

    /// A label turned by `degrees` around its anchor point (long column labels).
    pub fn turned_text(&mut self, x: f64, y: f64, degrees: i32, class: &str, text: &str) {
        let _ = write!(
            self.body,
            r#"<text class="{class}" x="{x}" y="{y}" text-anchor="start" transform="rotate({degrees} {x} {y})">{}</text>"#,
            escape(text),
            x = num(x),
            y = num(y),
        );
    }

    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, class: &str) {
        let _ = write!(
            self.body,
            r#"<line class="{class}" x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
            num(x1),
            num(y1),
            num(x2),
            num(y2)
        );
    }

    pub fn circle(&mut self, cx: f64, cy: f64, r: f64, class: &str, title: &str) {
        let _ = write!(
            self.body,
            r#"<circle class="{class}" cx="{}" cy="{}" r="{}">"#,
            num(cx),
            num(cy),
            num(r)
        );
        self.title_and_close(title, "circle");
    }

    fn title_and_close(&mut self, title: &str, tag: &str) {
        if !title.is_empty() {
            let _ = write!(self.body, "<title>{}</title>", escape(title));
        }
        let _ = write!(self.body, "</{tag}>");
    }

    /// The finished element; `id` names it for the page (and the browser test), `label`
    /// describes it to screen readers.
    pub fn finish(self, id: &str, label: &str) -> String {
        format!(
            r#"<svg id="{id}" class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{}">{}</svg>"#,
            escape(label),
            self.body,
            w = num(self.width),
            h = num(self.height),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_rounded_and_text_is_escaped() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.04), "12");
        assert_eq!(num(12.06), "12.1");
        assert_eq!(num(-3.5), "-3.5");
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let mut svg = Svg::new(10.0, 10.0);
        svg.text(1.0, 2.0, Anchor::End, "t", "P<1>");
        let out = svg.finish("c", "a \"chart\"");
        assert!(out.contains("P&lt;1&gt;") && out.contains("a &quot;chart&quot;"));
    }
}
