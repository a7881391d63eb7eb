//! Participants: one hub id per person, listed and read through the policy.
//!
//! A participant is listed for a viewer when the viewer's organization has a
//! profile of them or may read another organization's profile in IDENTITY.
//! Every query here takes [`Scopes`]; the rules become `EXISTS` sub-queries.

use entity::enums::{Category, EnrollmentStatus};
use entity::{enrollment, participant, participant_link, participant_profile, program};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, LikeExpr, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::ground::error::Result;
use crate::policy::{Scope, Scopes};

pub use super::profiles::{
    ContactSlice, DemographicsSlice, IdentitySlice, ProfileSlice, SensitiveSlice, own_versions,
    pick, profile_slices,
};

/// Filters of `participants(filter: …)`, resolved to ids.
#[derive(Debug, Clone, Default)]
pub struct ParticipantFilter {
    /// Words that must each match a readable given, family or preferred name.
    pub search: Option<String>,
    pub program_id: Option<Uuid>,
    pub pathway_id: Option<Uuid>,
    pub status: Option<EnrollmentStatus>,
    /// Participants this organization has a (readable) profile of.
    pub org_id: Option<Uuid>,
}

impl ParticipantFilter {
    /// No filter set: every participant the viewer may list.
    pub fn is_empty(&self) -> bool {
        self.search.is_none()
            && self.program_id.is_none()
            && self.pathway_id.is_none()
            && self.status.is_none()
            && self.org_id.is_none()
    }
}

/// How a statement reads who may be listed: [`Scope::condition`] for a
/// page (it stops after `first` + 1 rows; an organization's candidates
/// come in order from its grants, [`page_ids`]); for a
/// count, which reads every participant, the grants kept as data
/// ([`crate::policy::listing`]), or [`Scope::set_condition`] where they do
/// not serve (a youth's own scope).
#[derive(Clone, Copy)]
enum Form {
    Correlated,
    Sets,
}

/// The column a page's or a count's conditions test: `participant.id`,
/// or, where a page reads an organization's grants named `participant`
/// ([`page_ids`]), `participant.participant_id`.
#[derive(Clone, Copy)]
enum Subject {
    Participant,
    Grant,
}

impl Subject {
    fn col(self) -> (Alias, Alias) {
        let column = match self {
            Subject::Participant => "id",
            Subject::Grant => "participant_id",
        };
        (Alias::new("participant"), Alias::new(column))
    }
}

fn profile_exists(
    alias: &str,
    identity: &Scope,
    extra: Condition,
    subject: Subject,
) -> SelectStatement {
    profile_exists_as(alias, identity, extra, Form::Correlated, subject)
}

fn profile_exists_as(
    alias: &str,
    identity: &Scope,
    extra: Condition,
    form: Form,
    subject: Subject,
) -> SelectStatement {
    use participant_profile::Column as P;
    let a = Alias::new(alias);
    Query::select()
        .expr(Expr::val(1))
        .from_as(participant_profile::Entity, a.clone())
        .and_where(Expr::col((a.clone(), P::ParticipantId)).equals(subject.col()))
        .cond_where(match form {
            Form::Correlated => identity.condition((a.clone(), P::OrgId), (a, P::ParticipantId)),
            Form::Sets => identity.set_condition((a.clone(), P::OrgId), (a, P::ParticipantId)),
        })
        .cond_where(extra)
        .to_owned()
}

