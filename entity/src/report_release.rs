//! `report_release`: what a report showed one viewer organization (the release ledger, issue 32).

#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// One population's figures as released to an organization, or the
/// decision that the population stays suppressed for it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "report_release")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The viewer organization the figures were shown to.
    pub org_id: Uuid,
    /// Canonical key of the population (programs and months).
    pub population: String,
    /// `*` (every program) or program ids joined by `,`.
    pub programs: String,
    /// First month (`year × 12 + month − 1`); `None`: open.
    pub month_from: Option<i64>,
    /// Last month; `None`: open.
    pub month_to: Option<i64>,
    /// The group's name for people.
    pub label: String,
    /// Released counts as JSON (`{"ENROLLED":32}`); `None` when suppressed.
    pub figures: Option<String>,
    /// Whether the population is suppressed for the organization for good.
    pub suppressed: bool,
    /// Why it is suppressed.
    pub reason: Option<String>,
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
