//! A participant's profiles read by category: each category's columns as
//! a slice, read under that category's scope, and the one a field
//! resolves from (DESIGN.md section 3).

use entity::enums::Category;
use entity::participant_profile;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DerivePartialModel, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use crate::ground::error::Result;
use crate::policy::Scopes;

/// A slice of profile columns of one category.
pub trait ProfileSlice:
    sea_orm::FromQueryResult + sea_orm::PartialModelTrait + Clone + Send + Sync + 'static
{
    /// The category these columns belong to.
    const CATEGORY: Category;
    fn participant_id(&self) -> Uuid;
    fn owner(&self) -> Uuid;
    fn updated_at(&self) -> chrono::DateTime<chrono::Utc>;
}

macro_rules! slice {
    ($(#[$doc:meta])* $name:ident, $category:expr, { $($field:ident: $ty:ty),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, DerivePartialModel)]
        #[sea_orm(entity = "participant_profile::Entity")]
        pub struct $name {
            pub participant_id: Uuid,
            pub org_id: Uuid,
            pub updated_at: chrono::DateTime<chrono::Utc>,
            $(pub $field: $ty),+
        }
        impl ProfileSlice for $name {
            const CATEGORY: Category = $category;
            fn participant_id(&self) -> Uuid { self.participant_id }
            fn owner(&self) -> Uuid { self.org_id }
            fn updated_at(&self) -> chrono::DateTime<chrono::Utc> { self.updated_at }
        }
    };
}

slice!(
    /// Names (IDENTITY).
    IdentitySlice, Category::Identity, { given_name: String, family_name: String, preferred_name: Option<String> }
);
slice!(
    /// How to reach the youth or their guardian (CONTACT).
    ContactSlice, Category::Contact, { email: Option<String>, phone: Option<String>, postal_code: Option<String>, guardian_name: Option<String> }
);
slice!(
    /// Birth date, gender, race/ethnicity (DEMOGRAPHICS).
    DemographicsSlice, Category::Demographics, { birth_date: Option<chrono::NaiveDate>, gender: Option<String>, race_ethnicity: Option<String> }
);
slice!(
    /// Priority populations (SENSITIVE).
    SensitiveSlice, Category::Sensitive, { priority_populations: String }
);

/// The profiles of these participants readable in `S::CATEGORY`, with only
/// that category's columns selected.
pub async fn profile_slices<S: ProfileSlice, C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    ids: &[Uuid],
) -> Result<Vec<S>> {
    use participant_profile::Column as P;
    let scope = scopes.of(S::CATEGORY);
    Ok(participant_profile::Entity::find()
        .filter(P::ParticipantId.is_in(ids.iter().copied()))
        .filter(scope.condition(
            (participant_profile::Entity, P::OrgId),
            (participant_profile::Entity, P::ParticipantId),
        ))
        .into_partial_model::<S>()
        .all(db)
        .await?)
}

/// The profile a field resolves from (DESIGN.md section 3): the viewer's
/// own first, then the most recently updated readable one.
pub fn pick<S: ProfileSlice>(slices: &[S], viewer_org: Uuid) -> Option<&S> {
    slices
        .iter()
        .find(|s| s.owner() == viewer_org)
        .or_else(|| slices.iter().max_by_key(|s| s.updated_at()))
}

/// The version of the viewer's own profile of each participant (the one
/// `updateParticipant` takes).
pub async fn own_versions<C: ConnectionTrait>(
    db: &C,
    org_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, i32)>> {
    use participant_profile::Column as P;
    Ok(participant_profile::Entity::find()
        .select_only()
        .column(P::ParticipantId)
        .column(P::Version)
        .filter(P::ParticipantId.is_in(ids.iter().copied()))
        .filter(P::OrgId.eq(org_id))
        .into_tuple()
        .all(db)
        .await?)
}
