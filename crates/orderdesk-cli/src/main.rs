//! The `orderdesk` binary; the command line lives in the library (`src/lib.rs`).

fn main() -> std::process::ExitCode {
    orderdesk_cli::main()
}
