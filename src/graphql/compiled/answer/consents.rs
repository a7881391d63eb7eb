//! A participant's consents and account link of a page document (keys: `records::page`'s
//! `page/consents.rs`) turned into the answer's values as the resolvers
//! (`graphql::records::Consent`) answer them: the status read from the
//! date, and `needsReaffirmation` refused (DEMOGRAPHICS) where it turns on
//! a birth date the viewer may not read. Consents record no disclosure,
//! as there. The account link (`page/account.rs`) as
//! `graphql::account_links` answers a live one, refused (IDENTITY) to a
//! viewer `policy::link_readers` leaves out.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::{PathSegment, Value};
use chrono::NaiveDate;
use entity::enums::{Category, ConsentStatus, GrantedBy, split_set};
use serde::Deserialize;

use super::records::OrganizationDoc;
use super::{Build, Doc, Flag, id, object, text, timestamp, typename, uuid};
use crate::graphql::compiled::selection::Sel;
use crate::ground::error::{Error, Result};
use crate::policy::sharing::consent_status;

#[derive(Deserialize)]
pub(super) struct ConsentDoc<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    cat: Cow<'a, str>,
    #[serde(borrow)]
    pu: Cow<'a, str>,
    #[serde(borrow)]
    gb: Cow<'a, str>,
    #[serde(borrow, default)]
    gn: Option<Cow<'a, str>>,
    #[serde(borrow)]
    d: Cow<'a, str>,
    #[serde(borrow, default)]
    x: Option<Cow<'a, str>>,
    #[serde(borrow)]
    s: Cow<'a, str>,
    #[serde(borrow, default)]
    ra: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    rf: Option<Cow<'a, str>>,
    ve: i64,
    #[serde(borrow, default)]
    rc: Option<OrganizationDoc<'a>>,
    #[serde(borrow, default)]
    rb: Option<OrganizationDoc<'a>>,
}

/// The account link as the viewer may see it: `a`, the link or null.
#[derive(Deserialize)]
pub(super) struct SeenDoc<'a> {
    #[serde(borrow, default)]
    a: Option<LinkDoc<'a>>,
}

#[derive(Deserialize)]
struct LinkDoc<'a> {
    #[serde(borrow)]
    li: Cow<'a, str>,
    #[serde(borrow, default)]
    is: Option<OrganizationDoc<'a>>,
    #[serde(borrow, default)]
    cf: Vec<ConfirmationDoc<'a>>,
}

#[derive(Deserialize)]
struct ConfirmationDoc<'a> {
    /// Null: a hub_admin's, for every organization.
    #[serde(borrow, default)]
    o: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    org: Option<OrganizationDoc<'a>>,
    #[serde(borrow)]
    on: Cow<'a, str>,
}

/// Whether the participant is an adult (`a`), or who holds a profile of
/// them (`h`) when the viewer may read no birth date.
#[derive(Deserialize)]
pub(super) struct AdultDoc<'a> {
    #[serde(default)]
    a: Option<Flag>,
    #[serde(borrow, default)]
    h: Vec<Cow<'a, str>>,
}

fn broken(what: &str) -> Error {
    Error::Internal(format!("page document: a consent's {what} does not parse"))
}

