//! `program`: A program an organization runs on a pathway: a CTE pathway, cohort, (pre-)apprenticeship, internship or workshop.

#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// A program an organization runs on a pathway: a CTE pathway, cohort, (pre-)apprenticeship, internship or workshop.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "program")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub pathway_id: Option<Uuid>,
    pub name: String,
    pub kind: ProgramKind,
    pub approach: ProgramApproach,
    pub required_ojt_hours: Option<f64>,
    pub required_rti_hours: Option<f64>,
    pub scheduled_hours: Option<f64>,
    pub stipend_threshold_pct: Option<f64>,
    pub site: Option<String>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
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
    #[sea_orm(
        belongs_to = "super::pathway::Entity",
        from = "Column::PathwayId",
        to = "super::pathway::Column::Id"
    )]
    Pathway,
}

impl Related<super::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl Related<super::pathway::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Pathway.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
