//! A participant page's records in one statement: for each participant, the
//! readable profiles, links, enrollments (program, approved hours, hour
//! logs), mentorships (mentor) and the other record kinds as one JSON
//! document, built by the
//! database (`json_build_object` / `json_agg` on PostgreSQL, `json_object`
//! / `json_group_array` on SQLite).
//!
//! Every level carries the same [`Scope`](crate::policy::Scope) condition
//! as its own reader in [`super::reads`] and `people::participants` — the
//! policy becomes the statement's `WHERE` clauses, nothing is filtered in
//! Rust — and the same order. Each row names its owner (`o`) so that the
//! caller can record what crossed to the viewer.
//!
//! Keys of the document (only the levels the [`Shape`] asks for):
//! `i`, `ct`, `dm`, `se` the profile the viewer reads in IDENTITY, CONTACT,
//! DEMOGRAPHICS, SENSITIVE, `v` the own profile's version and `l` links
//! (see `page/profile.rs`); `e` enrollments (`o`, `id`, `s`tatus, `ap`,
//! `sd`, `xd`, `xr`, `ve`, `src` when asked, `kb` kept by, `pr`ogram
//! {`id`, `n`ame, `sh` scheduled hours and `st` stipend threshold for
//! attendance}, and `t`, `h`, `sh`, `ca` as `page/progress.rs` writes
//! them); `m` mentorships
//! (`o`, `id`, `s`tatus, `sd` started on, `ed` ended on, `ve`rsion, `kb`
//! kept by, `me`ntor {`id`, `n`ame, `c`raft, `ul` union local, `ac`tive,
//! `src` source, `org`anization, `em`ail where readable and `mo` its
//! organization's id when asked}, `mt` meetings {`o`, `d` met on,
//! `mi`nutes}); `sv` services,
//! `c` credentials, `oc` outcomes and `de` dual enrollments (see `page/records.rs`);
//! `cs` consents and `ad` (see `page/consents.rs`); `ac` the account link
//! (see `page/account.rs`).
//! Ids are UUID text on PostgreSQL and hex on SQLite; booleans are 0/1 on
//! SQLite.

use entity::enums::Category;
use entity::{enrollment, participant};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, JoinType, Order, QuerySelect, QueryTrait, Statement,
};
use uuid::Uuid;

use crate::ground::error::{Error, Result};
use crate::people::participants::{self, ParticipantFilter};
use crate::policy::Scopes;

mod account;
mod cache;
mod consents;
mod profile;
mod progress;
mod records;

pub use account::AccountShape;
pub use consents::ConsentShape;
pub use profile::LinkShape;
pub use progress::{AttainmentShape, HourLogShape, ProgramShape};
pub use records::{CredentialShape, DualEnrollmentShape, OutcomeShape, ServiceShape};

/// Which levels of the page to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    /// The identity profile (`givenName`, `familyName`, `preferredName`).
    pub identity: bool,
    /// The profile read in CONTACT (`email`, `phone`, `postalCode`,
    /// `guardianName`).
    pub contact: bool,
    /// The profile read in DEMOGRAPHICS (`birthDate`, `gender`,
    /// `raceEthnicity`).
    pub demographics: bool,
    /// The profile read in SENSITIVE (`priorityPopulations`).
    pub sensitive: bool,
    /// The version of the viewer's own profile.
    pub version: bool,
    pub links: Option<LinkShape>,
    pub enrollments: Option<EnrollmentShape>,
    pub mentorships: Option<MentorshipShape>,
    pub services: Option<ServiceShape>,
    pub credentials: Option<CredentialShape>,
    pub outcomes: Option<OutcomeShape>,
    pub dual_enrollments: Option<DualEnrollmentShape>,
    pub consents: Option<ConsentShape>,
    /// The youth's account link.
    pub account: Option<AccountShape>,
    /// Organizations' `createdAt` and `updatedAt`, wherever one is named.
    pub organization_times: bool,
}

