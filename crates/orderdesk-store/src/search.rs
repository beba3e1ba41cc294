//! Full-text search: keeping the FTS5 index in step with the records, and turning whatever
//! the user typed into a query that cannot be misread as FTS5 syntax.

use rusqlite::{params, Connection, OptionalExtension, ToSql};

use crate::error::Result;
use crate::model::SearchKind;

/// Most words taken from one search; more add nothing but cost.
const MAX_TERMS: usize = 16;

/// A word found in more records than this still has to match, but does not weigh in the
/// ranking: see [`Ranked`].
pub const COMMON_WORD_RECORDS: u32 = 2_000;

/// Turn user text into an FTS5 query, or `None` when it holds no searchable word.
///
/// The text is split into words on anything that is not a letter or digit, so quotes, NULs,
/// parentheses, `*`, `:`, `^`, `-` and `+` never reach FTS5; each word is then quoted (so
/// `AND`, `OR`, `NOT`, `NEAR` are plain words). All words must match; the last one also matches
/// as a prefix, so results appear while the user is still typing it.
pub fn fts_query(input: &str) -> Option<String> {
    let words = quoted_words(input);
    (!words.is_empty()).then(|| words.join(" "))
}

/// The words of `input` as FTS5 phrases, in order (the rule of [`fts_query`]).
fn quoted_words(input: &str) -> Vec<String> {
    let words: Vec<&str> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .take(MAX_TERMS)
        .collect();
    let last = words.len().saturating_sub(1);
    words
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
        .collect()
}

/// A full-text table searched with a ranking.
#[derive(Debug, Clone, Copy)]
pub(crate) enum FtsTable {
    /// Drafts, orders and the catalog.
    Search,
    /// The customers of every profile.
    Customers,
}

impl FtsTable {
    fn name(self) -> &'static str {
        match self {
            FtsTable::Search => "search_fts",
            FtsTable::Customers => "customers_fts",
        }
    }
}

/// A ranked search as FTS5 queries: what every hit matches, and the words that rank the hits.
///
/// `bm25` weighs each word by how few records hold it, and FTS5 finds that number by reading
/// every record that holds the word, at every search. For a word as common as "offering" in
/// a 100,000-offering catalog that is most of a search's time (3 ms of 4), and what it
/// finds is that the word tells the hits apart hardly at all. So, as a "common terms" query
/// does, a word in more than [`COMMON_WORD_RECORDS`] records only has to match: it is left
/// out of the ranking, and counting up to that cap is all it costs. The last word is always
/// ranked: it is the one being typed, and as a prefix it is the costly one to count twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ranked {
    /// Every word: what a hit must match.
    pub all: String,
    /// The words that rank the hits, when some common word was left out.
    pub scored: Option<String>,
}

impl Ranked {
    /// The search for `input` over `table`, or `None` when it holds no searchable word.
    pub(crate) fn new(conn: &Connection, table: FtsTable, input: &str) -> Result<Option<Self>> {
        let words = quoted_words(input);
        let Some((last, rest)) = words.split_last() else { return Ok(None) };
        let name = table.name();
        let mut count = conn.prepare_cached(&format!(
            "SELECT count(*) FROM (SELECT 1 FROM {name} WHERE {name} MATCH ?1 LIMIT ?2)"
        ))?;
        let mut scored = Vec::with_capacity(words.len());
        for word in rest {
            let records: u32 =
                count.query_row(params![word, COMMON_WORD_RECORDS + 1], |row| row.get(0))?;
            if records <= COMMON_WORD_RECORDS {
                scored.push(word.as_str());
            }
        }
        scored.push(last);
        let all = words.join(" ");
        let scored = (scored.len() < words.len()).then(|| scored.join(" "));
        Ok(Some(Ranked { all, scored }))
    }

    /// How a query ranks the hits of its cursor `hits` over `table`: a join to write right
    /// after that cursor (it binds `:scored`, see [`Ranked::scored`]), and the cursor to give
    /// `bm25`.
    pub(crate) fn ranking(&self, table: FtsTable, hits: &str) -> (String, String) {
        let name = table.name();
        match self.scored {
            None => (String::new(), format!("{hits}.{name}")),
            Some(_) => (
                format!(
                    "JOIN {name} ranked ON ranked.rowid = {hits}.rowid \
                     AND ranked.{name} MATCH :scored"
                ),
                format!("ranked.{name}"),
            ),
        }
    }

