//! Which `participants` selections the page statement answers: plain
//! fields of the case manager's page, each once, with no alias, argument,
//! directive or fragment.

use async_graphql::parser::types::{Field, Selection};
use async_graphql::{Name, Pos, Positioned};

/// Fields a compiled page may hold, by level.
pub(super) const NODE: &[&str] = &[
    "id",
    "givenName",
    "familyName",
    "preferredName",
    "enrollments",
    "mentorships",
];
const ENROLLMENT: &[&str] = &[
    "id", "status", "program", "ojtHours", "rtiHours", "hourLogs",
];
const PROGRAM: &[&str] = &["id", "name"];
const HOUR_LOG: &[&str] = &["id", "workedOn", "kind", "hours", "approved"];
const MENTORSHIP: &[&str] = &["id", "status", "mentor"];
const MENTOR: &[&str] = &["id", "name", "craft"];

/// One selected field: its name, where it is in the query, and what it
/// selects below it.
#[derive(Debug)]
pub(super) struct Sel {
    pub(super) name: &'static str,
    /// `name` as the answer's key, made once.
    pub(super) key: Name,
    pub(super) pos: Pos,
    pub(super) children: Vec<Sel>,
}

impl Sel {
    pub(super) fn child(&self, name: &str) -> Option<&Sel> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// The fields of `field`'s selection set, when every one is a plain field
/// of `allowed` (objects: with the fields `below` allows), each once.
pub(super) fn fields(field: &Positioned<Field>, allowed: &[&'static str]) -> Option<Vec<Sel>> {
    let mut out: Vec<Sel> = Vec::new();
    for item in &field.node.selection_set.node.items {
        let Selection::Field(f) = &item.node else {
            return None;
        };
        let node = &f.node;
        if node.alias.is_some() || !node.arguments.is_empty() || !node.directives.is_empty() {
            return None;
        }
        let name = *allowed.iter().find(|a| **a == node.name.node.as_str())?;
        if out.iter().any(|s| s.name == name) {
            return None;
        }
        let below = match name {
            "enrollments" => Some(ENROLLMENT),
            "program" => Some(PROGRAM),
            "hourLogs" => Some(HOUR_LOG),
            "mentorships" => Some(MENTORSHIP),
            "mentor" => Some(MENTOR),
            _ => None,
        };
        let children = match below {
            Some(below) => fields(f, below)?,
            None if node.selection_set.node.items.is_empty() => Vec::new(),
            None => return None,
        };
        out.push(Sel {
            name,
            key: Name::new(name),
            pos: f.pos,
            children,
        });
    }
    Some(out)
}

/// The only field of `field`'s selection, when it is a plain `name`.
pub(super) fn only<'a>(field: &'a Positioned<Field>, name: &str) -> Option<&'a Positioned<Field>> {
    match field.node.selection_set.node.items.as_slice() {
        [item] => match &item.node {
            Selection::Field(f)
                if f.node.name.node == name
                    && f.node.alias.is_none()
                    && f.node.directives.is_empty() =>
            {
                Some(f)
            }
            _ => None,
        },
        _ => None,
    }
}
