//! Data-sharing agreements in the console: the list with each row's next
//! step (accept as the recipient's org_admin, approve as hub_admin, revoke
//! from either side) and the form to propose one.

use axum::Router;
use axum::extract::{Form, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde_json::{Value, json};

use super::{PURPOSES, org_options, organizations, today};
use crate::auth::Role;
use crate::web::AppState;
use crate::web::console::forms::{self, ConsoleForm, FormState, all, show, submit};
use crate::web::console::{Fields, Session, Shown, csrf_field, field, gql, page, text};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/agreements",
            get(show::<ProposeAgreement>).post(forms::post::<ProposeAgreement>),
        )
        .route("/admin/agreements/act", post(act))
}

/// `proposeAgreement` from the viewer's organization (org_admin).
#[derive(Default)]
struct ProposeAgreement;

impl ConsoleForm for ProposeAgreement {
    fn mutation(&self) -> &str {
        "mutation($input: ProposeAgreementInput!) { proposeAgreement(input: $input) { id } }"
    }

    fn variables(&self, fields: &Fields) -> Result<Value, Shown> {
        Ok(json!({ "input": {
            "recipientOrgSlug": field(fields, "recipientOrgSlug").unwrap_or_default(),
            "categories": all(fields, "categories"),
            "purpose": field(fields, "purpose").unwrap_or_default(),
            "requiresConsent": field(fields, "requiresConsent").is_some(),
            "effectiveOn": field(fields, "effectiveOn").unwrap_or_default(),
            "expiresOn": field(fields, "expiresOn"),
        } }))
    }

    fn done(&self) -> &str {
        "Agreement proposed; the recipient's org_admin accepts it next."
    }

    async fn page(&self, state: &AppState, session: &Session, form: &FormState) -> Response {
        agreements_page(state, session, form).await
    }
}

/// The next step of an agreement, from the button in its row.
enum AgreementStep {
    Accept,
    Approve,
    Revoke,
    /// A form naming no step: refused before the API is asked.
    Unknown,
}

impl AgreementStep {
    fn of(action: Option<&str>) -> AgreementStep {
        match action {
            Some("accept") => AgreementStep::Accept,
            Some("approve") => AgreementStep::Approve,
            Some("revoke") => AgreementStep::Revoke,
            _ => AgreementStep::Unknown,
        }
    }
}

impl ConsoleForm for AgreementStep {
    fn mutation(&self) -> &str {
        match self {
            AgreementStep::Accept => {
                "mutation($input: AgreementVersionInput!) { acceptAgreement(input: $input) { id status } }"
            }
            AgreementStep::Approve => {
                "mutation($input: AgreementVersionInput!) { approveAgreement(input: $input) { id status } }"
            }
            AgreementStep::Revoke => {
                "mutation($input: AgreementVersionInput!) { revokeAgreement(input: $input) { id status } }"
            }
            // Never run: `variables` refuses the form first.
            AgreementStep::Unknown => "",
        }
    }

    fn variables(&self, fields: &Fields) -> Result<Value, Shown> {
        if let AgreementStep::Unknown = self {
            return Err(Shown::new("BAD_USER_INPUT", "Unknown action."));
        }
        let version: i64 = field(fields, "version")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        Ok(
            json!({ "input": { "id": field(fields, "id").unwrap_or_default(), "version": version } }),
        )
    }

    fn done(&self) -> &str {
        match self {
            AgreementStep::Accept => "Agreement accepted; a hub admin approves it next.",
            AgreementStep::Approve => "Agreement approved: it is in force.",
            AgreementStep::Revoke => "Agreement revoked: sharing under it stops now.",
            AgreementStep::Unknown => "",
        }
    }

    async fn page(&self, state: &AppState, session: &Session, form: &FormState) -> Response {
        // The row's hidden fields are no input of the proposal form.
        agreements_page(state, session, &form.notice_only()).await
    }
}

async fn act(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let step = AgreementStep::of(field(&fields, "action"));
    submit(&state, &headers, fields, &step).await
}

async fn agreements_page(state: &AppState, session: &Session, form: &FormState) -> Response {
    let answer = gql(
        state,
        session,
        "{ sharingAgreements { id provider { slug name } recipient { slug name } categories purpose requiresConsent status
            effectiveOn expiresOn proposedBy acceptedBy approvedBy version } }",
        json!({}),
    )
    .await;
    let notice = form.or_notice(|| (!answer.errors.is_empty()).then(|| answer.notice("")));
    let orgs = org_options(&organizations(state, session).await, None);
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
                (form.select_options("recipientOrgSlug", "Recipient organization", false, &orgs))
                (form.categories("Data categories shared"))
                (form.select("purpose", "Purpose", PURPOSES))
                (form.checkbox("requiresConsent", "Requires the participant's consent", true))
                (form.input_or("effectiveOn", "Effective on", "date", true, &today()))
                (form.input("expiresOn", "Expires on", "date", false))
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
