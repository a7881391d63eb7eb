//! Consents in the console: the organization's participants with every
//! consent the hub holds for them, the form to record one (a guardian signs
//! for a minor), revocation, and a printable consent form.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::html;
use serde_json::{Value, json};

use super::{PURPOSES, org_options, organizations, today};
use crate::auth::Role;
use crate::web::AppState;
use crate::web::console::forms::{self, ConsoleForm, FormState, all, show};
use crate::web::console::{
    Answer, Fields, Notice, Session, Shown, csrf_field, field, gql, page, session, text, to_login,
};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/consents",
            get(show::<GrantConsent>).post(forms::post::<GrantConsent>),
        )
        .route("/admin/consents/revoke", post(forms::post::<RevokeConsent>))
        .route("/admin/consents/{id}/print", get(print_consent))
}

/// `grantConsent`: a consent the viewer's organization records (staff or
/// org_admin).
#[derive(Default)]
struct GrantConsent;

impl ConsoleForm for GrantConsent {
    fn mutation(&self) -> &str {
        "mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }"
    }

    fn variables(&self, fields: &Fields) -> Result<Value, Shown> {
        Ok(json!({ "input": {
            "participantId": field(fields, "participantId").unwrap_or_default(),
            "recipientOrgSlug": field(fields, "recipientOrgSlug"),
            "categories": all(fields, "categories"),
            "purpose": field(fields, "purpose").unwrap_or_default(),
            "grantedBy": field(fields, "grantedBy").unwrap_or_default(),
            "guardianName": field(fields, "guardianName"),
            "signedOn": field(fields, "signedOn").unwrap_or_default(),
            "expiresOn": field(fields, "expiresOn"),
        } }))
    }

    fn done(&self) -> &str {
        "Consent recorded."
    }

    async fn page(&self, state: &AppState, session: &Session, form: &FormState) -> Response {
        consents_page(state, session, form).await
    }
}

/// `revokeConsent`, from the button in the consent's row.
#[derive(Default)]
struct RevokeConsent;

impl ConsoleForm for RevokeConsent {
    fn mutation(&self) -> &str {
        "mutation($input: RevokeConsentInput!) { revokeConsent(input: $input) { id status } }"
    }

    fn variables(&self, fields: &Fields) -> Result<Value, Shown> {
        let version: i64 = field(fields, "version")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        Ok(
            json!({ "input": { "id": field(fields, "id").unwrap_or_default(), "version": version } }),
        )
    }

    fn done(&self) -> &str {
        "Consent revoked: sharing that relied on it stops now."
    }

    async fn page(&self, state: &AppState, session: &Session, form: &FormState) -> Response {
        // The row's hidden fields are no input of the consent form.
        consents_page(state, session, &form.notice_only()).await
    }
}

/// The consent fields every page shows.
const CONSENT_FIELDS: &str = "id recipient { slug name } recordedBy { slug } categories purpose grantedBy guardianName signedOn expiresOn status revokedAt version";

/// The organization's participants (own profile) with their consents.
pub(super) async fn own_participants(state: &AppState, session: &Session) -> Answer {
    let document = format!(
        "query($org: String) {{ participants(first: 100, filter: {{ orgSlug: $org }}) {{ totalCount
            edges {{ node {{ id givenName familyName birthDate consents {{ {CONSENT_FIELDS} }} }} }} }} }}"
    );
    gql(
        state,
        session,
        &document,
        json!({ "org": session.viewer.org_slug }),
    )
    .await
}

pub(super) fn people(answer: &Answer) -> Vec<&Value> {
    answer.data["participants"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| &e["node"])
        .collect()
}

pub(super) fn name(p: &Value) -> String {
    format!("{} {}", text(&p["givenName"]), text(&p["familyName"]))
}

