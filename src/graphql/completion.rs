//! Null propagation as the GraphQL specification asks ("Handling Execution
//! Errors", section 6.4.4): a field that fails is `null`, and when its type
//! is non-null the `null` moves up to the nearest nullable parent — an
//! object, a list item, or at last `data` itself.
//!
//! Why this exists: async-graphql 7 records a failed field's error but
//! leaves the field's key out of its object, turns an object whose every
//! field failed into `null`, and never propagates. An answer could then
//! carry `null` where the hub's own schema says non-null (`[null]` under
//! `[Enrollment!]!`), which a spec-compliant gateway rejects as a whole.
//! This extension completes every answer that has errors: each failed
//! field's key is put back as `null`, then every `null` in a non-null
//! position propagates upwards. Errors attached to a field that still has
//! a value (a partner's records left empty with `PARTNER_UNAVAILABLE`) do
//! not null it.

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
};
use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationType, Selection, SelectionSet,
};
use async_graphql::registry::{MetaTypeName, Registry};
use async_graphql::{Name, PathSegment, Response, ServerResult, Value, Variables};

/// Installs spec null propagation on the schema.
pub(crate) struct NullPropagation;

impl ExtensionFactory for NullPropagation {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Completion::default())
    }
}

/// Per request: the query text, parsed again only when an answer has errors
/// (most answers have none, and then cost nothing here).
#[derive(Default)]
struct Completion {
    query: Mutex<Option<String>>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for Completion {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if let Ok(mut slot) = self.query.lock() {
            *slot = Some(query.to_owned());
        }
        next.run(ctx, query, variables).await
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        if response.errors.is_empty() {
            return response;
        }
        let query = self.query.lock().ok().and_then(|mut q| q.take());
        let document = query.and_then(|q| async_graphql::parser::parse_query(q).ok());
        if let Some(document) = document {
            propagate(
                &ctx.schema_env.registry,
                &document,
                operation_name,
                &mut response,
            );
        }
        response
    }
}

/// Completes `response` to the shape the specification gives it.
fn propagate(
    registry: &Registry,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    response: &mut Response,
) {
    let Some(operation) = document
        .operations
        .iter()
        .find(|(name, _)| operation_name.is_none() || name.map(Name::as_str) == operation_name)
        .map(|(_, op)| op)
    else {
        return;
    };
    let root = match operation.node.ty {
        OperationType::Query => Some(registry.query_type.as_str()),
        OperationType::Mutation => registry.mutation_type.as_deref(),
        OperationType::Subscription => registry.subscription_type.as_deref(),
    };
    let Some(root) = root else {
        return;
    };
    let walker = Walker { registry, document };
    // First every failed field gets its `null` back, then nulls move up:
    // in this order a propagated null is never turned back into an object.
    let holes: Vec<Vec<PathSegment>> = response
        .errors
        .iter()
        .filter(|e| !e.path.is_empty())
        .filter_map(|e| restore(&mut response.data, &e.path))
        .collect();
    for hole in holes {
        let types = walker.types_along(root, &operation.node.selection_set.node, &hole);
        let mut depth = hole.len();
        while depth > 0 && types.get(depth - 1).is_some_and(|t| is_non_null(t)) {
            depth -= 1;
        }
        if depth == 0 {
            response.data = Value::Null;
            return;
        }
        set_null(&mut response.data, &hole[..depth]);
    }
}

/// Puts the failed field of `path` back as `null` and returns the position
/// that is now null; `None` when the path leads to a value that is there
/// (an error about a field that still answered, such as a partner's
/// records left empty) or nowhere.
fn restore(data: &mut Value, path: &[PathSegment]) -> Option<Vec<PathSegment>> {
    let mut node = data;
    for (i, segment) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        match segment {
            PathSegment::Field(key) => {
                // An object whose every field failed came back as null.
                if matches!(node, Value::Null) {
                    *node = Value::Object(Default::default());
                }
                let Value::Object(map) = node else {
                    return None;
                };
                let key = Name::new(key);
                if !map.contains_key(&key) {
                    map.insert(key, Value::Null);
                    return Some(path[..=i].to_vec());
                }
                node = map.get_mut(&key)?;
            }
            PathSegment::Index(index) => {
                let Value::List(items) = node else {
                    return None;
                };
                node = items.get_mut(*index)?;
            }
        }
        if last {
            return matches!(node, Value::Null).then(|| path.to_vec());
        }
    }
    None
}

