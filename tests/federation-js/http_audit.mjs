// Runs the GraphQL-over-HTTP specification's reference audits
// (`serverAudits` of the graphql-http package) against the hub, every
// request carrying the token, and prints one JSON line per audit:
//
//   {"id": "4655", "name": "MUST accept application/json and match the content-type",
//    "status": "ok" | "warn" | "error" | "notice", "reason": "..."}
//
// `error` is a failed MUST, `warn` a failed SHOULD, `notice` a failed MAY
// (graphql-http's own grading, by the first word of the audit's name).
//
// Environment: HUB_URL (…/graphql), HUB_TOKEN (sent as
// `Authorization: Bearer <token>`). Exits 2 on bad input, 1 when an audit
// could not run at all (a network failure, not a failed assertion).
import { serverAudits } from "graphql-http";

const url = process.env.HUB_URL;
const token = process.env.HUB_TOKEN;
if (!url || !token) {
  console.error("http_audit.mjs: HUB_URL and HUB_TOKEN must be set");
  process.exit(2);
}

/** `fetch` with the token added to whatever headers the audit sends. */
function fetchFn(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

// One at a time, in the suite's order: the output is stable and the
// hub's per-subject rate limit never sees a burst.
for (const { fn } of serverAudits({ url, fetchFn })) {
  let result;
  try {
    result = await fn();
  } catch (err) {
    console.error(`http_audit.mjs: an audit could not run: ${err?.stack ?? err}`);
    process.exit(1);
  }
  const { id, name, status, reason } = result;
  process.stdout.write(JSON.stringify({ id, name, status, reason: reason ?? null }) + "\n");
}
