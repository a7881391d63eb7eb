// What gateway.mjs (the composition test), serve.mjs (the gateway the
// benchmark loads) and pages.mjs (requests through a chosen gateway) share:
// the hub's SDL, a small "county" subgraph that refers to hub participants,
// and two gateways composing both: Apollo Gateway and Hive Gateway.
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

/** The GraphQL URL of a county server from `startCounty`. */
export function countyUrl(county) {
  return `http://127.0.0.1:${county.address().port}/graphql`;
}

/** The two subgraphs, named "hub" and "county", with their URLs and SDL. */
async function subgraphs({ hubUrl, token, county }) {
  return [
    { name: "hub", url: hubUrl, typeDefs: parse(await hubSdl(hubUrl, token)) },
    { name: "county", url: countyUrl(county), typeDefs: parse(countySdl) },
  ];
}

/**
 * An Apollo Gateway over the hub and the county. Requests to the hub carry
 * the caller's Authorization header (`context.authorization`), else
 * `Bearer ${token}`.
 */
export async function composeGateway({ hubUrl, token, county }) {
  return new ApolloGateway({
    supergraphSdl: new LocalCompose({
      localServiceList: await subgraphs({ hubUrl, token, county }),
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

/**
 * The supergraph SDL of the hub and the county, composed by The Guild's
 * federation-composition (what Hive Gateway runs). Throws with every
 * composition error.
 */
export async function composeSupergraph({ hubUrl, token, county }) {
  // Imported here, not above, so that gateway.mjs and serve.mjs load only
  // the Apollo packages.
  const { composeServices } = await import("@theguild/federation-composition");
  const result = composeServices(await subgraphs({ hubUrl, token, county }));
  if (result.errors?.length) {
    throw new Error(
      `composition failed:\n${result.errors.map((e) => `  ${e.message}`).join("\n")}`,
    );
  }
  return result.supergraphSdl;
}

/**
 * A Hive Gateway runtime (in process: send it requests with
 * `gateway.fetch(url, init)`, stop it with `gateway.dispose()`) over the
 * supergraph of the hub and the county. Requests to the hub carry the
 * client's Authorization header, else `Bearer ${token}`. Errors are not
 * masked, so subgraph errors reach the client with their message, `path`
 * and `extensions` (code, category, partner, ...) as Apollo Gateway passes
 * them. Logs (warnings and errors only) go to stderr.
 */
export async function composeHiveGateway({ hubUrl, token, county }) {
  const supergraph = await composeSupergraph({ hubUrl, token, county });
  const { createGatewayRuntime } = await import("@graphql-hive/gateway-runtime");
  return createGatewayRuntime({
    supergraph,
    // Yoga's error masking (on by default) would turn any error that is not
    // a GraphQLError into "Unexpected error."; off, as in Apollo Gateway.
    maskedErrors: false,
    propagateHeaders: {
      fromClientToSubgraphs({ request, subgraphName }) {
        if (subgraphName !== "hub") return undefined;
        return { authorization: request.headers.get("authorization") ?? `Bearer ${token}` };
      },
    },
    // warn and error go to console.warn / console.error, that is stderr.
    logging: "warn",
  });
}
