//! Full-text search: keeping the FTS5 index in step with the records, turning whatever the
//! user typed into a query that cannot be misread as FTS5 syntax, and ranking the hits
//! without counting the records of very common words (see [`Ranking`]).

use rusqlite::{params, Connection, OptionalExtension, ToSql};

use crate::error::{Result, StoreError};
use crate::model::{SearchHit, SearchKind};

/// Most words taken from one search; more add nothing but cost.
const MAX_TERMS: usize = 16;

/// A word found in more records than this must still match, but does not rank: see
/// [`Ranking`].
pub const COMMON_WORD_RECORDS: u32 = 2_000;

/// A search whose words all match in more records than this ranks by every word: see
/// [`Ranking`].
pub(crate) const MAX_NARROWED_HITS: u32 = 2_000;

/// A search ranks by every word when its last word is shorter than this: see [`Ranking`].
pub(crate) const MIN_NARROWING_WORD: usize = 3;

/// Turn user text into an FTS5 query, or `None` when it holds no searchable word.
///
/// The text is split into words on anything that is not a letter or digit, so quotes, NULs,
/// parentheses, `*`, `:`, `^`, `-` and `+` never reach FTS5; each word is then quoted (so
/// `AND`, `OR`, `NOT`, `NEAR` are plain words). All words must match; the last one also matches
/// as a prefix, so results appear while the user is still typing it.
pub fn fts_query(input: &str) -> Option<String> {
    let words = quoted_words(input);
    (!words.is_empty()).then(|| all_of(words.iter().map(|(phrase, _)| phrase)))
}

/// The words of `input` as FTS5 phrases, in order (the rule of [`fts_query`]), each with its
/// length in characters.
fn quoted_words(input: &str) -> Vec<(String, usize)> {
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
            let chars = word.chars().count();
            // Words hold only letters and digits, so doubling quotes is belt and braces.
            let quoted = format!("\"{}\"", word.replace('"', "\"\""));
            // A one-letter prefix matches most of the index; only longer prefixes help.
            if index == last && chars >= 2 {
                (quoted + "*", chars)
            } else {
                (quoted, chars)
            }
        })
        .collect()
}

/// Joins phrases into an FTS5 query in which every phrase must match.
fn all_of<'a>(phrases: impl IntoIterator<Item = &'a String>) -> String {
    phrases.into_iter().map(String::as_str).collect::<Vec<_>>().join(" ")
}

/// A full-text table whose hits a [`Ranking`] ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FtsTable {
    /// Drafts, orders and the catalog.
    Search,
    /// The customers of every profile.
    Customers,
}

impl FtsTable {
    /// The table's name, which is also its cursor's name in a statement (never aliased).
    fn name(self) -> &'static str {
        match self {
            FtsTable::Search => "search_fts",
            FtsTable::Customers => "customers_fts",
        }
    }
}

/// What a search's statement matches and ranks by, and the hits it may return.
///
/// `bm25` weighs each word by how few records hold it, and FTS5 counts those records by
/// reading every one of them, at every search. For a word as common as "offering" in a
/// 100,000-offering catalog that was most of a search's time (3 ms of 4), and the weight it
/// finds tells the hits apart hardly at all. So a word held by more than
/// [`COMMON_WORD_RECORDS`] records (the last word excepted: it is the one being typed) only
/// has to match, as in a "common terms" query. The search then runs in two steps:
/// - the hits of every word, unranked, which is cheap: FTS5 skips through the common word's
///   records instead of counting them;
/// - the statement matches only the ranked words, among those hits. It reads the hits' rowid
///   range and keeps a row if its rowid is one of them; a rowid list given to FTS5 itself
///   would open the query again for every hit, and a prefix is costly to open.
///
/// The statement matches and ranks by every word in one step when narrowing would not pay:
/// - no word but the last is common;
/// - the last word is shorter than [`MIN_NARROWING_WORD`]. As a prefix it stands for many
///   words, and opening it a second time costs more than the common words' counts save (CLI
///   `catalog search` over 100,000 offerings: "Bundle 47" 6.8 → 8.0 ms narrowed). As a
///   one-letter word it is common itself, so its hits are too many to narrow and the first
///   step is wasted ("Offering 4": 12.7 → 14.7 ms);
/// - every word matches in more than [`MAX_NARROWED_HITS`] records together, or in none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ranking {
    /// The FTS5 query the statement matches, ranks by and marks in its snippets.
    pub query: String,
    /// The hits of every word, when the statement matches fewer words than were typed.
    pub among: Option<Among>,
}

/// The rowids of a search's hits, for [`Ranking::among`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Among {
    /// The lowest rowid.
    pub first: i64,
    /// The highest rowid.
    pub last: i64,
    /// Every rowid, as a JSON array.
    pub json: String,
}

