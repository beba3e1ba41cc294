// Every call to the Rust backend goes through this module, so the rest of the UI depends on one
// typed surface. The command wrappers and IPC types come from the generated `bindings.ts`.
export { commands } from "./bindings";
export type { AppInfo } from "./bindings";
