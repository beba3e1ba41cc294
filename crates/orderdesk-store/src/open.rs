//! Opening a database file: header checks, connection settings, migrations.
//!
//! Order of checks on open, each one refusing without writing anything:
//! 1. the file header (not SQLite → [`StoreError::NotADatabase`]; shorter than its header says and
//!    no WAL to recover from → [`StoreError::Corrupt`]),
//! 2. the application id (another application's database → [`StoreError::ForeignDatabase`]),
//! 3. the schema version (`PRAGMA user_version` above [`SCHEMA_VERSION`] → [`StoreError::TooNew`]).
//!
//! Only then are pending migrations applied, each in its own transaction together with the
//! `user_version` bump, so a crash mid-migration leaves the previous version intact.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{Result, StoreError};

/// `PRAGMA application_id` of an Orderdesk database ("ODSK").
pub const APPLICATION_ID: i32 = 0x4F44_534B;

/// Embedded, numbered migrations. Index `i` takes the schema from version `i` to `i + 1`.
/// Migrations are additive: a released one is never edited, a change is a new entry.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_tables.sql"),
    include_str!("migrations/0003_amendments_audit.sql"),
    include_str!("migrations/0004_customers.sql"),
    include_str!("migrations/0005_profile_policy.sql"),
    include_str!("migrations/0006_catalog_browse.sql"),
    include_str!("migrations/0007_orders_list.sql"),
    include_str!("migrations/0008_favourites.sql"),
    include_str!("migrations/0009_catalog_rows.sql"),
    include_str!("migrations/0010_order_list_docs.sql"),
];

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// How long a connection waits for another writer before giving up with [`StoreError::Busy`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Each connection's page cache, in KiB (SQLite's default is 2 MiB). A 100,000-offering
/// catalog's search index and records are hundreds of MiB: with the default, the picker's
/// every keystroke re-reads the same index pages from the operating system. The cache fills
/// only with pages actually read, so a short-lived command stays small.
const PAGE_CACHE_KIB: i64 = 32 * 1024;

/// How to open a database.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Open without the right to write (no migration, no WAL switch). Uses SQLite's
    /// `SQLITE_OPEN_READ_ONLY`, which holds even for root, unlike directory permissions.
    pub read_only: bool,
    /// Cap the database at this many pages (`PRAGMA max_page_count`): writes beyond it fail
    /// with [`StoreError::DiskFull`] exactly like a full disk would.
    pub max_page_count: Option<u32>,
}

/// Which role a connection plays: the single writer, or one of the readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Writer,
    Reader,
}

