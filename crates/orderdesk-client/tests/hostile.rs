//! The client facing servers that mean harm or are broken beyond tolerance, each one written
//! here on 127.0.0.1: endless lists, pages served twice, a 2 GB body, answers that never
//! finish, waits and token lifetimes no date can hold, another resource than the one asked
//! for, and text that would steer a terminal. Each case ends with a clear error (or a bounded
//! value), never a panic, a hang or a list cut short in silence.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use orderdesk_client::{
    AuthConfig, Client, ClientError, ListLimits, Profile, RetryPolicy, Secret, DEFAULT_MAX_BODY,
};
use orderdesk_core::limits;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn profile(addr: SocketAddr) -> Profile {
    let mut p = Profile::new("hostile", format!("http://{addr}/tmf/v4/"));
    p.timeout_ms = 10_000;
    p.page_size = 2;
    p
}

fn no_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 1,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(1),
        max_retry_after: Duration::from_secs(1),
    }
}

async fn serve(router: Router) -> Result<SocketAddr, std::io::Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(addr)
}

fn offset_of(q: &HashMap<String, String>) -> u64 {
    q.get("offset").and_then(|v| v.parse().ok()).unwrap_or(0)
}

fn incomplete(err: &ClientError) -> (&str, usize) {
    match err {
        ClientError::ListIncomplete { reason, items } => (reason.as_str(), *items),
        _ => ("", usize::MAX),
    }
}

#[test]
fn list_limits_are_the_cores() {
    let bounds = ListLimits::default();
    assert_eq!(bounds.max_pages, limits::MAX_PAGES);
    assert_eq!(bounds.max_page_bytes, limits::MAX_PAGE_BYTES);
    assert_eq!(bounds.max_bytes, limits::MAX_LIST_BYTES);
    assert_eq!(bounds.max_duration, limits::MAX_LIST_DURATION);
    assert_eq!(DEFAULT_MAX_BODY, limits::MAX_ORDER_BYTES);
}

#[tokio::test]
async fn an_endless_list_stops_at_the_page_cap_with_an_error() -> TestResult {
    let requests = Arc::new(AtomicUsize::new(0));
    // Two new orders on every page, whatever the offset: the list never ends.
    let router =
        Router::new()
            .route(
                "/tmf/v4/productOrder",
                get(
                    |State(n): State<Arc<AtomicUsize>>,
                     Query(q): Query<HashMap<String, String>>| async move {
                        n.fetch_add(1, Ordering::SeqCst);
                        let at = offset_of(&q);
                        axum::Json(
                            json!([{"id": format!("o{at}")}, {"id": format!("o{}", at + 1)}]),
                        )
                    },
                ),
            )
            .with_state(Arc::clone(&requests));
    let addr = serve(router).await?;
    let client = Client::new(profile(addr), None)?
        .with_list_limits(ListLimits { max_pages: 20, ..ListLimits::default() });
    let err = client.list_orders(&[]).await.err().ok_or("an endless list was returned")?;
    assert_eq!(err.code(), "client.list_incomplete");
    let (reason, items) = incomplete(&err);
    assert!(reason.contains("did not end after 20 pages"), "{err}");
    assert_eq!(items, 40, "what was read is reported");
    assert_eq!(requests.load(Ordering::SeqCst), 20, "no page past the cap is asked for");
    assert!(!err.is_transient(), "asking again gives the same endless list");

    // A pull hands the pages it read to its sink, then fails: never a silent end.
    let mut sunk = 0;
    let result = client
        .for_each_order_page(&[], |page| {
            sunk += page.len();
            Ok(())
        })
        .await;
    assert!(matches!(result, Err(ClientError::ListIncomplete { items: 40, .. })), "{result:?}");
    assert_eq!(sunk, 40);
    Ok(())
}

