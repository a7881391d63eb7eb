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
use serde::Deserialize;
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
    /// `name` as the answer's key, made once.
    key: Name,
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
            key: Name::new(name),
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
        let participants = participants::page_query(ctx.scopes(), filter, first, after)
            .select_only()
            .column(participant::Column::Id)
            .into_query();
        let mut docs = page::read(ctx.db(), ctx.scopes(), &self.shape, participants).await?;
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
    path: Vec<PathSegment>,
    pos: Pos,
    category: Category,
}

/// One participant's page document (keys: [`page`]'s module docs), read
/// straight from the statement's text; strings are borrowed from it.
#[derive(Deserialize)]
struct Doc<'a> {
    #[serde(borrow, default)]
    i: Option<IdentityDoc<'a>>,
    #[serde(borrow, default)]
    e: Vec<EnrollmentDoc<'a>>,
    #[serde(borrow, default)]
    m: Vec<MentorshipDoc<'a>>,
}

#[derive(Deserialize)]
struct IdentityDoc<'a> {
    #[serde(borrow)]
    o: Cow<'a, str>,
    #[serde(borrow)]
    g: Option<Cow<'a, str>>,
    #[serde(borrow)]
    f: Option<Cow<'a, str>>,
    #[serde(borrow)]
    p: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct EnrollmentDoc<'a> {
    #[serde(borrow)]
    o: Cow<'a, str>,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    s: Cow<'a, str>,
    #[serde(borrow, default)]
    pr: Option<NamedDoc<'a>>,
    #[serde(default)]
    t: Option<TotalsDoc>,
    #[serde(borrow, default)]
    h: Vec<HourLogDoc<'a>>,
}

/// A program or a mentor: id, name, craft.
#[derive(Deserialize)]
struct NamedDoc<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    n: Cow<'a, str>,
    #[serde(borrow, default)]
    c: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct TotalsDoc {
    ojt: f64,
    rti: f64,
}

#[derive(Deserialize)]
struct HourLogDoc<'a> {
    #[serde(borrow)]
    o: Cow<'a, str>,
    /// Only when the selection asks for it.
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    w: Cow<'a, str>,
    #[serde(borrow)]
    k: Cow<'a, str>,
    hr: f64,
    /// `true`/`false` on PostgreSQL, 1/0 on SQLite.
    a: Flag,
}

#[derive(Deserialize)]
struct MentorshipDoc<'a> {
    #[serde(borrow)]
    o: Cow<'a, str>,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    s: Cow<'a, str>,
    #[serde(borrow, default)]
    me: Option<NamedDoc<'a>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Flag {
    Bool(bool),
    Int(i64),
}

impl Flag {
    fn value(&self) -> Value {
        Value::Boolean(match self {
            Flag::Bool(b) => *b,
            Flag::Int(n) => *n != 0,
        })
    }
}

fn uuid(text: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|_| Error::Internal("page document: an id is not a UUID".into()))
}

fn id(text: &str) -> Result<Value> {
    Ok(Value::String(uuid(text)?.to_string()))
}

fn text(text: Option<&Cow<'_, str>>) -> Value {
    text.map_or(Value::Null, |s| Value::String(s.to_string()))
}

fn float(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

fn object(fields: IndexMap<Name, Value>) -> Value {
    Value::Object(fields)
}

/// Turns page documents into the answer's values, recording each
/// disclosure and refusal as the resolvers do.
struct Build<'a> {
    disclosures: &'a Disclosures,
    /// Enum values seen so far (a handful), shared rather than allocated
    /// for each row.
    names: Vec<Name>,
    participant: Uuid,
    refused: Vec<Refusal>,
}

