//! The editor window's answers. Opening a draft sends its whole state; every later change
//! (edit, undo, redo, restore, approval, a change of an installed product) sends only what
//! differs from the state the window holds: for a 1,000-item draft a few kilobytes instead
//! of about a megabyte to serialise, carry and parse, and the rows that did not change keep
//! their identity in the window, so nothing repaints them.
//!
//! Each answer has a sequence number, and a change names the answer it applies to. The
//! service remembers the last answer it gave (one editor window, one draft at a time); a
//! window that holds anything else asks for the whole state again, so the two can never
//! drift apart silently.

use serde::Serialize;

use orderdesk_core::Rounding;
use orderdesk_store::Version;

use crate::view::{CurrencyView, EditorState, FindingView, HeaderView, ItemQuoteView, ItemView};
use crate::{lock, Service};

/// How a list changed: `removed` elements from `start` were replaced by `inserted`. The
/// elements before `start` and after the removed run are unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Splice<T> {
    pub start: u32,
    pub removed: u32,
    pub inserted: Vec<T>,
}

impl<T: PartialEq + Clone> Splice<T> {
    /// The one splice that turns `old` into `new`: everything between their common start
    /// and their common end. `None` when a length does not fit the wire's `u32`.
    pub fn between(old: &[T], new: &[T]) -> Option<Self> {
        let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
        // The common end may not overlap the common start.
        let (old_rest, new_rest) = (old.get(prefix..)?, new.get(prefix..)?);
        let suffix =
            old_rest.iter().rev().zip(new_rest.iter().rev()).take_while(|(a, b)| a == b).count();
        let inserted = new_rest.get(..new_rest.len().checked_sub(suffix)?)?;
        Some(Splice {
            start: u32::try_from(prefix).ok()?,
            removed: u32::try_from(old_rest.len().checked_sub(suffix)?).ok()?,
            inserted: inserted.to_vec(),
        })
    }

    /// `old` with the splice applied (what the window does).
    pub fn apply(&self, old: &[T]) -> Option<Vec<T>> {
        let start = usize::try_from(self.start).ok()?;
        let end = start.checked_add(usize::try_from(self.removed).ok()?)?;
        let (head, rest) = (old.get(..start)?, old.get(end..)?);
        Some(head.iter().chain(&self.inserted).chain(rest).cloned().collect())
    }
}

/// What a change made to the editor's state, against the state of the answer it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EditorChange {
    pub id: String,
    pub revision: u32,
    pub tmf_version: Version,
    pub updated_at: String,
    /// The order-level fields, when they changed.
    pub header: Option<HeaderView>,
    pub can_undo: bool,
    pub can_redo: bool,
    /// The bundle tree's rows (`DraftView::items`).
    pub items: Splice<ItemView>,
    /// How each item was priced (`QuoteView::items`).
    pub quote_items: Splice<ItemQuoteView>,
    /// `QuoteView::findings`.
    pub findings: Splice<FindingView>,
    /// The totals and schedules: small, sent whole.
    pub currencies: Vec<CurrencyView>,
    pub has_errors: bool,
    pub rounding: Rounding,
}

/// The editor window's answer when it opens a draft: the whole state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EditorOpened {
    pub seq: u32,
    pub state: EditorState,
}

/// The editor window's answer after a change: what changed since the answer `base`, or the
/// whole state when the service has no base to measure against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum EditorAnswer {
    #[serde(rename_all = "camelCase")]
    Whole { seq: u32, state: Box<EditorState> },
    #[serde(rename_all = "camelCase")]
    Change { seq: u32, base: u32, change: Box<EditorChange> },
}

/// The last answer given to the editor window.
#[derive(Debug, Default)]
pub(crate) struct Shown {
    seq: u32,
    last: Option<EditorState>,
}

impl Shown {
    fn next_seq(&mut self) -> u32 {
        // Wrapping is harmless: a window compares sequence numbers for equality only.
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }
}

impl Service {
    /// The window's answer when it opens a draft: `state` whole.
    pub fn show(&self, state: EditorState) -> EditorOpened {
        let mut shown = lock(&self.shown);
        let seq = shown.next_seq();
        shown.last = Some(state.clone());
        EditorOpened { seq, state }
    }

