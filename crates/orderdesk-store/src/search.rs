//! Full-text search: keeping the FTS5 index in step with the records, and turning whatever
//! the user typed into a query that cannot be misread as FTS5 syntax.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;
use crate::model::SearchKind;

/// Most words taken from one search; more add nothing but cost.
const MAX_TERMS: usize = 16;

/// Turn user text into an FTS5 query, or `None` when it holds no searchable word.
///
/// The text is split into words on anything that is not a letter or digit, so quotes, NULs,
/// parentheses, `*`, `:`, `^`, `-` and `+` never reach FTS5; each word is then quoted (so
/// `AND`, `OR`, `NOT`, `NEAR` are plain words). All words must match; the last one also matches
/// as a prefix, so results appear while the user is still typing it.
pub fn fts_query(input: &str) -> Option<String> {
    let words: Vec<&str> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .take(MAX_TERMS)
        .collect();
    let last = words.len().checked_sub(1)?;
    let terms: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(index, word)| {
            // Words hold only letters and digits, so doubling quotes is belt and braces.
            let quoted = format!("\"{}\"", word.replace('"', "\"\""));
            // A one-letter prefix matches most of the index; only longer prefixes help.
            if index == last && word.chars().count() >= 2 {
                quoted + "*"
            } else {
                quoted
            }
        })
        .collect();
    Some(terms.join(" "))
}

/// Insert or replace the index entry of one record (inside the caller's transaction).
pub(crate) fn index_record(
    conn: &Connection,
    kind: SearchKind,
    id: &str,
    title: &str,
    body: &str,
) -> Result<()> {
    let rowid: i64 = conn
        .prepare_cached(
            "INSERT INTO search_docs (kind, ref) VALUES (?1, ?2)
             ON CONFLICT (kind, ref) DO UPDATE SET kind = excluded.kind
             RETURNING rowid",
        )?
        .query_row(params![kind, id], |row| row.get(0))?;
    conn.prepare_cached("DELETE FROM search_fts WHERE rowid = ?1")?.execute([rowid])?;
    conn.prepare_cached("INSERT INTO search_fts (rowid, title, body) VALUES (?1, ?2, ?3)")?
        .execute(params![rowid, title, body])?;
    link_list_rows(conn, kind, id, Some(rowid))
}

/// Point the orders list's rows at the search entry of one draft or order (`None`: at none).
///
/// The list's view (`order_list_rows`, schema 10) states which entry a row names; its rows
/// are rebuilt when their draft or order changes, which happens before that record's entry
/// is first written (an order's id exists only once it is inserted). So whoever writes or
/// removes an entry sets the link the view would now give: the row's own (`doc`), and for a
/// draft, that of the orders submitted from it (`draft_doc`).
fn link_list_rows(conn: &Connection, kind: SearchKind, id: &str, rowid: Option<i64>) -> Result<()> {
    // The list's kinds are named as the search's are.
    if !matches!(kind, SearchKind::Draft | SearchKind::Order) {
        return Ok(());
    }
    conn.prepare_cached(
        "UPDATE order_list SET doc = ?1 WHERE kind = ?2 AND ref = ?3 AND doc IS NOT ?1",
    )?
    .execute(params![rowid, kind, id])?;
    if matches!(kind, SearchKind::Draft) {
        conn.prepare_cached(
            "UPDATE order_list SET draft_doc = ?1
             WHERE draft_id = ?2 AND kind = 'order' AND draft_doc IS NOT ?1",
        )?
        .execute(params![rowid, id])?;
    }
    Ok(())
}

/// How much text FTS5 may hold in memory before writing an index segment (FTS5's default is
/// 1 MiB), set by a catalog import. A 100,000-offering catalog's search text is about 60 MB:
/// with 1 MiB it becomes some sixty segments that FTS5 then merges again; with 32 MiB, two.
/// FTS5 keeps the setting with the index, so it holds for later transactions too; it bounds
/// the memory one transaction's pending entries take, and only an import has that many: a
/// draft's save stays far below either bound.
const IMPORT_HASH_BYTES: i64 = 32 * 1024 * 1024;

