// Sends a list of GraphQL requests through one gateway over the hub and
// the county subgraph (supergraph.mjs), so that a test can compare the
// hub's own answers with what a client of Apollo Gateway or of Hive Gateway
// receives.
//
// Environment: HUB_URL (…/graphql), HUB_TOKEN (fetches the hub's SDL; also
// sent to the hub for a request without a token), PARTICIPANT_IDS
// (comma-separated hub ids the county refers to; may be empty), GATEWAY
// ("apollo" or "hive").
//
// Standard input: a JSON array of requests,
//   [{ "token": "...", "query": "...", "variables": {...}, "operationName": "..." }]
// (variables and operationName optional; each token is sent by the client as
// `Authorization: Bearer <token>` and passed on to the hub).
//
// Prints exactly one line on stdout, {"results": [answer, ...]}, each answer
// the JSON body a client receives ({data, errors, ...}); logs go to stderr.
// Exits 1 when composition fails, 2 on bad input.
//
//   GATEWAY=apollo: Apollo Server 5 + Apollo Gateway (composeGateway), each
//     request executed in process with server.executeOperation.
//   GATEWAY=hive: Hive Gateway's runtime (composeHiveGateway) over a
//     supergraph composed by @theguild/federation-composition, each request
//     sent in process with gateway.fetch.
import { ApolloServer } from "@apollo/server";
import { composeGateway, composeHiveGateway, startCounty } from "./supergraph.mjs";

// stdout carries the one result line only: anything a library logs goes
// to stderr.
const stdout = process.stdout;
console.log = console.info = console.debug = console.error;

const hubUrl = process.env.HUB_URL;
const token = process.env.HUB_TOKEN;
const ids = (process.env.PARTICIPANT_IDS || "").split(",").filter(Boolean);
const which = process.env.GATEWAY;

function fail(code, message) {
  console.error(`pages.mjs: ${message}`);
  process.exit(code);
}

if (!hubUrl) fail(2, "HUB_URL is not set");
if (which !== "apollo" && which !== "hive") fail(2, `GATEWAY must be "apollo" or "hive", not ${JSON.stringify(which)}`);

let requests;
try {
  let input = "";
  for await (const chunk of process.stdin) input += chunk;
  requests = JSON.parse(input);
} catch (e) {
  fail(2, `standard input is not JSON: ${e.message}`);
}
if (!Array.isArray(requests) || requests.some((r) => typeof r?.query !== "string")) {
  fail(2, 'standard input must be a JSON array of {"token", "query", "variables"}');
}

const authorization = (request) => (request.token ? `Bearer ${request.token}` : undefined);

/** Apollo: {send(request) -> answer, stop()}. */
async function apollo(county) {
  const gateway = await composeGateway({ hubUrl, token, county });
  const server = new ApolloServer({
    gateway,
    // As served in production: no stack traces in errors' extensions.
    includeStacktraceInErrorResponses: false,
  });
  await server.start(); // loads the gateway: composition fails here
  return {
    async send(request) {
      const response = await server.executeOperation(
        { query: request.query, variables: request.variables, operationName: request.operationName },
        { contextValue: { authorization: authorization(request) } },
      );
      if (response.body.kind !== "single") throw new Error("an incremental answer");
      return response.body.singleResult;
    },
    stop: () => server.stop(),
  };
}

/** Hive: {send(request) -> answer, stop()}. */
async function hive(county) {
  const gateway = await composeHiveGateway({ hubUrl, token, county });
  return {
    async send(request) {
      const headers = { "content-type": "application/json", accept: "application/json" };
      if (request.token) headers.authorization = authorization(request);
      const response = await gateway.fetch("http://localhost/graphql", {
        method: "POST",
        headers,
        body: JSON.stringify({
          query: request.query,
          variables: request.variables,
          operationName: request.operationName,
        }),
      });
      const text = await response.text();
      try {
        return JSON.parse(text);
      } catch {
        throw new Error(`Hive Gateway answered HTTP ${response.status}, not JSON: ${text}`);
      }
    },
    stop: () => gateway.dispose(),
  };
}

const county = await startCounty(ids);
let gateway;
try {
  gateway = await (which === "apollo" ? apollo : hive)(county);
} catch (e) {
  console.error(`pages.mjs: ${which} gateway failed to compose or start:`, e);
  county.close();
  process.exit(1);
}

let failed = false;
try {
  const results = [];
  for (const request of requests) results.push(await gateway.send(request));
  // JSON.stringify drops what a client would not see (undefined members).
  await new Promise((resolve) => stdout.write(`${JSON.stringify({ results })}\n`, resolve));
} catch (e) {
  console.error(`pages.mjs: a request through ${which} failed:`, e);
  failed = true;
} finally {
  await gateway.stop();
  county.close();
}
if (failed) process.exit(3);
