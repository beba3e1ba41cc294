//! What this build is: product, version and the commit it was built from (embedded by
//! `build.rs`), for the About dialog, `--version` and the diagnostics archive.

/// The product's name.
pub const PRODUCT: &str = "Orderdesk";
/// The semantic version of this build.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The commit this build comes from (12 hex digits), or `unknown` outside git.
pub const COMMIT: &str = env!("ORDERDESK_BUILD_COMMIT");

/// The build, as the diagnostics archive reports it.
pub fn build_info() -> orderdesk_service::BuildInfo {
    orderdesk_service::BuildInfo {
        product: PRODUCT.to_owned(),
        version: VERSION.to_owned(),
        commit: COMMIT.to_owned(),
    }
}

/// What `orderdesk-app --version` prints.
pub fn version_line() -> String {
    format!("orderdesk-app {VERSION} (commit {COMMIT})")
}

/// What `orderdesk-app --help` prints.
fn help_text() -> String {
    format!(
        "{}\nOrderdesk, the desktop app for capturing TMF622 product orders.\n\n\
         Usage: orderdesk-app [--data-dir PATH]\n\n\
         Options:\n  --data-dir PATH  Keep drafts, orders and settings in PATH (default: \
         ORDERDESK_DATA_DIR, else the platform's data directory)\n  -h, --help       Print \
         this help\n  -V, --version    Print the version and the commit\n",
        version_line()
    )
}

/// The answer to a command line that asks for text instead of the window (`--version`,
/// `--help`), or `None` to start the app.
pub fn command_line_answer(args: impl IntoIterator<Item = std::ffi::OsString>) -> Option<String> {
    args.into_iter().find_map(|arg| match arg.to_str() {
        Some("--version" | "-V") => Some(version_line()),
        Some("--help" | "-h") => Some(help_text()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(args: &[&str]) -> Option<String> {
        command_line_answer(args.iter().map(std::ffi::OsString::from))
    }

    #[test]
    fn version_and_help_are_answered_without_a_window() {
        let version = answer(&["--version"]).unwrap_or_default();
        assert!(version.starts_with(&format!("orderdesk-app {VERSION} (commit ")), "{version}");
        assert!(!COMMIT.is_empty());
        assert_eq!(answer(&["-V"]), Some(version));
        assert!(answer(&["--help"]).is_some_and(|h| h.contains("--data-dir PATH")));
        assert_eq!(answer(&["--data-dir", "/tmp/x"]), None);
    }
}
