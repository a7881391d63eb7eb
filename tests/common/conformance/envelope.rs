//! The answer's envelope, whatever the query: the top-level keys, the
//! shape of every error, and that an answer without data says why.

use serde_json::Value as Json;

/// The `extensions.code` values an error may carry (DESIGN.md section 7).
pub const CODES: &[&str] = &[
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "BAD_USER_INPUT",
    "CONFLICT",
    "PARTNER_UNAVAILABLE",
    "QUERY_TOO_COMPLEX",
    "RATE_LIMITED",
    "INTERNAL",
    "PRIVACY_BUDGET_EXHAUSTED",
];

/// Every violation of the envelope: an answer that is not an object, a
/// top-level key other than `data`, `errors` and `extensions`, an `errors`
/// that is not a non-empty list, an error without a string `message` or
/// without an `extensions.code` of [`CODES`], a `path` that is not a list
/// of keys and indices, and a missing or null `data` without errors.
pub fn check(answer: &Json) -> Vec<String> {
    let mut out = Vec::new();
    let Some(object) = answer.as_object() else {
        return vec![format!("the answer is not an object: {answer}")];
    };
    for key in object.keys() {
        if !["data", "errors", "extensions"].contains(&key.as_str()) {
            out.push(format!("{key}: unexpected top-level key"));
        }
    }
    let errors = match object.get("errors") {
        None => &[][..],
        Some(Json::Array(errors)) if !errors.is_empty() => errors.as_slice(),
        Some(other) => {
            out.push(format!("errors: expected a non-empty list, got {other}"));
            &[][..]
        }
    };
    for (i, error) in errors.iter().enumerate() {
        out.extend(
            check_error(error)
                .into_iter()
                .map(|v| format!("errors[{i}]{v}")),
        );
    }
    if object.get("data").is_none_or(Json::is_null) && errors.is_empty() {
        out.push(match object.get("data") {
            None => "data: absent, and no error says why".to_owned(),
            Some(_) => "data: null, and no error says why".to_owned(),
        });
    }
    out
}

/// What is wrong with one error, each item starting with the key (`.message`).
fn check_error(error: &Json) -> Vec<String> {
    let mut out = Vec::new();
    if !error.is_object() {
        return vec![format!(": not an object: {error}")];
    }
    if !error["message"].is_string() {
        out.push(format!(
            ".message: expected a string, got {}",
            error["message"]
        ));
    }
    match error["extensions"]["code"].as_str() {
        Some(code) if CODES.contains(&code) => {}
        Some(code) => out.push(format!(".extensions.code: {code:?} is not a known code")),
        None => out.push(format!(
            ".extensions.code: expected a code, got {}",
            error["extensions"]["code"]
        )),
    }
    if let Some(path) = error.get("path") {
        let ok = path
            .as_array()
            .is_some_and(|p| p.iter().all(|s| s.is_string() || s.is_u64()));
        if !ok {
            out.push(format!(
                ".path: expected a list of keys and indices, got {path}"
            ));
        }
    }
    out
}
