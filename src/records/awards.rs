//! What a participant earns and receives, recorded by the organization that
//! keeps it: credentials, competencies, services and outcomes.

use async_graphql::{ID, InputObject};
use chrono::{NaiveDate, Utc};
use entity::enums::{AuditAction, Category, CredentialKind, OutcomeKind, ServiceKind};
use entity::{competency, competency_attainment, credential, outcome, program, service};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::auth::Viewer;
use crate::ground::error::{Error, Result};
use crate::ground::types::optional_text;
use crate::people::participants::require_visible;
use crate::policy::{self, Scopes};

fn not_future(day: NaiveDate, field: &str) -> Result<NaiveDate> {
    if day > Utc::now().date_naive() {
        Err(Error::bad_input(field, "must not be in the future"))
    } else {
        Ok(day)
    }
}

fn cents(value: Option<i64>, field: &str) -> Result<Option<i64>> {
    match value {
        Some(v) if !(0..=100_000_000).contains(&v) => Err(Error::bad_input(
            field,
            "must be between 0 and 100000000 cents",
        )),
        other => Ok(other),
    }
}

/// Inserts one row and its audit entry in one transaction.
async fn insert_audited<A>(
    db: &DatabaseConnection,
    actor: &Actor,
    row: A,
    entry: Entry,
) -> Result<<A::Entity as EntityTrait>::Model>
where
    A: sea_orm::ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
{
    let txn = crate::ground::db::begin_write(db).await?;
    let model = <A::Entity as EntityTrait>::insert(row)
        .exec_with_returning(&txn)
        .await?;
    audit::record(&txn, actor, vec![entry]).await?;
    txn.commit().await?;
    Ok(model)
}

fn created(
    entity: &'static str,
    id: Uuid,
    owner: Uuid,
    participant: Uuid,
    category: Category,
) -> Entry {
    let mut entry = Entry::about(AuditAction::Create, entity, id, Some(owner));
    entry.participant_id = Some(participant);
    entry.categories = vec![category];
    entry
}

/// A credential awarded to a participant.
#[derive(Debug, Clone, InputObject)]
pub struct AwardCredentialInput {
    /// The participant's hub id (must be visible to your organization).
    pub participant_id: ID,
    /// The credential's name (at most 200 characters).
    pub name: String,
    /// What kind of credential it is.
    pub kind: CredentialKind,
    /// The issuer when it is a hub partner.
    pub issuer_org_slug: Option<String>,
    /// The issuer's name otherwise (e.g. Adobe).
    pub issuer_name: Option<String>,
    /// The day it was awarded (ISO date), not in the future.
    pub awarded_on: NaiveDate,
    /// The day it expires (ISO date), not before `awardedOn`.
    pub expires_on: Option<NaiveDate>,
    /// An http(s) link to evidence of the award (at most 500 characters).
    pub evidence_url: Option<String>,
}

