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

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection};
use async_graphql::registry::Registry;
use async_graphql::{
    ContextSelectionSet, Name, OutputType, PathSegment, Pos, Positioned, ServerResult, Value,
};
use entity::enums::Category;
use entity::participant;
use sea_orm::{QuerySelect, QueryTrait};
use serde_json::Value as Json;
use uuid::Uuid;

use super::ContextExt;
use super::participants::Participant;
use crate::audit::Disclosures;
use crate::ground::error::{Error, Result};
use crate::people::participants::{self, ParticipantFilter};
use crate::records::page::{self, EnrollmentShape, MentorshipShape, Shape};

/// Fields a compiled page may hold, by level.
const NODE: &[&str] = &[
    "id",
    "givenName",
    "familyName",
    "preferredName",
    "enrollments",
    "mentorships",
];
const ENROLLMENT: &[&str] = &[
    "id", "status", "program", "ojtHours", "rtiHours", "hourLogs",
];
const PROGRAM: &[&str] = &["id", "name"];
const HOUR_LOG: &[&str] = &["id", "workedOn", "kind", "hours", "approved"];
const MENTORSHIP: &[&str] = &["id", "status", "mentor"];
const MENTOR: &[&str] = &["id", "name", "craft"];

/// One selected field: its name, where it is in the query, and what it
/// selects below it.
#[derive(Debug)]
struct Sel {
    name: &'static str,
    pos: Pos,
    children: Vec<Sel>,
}

impl Sel {
    fn child(&self, name: &str) -> Option<&Sel> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// The fields of `field`'s selection set, when every one is a plain field
/// of `allowed` (objects: with the fields `below` allows), each once.
fn fields(field: &Positioned<Field>, allowed: &[&'static str]) -> Option<Vec<Sel>> {
    let mut out: Vec<Sel> = Vec::new();
    for item in &field.node.selection_set.node.items {
        let Selection::Field(f) = &item.node else {
            return None;
        };
        let node = &f.node;
        if node.alias.is_some() || !node.arguments.is_empty() || !node.directives.is_empty() {
            return None;
        }
        let name = *allowed.iter().find(|a| **a == node.name.node.as_str())?;
        if out.iter().any(|s| s.name == name) {
            return None;
        }
        let below = match name {
            "enrollments" => Some(ENROLLMENT),
            "program" => Some(PROGRAM),
            "hourLogs" => Some(HOUR_LOG),
            "mentorships" => Some(MENTORSHIP),
            "mentor" => Some(MENTOR),
            _ => None,
        };
        let children = match below {
            Some(below) => fields(f, below)?,
            None if node.selection_set.node.items.is_empty() => Vec::new(),
            None => return None,
        };
        out.push(Sel {
            name,
            pos: f.pos,
            children,
        });
    }
    Some(out)
}

/// The only field of `field`'s selection, when it is a plain `name`.
fn only<'a>(field: &'a Positioned<Field>, name: &str) -> Option<&'a Positioned<Field>> {
    match field.node.selection_set.node.items.as_slice() {
        [item] => match &item.node {
            Selection::Field(f)
                if f.node.name.node == name
                    && f.node.alias.is_none()
                    && f.node.directives.is_empty() =>
            {
                Some(f)
            }
            _ => None,
        },
        _ => None,
    }
}

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
        let participants = participants::page_query(ctx.scopes(), filter, first, after)
            .select_only()
            .column(participant::Column::Id)
            .into_query();
        let mut docs = page::read(ctx.db(), ctx.scopes(), &self.shape, participants).await?;
        let has_next = docs.len() as u64 > first;
        docs.truncate(first as usize);
        let disclosures = ctx.disclosures();
        docs.into_iter()
            .map(|(id, text)| {
                let doc: Json = serde_json::from_str(&text)
                    .map_err(|e| Error::Internal(format!("page document: {e}")))?;
                let mut build = Build {
                    participant: id,
                    disclosures,
                    refused: Vec::new(),
                };
                let value = build.node(&self.node, &doc)?;
                let node = PageNode::Done {
                    value: Mutex::new(Some(value)),
                    refused: build.refused,
                };
                Ok((id, node))
            })
            .collect::<Result<Vec<_>>>()
            .map(|nodes| (nodes, has_next))
    }
}

/// A field refused inside a compiled node: where (below the node), and why.
pub struct Refusal {
    path: Vec<PathSegment>,
    pos: Pos,
    category: Category,
}

/// Turns one participant's page document into the answer's value,
/// recording each disclosure and refusal as the resolvers do.
struct Build<'a> {
    participant: Uuid,
    disclosures: &'a Disclosures,
    refused: Vec<Refusal>,
}

fn uuid(json: &Json) -> Result<Uuid> {
    json.as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| Error::Internal("page document: an id is not a UUID".into()))
}

fn text(json: &Json) -> Value {
    json.as_str()
        .map_or(Value::Null, |s| Value::String(s.to_owned()))
}

fn enumeration(json: &Json) -> Value {
    json.as_str()
        .map_or(Value::Null, |s| Value::Enum(Name::new(s)))
}

