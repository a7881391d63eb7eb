//! `consent`: A participant's (or guardian's) consent to share categories of data with a recipient (or every partner an agreement names).

#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// A participant's (or guardian's) consent to share categories of data with a recipient (or every partner an agreement names).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "consent")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub participant_id: Uuid,
    pub owner_org_id: Uuid,
    pub recipient_org_id: Option<Uuid>,
    pub categories: String,
    pub purpose: SharingPurpose,
    /// `SELF` or `GUARDIAN` (see [`GrantedBy`]).
    pub granted_by: String,
    pub guardian_name: Option<String>,
    pub signed_on: Date,
    pub expires_on: Option<Date>,
    pub status: ConsentStatus,
    pub revoked_at: Option<DateTimeUtc>,
    /// The day the change feed recorded what lapsed when `expires_on`
    /// passed (tombstones for the readers that lost access).
    pub lapse_settled_on: Option<Date>,
    /// When the youth, 18 or older, re-affirmed a guardian's consent.
    pub reaffirmed_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::participant::Entity",
        from = "Column::ParticipantId",
        to = "super::participant::Column::Id"
    )]
    Participant,
    #[sea_orm(
        belongs_to = "super::organization::Entity",
        from = "Column::OwnerOrgId",
        to = "super::organization::Column::Id"
    )]
    Organization,
}

impl Related<super::participant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Participant.def()
    }
}

impl Related<super::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
