//! `orderdesk draft summary`: the customer summary of the README's one-bundle TMF25 order as
//! JSON and as PDF. The PDF is read back the way a person would: its text (poppler's
//! `pdftotext`) and its first page drawn as a picture (`pdftoppm`), which is kept under
//! `tests/e2e/artifacts/cli/` (or `ORDERDESK_TEST_ARTIFACTS`) and must not be blank.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(relative)
}

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .env_remove("ORDERDESK_DB")
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run orderdesk: {e}"))
}

fn json(db: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run(db, &all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {} {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e})"))
}

fn tool(program: &str, args: &[&std::ffi::OsStr]) -> Output {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run {program} ({e}); scripts/setup.sh installs poppler-utils")
    });
    assert!(out.status.success(), "{program}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

#[test]
fn the_summary_pdf_carries_the_customer_items_schedule_and_total() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("orderdesk.db");
    let catalog = repo("assets/catalog/demo.json").display().to_string();
    let order = repo("assets/orders/tmf25-bundle.v4.json").display().to_string();
    json(&db, &["catalog", "import", &catalog, "--version", "demo-1"]);
    let id = json(&db, &["draft", "import", &order])["id"].as_str().unwrap_or_default().to_owned();
    let price = json(&db, &["draft", "price", &id]);

    // The view: the figures are the price's, the items the order's.
    let view = json(&db, &["draft", "summary", &id]);
    assert_eq!(view["customer"]["name"], "Jean Pontus");
    let currency = &view["currencies"][0];
    assert_eq!(currency["currency"], "EUR");
    assert_eq!(currency["totalPeriods"], 12);
    assert_eq!(currency["total"]["taxIncluded"], "228.99");
    assert_eq!(currency["total"]["taxIncluded"], price["total"]["taxIncluded"]);
    let schedule: Vec<&str> = currency["schedule"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["taxIncluded"].as_str())
        .collect();
    let priced: Vec<&str> = price["schedule"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["taxIncluded"].as_str())
        .collect();
    assert_eq!(schedule, priced);
    assert_eq!(schedule.len(), 12);
    let items: Vec<&str> =
        view["items"].as_array().into_iter().flatten().filter_map(|i| i["name"].as_str()).collect();
    assert_eq!(items.len(), 4, "{items:?}");
    assert!(view["reference"].is_null(), "a draft not sent has no order reference");

    // The PDF, read back as text.
    let pdf = dir.path().join("summary.pdf");
    let out = run(&db, &["draft", "summary", &id, "--pdf", &pdf.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(&pdf).unwrap_or_else(|e| panic!("{e}"));
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let text = tool("pdftotext", &["-layout".as_ref(), pdf.as_os_str(), "-".as_ref()]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Jean Pontus"), "{text}");
    for item in &items {
        assert!(text.contains(item), "{item} is not in the PDF:\n{text}");
    }
    for month in 1..=12 {
        let amount = format!("€{}", schedule[month - 1]);
        let row = text.lines().find(|l| l.trim_start().starts_with(&format!("Month {month} ")));
        assert!(
            row.is_some_and(|r| r.trim_end().ends_with(&amount)),
            "month {month} is not {amount}:\n{text}"
        );
    }
    assert!(
        text.lines()
            .any(|l| l.contains("Total over 12 months") && l.trim_end().ends_with("€228.99")),
        "{text}"
    );

    // Page 1 drawn: ink on a white page.
    let png_base = dir.path().join("page");
    tool(
        "pdftoppm",
        &[
            "-png".as_ref(),
            "-r".as_ref(),
            "60".as_ref(),
            "-f".as_ref(),
            "1".as_ref(),
            "-l".as_ref(),
            "1".as_ref(),
            "-gray".as_ref(),
            pdf.as_os_str(),
            png_base.as_os_str(),
        ],
    );
    let png = std::fs::read_dir(dir.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "png"))
        .unwrap_or_else(|| panic!("pdftoppm wrote no picture"));
    // Without a file name, pdftoppm writes the (grey) picture to stdout as PGM.
    let pgm = tool(
        "pdftoppm",
        &[
            "-r".as_ref(),
            "60".as_ref(),
            "-f".as_ref(),
            "1".as_ref(),
            "-l".as_ref(),
            "1".as_ref(),
            "-gray".as_ref(),
            pdf.as_os_str(),
        ],
    );
    let dark = ink(&pgm.stdout);
    assert!(dark > 0.005, "page 1 is blank ({dark} of its pixels are dark)");
    assert!(dark < 0.5, "page 1 is mostly dark ({dark})");
    let artifacts = std::env::var_os("ORDERDESK_TEST_ARTIFACTS")
        .map_or_else(|| repo("tests/e2e/artifacts/cli"), PathBuf::from);
    std::fs::create_dir_all(&artifacts).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(&png, artifacts.join("summary-page1.png")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(&pdf, artifacts.join("summary.pdf")).unwrap_or_else(|e| panic!("{e}"));

    // In German (the locale setting, as the app's Settings screen saves it), with the shop's
    // name: the same figures, written the German way.
    let set = ["settings", "set", "--locale", "de-de", "--shop-name", "Laden am Markt"];
    let saved = json(&db, &set);
    assert_eq!(saved["locale"], "de-DE", "{saved}");
    assert_eq!(json(&db, &["settings", "show"])["shopName"], "Laden am Markt");
    let german = dir.path().join("zusammenfassung.pdf");
    let out = run(&db, &["draft", "summary", &id, "--pdf", &german.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = tool("pdftotext", &["-layout".as_ref(), german.as_os_str(), "-".as_ref()]);
    let text = String::from_utf8_lossy(&text.stdout);
    for words in
        ["Laden am Markt", "Auftragsübersicht", "Kunde", "Jean Pontus", "Zahlungsplan (EUR)"]
    {
        assert!(text.contains(words), "{words:?} is not in the German PDF:\n{text}");
    }
    for month in 1..=12 {
        let amount = format!("{} €", schedule[month - 1].replace('.', ","));
        let row = text.lines().find(|l| l.trim_start().starts_with(&format!("Monat {month} ")));
        assert!(
            row.is_some_and(|r| r.trim_end().ends_with(&amount)),
            "Monat {month} is not {amount}:\n{text}"
        );
    }
    assert!(
        text.lines()
            .any(|l| l.contains("Summe über 12 Monate") && l.trim_end().ends_with("228,99 €")),
        "{text}"
    );
    // A locale that is not one is refused, and the saved settings stay.
    let bad = run(&db, &["--json", "settings", "set", "--locale", "not a locale!"]);
    assert_eq!(bad.status.code(), Some(2), "{}", String::from_utf8_lossy(&bad.stdout));
    assert_eq!(json(&db, &["settings", "show"])["locale"], "de-DE");
}

/// The share of dark pixels in a binary PGM (`P5`) picture.
fn ink(pgm: &[u8]) -> f64 {
    // Header: "P5", width, height, maxval, each followed by whitespace; then the pixels.
    let mut fields = Vec::new();
    let mut start = None;
    let mut body = pgm.len();
    for (i, b) in pgm.iter().enumerate() {
        if b.is_ascii_whitespace() {
            if let Some(s) = start.take() {
                fields.push(String::from_utf8_lossy(&pgm[s..i]).into_owned());
                if fields.len() == 4 {
                    body = i + 1;
                    break;
                }
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    assert_eq!(fields.first().map(String::as_str), Some("P5"), "not a PGM picture");
    let pixels = &pgm[body.min(pgm.len())..];
    assert!(!pixels.is_empty(), "no pixels");
    let dark = pixels.iter().filter(|&&p| p < 128).count();
    // A page's pixel count: far within what an f64 holds exactly.
    dark as f64 / pixels.len() as f64
}
