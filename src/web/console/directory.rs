//! Console pages for the directory: organizations and pathways (hub_admin
//! adds them), programs and mentors (an org_admin adds its own).

use axum::Router;
use axum::extract::{Form, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::html;
use serde_json::{Map, Value, json};

use super::{
    Fields, Notice, Session, csrf_field, field, form_session, gql, input, page, select, session,
    text, to_login,
};
use crate::auth::Role;
use crate::web::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/organizations",
            get(organizations).post(create_organization),
        )
        .route("/admin/pathways", get(pathways).post(create_pathway))
        .route("/admin/programs", get(programs).post(create_program))
        .route("/admin/mentors", get(mentors).post(create_mentor))
}

const ORG_KINDS: &[&str] = &[
    "LEAD_AGENCY",
    "TRAINING_PARTNER",
    "UNION",
    "COLLEGE",
    "HIGH_SCHOOL",
    "EMPLOYER",
    "EVALUATOR",
    "FUNDER",
    "COMMUNITY_PARTNER",
];

const PROGRAM_KINDS: &[&str] = &[
    "CTE_PATHWAY",
    "TRAINING_COHORT",
    "PRE_APPRENTICESHIP",
    "REGISTERED_APPRENTICESHIP",
    "INTERNSHIP",
    "WORKSHOP",
];

/// An input object from the form's non-empty fields: `(form name, input
/// name, how to read it)`.
fn input_of(fields: &Fields, spec: &[(&str, Kind)]) -> Value {
    let mut out = Map::new();
    for (name, kind) in spec {
        if let Some(v) = field(fields, name) {
            let value = match kind {
                Kind::Text => json!(v),
                // Sent as text when not a number: the API names the field.
                Kind::Number => v.parse::<f64>().map(|n| json!(n)).unwrap_or(json!(v)),
                Kind::Bool => json!(v == "true" || v == "on"),
            };
            out.insert((*name).to_owned(), value);
        }
    }
    Value::Object(out)
}

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Number,
    Bool,
}

async fn organizations(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(session) = session(&state, &headers).await else {
        return to_login();
    };
    organizations_page(&state, &session, None).await
}

async fn organizations_page(
    state: &AppState,
    session: &Session,
    notice: Option<Notice>,
) -> Response {
    let answer = gql(
        state,
        session,
        "{ organizations { slug name kind } }",
        json!({}),
    )
    .await;
    let content = html! {
        table {
            caption { "Partner organizations" }
            thead { tr { th scope="col" { "Slug" } th scope="col" { "Name" } th scope="col" { "Kind" } } }
            tbody {
                @for o in answer.data["organizations"].as_array().into_iter().flatten() {
                    tr { td { (text(&o["slug"])) } td { (text(&o["name"])) } td { (text(&o["kind"])) } }
                }
            }
        }
        @if session.has(Role::HubAdmin) {
            form.card method="post" action="/admin/organizations" {
                h2 { "Add an organization" }
                (csrf_field(session))
                (input("slug", "Slug (e.g. iatse-local-600)", "text", true))
                (input("name", "Name", "text", true))
                (select("kind", "Kind", ORG_KINDS, None))
                div { button type="submit" { "Add organization" } }
            }
        }
    };
    page("Organizations", Some(session), notice.as_ref(), content).into_response()
}

async fn create_organization(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let session = match form_session(&state, &headers, &fields).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let input = input_of(
        &fields,
        &[
            ("slug", Kind::Text),
            ("name", Kind::Text),
            ("kind", Kind::Text),
        ],
    );
    let answer = gql(
        &state,
        &session,
        "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { slug } }",
        json!({ "input": input }),
    )
    .await;
    organizations_page(&state, &session, Some(answer.notice("Organization added."))).await
}

async fn pathways(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(session) = session(&state, &headers).await else {
        return to_login();
    };
    pathways_page(&state, &session, None).await
}

