//! Console pages for data sharing: agreements (propose, accept, approve,
//! revoke), consents of the organization's participants (grant, revoke,
//! print a consent form), and the access explainer.

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde_json::{Value, json};

use super::{
    Fields, Notice, Session, all, categories_fieldset, csrf_field, field, form_session, gql, page,
    select, session, text, to_login,
};
use crate::auth::Role;
use crate::web::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/agreements", get(agreements).post(propose))
        .route("/admin/agreements/act", post(act))
        .route("/admin/consents", get(consents).post(grant))
        .route("/admin/consents/revoke", post(revoke_consent))
        .route("/admin/consents/{id}/print", get(print_consent))
        .route("/admin/access", get(access))
}

const PURPOSES: &[&str] = &["SERVICE_COORDINATION", "EVALUATION", "REPORTING"];

fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

/// Organizations as `(slug, name)`, for selects.
async fn organizations(state: &AppState, session: &Session) -> Vec<(String, String)> {
    gql(state, session, "{ organizations { slug name } }", json!({}))
        .await
        .data["organizations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| (text(&o["slug"]), text(&o["name"])))
        .collect()
}

fn org_select(id: &str, label: &str, orgs: &[(String, String)], first: Option<&str>) -> Markup {
    html! {
        label for=(id) { (label) }
        select id=(id) name=(id) {
            @if let Some(first) = first { option value="" { (first) } }
            @for (slug, name) in orgs { option value=(slug) { (name) " (" (slug) ")" } }
        }
    }
}

// ---------------------------------------------------------------- agreements

async fn agreements(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(session) = session(&state, &headers).await else {
        return to_login();
    };
    agreements_page(&state, &session, None).await
}

async fn agreements_page(state: &AppState, session: &Session, notice: Option<Notice>) -> Response {
    let answer = gql(
        state,
        session,
        "{ sharingAgreements { id provider { slug name } recipient { slug name } categories purpose requiresConsent status
            effectiveOn expiresOn proposedBy acceptedBy approvedBy version } }",
        json!({}),
    )
    .await;
    let notice = notice.or_else(|| (!answer.errors.is_empty()).then(|| answer.notice("")));
    let orgs = organizations(state, session).await;
    let me = &session.viewer.org_slug;
    let admin = session.has(Role::OrgAdmin);
    let hub = session.has(Role::HubAdmin);
    let content = html! {
        table {
            caption { "Data-sharing agreements" @if !hub { " your organization provides or receives" } }
            thead { tr {
                th scope="col" { "Provider → recipient" } th scope="col" { "Categories" } th scope="col" { "Purpose" }
                th scope="col" { "Consent needed" } th scope="col" { "Status" } th scope="col" { "Dates" }
                th scope="col" { "Proposed / accepted / approved by" } th scope="col" { "Actions" }
            } }
            tbody {
                @for a in answer.data["sharingAgreements"].as_array().into_iter().flatten() {
                    @let provider = text(&a["provider"]["slug"]);
                    @let recipient = text(&a["recipient"]["slug"]);
                    @let status = text(&a["status"]);
                    @let accepted = !a["acceptedBy"].is_null();
                    @let open = status == "PROPOSED" || status == "ACTIVE";
                    @let label = format!("{provider} to {recipient}");
                    tr {
                        td { (text(&a["provider"]["name"])) " → " (text(&a["recipient"]["name"])) }
                        td { (text(&a["categories"])) }
                        td { (text(&a["purpose"])) }
                        td { @if a["requiresConsent"] == json!(true) { "yes" } @else { "no" } }
                        td { (status) @if status == "PROPOSED" { @if accepted { " (accepted, awaiting approval)" } @else { " (awaiting the recipient)" } } }
                        td { (text(&a["effectiveOn"])) " – " (text(&a["expiresOn"])) }
                        td { (text(&a["proposedBy"])) " / " (text(&a["acceptedBy"])) " / " (text(&a["approvedBy"])) }
                        td {
                            @if status == "PROPOSED" && !accepted && admin && &recipient == me {
                                (action_form(session, &a["id"], &a["version"], "accept", &format!("Accept agreement {label}"), "Accept"))
                            }
                            @if status == "PROPOSED" && accepted && hub {
                                (action_form(session, &a["id"], &a["version"], "approve", &format!("Approve agreement {label}"), "Approve"))
                            }
                            @if open && (hub || (admin && (&provider == me || &recipient == me))) {
                                (action_form(session, &a["id"], &a["version"], "revoke", &format!("Revoke agreement {label}"), "Revoke"))
                            }
                        }
                    }
                }
            }
        }
        @if admin {
            form.card method="post" action="/admin/agreements" {
                h2 { "Propose an agreement from " (me) }
                p.hint { "The recipient's org_admin accepts it, then a hub admin approves it; it is in force between its dates." }
                (csrf_field(session))
                (org_select("recipientOrgSlug", "Recipient organization", &orgs, None))
                (categories_fieldset("Data categories shared"))
                (select("purpose", "Purpose", PURPOSES, None))
                label { input type="checkbox" name="requiresConsent" value="true" checked; " Requires the participant's consent" }
                label for="effectiveOn" { "Effective on (required)" }
                input type="date" id="effectiveOn" name="effectiveOn" value=(today()) required;
                label for="expiresOn" { "Expires on" }
                input type="date" id="expiresOn" name="expiresOn";
                div { button type="submit" { "Propose agreement" } }
            }
        }
    };
    page("Agreements", Some(session), notice.as_ref(), content).into_response()
}

