//! Services, credentials, outcomes and dual enrollments of a page
//! document (keys: `records::page`'s `page/records.rs`) turned into the
//! answer's values, each row recorded as a disclosure of its category as
//! the resolvers record it (`graphql::participants`); the organizations a
//! row names are directory data and record nothing, as there.

use std::borrow::Cow;

use async_graphql::Value;
use async_graphql::indexmap::IndexMap;
use entity::enums::Category;
use serde::Deserialize;

use super::{Build, Doc, Flag, float, id, object, text, timestamp, typename, uuid};
use crate::graphql::compiled::selection::Sel;
use crate::ground::error::{Error, Result};

#[derive(Deserialize)]
pub(super) struct OrganizationDoc<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    s: Cow<'a, str>,
    #[serde(borrow)]
    n: Cow<'a, str>,
    #[serde(borrow)]
    k: Cow<'a, str>,
    /// Only when the selection asks for an organization's timestamps.
    #[serde(borrow, default)]
    ca: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    ua: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub(super) struct ServiceDoc<'a> {
    #[serde(borrow)]
    o: Cow<'a, str>,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    k: Cow<'a, str>,
    #[serde(borrow)]
    d: Cow<'a, str>,
    a: Option<i64>,
    #[serde(borrow, default)]
    kb: Option<OrganizationDoc<'a>>,
    #[serde(borrow, default)]
    pv: Option<OrganizationDoc<'a>>,
}

#[derive(Deserialize)]
pub(super) struct CredentialDoc<'a> {
    #[serde(borrow)]
    o: Cow<'a, str>,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    n: Cow<'a, str>,
    #[serde(borrow)]
    k: Cow<'a, str>,
    #[serde(borrow, rename = "in")]
    issuer_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    d: Cow<'a, str>,
    #[serde(borrow)]
    x: Option<Cow<'a, str>>,
    #[serde(borrow)]
    u: Option<Cow<'a, str>>,
    #[serde(borrow)]
    src: Cow<'a, str>,
    #[serde(borrow, default)]
    kb: Option<OrganizationDoc<'a>>,
    /// Null when the issuer is not a partner (or not asked).
    #[serde(borrow, default, rename = "is")]
    issuer: Option<OrganizationDoc<'a>>,
}

#[derive(Deserialize)]
pub(super) struct OutcomeDoc<'a> {
    #[serde(borrow)]
    o: Cow<'a, str>,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    k: Cow<'a, str>,
    #[serde(borrow)]
    em: Option<Cow<'a, str>>,
    #[serde(borrow)]
    oc: Option<Cow<'a, str>>,
    w: Option<i64>,
    #[serde(borrow)]
    ul: Option<Cow<'a, str>>,
    #[serde(borrow)]
    d: Option<Cow<'a, str>>,
    v: Flag,
    #[serde(borrow, default)]
    kb: Option<OrganizationDoc<'a>>,
}

#[derive(Deserialize)]
pub(super) struct DualEnrollmentDoc<'a> {
    #[serde(borrow)]
    o: Cow<'a, str>,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    cc: Cow<'a, str>,
    #[serde(borrow)]
    ct: Cow<'a, str>,
    #[serde(borrow)]
    t: Cow<'a, str>,
    ua: f64,
    ue: Option<f64>,
    #[serde(borrow)]
    g: Option<Cow<'a, str>>,
    #[serde(borrow)]
    s: Cow<'a, str>,
    ve: i64,
    #[serde(borrow)]
    src: Cow<'a, str>,
    #[serde(borrow, default)]
    kb: Option<OrganizationDoc<'a>>,
    #[serde(borrow, default)]
    hs: Option<OrganizationDoc<'a>>,
    #[serde(borrow, default)]
    co: Option<OrganizationDoc<'a>>,
}

fn string(text: &str) -> Value {
    Value::String(text.to_owned())
}

fn int(n: Option<i64>) -> Value {
    n.map_or(Value::Null, |n| Value::Number(n.into()))
}

fn unknown(field: &str) -> Error {
    Error::Internal(format!("page document: no field {field} here"))
}

/// An organization a row names, which the statement joined when asked.
fn missing() -> Error {
    Error::Internal("page document: an organization is missing".into())
}