#[tokio::test]
async fn a_page_served_twice_is_an_error() -> TestResult {
    // One server ignores `offset`; another goes round a cycle of two pages.
    let router = Router::new()
        .route(
            "/tmf/v4/productOrder",
            get(|| async { axum::Json(json!([{"id": "1"}, {"id": "2"}])) }),
        )
        .route(
            "/cycle/v4/productOrder",
            get(|Query(q): Query<HashMap<String, String>>| async move {
                let page =
                    if (offset_of(&q) / 2).is_multiple_of(2) { ["1", "2"] } else { ["3", "4"] };
                axum::Json(json!([{"id": page[0]}, {"id": page[1]}]))
            }),
        )
        .route(
            "/anonymous/v4/productOrder",
            get(|| async { axum::Json(json!([{"note": "no id"}, {"note": "none either"}])) }),
        );
    let addr = serve(router).await?;
    let client = Client::new(profile(addr), None)?;
    let err = client.list_orders(&[]).await.err().ok_or("a repeated page was accepted")?;
    assert!(incomplete(&err).0.contains("same page twice"), "{err}");
    assert_eq!(incomplete(&err).1, 2);

    let mut p = profile(addr);
    p.order_url = format!("http://{addr}/cycle/v4/");
    let err = Client::new(p, None)?.list_orders(&[]).await.err().ok_or("a cycle was accepted")?;
    assert!(incomplete(&err).0.contains("same page twice"), "{err}");
    assert_eq!(incomplete(&err).1, 4, "pages 1-2 and 3-4, then 1-2 again");

    let mut p = profile(addr);
    p.order_url = format!("http://{addr}/anonymous/v4/");
    let err = Client::new(p, None)?.list_orders(&[]).await.err().ok_or("accepted")?;
    assert!(incomplete(&err).0.contains("same page twice"), "entries without ids: {err}");
    Ok(())
}

/// A server on a raw socket: reads the request head, then lets `answer` write what it likes.
async fn raw_server<F, Fut>(answer: F) -> Result<SocketAddr, std::io::Error>
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let answer = Arc::clone(&answer);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(buf.get(..n).unwrap_or_default()),
                    }
                }
                answer(socket).await;
            });
        }
    });
    Ok(addr)
}

const TWO_GB: u64 = 2 * 1024 * 1024 * 1024;

