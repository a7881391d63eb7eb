//! `@skip(if: $v)` and `@include(if: $v)` with a variable the request
//! leaves out but the operation gives a default (`query($v: Boolean =
//! true)`): the GraphQL specification applies the default. async-graphql
//! 7.2 removes skipped selections before execution reading only the
//! request's variables, so an omitted `$v` counts as `false`: a defaulted
//! `@include` drops its field (upstream async-graphql pull request #1827,
//! open). Until it lands, [`fill`] puts the declared defaults of omitted
//! variables into the request's variables — the values the specification's
//! variable coercion gives them — before async-graphql reads them.

use async_graphql::Variables;
use async_graphql::parser::types::DocumentOperations;

/// Adds to `variables` the default of every variable the operation to run
/// (`operation`, or the document's only one) declares and the request
/// omits, when the document uses `@skip` or `@include` (only then is it
/// parsed a second time).
pub fn fill(query: &str, operation: Option<&str>, variables: &mut Variables) {
    if !(query.contains("@skip") || query.contains("@include")) || !query.contains('=') {
        return;
    }
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return; // async-graphql reports it
    };
    let operation = match (&doc.operations, operation) {
        (DocumentOperations::Single(only), _) => only,
        (DocumentOperations::Multiple(operations), Some(name)) => match operations.get(name) {
            Some(chosen) => chosen,
            None => return, // async-graphql reports it
        },
        (DocumentOperations::Multiple(_), None) => return, // likewise
    };
    for definition in &operation.node.variable_definitions {
        let name = &definition.node.name.node;
        if variables.get(name).is_none()
            && let Some(default) = definition.node.default_value()
        {
            variables.insert(name.clone(), default.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_omitted_variable_takes_its_default_and_a_given_one_stays() {
        let query = "query($a: Boolean = true, $b: Boolean = false, $c: Boolean!) { x @include(if: $a) y @skip(if: $b) z @include(if: $c) }";
        let mut variables = Variables::from_json(serde_json::json!({ "b": true, "c": false }));
        fill(query, None, &mut variables);
        assert_eq!(
            variables.into_value().into_json().unwrap(),
            serde_json::json!({ "a": true, "b": true, "c": false })
        );
    }

    #[test]
    fn only_the_operation_that_runs_gives_its_defaults() {
        let query = "query A($v: Boolean = true) { x @include(if: $v) } query B($v: Boolean = false) { x @include(if: $v) }";
        let mut variables = Variables::default();
        fill(query, Some("B"), &mut variables);
        assert_eq!(
            variables.into_value().into_json().unwrap(),
            serde_json::json!({ "v": false })
        );
    }
}
