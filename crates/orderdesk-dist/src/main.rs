//! `orderdesk-dist OUT_DIR`: writes the files the packages install beside the binaries,
//! generated from the command lines' own clap definitions (so they never drift from `--help`):
//!
//! - `man/man1/<name>.1` and one page per subcommand (`orderdesk-draft.1`,
//!   `orderdesk-draft-import.1`, …), for `orderdesk` and `orderdesk-server`;
//! - `completions/bash/<name>`, `completions/zsh/_<name>`, `completions/fish/<name>.fish`.
//!
//! `scripts/package.sh` runs it and maps the files to `/usr/share/man/man1`,
//! `/usr/share/bash-completion/completions`, `/usr/share/zsh/vendor-completions` and
//! `/usr/share/fish/vendor_completions.d` (`bundle.linux` in `tauri.conf.json`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap_complete::Shell;

/// The deepest subcommand nesting given its own man page (`orderdesk draft item add` is 3).
const MAX_DEPTH: usize = 4;

/// The command lines that ship, by their binaries' names.
fn commands() -> Vec<clap::Command> {
    vec![orderdesk_cli::command(), orderdesk_server::cli::command()]
}

/// Man pages for `command` and its visible subcommands, named `<parent>-<sub>.1`.
fn write_man_pages(
    command: &clap::Command,
    dir: &Path,
    depth: usize,
) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let path = dir.join(format!("{}.1", command.get_name()));
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page)?;
    std::fs::write(&path, page)?;
    written.push(path);
    if depth >= MAX_DEPTH {
        return Ok(written);
    }
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        // The page of `orderdesk draft` is `orderdesk-draft`: its name carries its parents.
        let named = sub.clone().name(format!("{}-{}", command.get_name(), sub.get_name()));
        written.extend(write_man_pages(&named, dir, depth + 1)?);
    }
    Ok(written)
}

/// Completion scripts for `command` in bash, zsh and fish.
fn write_completions(command: &mut clap::Command, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let name = command.get_name().to_owned();
    let mut written = Vec::new();
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let shell_dir = dir.join(shell.to_string());
        std::fs::create_dir_all(&shell_dir)?;
        let path = clap_complete::generate_to(shell, command, &name, &shell_dir)?;
        // bash-completion looks a command's script up by the command's bare name.
        let path = if shell == Shell::Bash {
            let bare = shell_dir.join(&name);
            std::fs::rename(&path, &bare)?;
            bare
        } else {
            path
        };
        written.push(path);
    }
    Ok(written)
}

/// Every file for every shipped command line, under `out`.
pub fn generate(out: &Path) -> std::io::Result<Vec<PathBuf>> {
    let man = out.join("man").join("man1");
    let completions = out.join("completions");
    std::fs::create_dir_all(&man)?;
    let mut written = Vec::new();
    for mut command in commands() {
        // Subcommand pages and completions see the global flags and the version.
        command.build();
        written.extend(write_man_pages(&command, &man, 0)?);
        written.extend(write_completions(&mut command, &completions)?);
    }
    Ok(written)
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(out), None) = (args.next(), args.next()) else {
        eprintln!(
            "usage: orderdesk-dist OUT_DIR  (man pages and shell completions for the packages)"
        );
        return ExitCode::from(2);
    };
    match generate(Path::new(&out)) {
        Ok(files) => {
            println!("orderdesk-dist: {} files in {}", files.len(), Path::new(&out).display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("orderdesk-dist: cannot write to {}: {error}", Path::new(&out).display());
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::generate;

    #[test]
    fn man_pages_and_completions_cover_both_command_lines() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        generate(dir.path())?;
        let read = |rel: &str| std::fs::read_to_string(dir.path().join(rel));
        let cli = read("man/man1/orderdesk.1")?;
        assert!(cli.contains(".TH orderdesk 1"), "{cli}");
        assert!(cli.contains("draft"), "the page lists the subcommands");
        let sub = read("man/man1/orderdesk-draft.1")?;
        assert!(sub.contains("orderdesk\\-draft"), "{sub}");
        let server = read("man/man1/orderdesk-server.1")?;
        assert!(server.contains("\\-\\-addr"), "{server}");
        assert!(read("completions/bash/orderdesk")?.contains("_orderdesk()"));
        assert!(read("completions/zsh/_orderdesk-server")?.contains("#compdef orderdesk-server"));
        assert!(read("completions/fish/orderdesk.fish")?.contains("complete -c orderdesk"));
        Ok(())
    }
}