/// Records a credential kept by the viewer's organization.
pub async fn award_credential(
    db: &DatabaseConnection,
    viewer: &Viewer,
    scopes: &Scopes,
    actor: &Actor,
    input: AwardCredentialInput,
) -> Result<credential::Model> {
    policy::require_writer(viewer)?;
    let participant = require_visible(db, scopes, &input.participant_id, "participantId").await?;
    let name = crate::ground::types::text(&input.name, "name", 200)?;
    let awarded_on = not_future(input.awarded_on, "awardedOn")?;
    if input.expires_on.is_some_and(|e| e < awarded_on) {
        return Err(Error::bad_input(
            "expiresOn",
            "must not be before awardedOn",
        ));
    }
    let issuer_org_id = match input.issuer_org_slug.as_deref() {
        None => None,
        Some(slug) => {
            Some(crate::directory::organizations::id_by_slug(db, slug, "issuerOrgSlug").await?)
        }
    };
    let issuer_name = optional_text(input.issuer_name.as_deref(), "issuerName", 200)?;
    if issuer_org_id.is_none() && issuer_name.is_none() {
        return Err(Error::bad_input(
            "issuerName",
            "name the issuer (issuerOrgSlug or issuerName)",
        ));
    }
    let evidence_url = optional_text(input.evidence_url.as_deref(), "evidenceUrl", 500)?;
    if let Some(url) = &evidence_url
        && !url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
    {
        return Err(Error::bad_input("evidenceUrl", "must be an http(s) URL"));
    }
    let now = Utc::now();
    let id = Uuid::new_v4();
    let row = credential::ActiveModel {
        id: Set(id),
        participant_id: Set(participant),
        owner_org_id: Set(viewer.org_id),
        issuer_org_id: Set(issuer_org_id),
        issuer_name: Set(issuer_name),
        name: Set(name),
        kind: Set(input.kind),
        awarded_on: Set(awarded_on),
        expires_on: Set(input.expires_on),
        evidence_url: Set(evidence_url),
        external_id: Set(None),
        source: Set("hub".into()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    insert_audited(
        db,
        actor,
        row,
        created(
            "credential",
            id,
            viewer.org_id,
            participant,
            Category::Credentials,
        ),
    )
    .await
}

/// A service or disbursement provided to a participant.
#[derive(Debug, Clone, InputObject)]
pub struct RecordServiceInput {
    /// The participant's hub id (must be visible to your organization).
    pub participant_id: ID,
    /// What kind of service; your organization is its provider.
    pub kind: ServiceKind,
    /// The day it was provided (ISO date), not in the future.
    pub provided_on: NaiveDate,
    /// In cents, 0 to 100000000 (stipends, equipment).
    pub amount_cents: Option<i64>,
}

/// Records a service the viewer's organization provided.
pub async fn record_service(
    db: &DatabaseConnection,
    viewer: &Viewer,
    scopes: &Scopes,
    actor: &Actor,
    input: RecordServiceInput,
) -> Result<service::Model> {
    policy::require_writer(viewer)?;
    let participant = require_visible(db, scopes, &input.participant_id, "participantId").await?;
    let provided_on = not_future(input.provided_on, "providedOn")?;
    let amount_cents = cents(input.amount_cents, "amountCents")?;
    let now = Utc::now();
    let id = Uuid::new_v4();
    let row = service::ActiveModel {
        id: Set(id),
        participant_id: Set(participant),
        owner_org_id: Set(viewer.org_id),
        provider_org_id: Set(viewer.org_id),
        kind: Set(input.kind),
        provided_on: Set(provided_on),
        amount_cents: Set(amount_cents),
        external_id: Set(None),
        source: Set("hub".into()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    insert_audited(
        db,
        actor,
        row,
        created(
            "service",
            id,
            viewer.org_id,
            participant,
            Category::Services,
        ),
    )
    .await
}

/// An outcome a participant reached.
#[derive(Debug, Clone, InputObject)]
pub struct RecordOutcomeInput {
    /// The participant's hub id (must be visible to your organization).
    pub participant_id: ID,
    /// What the youth reached.
    pub kind: OutcomeKind,
    /// The employer (at most 200 characters).
    pub employer_name: Option<String>,
    /// The job title or occupation (at most 200 characters).
    pub occupation: Option<String>,
    /// Hourly wage in cents, 0 to 100000000 (2250 for $22.50).
    pub hourly_wage_cents: Option<i64>,
    /// The union local, e.g. "600"; required for UNION_MEMBERSHIP.
    pub union_local: Option<String>,
    /// The day it began (ISO date), not in the future.
    pub started_on: Option<NaiveDate>,
    /// Whether you verified it (pay stub, union card…); false when omitted.
    #[graphql(default)]
    pub verified: bool,
}

/// Records an outcome kept by the viewer's organization.
pub async fn record_outcome(
    db: &DatabaseConnection,
    viewer: &Viewer,
    scopes: &Scopes,
    actor: &Actor,
    input: RecordOutcomeInput,
) -> Result<outcome::Model> {
    policy::require_writer(viewer)?;
    let participant = require_visible(db, scopes, &input.participant_id, "participantId").await?;
    let started_on = input
        .started_on
        .map(|d| not_future(d, "startedOn"))
        .transpose()?;
    let union_local = optional_text(input.union_local.as_deref(), "unionLocal", 20)?;
    if input.kind == OutcomeKind::UnionMembership && union_local.is_none() {
        return Err(Error::bad_input(
            "unionLocal",
            "union membership names the local",
        ));
    }
    let now = Utc::now();
    let id = Uuid::new_v4();
    let row = outcome::ActiveModel {
        id: Set(id),
        participant_id: Set(participant),
        owner_org_id: Set(viewer.org_id),
        kind: Set(input.kind),
        employer_name: Set(optional_text(
            input.employer_name.as_deref(),
            "employerName",
            200,
        )?),
        occupation: Set(optional_text(
            input.occupation.as_deref(),
            "occupation",
            200,
        )?),
        hourly_wage_cents: Set(cents(input.hourly_wage_cents, "hourlyWageCents")?),
        union_local: Set(union_local),
        started_on: Set(started_on),
        verified: Set(input.verified),
        external_id: Set(None),
        source: Set("hub".into()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    insert_audited(
        db,
        actor,
        row,
        created(
            "outcome",
            id,
            viewer.org_id,
            participant,
            Category::Outcomes,
        ),
    )
    .await
}

/// A competency attained under an enrollment.
#[derive(Debug, Clone, InputObject)]
pub struct RecordCompetencyInput {
    /// An enrollment kept by your organization.
    pub enrollment_id: ID,
    /// The competency's code within the program's pathway.
    pub competency_code: String,
    /// The day it was assessed as attained (ISO date), not in the future.
    pub attained_on: NaiveDate,
    /// 1 (emerging) to 4 (mastery).
    pub level: i32,
}

/// Records a competency attainment on an enrollment the viewer's
/// organization keeps.
pub async fn record_competency(
    db: &DatabaseConnection,
    viewer: &Viewer,
    scopes: &Scopes,
    actor: &Actor,
    input: RecordCompetencyInput,
) -> Result<competency_attainment::Model> {
    let enrollment_id = crate::records::enrollments::uuid(&input.enrollment_id, "enrollmentId")?;
    let enrollment =
        crate::records::enrollments::writable(db, viewer, scopes, enrollment_id).await?;
    if !(1..=4).contains(&input.level) {
        return Err(Error::bad_input("level", "must be 1 to 4"));
    }
    let attained_on = not_future(input.attained_on, "attainedOn")?;
    let program = program::Entity::find_by_id(enrollment.program_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("program"))?;
    let competency = competency::Entity::find()
        .filter(competency::Column::PathwayId.eq(program.pathway_id.unwrap_or_default()))
        .filter(competency::Column::Code.eq(&input.competency_code))
        .one(db)
        .await?
        .ok_or_else(|| {
            Error::bad_input(
                "competencyCode",
                "the program's pathway has no competency with this code",
            )
        })?;
    let now = Utc::now();
    let id = Uuid::new_v4();
    let row = competency_attainment::ActiveModel {
        id: Set(id),
        enrollment_id: Set(enrollment_id),
        competency_id: Set(competency.id),
        owner_org_id: Set(enrollment.owner_org_id),
        attained_on: Set(attained_on),
        assessed_by: Set(viewer.subject.clone()),
        level: Set(input.level),
        created_at: Set(now),
        updated_at: Set(now),
    };
    insert_audited(
        db,
        actor,
        row,
        created(
            "competency_attainment",
            id,
            enrollment.owner_org_id,
            enrollment.participant_id,
            Category::Progress,
        ),
    )
    .await
}
