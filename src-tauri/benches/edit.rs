//! Repricing after an edit, end to end through the app's command layer (Tauri's IPC with the
//! app's own configuration and capabilities, `tauri::test`): `edit_draft` on a stored draft of
//! 200 items changes one item's quantity, which re-validates, reprices, saves the revision
//! (one durable SQLite commit, `synchronous=FULL`) and answers what changed as JSON (the
//! window opened the draft first, so the answer is a change of the state it holds).
//! Beside it, the same edit through `orderdesk-service` directly (no IPC) and, to show what the
//! durable commit costs, the same IPC edit with the data directory on tmpfs (`/dev/shm`, where
//! fsync is free) when there is one. Then a 1,000-item draft: open and one edit through IPC.
//! Target (issue 7): the 200-item edit within 16 ms.
//!
//! Run: `cargo bench -p orderdesk-app --bench edit`. Before the criterion groups it prints its
//! own medians (`edit 200 items ...`) and the IPC overhead ratio.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use orderdesk_app::{specta_builder, AppState};
use orderdesk_service::{sample, Edit, Service};
use serde::Deserialize;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody, InvokeResponseBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

/// A mock app over a service in `dir`, with the demo catalog cached.
struct Harness {
    _app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    service: Arc<Service>,
}

fn harness(dir: &Path) -> Harness {
    let service = Service::open(dir.to_path_buf()).expect("open service");
    let app = mock_builder()
        .manage(AppState::new(service))
        .invoke_handler(specta_builder::<MockRuntime>().invoke_handler())
        .build(tauri::generate_context!("../tauri.conf.json"))
        .expect("build app");
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("main window");
    let service = app.state::<AppState>().service().expect("service");
    tauri::async_runtime::block_on(
        service
            .import_catalog(orderdesk_server::catalog::DEMO_CATALOG.to_owned(), "demo".to_owned()),
    )
    .expect("demo catalog");
    Harness { _app: app, window, service }
}

impl Harness {
    /// The command's answer as the JSON text the window would receive (not parsed: parsing
    /// 200 KiB into a `Value` here would be the benchmark's cost, not the app's).
    fn call(&self, cmd: &str, args: Value) -> String {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        match get_ipc_response(&self.window, request) {
            Ok(InvokeResponseBody::Json(text)) => text,
            Ok(InvokeResponseBody::Raw(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => panic!("{cmd} failed: {e}"),
        }
    }

    /// A stored draft of `items` items: its id, current revision and the item edited.
    fn draft(&self, items: usize) -> Draft {
        let catalog = tauri::async_runtime::block_on(self.service.catalog_sample(SAMPLE_OFFERINGS))
            .expect("the cached catalog");
        let text = sample::order_of_size(&catalog, items).expect("sample order");
        let state =
            tauri::async_runtime::block_on(self.service.import_order(text)).expect("import");
        assert_eq!(state.draft.items.len(), items, "the draft has every item");
        let item = state.draft.items[items / 2].id.clone();
        Draft { id: state.draft.id, revision: state.draft.revision, item, quantity: 1 }
    }
}

/// Offerings a sample draft is composed from (the demo catalog holds fewer).
const SAMPLE_OFFERINGS: u32 = 2_000;
/// An editor answer, read only as far as its revision.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum Answer {
    Whole { state: Opened },
    Change { change: Revision },
}

#[derive(Deserialize)]
struct Opened {
    draft: Revision,
}

#[derive(Deserialize)]
struct Revision {
    revision: u32,
}

/// A draft being edited: every edit toggles one item's quantity between 1 and 2.
struct Draft {
    id: String,
    revision: u32,
    item: String,
    quantity: u32,
}

impl Draft {
    fn next_quantity(&mut self) -> u32 {
        self.quantity = if self.quantity == 1 { 2 } else { 1 };
        self.quantity
    }

