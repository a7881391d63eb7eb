//! `account_link_confirmation`: an organization holding a profile of the
//! youth (or a hub_admin, for every organization) confirmed their account
//! link after checking identity in person (DESIGN.md section 11).

use sea_orm::entity::prelude::*;

/// A confirmation of a youth's account link.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "account_link_confirmation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The `participant_account` confirmed.
    pub account_id: Uuid,
    pub participant_id: Uuid,
    /// The confirming organization; `None` when a hub_admin confirmed for
    /// every organization.
    pub org_id: Option<Uuid>,
    /// The subject of the org_admin or hub_admin who confirmed.
    pub confirmed_by: String,
    pub confirmed_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
