//! Query limits (DESIGN.md section 7: `QUERY_TOO_COMPLEX`): query depth,
//! complexity (list fields weighted by `first`), aliases, directives and
//! document size, checked before anything executes, and the read-only mark
//! of a `GET` request.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{Positioned, ServerError, ServerResult, ValidationResult, Variables};

use crate::ground::error::codes;

fn too_complex(message: impl Into<String>) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", codes::QUERY_TOO_COMPLEX);
    error.extensions = Some(extensions);
    error
}

/// Marks a request that arrived by `GET`: it may only read.
#[derive(Debug, Clone, Copy)]
pub struct ReadOnly;

/// The schema extension that checks a document before it executes:
/// its size, aliases, and (for `GET`) that it is not a mutation — also when
/// it came as a persisted-query hash — and gives async-graphql's own depth,
/// complexity, recursion and directive refusals the `QUERY_TOO_COMPLEX` code.
pub struct QueryLimits {
    pub max_aliases: usize,
    pub max_document_bytes: usize,
    pub max_field_repeats: usize,
}

impl ExtensionFactory for QueryLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(QueryLimitsExtension {
            max_aliases: self.max_aliases,
            max_document_bytes: self.max_document_bytes,
            max_field_repeats: self.max_field_repeats,
        })
    }
}

struct QueryLimitsExtension {
    max_aliases: usize,
    max_document_bytes: usize,
    max_field_repeats: usize,
}

/// The most times one response key is selected in one selection set (a
/// field repeated 500 times costs 500 resolutions for one answer: a
/// denial-of-service probe, never an honest query).
fn most_repeated(doc: &ExecutableDocument) -> usize {
    fn walk(set: &Positioned<SelectionSet>) -> usize {
        let mut counts = std::collections::HashMap::<&str, usize>::new();
        let mut deepest = 0;
        for item in &set.node.items {
            match &item.node {
                Selection::Field(f) => {
                    *counts
                        .entry(f.node.response_key().node.as_str())
                        .or_default() += 1;
                    deepest = deepest.max(walk(&f.node.selection_set));
                }
                Selection::InlineFragment(f) => deepest = deepest.max(walk(&f.node.selection_set)),
                Selection::FragmentSpread(_) => {}
            }
        }
        counts.into_values().max().unwrap_or(0).max(deepest)
    }
    doc.operations
        .iter()
        .map(|(_, op)| walk(&op.node.selection_set))
        .chain(doc.fragments.values().map(|f| walk(&f.node.selection_set)))
        .max()
        .unwrap_or(0)
}

fn count_aliases(doc: &ExecutableDocument) -> usize {
    fn walk(set: &Positioned<SelectionSet>) -> usize {
        set.node
            .items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(f) => {
                    usize::from(f.node.alias.is_some()) + walk(&f.node.selection_set)
                }
                Selection::InlineFragment(f) => walk(&f.node.selection_set),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    doc.operations
        .iter()
        .map(|(_, op)| walk(&op.node.selection_set))
        .chain(doc.fragments.values().map(|f| walk(&f.node.selection_set)))
        .sum()
}

/// async-graphql's own limit messages (its validation and parser).
fn is_limit_message(message: &str) -> bool {
    message == "Query is too complex."
        || message == "Query is nested too deep."
        || message.contains("recursion depth")
        || message.contains("recursion limit")
        || message.starts_with("The number of directives")
}

#[async_graphql::async_trait::async_trait]
impl Extension for QueryLimitsExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: async_graphql::Request,
        next: async_graphql::extensions::NextPrepareRequest<'_>,
    ) -> ServerResult<async_graphql::Request> {
        if request.query.len() <= self.max_document_bytes {
            super::directive_defaults::fill(
                &request.query,
                request.operation_name.as_deref(),
                &mut request.variables,
            );
        }
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if query.len() > self.max_document_bytes {
            return Err(too_complex(format!(
                "the query is longer than {} bytes",
                self.max_document_bytes
            )));
        }
        let doc = next.run(ctx, query, variables).await.map_err(|mut e| {
            if is_limit_message(&e.message) {
                e = too_complex(e.message);
            }
            e
        })?;
        if most_repeated(&doc) > self.max_field_repeats {
            return Err(too_complex(format!(
                "a field is selected more than {} times in one selection",
                self.max_field_repeats
            )));
        }
        if count_aliases(&doc) > self.max_aliases {
            return Err(too_complex(format!(
                "the query has more than {} aliases",
                self.max_aliases
            )));
        }
        if ctx.data_opt::<ReadOnly>().is_some()
            && doc
                .operations
                .iter()
                .any(|(_, op)| op.node.ty != OperationType::Query)
        {
            let mut error = ServerError::new("mutations must be sent with POST", None);
            let mut extensions = async_graphql::ErrorExtensionValues::default();
            extensions.set("code", codes::BAD_USER_INPUT);
            extensions.set("field", "query");
            error.extensions = Some(extensions);
            return Err(error);
        }
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| {
                    if is_limit_message(&e.message) {
                        too_complex(e.message)
                    } else {
                        e
                    }
                })
                .collect()
        })
    }
}

/// Ends every operation after parsing, validation and the limits above,
/// before any resolver runs: the answer is an empty `data` or the refusal.
/// Only in [`super::build_checking_schema`] (fuzzing), never in the server.
pub(crate) struct StopBeforeExecution;

impl ExtensionFactory for StopBeforeExecution {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(StopBeforeExecution)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for StopBeforeExecution {
    async fn execute(
        &self,
        _ctx: &ExtensionContext<'_>,
        _operation_name: Option<&str>,
        _next: async_graphql::extensions::NextExecute<'_>,
    ) -> async_graphql::Response {
        async_graphql::Response::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ground::config::LimitsConfig;

    #[test]
    fn aliases_are_counted_in_operations_and_fragments() {
        let doc = async_graphql::parser::parse_query(
            "query { a: viewer { subject } b: viewer { s: subject } ...F } fragment F on Query { c: pathways { code } }",
        )
        .unwrap();
        assert_eq!(count_aliases(&doc), 4);
    }

    #[test]
    fn repeated_fields_are_counted_per_selection() {
        let doc = async_graphql::parser::parse_query(
            "{ viewer { subject subject subject } pathways { code } pathways { name } }",
        )
        .unwrap();
        assert_eq!(most_repeated(&doc), 3);
    }

    #[tokio::test]
    async fn the_checking_schema_validates_and_limits_but_never_executes() {
        let schema = super::super::build_checking_schema();
        let fine = schema.execute("{ viewer { subject } }").await;
        assert!(fine.errors.is_empty(), "{:?}", fine.errors);
        assert_eq!(
            fine.data,
            async_graphql::Value::Null,
            "nothing was resolved"
        );

        let unknown = schema.execute("{ viewer { nope } }").await;
        assert_eq!(unknown.errors.len(), 1, "validation ran");

        let aliases = LimitsConfig::default().max_aliases + 1;
        let many: String = (0..aliases)
            .map(|i| format!("a{i}: viewer {{ subject }} "))
            .collect();
        let refused = schema.execute(format!("{{ {many} }}")).await;
        let code = refused.errors[0]
            .extensions
            .as_ref()
            .and_then(|e| e.get("code").cloned());
        assert_eq!(code, Some(async_graphql::Value::from("QUERY_TOO_COMPLEX")));
    }
}
