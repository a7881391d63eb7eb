//! The participant graph compiled into one statement.
//!
//! When the participants a `participants` selection asks for (the `node`
//! of its `edges`, or its `nodes`), or the participant of
//! `participant(id)` / `participantByExternalId`, hold only fields the
//! statement reads ([`selection`]: every profile field, `version`,
//! `links`, and every record kind with the organizations it names and
//! the levels below them, `consents` and `account`; not `source`; the
//! partner fields join after the statement) —
//! however the request spells them: aliases, fragments, `__typename`,
//! `@skip`/`@include`, beside `pageInfo`, `cursor` and `totalCount`
//! ([`selection`]) — they are read by [`page::read`] — one statement for
//! every level, each under the same policy condition as its resolver's
//! loader — and answered as finished values: async-graphql does not
//! resolve their ~2 500 fields one by one. Any other selection takes the
//! resolvers ([`PageNode::Live`]). Both record the same disclosures and
//! refuse the same fields (`FORBIDDEN`, null), which `tests/compiled.rs`
//! checks by asking both for the same page.

use std::borrow::Cow;
use std::sync::Mutex;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::{ContainerType, resolve_container};
use async_graphql::{
    ContextSelectionSet, Name, OutputType, PathSegment, Pos, Positioned, ServerResult, Value,
};
use entity::enums::Category;
use uuid::Uuid;

