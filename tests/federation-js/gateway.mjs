// Composes the running hub's federation SDL (`_service { sdl }`) with a
// small "county" subgraph that refers to hub participants, then sends a
// query through an Apollo Gateway: the county answers referrals, the hub
// resolves their participants through `_entities`.
//
// Environment: HUB_URL (…/graphql), HUB_TOKEN (sent by the gateway to the
// hub), PARTICIPANT_IDS (comma-separated hub ids the county refers to).
// Prints {"composed": true, "result": {...}} on stdout; exits non-zero on
// a composition or transport failure.
import http from "node:http";
import { ApolloGateway, LocalCompose, RemoteGraphQLDataSource } from "@apollo/gateway";
import { parse } from "graphql";

const hubUrl = process.env.HUB_URL;
const token = process.env.HUB_TOKEN;
const ids = (process.env.PARTICIPANT_IDS || "").split(",").filter(Boolean);

async function hubSdl() {
  const response = await fetch(hubUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: "{ _service { sdl } }" }),
  });
  const body = await response.json();
  if (!body.data?._service?.sdl) throw new Error(`no SDL from the hub: ${JSON.stringify(body)}`);
  return body.data._service.sdl;
}

const countySdl = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
  type Query { countyReferrals: [Referral!]! }
  "A county referral of a youth the hub knows."
  type Referral { id: ID! participant: Participant }
  type Participant @key(fields: "id", resolvable: false) { id: ID! }
`;

// The county subgraph: whatever the gateway asks, the referrals.
function startCounty() {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const data = {
        countyReferrals: ids.map((id, i) => ({
          id: `R-${i + 1}`,
          participant: { __typename: "Participant", id },
        })),
      };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ data }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(server)),
  );
}

const county = await startCounty();
const countyUrl = `http://127.0.0.1:${county.address().port}/graphql`;
const gateway = new ApolloGateway({
  supergraphSdl: new LocalCompose({
    localServiceList: [
      { name: "hub", url: hubUrl, typeDefs: parse(await hubSdl()) },
      { name: "county", url: countyUrl, typeDefs: parse(countySdl) },
    ],
  }),
  buildService({ url }) {
    return new RemoteGraphQLDataSource({
      url,
      willSendRequest({ request }) {
        request.http.headers.set("authorization", `Bearer ${token}`);
      },
    });
  },
  logger: { debug() {}, info() {}, warn: console.error, error: console.error },
});

try {
  const { schema, executor } = await gateway.load();
  const source = "query Referrals { countyReferrals { id participant { id givenName } } }";
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