impl Ranking {
    /// The ranking for `input` over `table`, or `None` when it holds no searchable word.
    pub(crate) fn new(conn: &Connection, table: FtsTable, input: &str) -> Result<Option<Self>> {
        let name = table.name();
        let words = quoted_words(input);
        let Some(((last, last_chars), rest)) = words.split_last() else { return Ok(None) };
        let all = all_of(words.iter().map(|(phrase, _)| phrase));
        if rest.is_empty() || *last_chars < MIN_NARROWING_WORD {
            return Ok(Some(Ranking { query: all, among: None }));
        }
        let mut count = conn.prepare_cached(&format!(
            "SELECT count(*) FROM (SELECT 1 FROM {name} WHERE {name} MATCH ?1 LIMIT ?2)"
        ))?;
        let mut ranked = Vec::with_capacity(words.len());
        for (word, _) in rest {
            let records: u32 =
                count.query_row(params![word, COMMON_WORD_RECORDS + 1], |row| row.get(0))?;
            if records <= COMMON_WORD_RECORDS {
                ranked.push(word);
            }
        }
        if ranked.len() == rest.len() {
            return Ok(Some(Ranking { query: all, among: None }));
        }
        ranked.push(last);
        let hits = conn
            .prepare_cached(&format!("SELECT rowid FROM {name} WHERE {name} MATCH ?1 LIMIT ?2"))?
            .query_map(params![all, MAX_NARROWED_HITS + 1], |row| row.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        let too_many = hits.len() > usize::try_from(MAX_NARROWED_HITS).unwrap_or(usize::MAX);
        // Too many hits to narrow, or none (the one-step statement then finds none and never
        // ranks).
        let (Some(&first), Some(&last), false) = (hits.iter().min(), hits.iter().max(), too_many)
        else {
            return Ok(Some(Ranking { query: all, among: None }));
        };
        let json =
            serde_json::to_string(&hits).map_err(|err| StoreError::Invalid(err.to_string()))?;
        Ok(Some(Ranking { query: all_of(ranked), among: Some(Among { first, last, json }) }))
    }

    /// The conditions a statement over `table` adds after its `MATCH :query`: when narrowed,
    /// the hits' rowid range, which FTS5 is given, and their rowid list, which it is not
    /// (`+`): given a list, FTS5 would open its query again for each rowid.
    pub(crate) fn among_sql(&self, table: FtsTable) -> String {
        let name = table.name();
        match self.among {
            None => String::new(),
            Some(_) => format!(
                "AND {name}.rowid BETWEEN :first AND :last
                 AND +{name}.rowid IN (SELECT value FROM json_each(:among))"
            ),
        }
    }

    /// The parameters of `MATCH :query` and of [`Ranking::among_sql`].
    pub(crate) fn params(&self) -> Vec<(&'static str, &dyn ToSql)> {
        let mut params: Vec<(&'static str, &dyn ToSql)> = vec![(":query", &self.query)];
        if let Some(among) = &self.among {
            params.extend([
                (":first", &among.first as &dyn ToSql),
                (":last", &among.last),
                (":among", &among.json),
            ]);
        }
        params
    }
}

/// The search statement over `search_fts`, with `among` (see [`Ranking::among_sql`]): the
/// hits of the kinds in `:kinds` and, for offerings, listed in one of `:categories` (a JSON
/// array each; empty means no such filter), best first. The title weighs ten times the body
/// in the ranking: a name match beats a mention.
///
/// `CROSS JOIN` keeps the full-text cursor the outer loop whatever the filters: driven from
/// `search_docs`, SQLite would open the full-text query once per record.
fn hits_sql(among: &str) -> String {
    format!(
        "SELECT d.kind, d.ref, search_fts.title, snippet(search_fts, 1, '[', ']', '…', 10)
         FROM search_fts CROSS JOIN search_docs d ON d.rowid = search_fts.rowid
         WHERE search_fts MATCH :query {among}
           AND (:kinds = '[]' OR d.kind IN (SELECT value FROM json_each(:kinds)))
           AND (:categories = '[]' OR (d.kind = 'offering' AND EXISTS (
                SELECT 1 FROM catalog_offering_categories c
                WHERE c.offering_id = d.ref
                  AND c.category_id IN (SELECT value FROM json_each(:categories)))))
         ORDER BY bm25(search_fts, 10.0, 1.0) LIMIT :limit"
    )
}

/// The best `limit` hits of `input` (any text: see [`fts_query`]) of `kinds` (empty: every
/// kind), keeping only the offerings listed in one of `categories` (empty: no such filter).
pub(crate) fn hits(
    conn: &Connection,
    input: &str,
    kinds: &[SearchKind],
    categories: &[String],
    limit: u32,
) -> Result<Vec<SearchHit>> {
    let Some(ranking) = Ranking::new(conn, FtsTable::Search, input)? else {
        return Ok(Vec::new());
    };
    let json = |v: Vec<&str>| {
        serde_json::to_string(&v).map_err(|err| StoreError::Invalid(err.to_string()))
    };
    let kinds = json(kinds.iter().map(|kind| kind.as_str()).collect())?;
    let categories = json(categories.iter().map(String::as_str).collect())?;
    let mut params = ranking.params();
    params.extend([
        (":kinds", &kinds as &dyn ToSql),
        (":categories", &categories),
        (":limit", &limit),
    ]);
    let hits = conn
        .prepare_cached(&hits_sql(&ranking.among_sql(FtsTable::Search)))?
        .query_map(params.as_slice(), |row| {
            Ok(SearchHit {
                kind: row.get(0)?,
                id: row.get(1)?,
                title: row.get(2)?,
                snippet: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(hits)
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

/// Asserts that the plan of `sql` (a search of `table` ranked by `ranking`, bound to
/// `params`) reads the full-text cursor first, given its match and, when narrowed, the hits'
/// rowid range but never their list; finds each hit's record (`record`, the statement's
/// alias) by rowid; scans no other table; and reads each list it is given once, not per row.
#[cfg(test)]
pub(crate) fn assert_fts_drives(
    conn: &Connection,
    sql: &str,
    params: &[(&str, &dyn ToSql)],
    ranking: &Ranking,
    table: FtsTable,
    record: &str,
    context: &str,
) {
    let mut explain = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).expect("explain");
    let plan: Vec<String> = explain
        .query_map(params, |row| row.get(3))
        .expect("plan")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    let narrowed = ranking.among.is_some();
    let context = format!("{context}, narrowed {narrowed}: {plan:#?}");
    let first = plan.first().expect("a plan");
    assert!(first.starts_with(&format!("SCAN {} VIRTUAL TABLE INDEX", table.name())), "{context}");
    let index = first.rsplit(':').next().unwrap_or_default();
    assert!(index.contains('M') && !index.contains('='), "{context}");
    assert_eq!(index.contains('<') && index.contains('>'), narrowed, "{context}");
    let by_rowid = format!("SEARCH {record} USING INTEGER PRIMARY KEY (rowid=?)");
    assert!(plan.contains(&by_rowid), "{context}");
    let scans_a_table = |step: &String| step.starts_with("SCAN ") && !step.contains(" json_each ");
    assert!(!plan.iter().skip(1).any(scans_a_table), "{context}");
    assert!(!plan.iter().any(|step| step.starts_with("CORRELATED LIST")), "{context}");
}

#[cfg(test)]
mod tests {
    use rusqlite::{params, Connection, ToSql};

    use super::{
        assert_fts_drives, fts_query, hits, hits_sql, index_record, FtsTable, Ranking,
        COMMON_WORD_RECORDS, MAX_NARROWED_HITS, MIN_NARROWING_WORD,
    };
    use crate::model::SearchKind;
    use crate::query::Queries;
    use crate::Store;

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

    // The ranking's two steps, over the real schema.

    /// A store whose index holds `plans` offerings titled "Plan N" (body "A monthly plan"),
    /// "Zebra plan" (body "Striped", in category "animals"), and "Plan with a long name" (body
    /// "Zebra stripes").
    fn plans(plans: u32) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path().join("search.db")).expect("open");
        let conn = store.connection();
        conn.execute_batch("BEGIN").expect("begin");
        for n in 0..plans {
            index_record(
                conn,
                SearchKind::Offering,
                &format!("po-{n}"),
                &format!("Plan {n}"),
                "A monthly plan",
            )
            .expect("index");
        }
        index_record(conn, SearchKind::Offering, "po-zebra", "Zebra plan", "Striped")
            .expect("index");
        index_record(
            conn,
            SearchKind::Offering,
            "po-long",
            "Plan with a long name",
            "Zebra stripes",
        )
        .expect("index");
        conn.execute(
            "INSERT INTO catalog_offering_categories (category_id, offering_id) VALUES (?1, ?2)",
            params!["animals", "po-zebra"],
        )
        .expect("category");
        conn.execute_batch("COMMIT").expect("commit");
        (dir, store)
    }

    fn ranking(conn: &Connection, text: &str) -> Ranking {
        Ranking::new(conn, FtsTable::Search, text).expect("ranking").expect("words")
    }

    /// The titles of the hits of `text`, best first.
    fn titles(conn: &Connection, text: &str, categories: &[&str]) -> Vec<String> {
        let categories: Vec<String> = categories.iter().map(|c| (*c).to_owned()).collect();
        hits(conn, text, &[], &categories, 50)
            .expect("hits")
            .into_iter()
            .map(|hit| hit.title)
            .collect()
    }

    #[test]
    fn a_common_word_must_match_but_does_not_rank() {
        // At the bound every word ranks, in one step.
        let (_dir, store) = plans(COMMON_WORD_RECORDS - 2);
        let conn = store.connection();
        assert_eq!(ranking(conn, "plan zebra").among, None);
        assert_eq!(titles(conn, "plan zebra", &[]), ["Zebra plan", "Plan with a long name"]);

        // Past it, "plan" only has to match: the hits of both words are ranked by "zebra".
        let (_dir, store) = plans(COMMON_WORD_RECORDS);
        let conn = store.connection();
        let narrowed = ranking(conn, "plan zebra");
        assert_eq!(narrowed.query, "\"zebra\"*");
        let among = narrowed.among.expect("narrowed to the hits");
        assert!(among.first < among.last);
        assert_eq!(serde_json::from_str::<Vec<i64>>(&among.json).expect("json").len(), 2);
        // The same hits, a title match still first, and every word must still match.
        assert_eq!(titles(conn, "plan zebra", &[]), ["Zebra plan", "Plan with a long name"]);
        assert_eq!(titles(conn, "plan zebra stripes", &[]), ["Plan with a long name"]);
        assert!(titles(conn, "plan giraffe", &[]).is_empty());
        assert_eq!(titles(conn, "plan 1999", &[]), ["Plan 1999"]);
        // A hit of the ranked words alone is not a hit: "Striped" holds no "plan".
        assert_eq!(titles(conn, "monthly striped", &[]), Vec::<String>::new());
        // The filters apply to the narrowed hits.
        assert_eq!(titles(conn, "plan zebra", &["animals"]), ["Zebra plan"]);
        assert!(titles(conn, "plan zebra", &["plants"]).is_empty());
        let drafts = hits(conn, "plan zebra", &[SearchKind::Draft], &[], 50).expect("hits");
        assert!(drafts.is_empty());
        // The snippet marks the ranked words.
        let long = hits(conn, "plan zebra", &[], &[], 50).expect("hits");
        assert_eq!(long[1].snippet, "[Zebra] stripes");

        // A short last word ranks with every word; from the bound on it narrows.
        let typed = |chars: usize| format!("plan {}", &"zebra"[..chars]);
        assert_eq!(ranking(conn, &typed(MIN_NARROWING_WORD - 1)).among, None);
        assert!(ranking(conn, &typed(MIN_NARROWING_WORD)).among.is_some());
        for chars in [MIN_NARROWING_WORD - 1, MIN_NARROWING_WORD] {
            assert_eq!(titles(conn, &typed(chars), &[]), ["Zebra plan", "Plan with a long name"]);
        }

        // The last word always ranks, common or not, so there is always a word to rank by.
        assert_eq!(ranking(conn, "zebra plan").among, None);
        assert_eq!(ranking(conn, "plan").among, None);
        assert_eq!(titles(conn, "zebra plan", &[]), ["Zebra plan", "Plan with a long name"]);
    }

    #[test]
    fn many_hits_rank_by_every_word_in_one_step() {
        let (_dir, store) = plans(MAX_NARROWED_HITS.max(COMMON_WORD_RECORDS) + 1);
        let conn = store.connection();
        // "plan" is common and "monthly" matches every plan: too many hits to narrow.
        let one_step = ranking(conn, "plan monthly");
        assert_eq!((one_step.query.as_str(), one_step.among), ("\"plan\" \"monthly\"*", None));
        assert_eq!(hits(conn, "plan monthly", &[], &[], 7).expect("hits").len(), 7);
        // No hit at all: nothing to narrow.
        assert_eq!(ranking(conn, "plan giraffe").among, None);
    }

    /// Both statements' plans for each filter.
    #[test]
    fn the_full_text_cursor_drives_every_search() {
        let (_dir, store) = plans(COMMON_WORD_RECORDS);
        let conn = store.connection();
        let narrowed = ranking(conn, "plan zebra");
        assert!(narrowed.among.is_some());
        let one_step = Ranking { query: narrowed.query.clone(), among: None };
        let filters = [
            ("[]", "[]"),
            ("[\"offering\"]", "[]"),
            ("[]", "[\"animals\"]"),
            ("[\"draft\"]", "[\"a\"]"),
        ];
        for (kinds, categories) in filters {
            for ranking in [&narrowed, &one_step] {
                let mut params = ranking.params();
                params.extend([
                    (":kinds", &kinds as &dyn ToSql),
                    (":categories", &categories),
                    (":limit", &50),
                ]);
                let sql = hits_sql(&ranking.among_sql(FtsTable::Search));
                let context = format!("kinds {kinds}, categories {categories}");
                assert_fts_drives(conn, &sql, &params, ranking, FtsTable::Search, "d", &context);
            }
        }
    }
}