/// Open (creating if needed) and migrate the database at `path`.
pub(crate) fn open_connection(
    path: &Path,
    options: &OpenOptions,
    role: Role,
) -> Result<Connection> {
    check_file_header(path)?;
    let writable = role == Role::Writer && !options.read_only;
    let mut flags = OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    if writable {
        flags |= OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
    } else if options.read_only {
        flags |= OpenFlags::SQLITE_OPEN_READ_ONLY;
    } else {
        // Readers of a live store open read-write so they can join the WAL index (-shm), but
        // `query_only` below makes every write attempt fail.
        flags |= OpenFlags::SQLITE_OPEN_READ_WRITE;
    }
    if writable {
        // Orders carry customers' names and numbers: the file is the user's alone. SQLite
        // gives its -wal and -shm files the permissions of the database file.
        create_private(path)?;
    }
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(on_open(path))?;
    // Before the migrations: the orders list's view and triggers call them.
    crate::functions::register(&conn).map_err(on_open(path))?;
    conn.pragma_update(None, "foreign_keys", true).map_err(on_open(path))?;
    // Negative: a size in KiB rather than in pages.
    conn.pragma_update(None, "cache_size", -PAGE_CACHE_KIB).map_err(on_open(path))?;
    if let Some(pages) = options.max_page_count {
        conn.pragma_update(None, "max_page_count", pages).map_err(on_open(path))?;
    }
    check_identity(&conn, path)?;
    if writable {
        // WAL: readers never block the writer and the writer never blocks readers.
        // synchronous=FULL: in WAL mode this fsyncs the WAL at every commit, so a transaction
        // that has returned survives power loss, not just a crash of the process (NORMAL
        // would only guarantee the latter). A draft save is a handful of pages, so the cost
        // is one fsync per user action.
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(on_open(path))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Invalid(format!(
                "{} cannot use write-ahead logging (journal mode stayed {mode})",
                path.display()
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL").map_err(on_open(path))?;
        migrate(&conn, path)?;
    } else {
        conn.pragma_update(None, "query_only", true).map_err(on_open(path))?;
        let found = user_version(&conn, path)?;
        if found < SCHEMA_VERSION {
            return Err(StoreError::NeedsUpgrade {
                path: path.to_path_buf(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
    }
    Ok(conn)
}

/// Creates `path` readable and writable by its owner only when it does not exist yet, and
/// takes away what other users may do with one that does (an older Orderdesk created it
/// with the process's umask). On other platforms the file's ACLs decide.
pub(crate) fn create_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let io = |action: &'static str| {
            move |source: std::io::Error| StoreError::Io {
                action,
                path: path.to_path_buf(),
                source,
            }
        };
        match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let meta = std::fs::metadata(path).map_err(io("cannot read the permissions of"))?;
                if meta.permissions().mode() & 0o077 != 0 {
                    let mode = meta.permissions().mode() & 0o700;
                    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
                        .map_err(io("cannot make private"))?;
                }
            }
            // Let SQLite report what is wrong with the place (a missing directory, a
            // read-only file system): its message is the one users know.
            Err(_) => {}
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates a data directory (and its missing parents) that only its owner may enter, as the
/// database in it is private; an existing directory is left as the user set it up.
pub fn create_private_dir(path: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path).map_err(|source| StoreError::Io {
        action: "cannot create the data directory",
        path: path.to_path_buf(),
        source,
    })
}

/// Map an error during opening: corruption and "not a database" keep their meaning, anything
/// else is reported as a failure to open this path.
fn on_open(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |err| match StoreError::from(err) {
        StoreError::Sqlite(source) => StoreError::Open { path: path.to_path_buf(), source },
        StoreError::Corrupt { detail } => {
            StoreError::Corrupt { detail: format!("{}: {detail}", path.display()) }
        }
        other => other,
    }
}

fn user_version(conn: &Connection, path: &Path) -> Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(on_open(path))
}

/// Refuse a database that belongs to another application.
fn check_identity(conn: &Connection, path: &Path) -> Result<()> {
    let app_id: i32 =
        conn.pragma_query_value(None, "application_id", |row| row.get(0)).map_err(on_open(path))?;
    if app_id == APPLICATION_ID {
        return Ok(());
    }
    if app_id != 0 {
        return Err(StoreError::ForeignDatabase { path: path.to_path_buf(), found: app_id });
    }
    // Application id 0: either a brand-new file or an SQLite file made by something else.
    let objects: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
        .map_err(on_open(path))?;
    if objects > 0 {
        return Err(StoreError::ForeignDatabase { path: path.to_path_buf(), found: 0 });
    }
    Ok(())
}

/// Apply every migration above the file's `user_version`, each in its own transaction.
fn migrate(conn: &Connection, path: &Path) -> Result<()> {
    let found = user_version(conn, path)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found < 0 {
        return Err(StoreError::Corrupt {
            detail: format!("{}: negative schema version {found}", path.display()),
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let target = i64::try_from(index).unwrap_or(i64::MAX).saturating_add(1);
        // `Connection::transaction` needs `&mut`; an unchecked transaction is the same
        // BEGIN/COMMIT on a shared reference and rolls back on drop.
        let tx = conn.unchecked_transaction().map_err(on_open(path))?;
        tx.execute_batch(sql).map_err(on_open(path))?;
        tx.pragma_update(None, "application_id", APPLICATION_ID).map_err(on_open(path))?;
        tx.pragma_update(None, "user_version", target).map_err(on_open(path))?;
        tx.commit().map_err(on_open(path))?;
    }
    Ok(())
}

/// Begin an IMMEDIATE transaction: the write lock is taken up front, so a transaction never
/// fails half-way because a reader upgraded first.
pub(crate) fn write_tx(conn: &mut Connection) -> Result<rusqlite::Transaction<'_>> {
    Ok(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

/// Cheap structural checks on the file before SQLite sees it.
fn check_file_header(path: &Path) -> Result<()> {
    let mut file = match fs::File::open(path) {
        Ok(file) => file,
        // Missing or unreadable: SQLite's own open reports it with the right error.
        Err(_) => return Ok(()),
    };
    let len = match file.metadata() {
        Ok(meta) if meta.is_file() => meta.len(),
        _ => return Ok(()),
    };
    if len == 0 {
        return Ok(()); // an empty file is a database SQLite has not written yet
    }
    let mut start = Vec::with_capacity(100);
    if let Err(source) = (&mut file).take(100).read_to_end(&mut start) {
        return Err(StoreError::Io { action: "cannot read", path: path.to_path_buf(), source });
    }
    const MAGIC: &[u8; 16] = b"SQLite format 3\0";
    if !start.starts_with(MAGIC) {
        return Err(StoreError::NotADatabase { path: path.to_path_buf() });
    }
    let Ok(header) = <[u8; 100]>::try_from(start) else {
        return Err(StoreError::Corrupt {
            detail: format!(
                "{}: the file is truncated inside its 100-byte header ({len} bytes)",
                path.display()
            ),
        });
    };
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536u64,
        n => u64::from(n),
    };
    let pages = u64::from(u32::from_be_bytes([header[28], header[29], header[30], header[31]]));
    let change_counter = &header[24..28];
    let valid_for = &header[92..96];
    // The in-header size is only authoritative when "version-valid-for" matches the change
    // counter; and while a non-empty WAL exists, recovery may legitimately extend the file.
    let wal_pending =
        fs::metadata(sibling(path, "-wal")).map(|meta| meta.len() > 0).unwrap_or(false);
    if change_counter == valid_for && !wal_pending && pages.saturating_mul(page_size) > len {
        return Err(StoreError::Corrupt {
            detail: format!(
                "{}: the file is truncated ({len} bytes, its header says {} bytes)",
                path.display(),
                pages.saturating_mul(page_size)
            ),
        });
    }
    Ok(())
}

/// `path` with `suffix` appended to its file name (`orders.db` → `orders.db-wal`).
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Move a damaged database (and its `-wal`/`-shm` files) aside so a fresh one can be created.
///
/// Call this only after the user agreed: the store itself never replaces a file it could not
/// read. Returns the new path of the main file (`<path>.corrupt-<UTC timestamp>`).
pub fn move_aside(path: &Path) -> Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let target = sibling(path, &format!(".corrupt-{stamp}"));
    fs::rename(path, &target).map_err(|source| StoreError::Io {
        action: "cannot move aside",
        path: path.to_path_buf(),
        source,
    })?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let from = sibling(path, suffix);
        if from.exists() {
            let to = sibling(&target, suffix);
            fs::rename(&from, &to).map_err(|source| StoreError::Io {
                action: "cannot move aside",
                path: from.clone(),
                source,
            })?;
        }
    }
    Ok(target)
}
