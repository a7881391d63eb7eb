//! Console pages for the audit log (filters and paging) and for importing a
//! partner's spreadsheet (the same import as `pathways-hub import`).

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::html;
use serde_json::{Map, Value, json};

use super::form_state::select;
use super::forms::{Fields, FormState, field};
use super::{Session, Shown, csrf_field, csrf_refused, gql, page, session, text, to_login};
use crate::audit::Actor;
use crate::import::{self, ImportKind, ImportSummary};
use crate::web::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/admin/audit", get(audit)).route(
        "/admin/import",
        get(import_page)
            .post(upload)
            .layer(DefaultBodyLimit::max(crate::web::MAX_UPLOAD_BYTES)),
    )
}

const ACTIONS: &[&str] = &[
    "", "READ", "CREATE", "UPDATE", "DELETE", "EXPORT", "GRANT", "REVOKE", "DENY",
];

#[derive(serde::Deserialize, Default)]
struct AuditParams {
    action: Option<String>,
    #[serde(rename = "actorOrgSlug")]
    actor_org_slug: Option<String>,
    #[serde(rename = "participantId")]
    participant_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
    after: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

async fn audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<AuditParams>,
) -> Response {
    let Some(session) = session(&state, &headers).await else {
        return to_login();
    };
    let mut filter = Map::new();
    if let Some(a) = nonempty(&params.action) {
        filter.insert("action".into(), json!(a));
    }
    if let Some(o) = nonempty(&params.actor_org_slug) {
        filter.insert("actorOrgSlug".into(), json!(o));
    }
    if let Some(p) = nonempty(&params.participant_id) {
        filter.insert("participantId".into(), json!(p));
    }
    if let Some(d) = nonempty(&params.from) {
        filter.insert("from".into(), json!(format!("{d}T00:00:00Z")));
    }
    if let Some(d) = nonempty(&params.to) {
        filter.insert("to".into(), json!(format!("{d}T00:00:00Z")));
    }
    let answer = gql(
        &state,
        &session,
        "query($after: String, $filter: AuditEventFilter) { auditEvents(first: 50, after: $after, filter: $filter) {
            totalCount pageInfo { hasNextPage endCursor }
            nodes { at actorSubject actorOrganization { slug } action entity entityId participantId ownerOrganization { slug } categories detail } } }",
        json!({ "after": nonempty(&params.after), "filter": Value::Object(filter) }),
    )
    .await;
    let events = &answer.data["auditEvents"];
    let notice = (!answer.errors.is_empty()).then(|| answer.notice(""));
    let next = events["pageInfo"]["endCursor"]
        .as_str()
        .filter(|_| events["pageInfo"]["hasNextPage"] == json!(true));
    let keep = |name: &str, value: &Option<String>| {
        nonempty(value).map(|v| (name.to_owned(), v.to_owned()))
    };
    let mut query: Vec<(String, String)> = [
        keep("action", &params.action),
        keep("actorOrgSlug", &params.actor_org_slug),
        keep("participantId", &params.participant_id),
        keep("from", &params.from),
        keep("to", &params.to),
    ]
    .into_iter()
    .flatten()
    .collect();
    let next_href = next.map(|cursor| {
        query.push(("after".into(), cursor.to_owned()));
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query.iter())
            .finish();
        format!("/admin/audit?{encoded}")
    });
    let content = html! {
        form.card method="get" action="/admin/audit" {
            h2 { "Filter" }
            (select("action", "Action", ACTIONS, nonempty(&params.action)))
            label for="actorOrgSlug" { "Actor's organization (slug)" }
            input type="text" id="actorOrgSlug" name="actorOrgSlug" value=(nonempty(&params.actor_org_slug).unwrap_or(""));
            label for="participantId" { "Participant (hub id)" }
            input type="text" id="participantId" name="participantId" value=(nonempty(&params.participant_id).unwrap_or(""));
            label for="from" { "From (inclusive)" }
            input type="date" id="from" name="from" value=(nonempty(&params.from).unwrap_or(""));
            label for="to" { "Until (exclusive)" }
            input type="date" id="to" name="to" value=(nonempty(&params.to).unwrap_or(""));
            div { button type="submit" { "Show events" } }
        }
        p { (text(&events["totalCount"])) " events match." }
        table {
            caption { "Audit events, newest first" }
            thead { tr {
                th scope="col" { "At" } th scope="col" { "Actor" } th scope="col" { "Action" }
                th scope="col" { "Record" } th scope="col" { "Participant" } th scope="col" { "Data steward" }
                th scope="col" { "Categories" } th scope="col" { "Detail" }
            } }
            tbody {
                @for e in events["nodes"].as_array().into_iter().flatten() {
                    tr {
                        td { (text(&e["at"])) }
                        td { (text(&e["actorSubject"])) " (" (text(&e["actorOrganization"]["slug"])) ")" }
                        td { (text(&e["action"])) }
                        td { (text(&e["entity"])) " " span.hint { (text(&e["entityId"])) } }
                        td { (text(&e["participantId"])) }
                        td { (text(&e["ownerOrganization"]["slug"])) }
                        td { (text(&e["categories"])) }
                        td { (text(&e["detail"])) }
                    }
                }
            }
        }
        @if let Some(href) = next_href {
            p { a href=(href) rel="next" { "Next page" } }
        }
    };
    page("Audit log", Some(&session), notice.as_ref(), content).into_response()
}

