//! Hours: `logHours` (OJT, RTI, attendance, mentoring) and `approveHours`
//! (staff of the program's organization, never the person who logged them).

use async_graphql::{ID, InputObject};
use chrono::{NaiveDate, Utc};
use entity::enums::{AuditAction, Category, EnrollmentStatus, HourKind};
use entity::hour_log;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait,
    FromQueryResult, QueryFilter, QuerySelect, Statement,
};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::auth::Viewer;
use crate::ground::error::{Error, Result};
use crate::policy::Scopes;
use crate::records::enrollments::{uuid, writable};

/// Hours worked or attended on one day under an enrollment.
#[derive(Debug, Clone, InputObject)]
pub struct LogHoursInput {
    /// An ACTIVE enrollment kept by your organization.
    pub enrollment_id: ID,
    /// What the hours count towards.
    pub kind: HourKind,
    /// The day (ISO date), between the enrollment's start and today.
    pub worked_on: NaiveDate,
    /// Hours, more than 0; at most 24 of one kind on one day in all.
    pub hours: f64,
}

/// Hour logs to approve.
#[derive(Debug, Clone, InputObject)]
pub struct ApproveHoursInput {
    /// 1 to 500 hour logs of your organization's enrollments, none logged
    /// by you.
    pub ids: Vec<ID>,
}

/// Most hours of one kind on one day under one enrollment.
pub const MAX_HOURS_PER_DAY: f64 = 24.0;

/// Logs hours (not approved yet); audited.
pub async fn log(
    db: &DatabaseConnection,
    viewer: &Viewer,
    scopes: &Scopes,
    actor: &Actor,
    input: LogHoursInput,
) -> Result<hour_log::Model> {
    let enrollment_id = uuid(&input.enrollment_id, "enrollmentId")?;
    if !input.hours.is_finite() || input.hours <= 0.0 || input.hours > MAX_HOURS_PER_DAY {
        return Err(Error::bad_input(
            "hours",
            "must be more than 0 and at most 24",
        ));
    }
    let enrollment = writable(db, viewer, scopes, enrollment_id).await?;
    if enrollment.status != EnrollmentStatus::Active {
        return Err(Error::bad_input(
            "enrollmentId",
            "hours are logged on an ACTIVE enrollment",
        ));
    }
    let today = Utc::now().date_naive();
    if input.worked_on > today {
        return Err(Error::bad_input("workedOn", "must not be in the future"));
    }
    if enrollment
        .started_on
        .is_none_or(|started| input.worked_on < started)
    {
        return Err(Error::bad_input(
            "workedOn",
            "must not be before the enrollment started",
        ));
    }
    let txn = crate::ground::db::begin_write(db).await?;
    // Concurrent logs of one day must not pass the 24 h check together.
    let day = format!(
        "hours:{enrollment_id}:{}:{}",
        input.kind.as_str(),
        input.worked_on
    );
    crate::ground::db::serialize_on(&txn, day.as_bytes()).await?;
    let now = Utc::now();
    let row = hour_log::Model {
        id: Uuid::new_v4(),
        enrollment_id,
        owner_org_id: enrollment.owner_org_id,
        kind: input.kind,
        worked_on: input.worked_on,
        hours: input.hours,
        logged_by: viewer.subject.clone(),
        approved: false,
        approved_by: None,
        approved_at: None,
        external_id: None,
        source: "hub".into(),
        created_at: now,
        updated_at: now,
    };
    let Some(row) = insert_within_day(&txn, row).await? else {
        let already = logged_on_day(&txn, enrollment_id, input.kind, input.worked_on).await?;
        return Err(Error::bad_input(
            "hours",
            format!("{already} h of this kind are already logged on that day; at most 24 in all"),
        ));
    };
    let mut entry = Entry::about(
        AuditAction::Create,
        "hour_log",
        row.id,
        Some(row.owner_org_id),
    );
    entry.participant_id = Some(enrollment.participant_id);
    entry.categories = vec![Category::Progress];
    audit::record(&txn, actor, vec![entry]).await?;
    txn.commit().await?;
    Ok(row)
}

/// Hours of `kind` already logged on `day` under an enrollment.
async fn logged_on_day<C: ConnectionTrait>(
    txn: &C,
    enrollment_id: Uuid,
    kind: HourKind,
    day: NaiveDate,
) -> Result<f64> {
    let logged: Option<Option<f64>> = hour_log::Entity::find()
        .select_only()
        .expr(sea_orm::sea_query::Func::sum(Expr::col(
            hour_log::Column::Hours,
        )))
        .filter(hour_log::Column::EnrollmentId.eq(enrollment_id))
        .filter(hour_log::Column::Kind.eq(kind))
        .filter(hour_log::Column::WorkedOn.eq(day))
        .into_tuple()
        .one(txn)
        .await?;
    Ok(logged.flatten().unwrap_or(0.0))
}

