//! The desktop app's import and edit commands. The Tauri commands (`import_order`,
//! `import_catalog`, `edit_draft` in `src-tauri/src/commands.rs`) are one line each over
//! `orderdesk_service::Service`, and their error is `ErrorBody::from(ServiceError)`; the cases
//! call the same functions on a service over a database in a temp dir and check the same
//! `{code, message}`. An edit's arguments arrive as JSON (`Edit` is deserialized from the IPC
//! payload), so values no `Edit` can hold are decoded the way the command decodes them.

use orderdesk_bad_input as bad;
use orderdesk_error::ErrorBody;
use orderdesk_service::{AlterationInput, Edit, EditorState, Service, ServiceError, Tuning};
use serde_json::{json, Value};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;
type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A service over a fresh data directory with the demo catalog and one saved draft (the
/// TMF25 bundle).
struct App {
    _dir: tempfile::TempDir,
    service: Service,
    draft: EditorState,
}

impl App {
    async fn new() -> Res<App> {
        let dir = tempfile::tempdir()?;
        let service = Service::open_tuned(dir.path().join("data"), Tuning::default())?;
        service.import_catalog(bad::good_catalog(), "demo.json".into()).await?;
        let draft = service.import_order(bad::good_order()).await?;
        Ok(App { _dir: dir, service, draft })
    }

    fn id(&self) -> String {
        self.draft.draft.id.clone()
    }

    /// The item ids of the saved draft, in tree order.
    fn items(&self) -> Vec<String> {
        self.draft.draft.items.iter().map(|i| i.id.clone()).collect()
    }

    /// What the agent has: the draft as stored, its history, and the catalog.
    async fn saved(&self) -> Res<Value> {
        let stored = self.service.draft_json(self.id()).await?;
        let history = self.service.history(self.id()).await?.len();
        let offering = self.service.offering("14277".into()).await.map(|o| format!("{o:?}")).ok();
        Ok(json!({"draft": stored, "revisions": history, "offering": offering}))
    }

    async fn edit(&self, edit: Edit) -> Result<EditorState, ServiceError> {
        self.service.edit(self.id(), self.draft.draft.revision, edit).await
    }

    /// The service still works: the draft opens at the revision it had, and a new draft is
    /// saved.
    async fn still_works(&self) -> TestResult {
        let opened = self.service.open_draft(self.id()).await?;
        assert_eq!(opened.draft.revision, self.draft.draft.revision);
        self.service.new_draft().await?;
        Ok(())
    }
}

/// The IPC error body of `result`: its code is `code` and its message names each of `names`.
fn refused<T: std::fmt::Debug>(
    result: Result<T, ServiceError>,
    code: &str,
    names: &[&str],
) -> ErrorBody {
    let err = match result {
        Ok(v) => panic!("accepted: {v:?}"),
        Err(e) => e,
    };
    let body = ErrorBody::from(err);
    assert_eq!(body.code, code, "{body:?}");
    for name in names {
        assert!(body.message.contains(name), "message names {name:?}: {body:?}");
    }
    assert!(!bad::has_escape(body.message.as_bytes()), "{body:?}");
    body
}

/// Runs `hostile` on a fresh app and checks that what was saved before is intact and the app
/// still works.
async fn case<F, Fut>(hostile: F) -> TestResult
where
    F: FnOnce(App) -> Fut,
    Fut: std::future::Future<Output = Res<App>>,
{
    let app = App::new().await?;
    let before = app.saved().await?;
    let app = hostile(app).await?;
    assert_eq!(app.saved().await?, before, "what was saved before is intact");
    app.still_works().await
}

// ---- import ------------------------------------------------------------------------------

#[tokio::test]
async fn importing_a_30000_item_bundle_chain_is_refused() -> TestResult {
    case(|app| async move {
        refused(app.service.import_order(bad::bundle_chain()).await, "limit.items", &["10000"]);
        Ok(app)
    })
    .await
}

#[tokio::test]
async fn importing_json_nested_100000_deep_is_not_json() -> TestResult {
    case(|app| async move {
        refused(app.service.import_order(bad::deep_json()).await, "input.not_json", &["line 1"]);
        Ok(app)
    })
    .await
}

#[tokio::test]
async fn importing_text_that_is_not_json_is_refused() -> TestResult {
    case(|app| async move {
        let text = String::from_utf8_lossy(bad::NOT_JSON).into_owned();
        refused(app.service.import_order(text).await, "input.not_json", &["line 1"]);
        Ok(app)
    })
    .await
}

/// A catalog is read tolerantly: a bundle asking for `u32::MAX` of an offering is imported
/// (drafts that cannot meet it get a finding); adding that bundle is refused at the item cap.
#[tokio::test]
async fn adding_a_bundle_whose_catalog_lower_limit_is_u32_max_hits_the_item_cap() -> TestResult {
    let app = App::new().await?;
    app.service.import_catalog(bad::catalog_huge_lower_limit(), "greedy.json".into()).await?;
    let before = app.saved().await?;
    let edit = Edit::AddOffering { offering_id: "14277".into(), parent: None, quantity: None };
    refused(app.edit(edit).await, "limit.items", &["14305", "10000"]);
    assert_eq!(app.saved().await?, before, "what was saved before is intact");
    app.still_works().await
}

// ---- edit --------------------------------------------------------------------------------

#[tokio::test]
async fn adding_an_offering_u32_max_times_is_refused() -> TestResult {
    case(|app| async move {
        let edit = Edit::AddOffering {
            offering_id: "14277".into(),
            parent: None,
            quantity: Some(u32::MAX),
        };
        refused(app.edit(edit).await, "limit.quantity", &[]);
        Ok(app)
    })
    .await
}

#[tokio::test]
async fn a_characteristic_value_of_1_mb_is_refused() -> TestResult {
    case(|app| async move {
        let item = app.items().get(1).cloned().unwrap_or_default();
        let edit = Edit::SetCharacteristic {
            item,
            name: "TEL_MSISDN".into(),
            value: "4".repeat(1024 * 1024),
        };
        refused(app.edit(edit).await, "limit.text", &["value is longer than 10000 characters"]);
        Ok(app)
    })
    .await
}

#[tokio::test]
async fn an_alteration_of_10_to_the_30_is_refused() -> TestResult {
    case(|app| async move {
        let item = app.items().get(1).cloned().unwrap_or_default();
        let alteration = AlterationInput {
            name: "too generous".into(),
            kind: "amount".into(),
            value: format!("1{}", "0".repeat(30)),
            currency: Some("EUR".into()),
            duration: None,
            price_type: None,
            reason: None,
        };
        refused(
            app.edit(Edit::AddAlteration { item, price: 0, alteration }).await,
            "service.invalid_input",
            &["is beyond the largest number", "79228162514264337593543950335"],
        );
        Ok(app)
    })
    .await
}

#[tokio::test]
async fn a_quantity_of_0_is_refused() -> TestResult {
    case(|app| async move {
        let item = app.items().first().cloned().unwrap_or_default();
        refused(
            app.edit(Edit::SetQuantity { item, quantity: 0 }).await,
            "core.invalid_value",
            &["quantity", "at least 1"],
        );
        Ok(app)
    })
    .await
}

#[tokio::test]
async fn a_negative_or_u64_max_quantity_is_refused_when_the_command_decodes_it() -> TestResult {
    case(|app| async move {
        let item = app.items().first().cloned().unwrap_or_default();
        for quantity in [json!(-1), json!(u64::MAX), json!(1e300), json!("1")] {
            let payload = json!({"op": "setQuantity", "item": item, "quantity": quantity});
            let decoded = serde_json::from_value::<Edit>(payload);
            assert!(decoded.is_err(), "{quantity} is no quantity: {decoded:?}");
        }
        Ok(app)
    })
    .await
}

#[tokio::test]
async fn moving_an_item_under_its_own_child_is_refused() -> TestResult {
    case(|app| async move {
        let items = app.items();
        let (root, child) = (items.first().cloned(), items.get(1).cloned());
        let edit = Edit::MoveItem { item: root.unwrap_or_default(), parent: child, index: None };
        refused(app.edit(edit).await, "core.move_into_itself", &["inside it"]);
        Ok(app)
    })
    .await
}

#[tokio::test]
async fn an_edit_of_a_stale_revision_is_refused() -> TestResult {
    case(|app| async move {
        let item = app.items().first().cloned().unwrap_or_default();
        let stale = app.draft.draft.revision.saturating_add(7);
        let result =
            app.service.edit(app.id(), stale, Edit::SetQuantity { item, quantity: 2 }).await;
        refused(result, "store.conflict", &[]);
        Ok(app)
    })
    .await
}
