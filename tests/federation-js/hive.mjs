// A serving Hive Router for `pathways-hub bench gateway --router hive`:
// composes the supergraph of the hub and the county subgraph
// (supergraph.mjs), starts the router (the Rust federation router,
// `hive-router` from crates.io) on a free port with the client's
// Authorization header propagated to the subgraphs, and prints
// {"url": "http://127.0.0.1:PORT/graphql"} once the router answers. Runs
// until its standard input closes (the bench drops it, or dies), then
// stops the router: a killed node would leave the router running.
//
// Environment: HUB_URL (…/graphql), HUB_TOKEN (fetches the hub's SDL),
// HIVE_ROUTER (the router's binary), PARTICIPANT_IDS (comma-separated hub
// ids the county refers to).
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composeSupergraph, startCounty } from "./supergraph.mjs";

const stdout = process.stdout;
console.log = console.info = console.debug = console.error;

const hubUrl = process.env.HUB_URL;
const token = process.env.HUB_TOKEN;
const binary = process.env.HIVE_ROUTER;
const ids = (process.env.PARTICIPANT_IDS || "").split(",").filter(Boolean);
if (!hubUrl || !binary) {
  console.error("hive.mjs: HUB_URL and HIVE_ROUTER must be set");
  process.exit(2);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const county = await startCounty(ids);
const dir = mkdtempSync(join(tmpdir(), "hive-router-"));
let router;
const stop = () => {
  router?.kill();
  county.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on("end", stop);
process.stdin.on("error", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

try {
  const supergraph = await composeSupergraph({ hubUrl, token, county });
  const port = await freePort();
  writeFileSync(join(dir, "supergraph.graphql"), supergraph);
  writeFileSync(
    join(dir, "router.config.yaml"),
    [
      "supergraph:",
      "  source: file",
      `  path: ${join(dir, "supergraph.graphql")}`,
      "http:",
      "  host: 127.0.0.1",
      `  port: ${port}`,
      "headers:",
      "  all:",
      "    request:",
      "      - propagate:",
      "          named: Authorization",
      "",
    ].join("\n"),
  );
  router = spawn(binary, [], {
    env: { ...process.env, ROUTER_CONFIG_FILE_PATH: join(dir, "router.config.yaml") },
    // The router logs on stdout: to our stderr, not the line the bench reads.
    stdio: ["ignore", 2, 2],
  });
  router.on("exit", (code) => {
    console.error(`hive.mjs: the router exited (${code})`);
    county.close();
    process.exit(1);
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      if ((await response.json())?.data?.__typename) break;
    } catch {}
    if (Date.now() > deadline) throw new Error("Hive Router did not become ready in 60 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  stdout.write(`${JSON.stringify({ url })}\n`);
} catch (e) {
  console.error("hive.mjs:", e);
  router?.kill();
  county.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}
