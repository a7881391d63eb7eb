// A serving gateway for `pathways-hub bench gateway`: Apollo Server 5 with
// an Apollo Gateway composing the hub and the county subgraph
// (supergraph.mjs). The caller's Authorization header is passed on to the
// hub. Prints {"url": "http://127.0.0.1:PORT/"} once listening; runs until
// killed.
//
// Environment: HUB_URL (…/graphql), HUB_TOKEN (for the SDL and callers
// without a header), PARTICIPANT_IDS (comma-separated hub ids the county
// refers to).
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { composeGateway, startCounty } from "./supergraph.mjs";

const hubUrl = process.env.HUB_URL;
const token = process.env.HUB_TOKEN;
const ids = (process.env.PARTICIPANT_IDS || "").split(",").filter(Boolean);

const county = await startCounty(ids);
const gateway = await composeGateway({ hubUrl, token, county });
const server = new ApolloServer({ gateway, introspection: false });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: 0 },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});
console.log(JSON.stringify({ url }));

const stop = async () => {
  await server.stop();
  county.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