    /// The window's answer after a change of its draft: what differs from the last answer
    /// (the whole state when that was another draft's, or none was given).
    pub fn show_change(&self, state: EditorState) -> EditorAnswer {
        let mut shown = lock(&self.shown);
        let base = shown.seq;
        let change = shown
            .last
            .as_ref()
            .filter(|last| last.draft.id == state.draft.id)
            .and_then(|last| change_between(last, &state));
        let seq = shown.next_seq();
        let answer = match change {
            Some(change) => EditorAnswer::Change { seq, base, change: Box::new(change) },
            None => EditorAnswer::Whole { seq, state: Box::new(state.clone()) },
        };
        shown.last = Some(state);
        answer
    }
}

/// What turns `old` into `new`, both states of one draft.
pub fn change_between(old: &EditorState, new: &EditorState) -> Option<EditorChange> {
    let (d, q) = (&new.draft, &new.quote);
    Some(EditorChange {
        id: d.id.clone(),
        revision: d.revision,
        tmf_version: d.tmf_version,
        updated_at: d.updated_at.clone(),
        header: (old.draft.header != d.header).then(|| d.header.clone()),
        can_undo: d.can_undo,
        can_redo: d.can_redo,
        items: Splice::between(&old.draft.items, &d.items)?,
        quote_items: Splice::between(&old.quote.items, &q.items)?,
        findings: Splice::between(&old.quote.findings, &q.findings)?,
        currencies: q.currencies.clone(),
        has_errors: q.has_errors,
        rounding: q.rounding,
    })
}

/// `old` with `change` applied: the state the window builds (the tests' and the
/// benchmarks' check that a change is complete).
pub fn apply_change(old: &EditorState, change: &EditorChange) -> Option<EditorState> {
    let mut state = old.clone();
    let d = &mut state.draft;
    d.id.clone_from(&change.id);
    d.revision = change.revision;
    d.tmf_version = change.tmf_version;
    d.updated_at.clone_from(&change.updated_at);
    if let Some(header) = &change.header {
        d.header = header.clone();
    }
    d.can_undo = change.can_undo;
    d.can_redo = change.can_redo;
    d.items = change.items.apply(&old.draft.items)?;
    let q = &mut state.quote;
    q.items = change.quote_items.apply(&old.quote.items)?;
    q.findings = change.findings.apply(&old.quote.findings)?;
    q.currencies.clone_from(&change.currencies);
    q.has_errors = change.has_errors;
    q.rounding = change.rounding;
    Some(state)
}

#[cfg(test)]
mod tests {
    use super::Splice;

    fn round_trip(old: &[u8], new: &[u8]) -> Splice<u8> {
        let s = Splice::between(old, new).expect("fits");
        assert_eq!(s.apply(old).expect("applies"), new, "{old:?} -> {new:?}");
        s
    }

    #[test]
    fn a_splice_covers_only_what_changed() {
        let s = round_trip(b"abcdef", b"abXdef");
        assert_eq!((s.start, s.removed, s.inserted), (2, 1, b"X".to_vec()));
        let s = round_trip(b"abc", b"abc");
        assert_eq!((s.start, s.removed, s.inserted.len()), (3, 0, 0));
        let s = round_trip(b"abc", b"abxc");
        assert_eq!((s.start, s.removed, s.inserted), (2, 0, b"x".to_vec()));
        let s = round_trip(b"abbc", b"abc");
        assert_eq!((s.start, s.removed, s.inserted.len()), (2, 1, 0));
    }

    #[test]
    fn repeated_elements_do_not_overlap_the_common_ends() {
        round_trip(b"aaaa", b"aa");
        round_trip(b"aa", b"aaaa");
        round_trip(b"", b"abc");
        round_trip(b"abc", b"");
        round_trip(b"abab", b"ab");
    }

    #[test]
    fn a_splice_outside_the_list_is_refused() {
        let s = Splice { start: 2, removed: 5, inserted: vec![1u8] };
        assert!(s.apply(&[1, 2, 3]).is_none());
        let s = Splice { start: u32::MAX, removed: u32::MAX, inserted: vec![1u8] };
        assert!(s.apply(&[1, 2, 3]).is_none());
    }
}
