//! `hour_log`: Hours worked or attended under an enrollment (OJT, RTI, attendance, mentoring).

#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// Hours worked or attended under an enrollment (OJT, RTI, attendance, mentoring).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[sea_orm(table_name = "hour_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub enrollment_id: Uuid,
    pub owner_org_id: Uuid,
    pub kind: HourKind,
    pub worked_on: Date,
    pub hours: f64,
    pub logged_by: String,
    pub approved: bool,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTimeUtc>,
    pub external_id: Option<String>,
    pub source: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::enrollment::Entity",
        from = "Column::EnrollmentId",
        to = "super::enrollment::Column::Id"
    )]
    Enrollment,
    #[sea_orm(
        belongs_to = "super::organization::Entity",
        from = "Column::OwnerOrgId",
        to = "super::organization::Column::Id"
    )]
    Organization,
}

impl Related<super::enrollment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Enrollment.def()
    }
}

impl Related<super::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