async fn consents_page(state: &AppState, session: &Session, form: &FormState) -> Response {
    let answer = own_participants(state, session).await;
    let notice = form.or_notice(|| (!answer.errors.is_empty()).then(|| answer.notice("")));
    let recipients = org_options(
        &organizations(state, session).await,
        Some("every partner the agreements name"),
    );
    let people = people(&answer);
    let participants: Vec<(String, String)> = people
        .iter()
        .map(|p| {
            (
                text(&p["id"]),
                format!("{} (born {})", name(p), text(&p["birthDate"])),
            )
        })
        .collect();
    let me = &session.viewer.org_slug;
    let may_write = session.has(Role::Staff) || session.has(Role::OrgAdmin);
    let content = html! {
        p.hint { "Participants " (me) " keeps a profile of, with every consent the hub holds for them. "
            "Revoking a consent takes effect on the next request." }
        table {
            caption { "Consents" }
            thead { tr {
                th scope="col" { "Participant" } th scope="col" { "Recipient" } th scope="col" { "Categories" }
                th scope="col" { "Purpose" } th scope="col" { "Signed by" } th scope="col" { "Signed / expires" }
                th scope="col" { "Status" } th scope="col" { "Actions" }
            } }
            tbody {
                @for p in &people {
                    @for c in p["consents"].as_array().into_iter().flatten() {
                        @let who = name(p);
                        tr {
                            td { (who) }
                            td { @if c["recipient"].is_null() { "every partner" } @else { (text(&c["recipient"]["name"])) } }
                            td { (text(&c["categories"])) }
                            td { (text(&c["purpose"])) }
                            td { (text(&c["grantedBy"])) @if !c["guardianName"].is_null() { " (" (text(&c["guardianName"])) ")" } }
                            td { (text(&c["signedOn"])) " – " (text(&c["expiresOn"])) }
                            td { (text(&c["status"])) }
                            td {
                                a href=(format!("/admin/consents/{}/print?participant={}", text(&c["id"]), text(&p["id"])))
                                    aria-label=(format!("Print consent form of {who}")) { "Print" }
                                " "
                                @if c["status"] == json!("ACTIVE") && text(&c["recordedBy"]["slug"]) == *me && may_write {
                                    form method="post" action="/admin/consents/revoke" {
                                        (csrf_field(session))
                                        input type="hidden" name="id" value=(text(&c["id"]));
                                        input type="hidden" name="version" value=(text(&c["version"]));
                                        button.danger type="submit" aria-label=(format!("Revoke consent of {who} for {} ({})",
                                            if c["recipient"].is_null() { "every partner".to_owned() } else { text(&c["recipient"]["slug"]) },
                                            text(&c["categories"]))) { "Revoke" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if may_write {
            form.card method="post" action="/admin/consents" {
                h2 { "Record a consent" }
                p.hint { "For a participant under 18 on the signing date, a guardian signs: choose GUARDIAN and give the guardian's name." }
                (csrf_field(session))
                (form.select_options("participantId", "Participant", true, &participants))
                (form.select_options("recipientOrgSlug", "Recipient", false, &recipients))
                (form.categories("Data categories consented to"))
                (form.select("purpose", "Purpose", PURPOSES))
                (form.select("grantedBy", "Signed by", &["SELF", "GUARDIAN"]))
                (form.input("guardianName", "Guardian's name (under 18)", "text", false))
                (form.input_or("signedOn", "Signed on", "date", true, &today()))
                (form.input("expiresOn", "Expires on", "date", false))
                div { button type="submit" { "Record consent" } }
            }
        }
    };
    page("Consents", Some(session), notice.as_ref(), content).into_response()
}

#[derive(serde::Deserialize)]
struct PrintParams {
    participant: Option<String>,
}

/// A printable consent form: what the participant (or guardian) agreed to.
async fn print_consent(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<PrintParams>,
) -> Response {
    let Some(session) = session(&state, &headers).await else {
        return to_login();
    };
    let document = format!(
        "query($id: ID!) {{ participant(id: $id) {{ id givenName familyName birthDate guardianName consents {{ {CONSENT_FIELDS} recordedBy {{ name }} }} }} }}"
    );
    let answer = gql(
        &state,
        &session,
        &document,
        json!({ "id": params.participant.unwrap_or_default() }),
    )
    .await;
    let person = &answer.data["participant"];
    let consent = person["consents"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| text(&c["id"]) == id);
    let Some(c) = consent else {
        let notice = Notice::error("NOT_FOUND", "No consent you may read has this id.");
        return page("Consent form", Some(&session), Some(&notice), html! {}).into_response();
    };
    let recipient = if c["recipient"].is_null() {
        "every partner organization named in a data-sharing agreement with the organization below"
            .to_owned()
    } else {
        text(&c["recipient"]["name"])
    };
    let content = html! {
        p.noprint { button type="button" onclick="window.print()" { "Print this form" } " " a href="/admin/consents" { "Back to consents" } }
        section.card {
            h2 { "Consent to share records" }
            p { "I, " strong { (name(person)) } " (born " (text(&person["birthDate"])) "), agree that "
                strong { (text(&c["recordedBy"]["name"])) } " may share the following records about me with "
                strong { (recipient) } " for the purpose of " strong { (text(&c["purpose"])) } ":" }
            ul { @for cat in c["categories"].as_array().into_iter().flatten() { li { (text(cat)) } } }
            p { "Signed on " (text(&c["signedOn"])) @if !c["expiresOn"].is_null() { "; this consent ends on " (text(&c["expiresOn"])) } "." }
            p { "I may revoke this consent at any time by telling " (text(&c["recordedBy"]["name"]))
                "; sharing stops as soon as the revocation is recorded. Records already shared under it are listed in the hub's disclosure log (FERPA 99.32)." }
            p { "Status today: " strong { (text(&c["status"])) } }
            @if text(&c["grantedBy"]) == "GUARDIAN" {
                p { "Signed by the parent or guardian: " strong { (text(&c["guardianName"])) } }
            }
            p { "Signature: ______________________________   Date: ______________" }
        }
    };
    page("Consent form", Some(&session), None, content).into_response()
}
