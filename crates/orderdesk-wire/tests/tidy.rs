//! Version differences live in `orderdesk-wire`: no other crate's code names a member only one
//! TMF622 version has ([`orderdesk_wire::VERSION_SPECIFIC_NAMES`]) or branches on a
//! [`orderdesk_wire::Version`] (`Version::V4 =>`, `== Version::V5`, `matches!(v,
//! Version::V4)`, ...). They call the wire crate's vocabulary instead.
//!
//! Every `src/` of the workspace but this crate's is read as Rust tokens (so comments do not
//! count, and string literals are seen whole). Test code is exempt: items under `#[cfg(test)]`
//! or `#[test]`, and the `tests/` and `benches/` directories, which are not read. Doc
//! comments are exempt too: they may explain what a member means.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// Files another change is rewriting; each is still read, and the test fails once one is
/// clean, so that its entry is removed with the rewrite.
const PENDING: &[&str] = &[];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `src/` directories the rule applies to: every crate's but this one's, and the desktop
/// shell's.
fn source_roots(root: &Path) -> Vec<PathBuf> {
    let mut roots = vec![root.join("src-tauri/src")];
    let crates = std::fs::read_dir(root.join("crates")).expect("the workspace's crates directory");
    for entry in crates.flatten() {
        let path = entry.path();
        if path.file_name().is_some_and(|n| n != "orderdesk-wire") && path.join("src").is_dir() {
            roots.push(path.join("src"));
        }
    }
    roots.sort();
    roots
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("a source directory").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// One offending place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Offence {
    line: usize,
    what: String,
}

/// What a scan of one file found, and the modules it declares as test-only (`#[cfg(test)]
/// mod name;`), whose files are exempt.
#[derive(Default)]
struct Scan {
    offences: BTreeSet<Offence>,
    test_modules: Vec<String>,
}

fn is_punct(t: Option<&TokenTree>, c: char) -> bool {
    matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

fn is_ident(t: Option<&TokenTree>, name: &str) -> bool {
    matches!(t, Some(TokenTree::Ident(i)) if i == name)
}

/// `#[...]` or `#![...]` starting at `i`: the attribute's bracket group and the index after it.
fn attribute_at(tokens: &[TokenTree], i: usize) -> Option<(TokenStream, usize)> {
    if !is_punct(tokens.get(i), '#') {
        return None;
    }
    let at = if is_punct(tokens.get(i + 1), '!') { i + 2 } else { i + 1 };
    match tokens.get(at) {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket => {
            Some((g.stream(), at + 1))
        }
        _ => None,
    }
}

fn attribute_is(attr: &TokenStream, name: &str) -> bool {
    attr.clone().into_iter().next().is_some_and(|t| is_ident(Some(&t), name))
}

/// `cfg(test)` or `test`: the item that follows is test code.
fn is_test_attribute(attr: &TokenStream) -> bool {
    let text: String = attr.to_string().split_whitespace().collect();
    text == "cfg(test)" || text == "test" || text.ends_with("::test")
}

/// The index after the item starting at `i`: past its first brace group, or its `;`.
fn skip_item(tokens: &[TokenTree], mut i: usize, scan: &mut Scan) -> usize {
    // `mod name;` declares a test-only module in a file of its own.
    if is_ident(tokens.get(i), "mod") && is_punct(tokens.get(i + 2), ';') {
        if let Some(TokenTree::Ident(name)) = tokens.get(i + 1) {
            scan.test_modules.push(name.to_string());
        }
    }
    while let Some(t) = tokens.get(i) {
        i += 1;
        match t {
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => break,
            TokenTree::Punct(p) if p.as_char() == ';' => break,
            _ => {}
        }
    }
    i
}

/// `==` or `!=` ending at `end` (inclusive).
fn comparison_ends_at(tokens: &[TokenTree], end: usize) -> bool {
    end >= 1
        && is_punct(tokens.get(end), '=')
        && matches!(tokens.get(end - 1), Some(TokenTree::Punct(p))
            if (p.as_char() == '=' || p.as_char() == '!') && p.spacing() == Spacing::Joint)
}

/// `==`, `!=`, `=>`, `|` or `if` starting at `i`: the path before it is compared or matched.
fn branch_follows(tokens: &[TokenTree], i: usize) -> bool {
    match tokens.get(i) {
        Some(TokenTree::Punct(p)) => match p.as_char() {
            '=' | '!' if p.spacing() == Spacing::Joint => {
                is_punct(tokens.get(i + 1), '=') || is_punct(tokens.get(i + 1), '>')
            }
            '|' => !is_punct(tokens.get(i + 1), '|'),
            _ => false,
        },
        Some(TokenTree::Ident(id)) => id == "if",
        _ => false,
    }
}

/// A single `=` at `i` (an assignment or a `let` pattern's, not `==` or `=>`).
fn single_eq(tokens: &[TokenTree], i: usize) -> bool {
    matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == '=' && p.spacing() == Spacing::Alone)
}

