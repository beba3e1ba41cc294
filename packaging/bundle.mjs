#!/usr/bin/env node
// Bundles the release build with the pinned Tauri CLI: `node packaging/bundle.mjs --bundles
// deb,rpm [--config JSON]` (on Windows `--bundles msi,nsis`, on macOS `--bundles dmg`), after
// `cargo build --release -p orderdesk-app` (scripts/package.sh does both on Linux).
//
// The app's configuration is the repository's `tauri.conf.json`, whose paths are relative to
// the repository root. The CLI wants the configuration beside the app's Cargo.toml and reads
// its paths from there, so for the time of the run this writes `src-tauri/tauri.conf.json`: the
// same configuration with those paths made absolute. It is removed afterwards (and ignored by
// git); the app's build never reads it (build.rs names the root file).
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const absolute = (path) => (isAbsolute(path) ? path : join(root, path));

const config = JSON.parse(readFileSync(join(root, "tauri.conf.json"), "utf8"));
config.build.frontendDist = absolute(config.build.frontendDist);
config.bundle.icon = config.bundle.icon.map(absolute);
for (const format of ["deb", "rpm", "appimage"]) {
  const files = config.bundle.linux?.[format]?.files ?? {};
  for (const [target, source] of Object.entries(files)) files[target] = absolute(source);
}

// `--bundles a,b` and the rest of the arguments (passed on to `tauri bundle`).
const args = process.argv.slice(2);
const at = args.indexOf("--bundles");
if (at < 0 || !args[at + 1]) {
  console.error("usage: node packaging/bundle.mjs --bundles deb,rpm [--config JSON]");
  process.exit(2);
}
const bundles = args[at + 1].split(/[\s,]+/).filter(Boolean);
const rest = args.filter((_, i) => i !== at && i !== at + 1);

// The CLI marks the app binary with the bundle type it is packed into (the updater installs
// an update the same way), in place. Each bundle starts from the unmarked binary, which is put
// back at the end, so the shared release build stays as cargo made it.
const metadata = spawnSync("cargo", ["metadata", "--format-version", "1", "--no-deps"], { cwd: root, encoding: "utf8" });
if (metadata.status !== 0) {
  console.error(metadata.stderr);
  process.exit(1);
}
const exe = process.platform === "win32" ? ".exe" : "";
const binary = join(JSON.parse(metadata.stdout).target_directory, "release", `${config.mainBinaryName}${exe}`);
const unmarked = `${binary}.unbundled`;
copyFileSync(binary, unmarked);

const generated = join(root, "src-tauri", "tauri.conf.json");
writeFileSync(generated, `${JSON.stringify(config, null, 2)}\n`);
let status = 0;
try {
  const cli = join(root, "packaging", "node_modules", "@tauri-apps", "cli", "tauri.js");
  for (const bundle of bundles) {
    copyFileSync(unmarked, binary);
    const run = spawnSync(process.execPath, [cli, "bundle", "--ci", "--bundles", bundle, ...rest], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, TAURI_APP_PATH: join(root, "src-tauri"), TAURI_FRONTEND_PATH: join(root, "ui") },
    });
    if (run.status !== 0) {
      status = run.status ?? 1;
      break;
    }
  }
} finally {
  rmSync(generated, { force: true });
  copyFileSync(unmarked, binary);
  rmSync(unmarked, { force: true });
}
process.exit(status);
