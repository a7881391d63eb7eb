//! `pathway`: A career pathway (CTDL/O*NET-aligned), e.g. post-production or set lighting.

#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// A career pathway (CTDL/O*NET-aligned), e.g. post-production or set lighting.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pathway")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub sector: String,
    pub soc_code: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
