// Server profile form logic: the form's values from a saved profile and back, and the words
// the Settings screen uses for where a secret comes from. The backend checks every field;
// this module only shapes what the form shows.
import type { AuthMode, ProfileInput, ProfileView, SecretState, VersionChoice } from "../backend/ipc";

export type { AuthMode };

/** The form's values (as the inputs hold them). */
export interface ProfileForm {
  editing: string | null;
  name: string;
  orderUrl: string;
  catalogUrl: string;
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
      return "Bearer token";
    case "oauth2":
    case "headers":
      return "Client secret";
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
      return "Stored in the OS keyring";
    case "environment":
      return `From ${envVar}`;
    case "missing":
      return "None stored";
    case "unavailable":
      return `No keyring on this machine; set ${envVar}`;
  }
}

export const AUTH_LABELS: Record<AuthMode, string> = {
  none: "None",
  bearer: "Bearer token",
  oauth2: "OAuth2 client credentials",
  headers: "Client id + secret headers",
};
