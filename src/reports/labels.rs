//! The directory a report names its groups and targets with: programs,
//! organizations, pathways and programs' targets (no participant data; a
//! handful of rows, read once per report).

use std::collections::HashMap;

use entity::{organization, pathway, program, program_target};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::ground::error::Result;

/// Programs, organizations, pathways and targets by id.
pub(super) struct Directory {
    pub programs: HashMap<Uuid, program::Model>,
    pub organizations: HashMap<Uuid, organization::Model>,
    pub pathways: HashMap<Uuid, pathway::Model>,
    pub targets: HashMap<Uuid, Vec<program_target::Model>>,
}

impl Directory {
    /// Reads the directory (four small statements).
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Directory> {
        let programs = program::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let organizations = organization::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        let pathways = pathway::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let mut targets: HashMap<Uuid, Vec<program_target::Model>> = HashMap::new();
        for target in program_target::Entity::find().all(db).await? {
            targets.entry(target.program_id).or_default().push(target);
        }
        Ok(Directory {
            programs,
            organizations,
            pathways,
            targets,
        })
    }

    /// The id of the pathway with this code.
    pub fn pathway_id(&self, code: &str) -> Option<Uuid> {
        self.pathways
            .values()
            .find(|p| p.code == code)
            .map(|p| p.id)
    }

    /// Whether a program with this id exists.
    pub fn has_program(&self, id: Uuid) -> bool {
        self.programs.contains_key(&id)
    }
}
