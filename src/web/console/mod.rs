//! The admin console at `/admin`: server-rendered HTML pages, served by the
//! hub itself, with no front-end build step.
//!
//! Sign-in takes a bearer token (local use) and keeps it in an `HttpOnly`,
//! `SameSite=Strict` cookie; every form carries a CSRF token (an HMAC of the
//! session under a key made at start) that the server checks before acting.
//! Pages read and write through the same GraphQL schema partners use, as
//! the signed-in viewer, so the console obeys the same policy, audit and
//! error codes — it has no access of its own.

mod directory;
mod form_state;
mod forms;
mod me;
mod records;
mod reports;
mod sharing;
mod sign_in;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde_json::{Value, json};

use crate::auth::Role;
use crate::ground::error::codes;
use crate::web::context::{audit_disclosures, context, with_request_id};
use crate::web::state::AppState;

pub(crate) use crate::web::session::{Session, session};
pub(crate) use forms::{Fields, field};

/// The console's routes, all under `/admin`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(home))
        .route("/admin/", get(home))
        .merge(sign_in::routes())
        .merge(directory::routes())
        .merge(sharing::routes())
        .merge(records::routes())
        .merge(reports::routes())
        .merge(me::routes())
}

/// A refused form: 403 with a page that says why.
pub(crate) fn csrf_refused(session: &Session) -> Response {
    let notice = Notice::error(
        "FORBIDDEN",
        "The form expired or did not come from this console. Reload the page and try again.",
    );
    (
        StatusCode::FORBIDDEN,
        page("Form refused", Some(session), Some(&notice), html! {}),
    )
        .into_response()
}

/// An error of a GraphQL answer, as the console shows it.
#[derive(Debug, Clone)]
pub(crate) struct Shown {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

/// A GraphQL answer: data and the errors to show.
pub(crate) struct Answer {
    pub data: Value,
    pub errors: Vec<Shown>,
}

impl Shown {
    /// An error that names no field.
    pub fn new(code: &str, message: impl Into<String>) -> Shown {
        Shown {
            code: code.to_owned(),
            message: message.into(),
            field: None,
        }
    }

    /// The error as a notice at the top of a page.
    pub fn notice(&self) -> Notice {
        Notice {
            error: true,
            code: Some(self.code.clone()),
            text: match &self.field {
                Some(f) => format!("{} (field {f})", self.message),
                None => self.message.clone(),
            },
        }
    }
}

impl Answer {
    /// The answer as a notice: its first error, or `ok` when there is none.
    pub fn notice(&self, ok: &str) -> Notice {
        match self.errors.first() {
            Some(e) => e.notice(),
            None => Notice::ok(ok),
        }
    }
}

/// Runs a GraphQL document as the session's viewer, with the same context,
/// policy and audit as `POST /graphql`.
pub(crate) async fn gql(
    state: &AppState,
    session: &Session,
    query: &str,
    variables: Value,
) -> Answer {
    gql_as(state, session.viewer.clone(), query, variables).await
}

/// Runs a GraphQL document as `viewer` (see [`gql`]).
pub(crate) async fn gql_as(
    state: &AppState,
    viewer: crate::auth::Viewer,
    query: &str,
    variables: Value,
) -> Answer {
    let request_id = uuid::Uuid::new_v4().to_string();
    let ctx = context(state, Some(viewer), request_id.clone(), None);
    let request = async_graphql::Request::new(query)
        .variables(async_graphql::Variables::from_json(variables))
        .data(ctx.clone());
    let response = state.schema.execute(request).await;
    if let Err(err) = audit_disclosures(state, &ctx).await {
        // No data leaves when its reads could not be audited.
        return Answer {
            data: Value::Null,
            errors: vec![Shown::new(err.code(), err.message())],
        };
    }
    let response = with_request_id(response, &request_id);
    let errors = response
        .errors
        .iter()
        .map(|e| {
            let ext = e.extensions.as_ref();
            let text = |k: &str| {
                ext.and_then(|x| x.get(k)).and_then(|v| match v {
                    async_graphql::Value::String(s) => Some(s.clone()),
                    async_graphql::Value::Enum(s) => Some(s.to_string()),
                    _ => None,
                })
            };
            Shown {
                // Without a code: async-graphql's own parse and validation
                // errors (a variable of the wrong type), as `POST /graphql`
                // counts them.
                code: text("code").unwrap_or_else(|| codes::BAD_USER_INPUT.into()),
                message: e.message.clone(),
                field: text("field"),
            }
        })
        .collect();
    Answer {
        data: response.data.into_json().unwrap_or(Value::Null),
        errors,
    }
}

/// A message at the top of a page.
#[derive(Debug, Clone)]
pub(crate) struct Notice {
    pub error: bool,
    pub code: Option<String>,
    pub text: String,
}

impl Notice {
    pub fn ok(text: &str) -> Notice {
        Notice {
            error: false,
            code: None,
            text: text.to_owned(),
        }
    }

