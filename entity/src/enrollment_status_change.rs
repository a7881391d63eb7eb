//! `enrollment_status_change`: One step of an enrollment's status history.

#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// One step of an enrollment's status history.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "enrollment_status_change")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub enrollment_id: Uuid,
    pub owner_org_id: Uuid,
    pub from_status: Option<EnrollmentStatus>,
    pub to_status: EnrollmentStatus,
    pub changed_on: Date,
    pub reason: Option<String>,
    pub changed_by: String,
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
