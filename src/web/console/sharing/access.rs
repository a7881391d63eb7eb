//! The access explainer: why an organization can (or can't) see each data
//! category of the viewer's organization's data, or of one participant's.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::html;
use serde_json::json;

use super::consents::{name, own_participants, people};
use super::organizations;
use crate::auth::Role;
use crate::web::AppState;
use crate::web::console::{gql, page, session, text, to_login};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/admin/access", get(access))
}

#[derive(serde::Deserialize, Default)]
struct AccessParams {
    recipient: Option<String>,
    participant: Option<String>,
    provider: Option<String>,
}

async fn access(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<AccessParams>,
) -> Response {
    let Some(session) = session(&state, &headers).await else {
        return to_login();
    };
    let orgs = organizations(&state, &session).await;
    let own = if session.has(Role::Staff) || session.has(Role::OrgAdmin) {
        people(&own_participants(&state, &session).await)
            .into_iter()
            .map(|p| (text(&p["id"]), name(p)))
            .collect()
    } else {
        Vec::new()
    };
    let blank = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
    let recipient = blank(&params.recipient);
    let participant = blank(&params.participant);
    let provider = blank(&params.provider);
    let mut notice = None;
    let mut rows = Vec::new();
    if let Some(recipient) = &recipient {
        let answer = gql(
            &state,
            &session,
            "query($r: String!, $p: ID, $o: String) { accessExplanation(recipientOrgSlug: $r, participantId: $p, providerOrgSlug: $o) {
                category allowed reason agreement { id } consent { id } } }",
            json!({ "r": recipient, "p": participant, "o": provider }),
        )
        .await;
        if !answer.errors.is_empty() {
            notice = Some(answer.notice(""));
        }
        rows = answer.data["accessExplanation"]
            .as_array()
            .cloned()
            .unwrap_or_default();
    }
    let chosen = |v: &Option<String>, s: &str| v.as_deref() == Some(s);
    let content = html! {
        form.card method="get" action="/admin/access" {
            p.hint { "Why can (or can't) an organization see a participant's data? Pick the recipient and, "
                "optionally, one of your participants; each data category is explained." }
            label for="recipient" { "Recipient organization (required)" }
            select id="recipient" name="recipient" required {
                @for (slug, n) in &orgs { option value=(slug) selected[chosen(&recipient, slug)] { (n) " (" (slug) ")" } }
            }
            label for="participant" { "Participant" }
            select id="participant" name="participant" {
                option value="" { "(agreements only, no particular participant)" }
                @for (id, n) in &own { option value=(id) selected[chosen(&participant, id)] { (n) } }
            }
            @if session.has(Role::HubAdmin) {
                label for="provider" { "Provider organization (whose data)" }
                select id="provider" name="provider" {
                    @for (slug, n) in &orgs { option value=(slug) selected[chosen(&provider, slug)] { (n) " (" (slug) ")" } }
                }
            }
            div { button type="submit" { "Explain" } }
        }
        @if !rows.is_empty() {
            table {
                caption { "What " (recipient.clone().unwrap_or_default()) " may read of "
                    (provider.clone().unwrap_or_else(|| session.viewer.org_slug.clone())) "'s data, today" }
                thead { tr { th scope="col" { "Category" } th scope="col" { "Access" } th scope="col" { "Why" }
                    th scope="col" { "Agreement" } th scope="col" { "Consent" } } }
                tbody {
                    @for r in &rows {
                        tr {
                            th scope="row" { (text(&r["category"])) }
                            td { @if r["allowed"] == json!(true) { span.allowed { "allowed" } } @else { span.denied { "denied" } } }
                            td { (text(&r["reason"])) }
                            td { (text(&r["agreement"]["id"])) }
                            td { (text(&r["consent"]["id"])) }
                        }
                    }
                }
            }
        }
    };
    page("Access explainer", Some(&session), notice.as_ref(), content).into_response()
}
