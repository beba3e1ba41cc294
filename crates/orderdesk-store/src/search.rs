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
