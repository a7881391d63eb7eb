//! What `me { disclosures }` shows a youth (FERPA 99.32): each read of
//! their record, by an organization or by themself, in plain words.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::enums::{Category, SharingPurpose, split_set};
use entity::{audit_event, sharing_agreement};
use uuid::Uuid;

use super::directory::Organization;
use super::records::{id, org};

type GqlResult<T> = async_graphql::Result<T>;

/// Who read a row of your record.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReadBy {
    /// An organization (under an agreement and your consent).
    Organization,
    /// You, with your own account.
    #[graphql(name = "SELF")]
    SelfRead,
}

/// One read of your data by an organization, or by you.
pub struct Disclosure {
    pub(super) row: audit_event::Model,
    pub(super) agreement: Option<sharing_agreement::Model>,
}

impl Disclosure {
    fn kind(&self) -> ReadBy {
        if self.row.actor_org_id.is_none()
            && self.row.detail.as_deref() == Some(crate::audit::SELF_READ)
        {
            ReadBy::SelfRead
        } else {
            ReadBy::Organization
        }
    }
}

/// One read of your data (an audit event about you): by an organization,
/// under an agreement and your consent, or by you with your own account.
/// Names organizations, never a staff member.
#[Object]
impl Disclosure {
    /// The audit event's id.
    async fn id(&self) -> ID {
        id(self.row.id)
    }
    /// When it was read (RFC 3339, UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.row.at
    }
    /// `SELF` when you read it with your own account (check these: a read
    /// you did not make means someone else uses your account — ask an
    /// organization that keeps your record to suspend it), `ORGANIZATION`
    /// when an organization did.
    async fn read_by(&self) -> ReadBy {
        self.kind()
    }
    /// The organization that read it (null for your own reads).
    async fn reader(&self, ctx: &Context<'_>) -> GqlResult<Option<Organization>> {
        match self.row.actor_org_id {
            Some(reader) => Ok(Some(org(ctx, reader).await?)),
            None => Ok(None),
        }
    }
    /// The organization that keeps what was read.
    async fn kept_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Organization>> {
        match self.row.owner_org_id {
            Some(owner) => Ok(Some(org(ctx, owner).await?)),
            None => Ok(None),
        }
    }
    /// The data category read (e.g. ENROLLMENT).
    async fn category(&self) -> Option<Category> {
        split_set(&self.row.categories, Category::parse)
            .first()
            .copied()
    }
    /// The data-sharing agreement the read was made under.
    async fn agreement_id(&self) -> Option<ID> {
        self.agreement.as_ref().map(|a| id(a.id))
    }
    /// What that agreement is for.
    async fn purpose(&self) -> Option<SharingPurpose> {
        self.agreement.as_ref().map(|a| a.purpose)
    }
    /// In plain words, e.g. "HOLA read your enrollment records kept by
    /// Arts2Work on 2026-11-28, under their data-sharing agreement for
    /// service coordination."
    async fn description(&self, ctx: &Context<'_>) -> GqlResult<String> {
        let name = |o: Option<Uuid>| async move {
            match o {
                Some(o) => org(ctx, o).await.map(|o| o.0.name),
                None => Ok("An organization".to_owned()),
            }
        };
        let owner = name(self.row.owner_org_id).await?;
        let reader = if self.kind() == ReadBy::SelfRead {
            "You (signed in with your own account)".to_owned()
        } else {
            name(self.row.actor_org_id).await?
        };
        let what = split_set(&self.row.categories, Category::parse)
            .first()
            .map_or("data".to_owned(), |c| {
                format!("{} records", c.as_str().to_lowercase().replace('_', " "))
            });
        let under = match &self.agreement {
            Some(a) => format!(
                ", under their data-sharing agreement for {}",
                a.purpose.as_str().to_lowercase().replace('_', " ")
            ),
            None => String::new(),
        };
        Ok(format!(
            "{reader} read your {what} kept by {owner} on {}{under}.",
            self.row.at.date_naive()
        ))
    }
}

/// The agreement a read was made under: from the keeper to the reader,
/// covering the category, in effect on the day of the read.
pub(super) fn under_agreement(
    agreements: &[sharing_agreement::Model],
    row: &audit_event::Model,
) -> Option<sharing_agreement::Model> {
    let day = row.at.date_naive();
    let category = split_set(&row.categories, Category::parse)
        .first()
        .copied()?;
    agreements
        .iter()
        .find(|a| {
            Some(a.provider_org_id) == row.owner_org_id
                && Some(a.recipient_org_id) == row.actor_org_id
                && split_set(&a.categories, Category::parse).contains(&category)
                && a.effective_on <= day
                && a.expires_on.is_none_or(|e| e >= day)
        })
        .cloned()
}