async fn pathways_page(state: &AppState, session: &Session, notice: Option<Notice>) -> Response {
    let answer = gql(
        state,
        session,
        "{ pathways { code name sector socCode } }",
        json!({}),
    )
    .await;
    let content = html! {
        table {
            caption { "Career pathways" }
            thead { tr { th scope="col" { "Code" } th scope="col" { "Name" } th scope="col" { "Sector" } th scope="col" { "SOC" } } }
            tbody {
                @for p in answer.data["pathways"].as_array().into_iter().flatten() {
                    tr { td { (text(&p["code"])) } td { (text(&p["name"])) } td { (text(&p["sector"])) } td { (text(&p["socCode"])) } }
                }
            }
        }
        @if session.has(Role::HubAdmin) {
            form.card method="post" action="/admin/pathways" {
                h2 { "Add a pathway" }
                (csrf_field(session))
                (input("code", "Code (e.g. DIGITAL_VIDEO_EDITING)", "text", true))
                (input("name", "Name", "text", true))
                (input("sector", "Sector", "text", true))
                (input("socCode", "O*NET-SOC code", "text", false))
                div { button type="submit" { "Add pathway" } }
            }
        }
    };
    page("Pathways", Some(session), notice.as_ref(), content).into_response()
}

async fn create_pathway(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let session = match form_session(&state, &headers, &fields).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let input = input_of(
        &fields,
        &[
            ("code", Kind::Text),
            ("name", Kind::Text),
            ("sector", Kind::Text),
            ("socCode", Kind::Text),
        ],
    );
    let answer = gql(
        &state,
        &session,
        "mutation($input: CreatePathwayInput!) { createPathway(input: $input) { code } }",
        json!({ "input": input }),
    )
    .await;
    pathways_page(&state, &session, Some(answer.notice("Pathway added."))).await
}

async fn programs(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(session) = session(&state, &headers).await else {
        return to_login();
    };
    programs_page(&state, &session, None).await
}

async fn programs_page(state: &AppState, session: &Session, notice: Option<Notice>) -> Response {
    let answer = gql(
        state,
        session,
        "query($org: String) { programs(orgSlug: $org) { id name kind approach pathway { code } requiredOjtHours requiredRtiHours scheduledHours stipendThresholdPct site startsOn endsOn } pathways { code name } }",
        json!({ "org": session.viewer.org_slug }),
    )
    .await;
    let pathway_codes: Vec<String> = answer.data["pathways"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| text(&p["code"]))
        .collect();
    let content = html! {
        table {
            caption { "Programs of " (session.viewer.org_slug) }
            thead { tr {
                th scope="col" { "Name" } th scope="col" { "Kind" } th scope="col" { "Pathway" }
                th scope="col" { "OJT / RTI hours required" } th scope="col" { "Scheduled hours" }
                th scope="col" { "Stipend at" } th scope="col" { "Site" } th scope="col" { "Dates" }
            } }
            tbody {
                @for p in answer.data["programs"].as_array().into_iter().flatten() {
                    tr {
                        td { (text(&p["name"])) } td { (text(&p["kind"])) } td { (text(&p["pathway"]["code"])) }
                        td { (text(&p["requiredOjtHours"])) " / " (text(&p["requiredRtiHours"])) }
                        td { (text(&p["scheduledHours"])) }
                        td { @if !p["stipendThresholdPct"].is_null() { (text(&p["stipendThresholdPct"])) " %" } }
                        td { (text(&p["site"])) }
                        td { (text(&p["startsOn"])) " – " (text(&p["endsOn"])) }
                    }
                }
            }
        }
        @if session.has(Role::OrgAdmin) {
            form.card method="post" action="/admin/programs" {
                h2 { "Add a program" }
                (csrf_field(session))
                (input("name", "Name", "text", true))
                (select("kind", "Kind", PROGRAM_KINDS, None))
                (select("approach", "Approach", &["TIME", "COMPETENCY", "HYBRID"], None))
                label for="pathwayCode" { "Pathway" }
                select id="pathwayCode" name="pathwayCode" {
                    option value="" { "(none)" }
                    @for c in &pathway_codes { option value=(c) { (c) } }
                }
                (input("requiredOjtHours", "Required OJT hours (2000 for a registered apprenticeship)", "number", false))
                (input("requiredRtiHours", "Required RTI hours (144)", "number", false))
                (input("scheduledHours", "Scheduled hours", "number", false))
                (input("stipendThresholdPct", "Stipend attendance threshold, % (80)", "number", false))
                (input("site", "Site", "text", false))
                (input("startsOn", "Starts on", "date", false))
                (input("endsOn", "Ends on", "date", false))
                div { button type="submit" { "Add program" } }
            }
        }
    };
    page("Programs", Some(session), notice.as_ref(), content).into_response()
}

