//! The customer summary ([`DraftSummary`]) as an A4 PDF, in English or German (the agent's
//! locale setting), with Noto Sans embedded (`assets/fonts`, SIL OFL 1.1) so it looks the same
//! everywhere and carries `€` and umlauts.
//!
//! The PDF writes what the view holds: amounts are the view's decimal strings (the price
//! panel's), only written the locale's way (`€228.99`, `228,99 €`); nothing is computed here.

use printpdf::{
    Color, IndirectFontRef, Line, Mm, PdfDocument, PdfDocumentReference, PdfLayerReference, Point,
    Rgb,
};

use crate::error::{Result, ServiceError};
use crate::view::{AmountsView, ChargeRun, CurrencyView, DraftSummary};

const REGULAR: &[u8] = include_bytes!("../../../assets/fonts/NotoSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../../../assets/fonts/NotoSans-Bold.ttf");

const PAGE_WIDTH: f32 = 210.0;
const PAGE_HEIGHT: f32 = 297.0;
const LEFT: f32 = 20.0;
const RIGHT: f32 = 190.0;
const TOP: f32 = 277.0;
const BOTTOM: f32 = 20.0;
/// Millimetres per typographic point.
const MM_PER_PT: f32 = 0.352_778;
/// How far each bundle level is indented.
const INDENT: f32 = 5.0;

/// The words of the summary in one language.
struct Words {
    title: &'static str,
    draft: &'static str,
    revision: &'static str,
    made: &'static str,
    reference: &'static str,
    no_reference: &'static str,
    customer: &'static str,
    billing_account: &'static str,
    requested_start: &'static str,
    requested_completion: &'static str,
    items: &'static str,
    quantity: &'static str,
    changes: &'static str,
    nothing: &'static str,
    discounts: &'static str,
    reason: &'static str,
    catalog_offer: &'static str,
    whole_term: &'static str,
    off: &'static str,
    for_periods: &'static str,
    periods: &'static str,
    one_time: &'static str,
    none: &'static str,
    schedule: &'static str,
    total: &'static str,
    tax_note: &'static str,
    has_errors: &'static str,
    notes: &'static str,
    actions: [(&'static str, &'static str); 3],
    /// Period units: the TMF name, the schedule's label, one and several in a sentence.
    period_units: [(&'static str, &'static str, &'static str, &'static str); 4],
}

const EN: Words = Words {
    title: "Order summary",
    draft: "Draft",
    revision: "revision",
    made: "made",
    reference: "Order reference",
    no_reference: "given once the order reaches the server",
    customer: "Customer",
    billing_account: "Billing account",
    requested_start: "Requested start",
    requested_completion: "Requested completion",
    items: "Items",
    quantity: "qty",
    changes: "What changes",
    nothing: "nothing (disconnected)",
    discounts: "Discounts",
    reason: "Reason",
    catalog_offer: "the offer's own discount",
    whole_term: "for the whole term",
    off: "off",
    for_periods: "for",
    periods: "periods",
    one_time: "One-time charges",
    none: "none",
    schedule: "Schedule",
    total: "Total over",
    tax_note: "Amounts include tax.",
    has_errors: "This draft still has errors and cannot be submitted as it is.",
    notes: "Notes",
    actions: [("modify", "change"), ("delete", "disconnect"), ("noChange", "no change")],
    period_units: [
        ("month", "Month", "month", "months"),
        ("year", "Year", "year", "years"),
        ("week", "Week", "week", "weeks"),
        ("day", "Day", "day", "days"),
    ],
};

