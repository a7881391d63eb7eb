//! What `serve` prints at start: the URLs and, in demo mode, tokens.

use std::io::Write;
use std::net::SocketAddr;

use crate::web::AppState;

/// Demo tokens last a week, long enough to explore.
const DEMO_TOKEN_TTL_SECS: u64 = 7 * 24 * 3600;

/// Prints the banner to stdout and flushes it (tests read it from a pipe).
pub(super) fn print(state: &AppState, addr: SocketAddr) -> std::io::Result<()> {
    let base = format!("http://{addr}");
    let mut out = std::io::stdout().lock();
    writeln!(out, "Pathways Hub is listening on {base}")?;
    writeln!(
        out,
        "  GraphQL:  {base}/graphql  (POST; open it in a browser for GraphiQL)"
    )?;
    writeln!(
        out,
        "  Console:  {base}/admin  (sign in by pasting a token below)"
    )?;
    writeln!(
        out,
        "  Youth:    {base}/me  (a youth's own record: sign in with their own token)"
    )?;
    writeln!(
        out,
        "  Reports:  {base}/reports/summary.csv?groupBy=PROGRAM&metrics=ENROLLED,COMPLETED"
    )?;
    writeln!(
        out,
        "  Health:   {base}/healthz  {base}/readyz  {base}/metrics"
    )?;
    if state.config.demo {
        writeln!(out)?;
        writeln!(
            out,
            "Demo data is loaded. Tokens (valid 7 days), paste as `Authorization: Bearer <token>`:"
        )?;
        let mut first = None;
        let users = crate::cli::seed::demo_users();
        let width = users
            .iter()
            .map(|u| u.label.chars().count())
            .max()
            .unwrap_or(0);
        for user in users {
            match state.verifier.mint(
                &user.subject,
                &user.org_slug,
                &user.roles,
                Some(DEMO_TOKEN_TTL_SECS),
            ) {
                Ok(token) => {
                    let roles = format!("[{}]", user.roles.join(","));
                    writeln!(out, "  {:<width$}  {roles:<19} {token}", user.label)?;
                    first.get_or_insert(token);
                }
                Err(err) => writeln!(out, "  {}: cannot mint ({})", user.label, err.message())?,
            }
        }
        if let Some(token) = first {
            writeln!(out)?;
            writeln!(out, "Try:")?;
            writeln!(
                out,
                "  curl -s {base}/graphql -H 'content-type: application/json' -H 'authorization: Bearer {token}' \\\n    -d '{{\"query\":\"{{ viewer {{ subject roles organization {{ name }} }} organizations {{ slug name kind }} }}\"}}'"
            )?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "More tokens: pathways-hub token --sub staff@hola --org hola --roles staff"
        )?;
    }
    out.flush()
}