    fn edit_ipc(&mut self, h: &Harness) -> String {
        let quantity = self.next_quantity();
        let state = h.call(
            "edit_draft",
            json!({"id": self.id, "revision": self.revision,
                   "edit": {"op": "setQuantity", "item": self.item, "quantity": quantity}}),
        );
        // Only the revision is read back (serde skips the rest without building it).
        self.revision = match serde_json::from_str(&state).expect("editor answer") {
            Answer::Whole { state } => state.draft.revision,
            Answer::Change { change } => change.revision,
        };
        state
    }

    fn edit_service(&mut self, h: &Harness) -> usize {
        let edit = Edit::SetQuantity { item: self.item.clone(), quantity: self.next_quantity() };
        let state =
            tauri::async_runtime::block_on(h.service.edit(self.id.clone(), self.revision, edit))
                .expect("edit");
        self.revision = state.draft.revision;
        state.draft.items.len()
    }
}

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn kib(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let disk = tempfile::tempdir().expect("temp dir");
    let h = harness(disk.path());
    let mut d200 = h.draft(200);
    let mut direct = h.draft(200);
    // The window opens the draft (the whole state), then an edit answers with what changed:
    // the edited row.
    let opened = h.call("open_draft", json!({"id": d200.id})).len();
    let answer = d200.edit_ipc(&h);
    let bytes = answer.len();
    let answer: Value = serde_json::from_str(&answer).expect("editor answer");
    assert_eq!(answer["kind"], json!("change"), "{answer}");
    let rows = &answer["change"]["items"];
    assert_eq!((rows["start"].clone(), rows["removed"].clone()), (json!(100), json!(1)));
    assert_eq!(rows["inserted"][0]["quantity"], json!(2), "the edit is in the answer");

    let ipc = median(41, || drop(black_box(d200.edit_ipc(&h))));
    let svc = median(41, || {
        black_box(direct.edit_service(&h));
    });
    println!(
        "edit 200 items (quantity): IPC {:.2} ms, service directly {:.2} ms, ratio {:.2}x, answer {:.1} KiB (the whole state {:.1} KiB); target <= 16 ms",
        ms(ipc),
        ms(svc),
        ipc.as_secs_f64() / svc.as_secs_f64(),
        kib(bytes),
        kib(opened),
    );

    // The same edit where fsync costs nothing: the difference is the durable commit.
    let shm = Path::new("/dev/shm");
    let tmpfs = shm.is_dir().then(|| tempfile::tempdir_in(shm).ok()).flatten();
    if let Some(dir) = &tmpfs {
        let hm = harness(dir.path());
        let mut dm = hm.draft(200);
        let mem = median(41, || drop(black_box(dm.edit_ipc(&hm))));
        println!(
            "edit 200 items on tmpfs (no fsync cost): IPC {:.2} ms; durable commit ~{:.2} ms",
            ms(mem),
            ms(ipc.saturating_sub(mem))
        );
    }

    let big = h.draft(1000);
    let whole = h.call("open_draft", json!({"id": big.id})).len();
    let open = median(11, || drop(black_box(h.call("open_draft", json!({"id": big.id})))));
    let mut big = big;
    let change = big.edit_ipc(&h).len();
    let edit = median(11, || drop(black_box(big.edit_ipc(&h))));
    println!(
        "1,000 items through IPC: open {:.2} ms ({:.1} KiB), edit (quantity) {:.2} ms ({:.1} KiB)",
        ms(open),
        kib(whole),
        ms(edit),
        kib(change)
    );

    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(30)
        .measurement_time(Duration::from_secs(4));
    c.bench_function("edit_200_ipc", |b| b.iter(|| d200.edit_ipc(&h)));
    c.bench_function("edit_200_service", |b| b.iter(|| direct.edit_service(&h)));
    c.bench_function("open_1000_ipc", |b| b.iter(|| h.call("open_draft", json!({"id": big.id}))));
    c.bench_function("edit_1000_ipc", |b| b.iter(|| big.edit_ipc(&h)));
    c.final_summary();
}