/// A `let` shortly before `i` (past a path such as `Some` or `orderdesk_wire::Version`).
fn let_before(tokens: &[TokenTree], i: usize) -> bool {
    let mut j = i;
    while j > 0 {
        j -= 1;
        match &tokens[j] {
            TokenTree::Ident(id) if id == "let" => return true,
            TokenTree::Ident(_) => {}
            TokenTree::Punct(p) if p.as_char() == ':' => {}
            _ => return false,
        }
    }
    false
}

/// Where the path ending in the `Version` at `i` starts (`orderdesk_wire::Version` starts at
/// `orderdesk_wire`).
fn path_start(tokens: &[TokenTree], i: usize) -> usize {
    let mut start = i;
    while start >= 3
        && is_punct(tokens.get(start - 1), ':')
        && is_punct(tokens.get(start - 2), ':')
        && matches!(tokens.get(start - 3), Some(TokenTree::Ident(_)))
    {
        start -= 3;
    }
    start
}

/// Scans a token stream. `pattern`: the stream is a pattern (or the arguments of
/// `matches!`), so any version named in it is a branch.
fn scan_stream(stream: TokenStream, pattern: bool, scan: &mut Scan) {
    let tokens: Vec<TokenTree> = stream.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        if let Some((attr, after)) = attribute_at(&tokens, i) {
            if is_test_attribute(&attr) {
                i = skip_item(&tokens, after, scan);
                continue;
            }
            if !attribute_is(&attr, "doc") {
                scan_stream(attr, false, scan);
            }
            i = after;
            continue;
        }
        match &tokens[i] {
            TokenTree::Literal(lit) => check_literal(lit, scan),
            TokenTree::Group(g) => {
                let is_matches = i >= 2
                    && is_ident(tokens.get(i - 2), "matches")
                    && is_punct(tokens.get(i - 1), '!');
                let as_pattern = pattern
                    || is_matches
                    || branch_follows(&tokens, i + 1)
                    || (single_eq(&tokens, i + 1) && let_before(&tokens, i));
                scan_stream(g.stream(), as_pattern, scan);
            }
            TokenTree::Ident(id) if id == "Version" => {
                if let (true, true, Some(TokenTree::Ident(variant))) = (
                    is_punct(tokens.get(i + 1), ':'),
                    is_punct(tokens.get(i + 2), ':'),
                    tokens.get(i + 3),
                ) {
                    if variant == "V4" || variant == "V5" {
                        let start = path_start(&tokens, i);
                        let compared = start >= 1 && comparison_ends_at(&tokens, start - 1);
                        let branch = pattern
                            || compared
                            || branch_follows(&tokens, i + 4)
                            || (single_eq(&tokens, i + 4) && let_before(&tokens, start));
                        if branch {
                            scan.offences.insert(Offence {
                                line: id.span().start().line,
                                what: format!("a branch on Version::{variant}"),
                            });
                        }
                        i += 4;
                        continue;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// A string literal that names a version-specific member as a word of its own (alone, as a
/// JSON member in a text, in a dotted filter or a JSON pointer).
fn check_literal(lit: &proc_macro2::Literal, scan: &mut Scan) {
    let text = lit.to_string();
    let is_string = text.starts_with('"') || text.starts_with("r\"") || text.starts_with("r#");
    if !is_string {
        return;
    }
    let word_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '@';
    for name in orderdesk_wire::VERSION_SPECIFIC_NAMES {
        let found = text.match_indices(name).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + name.len()..].chars().next();
            !before.is_some_and(word_char) && !after.is_some_and(word_char)
        });
        if found {
            scan.offences.insert(Offence {
                line: lit.span().start().line,
                what: format!("the version-specific member name {name:?}"),
            });
        }
    }
}

fn scan_text(text: &str) -> Result<Scan, String> {
    let stream = TokenStream::from_str(text).map_err(|e| format!("not Rust tokens: {e}"))?;
    let mut scan = Scan::default();
    scan_stream(stream, false, &mut scan);
    Ok(scan)
}

/// The file a test-only module `name` declared in `file` lives in.
fn module_files(file: &Path, name: &str) -> [PathBuf; 2] {
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let dir = match stem {
        "lib" | "main" | "mod" => file.parent().map(Path::to_path_buf).unwrap_or_default(),
        _ => file.with_extension(""),
    };
    [dir.join(format!("{name}.rs")), dir.join(name).join("mod.rs")]
}

#[test]
fn version_differences_stay_in_the_wire_crate() {
    let root = workspace_root();
    let mut report = String::new();
    let mut exempt: BTreeSet<PathBuf> = BTreeSet::new();
    let mut scans = Vec::new();
    for dir in source_roots(&root) {
        for file in rust_files(&dir) {
            let text = std::fs::read_to_string(&file).expect("a readable source file");
            let scan = scan_text(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            for name in &scan.test_modules {
                exempt.extend(module_files(&file, name));
            }
            scans.push((file, scan));
        }
    }
    assert!(scans.len() > 50, "only {} source files found under {}", scans.len(), root.display());
    let mut pending_clean = Vec::new();
    for (file, scan) in scans {
        if exempt.contains(&file) {
            continue;
        }
        let relative =
            file.strip_prefix(&root).unwrap_or(&file).to_string_lossy().replace('\\', "/");
        let pending = PENDING.contains(&relative.as_str());
        if pending {
            if scan.offences.is_empty() {
                pending_clean.push(relative);
            }
            continue;
        }
        for o in &scan.offences {
            let _ = writeln!(report, "{relative}:{}: {}", o.line, o.what);
        }
    }
    assert!(
        report.is_empty(),
        "version differences outside orderdesk-wire (use its vocabulary: parties, external_id, \
         convert, create, Version's methods):\n{report}"
    );
    assert!(
        pending_clean.is_empty(),
        "no longer needs an exemption; remove it from PENDING in {}: {pending_clean:?}",
        file!()
    );
}

/// The scanner finds each kind of offence, with its line, and leaves test code, comments and
/// doc comments alone.
#[test]
fn the_scanner_finds_what_it_should() {
    let code = r##"
//! The `partyOrPartyRole` member, explained.
use orderdesk_wire::Version;
/// Reads `creationDate`.
fn a(v: Version) -> &'static str {
    match v {
        Version::V4 => "x",
        _ => "y",
    }
}
fn b(v: Version) -> bool { v == Version::V5 }
fn c(v: Version) -> bool { matches!(v, Version::V4) }
fn d(v: Option<Version>) { if let Some(Version::V5) = v {} }
fn e() -> Version { Version::V4 }
fn f() -> &'static str { r#"{"relatedParty":[{"partyOrPartyRole":{}}]}"# }
fn g() -> &'static str { "relatedParty.partyOrPartyRole.id" }
fn h() -> &'static str { "orderDates and myorderId are other words" }
fn i(v: Version) -> bool { v != orderdesk_wire::Version::V4 }
// "orderDate" in a comment
#[cfg(test)]
mod tests {
    fn t(v: Version) -> bool { v == Version::V4 && "orderDate" == "x" }
}
#[test]
fn u() { let _ = "externalIdentifier"; }
#[cfg(test)]
mod more;
"##;
    let scan = scan_text(code).unwrap_or_default();
    let found: Vec<(usize, String)> = scan.offences.into_iter().map(|o| (o.line, o.what)).collect();
    assert_eq!(
        found,
        [
            (7, "a branch on Version::V4".to_owned()),
            (11, "a branch on Version::V5".to_owned()),
            (12, "a branch on Version::V4".to_owned()),
            (13, "a branch on Version::V5".to_owned()),
            (15, "the version-specific member name \"partyOrPartyRole\"".to_owned()),
            (16, "the version-specific member name \"partyOrPartyRole\"".to_owned()),
            (18, "a branch on Version::V4".to_owned()),
        ]
    );
    assert_eq!(scan.test_modules, ["more"]);
}
