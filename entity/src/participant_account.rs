//! `participant_account`: A youth's own token (its `sub`) linked to their hub id.

use sea_orm::entity::prelude::*;

/// A youth's own token (its `sub`) linked to their hub id.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "participant_account")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub subject: String,
    #[sea_orm(unique)]
    pub participant_id: Uuid,
    /// The organization whose code made the link: it records the youth's
    /// own consents.
    pub linked_org_id: Uuid,
    /// The org_admin who issued the code that made the link.
    pub linked_by: String,
    pub linked_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
