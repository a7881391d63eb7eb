//! The node's profile fields and links of a page document (keys:
//! `records::page`'s `page/profile.rs`), recorded as the resolvers record
//! them (`graphql::participants`): a field of a category answered from the
//! profile read in it (a disclosure of that category, owned by the
//! profile's organization), or null and `FORBIDDEN` when none is readable
//! (a denial naming the organizations holding a profile of the person,
//! which the statement read beside it); each link a disclosure in
//! IDENTITY.

use std::borrow::Cow;

use async_graphql::Value;
use async_graphql::indexmap::IndexMap;
use entity::enums::{Category, PriorityPopulation, split_set};
use serde::Deserialize;

use super::records::OrganizationDoc;
use super::{Build, Doc, object, text, typename, uuid};
use crate::graphql::compiled::selection::Sel;
use crate::ground::error::{Error, Result};

/// The profile read in one category: its owner and that category's
/// columns (the others absent); or, none readable, `h` alone: the
/// organizations holding a profile of the person.
#[derive(Deserialize)]
pub(super) struct ProfileDoc<'a> {
    #[serde(borrow, default)]
    o: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    h: Vec<Cow<'a, str>>,
    #[serde(borrow, default)]
    g: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    f: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    p: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    em: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    ph: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pc: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    gn: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    bd: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    ge: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    re: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pp: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub(super) struct LinkDoc<'a> {
    #[serde(borrow)]
    o: Cow<'a, str>,
    #[serde(borrow)]
    x: Cow<'a, str>,
    #[serde(borrow)]
    src: Cow<'a, str>,
    #[serde(borrow, default)]
    org: Option<OrganizationDoc<'a>>,
}

/// The category of a node field read from a profile, if it is one.
pub(in crate::graphql::compiled) fn category(field: &str) -> Option<Category> {
    Some(match field {
        "givenName" | "familyName" | "preferredName" => Category::Identity,
        "email" | "phone" | "postalCode" | "guardianName" => Category::Contact,
        "birthDate" | "gender" | "raceEthnicity" => Category::Demographics,
        "priorityPopulations" => Category::Sensitive,
        _ => return None,
    })
}

impl Build<'_> {
    /// The node field `sel` when it is read from a profile, else `None`.
    pub(super) fn profile(&mut self, sel: &Sel, doc: &Doc<'_>) -> Result<Option<Value>> {
        let Some(category) = category(sel.name) else {
            return Ok(None);
        };
        let read = match category {
            Category::Identity => doc.i.as_ref(),
            Category::Contact => doc.ct.as_ref(),
            Category::Demographics => doc.dm.as_ref(),
            _ => doc.se.as_ref(),
        };
        let p = self.participant;
        let (profile, owner) = match read {
            Some(profile) => match &profile.o {
                Some(owner) => (profile, uuid(owner)?),
                None => {
                    let holders = profile
                        .h
                        .iter()
                        .map(|h| uuid(h))
                        .collect::<Result<Vec<_>>>()?;
                    self.disclosures.deny_profile(p, category, &holders);
                    return Ok(Some(self.refuse(&[], sel, category)));
                }
            },
            None => {
                self.disclosures.deny(p, category, None);
                return Ok(Some(self.refuse(&[], sel, category)));
            }
        };
        self.disclosures.read(p, category, owner);
        let value = match sel.name {
            "givenName" => text(profile.g.as_ref()),
            "familyName" => text(profile.f.as_ref()),
            "preferredName" => text(profile.p.as_ref()),
            "email" => text(profile.em.as_ref()),
            "phone" => text(profile.ph.as_ref()),
            "postalCode" => text(profile.pc.as_ref()),
            "guardianName" => text(profile.gn.as_ref()),
            "birthDate" => text(profile.bd.as_ref()),
            "gender" => text(profile.ge.as_ref()),
            "raceEthnicity" => text(profile.re.as_ref()),
            _ => {
                let stored = profile.pp.as_deref().unwrap_or_default();
                let populations = split_set(stored, PriorityPopulation::parse);
                Value::List(
                    populations
                        .into_iter()
                        .map(|p| self.enumeration(p.as_str()))
                        .collect(),
                )
            }
        };
        Ok(Some(value))
    }

    /// The node's `links`.
    pub(super) fn links(&mut self, sel: &Sel, doc: &Doc<'_>) -> Result<Value> {
        let mut rows = Vec::with_capacity(doc.l.len());
        for link in &doc.l {
            self.disclosures
                .read(self.participant, Category::Identity, uuid(&link.o)?);
            let mut out = IndexMap::with_capacity(sel.children.len());
            for f in &sel.children {
                let value = match f.name {
                    "__typename" => typename("ParticipantLink"),
                    "externalId" => Value::String(link.x.to_string()),
                    "source" => Value::String(link.src.to_string()),
                    "organization" => self.organization(&f.children, link.org.as_ref())?,
                    other => {
                        return Err(Error::Internal(format!(
                            "page document: no field {other} on a link"
                        )));
                    }
                };
                out.insert(f.key.clone(), value);
            }
            rows.push(object(out));
        }
        Ok(Value::List(rows))
    }
}