/// Escapes LIKE wildcards so user text matches literally.
fn like_pattern(word: &str) -> LikeExpr {
    let escaped = word
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

/// The full condition: listed for the viewer, and matching the filter.
fn condition(scopes: &Scopes, filter: &ParticipantFilter) -> Condition {
    condition_as(scopes, filter, Form::Correlated, Subject::Participant)
}

fn condition_as(
    scopes: &Scopes,
    filter: &ParticipantFilter,
    form: Form,
    subject: Subject,
) -> Condition {
    use participant_profile::Column as P;
    let identity = scopes.of(Category::Identity);
    // A count reads who may be listed from the grants kept as data, an
    // index range, where the policy's sets would scan every profile.
    let listed = match form {
        Form::Sets => crate::policy::listing::listed(&identity),
        Form::Correlated => None,
    };
    let mut all = Condition::all().add(match listed {
        Some(listed) => Expr::col(subject.col()).in_subquery(listed),
        None => Expr::exists(profile_exists_as(
            "vis_p",
            &identity,
            Condition::all(),
            form,
            subject,
        )),
    });
    if let Some(search) = &filter.search {
        for word in search.split_whitespace().take(5) {
            let a = Alias::new("srch_p");
            let names = Condition::any()
                .add(
                    Expr::expr(Func::lower(Expr::col((a.clone(), P::GivenName))))
                        .like(like_pattern(word)),
                )
                .add(
                    Expr::expr(Func::lower(Expr::col((a.clone(), P::FamilyName))))
                        .like(like_pattern(word)),
                )
                .add(
                    Expr::expr(Func::lower(Expr::col((a, P::PreferredName))))
                        .like(like_pattern(word)),
                );
            all = all.add(Expr::exists(profile_exists(
                "srch_p", &identity, names, subject,
            )));
        }
    }
    if let Some(org_id) = filter.org_id {
        let own = Condition::all().add(Expr::col((Alias::new("org_p"), P::OrgId)).eq(org_id));
        all = all.add(Expr::exists(profile_exists(
            "org_p", &identity, own, subject,
        )));
    }
    if filter.program_id.is_some() || filter.pathway_id.is_some() || filter.status.is_some() {
        use enrollment::Column as E;
        let e = Alias::new("flt_e");
        let scope = scopes.of(Category::Enrollment);
        let mut query = Query::select()
            .expr(Expr::val(1))
            .from_as(enrollment::Entity, e.clone())
            .and_where(Expr::col((e.clone(), E::ParticipantId)).equals(subject.col()))
            .cond_where(scope.condition((e.clone(), E::OwnerOrgId), (e.clone(), E::ParticipantId)))
            .to_owned();
        if let Some(program_id) = filter.program_id {
            query.and_where(Expr::col((e.clone(), E::ProgramId)).eq(program_id));
        }
        if let Some(status) = filter.status {
            query.and_where(Expr::col((e.clone(), E::Status)).eq(status.as_str()));
        }
        if let Some(pathway_id) = filter.pathway_id {
            let p = Alias::new("flt_pr");
            query
                .join_as(
                    sea_orm::sea_query::JoinType::InnerJoin,
                    program::Entity,
                    p.clone(),
                    Expr::col((p.clone(), program::Column::Id)).equals((e, E::ProgramId)),
                )
                .and_where(Expr::col((p, program::Column::PathwayId)).eq(pathway_id));
        }
        all = all.add(Expr::exists(query));
    }
    all
}

/// The statements [`list`] would run for `scopes` and `filter`, on
/// PostgreSQL and on SQLite, built but not run. Used by fuzzing
/// (`fuzz/fuzz_targets/filters.rs`): whatever the filter holds, it becomes
/// bound values in a statement whose text depends only on which filters are
/// set and how many search words there are.
pub fn list_statements(scopes: &Scopes, filter: &ParticipantFilter) -> [sea_orm::Statement; 2] {
    let query = page_rows(scopes, filter, 50, None);
    [
        sea_orm::DbBackend::Postgres.build(&query),
        sea_orm::DbBackend::Sqlite.build(&query),
    ]
}

/// One page of participants, ordered by hub id, after the cursor `after`;
/// `first + 1` rows are read to know whether a next page exists.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    filter: &ParticipantFilter,
    first: u64,
    after: Option<Uuid>,
) -> Result<(Vec<participant::Model>, bool)> {
    use sea_orm::FromQueryResult;
    let statement = db
        .get_database_backend()
        .build(&page_rows(scopes, filter, first, after));
    let mut rows = participant::Model::find_by_statement(statement)
        .all(db)
        .await?;
    let has_next = rows.len() as u64 > first;
    rows.truncate(first as usize);
    Ok((rows, has_next))
}

