//! Per-request DataLoaders: nested fields batch their look-ups into one
//! query per kind, so statements per request follow the query's depth.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::{organization, pathway};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::error::Error;

/// The loaders of one request.
pub struct Loaders {
    pub organizations: DataLoader<OrganizationLoader>,
    pub pathways: DataLoader<PathwayLoader>,
}

impl Loaders {
    /// Fresh loaders for one request.
    pub fn new(db: &DatabaseConnection) -> Loaders {
        Loaders {
            organizations: DataLoader::new(OrganizationLoader(db.clone()), tokio::spawn),
            pathways: DataLoader::new(PathwayLoader(db.clone()), tokio::spawn),
        }
    }
}

/// A loader error: logged inside, `INTERNAL` outside.
pub type LoadError = Arc<String>;

/// Turns a loader error into the hub error.
pub fn load_error(err: LoadError) -> Error {
    Error::Internal(err.to_string())
}

/// Organizations by id.
pub struct OrganizationLoader(DatabaseConnection);

impl Loader<Uuid> for OrganizationLoader {
    type Value = organization::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = crate::organizations::by_ids(&self.0, keys)
            .await
            .map_err(|e| Arc::new(format!("{e:?}")))?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// Pathways by id.
pub struct PathwayLoader(DatabaseConnection);

impl Loader<Uuid> for PathwayLoader {
    type Value = pathway::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = crate::pathways::by_ids(&self.0, keys)
            .await
            .map_err(|e| Arc::new(format!("{e:?}")))?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}