use super::ContextExt;
use super::participants::Participant;
use super::partners;
use crate::adapters::RecordKind;
use crate::ground::error::{Error, Result};
use crate::people::participants::{self, ParticipantFilter};
use crate::policy;
use crate::records::page::{
    self, AccountShape, AttainmentShape, ConsentShape, CredentialShape, DualEnrollmentShape,
    EnrollmentShape, HourLogShape, LinkShape, MentorshipShape, OutcomeShape, ProgramShape,
    ServiceShape, Shape,
};
use answer::Build;
use selection::{Sel, Walk};

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
    if let Some(page) = Page::of(ctx) {
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

/// The participant a `Participant` field reads: by hub id, or by a
/// policy-bound query of `people::participants`.
pub(super) enum One {
    Id(Uuid),
    Query(Box<sea_orm::Select<entity::participant::Entity>>),
}

/// A `participants` selection the page statement can answer.
struct Page {
    node: Vec<Sel>,
    shape: Shape,
    /// The kinds of partner records the node asks for (fetched after the
    /// statement).
    partners: Vec<RecordKind>,
}

/// The participant a policy-bound `query` of `people::participants`
/// selects, for a field of type `Participant` (the field in `ctx`): by the
/// page statement when its selection compiles, else the resolvers' levels
/// prefetched.
pub(super) async fn one(ctx: &async_graphql::Context<'_>, target: One) -> Result<Option<PageNode>> {
    if let Some(page) = Page::node(ctx) {
        let docs = match target {
            One::Id(id) => page::read_by_id(ctx.db(), ctx.scopes(), &page.shape, id).await?,
            One::Query(query) => page::read_of(ctx.db(), ctx.scopes(), &page.shape, *query).await?,
        };
        let mut build = Build {
            scopes: ctx.scopes(),
            disclosures: ctx.disclosures(),
            names: Vec::new(),
            participant: Uuid::nil(),
            refused: Vec::new(),
        };
        page_partners(ctx, &page.partners, &docs).await;
        return docs
            .into_iter()
            .next()
            .map(|(id, text)| build.node(&page.node, id, &text))
            .transpose();
    }
    let query = match target {
        One::Id(id) => participants::by_id_query(ctx.scopes(), id),
        One::Query(query) => *query,
    };
    let found = query.one(ctx.db()).await?;
    if let Some(p) = &found {
        super::prefetch::prefetch(ctx, ctx.look_ahead(), &[p.id]).await?;
    }
    Ok(found.map(|row| PageNode::Live(Participant(row))))
}

/// Fetches the `kinds` of partner records of the participants of `docs`
/// for the whole page at once, into the request's partner loaders, where
/// the nodes' partner fields find them.
async fn page_partners(
    ctx: &async_graphql::Context<'_>,
    kinds: &[RecordKind],
    docs: &[(Uuid, String)],
) {
    if kinds.is_empty() || docs.is_empty() {
        return;
    }
    let ids: Vec<Uuid> = docs.iter().map(|(id, _)| *id).collect();
    ctx.request()
        .partners
        .prefetch(ctx.db(), ctx.scopes(), kinds, &ids)
        .await;
}

impl Page {
    fn walk<'a>(ctx: &'a async_graphql::Context<'_>) -> Walk<'a> {
        Walk {
            fragments: &ctx.query_env.fragments,
            variables: &ctx.query_env.variables,
        }
    }

    /// The page the `participants` field of `ctx` asks for, if it compiles.
    fn of(ctx: &async_graphql::Context<'_>) -> Option<Page> {
        Page::from(Self::walk(ctx).participants(ctx.item)?)
    }

    /// The participant a `Participant` field of `ctx` (`participant(id)`,
    /// `participantByExternalId`) asks for, if it compiles.
    fn node(ctx: &async_graphql::Context<'_>) -> Option<Page> {
        let set = &ctx.item.node.selection_set.node;
        Page::from(Self::walk(ctx).fields(&[set], "Participant", selection::NODE)?)
    }

    /// The statement's shape for the node's fields `node`; `None` when it
    /// needs no statement beyond the list (ids alone).
    fn from(node: Vec<Sel>) -> Option<Page> {
        // A field may be asked under several aliases: each level reads
        // what any of them asks for.
        fn all<'s>(sels: &'s [Sel], name: &str) -> Vec<&'s Sel> {
            sels.iter().filter(|s| s.name == name).collect()
        }
        let below = |sels: &[&Sel], name: &str| sels.iter().any(|s| s.child(name).is_some());
        let enrollments = all(&node, "enrollments");
        let hour_logs: Vec<&Sel> = enrollments
            .iter()
            .flat_map(|e| all(&e.children, "hourLogs"))
            .collect();
        let programs: Vec<&Sel> = enrollments
            .iter()
            .flat_map(|e| all(&e.children, "program"))
            .collect();
        let attainments: Vec<&Sel> = enrollments
            .iter()
            .flat_map(|e| all(&e.children, "competencyAttainments"))
            .collect();
        let mentorships = all(&node, "mentorships");
        let mentors: Vec<&Sel> = mentorships
            .iter()
            .flat_map(|m| all(&m.children, "mentor"))
            .collect();
        let links = all(&node, "links");
        let asks = |category: Category| {
            node.iter()
                .any(|s| answer::profile_category(s.name) == Some(category))
        };
        let services = all(&node, "services");
        let credentials = all(&node, "credentials");
        let outcomes = all(&node, "outcomes");
        let dual_enrollments = all(&node, "dualEnrollments");
        let consents = all(&node, "consents");
        let accounts = all(&node, "account");
        let confirmations: Vec<&Sel> = accounts
            .iter()
            .flat_map(|a| all(&a.children, "confirmedBy"))
            .collect();
        let shape = Shape {
            identity: asks(Category::Identity),
            contact: asks(Category::Contact),
            demographics: asks(Category::Demographics),
            sensitive: asks(Category::Sensitive),
            version: node.iter().any(|s| s.name == "version"),
            links: (!links.is_empty()).then(|| LinkShape {
                organization: below(&links, "organization"),
            }),
            enrollments: (!enrollments.is_empty()).then(|| EnrollmentShape {
                program: (!programs.is_empty()).then(|| ProgramShape {
                    // Any other field is one of its columns.
                    details: programs.iter().any(|p| {
                        p.children.iter().any(|c| {
                            !matches!(
                                c.name,
                                "__typename" | "id" | "name" | "organization" | "pathway"
                            )
                        })
                    }),
                    organization: below(&programs, "organization"),
                    pathway: below(&programs, "pathway"),
                }),
                totals: below(&enrollments, "ojtHours") || below(&enrollments, "rtiHours"),
                attendance: below(&enrollments, "attendancePct")
                    || below(&enrollments, "stipendEligible"),
                hour_logs: (!hour_logs.is_empty()).then(|| HourLogShape {
                    ids: below(&hour_logs, "id"),
                    source: below(&hour_logs, "source"),
                    approved_at: below(&hour_logs, "approvedAt"),
                    kept_by: below(&hour_logs, "keptBy"),
                }),
                status_history: below(&enrollments, "statusHistory"),
                attainments: (!attainments.is_empty()).then(|| AttainmentShape {
                    kept_by: below(&attainments, "keptBy"),
                }),
                details: [
                    "appliedOn",
                    "startedOn",
                    "exitedOn",
                    "exitReason",
                    "version",
                    "source",
                ]
                .into_iter()
                .any(|f| below(&enrollments, f)),
                kept_by: below(&enrollments, "keptBy"),
            }),
            mentorships: (!mentorships.is_empty()).then(|| MentorshipShape {
                mentor: !mentors.is_empty(),
                mentor_organization: below(&mentors, "organization"),
                mentor_email: below(&mentors, "email"),
                meetings: below(&mentorships, "meetings"),
                kept_by: below(&mentorships, "keptBy") || below(&mentorships, "arrangedBy"),
            }),
            services: (!services.is_empty()).then(|| ServiceShape {
                kept_by: below(&services, "keptBy"),
                provider: below(&services, "provider"),
            }),
            credentials: (!credentials.is_empty()).then(|| CredentialShape {
                kept_by: below(&credentials, "keptBy"),
                issuer: below(&credentials, "issuer"),
            }),
            outcomes: (!outcomes.is_empty()).then(|| OutcomeShape {
                kept_by: below(&outcomes, "keptBy"),
            }),
            dual_enrollments: (!dual_enrollments.is_empty()).then(|| DualEnrollmentShape {
                kept_by: below(&dual_enrollments, "keptBy"),
                high_school: below(&dual_enrollments, "highSchool"),
                college: below(&dual_enrollments, "college"),
            }),
            consents: (!consents.is_empty()).then(|| ConsentShape {
                recipient: below(&consents, "recipient"),
                recorded_by: below(&consents, "recordedBy"),
                adult: below(&consents, "needsReaffirmation"),
            }),
            account: (!accounts.is_empty()).then(|| AccountShape {
                issued_by: below(&accounts, "issuedBy"),
                confirmers: below(&confirmations, "organization"),
            }),
            organization_times: node.iter().any(names_time),
        };
        let partners: Vec<RecordKind> = partners::FIELDS
            .into_iter()
            .filter(|(field, _)| node.iter().any(|s| s.name == *field))
            .map(|(_, kind)| kind)
            .collect();
        // Ids alone need no statement beyond the list.
        (shape != Shape::default() || !partners.is_empty()).then_some(Page {
            node,
            shape,
            partners,
        })
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
        page_partners(ctx, &self.partners, &docs).await;
        let mut build = Build {
            scopes: ctx.scopes(),
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

/// Whether `sel` or a field below it is an organization's `createdAt` or
/// `updatedAt` (the only compiled fields of those names).
fn names_time(sel: &Sel) -> bool {
    matches!(sel.name, "createdAt" | "updatedAt") || sel.children.iter().any(names_time)
}

/// A field refused inside a compiled node: where (below the node), and why.
pub struct Refusal {
    pub(super) path: Vec<PathSegment>,
    pub(super) pos: Pos,
    pub(super) reason: Reason,
}

/// Why a field was refused.
pub(super) enum Reason {
    /// The viewer may not read this category of the participant's data.
    Category(Category),
    /// A mentor's contact, for another organization than the mentor's.
    MentorContact,
}

impl Reason {
    fn error(&self) -> Error {
        match self {
            Reason::Category(category) => Error::forbidden_category(*category),
            Reason::MentorContact => policy::mentor_contact_refused(),
        }
    }
}

/// A node of the `participants` connection: resolved field by field, or
/// already answered by the page statement — but for its partner fields,
/// when it asks for some (`join`: the participant they are about), which
/// resolve after it.
pub enum PageNode {
    Live(Participant),
    Done {
        value: Mutex<Option<Value>>,
        refused: Vec<Refusal>,
        join: Option<Uuid>,
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
            PageNode::Done {
                value,
                refused,
                join,
            } => {
                for refusal in refused {
                    let error = async_graphql::Error::from(refusal.reason.error())
                        .into_server_error(refusal.pos);
                    let mut error = ctx.set_error_path(error);
                    error.path.extend(refusal.path.iter().cloned());
                    ctx.add_error(error);
                }
                let value = value
                    .lock()
                    .ok()
                    .and_then(|mut v| v.take())
                    .unwrap_or(Value::Null);
                match (join, value) {
                    (Some(participant), Value::Object(values)) => {
                        let joined = Joined {
                            values,
                            participant: *participant,
                        };
                        resolve_container(ctx, &joined).await
                    }
                    (_, value) => Ok(value),
                }
            }
        }
    }
}

/// A node the page statement answered but for its partner fields:
/// async-graphql walks its selection as for any object, taking each
/// answered field's value and resolving each partner field.
struct Joined {
    values: IndexMap<Name, Value>,
    participant: Uuid,
}

impl OutputType for Joined {
    fn type_name() -> Cow<'static, str> {
        <Participant as OutputType>::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Participant as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        resolve_container(ctx, self).await
    }
}

impl ContainerType for Joined {
    async fn resolve_field(&self, ctx: &async_graphql::Context<'_>) -> ServerResult<Option<Value>> {
        if selection::joined(ctx.item.node.name.node.as_str()) {
            return partners::resolve(ctx, self.participant).await;
        }
        // A key asked twice is resolved once per occurrence: its value is
        // copied, not taken.
        let key = &ctx.item.node.response_key().node;
        Ok(Some(self.values.get(key).cloned().unwrap_or(Value::Null)))
    }
}
