// Composes the running hub's federation SDL (`_service { sdl }`) with a
// small "county" subgraph that refers to hub participants, then sends a
// query through an Apollo Gateway: the county answers referrals, the hub
// resolves their participants through `_entities`.
//
// Environment: HUB_URL (…/graphql), HUB_TOKEN (sent by the gateway to the
// hub), PARTICIPANT_IDS (comma-separated hub ids the county refers to).
// Prints {"composed": true, "result": {...}} on stdout; exits non-zero on
// a composition or transport failure.
import { parse } from "graphql";
import { composeGateway, startCounty } from "./supergraph.mjs";

const hubUrl = process.env.HUB_URL;
const token = process.env.HUB_TOKEN;
const ids = (process.env.PARTICIPANT_IDS || "").split(",").filter(Boolean);

const county = await startCounty(ids);
const gateway = await composeGateway({ hubUrl, token, county });

try {
  const { schema, executor } = await gateway.load();
  // A county field with hub entities in it, and a hub root field.
  const source =
    "query Referrals { countyReferrals { id participant { id givenName } } viewer { subject } }";
  const document = parse(source);
  const operation = document.definitions[0];
  const result = await executor({
    request: { query: source, operationName: "Referrals", variables: {}, http: { headers: new Map() } },
    source,
    queryHash: "referrals-v1",
    document,
    operation,
    operationName: "Referrals",
    schema,
    context: {},
    metrics: {},
    cache: undefined,
    logger: console,
    overallCachePolicy: { restrict() {}, replace() {}, policyIfCacheable() { return null; } },
  });
  console.log(JSON.stringify({ composed: true, result }));
} finally {
  await gateway.stop();
  county.close();
}
