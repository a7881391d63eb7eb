//! `account_link_ended`: a youth's account link that a holder or a
//! hub_admin suspended, or that a split ended (DESIGN.md section 11).

use sea_orm::entity::prelude::*;

/// An ended account link (the live ones are in `participant_account`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "account_link_ended")]
pub struct Model {
    /// The id the link had in `participant_account`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub subject: String,
    pub participant_id: Uuid,
    pub linked_org_id: Uuid,
    pub linked_by: String,
    pub linked_at: DateTimeUtc,
    /// `SUSPENDED` or `SPLIT`.
    pub reason: String,
    /// The organization whose org_admin suspended it; `None` for a
    /// hub_admin or a split.
    pub ended_by_org_id: Option<Uuid>,
    pub ended_by: String,
    pub ended_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
