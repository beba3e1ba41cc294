import { mount } from "svelte";
import App from "./App.svelte";
import { peekInitialSettings } from "./lib/backend/ipc";
import { applyLook } from "./lib/stores/settings.svelte";
import "./app.css";

const target = document.getElementById("app");
if (!target) {
  throw new Error("index.html has no #app element");
}

// The first screen is painted in the agent's language and theme, from the settings the shell
// handed the page; without them (a reload), in the system's until the backend answers.
applyLook(peekInitialSettings());

export default mount(App, { target });
