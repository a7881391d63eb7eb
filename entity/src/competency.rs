//! `competency`: A competency of a pathway (creative, technical or social-emotional).

#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// A competency of a pathway (creative, technical or social-emotional).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "competency")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub pathway_id: Uuid,
    pub code: String,
    pub name: String,
    pub domain: CompetencyDomain,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::pathway::Entity",
        from = "Column::PathwayId",
        to = "super::pathway::Column::Id"
    )]
    Pathway,
}

impl Related<super::pathway::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Pathway.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