const DE: Words = Words {
    title: "Auftragsübersicht",
    draft: "Entwurf",
    revision: "Revision",
    made: "erstellt",
    reference: "Auftragsnummer",
    no_reference: "wird vergeben, sobald der Auftrag beim Server ist",
    customer: "Kunde",
    billing_account: "Rechnungskonto",
    requested_start: "Gewünschter Beginn",
    requested_completion: "Gewünschte Fertigstellung",
    items: "Positionen",
    quantity: "Menge",
    changes: "Was sich ändert",
    nothing: "nichts (gekündigt)",
    discounts: "Rabatte",
    reason: "Grund",
    catalog_offer: "Aktionsrabatt des Angebots",
    whole_term: "für die ganze Laufzeit",
    off: "Nachlass",
    for_periods: "für",
    periods: "Perioden",
    one_time: "Einmalige Kosten",
    none: "keine",
    schedule: "Zahlungsplan",
    total: "Summe über",
    tax_note: "Beträge inklusive Steuern.",
    has_errors: "Dieser Entwurf hat noch Fehler und kann so nicht übermittelt werden.",
    notes: "Notizen",
    actions: [("modify", "Änderung"), ("delete", "Kündigung"), ("noChange", "unverändert")],
    period_units: [
        ("month", "Monat", "Monat", "Monate"),
        ("year", "Jahr", "Jahr", "Jahre"),
        ("week", "Woche", "Woche", "Wochen"),
        ("day", "Tag", "Tag", "Tage"),
    ],
};

/// German for a `de` locale, English otherwise (and for the system's, which the backend does
/// not know).
fn words(locale: &str) -> (&'static Words, bool) {
    let german = locale.split(['-', '_']).next().is_some_and(|l| l.eq_ignore_ascii_case("de"));
    if german {
        (&DE, true)
    } else {
        (&EN, false)
    }
}

/// A decimal string the locale's way: digits grouped by three, the locale's decimal mark,
/// every fraction digit kept.
fn number(amount: &str, german: bool) -> String {
    let (sign, digits) = match amount.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", amount),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let (group, mark) = if german { ('.', ',') } else { (',', '.') };
    let mut grouped = String::with_capacity(int.len().saturating_add(int.len() / 3));
    for (i, c) in int.chars().enumerate() {
        if i > 0 && int.len().saturating_sub(i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}{mark}{frac}")
    }
}

/// An amount with its currency: `€228.99` in English, `228,99 €` in German.
fn money(amount: &str, currency: &str, german: bool) -> String {
    let n = number(amount, german);
    let symbol = match currency {
        "EUR" => Some("€"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        _ => None,
    };
    match (symbol, german) {
        (Some(s), false) => match n.strip_prefix('-') {
            Some(rest) => format!("-{s}{rest}"),
            None => format!("{s}{n}"),
        },
        (Some(s), true) => format!("{n} {s}"),
        (None, _) if currency.is_empty() => n,
        (None, _) => format!("{n} {currency}"),
    }
}

/// A day of an RFC 3339 instant (`2026-11-23`, `23.11.2026`); other text as it is.
fn day(text: &str, german: bool) -> String {
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(t) if german => t.format("%d.%m.%Y").to_string(),
        Ok(t) => t.format("%Y-%m-%d").to_string(),
        Err(_) => text.to_owned(),
    }
}

fn period_word(w: &Words, period: &str) -> String {
    w.period_units
        .iter()
        .find(|(unit, ..)| period.eq_ignore_ascii_case(unit))
        .map_or_else(|| period.to_owned(), |(_, word, ..)| (*word).to_owned())
}

/// `12 months`, `1 month`; a unit the summary has no words for reads as periods.
fn periods_in_words(w: &Words, period: &str, n: u32) -> String {
    let unit = w.period_units.iter().find(|(unit, ..)| period.eq_ignore_ascii_case(unit));
    let word = match unit {
        Some((_, _, one, _)) if n == 1 => *one,
        Some((_, _, _, many)) => *many,
        None => w.periods,
    };
    format!("{n} {word}")
}

/// Advance widths of the embedded font, to right-align amounts.
struct Metrics<'a> {
    face: ttf_parser::Face<'a>,
}

