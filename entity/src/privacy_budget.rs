//! `privacy_budget`: an organization's privacy-loss budget for one year (differential reports, issue 32).

#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// The privacy loss (ε) an organization may spend on differential reports
/// in a calendar year, and what it has spent; spent only by one atomic
/// `UPDATE … WHERE spent + cost <= budget`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "privacy_budget")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub year: i32,
    pub budget: f64,
    pub spent: f64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organization::Entity",
        from = "Column::OrgId",
        to = "super::organization::Column::Id"
    )]
    Organization,
}

impl Related<super::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
