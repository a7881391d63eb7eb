//! `credential_confirmation`: the member organization a credential names
//! as its issuer confirmed it (DESIGN.md section 11); only then does the
//! hub issue and sign it as that organization's badge.

use sea_orm::entity::prelude::*;

/// A named issuer's confirmation of a credential another organization
/// recorded.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "credential_confirmation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub credential_id: Uuid,
    pub participant_id: Uuid,
    /// The confirming organization (the credential's issuer).
    pub org_id: Uuid,
    pub confirmed_by: String,
    pub confirmed_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
