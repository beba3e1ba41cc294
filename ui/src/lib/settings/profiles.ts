// Server profile form logic: the form's values from a saved profile and back, and the words
// the Settings screen uses for where a secret comes from. The backend checks every field;
// this module only shapes what the form shows.
import type { AuthMode, ProfileInput, ProfileView, SecretState, VersionChoice } from "../backend/ipc";
import { m } from "../paraglide/messages.js";

export type { AuthMode };

/** The form's values (as the inputs hold them). */
export interface ProfileForm {
  editing: string | null;
  name: string;
  orderUrl: string;
  catalogUrl: string;
  customerUrl: string;
  inventoryUrl: string;
  version: VersionChoice;
  authMode: AuthMode;
  tokenUrl: string;
  clientId: string;
  scope: string;
  secret: string;
}

export function emptyForm(): ProfileForm {
  return {
    editing: null,
    name: "",
    orderUrl: "",
    catalogUrl: "",
    customerUrl: "",
    inventoryUrl: "",
    version: "auto",
    authMode: "none",
    tokenUrl: "",
    clientId: "",
    scope: "",
    secret: "",
  };
}

/** The form for editing a saved profile; the secret field starts empty (keep the stored one). */
export function formFromProfile(p: ProfileView): ProfileForm {
  return {
    editing: p.name,
    name: p.name,
    orderUrl: p.baseUrl,
    catalogUrl: p.catalogUrl ?? "",
    customerUrl: p.customerUrl ?? "",
    inventoryUrl: p.inventoryUrl ?? "",
    version: p.tmfVersion,
    authMode: p.authMode,
    tokenUrl: p.tokenUrl ?? "",
    clientId: p.clientId ?? "",
    scope: p.scope ?? "",
    secret: "",
  };
}

/** What the backend receives: fields the chosen auth mode does not use are sent empty. */
export function toInput(form: ProfileForm): ProfileInput {
  const oauth = form.authMode === "oauth2";
  const usesClient = oauth || form.authMode === "headers";
  return {
    editing: form.editing,
    name: form.name.trim(),
    orderUrl: form.orderUrl.trim(),
    catalogUrl: form.catalogUrl.trim(),
    customerUrl: form.customerUrl.trim(),
    inventoryUrl: form.inventoryUrl.trim(),
    version: form.version,
    authMode: form.authMode,
    tokenUrl: oauth ? form.tokenUrl.trim() : "",
    clientId: usesClient ? form.clientId.trim() : "",
    scope: oauth ? form.scope.trim() : "",
    secret: form.authMode === "none" ? "" : form.secret,
  };
}

/** Whether the auth mode needs a secret, and what it is called. */
export function secretLabel(mode: AuthMode): string | null {
  switch (mode) {
    case "bearer":
      return m.auth_bearer();
    case "oauth2":
    case "headers":
      return m.profile_client_secret();
    default:
      return null;
  }
}

/** Where the secret comes from, for the profile table (never the secret itself). */
export function secretText(state: SecretState, envVar: string): string {
  switch (state) {
    case "not-needed":
      return "—";
    case "keyring":
      return m.secret_keyring();
    case "environment":
      return m.secret_environment({ variable: envVar });
    case "missing":
      return m.secret_missing();
    case "unavailable":
      return m.secret_unavailable({ variable: envVar });
    case "app-session":
      return m.secret_app_session();
  }
}

/** A URL's origin (scheme, host and port, as the URL Standard writes it); text that is no URL
 * stands for itself, as the backend counts it. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** Whether saving the form as it is would remove the stored secret: the profile keeps one
 * (the keyring holds it), none is typed, and a URL it would go to has an origin the secret was
 * not entered for. Only a forecast for the form's note: the backend decides (and says so in
 * `secretCleared`). */
export function secretMustBeReentered(form: ProfileForm, saved: ProfileView | null): boolean {
  if (!saved || saved.secret !== "keyring" || form.secret !== "" || secretLabel(form.authMode) === null) {
    return false;
  }
  const input = toInput(form);
  const urls = [input.orderUrl, input.catalogUrl, input.customerUrl ?? "", input.inventoryUrl ?? "", input.tokenUrl].filter(
    (url) => url !== "",
  );
  return urls.some((url) => !saved.secretOrigins.includes(originOf(url)));
}

/** The authentication modes, in the order the form offers them. */
export const AUTH_MODES: readonly AuthMode[] = ["none", "bearer", "oauth2", "headers"];

const AUTH_LABELS: Record<AuthMode, () => string> = {
  none: m.auth_none,
  bearer: m.auth_bearer,
  oauth2: m.auth_oauth2,
  headers: m.auth_headers,
};

/** An authentication mode as people read it; an unknown one shows as it came. */
export function authLabel(mode: string): string {
  return AUTH_LABELS[mode as AuthMode]?.() ?? mode;
}
