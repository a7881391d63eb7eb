//! `/me`: the youth's own record in the console, phone-first (DESIGN.md
//! section 10): link the account with a code, read the record with each
//! row's organization, see who read it, grant, revoke and re-affirm
//! consents, ask for corrections; `/me/export.json` is the same record,
//! machine-readable. Every page reads and writes through the GraphQL
//! schema as the signed-in youth, under the same policy and audit.

use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde_json::{Value, json};

use super::{Fields, Notice, Session, csrf_field, csrf_refused, field, gql, page, session, text};
use crate::web::session::csrf_ok;
use crate::web::state::AppState;

/// Everything `me` holds: the page and `/me/export.json` read the same.
pub(crate) const RECORD: &str = "{ me {
  id
  participant { id givenName familyName preferredName birthDate email phone postalCode
    enrollments { id status appliedOn startedOn exitedOn keptBy { name } program { name }
      hourLogs { id kind workedOn hours approved keptBy { name } } }
    credentials { id name kind awardedOn keptBy { name } }
    mentorships { id status startedOn keptBy { name } }
    dualEnrollments { id courseTitle term status keptBy { name } }
    services { id kind providedOn keptBy { name } }
    outcomes { id kind occupation startedOn keptBy { name } } }
  profiles { id organization { name } givenName familyName preferredName birthDate email phone postalCode guardianName version }
  consents { id recipient { name } recordedBy { name } categories purpose grantedBy signedOn expiresOn status needsReaffirmation version }
  account { linkedOn issuedBy { name } confirmedBy { organization { name } on } everyOrganization }
  disclosures(first: 100) { edges { node { id at description } } pageInfo { hasNextPage } }
  correctionRequests { id entity entityId field proposedValue reason status answer requestedAt }
  credentialBadges { credential }
} }";

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me_page))
        .route("/me/export.json", get(export))
        .route("/me/link", post(link))
        .route("/me/consents/grant", post(grant))
        .route("/me/consents/revoke", post(revoke))
        .route("/me/consents/reaffirm", post(reaffirm))
        .route("/me/corrections", post(correct))
}

const CATEGORIES: &[(&str, &str)] = &[
    ("IDENTITY", "Name and identity"),
    ("CONTACT", "Contact details"),
    ("DEMOGRAPHICS", "Demographics"),
    ("ENROLLMENT", "Enrollments"),
    ("PROGRESS", "Hours and progress"),
    ("CREDENTIALS", "Credentials"),
    ("MENTORSHIP", "Mentorships"),
    ("EDUCATION_RECORDS", "College courses"),
    ("SERVICES", "Services"),
    ("OUTCOMES", "Outcomes"),
];

async fn me_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(session) = session(&state, &headers).await else {
        return super::to_login();
    };
    render(&state, &session, None).await
}

async fn render(state: &AppState, session: &Session, notice: Option<Notice>) -> Response {
    if !session.viewer.org_slug.is_empty() {
        let notice = Notice::error(
            "FORBIDDEN",
            "This page is a youth's own record: sign in with your own token, not an organization's.",
        );
        return (
            StatusCode::FORBIDDEN,
            page("My record", Some(session), Some(&notice), html! {}),
        )
            .into_response();
    }
    if session.viewer.participant_id.is_none() {
        return page(
            "My record",
            Some(session),
            notice.as_ref(),
            link_form(session),
        )
        .into_response();
    }
    let answer = gql(state, session, RECORD, json!({})).await;
    let notice = notice.or_else(|| answer.errors.first().map(|e| e.notice()));
    let me = &answer.data["me"];
    let content = html! {
        div.me {
            p.hint { "Everything the organizations in Pathways Hub keep about you, who read it, and your choices. "
                a href="/me/export.json" download="my-record.json" { "Download my record (JSON)" } }
            (record(me))
            (account(me))
            (disclosures(me))
            (consents(session, me))
            (corrections(session, me))
        }
    };
    page("My record", Some(session), notice.as_ref(), content).into_response()
}

fn link_form(session: &Session) -> Markup {
    html! {
        form.card method="post" action="/me/link" {
            p { "To see your record, enter the code an organization you work with gave you." }
            (csrf_field(session))
            label for="code" { "Your code" }
            input type="text" id="code" name="code" required autocomplete="one-time-code" autocapitalize="characters";
            div { button type="submit" { "Link my record" } }
        }
    }
}

