// The reference server (`orderdesk-server`, built by run.sh) as a separate process on
// 127.0.0.1, so a spec can stop it and start it again on the same port and database.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { createInterface } from "node:readline";

const need = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the specs through tests/e2e/run.sh`);
  return value;
};

// A port that was free a moment ago on 127.0.0.1.
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// Starts the server on 127.0.0.1:`port` with its orders in `db` (kept across restarts) and
// any further flags in `args` (e.g. its lifecycle's timings); resolves once it printed the
// address it is bound to.
export async function startServer(port, db, args = []) {
  const child = spawn(need("E2E_SERVER"), ["--addr", `127.0.0.1:${port}`, "--db", db, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let errors = "";
  child.stderr.on("data", (d) => (errors += d));
  const lines = createInterface({ input: child.stdout });
  const bound = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`orderdesk-server did not start: ${errors}`)), 30_000);
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`orderdesk-server exited (${code}): ${errors}`));
    });
  });
  const base = `http://${bound}`;
  return {
    base,
    orderUrl: `${base}/tmf-api/productOrderingManagement/v4/`,
    catalogUrl: `${base}/tmf-api/productCatalogManagement/v4/`,
    // Stops the process (SIGTERM: a graceful shutdown) and waits until it is gone.
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
