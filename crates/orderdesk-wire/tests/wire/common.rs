//! Helpers shared by the test modules.

use std::path::PathBuf;

use serde_json::Value;

/// `/work/shared/tmf`, resolved from the crate directory.
pub fn tmf_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tmf");
    assert!(
        dir.is_dir(),
        "the official TMF specs are expected in {} (the shared/ folder next to the repository); \
         tests that read the specs cannot run without them",
        dir.display()
    );
    dir
}

/// Reads a file under the spec folder.
pub fn read_spec(name: &str) -> String {
    let path = tmf_dir().join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read spec file {}: {e}", path.display()))
}

/// Reads a YAML spec as JSON.
pub fn read_yaml_spec(name: &str) -> Value {
    serde_norway::from_str::<Value>(&read_spec(name))
        .unwrap_or_else(|e| panic!("{name} is not valid YAML: {e}"))
}

/// Reads a JSON file keeping exact numbers.
pub fn read_json(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// A fixture under `assets/orders/`.
pub fn fixture(name: &str) -> Value {
    read_json(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/orders").join(name))
}

/// Every fixture file name under `assets/orders/`.
pub fn fixture_names() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/orders");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// Whether `small` is contained in `big`, allowing `big` to have extra `@type` members only.
/// Returns the JSON pointer of the first difference.
pub fn contained_except_types(small: &Value, big: &Value, path: &str) -> Result<(), String> {
    match (small, big) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let p = format!("{path}/{k}");
                match b.get(k) {
                    Some(w) => contained_except_types(v, w, &p)?,
                    None => return Err(format!("{p} lost")),
                }
            }
            for k in b.keys() {
                if !a.contains_key(k) && k != "@type" {
                    return Err(format!("{path}/{k} added"));
                }
            }
            Ok(())
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Err(format!("{path}: array length {} became {}", a.len(), b.len()));
            }
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                contained_except_types(v, w, &format!("{path}/{i}"))?;
            }
            Ok(())
        }
        (a, b) if a == b => Ok(()),
        (a, b) => Err(format!("{path}: {a} became {b}")),
    }
}
