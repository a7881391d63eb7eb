//! `organization`: A partner organization: lead agency, training partner, union local, school, college, evaluator, funder.

#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// A partner organization: lead agency, training partner, union local, school, college, evaluator, funder.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "organization")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub kind: OrgKind,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