/// The participants of [`list`]'s page, as a statement of whole rows:
/// [`page_ids`] with each participant's other columns read by its id as
/// the page's rows are produced. (`participant.id IN (page_ids)` left the
/// join to the plan: under a generic plan PostgreSQL guessed the page
/// held a tenth of the reader's grants and hashed it against every
/// participant, 8–16 ms for one row.)
pub fn page_rows(
    scopes: &Scopes,
    filter: &ParticipantFilter,
    first: u64,
    after: Option<Uuid>,
) -> SelectStatement {
    use participant::Column as C;
    let (mut query, subject) = page(scopes, filter, first, after);
    for column in [C::MatchKey, C::CreatedAt, C::UpdatedAt] {
        match subject {
            Subject::Participant => {
                query.column((participant::Entity, column));
            }
            Subject::Grant => {
                let row = Alias::new("page_row");
                let value = Query::select()
                    .column((row.clone(), column))
                    .from_as(participant::Entity, row.clone())
                    .and_where(Expr::col((row, C::Id)).equals(subject.col()))
                    .to_owned();
                query.expr_as(Expr::from(value), column);
            }
        }
    }
    query
}

/// The hub ids of [`list`]'s page, as a query of one column `id`: the
/// first `first + 1` after `after`, by hub id, that pass the policy's
/// conditions and the filter. For an organization they are read from one
/// ordered range of its grants kept as data
/// ([`crate::policy::listing::ordered`]), the same conditions applied to
/// each grant's participant: a reader that may list 6 of 100 000
/// participants reads its 6 grants where the conditions alone walk every
/// participant (0.5 s), and one that may list many stops after the page.
pub fn page_ids(
    scopes: &Scopes,
    filter: &ParticipantFilter,
    first: u64,
    after: Option<Uuid>,
) -> SelectStatement {
    page(scopes, filter, first, after).0
}

fn page(
    scopes: &Scopes,
    filter: &ParticipantFilter,
    first: u64,
    after: Option<Uuid>,
) -> (SelectStatement, Subject) {
    let identity = scopes.of(Category::Identity);
    let (mut query, subject) =
        match crate::policy::listing::ordered(&identity, "participant", after) {
            Some(grants) => (grants, Subject::Grant),
            None => {
                let id = (participant::Entity, participant::Column::Id);
                let mut query = Query::select();
                query
                    .column(id)
                    .from(participant::Entity)
                    .order_by(id, sea_orm::sea_query::Order::Asc);
                if let Some(after) = after {
                    query.and_where(Expr::col(id).gt(after));
                }
                (query, Subject::Participant)
            }
        };
    query
        .cond_where(condition_as(scopes, filter, Form::Correlated, subject))
        .limit(first + 1);
    (query, subject)
}

/// How many participants the viewer may see under the filter.
pub async fn count<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    filter: &ParticipantFilter,
) -> Result<u64> {
    let identity = scopes.of(Category::Identity);
    if filter.is_empty()
        && let Some(query) = crate::policy::listing::count(&identity)
    {
        let backend = db.get_database_backend();
        let n: i64 = db
            .query_one_raw(backend.build(&query))
            .await?
            .map(|row| row.try_get("", "n"))
            .transpose()?
            .unwrap_or(0);
        return Ok(u64::try_from(n).unwrap_or(0));
    }
    Ok(participant::Entity::find()
        .filter(condition_as(
            scopes,
            filter,
            Form::Sets,
            Subject::Participant,
        ))
        .count(db)
        .await?)
}

/// The participant with this hub id, if the viewer may see them (a hidden
/// and a non-existent participant answer the same).
pub async fn by_id<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    id: Uuid,
) -> Result<Option<participant::Model>> {
    Ok(by_id_query(scopes, id).one(db).await?)
}

/// [`by_id`]'s participant, as a query.
pub fn by_id_query(scopes: &Scopes, id: Uuid) -> sea_orm::Select<participant::Entity> {
    participant::Entity::find_by_id(id).filter(condition(scopes, &ParticipantFilter::default()))
}

