//! Tauri's build step (configuration, capabilities, embedded assets).

fn main() {
    tauri_build::build();
}
