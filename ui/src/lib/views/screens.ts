// The screens the window does not open on, in a chunk of their own: the first screen (Orders)
// loads and paints without them, and App loads them right after its first paint (or at once,
// when the agent goes to one before that).
export { default as EditorView } from "./EditorView.svelte";
export { default as CatalogView } from "./CatalogView.svelte";
export { default as SettingsView } from "./SettingsView.svelte";
export { default as OrderDetailView } from "./OrderDetailView.svelte";
export { default as SyncView } from "./SyncView.svelte";