/// Sets the value at `path` to null, if its parents are still there.
fn set_null(data: &mut Value, path: &[PathSegment]) {
    let mut node = data;
    for segment in path {
        let next = match (segment, node) {
            (PathSegment::Field(key), Value::Object(map)) => map.get_mut(key.as_str()),
            (PathSegment::Index(i), Value::List(items)) => items.get_mut(*i),
            _ => None,
        };
        match next {
            Some(child) => node = child,
            None => return,
        }
    }
    *node = Value::Null;
}

fn is_non_null(ty: &str) -> bool {
    matches!(MetaTypeName::create(ty), MetaTypeName::NonNull(_))
}

/// The declared types along a response path, read from the document's
/// selections and the schema's registry.
struct Walker<'a> {
    registry: &'a Registry,
    document: &'a ExecutableDocument,
}

impl<'a> Walker<'a> {
    /// For each position of `path`, its declared type (`Float!`,
    /// `[Enrollment!]!`, …); the list stops where a type cannot be found
    /// (introspection, a field unknown to the registry), and a position
    /// without a type counts as nullable.
    fn types_along(
        &self,
        root: &str,
        root_selection: &'a SelectionSet,
        path: &[PathSegment],
    ) -> Vec<String> {
        let mut types = Vec::with_capacity(path.len());
        let mut current = format!("{root}!");
        let mut selections: Vec<&'a SelectionSet> = vec![root_selection];
        for segment in path {
            match segment {
                PathSegment::Field(key) => {
                    let parent = MetaTypeName::concrete_typename(&current).to_owned();
                    let mut fields = Vec::new();
                    for set in &selections {
                        self.collect(set, &parent, key, &mut fields);
                    }
                    let Some(ty) = fields.first().and_then(|(owner, field)| {
                        self.field_type(owner, field.node.name.node.as_str())
                    }) else {
                        break;
                    };
                    selections = fields
                        .iter()
                        .map(|(_, field)| &field.node.selection_set.node)
                        .collect();
                    current = ty;
                }
                PathSegment::Index(_) => {
                    let inner = match MetaTypeName::create(&current) {
                        MetaTypeName::NonNull(inner) => inner,
                        _ => current.as_str(),
                    };
                    let MetaTypeName::List(item) = MetaTypeName::create(inner) else {
                        break;
                    };
                    current = item.to_owned();
                }
            }
            types.push(current.clone());
        }
        types
    }