fn action_form(
    session: &Session,
    id: &Value,
    version: &Value,
    action: &str,
    label: &str,
    button: &str,
) -> Markup {
    html! {
        form method="post" action="/admin/agreements/act" {
            (csrf_field(session))
            input type="hidden" name="id" value=(text(id));
            input type="hidden" name="version" value=(text(version));
            input type="hidden" name="action" value=(action);
            button.danger[action == "revoke"] type="submit" aria-label=(label) { (button) }
        }
    }
}

async fn propose(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let session = match form_session(&state, &headers, &fields).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let input = json!({
        "recipientOrgSlug": field(&fields, "recipientOrgSlug").unwrap_or_default(),
        "categories": all(&fields, "categories"),
        "purpose": field(&fields, "purpose").unwrap_or_default(),
        "requiresConsent": field(&fields, "requiresConsent").is_some(),
        "effectiveOn": field(&fields, "effectiveOn").unwrap_or_default(),
        "expiresOn": field(&fields, "expiresOn"),
    });
    let answer = gql(
        &state,
        &session,
        "mutation($input: ProposeAgreementInput!) { proposeAgreement(input: $input) { id } }",
        json!({ "input": input }),
    )
    .await;
    let notice = answer.notice("Agreement proposed; the recipient's org_admin accepts it next.");
    agreements_page(&state, &session, Some(notice)).await
}

async fn act(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let session = match form_session(&state, &headers, &fields).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let (mutation, done) = match field(&fields, "action") {
        Some("accept") => (
            "acceptAgreement",
            "Agreement accepted; a hub admin approves it next.",
        ),
        Some("approve") => ("approveAgreement", "Agreement approved: it is in force."),
        Some("revoke") => (
            "revokeAgreement",
            "Agreement revoked: sharing under it stops now.",
        ),
        _ => {
            let notice = Notice::error("BAD_USER_INPUT", "Unknown action.");
            return agreements_page(&state, &session, Some(notice)).await;
        }
    };
    let version: i64 = field(&fields, "version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let document = format!(
        "mutation($input: AgreementVersionInput!) {{ {mutation}(input: $input) {{ id status }} }}"
    );
    let answer = gql(
        &state,
        &session,
        &document,
        json!({ "input": { "id": field(&fields, "id").unwrap_or_default(), "version": version } }),
    )
    .await;
    agreements_page(&state, &session, Some(answer.notice(done))).await
}

// ------------------------------------------------------------------ consents

const CONSENT_FIELDS: &str = "id recipient { slug name } recordedBy { slug } categories purpose grantedBy guardianName signedOn expiresOn status revokedAt version";

/// The organization's participants (own profile) with their consents.
async fn own_participants(state: &AppState, session: &Session) -> super::Answer {
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

fn people(answer: &super::Answer) -> Vec<&Value> {
    answer.data["participants"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| &e["node"])
        .collect()
}

fn name(p: &Value) -> String {
    format!("{} {}", text(&p["givenName"]), text(&p["familyName"]))
}

async fn consents(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(session) = session(&state, &headers).await else {
        return to_login();
    };
    consents_page(&state, &session, None).await
}

async fn consents_page(state: &AppState, session: &Session, notice: Option<Notice>) -> Response {
    let answer = own_participants(state, session).await;
    let notice = notice.or_else(|| (!answer.errors.is_empty()).then(|| answer.notice("")));
    let orgs = organizations(state, session).await;
    let people = people(&answer);
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
                label for="participantId" { "Participant (required)" }
                select id="participantId" name="participantId" required {
                    @for p in &people { option value=(text(&p["id"])) { (name(p)) " (born " (text(&p["birthDate"])) ")" } }
                }
                (org_select("recipientOrgSlug", "Recipient", &orgs, Some("every partner the agreements name")))
                (categories_fieldset("Data categories consented to"))
                (select("purpose", "Purpose", PURPOSES, None))
                (select("grantedBy", "Signed by", &["SELF", "GUARDIAN"], None))
                label for="guardianName" { "Guardian's name (under 18)" }
                input type="text" id="guardianName" name="guardianName";
                label for="signedOn" { "Signed on (required)" }
                input type="date" id="signedOn" name="signedOn" value=(today()) required;
                label for="expiresOn" { "Expires on" }
                input type="date" id="expiresOn" name="expiresOn";
                div { button type="submit" { "Record consent" } }
            }
        }
    };
    page("Consents", Some(session), notice.as_ref(), content).into_response()
}

async fn grant(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let session = match form_session(&state, &headers, &fields).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let input = json!({
        "participantId": field(&fields, "participantId").unwrap_or_default(),
        "recipientOrgSlug": field(&fields, "recipientOrgSlug"),
        "categories": all(&fields, "categories"),
        "purpose": field(&fields, "purpose").unwrap_or_default(),
        "grantedBy": field(&fields, "grantedBy").unwrap_or_default(),
        "guardianName": field(&fields, "guardianName"),
        "signedOn": field(&fields, "signedOn").unwrap_or_default(),
        "expiresOn": field(&fields, "expiresOn"),
    });
    let answer = gql(
        &state,
        &session,
        "mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }",
        json!({ "input": input }),
    )
    .await;
    consents_page(&state, &session, Some(answer.notice("Consent recorded."))).await
}

async fn revoke_consent(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let session = match form_session(&state, &headers, &fields).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let version: i64 = field(&fields, "version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let answer = gql(
        &state,
        &session,
        "mutation($input: RevokeConsentInput!) { revokeConsent(input: $input) { id status } }",
        json!({ "input": { "id": field(&fields, "id").unwrap_or_default(), "version": version } }),
    )
    .await;
    let notice = answer.notice("Consent revoked: sharing that relied on it stops now.");
    consents_page(&state, &session, Some(notice)).await
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

// -------------------------------------------------------- access explainer

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
