//! `program_target`: A program's target for one report metric, as in its grant (LACHSA: 95 % completion).

#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// A program's target for one report metric, as in its grant (LACHSA: 95 % completion).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "program_target")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub program_id: Uuid,
    /// The report metric (`COMPLETION_RATE`, `GRADUATION_RATE`,
    /// `CREDENTIAL_ATTAINMENT`).
    pub metric: String,
    /// The target, in the metric's unit (a rate as a fraction: 0.95).
    pub target: f64,
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::program::Entity",
        from = "Column::ProgramId",
        to = "super::program::Column::Id"
    )]
    Program,
}

impl Related<super::program::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Program.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