impl Build<'_> {
    /// The list `sel` (`services`, `credentials`, `outcomes` or
    /// `dualEnrollments`) of `doc`.
    pub(super) fn records(&mut self, sel: &Sel, doc: &Doc<'_>) -> Result<Value> {
        let sels = &sel.children;
        let mut rows = Vec::new();
        match sel.name {
            "services" => {
                for s in &doc.sv {
                    self.disclose(Category::Services, &s.o)?;
                    rows.push(self.service(sels, s)?);
                }
            }
            "credentials" => {
                for c in &doc.c {
                    self.disclose(Category::Credentials, &c.o)?;
                    rows.push(self.credential(sels, c)?);
                }
            }
            "outcomes" => {
                for o in &doc.oc {
                    self.disclose(Category::Outcomes, &o.o)?;
                    rows.push(self.outcome(sels, o)?);
                }
            }
            "dualEnrollments" => {
                for d in &doc.de {
                    self.disclose(Category::EducationRecords, &d.o)?;
                    rows.push(self.dual_enrollment(sels, d)?);
                }
            }
            other => return Err(unknown(other)),
        }
        Ok(Value::List(rows))
    }

    fn disclose(&self, category: Category, owner: &str) -> Result<()> {
        self.disclosures
            .read(self.participant, category, uuid(owner)?);
        Ok(())
    }

    pub(super) fn organization(
        &mut self,
        sels: &[Sel],
        doc: Option<&OrganizationDoc<'_>>,
    ) -> Result<Value> {
        let doc = doc.ok_or_else(missing)?;
        let mut out = IndexMap::with_capacity(sels.len());
        for sel in sels {
            let value = match sel.name {
                "__typename" => typename("Organization"),
                "id" => id(&doc.id)?,
                "slug" => string(&doc.s),
                "name" => string(&doc.n),
                "kind" => self.enumeration(&doc.k),
                "createdAt" => timestamp(doc.ca.as_ref())?,
                "updatedAt" => timestamp(doc.ua.as_ref())?,
                other => return Err(unknown(other)),
            };
            out.insert(sel.key.clone(), value);
        }
        Ok(object(out))
    }

    fn service(&mut self, sels: &[Sel], s: &ServiceDoc<'_>) -> Result<Value> {
        let mut out = IndexMap::with_capacity(sels.len());
        for sel in sels {
            let value = match sel.name {
                "__typename" => typename("Service"),
                "keptBy" => self.organization(&sel.children, s.kb.as_ref())?,
                "id" => id(&s.id)?,
                "kind" => self.enumeration(&s.k),
                "provider" => self.organization(&sel.children, s.pv.as_ref())?,
                "providedOn" => string(&s.d),
                "amountCents" => int(s.a),
                other => return Err(unknown(other)),
            };
            out.insert(sel.key.clone(), value);
        }
        Ok(object(out))
    }

    fn credential(&mut self, sels: &[Sel], c: &CredentialDoc<'_>) -> Result<Value> {
        let mut out = IndexMap::with_capacity(sels.len());
        for sel in sels {
            let value = match sel.name {
                "__typename" => typename("Credential"),
                "keptBy" => self.organization(&sel.children, c.kb.as_ref())?,
                "id" => id(&c.id)?,
                "name" => string(&c.n),
                "kind" => self.enumeration(&c.k),
                "issuer" => match &c.issuer {
                    Some(issuer) => self.organization(&sel.children, Some(issuer))?,
                    None => Value::Null,
                },
                "issuerName" => text(c.issuer_name.as_ref()),
                "awardedOn" => string(&c.d),
                "expiresOn" => text(c.x.as_ref()),
                "evidenceUrl" => text(c.u.as_ref()),
                "source" => string(&c.src),
                other => return Err(unknown(other)),
            };
            out.insert(sel.key.clone(), value);
        }
        Ok(object(out))
    }

    fn outcome(&mut self, sels: &[Sel], o: &OutcomeDoc<'_>) -> Result<Value> {
        let mut out = IndexMap::with_capacity(sels.len());
        for sel in sels {
            let value = match sel.name {
                "__typename" => typename("Outcome"),
                "keptBy" => self.organization(&sel.children, o.kb.as_ref())?,
                "id" => id(&o.id)?,
                "kind" => self.enumeration(&o.k),
                "employerName" => text(o.em.as_ref()),
                "occupation" => text(o.oc.as_ref()),
                "hourlyWageCents" => int(o.w),
                "unionLocal" => text(o.ul.as_ref()),
                "startedOn" => text(o.d.as_ref()),
                "verified" => o.v.value(),
                other => return Err(unknown(other)),
            };
            out.insert(sel.key.clone(), value);
        }
        Ok(object(out))
    }

    fn dual_enrollment(&mut self, sels: &[Sel], d: &DualEnrollmentDoc<'_>) -> Result<Value> {
        let mut out = IndexMap::with_capacity(sels.len());
        for sel in sels {
            let value = match sel.name {
                "__typename" => typename("DualEnrollment"),
                "keptBy" => self.organization(&sel.children, d.kb.as_ref())?,
                "id" => id(&d.id)?,
                "highSchool" => self.organization(&sel.children, d.hs.as_ref())?,
                "college" => self.organization(&sel.children, d.co.as_ref())?,
                "courseCode" => string(&d.cc),
                "courseTitle" => string(&d.ct),
                "term" => string(&d.t),
                "unitsAttempted" => float(d.ua),
                "unitsEarned" => d.ue.map_or(Value::Null, float),
                "grade" => text(d.g.as_ref()),
                "status" => self.enumeration(&d.s),
                "version" => Value::Number(d.ve.into()),
                "source" => string(&d.src),
                other => return Err(unknown(other)),
            };
            out.insert(sel.key.clone(), value);
        }
        Ok(object(out))
    }
}
