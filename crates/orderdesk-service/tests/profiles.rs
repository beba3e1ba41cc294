//! Server profiles through the services over a real database: field checks, a real
//! reference server for "Test connection" and "Refresh catalog", the OS keyring (or its
//! absence on this machine) for secrets.

mod common;

use orderdesk_client::Secret;
use orderdesk_error::ErrorCode;
use orderdesk_service::{AuthMode, ProfileInput, SecretState, Service, Version, VersionChoice};

fn input(name: &str, order_url: &str) -> ProfileInput {
    ProfileInput {
        name: name.into(),
        order_url: order_url.into(),
        version: VersionChoice::Auto,
        auth_mode: AuthMode::None,
        ..ProfileInput::default()
    }
}

fn fields(saved: &orderdesk_service::ProfileSaved) -> Vec<&str> {
    saved.errors.iter().map(|e| e.field.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_field_is_checked_and_nothing_is_saved_on_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let service = Service::open(dir.path().to_path_buf()).expect("open");

    let saved = service.save_profile(input("bad name", "ftp://host/x")).await.expect("answer");
    assert_eq!(fields(&saved), ["name", "orderUrl"]);
    assert!(saved.profile.is_none());

    let mut oauth = input("lab", "http://127.0.0.1:9/tmf-api/productOrderingManagement/v4/");
    oauth.auth_mode = AuthMode::OAuth2;
    oauth.catalog_url = "not a url".into();
    let saved = service.save_profile(oauth.clone()).await.expect("answer");
    assert_eq!(fields(&saved), ["catalogUrl", "tokenUrl", "clientId"]);

    let mut none_with_secret = input("lab", "https://orders.example/tmf/v5/");
    none_with_secret.secret = "s3cret".into();
    let saved = service.save_profile(none_with_secret).await.expect("answer");
    assert_eq!(fields(&saved), ["secret"]);

    let saved = service.save_profile(input("demo", "http://127.0.0.1:9/")).await.expect("answer");
    assert_eq!(fields(&saved), ["name"], "the demo profile belongs to demo mode");
    let creds = service.save_profile(input("lab", "http://user:pw@host/")).await.expect("answer");
    assert_eq!(fields(&creds), ["orderUrl"]);

    assert!(service.list_profiles().await.expect("list").is_empty(), "nothing was saved");

    // A valid one, then the same name again is refused, and a rename too.
    let saved = service.save_profile(input("lab", "https://orders.example/tmf/v5/")).await;
    let saved = saved.expect("answer");
    assert!(saved.errors.is_empty(), "{:?}", saved.errors);
    let view = saved.profile.expect("saved");
    assert!(view.active, "the first profile becomes the active one");
    assert_eq!(view.secret, SecretState::NotNeeded);
    let again = service.save_profile(input("lab", "https://other.example/")).await.expect("answer");
    assert_eq!(fields(&again), ["name"]);
    let mut rename = input("lab2", "https://other.example/");
    rename.editing = Some("lab".into());
    assert_eq!(fields(&service.save_profile(rename).await.expect("answer")), ["name"]);

    // Editing keeps the name and changes the rest.
    let mut edit = input("lab", "https://other.example/tmf/v4/");
    edit.editing = Some("lab".into());
    edit.version = VersionChoice::Fixed(Version::V4);
    let edited = service.save_profile(edit).await.expect("answer").profile.expect("saved");
    assert_eq!(edited.base_url, "https://other.example/tmf/v4/");
    assert_eq!(edited.tmf_version, VersionChoice::Fixed(Version::V4));

    let err = service.remove_profile("demo".into()).await.expect_err("demo stays");
    assert_eq!(err.code(), "service.invalid_input");
    assert!(service.remove_profile("lab".into()).await.expect("removed").is_empty());
    let err = service.remove_profile("lab".into()).await.expect_err("gone");
    assert_eq!(err.code(), "sync.unknown_profile");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_server_is_tested_its_catalog_cached_and_made_active() {
    let server = orderdesk_server::start(orderdesk_server::ServerConfig::default())
        .await
        .expect("reference server");
    let dir = tempfile::tempdir().expect("temp dir");
    let service = Service::open(dir.path().to_path_buf()).expect("open");
    service.start_demo().await.expect("demo");
    assert_eq!(service.status().await.expect("status").profiles.len(), 1);

    let mut lab = input("lab", &server.base_url_v4());
    lab.catalog_url = server.catalog_url_v4();
    let report = service.test_connection(lab.clone()).await.expect("tested");
    assert!(report.ok, "{:?}", report.lines);
    assert!(report.lines[0].contains("TMF622 v4"), "{:?}", report.lines);
    assert!(report.lines[1].starts_with("Catalog answered"), "{:?}", report.lines);

    let saved = service.save_profile(lab).await.expect("saved");
    let view = saved.profile.expect("saved");
    assert!(!view.active, "demo stays active until the agent switches");
    assert!(saved.secret_notice.is_none());

    let refreshed = service.refresh_catalog("lab".into()).await.expect("catalog");
    assert_eq!(refreshed.offerings, 47);
    assert!(refreshed.version.starts_with("lab@"), "{}", refreshed.version);
    assert_eq!(service.cached_catalog().version.as_deref(), Some(refreshed.version.as_str()));

    let views = service.set_active_profile("lab".into()).await.expect("active");
    let active: Vec<&str> = views.iter().filter(|v| v.active).map(|v| v.name.as_str()).collect();
    assert_eq!(active, ["lab"]);
    let demo = views.iter().find(|v| v.name == "demo").expect("demo kept");
    assert!(demo.demo);

    // A draft submitted now goes to the new active profile, without a restart, and the
    // sync engine sends it there.
    let id = common::valid_draft(&service, "C-9", "Ada Lab").await;
    let queued = service.submit(id.clone()).await.expect("submit");
    assert_eq!(queued.profile, "lab");
    service.sync_now().await.expect("sync");
    let check = orderdesk_client::Client::new(
        orderdesk_client::Profile::new("check", server.base_url_v4()),
        None,
    )
    .expect("client");
    let on_lab = check.list_orders(&[]).await.expect("orders on the lab server");
    assert_eq!(on_lab.len(), 1, "the order reached the new active server");

    // A stopped server: the test reports it, nothing panics.
    let server_url = server.base_url_v4();
    server.shutdown().await;
    let lab = input("lab", &server_url);
    let report = service.test_connection(lab).await.expect("tested");
    assert!(!report.ok);
    assert!(report.lines[0].starts_with("Order API: cannot reach"), "{:?}", report.lines);
    service.stop_demo().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_goes_to_the_keyring_or_the_agent_is_told_about_the_fallback() {
    let dir = tempfile::tempdir().expect("temp dir");
    let service = Service::open(dir.path().to_path_buf()).expect("open");
    let name = format!("kr-{}", std::process::id());
    let mut bearer = input(&name, "https://orders.example/tmf-api/productOrderingManagement/v4/");
    bearer.auth_mode = AuthMode::Bearer;
    let secret = "Sup3r-Secret-Token-Value";
    bearer.secret = secret.into();
    let saved = service.save_profile(bearer).await.expect("answer");
    assert!(saved.errors.is_empty(), "{:?}", saved.errors);
    let view = saved.profile.clone().expect("the profile is saved in any case");
    let env = format!("ORDERDESK_SECRET_KR_{}", std::process::id());
    assert_eq!(view.secret_env, env);
    match &saved.secret_notice {
        // No keyring service on this machine (CI, Xvfb): the agent learns the fallback.
        Some(notice) => {
            assert!(notice.contains(&env), "{notice}");
            assert!(notice.contains("keychain"), "{notice}");
            assert_eq!(view.secret, SecretState::Unavailable);
        }
        None => assert_eq!(view.secret, SecretState::Keyring),
    }
    // The secret is never in what the UI receives, nor in the database files.
    let shown = serde_json::to_string(&service.list_profiles().await.expect("list")).expect("json");
    assert!(!shown.contains(secret));
    let status = serde_json::to_string(&service.status().await.expect("status")).expect("json");
    assert!(!status.contains(secret));
    drop(service);
    for entry in std::fs::read_dir(dir.path()).expect("data dir") {
        let bytes = std::fs::read(entry.expect("entry").path()).unwrap_or_default();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the secret reached a database file"
        );
    }
    // Leave no keyring entry behind where a keyring exists.
    if saved.secret_notice.is_none() {
        let service = Service::open(dir.path().to_path_buf()).expect("reopen");
        service.remove_profile(name).await.expect("removed");
    }
}

/// The "no keyring" path, forced on any Linux machine: this test runs itself again in a child
/// process whose D-Bus session address leads nowhere, so the OS keyring (Secret Service) cannot
/// be reached for real. The profile is saved anyway and the agent is told about the fallback.
#[cfg(target_os = "linux")]
#[test]
fn without_a_reachable_keyring_the_profile_is_saved_and_the_fallback_named() {
    const CHILD: &str = "ORDERDESK_TEST_NO_KEYRING_CHILD";
    if std::env::var_os(CHILD).is_none() {
        let exe = std::env::current_exe().expect("test binary");
        let out = std::process::Command::new(exe)
            .args([
                "--exact",
                "without_a_reachable_keyring_the_profile_is_saved_and_the_fallback_named",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/orderdesk-test-bus")
            .output()
            .expect("child test runs");
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
        assert!(said.contains("1 passed"), "{said}");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let service = Service::open(dir.path().to_path_buf()).expect("open");
        let mut oauth =
            input("lab-2", "https://orders.example/tmf-api/productOrderingManagement/v5/");
        oauth.auth_mode = AuthMode::OAuth2;
        oauth.token_url = "https://auth.example/oauth/token".into();
        oauth.client_id = "agent-7".into();
        oauth.secret = "client-secret-value".into();
        let saved = service.save_profile(oauth).await.expect("answer");
        assert!(saved.errors.is_empty(), "{:?}", saved.errors);
        let notice = saved.secret_notice.expect("the agent is told the secret was not kept");
        assert!(notice.contains("ORDERDESK_SECRET_LAB_2"), "{notice}");
        assert!(notice.contains("never written to the local database"), "{notice}");
        let view = saved.profile.expect("the rest of the profile is saved");
        assert_eq!(view.secret, SecretState::Unavailable);
        assert_eq!(view.client_id.as_deref(), Some("agent-7"));
        // A connection test without a secret anywhere says where to put one.
        let mut probe = input("lab-2", &view.base_url);
        probe.editing = Some("lab-2".into());
        probe.auth_mode = AuthMode::OAuth2;
        probe.token_url = "https://auth.example/oauth/token".into();
        probe.client_id = "agent-7".into();
        let report = service.test_connection(probe).await.expect("tested");
        assert!(!report.ok);
        assert!(report.lines[0].contains("ORDERDESK_SECRET_LAB_2"), "{:?}", report.lines);
    });
}

/// Secrets filed in memory, behind the service's `SecretStore` seam: this machine may have no
/// OS keyring, and what is checked here (which origins a secret goes to) is the service's,
/// whichever store files the secret.
#[derive(Default)]
struct Filed(std::sync::Mutex<std::collections::HashMap<String, Secret>>);

impl Filed {
    fn holds(&self, profile: &str) -> bool {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).contains_key(profile)
    }
}

impl orderdesk_service::SecretStore for Filed {
    fn put(&self, profile: &str, secret: &Secret) -> Result<(), orderdesk_client::ClientError> {
        let mut filed = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        filed.insert(profile.to_owned(), secret.clone());
        Ok(())
    }

    fn get(&self, profile: &str) -> Result<Option<Secret>, orderdesk_client::ClientError> {
        let filed = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(filed.get(profile).cloned())
    }

    fn delete(&self, profile: &str) {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(profile);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_secret_goes_only_to_the_origins_it_was_entered_for() {
    const TOKEN: &str = "origin-bound-token";
    let bearer = || orderdesk_server::ServerConfig {
        auth: orderdesk_server::AuthMode::Bearer { token: TOKEN.into() },
        ..orderdesk_server::ServerConfig::default()
    };
    let first = orderdesk_server::start(bearer()).await.expect("first server");
    // Another server (another port: another origin) that takes the same token: a secret that
    // followed the profile there would be accepted, and the order would arrive.
    let other = orderdesk_server::start(bearer()).await.expect("other server");
    let dir = tempfile::tempdir().expect("temp dir");
    let filed = std::sync::Arc::new(Filed::default());
    let service = Service::open_with_secrets(dir.path().join("data"), filed.clone()).expect("open");
    service.start_demo().await.expect("demo");
    let views = service.list_profiles().await.expect("list");
    let demo = views.iter().find(|v| v.demo).expect("demo profile");
    assert_eq!(demo.secret, SecretState::AppSession, "the demo token is this run's, in memory");

    // Plain http is fine for a secret only on this machine; no credentials inside a URL.
    let mut clear = input("plain", "http://orders.example/tmf/v4/");
    clear.auth_mode = AuthMode::Bearer;
    clear.secret = "s3cret".into();
    let refused = service.save_profile(clear.clone()).await.expect("answer");
    assert_eq!(fields(&refused), ["orderUrl"]);
    assert!(refused.errors[0].message.contains("use https"), "{:?}", refused.errors);
    clear.order_url = "https://agent:pw@orders.example/tmf/v4/".into();
    let refused = service.save_profile(clear).await.expect("answer");
    assert_eq!(fields(&refused), ["orderUrl"]);
    assert!(refused.errors[0].message.contains("no credentials"), "{:?}", refused.errors);

    let mut lab = input("lab", &first.base_url_v4());
    lab.auth_mode = AuthMode::Bearer;
    // A profile not saved yet has no stored secret, whatever the store holds under its name.
    orderdesk_service::SecretStore::put(filed.as_ref(), "lab", &Secret::new(TOKEN)).expect("put");
    let report = service.test_connection(lab.clone()).await.expect("tested");
    assert!(!report.ok);
    assert!(report.lines[0].contains("no secret is stored"), "{:?}", report.lines);
    lab.secret = TOKEN.into();
    let saved = service.save_profile(lab.clone()).await.expect("answer");
    assert!(saved.errors.is_empty(), "{:?}", saved.errors);
    let view = saved.profile.expect("saved on loopback http");
    assert_eq!(view.secret, SecretState::Keyring);
    let first_origin = first.base_url_v4().split("/tmf-api").next().unwrap_or_default().to_owned();
    assert_eq!(view.secret_origins, [first_origin]);
    assert!(!saved.secret_cleared);

    // Another path on the same origin keeps the stored secret.
    let mut edit = ProfileInput { editing: Some("lab".into()), secret: String::new(), ..lab };
    edit.order_url = first.base_url_v5();
    let saved = service.save_profile(edit.clone()).await.expect("answer");
    assert!(!saved.secret_cleared);
    assert_eq!(saved.profile.expect("saved").secret, SecretState::Keyring);
    let report = service.test_connection(edit.clone()).await.expect("tested");
    assert!(report.ok, "the stored secret still goes to its server: {:?}", report.lines);

    // Another origin with no secret typed: the test asks for it, the save removes it.
    edit.order_url = other.base_url_v4();
    let report = service.test_connection(edit.clone()).await.expect("tested");
    assert!(!report.ok);
    assert!(report.lines[0].contains("enter the secret again"), "{:?}", report.lines);
    let saved = service.save_profile(edit.clone()).await.expect("answer");
    assert!(saved.errors.is_empty(), "{:?}", saved.errors);
    assert!(saved.secret_cleared, "the agent is told the secret is gone");
    assert_eq!(saved.profile.expect("saved").secret, SecretState::Missing);
    assert!(!filed.holds("lab"));

    // The next request to the new server carries no credential: an order for `lab` waits.
    service.set_active_profile("lab".into()).await.expect("active");
    let draft = common::valid_draft(&service, "C-7", "Ada Origin").await;
    service.submit(draft).await.expect("submit");
    service.sync_now().await.expect("sync");
    let check = orderdesk_client::Client::new(
        orderdesk_client::Profile {
            auth: orderdesk_client::AuthConfig::Bearer,
            ..orderdesk_client::Profile::new("check", other.base_url_v4())
        },
        Some(Secret::new(TOKEN)),
    )
    .expect("client");
    assert!(check.list_orders(&[]).await.expect("orders").is_empty(), "no secret went there");
    let entries = service.outbox().await.expect("outbox");
    let waiting = entries.iter().find(|e| e.profile == "lab").expect("the entry waits");
    let why = waiting.last_error.as_deref().unwrap_or_default();
    assert!(why.contains("no secret is stored"), "{why}");

    // Entered again for the new server, it goes there.
    edit.secret = TOKEN.into();
    let saved = service.save_profile(edit).await.expect("answer");
    assert!(!saved.secret_cleared);
    assert_eq!(saved.profile.expect("saved").secret, SecretState::Keyring);
    service.retry_entry(waiting.id.clone()).await.expect("retry");
    service.sync_now().await.expect("sync");
    assert_eq!(check.list_orders(&[]).await.expect("orders").len(), 1, "sent with the new secret");
    service.stop_demo().await;
    first.shutdown().await;
    other.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_profile_is_checked_by_the_client_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let filed = std::sync::Arc::new(Filed::default());
    let service = Service::open_with_secrets(dir.path().join("data"), filed.clone()).expect("open");
    let mut profile = orderdesk_client::Profile::new("lab", "https://orders.example/tmf/v4/");
    profile.headers.insert("X-Api-Key".into(), "abc".into());
    let err = service.put_profile(profile.clone(), String::new()).await.expect_err("refused");
    assert_eq!(err.code(), "client.bad_profile");
    assert!(err.to_string().contains("header X-Api-Key"), "{err}");
    profile.headers.clear();
    profile.auth = orderdesk_client::AuthConfig::Bearer;
    let saved = service.put_profile(profile.clone(), "t0ken".into()).await.expect("saved");
    assert!(filed.holds("lab") && !saved.secret_cleared);
    // Replaced with another host and no secret: the stored one goes.
    profile.order_url = "https://elsewhere.example/tmf/v4/".into();
    let saved = service.put_profile(profile, String::new()).await.expect("saved");
    assert!(saved.secret_cleared);
    assert!(!filed.holds("lab"));
}
