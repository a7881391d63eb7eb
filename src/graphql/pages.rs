//! Relay connections that describe themselves: async-graphql's
//! `Connection` prints no description for its `…Connection` type, and
//! partners read every type's in GraphiQL (issue 33). Same name, fields and
//! `@shareable` as async-graphql's own.

use std::borrow::Cow;

use async_graphql::connection::{Connection, Edge, EmptyFields, PageInfo};
use async_graphql::{Object, ObjectType, OutputType, TypeName};

/// One page of a list of `N`, with the connection's own fields `F`
/// (`totalCount`).
pub struct Page<N: OutputType, F: ObjectType = EmptyFields>(
    pub Connection<String, N, F, EmptyFields>,
);

/// One page of a list (a Relay connection): `edges` (each with its
/// `cursor`) or just `nodes`, and `pageInfo`. Pass `pageInfo.endCursor`
/// as `after` to read the next page; rows the viewer may not read are
/// absent, never counted.
#[Object(name_type, shareable)]
impl<N: OutputType, F: ObjectType> Page<N, F> {
    /// Information to aid in pagination.
    async fn page_info(&self) -> PageInfo {
        let edges = &self.0.edges;
        PageInfo {
            has_previous_page: self.0.has_previous_page,
            has_next_page: self.0.has_next_page,
            start_cursor: edges.first().map(|edge| edge.cursor.clone()),
            end_cursor: edges.last().map(|edge| edge.cursor.clone()),
        }
    }

    /// A list of edges.
    async fn edges(&self) -> &[Edge<String, N, EmptyFields>] {
        &self.0.edges
    }

    /// A list of nodes.
    async fn nodes(&self) -> Vec<&N> {
        self.0.edges.iter().map(|edge| &edge.node).collect()
    }

    #[graphql(flatten)]
    async fn additional_fields(&self) -> &F {
        &self.0.additional_fields
    }
}

impl<N: OutputType, F: ObjectType> TypeName for Page<N, F> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Connection", N::type_name()).into()
    }
}
