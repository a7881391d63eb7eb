//! Console pages for data sharing: agreements (propose, accept, approve,
//! revoke), consents of the organization's participants (grant, revoke,
//! print a consent form), and the access explainer.

mod access;
mod agreements;
mod consents;

use axum::Router;
use serde_json::json;

use super::{Session, gql, text};
use crate::web::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .merge(agreements::routes())
        .merge(consents::routes())
        .merge(access::routes())
}

/// The purposes an agreement or a consent names.
const PURPOSES: &[&str] = &["SERVICE_COORDINATION", "EVALUATION", "REPORTING"];

fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

/// Organizations as `(slug, name)`.
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

/// Organizations as options of a select: `name (slug)`, after `first` (an
/// option with an empty value) when given.
fn org_options(orgs: &[(String, String)], first: Option<&str>) -> Vec<(String, String)> {
    first
        .map(|f| (String::new(), f.to_owned()))
        .into_iter()
        .chain(
            orgs.iter()
                .map(|(slug, name)| (slug.clone(), format!("{name} ({slug})"))),
        )
        .collect()
}
