//! Runs the built `orderdesk` binary on fixture files: exit codes, JSON shape, stdin, bad input.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_orderdesk"));
    c.env_remove("ORDERDESK_DB");
    c
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/orders").join(name)
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap_or_else(|e| panic!("cannot run orderdesk: {e}"))
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run orderdesk: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input).unwrap_or_else(|e| panic!("cannot write stdin: {e}"));
    }
    child.wait_with_output().unwrap_or_else(|e| panic!("orderdesk did not finish: {e}"))
}

fn json_out(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&o.stdout))
    })
}

fn read_fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("orderdesk-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    path
}

fn path_str(p: &std::path::Path) -> String {
    p.to_string_lossy().into_owned()
}

#[test]
fn convert_v4_to_v5_matches_the_v5_fixture() {
    let o = run(&["convert", &path_str(&fixture("tmf25-bundle.v4.json")), "--to", "v5"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(json_out(&o), read_fixture("tmf25-bundle.v5.json"));
}

/// A v5 customer given as a party role becomes v4's flat related party (valid v4: it has an
/// id and an `@referredType`), and what v4 has no room for is named on stderr.
#[test]
fn convert_to_v4_flattens_a_party_role_and_says_what_is_lost() {
    let order = serde_json::json!({"@type": "ProductOrder",
        "productOrderItem": [{"id": "1", "action": "add", "@type": "ProductOrderItem"}],
        "relatedParty": [{"role": "Customer", "@type": "RelatedPartyRefOrPartyRoleRef",
            "partyOrPartyRole": {"id": "CR-1", "name": "Ada", "partyId": "P-9",
                "@type": "PartyRoleRef", "@referredType": "CustomerAccount"}}]});
    let o = run_stdin(&["convert", "-", "--to", "v4"], order.to_string().as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v4 = json_out(&o);
    assert_eq!(
        v4["relatedParty"][0],
        serde_json::json!({"role": "Customer", "id": "CR-1", "name": "Ada",
            "@referredType": "CustomerAccount"})
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("convert.not_carried")
            && stderr.contains("/relatedParty/0/partyOrPartyRole/partyId"),
        "{stderr}"
    );
}

#[test]
fn convert_reads_stdin_and_keeps_exact_numbers() {
    let input = std::fs::read(fixture("tmf25-vendor-extensions.v4.json")).unwrap_or_default();
    let o = run_stdin(&["convert", "-", "--to", "v5"], &input);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("0.1234567890123456789"), "{text}");
    assert!(text.contains("20.00"), "{text}");
    let back = run_stdin(&["convert", "-", "--to", "v4"], &o.stdout);
    assert_eq!(back.status.code(), Some(0));
    let v = json_out(&back);
    assert_eq!(
        v["orderCharacteristics"],
        read_fixture("tmf25-vendor-extensions.v4.json")["orderCharacteristics"]
    );
}

#[test]
fn check_clean_order_exits_zero() {
    // The sample asks for a start and a completion in 2024: advice that both have passed.
    let o = run(&["check", &path_str(&fixture("tmf25-bundle.v4.json"))]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("ok (0 errors, 2 warnings)"), "{text}");
    let o = run(&["--json", "check", &path_str(&fixture("tmf25-bundle.v5.json"))]);
    assert_eq!(o.status.code(), Some(0));
    let v = json_out(&o);
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .map(|f| f.iter().filter_map(|f| f["code"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(codes, ["date.past", "date.past"], "{v}");
}

#[test]
fn check_reports_oddities_as_findings_with_a_consistent_exit_code() {
    let o = run(&["check", "--json", &path_str(&fixture("tolerant-oddities.v4.json"))]);
    let v = json_out(&o);
    let findings = v["findings"].as_array().cloned().unwrap_or_default();
    assert!(!findings.is_empty());
    for f in &findings {
        let keys: Vec<&String> = f.as_object().map(|m| m.keys().collect()).unwrap_or_default();
        assert_eq!(keys, ["severity", "code", "path", "message"]);
        assert!(f["severity"] == "warning" || f["severity"] == "error", "{f}");
    }
    let has_error = findings.iter().any(|f| f["severity"] == "error");
    assert_eq!(o.status.code(), Some(if has_error { 1 } else { 0 }));
    // The "EUT" next to "EUR" is located.
    assert!(
        findings.iter().any(|f| f["path"]
            .as_str()
            .is_some_and(|p| p.starts_with("/productOrderItem/0/itemPrice/1/price"))),
        "{findings:?}"
    );
    // The odd @type spelling is reported, not fatal.
    assert!(findings.iter().any(|f| f["path"] == "/@type" && f["severity"] == "warning"));
}

#[test]
fn check_errors_exit_one_with_paths() {
    let bad = br#"{"productOrderItem":[{"id":"1","quantity":0},{"id":"1","action":"add"}]}"#;
    let o = run_stdin(&["--json", "check", "-"], bad);
    assert_eq!(o.status.code(), Some(1));
    let v = json_out(&o);
    // Located by JSON pointer; codes are stable dotted names.
    let errors: Vec<(String, String)> = v["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_owned(),
                f["path"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    for path in
        ["/productOrderItem/0/action", "/productOrderItem/0/quantity", "/productOrderItem/1/id"]
    {
        assert!(errors.iter().any(|(_, p)| p == path), "no error at {path}: {errors:?}");
    }
    assert!(errors.iter().all(|(c, _)| c.contains('.') && c == &c.to_ascii_lowercase()));
    // Human mode prints the same findings as lines, then a verdict.
    let o = run_stdin(&["check", "-"], bad);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    let (code, path) = &errors[0];
    assert!(text.contains(&format!("error[{code}] {path}")), "{text}");
    assert!(text.contains(&format!("has errors ({} errors", errors.len())), "{text}");
    // JSON that is not an object is readable but not an order.
    let o = run_stdin(&["--json", "check", "-"], b"[1, 2]");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json_out(&o)["findings"][0]["code"], "order.not_object");
}

fn assert_error_body(o: &Output, code: &str) {
    assert_eq!(o.status.code(), Some(2), "stderr: {}", String::from_utf8_lossy(&o.stderr));
    let v = json_out(o);
    let keys: Vec<&String> = v.as_object().map(|m| m.keys().collect()).unwrap_or_default();
    assert_eq!(keys, ["code", "message"]);
    assert_eq!(v["code"], code, "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[test]
fn unreadable_and_non_json_inputs_exit_two() {
    let missing = std::env::temp_dir().join("orderdesk-no-such-file.json");
    assert_error_body(&run(&["--json", "check", &path_str(&missing)]), "input.unreadable");
    assert_error_body(
        &run(&["convert", "--json", &path_str(&missing), "--to", "v4"]),
        "input.unreadable",
    );

    let not_json = temp_file("not-json.json", b"productOrderItem: yes");
    assert_error_body(&run(&["--json", "check", &path_str(&not_json)]), "input.not_json");
    let truncated = temp_file("truncated.json", br#"{"productOrderItem":[{"id":"1","#);
    assert_error_body(&run(&["--json", "check", &path_str(&truncated)]), "input.not_json");
    let binary = temp_file("binary.json", &[0x7b, 0xff, 0x00, 0xfe, 0x01]);
    assert_error_body(&run(&["--json", "check", &path_str(&binary)]), "input.not_json");
    let empty = temp_file("empty.json", b"");
    assert_error_body(&run(&["--json", "check", &path_str(&empty)]), "input.not_json");
    assert_error_body(&run_stdin(&["--json", "convert", "-", "--to", "v5"], b"[]"), "wire.shape");

    // Human mode: the message goes to stderr with the code, nothing on stdout.
    let o = run(&["check", &path_str(&truncated)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error[input.not_json]"));
}

#[test]
fn usage_errors_exit_two_and_db_is_accepted() {
    assert_eq!(run(&["convert", "x.json"]).status.code(), Some(2), "--to is required");
    assert_eq!(run(&["convert", "x.json", "--to", "v6"]).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(run(&["--help"]).status.code(), Some(0));
    let f = path_str(&fixture("tmf25-bundle.v4.json"));
    assert_eq!(run(&["--db", "/tmp/orderdesk-test.db", "check", &f]).status.code(), Some(0));
    let o = bin().env("ORDERDESK_DB", "/tmp/orderdesk-test.db").args(["check", &f]).output();
    assert_eq!(o.ok().and_then(|o| o.status.code()), Some(0));
}