/// What each enrollment carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnrollmentShape {
    pub program: Option<ProgramShape>,
    /// Approved OJT and RTI hours (PROGRESS).
    pub totals: bool,
    /// Attendance in percent of the program's schedule and the stipend
    /// rule (PROGRESS): the attendance hours and the program's schedule.
    pub attendance: bool,
    pub hour_logs: Option<HourLogShape>,
    /// The status history (ENROLLMENT).
    pub status_history: bool,
    /// Competencies attained (PROGRESS).
    pub attainments: Option<AttainmentShape>,
    /// The enrollment's dates, exit reason, version and source.
    pub details: bool,
    /// The organization keeping the enrollment.
    pub kept_by: bool,
}

/// What each mentorship carries besides its columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MentorshipShape {
    pub mentor: bool,
    /// The mentor's contact email (read where the policy lets the viewer).
    pub mentor_email: bool,
    /// The meetings (MENTORSHIP).
    pub meetings: bool,
    /// The mentor's organization.
    pub mentor_organization: bool,
    /// The organization keeping it (`keptBy`, `arrangedBy`).
    pub kept_by: bool,
}

/// The page of `people::participants::list` — the same participants,
/// `first` and one more after `after` under `filter`, by hub id — each with
/// its document as JSON text: one statement whatever the number of
/// participants, built once per shape ([`cache`]).
pub async fn read<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    shape: &Shape,
    filter: &ParticipantFilter,
    first: u64,
    after: Option<Uuid>,
) -> Result<Vec<(Uuid, String)>> {
    let backend = db.get_database_backend();
    let varying = cache::Varying {
        id: after,
        first: Some(first),
    };
    let statement = cache::statement(
        backend,
        format!("page|{scopes:?}|{shape:?}|{filter:?}"),
        varying,
        |v| {
            let ids = participants::page_ids(scopes, filter, v.first.unwrap_or(first), v.id);
            build(backend, scopes, shape, ids)
        },
    );
    run(db, statement).await
}

/// The document of the participant with hub id `id`, if the viewer may
/// see them (`people::participants::by_id`), in one statement built once
/// per shape.
pub async fn read_by_id<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    shape: &Shape,
    id: Uuid,
) -> Result<Vec<(Uuid, String)>> {
    let backend = db.get_database_backend();
    let varying = cache::Varying {
        id: Some(id),
        first: None,
    };
    let statement = cache::statement(backend, format!("id|{scopes:?}|{shape:?}"), varying, |v| {
        let query = participants::by_id_query(scopes, v.id.unwrap_or(id));
        build(backend, scopes, shape, ids_of(query))
    });
    run(db, statement).await
}

/// The documents of the participants `query` selects (a policy-bound
/// query of `people::participants`: one participant by an organization's
/// own id), in one statement.
pub async fn read_of<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    shape: &Shape,
    query: sea_orm::Select<participant::Entity>,
) -> Result<Vec<(Uuid, String)>> {
    let statement = build(db.get_database_backend(), scopes, shape, ids_of(query));
    run(db, statement).await
}

/// The hub ids `query` selects, as a query of one column `id`.
fn ids_of(query: sea_orm::Select<participant::Entity>) -> SelectStatement {
    query
        .select_only()
        .column(participant::Column::Id)
        .into_query()
}

/// The page statement over the participants `ids` selects (one column
/// `id`).
fn build(
    backend: DatabaseBackend,
    scopes: &Scopes,
    shape: &Shape,
    ids: SelectStatement,
) -> Statement {
    backend.build(&Sql::new(backend, scopes, shape).page(shape, ids))
}

async fn run<C: ConnectionTrait>(db: &C, statement: Statement) -> Result<Vec<(Uuid, String)>> {
    let rows = db.query_all_raw(statement).await?;
    rows.iter()
        .map(|row| {
            let id: Uuid = row.try_get("", "id")?;
            let node: String = row.try_get("", "node")?;
            Ok((id, node))
        })
        .collect::<std::result::Result<_, sea_orm::DbErr>>()
        .map_err(Error::from)
}