impl Build<'_> {
    fn enumeration(&mut self, value: &str) -> Value {
        if let Some(name) = self.names.iter().find(|n| n.as_str() == value) {
            return Value::Enum(name.clone());
        }
        let name = Name::new(value);
        self.names.push(name.clone());
        Value::Enum(name)
    }

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

    /// The node of `participant` from its document `text`.
    fn node(&mut self, sels: &[Sel], participant: Uuid, json: &str) -> Result<PageNode> {
        let doc: Doc<'_> = serde_json::from_str(json)
            .map_err(|e| Error::Internal(format!("page document: {e}")))?;
        self.participant = participant;
        let p = participant;
        let mut out = IndexMap::with_capacity(sels.len());
        for sel in sels {
            let value = match (sel.name, &doc.i) {
                ("id", _) => Value::String(p.to_string()),
                ("givenName" | "familyName" | "preferredName", None) => {
                    self.disclosures.deny(p, Category::Identity, None);
                    self.refuse(&[], sel, Category::Identity)
                }
                ("givenName" | "familyName" | "preferredName", Some(identity)) => {
                    self.disclosures
                        .read(p, Category::Identity, uuid(&identity.o)?);
                    text(match sel.name {
                        "givenName" => identity.g.as_ref(),
                        "familyName" => identity.f.as_ref(),
                        _ => identity.p.as_ref(),
                    })
                }
                ("enrollments", _) => {
                    let mut rows = Vec::with_capacity(doc.e.len());
                    for (n, e) in doc.e.iter().enumerate() {
                        rows.push(self.enrollment(&sel.children, e, n)?);
                    }
                    Value::List(rows)
                }
                _ => {
                    let mut rows = Vec::with_capacity(doc.m.len());
                    for m in &doc.m {
                        rows.push(self.mentorship(&sel.children, m)?);
                    }
                    Value::List(rows)
                }
            };
            out.insert(sel.key.clone(), value);
        }
        Ok(PageNode::Done {
            value: Mutex::new(Some(object(out))),
            refused: std::mem::take(&mut self.refused),
        })
    }

    fn enrollment(&mut self, sels: &[Sel], e: &EnrollmentDoc<'_>, n: usize) -> Result<Value> {
        let p = self.participant;
        let owner = uuid(&e.o)?;
        self.disclosures.read(p, Category::Enrollment, owner);
        let here = [
            PathSegment::Field("enrollments".into()),
            PathSegment::Index(n),
        ];
        let mut out = IndexMap::with_capacity(sels.len());
        for sel in sels {
            let value = match (sel.name, &e.t) {
                ("id", _) => id(&e.id)?,
                ("status", _) => self.enumeration(&e.s),
                ("program", _) => named(&sel.children, e.pr.as_ref())?,
                ("ojtHours" | "rtiHours", None) => {
                    self.disclosures.deny(p, Category::Progress, Some(owner));
                    self.refuse(&here, sel, Category::Progress)
                }
                ("ojtHours", Some(t)) => {
                    self.disclosures.read(p, Category::Progress, owner);
                    float(t.ojt)
                }
                ("rtiHours", Some(t)) => {
                    self.disclosures.read(p, Category::Progress, owner);
                    float(t.rti)
                }
                _ => {
                    let mut rows = Vec::with_capacity(e.h.len());
                    for h in &e.h {
                        self.disclosures.read(p, Category::Progress, uuid(&h.o)?);
                        let mut fields = IndexMap::with_capacity(sel.children.len());
                        for f in &sel.children {
                            let v = match f.name {
                                "id" => id(h.id.as_deref().unwrap_or_default())?,
                                "workedOn" => Value::String(h.w.to_string()),
                                "kind" => self.enumeration(&h.k),
                                "hours" => float(h.hr),
                                _ => h.a.value(),
                            };
                            fields.insert(f.key.clone(), v);
                        }
                        rows.push(object(fields));
                    }
                    Value::List(rows)
                }
            };
            out.insert(sel.key.clone(), value);
        }
        Ok(object(out))
    }

    fn mentorship(&mut self, sels: &[Sel], m: &MentorshipDoc<'_>) -> Result<Value> {
        self.disclosures
            .read(self.participant, Category::Mentorship, uuid(&m.o)?);
        let mut out = IndexMap::with_capacity(sels.len());
        for sel in sels {
            let value = match sel.name {
                "id" => id(&m.id)?,
                "status" => self.enumeration(&m.s),
                _ => named(&sel.children, m.me.as_ref())?,
            };
            out.insert(sel.key.clone(), value);
        }
        Ok(object(out))
    }
}

/// A program or a mentor as its selection asks.
fn named(sels: &[Sel], doc: Option<&NamedDoc<'_>>) -> Result<Value> {
    let Some(doc) = doc else {
        return Err(Error::Internal(
            "page document: a program or mentor is missing".into(),
        ));
    };
    let mut out = IndexMap::with_capacity(sels.len());
    for sel in sels {
        let value = match sel.name {
            "id" => id(&doc.id)?,
            "name" => Value::String(doc.n.to_string()),
            _ => text(doc.c.as_ref()),
        };
        out.insert(sel.key.clone(), value);
    }
    Ok(object(out))
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