impl Build<'_> {
    /// The list `consents` of `doc`.
    pub(super) fn consents(&mut self, sel: &Sel, doc: &Doc<'_>) -> Result<Value> {
        let mut rows = Vec::with_capacity(doc.cs.len());
        for (n, c) in doc.cs.iter().enumerate() {
            let here = [
                PathSegment::Field(sel.key.to_string()),
                PathSegment::Index(n),
            ];
            let stored = ConsentStatus::parse(&c.s).ok_or_else(|| broken("status"))?;
            let mut out = IndexMap::with_capacity(sel.children.len());
            for f in &sel.children {
                let value = match f.name {
                    "__typename" => typename("Consent"),
                    "id" => id(&c.id)?,
                    "recipient" => match &c.rc {
                        Some(org) => self.organization(&f.children, Some(org))?,
                        None => Value::Null,
                    },
                    "recordedBy" => self.organization(&f.children, c.rb.as_ref())?,
                    "categories" => Value::List(
                        split_set(&c.cat, Category::parse)
                            .into_iter()
                            .map(|c| self.enumeration(c.as_str()))
                            .collect(),
                    ),
                    "purpose" => self.enumeration(&c.pu),
                    "grantedBy" => match GrantedBy::parse(&c.gb) {
                        Some(by) => self.enumeration(by.as_str()),
                        None => Value::Null,
                    },
                    "guardianName" => text(c.gn.as_ref()),
                    "signedOn" => Value::String(c.d.to_string()),
                    "expiresOn" => text(c.x.as_ref()),
                    "status" => {
                        let expires =
                            c.x.as_deref()
                                .map(|x| x.parse::<NaiveDate>().map_err(|_| broken("end date")))
                                .transpose()?;
                        let status = consent_status(stored, expires, self.scopes.today());
                        self.enumeration(status.as_str())
                    }
                    "revokedAt" => timestamp(c.ra.as_ref())?,
                    "reaffirmedAt" => timestamp(c.rf.as_ref())?,
                    "version" => Value::Number(c.ve.into()),
                    _ => self.needs_reaffirmation(c, stored, doc, &here, f)?,
                };
                out.insert(f.key.clone(), value);
            }
            rows.push(object(out));
        }
        Ok(Value::List(rows))
    }

    /// The field `account` of `doc`: the live link, null when there is
    /// none, refused when the viewer may not see it.
    pub(super) fn account(&mut self, sel: &Sel, doc: &Doc<'_>) -> Result<Value> {
        let Some(seen) = &doc.ac else {
            return Ok(self.refuse(&[], sel, Category::Identity));
        };
        let Some(link) = &seen.a else {
            return Ok(Value::Null);
        };
        let mut out = IndexMap::with_capacity(sel.children.len());
        for f in &sel.children {
            let value = match f.name {
                "__typename" => typename("AccountLink"),
                "linkedOn" => timestamp(Some(&link.li))?,
                "issuedBy" => self.organization(&f.children, link.is.as_ref())?,
                "confirmedBy" => {
                    let mut rows = Vec::with_capacity(link.cf.len());
                    for c in &link.cf {
                        let mut fields = IndexMap::with_capacity(f.children.len());
                        for g in &f.children {
                            let v = match g.name {
                                "__typename" => typename("LinkConfirmation"),
                                "on" => timestamp(Some(&c.on))?,
                                _ => match &c.org {
                                    Some(org) => self.organization(&g.children, Some(org))?,
                                    None => Value::Null,
                                },
                            };
                            fields.insert(g.key.clone(), v);
                        }
                        rows.push(object(fields));
                    }
                    Value::List(rows)
                }
                "everyOrganization" => Value::Boolean(link.cf.iter().any(|c| c.o.is_none())),
                // A live link has not ended.
                _ => Value::Null,
            };
            out.insert(f.key.clone(), value);
        }
        Ok(object(out))
    }

    /// A guardian signed it, it stands, it was not re-affirmed, and the
    /// youth is now an adult by the birth dates the viewer may read —
    /// refused when it may read none.
    fn needs_reaffirmation(
        &mut self,
        c: &ConsentDoc<'_>,
        stored: ConsentStatus,
        doc: &Doc<'_>,
        here: &[PathSegment],
        sel: &Sel,
    ) -> Result<Value> {
        if c.gb != GrantedBy::Guardian.as_str()
            || c.rf.is_some()
            || stored == ConsentStatus::Revoked
        {
            return Ok(Value::Boolean(false));
        }
        let Some(adult) = &doc.ad else {
            return Err(Error::Internal(
                "page document: whether the participant is an adult is missing".into(),
            ));
        };
        if let Some(a) = &adult.a {
            return Ok(a.value());
        }
        let holders = adult
            .h
            .iter()
            .map(|h| uuid(h))
            .collect::<Result<Vec<_>>>()?;
        self.disclosures
            .deny_profile(self.participant, Category::Demographics, &holders);
        Ok(self.refuse(here, sel, Category::Demographics))
    }
}
