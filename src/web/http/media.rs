//! GraphQL over HTTP's content negotiation and status codes (the
//! GraphQL-over-HTTP specification, "Body" and "Status Codes"): the media
//! type of an answer is chosen from the request's `Accept`, and that choice
//! decides what a request error looks like.
//!
//! - `application/graphql-response+json`: an operation that was not
//!   executed (a document that does not parse or validate, variables that
//!   do not coerce, an operation that cannot be chosen) answers `400` with
//!   no `data` entry; an executed operation answers `200`, field errors and
//!   all. Every answer without `data` has a `4xx` or `5xx` status.
//! - `application/json` (the legacy type; also for `*/*` and a missing
//!   `Accept`): every well-formed request answers `200`, with `data: null`
//!   when nothing was executed.
//!
//! Refusals before execution (no token, a body that is not a GraphQL
//! request, a rate limit) keep their own `4xx`/`5xx` in both.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The media type of a GraphQL answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Media {
    /// `application/json`.
    Json,
    /// `application/graphql-response+json`.
    GraphqlResponse,
}

const JSON: &str = "application/json";
const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

impl Media {
    /// The media type `headers` accept, the one with the highest `q`
    /// (between equals: the one named rather than matched by a wildcard,
    /// then the one listed first; `*/*` alone is `application/json`).
    /// Without an `Accept` header, `application/json` (the
    /// specification's legacy rule, which the reference audits check).
    /// `None` when neither is acceptable: the request is answered `406`.
    pub(crate) fn negotiate(headers: &HeaderMap) -> Option<Media> {
        let ranges: Vec<Range> = headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(Range::parse)
            .collect();
        if ranges.is_empty() {
            return Some(Media::Json);
        }
        let graphql = Range::best_for(&ranges, GRAPHQL_RESPONSE);
        let json = Range::best_for(&ranges, JSON);
        match (graphql, json) {
            (Some(g), Some(j)) if g.prefers_to(&j) => Some(Media::GraphqlResponse),
            (_, Some(_)) => Some(Media::Json),
            (Some(_), None) => Some(Media::GraphqlResponse),
            (None, None) => None,
        }
    }

    /// The `Content-Type` of an answer in this media type.
    pub(crate) fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Media::Json => "application/json; charset=utf-8",
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
        })
    }
}

/// One media range of an `Accept` header, where it stands and its weight.
#[derive(Debug, Clone, Copy)]
struct Match {
    q: f32,
    /// 2 for the type itself, 1 for `application/*`, 0 for `*/*`.
    specificity: u8,
    position: usize,
}

impl Match {
    fn prefers_to(&self, other: &Match) -> bool {
        (self.q, self.specificity, std::cmp::Reverse(self.position))
            > (
                other.q,
                other.specificity,
                std::cmp::Reverse(other.position),
            )
    }
}

#[derive(Debug)]
struct Range {
    essence: String,
    q: f32,
}

impl Range {
    /// `type/subtype;param=…;q=0.5`; `None` for an empty entry.
    fn parse(text: &str) -> Option<Range> {
        let mut parts = text.split(';');
        let essence = parts.next()?.trim().to_ascii_lowercase();
        if essence.is_empty() {
            return None;
        }
        let q = parts
            .filter_map(|p| p.split_once('='))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
            .map(|(_, value)| value.trim().parse::<f32>().unwrap_or(0.0))
            .unwrap_or(1.0)
            .clamp(0.0, 1.0);
        Some(Range { essence, q })
    }

    /// How `ranges` accept `media`: by its most specific range (RFC 9110,
    /// 12.5.1); `None` when no range matches or that range has `q=0`.
    fn best_for(ranges: &[Range], media: &str) -> Option<Match> {
        let specificity = |essence: &str| match essence {
            e if e == media => Some(2),
            "application/*" => Some(1),
            "*/*" => Some(0),
            _ => None,
        };
        let found = ranges
            .iter()
            .enumerate()
            .filter_map(|(position, r)| {
                specificity(&r.essence).map(|specificity| Match {
                    q: r.q,
                    specificity,
                    position,
                })
            })
            .max_by_key(|m| (m.specificity, std::cmp::Reverse(m.position)))?;
        (found.q > 0.0).then_some(found)
    }
}

