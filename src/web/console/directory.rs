//! Console pages for the directory: organizations and pathways (hub_admin
//! adds them), programs and mentors (an org_admin adds its own).

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::html;
use serde_json::{Map, Value, json};

use super::forms::{ConsoleForm, FormState, post, show};
use super::{Fields, Session, Shown, csrf_field, field, gql, page, text};
use crate::auth::Role;
use crate::web::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/organizations",
            get(show::<NewOrganization>).post(post::<NewOrganization>),
        )
        .route(
            "/admin/pathways",
            get(show::<NewPathway>).post(post::<NewPathway>),
        )
        .route(
            "/admin/programs",
            get(show::<NewProgram>).post(post::<NewProgram>),
        )
        .route(
            "/admin/mentors",
            get(show::<NewMentor>).post(post::<NewMentor>),
        )
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

/// `createOrganization` (hub_admin).
#[derive(Default)]
struct NewOrganization;

impl ConsoleForm for NewOrganization {
    fn mutation(&self) -> &str {
        "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { slug } }"
    }

    fn variables(&self, fields: &Fields) -> Result<Value, Shown> {
        let input = input_of(
            fields,
            &[
                ("slug", Kind::Text),
                ("name", Kind::Text),
                ("kind", Kind::Text),
            ],
        );
        Ok(json!({ "input": input }))
    }

    fn done(&self) -> &str {
        "Organization added."
    }

    async fn page(&self, state: &AppState, session: &Session, form: &FormState) -> Response {
        organizations_page(state, session, form).await
    }
}

async fn organizations_page(state: &AppState, session: &Session, form: &FormState) -> Response {
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
                (form.input("slug", "Slug (e.g. iatse-local-600)", "text", true))
                (form.input("name", "Name", "text", true))
                (form.select("kind", "Kind", ORG_KINDS))
                div { button type="submit" { "Add organization" } }
            }
        }
    };
    page("Organizations", Some(session), form.notice(), content).into_response()
}

/// `createPathway` (hub_admin).
#[derive(Default)]
struct NewPathway;

impl ConsoleForm for NewPathway {
    fn mutation(&self) -> &str {
        "mutation($input: CreatePathwayInput!) { createPathway(input: $input) { code } }"
    }

    fn variables(&self, fields: &Fields) -> Result<Value, Shown> {
        let input = input_of(
            fields,
            &[
                ("code", Kind::Text),
                ("name", Kind::Text),
                ("sector", Kind::Text),
                ("socCode", Kind::Text),
            ],
        );
        Ok(json!({ "input": input }))
    }

    fn done(&self) -> &str {
        "Pathway added."
    }

    async fn page(&self, state: &AppState, session: &Session, form: &FormState) -> Response {
        pathways_page(state, session, form).await
    }
}

async fn pathways_page(state: &AppState, session: &Session, form: &FormState) -> Response {
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
                (form.input("code", "Code (e.g. DIGITAL_VIDEO_EDITING)", "text", true))
                (form.input("name", "Name", "text", true))
                (form.input("sector", "Sector", "text", true))
                (form.input("socCode", "O*NET-SOC code", "text", false))
                div { button type="submit" { "Add pathway" } }
            }
        }
    };
    page("Pathways", Some(session), form.notice(), content).into_response()
}

/// `createProgram` (org_admin, for its own organization).
#[derive(Default)]
struct NewProgram;

impl ConsoleForm for NewProgram {
    fn mutation(&self) -> &str {
        "mutation($input: CreateProgramInput!) { createProgram(input: $input) { id } }"
    }

    fn variables(&self, fields: &Fields) -> Result<Value, Shown> {
        let input = input_of(
            fields,
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
        Ok(json!({ "input": input }))
    }

    fn done(&self) -> &str {
        "Program added."
    }

    async fn page(&self, state: &AppState, session: &Session, form: &FormState) -> Response {
        programs_page(state, session, form).await
    }
}

async fn programs_page(state: &AppState, session: &Session, form: &FormState) -> Response {
    let answer = gql(
        state,
        session,
        "query($org: String) { programs(orgSlug: $org) { id name kind approach pathway { code } requiredOjtHours requiredRtiHours scheduledHours stipendThresholdPct site startsOn endsOn } pathways { code name } }",
        json!({ "org": session.viewer.org_slug }),
    )
    .await;
    let pathways: Vec<(String, String)> = std::iter::once((String::new(), "(none)".to_owned()))
        .chain(
            answer.data["pathways"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| (text(&p["code"]), text(&p["code"]))),
        )
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
                (form.input("name", "Name", "text", true))
                (form.select("kind", "Kind", PROGRAM_KINDS))
                (form.select("approach", "Approach", &["TIME", "COMPETENCY", "HYBRID"]))
                (form.select_options("pathwayCode", "Pathway", false, &pathways))
                (form.input("requiredOjtHours", "Required OJT hours (2000 for a registered apprenticeship)", "number", false))
                (form.input("requiredRtiHours", "Required RTI hours (144)", "number", false))
                (form.input("scheduledHours", "Scheduled hours", "number", false))
                (form.input("stipendThresholdPct", "Stipend attendance threshold, % (80)", "number", false))
                (form.input("site", "Site", "text", false))
                (form.input("startsOn", "Starts on", "date", false))
                (form.input("endsOn", "Ends on", "date", false))
                div { button type="submit" { "Add program" } }
            }
        }
    };
    page("Programs", Some(session), form.notice(), content).into_response()
}

/// `createMentor` (org_admin, for its own organization).
#[derive(Default)]
struct NewMentor;

impl ConsoleForm for NewMentor {
    fn mutation(&self) -> &str {
        "mutation($input: CreateMentorInput!) { createMentor(input: $input) { id } }"
    }

    fn variables(&self, fields: &Fields) -> Result<Value, Shown> {
        let mut input = input_of(
            fields,
            &[
                ("name", Kind::Text),
                ("email", Kind::Text),
                ("craft", Kind::Text),
                ("unionLocal", Kind::Text),
                ("active", Kind::Bool),
            ],
        );
        // An unchecked box sends nothing; the API's default is true.
        if field(fields, "active").is_none() {
            input["active"] = json!(false);
        }
        Ok(json!({ "input": input }))
    }

    fn done(&self) -> &str {
        "Mentor added."
    }

    async fn page(&self, state: &AppState, session: &Session, form: &FormState) -> Response {
        mentors_page(state, session, form).await
    }
}

async fn mentors_page(state: &AppState, session: &Session, form: &FormState) -> Response {
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
                (form.input("name", "Name", "text", true))
                (form.input("email", "Email", "email", false))
                (form.input("craft", "Craft (e.g. Set Lighting)", "text", false))
                (form.input("unionLocal", "IATSE local (e.g. 728)", "text", false))
                (form.checkbox("active", "Takes mentees now", true))
                div { button type="submit" { "Add mentor" } }
            }
        }
    };
    page("Mentors", Some(session), form.notice(), content).into_response()
}