/// Inserts `row` unless its day's hours of its kind would pass 24: the
/// check and the insert are one statement (one round trip instead of two).
/// Concurrent logs of the same day are ordered by the lock
/// [`crate::ground::db::serialize_on`] took before it (SQLite's write
/// transactions by `BEGIN IMMEDIATE`), and a statement begun after that
/// lock sees what the lock's previous holder committed. `None` when the
/// 24 h rule refuses.
async fn insert_within_day<C: ConnectionTrait>(
    txn: &C,
    row: hour_log::Model,
) -> Result<Option<hour_log::Model>> {
    let backend = txn.get_database_backend();
    let p = |n: usize| match backend {
        DatabaseBackend::Postgres => format!("${n}"),
        _ => format!("?{n}"),
    };
    let sql = format!(
        "INSERT INTO hour_log (id, enrollment_id, owner_org_id, kind, worked_on, hours, logged_by, approved, \
         approved_by, approved_at, external_id, source, created_at, updated_at) \
         SELECT {}, {}, {}, {}, {}, {}, {}, {}, NULL, NULL, NULL, {}, {}, {} \
         WHERE COALESCE((SELECT SUM(d.hours) FROM hour_log d WHERE d.enrollment_id = {} AND d.kind = {} \
         AND d.worked_on = {}), 0) + {} <= {MAX_HOURS_PER_DAY} RETURNING *",
        p(1),
        p(2),
        p(3),
        p(4),
        p(5),
        p(6),
        p(7),
        p(8),
        p(9),
        p(10),
        p(11),
        p(2),
        p(4),
        p(5),
        p(6),
    );
    let values: [sea_orm::Value; 11] = [
        row.id.into(),
        row.enrollment_id.into(),
        row.owner_org_id.into(),
        row.kind.as_str().to_owned().into(),
        row.worked_on.into(),
        row.hours.into(),
        row.logged_by.clone().into(),
        row.approved.into(),
        row.source.clone().into(),
        row.created_at.into(),
        row.updated_at.into(),
    ];
    Ok(
        hour_log::Model::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
            .one(txn)
            .await?,
    )
}

/// Approves hour logs of the viewer's organization that someone else
/// logged; all or nothing, audited.
pub async fn approve(
    db: &DatabaseConnection,
    viewer: &Viewer,
    scopes: &Scopes,
    actor: &Actor,
    input: ApproveHoursInput,
) -> Result<Vec<hour_log::Model>> {
    if input.ids.is_empty() || input.ids.len() > 500 {
        return Err(Error::bad_input("ids", "must name 1 to 500 hour logs"));
    }
    let ids = input
        .ids
        .iter()
        .map(|id| uuid(id, "ids"))
        .collect::<Result<Vec<_>>>()?;
    let rows = hour_log::Entity::find()
        .filter(hour_log::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?;
    if rows.len() != ids.len() {
        return Err(Error::bad_input(
            "ids",
            "names an hour log that does not exist",
        ));
    }
    let mut entries = Vec::new();
    for row in &rows {
        let enrollment = writable(db, viewer, scopes, row.enrollment_id).await?;
        if row.logged_by == viewer.subject {
            return Err(Error::bad_input(
                "ids",
                "hours are approved by someone other than the person who logged them",
            ));
        }
        let mut entry = Entry::about(
            AuditAction::Update,
            "hour_log",
            row.id,
            Some(row.owner_org_id),
        );
        entry.participant_id = Some(enrollment.participant_id);
        entry.categories = vec![Category::Progress];
        entry.detail = Some("approved".into());
        entries.push(entry);
    }
    let now = Utc::now();
    let txn = crate::ground::db::begin_write(db).await?;
    hour_log::Entity::update_many()
        .col_expr(hour_log::Column::Approved, Expr::value(true))
        .col_expr(
            hour_log::Column::ApprovedBy,
            Expr::value(viewer.subject.clone()),
        )
        .col_expr(hour_log::Column::ApprovedAt, Expr::value(now))
        .col_expr(hour_log::Column::UpdatedAt, Expr::value(now))
        .filter(hour_log::Column::Id.is_in(ids.clone()))
        .filter(hour_log::Column::Approved.eq(false))
        .exec(&txn)
        .await?;
    audit::record(&txn, actor, entries).await?;
    let rows = hour_log::Entity::find()
        .filter(hour_log::Column::Id.is_in(ids))
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows)
}