/// Whether `response` reports a request error: nothing was executed (no
/// `data` and no error with a `path`; a field error always has one).
pub(crate) fn is_request_error(response: &async_graphql::Response) -> bool {
    !response.errors.is_empty()
        && response.data == async_graphql::Value::Null
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// The HTTP answer of an executed request (or batch) in `media`. A single
/// request's request error in `application/graphql-response+json` is `400`
/// without `data`; a batch's items are answered as they are, `200`. When
/// the database was away the caller makes it a `503` (`super::unavailable`),
/// and a single answer in `application/graphql-response+json` then has no
/// `data` either: there, an answer that is not `2xx` never has.
pub(super) fn answer(
    batch: async_graphql::BatchResponse,
    media: Media,
    database_away: bool,
) -> Response {
    let (request_error, failed) = match &batch {
        async_graphql::BatchResponse::Single(r) => {
            let request_error = media == Media::GraphqlResponse && is_request_error(r);
            (request_error, request_error || database_away)
        }
        async_graphql::BatchResponse::Batch(_) => (false, false),
    };
    let headers = batch.http_headers();
    let mut body = match serde_json::to_value(&batch) {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(detail = %err, "a GraphQL answer could not be serialized");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if failed
        && media == Media::GraphqlResponse
        && let Some(object) = body.as_object_mut()
    {
        object.remove("data");
    }
    let status = if request_error {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut response = json(status, &body, media);
    response.headers_mut().extend(headers);
    response
}

/// `body` as JSON with `status`, in `media`'s content type.
pub(super) fn json(status: StatusCode, body: &serde_json::Value, media: Media) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, media.content_type());
    response
}

/// An answer made before or instead of execution (`{data: null, errors}`)
/// in `media`: in `application/graphql-response+json` it has no `data`
/// entry (no operation ran) and a `2xx` status becomes `400`.
pub(super) fn refusal(status: StatusCode, mut body: serde_json::Value, media: Media) -> Response {
    let status = match media {
        Media::GraphqlResponse => {
            if let Some(object) = body.as_object_mut() {
                object.remove("data");
            }
            if status.is_success() {
                StatusCode::BAD_REQUEST
            } else {
                status
            }
        }
        Media::Json => status,
    };
    json(status, &body, media)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepting(values: &[&str]) -> Option<Media> {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        }
        Media::negotiate(&headers)
    }

    #[test]
    fn the_accepted_type_is_answered() {
        use Media::{GraphqlResponse, Json};
        assert_eq!(accepting(&[]), Some(Json), "no Accept: the legacy type");
        assert_eq!(accepting(&["application/json"]), Some(Json));
        assert_eq!(accepting(&[GRAPHQL_RESPONSE]), Some(GraphqlResponse));
        assert_eq!(accepting(&["*/*"]), Some(Json));
        assert_eq!(accepting(&["application/*"]), Some(Json));
        // Apollo Client's and graphql-http's own clients.
        assert_eq!(
            accepting(&["application/graphql-response+json,application/json;q=0.9"]),
            Some(GraphqlResponse)
        );
        assert_eq!(
            accepting(&["application/graphql-response+json, application/json, multipart/mixed"]),
            Some(GraphqlResponse)
        );
        // The higher q wins wherever it is listed; between equals, the first.
        assert_eq!(
            accepting(&["application/graphql-response+json;q=0.5, application/json"]),
            Some(Json)
        );
        assert_eq!(
            accepting(&["application/json, application/graphql-response+json"]),
            Some(Json)
        );
        // A named type beats a wildcard of the same weight.
        assert_eq!(
            accepting(&["*/*, application/graphql-response+json"]),
            Some(GraphqlResponse)
        );
        // Parameters, case and several headers.
        assert_eq!(
            accepting(&["Application/GraphQL-Response+JSON; charset=utf-8"]),
            Some(GraphqlResponse)
        );
        assert_eq!(accepting(&["text/html", "application/json"]), Some(Json));
        // q=0 refuses even under a wildcard that would allow it.
        assert_eq!(
            accepting(&["application/json;q=0, */*"]),
            Some(GraphqlResponse)
        );
    }

    #[test]
    fn neither_type_accepted_is_none() {
        assert_eq!(accepting(&["text/html"]), None);
        assert_eq!(accepting(&["application/xml, text/*"]), None);
        assert_eq!(
            accepting(&["application/json;q=0, application/graphql-response+json;q=0"]),
            None
        );
    }

    #[test]
    fn a_request_error_has_no_path_and_no_data() {
        let error = || {
            async_graphql::Response::from_errors(vec![async_graphql::ServerError::new(
                "unexpected end",
                None,
            )])
        };
        assert!(is_request_error(&error()));
        let mut field = error();
        field.errors[0].path = vec![async_graphql::PathSegment::Field("viewer".into())];
        assert!(!is_request_error(&field), "a field error nulled `data`");
        assert!(!is_request_error(&async_graphql::Response::new(
            async_graphql::Value::Null
        )));
    }
}
