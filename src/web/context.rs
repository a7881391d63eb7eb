//! Running a GraphQL request for a viewer, the same for `/graphql` and the
//! console: the per-request context (viewer, scopes, loaders,
//! disclosures), the audit of a request's disclosures before the answer
//! leaves, and the request id on every error.

use std::sync::Arc;

use crate::audit::{Actor, Disclosures};
use crate::auth::Viewer;
use crate::graphql::{Loaders, PartnerLoaders, RequestContext};
use crate::ground::error::Error;
use crate::policy::Scopes;
use crate::web::state::AppState;

pub(crate) fn context(
    state: &AppState,
    viewer: Option<Viewer>,
    request_id: String,
    client: Option<std::net::IpAddr>,
) -> RequestContext {
    let today = state.clock.today();
    let scopes = match &viewer {
        Some(viewer) => Scopes::new(viewer, today),
        None => Scopes::nobody(today),
    };
    let disclosures = Arc::new(match viewer.as_ref() {
        Some(Viewer {
            participant_id: Some(person),
            ..
        }) => Disclosures::of_person(*person),
        other => Disclosures::new(other.map(|v| v.org_id)),
    });
    RequestContext {
        loaders: Arc::new(Loaders::new(&state.db, scopes.clone())),
        partners: Arc::new(PartnerLoaders::new(&state.db, &scopes, &state.partners)),
        viewer,
        request_id,
        scopes,
        disclosures,
        client,
    }
}

/// Writes the request's disclosures (one batched insert) before the answer
/// leaves; if the audit cannot be written, the data is not sent.
pub(crate) async fn audit_disclosures(
    state: &AppState,
    context: &RequestContext,
) -> Result<(), Error> {
    let Some(viewer) = &context.viewer else {
        return Ok(());
    };
    if context.disclosures.is_empty() {
        return Ok(());
    }
    let actor = Actor::of(viewer, &context.request_id);
    context.disclosures.flush(&state.audit, &actor).await
}

/// Adds `extensions.requestId` to every error of a response, and a code to
/// errors that have none: those come from async-graphql's own parsing,
/// validation and input coercion, before any resolver ran, so they are
/// `BAD_USER_INPUT`.
pub(crate) fn with_request_id(
    mut response: async_graphql::Response,
    request_id: &str,
) -> async_graphql::Response {
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", crate::ground::error::codes::BAD_USER_INPUT);
        }
        extensions.set("requestId", request_id);
    }
    response
}
