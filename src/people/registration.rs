//! Registering participants: `createParticipant` with identity resolution
//! (DESIGN.md section 3) and `updateParticipant` of the viewer's own profile
//! with optimistic concurrency.

use async_graphql::InputObject;
use chrono::{NaiveDate, Utc};
use entity::enums::{AuditAction, Category, PriorityPopulation, join_set};
use entity::{participant, participant_link, participant_profile};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::auth::Viewer;
use crate::ground::error::{DbResultExt, Error, Result};
use crate::ground::types::{email, optional_text, text};
use crate::ground::versioned::{self, Stale};
use crate::people::identity::match_key;

/// A person as the viewer's organization records them.
#[derive(Debug, Clone, InputObject)]
pub struct CreateParticipantInput {
    /// IDENTITY: given name (at most 100 characters).
    pub given_name: String,
    /// IDENTITY: family name (at most 100 characters).
    pub family_name: String,
    /// IDENTITY: the name the youth goes by (at most 100 characters).
    pub preferred_name: Option<String>,
    /// DEMOGRAPHICS (ISO date): needed to recognise a person other
    /// partners already know; must give an age from 10 to 40.
    pub birth_date: NaiveDate,
    /// CONTACT: an email address.
    pub email: Option<String>,
    /// CONTACT: a phone number (at least 7 digits; `+ - ( ) .` and spaces
    /// allowed).
    pub phone: Option<String>,
    /// CONTACT: a ZIP code (`90002` or `90002-1234`).
    pub postal_code: Option<String>,
    /// DEMOGRAPHICS: as the youth states it (at most 50 characters).
    pub gender: Option<String>,
    /// DEMOGRAPHICS: as the youth states it (at most 100 characters).
    pub race_ethnicity: Option<String>,
    /// SENSITIVE: the priority populations the youth belongs to; none when
    /// omitted.
    #[graphql(default)]
    pub priority_populations: Vec<PriorityPopulation>,
    /// CONTACT: the parent or guardian (at most 200 characters); required
    /// for a youth under 18.
    pub guardian_name: Option<String>,
    /// The organization's own id for the person (defaults to the hub id).
    pub external_id: Option<String>,
}

/// Changes to the viewer's own profile; absent fields stay as they are.
#[derive(Debug, Clone, InputObject)]
pub struct UpdateParticipantInput {
    /// The participant's hub id.
    pub id: async_graphql::ID,
    /// The `version` the caller read; a stale one is `CONFLICT`.
    pub version: i32,
    /// IDENTITY: given name (at most 100 characters).
    pub given_name: Option<String>,
    /// IDENTITY: family name (at most 100 characters).
    pub family_name: Option<String>,
    /// IDENTITY: the name the youth goes by.
    pub preferred_name: Option<String>,
    /// CONTACT: an email address.
    pub email: Option<String>,
    /// CONTACT: a phone number (at least 7 digits).
    pub phone: Option<String>,
    /// CONTACT: a ZIP code (`90002` or `90002-1234`).
    pub postal_code: Option<String>,
    /// DEMOGRAPHICS: as the youth states it (at most 50 characters).
    pub gender: Option<String>,
    /// DEMOGRAPHICS: as the youth states it (at most 100 characters).
    pub race_ethnicity: Option<String>,
    /// SENSITIVE: replaces the whole list.
    pub priority_populations: Option<Vec<PriorityPopulation>>,
    /// CONTACT: the parent or guardian (at most 200 characters).
    pub guardian_name: Option<String>,
}

fn age_on(birth: NaiveDate, day: NaiveDate) -> u32 {
    day.years_since(birth).unwrap_or(0)
}

pub(crate) fn phone(value: Option<&str>) -> Result<Option<String>> {
    let Some(v) = optional_text(value, "phone", 30)? else {
        return Ok(None);
    };
    if v.chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        && v.chars().filter(char::is_ascii_digit).count() >= 7
    {
        Ok(Some(v))
    } else {
        Err(Error::bad_input("phone", "must be a phone number"))
    }
}

pub(crate) fn postal(value: Option<&str>) -> Result<Option<String>> {
    let Some(v) = optional_text(value, "postalCode", 10)? else {
        return Ok(None);
    };
    let ok = (v.len() == 5 || (v.len() == 10 && v.as_bytes()[5] == b'-'))
        && v.chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || (i == 5 && c == '-'));
    if ok {
        Ok(Some(v))
    } else {
        Err(Error::bad_input(
            "postalCode",
            "must be a ZIP code like 90002",
        ))
    }
}

/// The validated values of a [`CreateParticipantInput`].
pub struct Checked {
    pub(crate) given: String,
    pub(crate) family: String,
    guardian: Option<String>,
    email: Option<String>,
    external_id: Option<String>,
    phone: Option<String>,
    postal: Option<String>,
}

