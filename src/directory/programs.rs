//! Programs: what an organization runs on a pathway, with the rules that
//! later judge completion (OJT/RTI hour requirements, stipend threshold).

use async_graphql::InputObject;
use chrono::{NaiveDate, Utc};
use entity::enums::{AuditAction, ProgramApproach, ProgramKind};
use entity::program;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::auth::Viewer;
use crate::ground::error::{DbResultExt, Error, Result};
use crate::ground::types::{amount, optional_text, text};

/// A new program of the viewer's own organization.
#[derive(Debug, Clone, InputObject)]
pub struct CreateProgramInput {
    /// Display name (at most 200 characters).
    pub name: String,
    /// The shape of the program; a REGISTERED_APPRENTICESHIP that is not
    /// COMPETENCY-based needs `requiredOjtHours`.
    pub kind: ProgramKind,
    /// How completion is judged; TIME when omitted.
    pub approach: Option<ProgramApproach>,
    /// The code of the pathway the program leads into; an unknown code is
    /// `BAD_USER_INPUT`.
    pub pathway_code: Option<String>,
    /// On-the-job training hours required (2000 for an Arts2Work apprenticeship).
    pub required_ojt_hours: Option<f64>,
    /// Related technical instruction hours required (144 for Arts2Work).
    pub required_rti_hours: Option<f64>,
    /// Hours scheduled, the base of attendance percentages; required with
    /// `stipendThresholdPct`.
    pub scheduled_hours: Option<f64>,
    /// Attendance, in percent (0–100) of scheduled hours, that earns the
    /// stipend (80 for WLCAC); leave out when the program pays none.
    pub stipend_threshold_pct: Option<f64>,
    /// Where it takes place (a site or city; at most 200 characters).
    pub site: Option<String>,
    /// The first day (ISO date).
    pub starts_on: Option<NaiveDate>,
    /// The last day (ISO date), not before `startsOn`.
    pub ends_on: Option<NaiveDate>,
}

/// Programs, optionally of one organization, by name.
pub async fn list<C: ConnectionTrait>(db: &C, org_id: Option<Uuid>) -> Result<Vec<program::Model>> {
    let mut query = program::Entity::find()
        .order_by_asc(program::Column::Name)
        .order_by_asc(program::Column::Id);
    if let Some(org_id) = org_id {
        query = query.filter(program::Column::OrgId.eq(org_id));
    }
    Ok(query.all(db).await?)
}

/// The program with this id, if any.
pub async fn by_id<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<program::Model>> {
    Ok(program::Entity::find_by_id(id).one(db).await?)
}

const MAX_HOURS: f64 = 20_000.0;

fn hours(value: Option<f64>, field: &str) -> Result<Option<f64>> {
    value.map(|v| amount(v, field, MAX_HOURS)).transpose()
}

/// Creates a program owned by the viewer's organization (the caller has
/// checked the org_admin role), audited.
pub async fn create<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    actor: &Actor,
    input: CreateProgramInput,
) -> Result<program::Model> {
    let name = text(&input.name, "name", 200)?;
    let approach = input.approach.unwrap_or(ProgramApproach::Time);
    let required_ojt_hours = hours(input.required_ojt_hours, "requiredOjtHours")?;
    let required_rti_hours = hours(input.required_rti_hours, "requiredRtiHours")?;
    let scheduled_hours = hours(input.scheduled_hours, "scheduledHours")?;
    let stipend_threshold_pct = input
        .stipend_threshold_pct
        .map(|v| amount(v, "stipendThresholdPct", 100.0))
        .transpose()?;
    let site = optional_text(input.site.as_deref(), "site", 200)?;
    if input.kind == ProgramKind::RegisteredApprenticeship
        && approach != ProgramApproach::Competency
        && required_ojt_hours.is_none_or(|h| h <= 0.0)
    {
        return Err(Error::bad_input(
            "requiredOjtHours",
            "a time-based or hybrid registered apprenticeship needs its OJT hour requirement",
        ));
    }
    if stipend_threshold_pct.is_some() && scheduled_hours.is_none() {
        return Err(Error::bad_input(
            "scheduledHours",
            "a stipend threshold needs the scheduled hours it is a share of",
        ));
    }
    if let (Some(starts), Some(ends)) = (input.starts_on, input.ends_on)
        && ends < starts
    {
        return Err(Error::bad_input("endsOn", "must not be before startsOn"));
    }
    let pathway_id = match input.pathway_code.as_deref() {
        None => None,
        Some(code) => Some(
            crate::directory::pathways::by_code(db, code)
                .await?
                .ok_or_else(|| Error::bad_input("pathwayCode", "no pathway has this code"))?
                .id,
        ),
    };
    let now = Utc::now();
    let txn = crate::ground::db::begin_write(db).await?;
    let row = program::ActiveModel {
        id: Set(Uuid::new_v4()),
        org_id: Set(viewer.org_id),
        pathway_id: Set(pathway_id),
        name: Set(name),
        kind: Set(input.kind),
        approach: Set(approach),
        required_ojt_hours: Set(required_ojt_hours),
        required_rti_hours: Set(required_rti_hours),
        scheduled_hours: Set(scheduled_hours),
        stipend_threshold_pct: Set(stipend_threshold_pct),
        site: Set(site),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let model = program::Entity::insert(row)
        .exec_with_returning(&txn)
        .await
        .on_constraint("pathwayCode")?;
    audit::record(
        &txn,
        actor,
        vec![Entry::about(
            AuditAction::Create,
            "program",
            model.id,
            Some(viewer.org_id),
        )],
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}
