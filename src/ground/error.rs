//! The one error type of the hub. Every variant maps to an `extensions.code`
//! of DESIGN.md section 7; internal failures are logged with the request's
//! span and reach clients as `INTERNAL` with a fixed message.

use async_graphql::ErrorExtensions;
use entity::enums::Category;
use sea_orm::{DbErr, SqlErr};

/// Every way a request can fail, as a client sees it.
///
/// Deliberately not `Display`: async-graphql converts any `Display` type into
/// an error without extensions, so conversion goes through our own `From`
/// impl, which always attaches the code.
#[derive(Debug)]
pub enum Error {
    /// No token, or a token that does not verify.
    Unauthenticated(&'static str),
    /// The viewer may not read or do this; `category` names the data category.
    Forbidden {
        message: String,
        category: Option<Category>,
    },
    /// No such row, or one the viewer may not know exists (answered the same).
    NotFound(&'static str),
    /// An input was wrong; `field` names it in camelCase.
    BadUserInput { field: String, message: String },
    /// A stale `version` or a duplicate key.
    Conflict(String),
    /// A partner system did not answer in time or answered nonsense.
    PartnerUnavailable { partner: String },
    /// The query is over a depth, complexity or size limit.
    QueryTooComplex(String),
    /// Too many requests; retry after the given number of seconds.
    RateLimited { retry_after_secs: u64 },
    /// A differential report would spend more privacy loss (ε) than the
    /// organization has left this year; `remaining` is what it has left.
    PrivacyBudgetExhausted { year: i32, remaining: f64 },
    /// The database is away (no connection within the acquire timeout, or
    /// a connection refused, reset or closed): `INTERNAL` to the client,
    /// HTTP `503` with `Retry-After`; the detail is logged, never sent.
    DatabaseUnavailable(String),
    /// Anything else; the detail is logged, never sent.
    Internal(String),
}

/// Seconds a client is told to wait (`Retry-After`, `extensions.retryAfter`)
/// when the database is away.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 5;

/// Marks a GraphQL error that came from [`Error::DatabaseUnavailable`]
/// (its `source`), so the HTTP layer can answer `503` with `Retry-After`.
#[derive(Debug, Clone, Copy)]
pub struct DatabaseUnavailable;

/// The `extensions.code` values (DESIGN.md section 7).
pub mod codes {
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const CONFLICT: &str = "CONFLICT";
    pub const PARTNER_UNAVAILABLE: &str = "PARTNER_UNAVAILABLE";
    pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    pub const PRIVACY_BUDGET_EXHAUSTED: &str = "PRIVACY_BUDGET_EXHAUSTED";
    pub const INTERNAL: &str = "INTERNAL";

    /// Every code, for matching a code read back from a response.
    pub const ALL: &[&str] = &[
        UNAUTHENTICATED,
        FORBIDDEN,
        NOT_FOUND,
        BAD_USER_INPUT,
        CONFLICT,
        PARTNER_UNAVAILABLE,
        QUERY_TOO_COMPLEX,
        RATE_LIMITED,
        PRIVACY_BUDGET_EXHAUSTED,
        INTERNAL,
    ];
}

/// Shorthand for hub results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Unauthenticated(_) => codes::UNAUTHENTICATED,
            Error::Forbidden { .. } => codes::FORBIDDEN,
            Error::NotFound(_) => codes::NOT_FOUND,
            Error::BadUserInput { .. } => codes::BAD_USER_INPUT,
            Error::Conflict(_) => codes::CONFLICT,
            Error::PartnerUnavailable { .. } => codes::PARTNER_UNAVAILABLE,
            Error::QueryTooComplex(_) => codes::QUERY_TOO_COMPLEX,
            Error::RateLimited { .. } => codes::RATE_LIMITED,
            Error::PrivacyBudgetExhausted { .. } => codes::PRIVACY_BUDGET_EXHAUSTED,
            Error::DatabaseUnavailable(_) => codes::INTERNAL,
            Error::Internal(_) => codes::INTERNAL,
        }
    }

    /// The message a client may see.
    pub fn message(&self) -> String {
        match self {
            Error::Unauthenticated(why) => format!("not authenticated: {why}"),
            Error::Forbidden { message, .. } => message.clone(),
            Error::NotFound(what) => format!("{what} not found"),
            Error::BadUserInput { message, .. } => message.clone(),
            Error::Conflict(message) => message.clone(),
            Error::PartnerUnavailable { partner } => format!("partner {partner} is unavailable"),
            Error::QueryTooComplex(message) => message.clone(),
            Error::RateLimited { retry_after_secs } => {
                format!("too many requests; retry after {retry_after_secs} s")
            }
            Error::PrivacyBudgetExhausted { year, remaining } => format!(
                "this report would exceed your organization's privacy-loss budget for {year} \
                 (ε {remaining:.3} left)"
            ),
            Error::DatabaseUnavailable(_) => {
                format!("temporarily unavailable; retry after {UNAVAILABLE_RETRY_AFTER_SECS} s")
            }
            Error::Internal(_) => "internal error".to_owned(),
        }
    }

    /// Logs what a client will not see: the detail of an internal error,
    /// or one line saying the database is away. `context` says where
    /// (inside the request span, which carries the request id).
    pub fn log(&self, context: &str) {
        match self {
            Error::DatabaseUnavailable(detail) => {
                tracing::warn!(detail = %detail, "database unavailable ({context}); answering 503");
            }
            Error::Internal(detail) => {
                tracing::error!(detail = %detail, "internal error ({context})")
            }
            _ => {}
        }
    }

    /// A `BAD_USER_INPUT` naming `field`.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::BadUserInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A `FORBIDDEN` without a data category (a role or ownership rule).
    pub fn forbidden(message: impl Into<String>) -> Self {
        Error::Forbidden {
            message: message.into(),
            category: None,
        }
    }

    /// A `FORBIDDEN` for a data category the viewer may not read.
    pub fn forbidden_category(category: Category) -> Self {
        Error::Forbidden {
            message: format!(
                "not allowed to read {} data of this participant",
                category.as_str()
            ),
            category: Some(category),
        }
    }
}