/// The upload form (what kind and dry run kept as sent; a browser never
/// lets a page refill a file input) and the result of the last upload.
fn import_form(
    session: &Session,
    form: &FormState,
    summary: Option<&ImportSummary>,
    dry_run: bool,
) -> maud::Markup {
    html! {
        form.card method="post" action="/admin/import" enctype="multipart/form-data" {
            p.hint { "A CSV file with a header line, for " (session.viewer.org_slug)
                ". Every line is checked first: when any line is bad, nothing is written. "
                "Lines whose external id is already known are left unchanged." }
            (csrf_field(session))
            (form.select("kind", "What the file holds", &["participants", "enrollments", "hours"]))
            label for="file" { "CSV file" }
            input type="file" id="file" name="file" accept=".csv,text/csv" required;
            div { (form.checkbox("dryRun", "Check only (dry run)", false)) }
            div { button type="submit" { "Import" } }
        }
        @if let Some(s) = summary {
            section.card aria-labelledby="result" {
                h2 id="result" { @if dry_run { "Dry run" } @else { "Result" } }
                p { (s.lines) " lines: " (s.inserted) @if dry_run { " would be inserted, " } @else { " inserted, " }
                    (s.unchanged) " unchanged, " (s.errors.len()) " errors." }
                @if !s.errors.is_empty() {
                    table {
                        caption { "Lines to fix (nothing was written)" }
                        thead { tr { th scope="col" { "Line" } th scope="col" { "Column" } th scope="col" { "Problem" } } }
                        tbody {
                            @for e in &s.errors {
                                tr { td { (e.line) } td { (e.column) } td { (e.message) } }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Columns" }
        ul {
            li { strong { "participants: " } (import::PARTICIPANT_COLUMNS.join(", ")) }
            li { strong { "enrollments: " } (import::ENROLLMENT_COLUMNS.join(", ")) }
            li { strong { "hours: " } (import::HOUR_COLUMNS.join(", ")) }
        }
    }
}

async fn import_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(session) = session(&state, &headers).await else {
        return to_login();
    };
    page(
        "Import a spreadsheet",
        Some(&session),
        None,
        import_form(&session, &FormState::blank(), None, false),
    )
    .into_response()
}

async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let Some(session) = session(&state, &headers).await else {
        return to_login();
    };
    // What the form sent besides the file, as a form's fields.
    let mut fields = Fields::new();
    let mut file = None;
    loop {
        match form.next_field().await {
            Ok(Some(part)) => {
                let name = part.name().unwrap_or_default().to_owned();
                let Ok(bytes) = part.bytes().await else {
                    break;
                };
                match name.as_str() {
                    "file" => file = Some(bytes),
                    "csrf" | "kind" | "dryRun" => {
                        fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
                    }
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => break,
        }
    }
    if !crate::web::session::csrf_ok(&state, &session, field(&fields, "csrf")) {
        return csrf_refused(&session);
    }
    let kind = field(&fields, "kind").and_then(ImportKind::parse);
    // Checked as before: any `dryRun` part means a dry run.
    let dry_run = fields.iter().any(|(k, _)| k == "dryRun");
    let show = |outcome: Result<&str, Shown>, summary: Option<&ImportSummary>, status| {
        let form = match outcome {
            Ok(text) => FormState::done(text),
            Err(error) => FormState::refused(fields.clone(), error),
        };
        (
            status,
            page(
                "Import a spreadsheet",
                Some(&session),
                form.notice(),
                import_form(&session, &form, summary, dry_run),
            ),
        )
            .into_response()
    };
    if let Err(err) = crate::policy::require_writer(&session.viewer) {
        return show(
            Err(Shown::new(err.code(), err.message())),
            None,
            StatusCode::FORBIDDEN,
        );
    }
    let (Some(kind), Some(file)) = (kind, file) else {
        return show(
            Err(Shown::new(
                "BAD_USER_INPUT",
                "Choose what the file holds and a CSV file.",
            )),
            None,
            StatusCode::BAD_REQUEST,
        );
    };
    let actor = Actor::of(&session.viewer, &uuid::Uuid::new_v4().to_string());
    match import::run(
        &state.db,
        state.config.match_key_secret(),
        &session.viewer,
        &actor,
        kind,
        &file[..],
        dry_run,
        false,
    )
    .await
    {
        Ok(summary) if summary.errors.is_empty() => show(
            Ok(if dry_run {
                "The file is good; nothing was written (dry run)."
            } else {
                "Imported."
            }),
            Some(&summary),
            StatusCode::OK,
        ),
        Ok(summary) => show(
            Err(Shown::new(
                "BAD_USER_INPUT",
                "Some lines are bad; nothing was written.",
            )),
            Some(&summary),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(err) => show(
            Err(Shown::new(err.code(), err.message())),
            None,
            StatusCode::OK,
        ),
    }
}
