//! Printing results: human text by default, JSON with `--json`, and the error contract.

use std::io::Write;
use std::process::ExitCode;

use orderdesk_error::text::printable;
use orderdesk_error::{ErrorBody, ErrorCode};
use serde::Serialize;

use crate::error::CliError;
use crate::Ctx;

/// Prints a JSON value pretty-printed on stdout.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::Output(e.to_string()))?;
    // Names and notes come from files and servers: no control reaches the terminal raw.
    print_text(&orderdesk_error::text::json_for_terminal(&text))
}

/// Prints text and a newline on stdout, made [`printable`]: what the CLI prints often quotes a
/// server (states, names, reasons, errors), and a terminal must see only text.
pub fn print_text(text: &str) -> Result<(), CliError> {
    let text = printable(text);
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // The reader went away (`| head`): nothing left to tell anyone.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Output(e.to_string())),
    }
}

/// A warning line on stderr (the result on stdout stays clean for pipes), made [`printable`].
pub fn warn(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{}", printable(text));
}

/// Reports a failure: an `ErrorBody` on stdout in `--json` mode, `error[code]: message` on
/// stderr otherwise. Always exit status 2.
pub fn fail(ctx: &Ctx, err: &CliError) -> ExitCode {
    let body = ErrorBody::from_error(err);
    if ctx.json {
        if let Ok(text) = serde_json::to_string_pretty(&body) {
            let _ = writeln!(std::io::stdout().lock(), "{text}");
        }
    } else {
        let _ = writeln!(std::io::stderr().lock(), "error[{}]: {}", err.code(), body.message);
    }
    ExitCode::from(2)
}