fn row(label: &str, value: &Value) -> Markup {
    html! { @if !value.is_null() { div { dt { (label) } dd { (text(value)) } } } }
}

fn record(me: &Value) -> Markup {
    let p = &me["participant"];
    let list = |key: &str| p[key].as_array().cloned().unwrap_or_default();
    html! {
        section.card aria-labelledby="record" {
            h2 id="record" { "My record" }
            @for profile in me["profiles"].as_array().into_iter().flatten() {
                h3 { "Kept by " (text(&profile["organization"]["name"])) }
                dl {
                    (row("Name", &json!(format!("{} {}", text(&profile["givenName"]), text(&profile["familyName"])))))
                    (row("Preferred name", &profile["preferredName"]))
                    (row("Birth date", &profile["birthDate"]))
                    (row("Email", &profile["email"]))
                    (row("Phone", &profile["phone"]))
                    (row("ZIP code", &profile["postalCode"]))
                    (row("Guardian", &profile["guardianName"]))
                }
            }
            h3 { "Programs" }
            ul {
                @for e in list("enrollments") {
                    li { (text(&e["program"]["name"])) " — " (text(&e["status"]))
                        ", applied " (text(&e["appliedOn"])) " (kept by " (text(&e["keptBy"]["name"])) "); "
                        (e["hourLogs"].as_array().map_or(0, Vec::len)) " hour entries" }
                }
            }
            h3 { "Credentials" }
            ul { @for c in list("credentials") { li { (text(&c["name"])) ", " (text(&c["awardedOn"])) " (kept by " (text(&c["keptBy"]["name"])) ")" } } }
            h3 { "Mentorships, courses, services and outcomes" }
            ul {
                @for m in list("mentorships") { li { "Mentorship, " (text(&m["status"])) " (kept by " (text(&m["keptBy"]["name"])) ")" } }
                @for d in list("dualEnrollments") { li { (text(&d["courseTitle"])) ", " (text(&d["term"])) " (kept by " (text(&d["keptBy"]["name"])) ")" } }
                @for s in list("services") { li { "Service: " (text(&s["kind"])) ", " (text(&s["providedOn"])) " (kept by " (text(&s["keptBy"]["name"])) ")" } }
                @for o in list("outcomes") { li { "Outcome: " (text(&o["kind"])) ", " (text(&o["startedOn"])) " (kept by " (text(&o["keptBy"]["name"])) ")" } }
            }
        }
    }
}