/// Start setting search entries aside for [`index_pending`] (inside the caller's
/// transaction, which rolls the pending table back with everything else).
///
/// Why not [`index_record`] per record: FTS5 writes its pending entries out as a new index
/// segment whenever a statement of the transaction opens a statement savepoint, which SQLite
/// does for any statement that may write several rows and abort. One such statement per
/// record made a 100,000-offering import write hundreds of thousands of one-record segments
/// and merge them again. Indexed in one statement, in rowid order, FTS5 builds its segments
/// from its in-memory hash, whatever the other statements of the import do.
pub(crate) fn begin_pending(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS search_pending (
             kind  TEXT NOT NULL,
             ref   TEXT NOT NULL,
             title TEXT NOT NULL,
             body  TEXT NOT NULL
         );
         DELETE FROM temp.search_pending;",
    )?;
    Ok(())
}

/// Set the search entry of one record aside; of two set aside for one record, the later wins.
pub(crate) fn add_pending(
    conn: &Connection,
    kind: SearchKind,
    id: &str,
    title: &str,
    body: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO temp.search_pending (kind, ref, title, body) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![kind, id, title, body])?;
    Ok(())
}

/// Index every entry set aside since [`begin_pending`]. `may_have_entries`: some of those
/// records may be indexed already (a merge), and their entries are removed first; without it,
/// the caller has removed every entry of those kinds (an import that replaces the catalog).
pub(crate) fn index_pending(conn: &Connection, may_have_entries: bool) -> Result<()> {
    conn.execute(
        "INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', ?1)",
        [IMPORT_HASH_BYTES],
    )?;
    conn.execute_batch(
        "CREATE INDEX temp.search_pending_by_ref ON search_pending (kind, ref);
         INSERT INTO search_docs (kind, ref)
             SELECT kind, ref FROM temp.search_pending WHERE true
             ON CONFLICT (kind, ref) DO NOTHING;",
    )?;
    if may_have_entries {
        conn.execute(
            "DELETE FROM search_fts WHERE rowid IN (
                 SELECT d.rowid FROM search_docs d
                 WHERE EXISTS (SELECT 1 FROM temp.search_pending p
                               WHERE p.kind = d.kind AND p.ref = d.ref))",
            [],
        )?;
    }
    // In rowid order: FTS5 appends to its pending segment only while rowids grow.
    conn.execute_batch(
        "INSERT INTO search_fts (rowid, title, body)
             SELECT d.rowid, p.title, p.body
             FROM temp.search_pending p JOIN search_docs d ON d.kind = p.kind AND d.ref = p.ref
             WHERE p.rowid = (SELECT max(q.rowid) FROM temp.search_pending q
                              WHERE q.kind = p.kind AND q.ref = p.ref)
             ORDER BY d.rowid;
         DROP TABLE temp.search_pending;",
    )?;
    Ok(())
}

/// Remove the index entry of one record, if it has one.
pub(crate) fn unindex_record(conn: &Connection, kind: SearchKind, id: &str) -> Result<()> {
    let rowid: Option<i64> = conn
        .prepare_cached("DELETE FROM search_docs WHERE kind = ?1 AND ref = ?2 RETURNING rowid")?
        .query_row(params![kind, id], |row| row.get(0))
        .optional()?;
    if let Some(rowid) = rowid {
        conn.prepare_cached("DELETE FROM search_fts WHERE rowid = ?1")?.execute([rowid])?;
        link_list_rows(conn, kind, id, None)?;
    }
    Ok(())
}

/// Remove every index entry of one kind.
pub(crate) fn unindex_kind(conn: &Connection, kind: SearchKind) -> Result<()> {
    conn.execute(
        "DELETE FROM search_fts WHERE rowid IN (SELECT rowid FROM search_docs WHERE kind = ?1)",
        [kind],
    )?;
    conn.execute("DELETE FROM search_docs WHERE kind = ?1", [kind])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn hostile_text_becomes_plain_words() {
        let cases = [
            ("", None),
            ("   \"'()*:^-+ \0 ", None),
            ("jane", Some("\"jane\"*")),
            ("a", Some("\"a\"")),
            ("\"jane\" OR doe*", Some("\"jane\" \"OR\" \"doe\"*")),
            ("NEAR(a b) NOT x", Some("\"NEAR\" \"a\" \"b\" \"NOT\" \"x\"")),
            ("o'brien\0x", Some("\"o\" \"brien\" \"x\"")),
            ("title:foo", Some("\"title\" \"foo\"*")),
            ("Zürich 5G", Some("\"Zürich\" \"5G\"*")),
        ];
        for (input, expected) in cases {
            assert_eq!(fts_query(input).as_deref(), expected, "input {input:?}");
        }
    }
}