async fn create_program(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let session = match form_session(&state, &headers, &fields).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let input = input_of(
        &fields,
        &[
            ("name", Kind::Text),
            ("kind", Kind::Text),
            ("approach", Kind::Text),
            ("pathwayCode", Kind::Text),
            ("requiredOjtHours", Kind::Number),
            ("requiredRtiHours", Kind::Number),
            ("scheduledHours", Kind::Number),
            ("stipendThresholdPct", Kind::Number),
            ("site", Kind::Text),
            ("startsOn", Kind::Text),
            ("endsOn", Kind::Text),
        ],
    );
    let answer = gql(
        &state,
        &session,
        "mutation($input: CreateProgramInput!) { createProgram(input: $input) { id } }",
        json!({ "input": input }),
    )
    .await;
    programs_page(&state, &session, Some(answer.notice("Program added."))).await
}

async fn mentors(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(session) = session(&state, &headers).await else {
        return to_login();
    };
    mentors_page(&state, &session, None).await
}

async fn mentors_page(state: &AppState, session: &Session, notice: Option<Notice>) -> Response {
    let answer = gql(
        state,
        session,
        "query($org: String) { mentors(orgSlug: $org) { id name email craft unionLocal active } }",
        json!({ "org": session.viewer.org_slug }),
    )
    .await;
    let content = html! {
        table {
            caption { "Mentors of " (session.viewer.org_slug) }
            thead { tr { th scope="col" { "Name" } th scope="col" { "Email" } th scope="col" { "Craft" } th scope="col" { "Union local" } th scope="col" { "Active" } } }
            tbody {
                @for m in answer.data["mentors"].as_array().into_iter().flatten() {
                    tr { td { (text(&m["name"])) } td { (text(&m["email"])) } td { (text(&m["craft"])) }
                         td { (text(&m["unionLocal"])) } td { @if m["active"] == json!(true) { "yes" } @else { "no" } } }
                }
            }
        }
        @if session.has(Role::OrgAdmin) {
            form.card method="post" action="/admin/mentors" {
                h2 { "Add a mentor" }
                (csrf_field(session))
                (input("name", "Name", "text", true))
                (input("email", "Email", "email", false))
                (input("craft", "Craft (e.g. Set Lighting)", "text", false))
                (input("unionLocal", "IATSE local (e.g. 728)", "text", false))
                label { input type="checkbox" name="active" value="true" checked; " Takes mentees now" }
                div { button type="submit" { "Add mentor" } }
            }
        }
    };
    page("Mentors", Some(session), notice.as_ref(), content).into_response()
}

async fn create_mentor(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    let session = match form_session(&state, &headers, &fields).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let mut input = input_of(
        &fields,
        &[
            ("name", Kind::Text),
            ("email", Kind::Text),
            ("craft", Kind::Text),
            ("unionLocal", Kind::Text),
            ("active", Kind::Bool),
        ],
    );
    if field(&fields, "active").is_none() {
        input["active"] = json!(false);
    }
    let answer = gql(
        &state,
        &session,
        "mutation($input: CreateMentorInput!) { createMentor(input: $input) { id } }",
        json!({ "input": input }),
    )
    .await;
    mentors_page(&state, &session, Some(answer.notice("Mentor added."))).await
}