/// Which organizations' records the account shows (DESIGN.md section 11).
fn account(me: &Value) -> Markup {
    let account = &me["account"];
    let confirmed = account["confirmedBy"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    html! {
        section.card aria-labelledby="account" {
            h2 id="account" { "My account" }
            p { "Linked with a code from " (text(&account["issuedBy"]["name"])) ": you see what "
                (text(&account["issuedBy"]["name"])) " may see about you." }
            @if account["everyOrganization"] == json!(true) {
                p { "The hub confirmed it: you see every organization's records about you." }
            } @else {
                @if !confirmed.is_empty() {
                    p { "Confirmed by "
                        @for (i, c) in confirmed.iter().enumerate() {
                            @if i > 0 { ", " }
                            (c["organization"]["name"].as_str().unwrap_or("the hub"))
                        }
                        ": you see their records too." }
                }
                p.hint { "Another organization that keeps your record can confirm your account after checking who you are; then you see its records too, and you can give consents yourself." }
            }
        }
    }
}

fn disclosures(me: &Value) -> Markup {
    let edges = me["disclosures"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    html! {
        section.card aria-labelledby="reads" {
            h2 id="reads" { "Who read my record" }
            @if edges.is_empty() {
                p { "No organization other than the one that keeps it has read your record." }
            } @else {
                ul.reads { @for e in &edges { li { (text(&e["node"]["description"])) } } }
            }
        }
    }
}

fn consents(session: &Session, me: &Value) -> Markup {
    let consents = me["consents"].as_array().cloned().unwrap_or_default();
    html! {
        section.card aria-labelledby="consents" {
            h2 id="consents" { "My consents" }
            ul.consents {
                @for c in &consents {
                    li {
                        p { "Share " (text(&c["categories"])) " with " (c["recipient"]["name"].as_str().unwrap_or("every partner"))
                            " — " strong { (text(&c["status"])) }
                            ", signed " (text(&c["signedOn"])) " by " (text(&c["grantedBy"])) " (recorded by " (text(&c["recordedBy"]["name"])) ")" }
                        @if c["needsReaffirmation"] == json!(true) {
                            p.hint { "Your guardian signed this. Since you turned 18 it counts only if you re-affirm it." }
                            form method="post" action="/me/consents/reaffirm" {
                                (csrf_field(session))
                                input type="hidden" name="id" value=(text(&c["id"]));
                                input type="hidden" name="version" value=(text(&c["version"]));
                                button type="submit" { "Re-affirm this consent" }
                            }
                        }
                        @if c["status"] == json!("ACTIVE") {
                            form method="post" action="/me/consents/revoke" {
                                (csrf_field(session))
                                input type="hidden" name="id" value=(text(&c["id"]));
                                input type="hidden" name="version" value=(text(&c["version"]));
                                button.danger type="submit" { "Revoke this consent" }
                            }
                        }
                    }
                }
            }
            form method="post" action="/me/consents/grant" {
                h3 { "Give a new consent" }
                p.hint { "From 18 on you sign your own; under 18 a parent or guardian signs with an organization." }
                (csrf_field(session))
                label for="recipient" { "Organization that may receive it (its short name, or leave empty for every partner)" }
                input type="text" id="recipient" name="recipient";
                fieldset {
                    legend { "What may be shared" }
                    @for (value, label) in CATEGORIES {
                        label { input type="checkbox" name="categories" value=(value); " " (label) }
                    }
                }
                label for="purpose" { "Why" }
                select id="purpose" name="purpose" {
                    option value="SERVICE_COORDINATION" { "Coordinating my services" }
                    option value="EVALUATION" { "Program evaluation" }
                    option value="REPORTING" { "Reporting to funders" }
                }
                div { button type="submit" { "Give consent" } }
            }
        }
    }
}

fn corrections(session: &Session, me: &Value) -> Markup {
    let requests = me["correctionRequests"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let profiles = me["profiles"].as_array().cloned().unwrap_or_default();
    html! {
        section.card aria-labelledby="corrections" {
            h2 id="corrections" { "Corrections" }
            ul.corrections {
                @for r in &requests {
                    li { (text(&r["field"])) " → “" (text(&r["proposedValue"])) "”: " strong { (text(&r["status"])) }
                        @if !r["answer"].is_null() { " — " (text(&r["answer"])) } }
                }
            }
            form method="post" action="/me/corrections" {
                h3 { "Ask for a correction of your profile" }
                (csrf_field(session))
                label for="profile" { "Profile" }
                select id="profile" name="profile" {
                    @for p in &profiles { option value=(text(&p["id"])) { "Kept by " (text(&p["organization"]["name"])) } }
                }
                label for="field" { "What is wrong" }
                select id="field" name="field" {
                    option value="givenName" { "First name" }
                    option value="familyName" { "Last name" }
                    option value="preferredName" { "Preferred name" }
                    option value="email" { "Email" }
                    option value="phone" { "Phone" }
                    option value="postalCode" { "ZIP code" }
                }
                label for="value" { "What it should say" }
                input type="text" id="value" name="value" required;
                label for="reason" { "Why" }
                textarea id="reason" name="reason" required {}
                div { button type="submit" { "Send the request" } }
            }
        }
    }
}

/// The form's session if its CSRF token holds; otherwise the response.
async fn form_session(
    state: &AppState,
    headers: &HeaderMap,
    fields: &Fields,
) -> Result<Session, Response> {
    let Some(session) = session(state, headers).await else {
        return Err(super::to_login());
    };
    if !csrf_ok(state, &session, field(fields, "csrf")) {
        return Err(csrf_refused(&session));
    }
    Ok(session)
}

/// A form's mutation: checks the session and its CSRF token, runs `query`
/// with the input `input` makes of the form, then shows the record again
/// (or the refusal, on the page, keeping the record in view).
async fn act(
    state: &AppState,
    headers: &HeaderMap,
    fields: &Fields,
    query: &str,
    input: impl FnOnce(&Session, &Fields) -> Value,
    ok: &str,
) -> Response {
    let session = match form_session(state, headers, fields).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let input = input(&session, fields);
    let answer = gql(state, &session, query, json!({ "input": input })).await;
    if answer.errors.is_empty() {
        return Redirect::to("/me").into_response();
    }
    let mut response = render(state, &session, Some(answer.notice(ok))).await;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    response
}

fn id_and_version(_: &Session, fields: &Fields) -> Value {
    json!({
        "id": field(fields, "id").unwrap_or_default(),
        "version": field(fields, "version").and_then(|v| v.parse::<i32>().ok()).unwrap_or(0),
    })
}

async fn link(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let session = match form_session(&state, &headers, &fields).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let code = field(&fields, "code").unwrap_or_default();
    let answer = gql(
        &state,
        &session,
        "mutation($input: RedeemAccountCodeInput!) { redeemAccountCode(input: $input) }",
        json!({ "input": { "code": code } }),
    )
    .await;
    match answer.errors.first() {
        None => Redirect::to("/me").into_response(),
        Some(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            page(
                "My record",
                Some(&session),
                Some(&e.notice()),
                link_form(&session),
            ),
        )
            .into_response(),
    }
}

async fn grant(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let today = state.clock.today().to_string();
    let input = |session: &Session, fields: &Fields| {
        let categories: Vec<&str> = fields
            .iter()
            .filter(|(k, _)| k == "categories")
            .map(|(_, v)| v.as_str())
            .collect();
        json!({
            "participantId": session.viewer.participant_id.map(|p| p.to_string()),
            "recipientOrgSlug": field(fields, "recipient"),
            "categories": categories,
            "purpose": field(fields, "purpose").unwrap_or("SERVICE_COORDINATION"),
            "grantedBy": "SELF",
            "signedOn": today,
        })
    };
    let query = "mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }";
    act(&state, &headers, &fields, query, input, "Consent given.").await
}

async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let query = "mutation($input: RevokeConsentInput!) { revokeConsent(input: $input) { id } }";
    act(
        &state,
        &headers,
        &fields,
        query,
        id_and_version,
        "Consent revoked.",
    )
    .await
}

async fn reaffirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let query = "mutation($input: ReaffirmConsentInput!) { reaffirmConsent(input: $input) { id } }";
    act(
        &state,
        &headers,
        &fields,
        query,
        id_and_version,
        "Consent re-affirmed.",
    )
    .await
}

async fn correct(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let input = |_: &Session, fields: &Fields| {
        json!({
            "entity": "PARTICIPANT_PROFILE",
            "entityId": field(fields, "profile").unwrap_or_default(),
            "field": field(fields, "field").unwrap_or_default(),
            "proposedValue": field(fields, "value").unwrap_or_default(),
            "reason": field(fields, "reason").unwrap_or_default(),
        })
    };
    let query =
        "mutation($input: RequestCorrectionInput!) { requestCorrection(input: $input) { id } }";
    act(&state, &headers, &fields, query, input, "Request sent.").await
}

/// `GET /me/export.json`: the whole record as JSON, with the session
/// cookie or a bearer token (a youth's own).
async fn export(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let viewer = match session(&state, &headers).await {
        Some(s) => Some(s.viewer),
        None => crate::web::state::authenticate(&state, &headers)
            .await
            .ok()
            .flatten(),
    };
    let Some(viewer) = viewer else {
        return (StatusCode::UNAUTHORIZED, axum::Json(json!({ "errors": [{ "message": "sign in with your own token", "extensions": { "code": "UNAUTHENTICATED" } }] }))).into_response();
    };
    let answer = super::gql_as(&state, viewer, RECORD, json!({})).await;
    if let Some(e) = answer.errors.first() {
        let status = if e.code == "FORBIDDEN" {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::BAD_REQUEST
        };
        return (
            status,
            axum::Json(
                json!({ "errors": [{ "message": e.message, "extensions": { "code": e.code } }] }),
            ),
        )
            .into_response();
    }
    let mut response = axum::Json(json!({
        "exportedAt": chrono::Utc::now().to_rfc3339(),
        "record": answer.data["me"],
    }))
    .into_response();
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"my-record.json\""),
    );
    response
}