/// The viewer's organization's profile and link rows of a checked new
/// person under hub id `id` (for [`create`] and the bulk import).
pub(crate) fn new_rows(
    viewer: &Viewer,
    id: Uuid,
    input: &CreateParticipantInput,
    checked: Checked,
    now: chrono::DateTime<Utc>,
) -> Result<(
    participant_profile::ActiveModel,
    participant_link::ActiveModel,
)> {
    let Checked {
        given,
        family,
        guardian,
        email,
        external_id,
        phone,
        postal,
    } = checked;
    let profile = participant_profile::ActiveModel {
        id: Set(Uuid::new_v4()),
        participant_id: Set(id),
        org_id: Set(viewer.org_id),
        given_name: Set(given),
        family_name: Set(family),
        preferred_name: Set(optional_text(
            input.preferred_name.as_deref(),
            "preferredName",
            100,
        )?),
        birth_date: Set(Some(input.birth_date)),
        email: Set(email),
        phone: Set(phone),
        postal_code: Set(postal),
        gender: Set(optional_text(input.gender.as_deref(), "gender", 50)?),
        race_ethnicity: Set(optional_text(
            input.race_ethnicity.as_deref(),
            "raceEthnicity",
            100,
        )?),
        priority_populations: Set(join_set(
            &input.priority_populations,
            PriorityPopulation::as_str,
        )),
        guardian_name: Set(guardian),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let link = participant_link::ActiveModel {
        id: Set(Uuid::new_v4()),
        participant_id: Set(id),
        org_id: Set(viewer.org_id),
        external_id: Set(external_id.unwrap_or_else(|| id.to_string())),
        source: Set("hub".into()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok((profile, link))
}

/// The audit entry of a new profile of person `id`.
pub(crate) fn created_entry(viewer: &Viewer, id: Uuid) -> Entry {
    let mut entry = Entry::about(
        AuditAction::Create,
        "participant_profile",
        id,
        Some(viewer.org_id),
    );
    entry.participant_id = Some(id);
    entry.categories = vec![Category::Identity];
    entry
}

/// Checks a new person's input without touching the database (also used
/// by the CSV import to validate every line before writing any).
pub fn check(input: &CreateParticipantInput) -> Result<Checked> {
    let given = text(&input.given_name, "givenName", 100)?;
    let family = text(&input.family_name, "familyName", 100)?;
    let today = Utc::now().date_naive();
    if input.birth_date > today {
        return Err(Error::bad_input("birthDate", "must not be in the future"));
    }
    let age = age_on(input.birth_date, today);
    if !(10..=40).contains(&age) {
        return Err(Error::bad_input(
            "birthDate",
            "gives an age outside 10-40; check the date",
        ));
    }
    let guardian = optional_text(input.guardian_name.as_deref(), "guardianName", 200)?;
    if age < 18 && guardian.is_none() {
        return Err(Error::bad_input(
            "guardianName",
            "is required for a participant under 18",
        ));
    }
    let email = input
        .email
        .as_deref()
        .map(|e| email(e, "email"))
        .transpose()?;
    let external_id = optional_text(input.external_id.as_deref(), "externalId", 64)?;
    let phone = phone(input.phone.as_deref())?;
    let postal = postal(input.postal_code.as_deref())?;
    optional_text(input.preferred_name.as_deref(), "preferredName", 100)?;
    optional_text(input.gender.as_deref(), "gender", 50)?;
    optional_text(input.race_ethnicity.as_deref(), "raceEthnicity", 100)?;
    Ok(Checked {
        given,
        family,
        guardian,
        email,
        external_id,
        phone,
        postal,
    })
}

/// Creates the viewer's organization's profile and link of a person. When
/// the person's match key equals a known person's, the profile joins that
/// hub id instead of making a second person; the answer is the same either
/// way (the caller only ever sees its own profile first).
pub async fn create<C>(
    db: &C,
    viewer: &Viewer,
    actor: &Actor,
    secret: &[u8],
    input: CreateParticipantInput,
) -> Result<Uuid>
where
    C: TransactionTrait + sea_orm::ConnectionTrait,
{
    let checked = check(&input)?;
    let key = match_key(secret, &checked.given, &checked.family, input.birth_date);
    let now = Utc::now();
    let txn = crate::ground::db::begin_write(db).await?;
    // Two partners registering the same person at once must not make two.
    crate::ground::db::serialize_on(&txn, key.as_bytes()).await?;
    let existing = participant::Entity::find()
        .filter(participant::Column::MatchKey.eq(&key))
        .one(&txn)
        .await?;
    let id = match existing {
        Some(person) => person.id,
        None => {
            let id = Uuid::new_v4();
            participant::Entity::insert(participant::ActiveModel {
                id: Set(id),
                match_key: Set(key),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec_without_returning(&txn)
            .await?;
            id
        }
    };
    let (profile, link) = new_rows(viewer, id, &input, checked, now)?;
    participant_profile::Entity::insert(profile)
        .exec_without_returning(&txn)
        .await
        .on_constraint("givenName")
        .map_err(|e| match e {
            // The viewer's own organization already has this person: that is
            // its own knowledge, so saying so reveals nothing.
            Error::Conflict(_) => Error::Conflict(ALREADY_HAS_PROFILE.into()),
            other => other,
        })?;
    participant_link::Entity::insert(link)
        .exec_without_returning(&txn)
        .await
        .on_constraint("externalId")?;
    crate::policy::listing::refresh(
        &txn,
        crate::policy::listing::Touched::Participants(vec![id]),
    )
    .await?;
    audit::record(&txn, actor, vec![created_entry(viewer, id)]).await?;
    txn.commit().await?;
    Ok(id)
}

/// The refusal when the viewer's organization already has a profile of
/// the person it registers.
pub(crate) const ALREADY_HAS_PROFILE: &str =
    "your organization already has a profile of this person";

/// Updates the viewer's own profile if its version is still `version`.
pub async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    actor: &Actor,
    input: UpdateParticipantInput,
) -> Result<Uuid> {
    use participant_profile::Column as P;
    let id =
        Uuid::parse_str(input.id.as_str()).map_err(|_| Error::bad_input("id", "must be a UUID"))?;
    let mut changes: Vec<(P, sea_orm::Value)> = Vec::new();
    let mut categories = Vec::new();
    let mut set = |col: P, value: sea_orm::Value, category: Category| {
        changes.push((col, value));
        if !categories.contains(&category) {
            categories.push(category);
        }
    };
    if let Some(v) = &input.given_name {
        set(
            P::GivenName,
            text(v, "givenName", 100)?.into(),
            Category::Identity,
        );
    }
    if let Some(v) = &input.family_name {
        set(
            P::FamilyName,
            text(v, "familyName", 100)?.into(),
            Category::Identity,
        );
    }
    if let Some(v) = &input.preferred_name {
        set(
            P::PreferredName,
            optional_text(Some(v), "preferredName", 100)?.into(),
            Category::Identity,
        );
    }
    if let Some(v) = &input.email {
        set(P::Email, Some(email(v, "email")?).into(), Category::Contact);
    }
    if let Some(v) = &input.phone {
        set(P::Phone, phone(Some(v))?.into(), Category::Contact);
    }
    if let Some(v) = &input.postal_code {
        set(P::PostalCode, postal(Some(v))?.into(), Category::Contact);
    }
    if let Some(v) = &input.guardian_name {
        set(
            P::GuardianName,
            optional_text(Some(v), "guardianName", 200)?.into(),
            Category::Contact,
        );
    }
    if let Some(v) = &input.gender {
        set(
            P::Gender,
            optional_text(Some(v), "gender", 50)?.into(),
            Category::Demographics,
        );
    }
    if let Some(v) = &input.race_ethnicity {
        set(
            P::RaceEthnicity,
            optional_text(Some(v), "raceEthnicity", 100)?.into(),
            Category::Demographics,
        );
    }
    if let Some(v) = &input.priority_populations {
        set(
            P::PriorityPopulations,
            join_set(v, PriorityPopulation::as_str).into(),
            Category::Sensitive,
        );
    }
    if categories.is_empty() {
        return Err(Error::bad_input("input", "names no field to change"));
    }
    let mut update = participant_profile::Entity::update_many();
    for (col, value) in changes {
        update = update.col_expr(col, Expr::value(value));
    }
    let txn = crate::ground::db::begin_write(db).await?;
    // Not `versioned::update`: the resolver reads the participant back
    // through the viewer's scope, so reading the profile here would be a
    // statement for nothing.
    let changed = versioned::update_if_current(
        &txn,
        update.filter(P::OrgId.eq(viewer.org_id)),
        (P::ParticipantId, id),
        (P::Version, input.version),
        (P::UpdatedAt, Utc::now()),
    )
    .await?;
    // Nothing changed: a stale version, or no profile of the viewer's
    // organization, which is NOT_FOUND rather than a conflict. Only this
    // path pays for the look-up that tells them apart.
    if !changed {
        let own = participant_profile::Entity::find()
            .filter(P::ParticipantId.eq(id))
            .filter(P::OrgId.eq(viewer.org_id))
            .one(&txn)
            .await?;
        return Err(match own {
            Some(profile) => Stale::At {
                noun: "profile",
                current: profile.version,
            }
            .error(input.version),
            None => Error::NotFound("participant profile of your organization"),
        });
    }
    let mut entry = Entry::about(
        AuditAction::Update,
        "participant_profile",
        id,
        Some(viewer.org_id),
    );
    entry.participant_id = Some(id);
    entry.categories = categories;
    audit::record(&txn, actor, vec![entry]).await?;
    txn.commit().await?;
    Ok(id)
}