fn col(table: &str, column: &str) -> Expr {
    Expr::col((Alias::new(table), Alias::new(column)))
}

/// The statement's parts for one backend.
struct Sql<'a> {
    pg: bool,
    scopes: &'a Scopes,
    /// Organizations carry their timestamps.
    organization_times: bool,
}

impl<'a> Sql<'a> {
    fn new(backend: DatabaseBackend, scopes: &'a Scopes, shape: &Shape) -> Sql<'a> {
        Sql {
            pg: backend == DatabaseBackend::Postgres,
            scopes,
            organization_times: shape.organization_times,
        }
    }

    /// A custom expression: `$1`, `$2`… stand for `exprs` in order (SQLite
    /// numbers nothing, so each must appear once and in order).
    fn cust(&self, template: &str, exprs: Vec<Expr>) -> Expr {
        let template = if self.pg {
            template.to_owned()
        } else {
            let mut out = template.to_owned();
            for n in (1..=exprs.len()).rev() {
                out = out.replace(&format!("${n}"), "?");
            }
            out
        };
        Expr::cust_with_exprs(template, exprs)
    }

    /// A JSON object of `pairs`.
    fn object(&self, pairs: Vec<(&str, Expr)>) -> Expr {
        let keys: Vec<String> = pairs
            .iter()
            .enumerate()
            .map(|(n, (key, _))| format!("'{key}', ${}", n + 1))
            .collect();
        let function = if self.pg {
            "json_build_object"
        } else {
            "json_object"
        };
        self.cust(
            &format!("{function}({})", keys.join(", ")),
            pairs.into_iter().map(|(_, e)| e).collect(),
        )
    }

    /// An id as JSON text: the UUID on PostgreSQL, hex on SQLite (a blob).
    fn id(&self, table: &str, column: &str) -> Expr {
        if self.pg {
            col(table, column)
        } else {
            self.cust("hex($1)", vec![col(table, column)])
        }
    }

    /// A sub-query's JSON value used inside another document: SQLite
    /// forgets across a sub-query that the text is JSON.
    fn nested(&self, select: SelectStatement) -> Expr {
        if self.pg {
            Expr::from(select)
        } else {
            self.cust("json($1)", vec![Expr::from(select)])
        }
    }

    /// `select` reduced to the JSON array of `object`, ordered by `order`
    /// (`[]` when it has no rows).
    fn array(&self, mut select: SelectStatement, object: Expr, order: [Expr; 2]) -> Expr {
        let [first, second] = order;
        let template = if self.pg {
            "COALESCE(json_agg($1 ORDER BY $2, $3), '[]'::json)"
        } else {
            "json_group_array($1 ORDER BY $2, $3)"
        };
        select.expr(self.cust(template, vec![object, first, second]));
        self.nested(select)
    }

    fn page(&self, shape: &Shape, participants: SelectStatement) -> SelectStatement {
        let mut pairs = Vec::new();
        for (asked, key, category) in [
            (shape.identity, "i", Category::Identity),
            (shape.contact, "ct", Category::Contact),
            (shape.demographics, "dm", Category::Demographics),
            (shape.sensitive, "se", Category::Sensitive),
        ] {
            if asked {
                pairs.push((key, self.profile(category)));
            }
        }
        if shape.version {
            pairs.push(("v", self.version()));
        }
        if let Some(links) = &shape.links {
            pairs.push(("l", self.links(links)));
        }
        if let Some(enrollments) = &shape.enrollments {
            pairs.push(("e", self.enrollments(enrollments)));
        }
        if let Some(mentorships) = &shape.mentorships {
            pairs.push(("m", self.mentorships(mentorships)));
        }
        if let Some(services) = &shape.services {
            pairs.push(("sv", self.services(services)));
        }
        if let Some(credentials) = &shape.credentials {
            pairs.push(("c", self.credentials(credentials)));
        }
        if let Some(outcomes) = &shape.outcomes {
            pairs.push(("oc", self.outcomes(outcomes)));
        }
        if let Some(dual_enrollments) = &shape.dual_enrollments {
            pairs.push(("de", self.dual_enrollments(dual_enrollments)));
        }
        if let Some(account) = &shape.account {
            pairs.push(("ac", self.account(account)));
        }
        if let Some(consents) = &shape.consents {
            pairs.push(("cs", self.consents(consents)));
            if consents.adult {
                pairs.push(("ad", self.adult()));
            }
        }
        let node = self.object(pairs);
        let node = if self.pg {
            self.cust("($1)::text", vec![node])
        } else {
            node
        };
        Query::select()
            .expr_as(col("p", "id"), Alias::new("id"))
            .expr_as(node, Alias::new("node"))
            .from_subquery(participants, Alias::new("p"))
            .order_by_expr(col("p", "id"), Order::Asc)
            .to_owned()
    }

    /// The rows of `entity` (as `alias`) about participant `p` the viewer
    /// may read in `category`, with their owner and id.
    fn rows_about<E: sea_orm::EntityTrait>(
        &self,
        entity: E,
        alias: &'static str,
        category: Category,
    ) -> (SelectStatement, Vec<(&'static str, Expr)>) {
        let scope = self.scopes.of(category);
        let select = Query::select()
            .from_as(entity, Alias::new(alias))
            .and_where(col(alias, "participant_id").equals((Alias::new("p"), Alias::new("id"))))
            .cond_where(scope.condition(
                (Alias::new(alias), Alias::new("owner_org_id")),
                (Alias::new(alias), Alias::new("participant_id")),
            ))
            .to_owned();
        let pairs = vec![
            ("o", self.id(alias, "owner_org_id")),
            ("id", self.id(alias, "id")),
        ];
        (select, pairs)
    }

    /// Joins `entity` as `alias` on `alias.id = from.column`, and returns
    /// `fields` of it as a JSON object (with its id).
    fn join<E: sea_orm::EntityTrait>(
        &self,
        select: &mut SelectStatement,
        entity: E,
        alias: &'static str,
        (from, column): (&'static str, &'static str),
        fields: &[(&'static str, &'static str)],
    ) -> Expr {
        select.join_as(
            JoinType::InnerJoin,
            entity,
            Alias::new(alias),
            col(alias, "id").equals((Alias::new(from), Alias::new(column))),
        );
        let mut pairs = vec![("id", self.id(alias, "id"))];
        pairs.extend(fields.iter().map(|(key, c)| (*key, col(alias, c))));
        self.object(pairs)
    }

    fn enrollments(&self, shape: &EnrollmentShape) -> Expr {
        let (mut select, mut pairs) =
            self.rows_about(enrollment::Entity, "e", Category::Enrollment);
        pairs.push(("s", col("e", "status")));
        if shape.details {
            Self::columns(
                &mut pairs,
                "e",
                &[
                    ("ap", "applied_on"),
                    ("sd", "started_on"),
                    ("xd", "exited_on"),
                    ("xr", "exit_reason"),
                    ("ve", "version"),
                    ("src", "source"),
                ],
            );
        }
        if shape.kept_by {
            let org = self.organization(&mut select, "e_kb", ("e", "owner_org_id"), false);
            pairs.push(("kb", org));
        }
        let program =
            (shape.program.clone()).or_else(|| shape.attendance.then(ProgramShape::default));
        if let Some(program) = program {
            let object = self.program(&mut select, &program, shape.attendance);
            pairs.push(("pr", object));
        }
        if shape.totals || shape.attendance {
            pairs.push(("t", self.totals(shape.attendance)));
        }
        if let Some(hour_logs) = &shape.hour_logs {
            pairs.push(("h", self.hour_logs(hour_logs)));
        }
        if shape.status_history {
            pairs.push(("sh", self.status_history()));
        }
        if let Some(attainments) = &shape.attainments {
            pairs.push(("ca", self.attainments(attainments)));
        }
        let object = self.object(pairs);
        self.array(select, object, [col("e", "applied_on"), col("e", "id")])
    }
}