/// The participants with these hub ids that the viewer may see (hidden and
/// non-existent ones are both simply absent).
pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    ids: &[Uuid],
) -> Result<Vec<participant::Model>> {
    let filter = ParticipantFilter::default();
    Ok(participant::Entity::find()
        .filter(participant::Column::Id.is_in(ids.iter().copied()))
        .filter(condition(scopes, &filter))
        .all(db)
        .await?)
}

/// The participant an organization knows by its own id, if the viewer may
/// read that organization's link in IDENTITY.
pub async fn by_external_id<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    org_id: Uuid,
    external_id: &str,
) -> Result<Option<participant::Model>> {
    Ok(by_external_id_query(scopes, org_id, external_id)
        .one(db)
        .await?)
}

/// [`by_external_id`]'s participant, as a query.
pub fn by_external_id_query(
    scopes: &Scopes,
    org_id: Uuid,
    external_id: &str,
) -> sea_orm::Select<participant::Entity> {
    use participant_link::Column as L;
    let identity = scopes.of(Category::Identity);
    let l = Alias::new("ext_l");
    let link = Query::select()
        .expr(Expr::val(1))
        .from_as(participant_link::Entity, l.clone())
        .and_where(
            Expr::col((l.clone(), L::ParticipantId))
                .equals((participant::Entity, participant::Column::Id)),
        )
        .and_where(Expr::col((l.clone(), L::OrgId)).eq(org_id))
        .and_where(Expr::col((l.clone(), L::ExternalId)).eq(external_id))
        .cond_where(identity.condition((l.clone(), L::OrgId), (l, L::ParticipantId)))
        .to_owned();
    participant::Entity::find().filter(Expr::exists(link))
}

/// The identity crosswalk rows of these participants the viewer may read.
pub async fn links<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    ids: &[Uuid],
) -> Result<Vec<participant_link::Model>> {
    use participant_link::Column as L;
    let identity = scopes.of(Category::Identity);
    Ok(participant_link::Entity::find()
        .filter(L::ParticipantId.is_in(ids.iter().copied()))
        .filter(identity.condition(
            (participant_link::Entity, L::OrgId),
            (participant_link::Entity, L::ParticipantId),
        ))
        .order_by_asc(L::ExternalId)
        .all(db)
        .await?)
}

/// The hub id in input `field`, if the viewer may see that participant;
/// otherwise `BAD_USER_INPUT` (a hidden and a missing person answer alike).
pub async fn require_visible<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    id: &async_graphql::ID,
    field: &str,
) -> Result<Uuid> {
    let bad = || {
        crate::ground::error::Error::bad_input(
            field,
            "no participant with this id is known to your organization",
        )
    };
    let id = Uuid::parse_str(id.as_str()).map_err(|_| bad())?;
    by_id(db, scopes, id).await?.map(|p| p.id).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Role, Viewer};

    #[test]
    fn search_words_are_bound_values_never_sql() {
        let viewer = Viewer {
            subject: "s".into(),
            org_id: Uuid::from_u128(7),
            org_slug: "hola".into(),
            roles: vec![Role::Staff],
            participant_id: None,
            reach: None,
        };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).expect("a date");
        let scopes = Scopes::new(&viewer, today);
        let statements = |search: &str| {
            let filter = ParticipantFilter {
                search: Some(search.into()),
                ..ParticipantFilter::default()
            };
            list_statements(&scopes, &filter)
        };
        let hostile = statements("o'brien 50%_off x\\y");
        let plain = statements("w w w");
        for (h, p) in hostile.iter().zip(&plain) {
            assert_eq!(h.sql, p.sql);
            assert!(!h.sql.contains("brien"));
        }
        let values = format!("{:?}", hostile[0].values);
        assert!(values.contains("%o'brien%"), "{values}");
        assert!(
            values.contains("%50\\\\%\\\\_off%"),
            "escaped wildcards: {values}"
        );
    }
}
