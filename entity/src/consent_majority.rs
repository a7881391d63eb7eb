//! `consent_majority`: the day the change feed settled a guardian's
//! consent at the youth's 18th birthday — the tombstones of what its
//! readers could read the day before and cannot since.

use sea_orm::entity::prelude::*;

/// A guardian's consent settled at the youth's majority.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "consent_majority")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub consent_id: Uuid,
    pub participant_id: Uuid,
    pub settled_on: Date,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
