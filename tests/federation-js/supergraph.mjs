// What gateway.mjs (the composition test) and serve.mjs (the gateway the
// benchmark loads) share: the hub's SDL, a small "county" subgraph that
// refers to hub participants, and an Apollo Gateway composing both.
import http from "node:http";
import { ApolloGateway, LocalCompose, RemoteGraphQLDataSource } from "@apollo/gateway";
import { parse } from "graphql";

/** The hub's federation SDL (`_service { sdl }`). */
export async function hubSdl(hubUrl, token) {
  const response = await fetch(hubUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: "{ _service { sdl } }" }),
  });
  const body = await response.json();
  if (!body.data?._service?.sdl) throw new Error(`no SDL from the hub: ${JSON.stringify(body)}`);
  return body.data._service.sdl;
}

export const countySdl = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
  type Query { countyReferrals: [Referral!]! }
  "A county referral of a youth the hub knows."
  type Referral { id: ID! participant: Participant }
  type Participant @key(fields: "id", resolvable: false) { id: ID! }
`;

/** The county subgraph: whatever the gateway asks, the referrals of `ids`. */
export function startCounty(ids) {
  const answer = JSON.stringify({
    data: {
      countyReferrals: ids.map((id, i) => ({
        id: `R-${i + 1}`,
        participant: { __typename: "Participant", id },
      })),
    },
  });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(answer);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/**
 * An Apollo Gateway over the hub and the county. Requests to the hub carry
 * the caller's Authorization header (`context.authorization`), else
 * `Bearer ${token}`.
 */
export async function composeGateway({ hubUrl, token, county }) {
  const countyUrl = `http://127.0.0.1:${county.address().port}/graphql`;
  return new ApolloGateway({
    supergraphSdl: new LocalCompose({
      localServiceList: [
        { name: "hub", url: hubUrl, typeDefs: parse(await hubSdl(hubUrl, token)) },
        { name: "county", url: countyUrl, typeDefs: parse(countySdl) },
      ],
    }),
    buildService({ url }) {
      return new RemoteGraphQLDataSource({
        url,
        willSendRequest({ request, context }) {
          request.http.headers.set("authorization", context?.authorization ?? `Bearer ${token}`);
        },
      });
    },
    logger: { debug() {}, info() {}, warn: console.error, error: console.error },
  });
}