    pub fn error(code: &str, text: &str) -> Notice {
        Notice {
            error: true,
            code: Some(code.to_owned()),
            text: text.to_owned(),
        }
    }
}

const STYLE: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
a{color:#0b57a4}a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f0a500;outline-offset:1px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:6px;z-index:9}
header{background:#1d2430;color:#fff;padding:10px 20px;display:flex;gap:20px;align-items:center;flex-wrap:wrap}
header a{color:#fff}header nav ul{list-style:none;display:flex;gap:14px;margin:0;padding:0;flex-wrap:wrap}
header .who{margin-left:auto;font-size:.9em}
main{padding:20px;max-width:1200px}
h1{font-size:1.5em;margin-top:0}h2{font-size:1.2em;margin-top:1.6em}
table{border-collapse:collapse;background:#fff;width:100%;margin:8px 0}
th,td{border:1px solid #d5d9e0;padding:6px 8px;text-align:left;vertical-align:top;font-size:.93em}
th{background:#eef1f5}caption{text-align:left;font-weight:600;padding:4px 0}
form.card,section.card{background:#fff;border:1px solid #d5d9e0;padding:14px;margin:12px 0;max-width:760px}
label{display:block;font-weight:600;margin:8px 0 2px}
fieldset{border:1px solid #d5d9e0;margin:8px 0}fieldset label{display:inline-block;font-weight:400;margin-right:12px}
input[type=text],input[type=date],input[type=number],input[type=email],select,textarea{padding:6px;border:1px solid #8a94a6;border-radius:3px;min-width:260px;font:inherit}
textarea{width:95%;min-height:8em}
button{background:#0b57a4;color:#fff;border:0;border-radius:3px;padding:7px 14px;font:inherit;cursor:pointer;margin-top:8px}
button.secondary{background:#5b6472}button.danger{background:#a4190b}
td form{display:inline;margin:0}td button{margin:0 4px 0 0;padding:4px 8px}
.notice{padding:10px 14px;border-radius:3px;margin:0 0 14px;border:1px solid}
.notice.ok{background:#e8f5e9;border-color:#2e7d32}.notice.error{background:#fdecea;border-color:#a4190b}
.allowed{color:#1b5e20;font-weight:600}.denied{color:#a4190b;font-weight:600}
.hint{color:#4a5260;font-size:.9em}
.field-error{display:block;color:#a4190b;font-weight:600;margin:2px 0}
input[aria-invalid=true],select[aria-invalid=true]{border:2px solid #a4190b}
@media print{header,.noprint{display:none}main{padding:0}body{background:#fff}}
.me dl div{display:flex;flex-wrap:wrap;gap:0 8px}.me dt{font-weight:600}.me dd{margin:0}
.me ul{padding-left:20px}.me li{margin:6px 0}.me form{margin:8px 0}
@media (max-width:600px){main{padding:12px}header{padding:8px 12px}
input[type=text],input[type=date],input[type=number],input[type=email],select,textarea{min-width:0;width:100%;box-sizing:border-box}
form.card,section.card{padding:10px}button{padding:10px 16px}}
"#;

/// The page frame: skip link, navigation by role, the notice, the content.
pub(crate) fn page(
    title: &str,
    session: Option<&Session>,
    notice: Option<&Notice>,
    content: Markup,
) -> Html<String> {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Pathways Hub console" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header {
                    strong { "Pathways Hub" }
                    @if let Some(s) = session.filter(|s| s.viewer.org_slug.is_empty()) {
                        nav aria-label="Console" { ul { li { a href="/me" { "My record" } } } }
                        div.who {
                            form method="post" action="/admin/logout" style="display:inline" {
                                (csrf_field(s))
                                button.secondary type="submit" { "Sign out" }
                            }
                        }
                    } @else if let Some(s) = session {
                        nav aria-label="Console" {
                            ul {
                                li { a href="/admin" { "Home" } }
                                li { a href="/admin/organizations" { "Organizations" } }
                                li { a href="/admin/pathways" { "Pathways" } }
                                li { a href="/admin/programs" { "Programs" } }
                                li { a href="/admin/mentors" { "Mentors" } }
                                li { a href="/admin/agreements" { "Agreements" } }
                                li { a href="/admin/consents" { "Consents" } }
                                li { a href="/admin/access" { "Access explainer" } }
                                li { a href="/admin/audit" { "Audit log" } }
                                li { a href="/admin/reports" { "Reports" } }
                                li { a href="/admin/import" { "Import" } }
                            }
                        }
                        div.who {
                            span { (s.viewer.subject) " · " (s.viewer.org_slug) " · "
                                (s.viewer.roles.iter().map(|r| r.claim()).collect::<Vec<_>>().join(", ")) }
                            form method="post" action="/admin/logout" style="display:inline;margin-left:10px" {
                                (csrf_field(s))
                                button.secondary type="submit" { "Sign out" }
                            }
                        }
                    }
                }
                main id="main" tabindex="-1" {
                    h1 { (title) }
                    @if let Some(n) = notice {
                        @if n.error {
                            div.notice.error role="alert" {
                                @if let Some(code) = &n.code { strong { (code) } ": " }
                                (n.text)
                            }
                        } @else {
                            div.notice.ok role="status" { (n.text) }
                        }
                    }
                    (content)
                }
            }
        }
    };
    Html(markup.into_string())
}

/// The hidden CSRF field every form carries.
pub(crate) fn csrf_field(session: &Session) -> Markup {
    html! { input type="hidden" name="csrf" value=(session.csrf); }
}

/// The JSON text of a value, for table cells.
pub(crate) fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// Redirects to the sign-in page (no session, or it expired).
pub(crate) fn to_login() -> Response {
    Redirect::to("/admin/login").into_response()
}

async fn home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(session) = session(&state, &headers).await else {
        return to_login();
    };
    if session.viewer.org_slug.is_empty() {
        // A youth's own token: their own record.
        return Redirect::to("/me").into_response();
    }
    let answer = gql(
        &state,
        &session,
        "{ viewer { subject roles organization { slug name kind } } }",
        json!({}),
    )
    .await;
    let org = &answer.data["viewer"]["organization"];
    let content = html! {
        section.card {
            p { "Signed in as " strong { (session.viewer.subject) } " for "
                strong { (text(&org["name"])) } " (" (text(&org["kind"])) ")." }
            p { "Roles: " (text(&answer.data["viewer"]["roles"])) "." }
        }
        h2 { "What you can do here" }
        ul {
            @if session.has(Role::HubAdmin) {
                li { a href="/admin/organizations" { "Add partner organizations" } " and " a href="/admin/pathways" { "pathways" } }
                li { a href="/admin/agreements" { "Approve data-sharing agreements" } " both sides have accepted" }
                li { a href="/admin/audit" { "Read the whole audit log" } }
                li { a href="/admin/releases" { "Read the report release ledger" } ": what reports showed each evaluator organization" }
            }
            @if session.has(Role::OrgAdmin) {
                li { a href="/admin/programs" { "Manage your programs" } " and " a href="/admin/mentors" { "mentors" } }
                li { a href="/admin/agreements" { "Propose, accept or revoke agreements" } }
                li { a href="/admin/consents" { "Record and revoke consents" } " of your participants, and print consent forms" }
                li { a href="/admin/audit" { "Read who saw your organization's data" } }
            }
            li { a href="/admin/access" { "Explain why an organization can or cannot see a category of data" } }
            @if session.has(Role::Evaluator) || session.has(Role::OrgAdmin) {
                li { a href="/admin/reports" { "Reports" } ": unduplicated, suppressed figures with a chart and CSV" }
            }
            @if session.has(Role::Staff) || session.has(Role::OrgAdmin) {
                li { a href="/admin/import" { "Import a spreadsheet" } " of participants, enrollments or hours" }
            }
        }
    };
    page("Console", Some(&session), None, content).into_response()
}