impl Metrics<'_> {
    fn width(&self, text: &str, size: f32) -> f32 {
        let per_em = f32::from(self.face.units_per_em().max(1));
        let units: f32 = text
            .chars()
            .map(|c| {
                self.face
                    .glyph_index(c)
                    .and_then(|g| self.face.glyph_hor_advance(g))
                    .map_or(0.0, f32::from)
            })
            .sum();
        units / per_em * size * MM_PER_PT
    }
}

/// Writes lines down the page, starting a new page when one is full.
struct Writer<'a> {
    doc: PdfDocumentReference,
    layer: PdfLayerReference,
    regular: IndirectFontRef,
    bold: IndirectFontRef,
    metrics: Metrics<'a>,
    bold_metrics: Metrics<'a>,
    y: f32,
}

impl Writer<'_> {
    fn ensure(&mut self, height: f32) {
        if self.y - height < BOTTOM {
            let (page, layer) = self.doc.add_page(Mm(PAGE_WIDTH), Mm(PAGE_HEIGHT), "summary");
            self.layer = self.doc.get_page(page).get_layer(layer);
            self.y = TOP;
        }
    }

    fn font(&self, bold: bool) -> &IndirectFontRef {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }

    /// Breaks `text` into lines that fit `width` at `size`, at spaces.
    fn wrap(&self, text: &str, size: f32, width: f32, bold: bool) -> Vec<String> {
        let metrics = if bold { &self.bold_metrics } else { &self.metrics };
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate =
                if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if metrics.width(&candidate, size) > width && !line.is_empty() {
                lines.push(std::mem::replace(&mut line, word.to_owned()));
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// A line of text at `x`, with an optional amount right-aligned at the right margin.
    fn row(&mut self, x: f32, text: &str, amount: Option<&str>, size: f32, bold: bool) {
        let height = size * MM_PER_PT * 1.45;
        let amount_width = amount.map_or(0.0, |a| {
            let m = if bold { &self.bold_metrics } else { &self.metrics };
            m.width(a, size) + 4.0
        });
        let lines = self.wrap(text, size, (RIGHT - x - amount_width).max(20.0), bold);
        for (i, line) in lines.iter().enumerate() {
            self.ensure(height);
            self.y -= height;
            let font = self.font(bold).clone();
            self.layer.use_text(line.as_str(), size, Mm(x), Mm(self.y), &font);
            if let (0, Some(a)) = (i, amount) {
                let m = if bold { &self.bold_metrics } else { &self.metrics };
                let w = m.width(a, size);
                self.layer.use_text(a, size, Mm(RIGHT - w), Mm(self.y), &font);
            }
        }
    }

    fn heading(&mut self, text: &str) {
        self.ensure(14.0);
        self.y -= 4.0;
        self.row(LEFT, text, None, 12.0, true);
        self.rule(0.3);
    }

    fn rule(&mut self, thickness: f32) {
        self.y -= 1.2;
        self.layer.set_outline_color(Color::Rgb(Rgb::new(0.6, 0.6, 0.6, None)));
        self.layer.set_outline_thickness(thickness);
        self.layer.add_line(Line {
            points: vec![
                (Point::new(Mm(LEFT), Mm(self.y)), false),
                (Point::new(Mm(RIGHT), Mm(self.y)), false),
            ],
            is_closed: false,
        });
        self.y -= 1.0;
    }

    fn gap(&mut self, mm: f32) {
        self.y -= mm;
    }
}

/// The amount of a run: the tax-included figure, as the price panel's total is.
fn amount_of(a: &AmountsView) -> &str {
    &a.tax_included
}

fn runs_text(
    w: &Words,
    runs: &[ChargeRun],
    period: Option<&str>,
    currency: &str,
    de: bool,
) -> String {
    let unit = period.map(|p| period_word(w, p));
    runs.iter()
        .map(|r| {
            let amount = money(amount_of(&r.amounts), currency, de);
            match (&unit, r.to) {
                (None, _) => amount,
                (Some(u), Some(to)) if to == r.from => format!("{amount} ({u} {})", r.from),
                (Some(u), Some(to)) => format!("{amount} ({u} {}–{to})", r.from),
                (Some(u), None) if r.from <= 1 => format!("{amount} / {u}"),
                (Some(u), None) => format!("{amount} ({u} {}+)", r.from),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn currency_block(out: &mut Writer<'_>, w: &Words, c: &CurrencyView, de: bool) {
    let unit = period_word(w, &c.schedule_period);
    out.heading(&format!("{} ({})", w.schedule, c.currency));
    for (i, s) in c.schedule.iter().enumerate() {
        let label = format!("{unit} {}", i.saturating_add(1));
        out.row(LEFT, &label, Some(&money(amount_of(s), &c.currency, de)), 10.0, false);
    }
    out.rule(0.6);
    let total = format!("{} {}", w.total, periods_in_words(w, &c.schedule_period, c.total_periods));
    out.row(LEFT, &total, Some(&money(amount_of(&c.total), &c.currency, de)), 11.5, true);
}

/// The summary as PDF bytes.
pub(crate) fn render(summary: &DraftSummary, locale: &str) -> Result<Vec<u8>> {
    let fail = |e: &dyn std::fmt::Display| ServiceError::Pdf(e.to_string());
    let (w, de) = words(locale);
    let title = match summary.shop_name.as_str() {
        "" => w.title.to_owned(),
        shop => format!("{shop} — {}", w.title),
    };
    let (doc, page, layer) = PdfDocument::new(&title, Mm(PAGE_WIDTH), Mm(PAGE_HEIGHT), "summary");
    let regular = doc.add_external_font(REGULAR).map_err(|e| fail(&e))?;
    let bold = doc.add_external_font(BOLD).map_err(|e| fail(&e))?;
    let face = |bytes| ttf_parser::Face::parse(bytes, 0).map_err(|e| fail(&e));
    let layer = doc.get_page(page).get_layer(layer);
    let mut out = Writer {
        doc,
        layer,
        regular,
        bold,
        metrics: Metrics { face: face(REGULAR)? },
        bold_metrics: Metrics { face: face(BOLD)? },
        y: TOP,
    };

    if !summary.shop_name.is_empty() {
        out.row(LEFT, &summary.shop_name, None, 18.0, true);
    }
    out.row(LEFT, w.title, None, 14.0, !summary.shop_name.is_empty());
    out.gap(1.0);
    let made = day(&summary.made_at, de);
    out.row(
        LEFT,
        &format!(
            "{} {} · {} {} · {} {made}",
            w.draft, summary.draft_id, w.revision, summary.revision, w.made
        ),
        None,
        9.0,
        false,
    );
    let reference = summary.reference.as_ref().map_or_else(
        || w.no_reference.to_owned(),
        |r| format!("{} ({})", r.server_id, r.state_text),
    );
    out.row(LEFT, &format!("{}: {reference}", w.reference), None, 10.0, true);
    if summary.has_errors {
        out.row(LEFT, w.has_errors, None, 10.0, true);
    }

    out.heading(w.customer);
    if let Some(c) = &summary.customer {
        let name = if c.name.is_empty() { c.id.clone() } else { format!("{} ({})", c.name, c.id) };
        out.row(LEFT, &name, None, 10.5, false);
    }
    if let Some(b) = &summary.billing_account {
        out.row(LEFT, &format!("{}: {}", w.billing_account, b.id), None, 10.0, false);
    }
    if let Some(s) = &summary.requested_start {
        out.row(LEFT, &format!("{}: {}", w.requested_start, day(s, de)), None, 10.0, false);
    }
    if let Some(s) = &summary.requested_completion {
        out.row(LEFT, &format!("{}: {}", w.requested_completion, day(s, de)), None, 10.0, false);
    }

    out.heading(w.items);
    for item in &summary.items {
        let x = LEFT + INDENT * item.depth.min(8) as f32;
        let action = w.actions.iter().find(|(a, _)| *a == item.action).map(|(_, t)| *t);
        let mut head = format!("{} — {} {}", item.name, w.quantity, item.quantity);
        if let Some(a) = action {
            head.push_str(&format!(" ({a})"));
        }
        out.gap(0.8);
        out.row(x, &head, None, 10.5, true);
        for c in &item.characteristics {
            out.row(x + 3.0, &format!("{}: {}", c.label, c.value), None, 9.0, false);
        }
        for charge in &item.charges {
            let text = runs_text(w, &charge.runs, charge.period.as_deref(), &charge.currency, de);
            out.row(x + 3.0, &format!("{}: {text}", charge.price), None, 9.0, false);
        }
    }

    if !summary.changes.is_empty() {
        out.heading(w.changes);
        for c in &summary.changes {
            let will = c.will_be.clone().unwrap_or_else(|| w.nothing.to_owned());
            out.row(LEFT, &format!("{} → {will}", c.was), None, 10.0, false);
            for ch in &c.characteristics {
                out.row(
                    LEFT + 3.0,
                    &format!("{}: {} → {}", ch.label, ch.was, ch.will_be),
                    None,
                    9.0,
                    false,
                );
            }
        }
    }

    if !summary.discounts.is_empty() {
        out.heading(w.discounts);
        for d in &summary.discounts {
            let a = &d.alteration;
            let value = if a.kind == "percentage" {
                format!("{}%", number(&a.value, de))
            } else {
                number(&a.value, de)
            };
            let term = a.duration.map_or_else(
                || w.whole_term.to_owned(),
                |n| format!("{} {n} {}", w.for_periods, w.periods),
            );
            let line = format!("{}: {}, {value} {}, {term}", d.item_name, a.name, w.off);
            out.row(LEFT, &line, None, 10.0, false);
            let reason = match (&a.reason, d.source.as_str()) {
                (Some(reason), _) => Some(reason.as_str()),
                (None, "catalog") => Some(w.catalog_offer),
                (None, _) => None,
            };
            if let Some(reason) = reason {
                out.row(LEFT + 3.0, &format!("{}: {reason}", w.reason), None, 9.0, false);
            }
        }
    }

    out.heading(w.one_time);
    if summary.one_time.is_empty() {
        out.row(LEFT, w.none, None, 10.0, false);
    }
    for c in &summary.one_time {
        let amount = c.runs.first().map(|r| money(amount_of(&r.amounts), &c.currency, de));
        out.row(LEFT, &format!("{}: {}", c.item_name, c.price), amount.as_deref(), 10.0, false);
    }
    for c in summary.currencies.iter().filter(|c| c.one_time.tax_included != "0") {
        out.row(
            LEFT,
            w.one_time,
            Some(&money(amount_of(&c.one_time), &c.currency, de)),
            10.0,
            true,
        );
    }

    for c in &summary.currencies {
        currency_block(&mut out, w, c, de);
    }
    out.gap(2.0);
    out.row(LEFT, w.tax_note, None, 8.5, false);

    if !summary.notes.is_empty() {
        out.heading(w.notes);
        for n in &summary.notes {
            out.row(LEFT, n, None, 9.5, false);
        }
    }

    out.doc.save_to_bytes().map_err(|e| fail(&e))
}

#[cfg(test)]
mod tests {
    use super::{money, number};

    #[test]
    fn amounts_are_written_the_locale_way() {
        assert_eq!(money("228.99", "EUR", false), "€228.99");
        assert_eq!(money("228.99", "EUR", true), "228,99 €");
        assert_eq!(money("1234567.5", "CHF", false), "1,234,567.5 CHF");
        assert_eq!(money("1234567.50", "USD", true), "1.234.567,50 $");
        assert_eq!(money("-5.00", "EUR", false), "-€5.00");
        assert_eq!(number("100", false), "100");
        assert_eq!(number("1000", true), "1.000");
    }
}