    /// The fields of `set` (through fragments) answering under `key`, each
    /// with the type it is selected on (a fragment's type condition, else
    /// `parent`).
    fn collect(
        &self,
        set: &'a SelectionSet,
        parent: &str,
        key: &str,
        found: &mut Vec<(String, &'a async_graphql::Positioned<Field>)>,
    ) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    if field.node.response_key().node.as_str() == key {
                        found.push((parent.to_owned(), field));
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let on = fragment
                        .node
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.as_str())
                        .unwrap_or(parent);
                    self.collect(&fragment.node.selection_set.node, on, key, found);
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) =
                        self.document.fragments.get(&spread.node.fragment_name.node)
                    {
                        let on = fragment.node.type_condition.node.on.node.as_str();
                        self.collect(&fragment.node.selection_set.node, on, key, found);
                    }
                }
            }
        }
    }

    fn field_type(&self, owner: &str, field: &str) -> Option<String> {
        self.registry
            .types
            .get(owner)?
            .field_by_name(field)
            .map(|f| f.ty.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(segments: &[&str]) -> Vec<PathSegment> {
        segments
            .iter()
            .map(|s| match s.parse::<usize>() {
                Ok(i) => PathSegment::Index(i),
                Err(_) => PathSegment::Field((*s).to_owned()),
            })
            .collect()
    }

    fn json(value: serde_json::Value) -> Value {
        Value::from_json(value).expect("valid JSON value")
    }

    #[test]
    fn a_failed_field_gets_its_null_back() {
        let mut data = json(serde_json::json!({ "a": { "b": 1 } }));
        let hole = restore(&mut data, &path(&["a", "c"]));
        assert_eq!(hole, Some(path(&["a", "c"])));
        assert_eq!(
            data,
            json(serde_json::json!({ "a": { "b": 1, "c": null } }))
        );
    }

    #[test]
    fn an_object_whose_every_field_failed_becomes_an_object_again() {
        let mut data = json(serde_json::json!({ "list": [null, { "x": 2 }] }));
        let hole = restore(&mut data, &path(&["list", "0", "x"]));
        assert_eq!(hole, Some(path(&["list", "0", "x"])));
        assert_eq!(
            data,
            json(serde_json::json!({ "list": [{ "x": null }, { "x": 2 }] }))
        );
    }

    #[test]
    fn an_error_about_a_field_that_answered_nulls_nothing() {
        let mut data = json(serde_json::json!({ "records": [] }));
        assert_eq!(restore(&mut data, &path(&["records"])), None);
        assert_eq!(data, json(serde_json::json!({ "records": [] })));
    }

    #[test]
    fn set_null_stops_at_a_parent_already_null() {
        let mut data = json(serde_json::json!({ "a": null }));
        set_null(&mut data, &path(&["a", "b", "c"]));
        assert_eq!(data, json(serde_json::json!({ "a": null })));
    }

    /// A small schema whose failing fields sit in every kind of position.
    mod schema {
        use async_graphql::{EmptyMutation, EmptySubscription, Object, Result, Schema};

        pub struct Item(pub i32);

        #[Object]
        impl Item {
            async fn id(&self) -> i32 {
                self.0
            }
            /// Non-null; fails on odd items.
            async fn strict(&self) -> Result<f64> {
                if self.0 % 2 == 1 {
                    Err("refused".into())
                } else {
                    Ok(1.0)
                }
            }
            /// Nullable; fails on odd items.
            async fn lenient(&self) -> Result<Option<f64>> {
                if self.0 % 2 == 1 {
                    Err("refused".into())
                } else {
                    Ok(Some(1.0))
                }
            }
        }

        pub struct Query;

        #[Object]
        impl Query {
            async fn items(&self) -> Vec<Item> {
                vec![Item(0), Item(1)]
            }
            async fn maybe_items(&self) -> Option<Vec<Option<Item>>> {
                Some(vec![Some(Item(0)), Some(Item(1))])
            }
            async fn answer(&self) -> i32 {
                42
            }
            async fn broken(&self) -> Result<i32> {
                Err("broken".into())
            }
        }

        pub fn build() -> Schema<Query, EmptyMutation, EmptySubscription> {
            Schema::build(Query, EmptyMutation, EmptySubscription)
                .extension(super::super::NullPropagation)
                .finish()
        }
    }

    async fn run(query: &str) -> (serde_json::Value, usize) {
        let response = schema::build().execute(query).await;
        let errors = response.errors.len();
        let data = response.data.into_json().expect("JSON data");
        (data, errors)
    }

    #[tokio::test]
    async fn a_refused_nullable_field_is_null_and_its_object_stays() {
        let (data, errors) = run("{ items { lenient } }").await;
        assert_eq!(errors, 1);
        assert_eq!(
            data,
            serde_json::json!({ "items": [{ "lenient": 1.0 }, { "lenient": null }] })
        );
    }

    #[tokio::test]
    async fn a_null_in_a_non_null_position_nulls_the_nearest_nullable_parent() {
        // items: [Item!]! — the null climbs through the item and the list
        // to `data`.
        let (data, errors) = run("{ answer items { id strict } }").await;
        assert_eq!(errors, 1);
        assert_eq!(data, serde_json::Value::Null);
        // maybeItems: [Item] — the failed item alone becomes null.
        let (data, _) = run("{ answer maybeItems { id strict } }").await;
        assert_eq!(
            data,
            serde_json::json!({ "answer": 42, "maybeItems": [{ "id": 0, "strict": 1.0 }, null] })
        );
        // Aliases and fragments are followed to the declared type.
        let (data, _) =
            run("{ answer m: maybeItems { ...F } } fragment F on Item { s: strict }").await;
        assert_eq!(
            data,
            serde_json::json!({ "answer": 42, "m": [{ "s": 1.0 }, null] })
        );
    }

    #[tokio::test]
    async fn a_failed_non_null_root_field_nulls_data() {
        let (data, errors) = run("{ answer broken }").await;
        assert_eq!(errors, 1);
        assert_eq!(data, serde_json::Value::Null);
    }
}