    /// The query's parameters: `:all`, and `:scored` when [`Ranked::ranking`] joins it.
    pub(crate) fn params(&self) -> Vec<(&'static str, &dyn ToSql)> {
        let mut params: Vec<(&'static str, &dyn ToSql)> = vec![(":all", &self.all)];
        if let Some(scored) = &self.scored {
            params.push((":scored", scored));
        }
        params
    }
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
    use rusqlite::{params, Connection};

    use super::{fts_query, FtsTable, Ranked, COMMON_WORD_RECORDS};

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

    /// A table of `plans` records titled "Plan N", plus a record with "zebra" in its title and
    /// one with it in its body only.
    fn plans(plans: u32) -> Connection {
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch("CREATE VIRTUAL TABLE search_fts USING fts5(title, body)").expect("fts");
        {
            let mut insert = conn
                .prepare("INSERT INTO search_fts (title, body) VALUES (?1, ?2)")
                .expect("insert");
            for n in 0..plans {
                insert.execute(params![format!("Plan {n}"), "A monthly plan"]).expect("row");
            }
            insert.execute(params!["Zebra plan", "Striped"]).expect("row");
            insert.execute(params!["Plan with a long name", "Zebra stripes"]).expect("row");
        }
        conn
    }

    fn ranked(conn: &Connection, text: &str) -> Ranked {
        Ranked::new(conn, FtsTable::Search, text).expect("ranked").expect("words")
    }

    /// The titles of the hits of `text`, best first, ranked as the store ranks them.
    fn titles(conn: &Connection, text: &str) -> Vec<String> {
        let ranked = ranked(conn, text);
        let (join, by) = ranked.ranking(FtsTable::Search, "s");
        let sql = format!(
            "SELECT s.title FROM search_fts s {join} WHERE s.search_fts MATCH :all
             ORDER BY bm25({by}, 10.0, 1.0)"
        );
        let mut stmt = conn.prepare(&sql).expect("prepare");
        let rows = stmt.query_map(ranked.params().as_slice(), |row| row.get(0)).expect("query");
        rows.collect::<rusqlite::Result<_>>().expect("rows")
    }

    #[test]
    fn a_common_word_must_match_but_does_not_rank() {
        // At the cap every word ranks: nothing is set apart.
        let conn = plans(COMMON_WORD_RECORDS - 2);
        assert_eq!(ranked(&conn, "plan zebra").scored, None);
        assert_eq!(titles(&conn, "plan zebra"), ["Zebra plan", "Plan with a long name"]);

        // Past it, "plan" only has to match.
        let conn = plans(COMMON_WORD_RECORDS);
        let query = ranked(&conn, "plan zebra");
        assert_eq!(query.all, "\"plan\" \"zebra\"*");
        assert_eq!(query.scored.as_deref(), Some("\"zebra\"*"));
        // The same hits, and a title match still ranks first.
        assert_eq!(titles(&conn, "plan zebra"), ["Zebra plan", "Plan with a long name"]);
        assert_eq!(titles(&conn, "plan zebra stripes"), ["Plan with a long name"]);
        assert!(titles(&conn, "plan giraffe").is_empty(), "every word must still match");

        // The last word always ranks, common or not, so there is always a word to rank by.
        assert_eq!(ranked(&conn, "zebra plan").scored, None);
        assert_eq!(ranked(&conn, "plan").scored, None);
        assert_eq!(titles(&conn, "zebra plan"), ["Zebra plan", "Plan with a long name"]);
        assert_eq!(titles(&conn, "plan 1999").len(), 1);
        // "monthly" is in exactly as many records as the cap allows: it still ranks.
        assert_eq!(
            ranked(&conn, "plan monthly 1999").scored.as_deref(),
            Some("\"monthly\" \"1999\"*")
        );
        assert!(Ranked::new(&conn, FtsTable::Search, " *: ").expect("ranked").is_none());
    }
}
