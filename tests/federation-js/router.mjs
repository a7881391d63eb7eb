// Sends GraphQL requests through Hive Router (the Rust federation router,
// `hive-router` from crates.io) in front of the hub and the county
// subgraph: composes the supergraph with @theguild/federation-composition
// (supergraph.mjs), writes it and the router's configuration to a
// temporary folder, starts the router on a free port with the client's
// Authorization header propagated to the subgraphs, and sends each request
// over HTTP as a partner app would.
//
// Environment: HUB_URL (…/graphql), HUB_TOKEN (fetches the hub's SDL),
// HIVE_ROUTER (the router's binary).
//
// Standard input: {"requests": [{token, query, variables}], "concurrent":
// [{token, query, variables}], "times": N}. `requests` are sent one after
// another; every entry of `concurrent` is sent `times` times, all at once
// and interleaved, to show that identical documents from different viewers
// never share an answer (the router deduplicates in-flight requests).
//
// Prints one line on stdout: {"results": [...], "concurrent": [[...], ...]}
// (concurrent[i] holds the answers to concurrent entry i).
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
if (!hubUrl || !binary) {
  console.error("router.mjs: HUB_URL and HIVE_ROUTER must be set");
  process.exit(2);
}
let input = "";
for await (const chunk of process.stdin) input += chunk;
const { requests = [], concurrent = [], times = 1 } = JSON.parse(input);

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

const county = await startCounty([]);
const dir = mkdtempSync(join(tmpdir(), "hive-router-"));
let router;
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
    // The router logs on stdout: to our stderr, which the test shows on failure.
    stdio: ["ignore", 2, 2],
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  const send = async (request) => {
    const headers = { "content-type": "application/json", accept: "application/json" };
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    const response = await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify({ query: request.query, variables: request.variables ?? {} }),
    });
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`Hive Router answered HTTP ${response.status}, not JSON: ${text}`);
    }
  };
  // Ready when it answers a query (the supergraph loaded).
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const answer = await send({ token, query: "{ __typename }" });
      if (answer?.data?.__typename) break;
    } catch {}
    if (Date.now() > deadline) throw new Error("Hive Router did not become ready in 60 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  const results = [];
  for (const request of requests) results.push(await send(request));
  const all = [];
  for (let t = 0; t < times; t++) {
    concurrent.forEach((request, i) => all.push(send(request).then((answer) => [i, answer])));
  }
  const together = concurrent.map(() => []);
  for (const [i, answer] of await Promise.all(all)) together[i].push(answer);
  await new Promise((resolve) => stdout.write(`${JSON.stringify({ results, concurrent: together })}\n`, resolve));
} catch (e) {
  console.error("router.mjs:", e);
  process.exitCode = 1;
} finally {
  router?.kill();
  county.close();
  rmSync(dir, { recursive: true, force: true });
}
