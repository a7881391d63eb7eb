//! `accessExplanation`: gathers the agreements, consents and listing that
//! decide what a recipient reads of a provider's data, and asks
//! [`crate::policy::explain`] why, category by category.

use chrono::NaiveDate;
use entity::{consent, organization};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::auth::{Role, Viewer};
use crate::ground::error::{Error, Result};
use crate::policy::Scopes;
use crate::policy::explain::{self, Explanation, Facts, ParticipantFacts};
use crate::{directory::organizations, people::participants, sharing::agreements};

/// What `accessExplanation` was asked.
#[derive(Debug, Clone)]
pub struct Question {
    pub recipient_org_slug: String,
    /// Defaults to the viewer's organization; a hub admin must give it.
    pub provider_org_slug: Option<String>,
    pub participant_id: Option<Uuid>,
}

async fn org<C: ConnectionTrait>(db: &C, slug: &str, field: &str) -> Result<organization::Model> {
    organizations::by_slug(db, slug)
        .await?
        .ok_or_else(|| Error::bad_input(field, "no organization has this slug"))
}

/// Explains, for each of the eleven categories, whether the recipient's
/// staff read the provider's data (about the participant, if given) today.
/// An org_admin asking about a participant must be able to see them (a
/// hidden and a non-existent participant are refused alike).
pub async fn explain<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    scopes: &Scopes,
    question: Question,
    today: NaiveDate,
) -> Result<Vec<Explanation>> {
    let provider = match question.provider_org_slug.as_deref() {
        Some(slug) => org(db, slug, "providerOrgSlug").await?,
        None if viewer.has(Role::HubAdmin) && !viewer.has(Role::OrgAdmin) => {
            return Err(Error::bad_input(
                "providerOrgSlug",
                "is required for a hub_admin",
            ));
        }
        None => org(db, &viewer.org_slug, "providerOrgSlug").await?,
    };
    let recipient = org(db, &question.recipient_org_slug, "recipientOrgSlug").await?;
    explain::require_explainer(viewer, provider.id, recipient.id)?;
    if provider.id == recipient.id {
        return Err(Error::bad_input(
            "recipientOrgSlug",
            "names the provider itself; an organization always reads its own records",
        ));
    }
    let agreements = agreements::between(db, provider.id, recipient.id).await?;
    let mut consents = Vec::new();
    let mut listed = false;
    let mut adult = false;
    if let Some(participant) = question.participant_id {
        let known = if viewer.has(Role::HubAdmin) {
            entity::participant::Entity::find_by_id(participant)
                .one(db)
                .await?
                .is_some()
        } else {
            participants::by_id(db, scopes, participant)
                .await?
                .is_some()
        };
        if !known {
            return Err(Error::bad_input(
                "participantId",
                "no participant with this id is known to your organization",
            ));
        }
        consents = consent::Entity::find()
            .filter(consent::Column::ParticipantId.eq(participant))
            .order_by_desc(consent::Column::SignedOn)
            .all(db)
            .await?;
        adult = crate::people::accounts::is_adult(db, participant, today).await?;
        let recipient_scopes = explain::recipient_scopes(&recipient, today);
        listed = participants::by_id(db, &recipient_scopes, participant)
            .await?
            .is_some();
    }
    let facts = Facts {
        provider: &provider,
        recipient: &recipient,
        agreements: &agreements,
        participant: question.participant_id.map(|_| ParticipantFacts {
            consents: &consents,
            listed,
            adult,
        }),
    };
    Ok(explain::explain(&facts, today))
}