impl From<DbErr> for Error {
    fn from(err: DbErr) -> Self {
        if crate::ground::db::is_unavailable(&err) {
            Error::DatabaseUnavailable(err.to_string())
        } else {
            Error::Internal(format!("database: {err}"))
        }
    }
}

/// Turns database constraint violations into client errors, as realworld's
/// `on_constraint` does: a duplicate key is `CONFLICT` naming the field, a
/// missing referenced row `BAD_USER_INPUT` naming the field.
pub trait DbResultExt<T> {
    /// `field` is the input field (camelCase) that the unique or foreign key
    /// concerns.
    fn on_constraint(self, field: &str) -> Result<T>;
}

impl<T> DbResultExt<T> for std::result::Result<T, DbErr> {
    fn on_constraint(self, field: &str) -> Result<T> {
        self.map_err(|err| match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                Error::Conflict(format!("a record with this {field} already exists"))
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                Error::bad_input(field, format!("{field} does not name an existing record"))
            }
            _ => Error::from(err),
        })
    }
}

impl From<Error> for async_graphql::Error {
    fn from(err: Error) -> Self {
        err.log("in a resolver");
        let code = err.code();
        let mut gql = async_graphql::Error::new(err.message());
        gql = gql.extend_with(|_, ext| ext.set("code", code));
        match err {
            Error::BadUserInput { field, .. } => gql.extend_with(|_, ext| ext.set("field", field)),
            Error::Forbidden {
                category: Some(category),
                ..
            } => gql.extend_with(|_, ext| ext.set("category", category.as_str())),
            Error::PartnerUnavailable { partner } => {
                gql.extend_with(|_, ext| ext.set("partner", partner))
            }
            Error::RateLimited { retry_after_secs } => {
                gql.extend_with(|_, ext| ext.set("retryAfter", retry_after_secs))
            }
            Error::PrivacyBudgetExhausted { remaining, .. } => {
                gql.extend_with(|_, ext| ext.set("remainingEpsilon", remaining))
            }
            Error::DatabaseUnavailable(_) => {
                gql.source = Some(std::sync::Arc::new(DatabaseUnavailable));
                gql.extend_with(|_, ext| ext.set("retryAfter", UNAVAILABLE_RETRY_AFTER_SECS))
            }
            _ => gql,
        }
    }
}