fn float(json: &Json) -> Value {
    json.as_f64()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

/// A boolean: `true`/`false` on PostgreSQL, 1/0 on SQLite.
fn boolean(json: &Json) -> Value {
    match json {
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(n) => Value::Boolean(n.as_i64().is_some_and(|n| n != 0)),
        _ => Value::Null,
    }
}

fn list(json: &Json) -> &[Json] {
    json.as_array().map_or(&[], Vec::as_slice)
}

fn object(fields: Vec<(&str, Value)>) -> Value {
    Value::Object(
        fields
            .into_iter()
            .map(|(k, v)| (Name::new(k), v))
            .collect::<IndexMap<_, _>>(),
    )
}

impl Build<'_> {
    fn refuse(&mut self, path: &[PathSegment], sel: &Sel, category: Category) -> Value {
        let mut path = path.to_vec();
        path.push(PathSegment::Field(sel.name.to_owned()));
        self.refused.push(Refusal {
            path,
            pos: sel.pos,
            category,
        });
        Value::Null
    }

    fn node(&mut self, sels: &[Sel], doc: &Json) -> Result<Value> {
        let p = self.participant;
        let identity = &doc["i"];
        let mut out = Vec::with_capacity(sels.len());
        for sel in sels {
            let value = match sel.name {
                "id" => Value::String(p.to_string()),
                "givenName" | "familyName" | "preferredName" if identity.is_null() => {
                    self.disclosures.deny(p, Category::Identity, None);
                    self.refuse(&[], sel, Category::Identity)
                }
                "givenName" | "familyName" | "preferredName" => {
                    self.disclosures
                        .read(p, Category::Identity, uuid(&identity["o"])?);
                    let key = match sel.name {
                        "givenName" => "g",
                        "familyName" => "f",
                        _ => "p",
                    };
                    text(&identity[key])
                }
                "enrollments" => {
                    let mut rows = Vec::new();
                    for (n, e) in list(&doc["e"]).iter().enumerate() {
                        rows.push(self.enrollment(&sel.children, e, n)?);
                    }
                    Value::List(rows)
                }
                _ => {
                    let mut rows = Vec::new();
                    for m in list(&doc["m"]) {
                        rows.push(self.mentorship(&sel.children, m)?);
                    }
                    Value::List(rows)
                }
            };
            out.push((sel.name, value));
        }
        Ok(object(out))
    }

    fn enrollment(&mut self, sels: &[Sel], e: &Json, n: usize) -> Result<Value> {
        let p = self.participant;
        let owner = uuid(&e["o"])?;
        self.disclosures.read(p, Category::Enrollment, owner);
        let here = [
            PathSegment::Field("enrollments".into()),
            PathSegment::Index(n),
        ];
        let totals = &e["t"];
        let mut out = Vec::with_capacity(sels.len());
        for sel in sels {
            let value = match sel.name {
                "id" => Value::String(uuid(&e["id"])?.to_string()),
                "status" => enumeration(&e["s"]),
                "program" => {
                    let pr = &e["pr"];
                    let mut fields = Vec::new();
                    for f in &sel.children {
                        let v = match f.name {
                            "id" => Value::String(uuid(&pr["id"])?.to_string()),
                            _ => text(&pr["n"]),
                        };
                        fields.push((f.name, v));
                    }
                    object(fields)
                }
                "ojtHours" | "rtiHours" if totals.is_null() => {
                    self.disclosures.deny(p, Category::Progress, Some(owner));
                    self.refuse(&here, sel, Category::Progress)
                }
                "ojtHours" | "rtiHours" => {
                    self.disclosures.read(p, Category::Progress, owner);
                    float(&totals[if sel.name == "ojtHours" { "ojt" } else { "rti" }])
                }
                _ => {
                    let mut rows = Vec::new();
                    for h in list(&e["h"]) {
                        self.disclosures.read(p, Category::Progress, uuid(&h["o"])?);
                        let mut fields = Vec::new();
                        for f in &sel.children {
                            let v = match f.name {
                                "id" => Value::String(uuid(&h["id"])?.to_string()),
                                "workedOn" => text(&h["w"]),
                                "kind" => enumeration(&h["k"]),
                                "hours" => float(&h["hr"]),
                                _ => boolean(&h["a"]),
                            };
                            fields.push((f.name, v));
                        }
                        rows.push(object(fields));
                    }
                    Value::List(rows)
                }
            };
            out.push((sel.name, value));
        }
        Ok(object(out))
    }

    fn mentorship(&mut self, sels: &[Sel], m: &Json) -> Result<Value> {
        self.disclosures
            .read(self.participant, Category::Mentorship, uuid(&m["o"])?);
        let mut out = Vec::with_capacity(sels.len());
        for sel in sels {
            let value = match sel.name {
                "id" => Value::String(uuid(&m["id"])?.to_string()),
                "status" => enumeration(&m["s"]),
                _ => {
                    let me = &m["me"];
                    let mut fields = Vec::new();
                    for f in &sel.children {
                        let v = match f.name {
                            "id" => Value::String(uuid(&me["id"])?.to_string()),
                            "name" => text(&me["n"]),
                            _ => text(&me["c"]),
                        };
                        fields.push((f.name, v));
                    }
                    object(fields)
                }
            };
            out.push((sel.name, value));
        }
        Ok(object(out))
    }
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
