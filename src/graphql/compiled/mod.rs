//! The case manager's page compiled into one statement.
//!
//! When a `participants` selection asks only for `edges { node { … } }`
//! with fields of the page below (no aliases, arguments, directives,
//! fragments or `__typename`), the nodes are read by [`page::read`] — one
//! statement for every level, each under the same policy condition as its
//! resolver's loader — and answered as finished values: async-graphql does
//! not resolve their ~2 500 fields one by one. Any other selection takes
//! the resolvers ([`PageNode::Live`]). Both record the same disclosures and
//! refuse the same fields (`FORBIDDEN`, null), which `tests/compiled.rs`
//! checks by asking both for the same page.

use std::borrow::Cow;
use std::sync::Mutex;

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{
    ContextSelectionSet, OutputType, PathSegment, Pos, Positioned, ServerResult, Value,
};
use entity::enums::Category;
use uuid::Uuid;

use super::ContextExt;
use super::participants::Participant;
use crate::ground::error::{Error, Result};
use crate::people::participants::{self, ParticipantFilter};
use crate::records::page::{self, EnrollmentShape, MentorshipShape, Shape};
use answer::Build;
use selection::{NODE, Sel, fields, only};

mod answer;
mod selection;

/// The nodes of a `participants` page (the field in `ctx`) and whether a
/// next page exists: by the page statement when the selection compiles,
/// else the list, then the resolvers' levels prefetched.
pub(super) async fn nodes(
    ctx: &async_graphql::Context<'_>,
    filter: &ParticipantFilter,
    first: u64,
    after: Option<Uuid>,
) -> Result<(Vec<(Uuid, PageNode)>, bool)> {
    if let Some(page) = Page::of(ctx.item) {
        return page.list(ctx, filter, first, after).await;
    }
    let (rows, has_next) = participants::list(ctx.db(), ctx.scopes(), filter, first, after).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let node = ctx.look_ahead().field("edges").field("node");
    super::prefetch::prefetch(ctx, node, &ids).await?;
    let nodes = rows
        .into_iter()
        .map(|row| (row.id, PageNode::Live(Participant(row))))
        .collect();
    Ok((nodes, has_next))
}

/// A `participants` selection the page statement can answer.
struct Page {
    node: Vec<Sel>,
    shape: Shape,
}

impl Page {
    /// The page the `participants` field `field` asks for, if it compiles.
    fn of(field: &Positioned<Field>) -> Option<Page> {
        let node = only(only(field, "edges")?, "node")?;
        let node = fields(node, NODE)?;
        let has = |name: &str| node.iter().find(|s| s.name == name);
        let shape = Shape {
            identity: ["givenName", "familyName", "preferredName"]
                .into_iter()
                .any(|f| has(f).is_some()),
            enrollments: has("enrollments").map(|e| EnrollmentShape {
                program: e.child("program").is_some(),
                totals: e.child("ojtHours").is_some() || e.child("rtiHours").is_some(),
                hour_logs: e.child("hourLogs").is_some(),
                hour_log_ids: e.child("hourLogs").is_some_and(|h| h.child("id").is_some()),
            }),
            mentorships: has("mentorships").map(|m| MentorshipShape {
                mentor: m.child("mentor").is_some(),
            }),
        };
        // Ids alone need no statement beyond the list.
        (shape != Shape::default()).then_some(Page { node, shape })
    }

    /// The page of `participants::list` — its participants, their nodes
    /// and whether a next page exists — in one statement.
    async fn list(
        &self,
        ctx: &async_graphql::Context<'_>,
        filter: &ParticipantFilter,
        first: u64,
        after: Option<Uuid>,
    ) -> Result<(Vec<(Uuid, PageNode)>, bool)> {
        let mut docs =
            page::read(ctx.db(), ctx.scopes(), &self.shape, filter, first, after).await?;
        let has_next = docs.len() as u64 > first;
        docs.truncate(first as usize);
        let mut build = Build {
            disclosures: ctx.disclosures(),
            names: Vec::new(),
            participant: Uuid::nil(),
            refused: Vec::new(),
        };
        let nodes = docs
            .into_iter()
            .map(|(id, text)| Ok((id, build.node(&self.node, id, &text)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok((nodes, has_next))
    }
}

/// A field refused inside a compiled node: where (below the node), and why.
pub struct Refusal {
    pub(super) path: Vec<PathSegment>,
    pub(super) pos: Pos,
    pub(super) category: Category,
}

/// A node of the `participants` connection: resolved field by field, or
/// already answered by the page statement.
pub enum PageNode {
    Live(Participant),
    Done {
        value: Mutex<Option<Value>>,
        refused: Vec<Refusal>,
    },
}

impl OutputType for PageNode {
    fn type_name() -> Cow<'static, str> {
        <Participant as OutputType>::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Participant as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        match self {
            PageNode::Live(participant) => OutputType::resolve(participant, ctx, field).await,
            PageNode::Done { value, refused } => {
                for refusal in refused {
                    let error =
                        async_graphql::Error::from(Error::forbidden_category(refusal.category))
                            .into_server_error(refusal.pos);
                    let mut error = ctx.set_error_path(error);
                    error.path.extend(refusal.path.iter().cloned());
                    ctx.add_error(error);
                }
                Ok(value
                    .lock()
                    .ok()
                    .and_then(|mut v| v.take())
                    .unwrap_or(Value::Null))
            }
        }
    }
}
