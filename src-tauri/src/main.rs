//! Entry point of the desktop app; everything lives in the library so tests can reach it.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    orderdesk_app::run();
}
