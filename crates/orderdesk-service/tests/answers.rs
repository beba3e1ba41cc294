//! The editor window's answers: a change applied to the state the window holds is exactly the
//! state the service computed, for every kind of change, and it is small where the edit is.

mod common;

use orderdesk_core::Op;
use orderdesk_service::{apply_change, Edit, EditorAnswer, EditorState, RefInput, Service};

/// The window's side: the state it holds and the answer it came from.
struct Window {
    seq: u32,
    held: EditorState,
}

impl Window {
    fn open(service: &Service, state: EditorState) -> Self {
        let opened = service.show(state);
        Window { seq: opened.seq, held: opened.state }
    }

    /// Take the answer to a change whose whole state is `state`, as the window does; returns
    /// the answer's size in JSON.
    fn follow(&mut self, service: &Service, state: EditorState) -> usize {
        let expected = state.clone();
        let answer = service.show_change(state);
        let size = serde_json::to_string(&answer).expect("serialises").len();
        match answer {
            EditorAnswer::Change { seq, base, change } => {
                assert_eq!(base, self.seq, "the change names the answer the window holds");
                self.held = apply_change(&self.held, &change).expect("the change fits");
                self.seq = seq;
            }
            EditorAnswer::Whole { .. } => panic!("a change of the draft held is sent as a change"),
        }
        assert_eq!(self.held, expected, "the window's state after the change is the service's");
        size
    }
}

#[tokio::test]
async fn every_kind_of_change_rebuilds_the_services_state() {
    let (_dir, service) = common::demo_service().await;
    let mut window = Window::open(&service, service.new_draft().await.expect("draft"));
    let id = window.held.draft.id.clone();

    let edits = [
        // A bundle with its required children, then a mobile line with a missing number.
        Edit::AddOffering { offering_id: "20059".into(), parent: None, quantity: None },
        Edit::AddOffering { offering_id: "14305".into(), parent: None, quantity: Some(2) },
        Edit::SetCustomer {
            customer: Some(RefInput { id: "C-17".into(), name: "Ada Lovelace".into() }),
        },
        Edit::SetPriority { priority: Some("2".into()) },
    ];
    for edit in edits {
        let revision = window.held.draft.revision;
        let state = service.edit(id.clone(), revision, edit).await.expect("edit");
        window.follow(&service, state);
    }
    // A characteristic of the line, then the bundle removed (its rows and findings go).
    let line = window.held.draft.items.iter().find(|i| !i.is_bundle && i.parent.is_none());
    let line = line.expect("the mobile line").id.clone();
    let state = service
        .edit(
            id.clone(),
            window.held.draft.revision,
            Edit::SetCharacteristic {
                item: line,
                name: "TEL_MSISDN".into(),
                value: "+4917012345678".into(),
            },
        )
        .await
        .expect("characteristic");
    window.follow(&service, state);
    let bundle = window.held.draft.items.first().expect("bundle").id.clone();
    let state = service
        .edit(id.clone(), window.held.draft.revision, Edit::RemoveItem { item: bundle })
        .await
        .expect("remove");
    window.follow(&service, state);

    window.follow(&service, service.undo(id.clone()).await.expect("undo"));
    window.follow(&service, service.redo(id.clone()).await.expect("redo"));
    window.follow(&service, service.restore(id.clone(), 1).await.expect("restore"));
    assert_eq!(window.held.draft.items.len(), 0, "revision 1 is the new, empty draft");
}

#[tokio::test]
async fn a_change_after_another_draft_was_shown_is_sent_whole() {
    let (_dir, service) = common::demo_service().await;
    let first = service.new_draft().await.expect("draft");
    let mut window = Window::open(&service, first.clone());
    let _other = Window::open(&service, service.new_draft().await.expect("other draft"));
    let state = service
        .edit(
            first.draft.id.clone(),
            first.draft.revision,
            Edit::SetPriority { priority: Some("1".into()) },
        )
        .await
        .expect("edit");
    match service.show_change(state.clone()) {
        EditorAnswer::Whole { seq, state: whole } => {
            assert_eq!(*whole, state);
            assert_ne!(seq, window.seq);
            window.seq = seq;
        }
        EditorAnswer::Change { .. } => panic!("the service's last answer was another draft's"),
    }
}

#[tokio::test]
async fn an_edit_of_one_row_of_a_large_draft_answers_with_that_row() {
    let (_dir, service) = common::demo_service().await;
    let id = service.new_draft().await.expect("draft").draft.id;
    let ops: Vec<Op> = (0..300)
        .map(|_| Op::AddOffering { offering_id: "14305".into(), parent: None, quantity: None })
        .collect();
    service.apply_ops(id.clone(), ops).await.expect("300 lines");
    let opened = service.open_draft(id.clone()).await.expect("open");
    let whole = serde_json::to_string(&opened).expect("serialises").len();
    let mut window = Window::open(&service, opened);
    let row = window.held.draft.items[150].id.clone();
    let state = service
        .edit(
            id,
            window.held.draft.revision,
            Edit::SetCharacteristic {
                item: row,
                name: "TEL_MSISDN".into(),
                value: "+4917012345678".into(),
            },
        )
        .await
        .expect("characteristic");
    let change = window.follow(&service, state);
    // The edited row, its price lines and its finding, and the totals: not the other 299.
    assert!(change * 50 < whole, "a change of one row is {change} bytes, the whole state {whole}");
}