/// Streams a 2 GB chunked JSON body (a string that never closes) and counts what it wrote.
async fn stream_two_gb(mut socket: tokio::net::TcpStream, written: Arc<AtomicU64>) {
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    if socket.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let chunk = vec![b'x'; 64 * 1024];
    let mut framed = format!("{:x}\r\n", chunk.len() + 2).into_bytes();
    framed.extend_from_slice(b"[\"");
    framed.extend_from_slice(&chunk);
    framed.extend_from_slice(b"\r\n");
    let mut sent = 0u64;
    while sent < TWO_GB {
        if socket.write_all(&framed).await.is_err() {
            return;
        }
        sent += framed.len() as u64;
        written.store(sent, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn a_2gb_body_is_given_up_at_the_byte_cap() -> TestResult {
    let written = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&written);
    let addr = raw_server(move |socket| stream_two_gb(socket, Arc::clone(&counter))).await?;
    let client = Client::new(profile(addr), None)?.with_retry(no_retry());

    let err = client.get_order("big").await.err().ok_or("a 2 GB order was read")?;
    assert!(matches!(err, ClientError::TooLarge { limit: DEFAULT_MAX_BODY, .. }), "{err:?}");
    let sent = written.load(Ordering::SeqCst);
    assert!(sent < TWO_GB / 8, "the client stopped reading early; the server wrote {sent} bytes");

    // A list page has its own cap; the whole list another.
    written.store(0, Ordering::SeqCst);
    let client = client
        .with_list_limits(ListLimits { max_page_bytes: 4 * 1024 * 1024, ..ListLimits::default() });
    let err = client.list_orders(&[]).await.err().ok_or("a 2 GB page was read")?;
    assert!(matches!(err, ClientError::TooLarge { limit: 4_194_304, .. }), "{err:?}");
    assert!(written.load(Ordering::SeqCst) < TWO_GB / 8);

    // A body that announces 2 GB is not read at all.
    let declared = raw_server(|mut socket| async move {
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {TWO_GB}\r\n\r\n{{"
        );
        let _ = socket.write_all(head.as_bytes()).await;
        let _ = socket.flush().await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await?;
    let client = Client::new(profile(declared), None)?.with_retry(no_retry());
    let err = client.get_order("big").await.err().ok_or("accepted")?;
    assert!(matches!(err, ClientError::TooLarge { .. }), "{err:?}");
    Ok(())
}

#[tokio::test]
async fn a_list_larger_than_the_list_cap_is_an_error() -> TestResult {
    // Pages of about 100 KB, never ending: the list cap of 1 MB ends the pull.
    let router = Router::new().route(
        "/tmf/v4/productOrder",
        get(|Query(q): Query<HashMap<String, String>>| async move {
            let at = offset_of(&q);
            let padding = "p".repeat(50_000);
            axum::Json(json!([{"id": format!("o{at}"), "note": padding},
                {"id": format!("o{}", at + 1), "note": padding}]))
        }),
    );
    let addr = serve(router).await?;
    let client = Client::new(profile(addr), None)?
        .with_list_limits(ListLimits { max_bytes: 1024 * 1024, ..ListLimits::default() });
    let err = client.list_orders(&[]).await.err().ok_or("an endless list was read")?;
    let (reason, items) = incomplete(&err);
    assert!(reason.contains("larger than 1048576 bytes"), "{err}");
    assert!((16..=22).contains(&items), "about ten pages of two: {items}");
    Ok(())
}

#[tokio::test]
async fn answers_that_never_finish_end_in_a_timeout() -> TestResult {
    // The head comes at once; the body one byte at a time, for ever.
    let trickle = raw_server(|mut socket| async move {
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n1\r\n[\r\n";
        if socket.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        loop {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if socket.write_all(b"1\r\n \r\n").await.is_err() {
                return;
            }
        }
    })
    .await?;
    let mut p = profile(trickle);
    p.timeout_ms = 300;
    let client = Client::new(p, None)?.with_retry(no_retry());
    let err = client.get_order("slow").await.err().ok_or("a body that never ends was read")?;
    assert!(matches!(err, ClientError::Timeout { .. }), "{err:?}");
    let err = client.list_orders(&[]).await.err().ok_or("a page that never ends was read")?;
    assert!(matches!(err, ClientError::Timeout { .. }), "{err:?}");

    // Each page in time, the list never: the time cap of the whole list ends it.
    let router = Router::new().route(
        "/tmf/v4/productOrder",
        get(|Query(q): Query<HashMap<String, String>>| async move {
            tokio::time::sleep(Duration::from_millis(10)).await;
            let at = offset_of(&q);
            axum::Json(json!([{"id": format!("o{at}")}, {"id": format!("o{}", at + 1)}]))
        }),
    );
    let addr = serve(router).await?;
    let client = Client::new(profile(addr), None)?.with_list_limits(ListLimits {
        max_duration: Duration::from_millis(300),
        ..ListLimits::default()
    });
    let err = client.list_orders(&[]).await.err().ok_or("an endless slow list was read")?;
    assert!(incomplete(&err).0.contains("took longer than"), "{err}");
    Ok(())
}

#[tokio::test]
async fn waits_and_token_lifetimes_no_date_can_hold_are_clamped() -> TestResult {
    let token_calls = Arc::new(AtomicUsize::new(0));
    let router = Router::new()
        .route(
            "/tmf/v4/productOrder/{id}",
            get(|axum::extract::Path(id): axum::extract::Path<String>| async move {
                let after = match id.as_str() {
                    "seconds" => "100000000000000",
                    "beyond-u64" => "99999999999999999999999999",
                    _ => "Fri, 31 Dec 9999 23:59:59 GMT",
                };
                (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", after)], "come back later")
            }),
        )
        .route("/tmf/v4/productOrder", get(|| async { axum::Json(json!([])) }))
        .route(
            "/token",
            post(|State(n): State<Arc<AtomicUsize>>| async move {
                n.fetch_add(1, Ordering::SeqCst);
                // u64::MAX seconds: no instant can be that far ahead.
                axum::Json(json!({"access_token": "t", "token_type": "Bearer",
                    "expires_in": 18_446_744_073_709_551_615u64}))
            }),
        )
        .with_state(Arc::clone(&token_calls));
    let addr = serve(router).await?;
    let client = Client::new(profile(addr), None)?.with_retry(no_retry());
    for id in ["seconds", "beyond-u64", "date"] {
        let err = client.get_order(id).await.err().ok_or("answered")?;
        assert_eq!(err.retry_after(), Some(limits::MAX_RETRY_AFTER), "{id}: {err:?}");
    }

    let mut p = profile(addr);
    p.auth = AuthConfig::OAuth2 {
        token_url: format!("http://{addr}/token"),
        client_id: "agent".into(),
        scope: None,
    };
    let client = Client::new(p, Some(Secret::new("s")))?;
    client.list_orders(&[]).await?;
    client.list_orders(&[]).await?;
    assert_eq!(token_calls.load(Ordering::SeqCst), 1, "the token is cached, not refused");
    Ok(())
}

#[tokio::test]
async fn only_the_resource_asked_for_is_adopted() -> TestResult {
    let router = Router::new()
        .route(
            "/tmf/v4/productOrder/{id}",
            get(|| async { axum::Json(json!({"id": "someone-else"})) }),
        )
        .route(
            "/tmf/v4/cancelProductOrder/{id}",
            get(|| async { axum::Json(json!({"id": "another-task"})) }),
        )
        // Ignores the filter: every order, whatever external id was asked for.
        .route(
            "/tmf/v4/productOrder",
            get(|Query(q): Query<HashMap<String, String>>| async move {
                if offset_of(&q) > 0 {
                    return axum::Json(json!([]));
                }
                axum::Json(json!([
                    {"id": "1", "externalId": "theirs"},
                    {"id": "2", "externalId": "ours"},
                    {"id": "3"}
                ]))
            }),
        );
    let addr = serve(router).await?;
    let client = Client::new(profile(addr), None)?;
    let err = client.get_order("mine").await.err().ok_or("another order was adopted")?;
    assert!(matches!(err, ClientError::Malformed { .. }), "{err:?}");
    assert!(err.to_string().contains("someone-else"), "{err}");
    let err = client.get_cancel("task").await.err().ok_or("another task was adopted")?;
    assert!(matches!(err, ClientError::Malformed { .. }), "{err:?}");
    let found = client.find_orders_by_external_id("ours").await?;
    let ids: Vec<&Value> = found.iter().map(|o| &o["id"]).collect();
    assert_eq!(ids, [&json!("2")], "only the order that carries the id");
    Ok(())
}

#[tokio::test]
async fn server_text_reaches_no_terminal_raw() -> TestResult {
    let router = Router::new().route(
        "/tmf/v4/productOrder/{id}",
        get(|| async {
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::Json(json!({"code": "\u{1b}[5mE1", "reason": "\u{1b}]0;you have been owned\u{7}Refused",
                    "message": "quantity \u{1b}[2J\u{1b}[31mmust be positive\r\u{9b}1m"})),
            )
                .into_response()
        }),
    );
    let addr = serve(router).await?;
    let err = Client::new(profile(addr), None)?.get_order("x").await.err().ok_or("answered")?;
    let text = err.to_string();
    assert!(text.starts_with("Refused: quantity must be positive"), "{text:?}");
    assert!(!text.chars().any(|c| c.is_control()), "{text:?}");
    assert!(
        matches!(&err, ClientError::Server { code: Some(code), .. } if code == "E1"),
        "{err:?}"
    );
    Ok(())
}
