//! One shape for the console's forms. A form names its mutation, how its
//! fields become the mutation's variables, and the page it lives on
//! ([`ConsoleForm`]); [`submit`] does the rest the same way for every form:
//! the session and CSRF check, the mutation as the signed-in user, then the
//! page again — with a success notice and an empty form, or, when the API
//! refused, with everything the user typed still in the form and the error
//! next to the field its `extensions.field` names.
//!
//! What the page's form then shows is a [`FormState`]; its widgets render
//! each labelled control from it. The sign-in form is not one of these: it
//! must never echo a token back.

use std::future::Future;

use axum::extract::{Form, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

pub(crate) use super::form_state::FormState;
use super::{Session, Shown, csrf_refused, gql, session, to_login};
use crate::web::session::csrf_ok;
use crate::web::state::AppState;

/// A form's fields, in order (checkbox groups repeat a name).
pub(crate) type Fields = Vec<(String, String)>;

/// The first value of `name`, trimmed; `None` when absent or blank.
pub(crate) fn field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Every value of `name` (a checkbox group).
pub(crate) fn all<'a>(fields: &'a Fields, name: &str) -> Vec<&'a str> {
    fields
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The session of a form's request, if the form carries its CSRF token;
/// otherwise the answer to send (the sign-in page, or 403).
pub(crate) async fn form_session(
    state: &AppState,
    headers: &HeaderMap,
    fields: &Fields,
) -> Result<Session, Response> {
    let Some(session) = session(state, headers).await else {
        return Err(to_login());
    };
    if !csrf_ok(state, &session, field(fields, "csrf")) {
        return Err(csrf_refused(&session));
    }
    Ok(session)
}

/// A console form that runs one GraphQL mutation as the signed-in user.
/// What differs between forms is named here; [`submit`] does the rest.
pub(crate) trait ConsoleForm: Send + Sync {
    /// The mutation document.
    fn mutation(&self) -> &str;

    /// The mutation's variables from the form's fields. `Err` refuses the
    /// form without asking the API; it is shown as the API's refusals are.
    fn variables(&self, fields: &Fields) -> Result<Value, Shown>;

    /// The notice once the mutation succeeded.
    fn done(&self) -> &str;

    /// The page the form lives on, showing `form`: its notice, and the form
    /// empty or holding the refused input.
    fn page(
        &self,
        state: &AppState,
        session: &Session,
        form: &FormState,
    ) -> impl Future<Output = Response> + Send;
}

/// `GET` of a form's page: the page with an empty form.
pub(crate) async fn show<F: ConsoleForm + Default>(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    let Some(session) = session(&state, &headers).await else {
        return to_login();
    };
    F::default()
        .page(&state, &session, &FormState::blank())
        .await
}

/// `POST` of a form: [`submit`] with the form's one instance.
pub(crate) async fn post<F: ConsoleForm + Default>(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    submit(&state, &headers, fields, &F::default()).await
}

/// Checks the session and the CSRF token, runs the form's mutation, and
/// renders its page: a success notice and an empty form, or the first
/// refusal with every submitted value kept.
pub(crate) async fn submit<F: ConsoleForm>(
    state: &AppState,
    headers: &HeaderMap,
    fields: Fields,
    form: &F,
) -> Response {
    let session = match form_session(state, headers, &fields).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let refusal = match form.variables(&fields) {
        Ok(variables) => gql(state, &session, form.mutation(), variables)
            .await
            .errors
            .into_iter()
            .next(),
        Err(refusal) => Some(refusal),
    };
    let shown = match refusal {
        None => FormState::done(form.done()),
        Some(error) => FormState::refused(fields, error),
    };
    form.page(state, &session, &shown).await
}
