//! A participant's page document, as the statement wrote it, turned into
//! the answer's value — recording each disclosure and refusal as the
//! resolvers do.

use std::borrow::Cow;
use std::sync::Mutex;

use async_graphql::indexmap::IndexMap;
use async_graphql::{Name, PathSegment, ScalarType, Value};
use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use entity::enums::Category;
use serde::Deserialize;
use uuid::Uuid;

use super::selection::Sel;
use super::{PageNode, Reason, Refusal};
use crate::audit::Disclosures;
use crate::ground::error::{Error, Result};
use crate::policy::{self, Scopes};
use consents::{AdultDoc, ConsentDoc, SeenDoc};
use profile::{LinkDoc, ProfileDoc};
use progress::EnrollmentDoc;
use records::{CredentialDoc, DualEnrollmentDoc, OrganizationDoc, OutcomeDoc, ServiceDoc};

mod consents;
mod profile;
mod progress;
mod records;

pub(super) use profile::category as profile_category;

/// One participant's page document (keys: [`crate::records::page`]'s module docs), read
/// straight from the statement's text; strings are borrowed from it.
#[derive(Deserialize)]
struct Doc<'a> {
    #[serde(borrow, default)]
    i: Option<ProfileDoc<'a>>,
    #[serde(borrow, default)]
    ct: Option<ProfileDoc<'a>>,
    #[serde(borrow, default)]
    dm: Option<ProfileDoc<'a>>,
    #[serde(borrow, default)]
    se: Option<ProfileDoc<'a>>,
    /// The own profile's version (null or absent when none).
    #[serde(default)]
    v: Option<i64>,
    #[serde(borrow, default)]
    l: Vec<LinkDoc<'a>>,
    #[serde(borrow, default)]
    e: Vec<EnrollmentDoc<'a>>,
    #[serde(borrow, default)]
    m: Vec<MentorshipDoc<'a>>,
    #[serde(borrow, default)]
    sv: Vec<ServiceDoc<'a>>,
    #[serde(borrow, default)]
    c: Vec<CredentialDoc<'a>>,
    #[serde(borrow, default)]
    oc: Vec<OutcomeDoc<'a>>,
    #[serde(borrow, default)]
    de: Vec<DualEnrollmentDoc<'a>>,
    #[serde(borrow, default)]
    cs: Vec<ConsentDoc<'a>>,
    /// The account link as the viewer may see it (null: refused).
    #[serde(borrow, default)]
    ac: Option<SeenDoc<'a>>,
    /// Whether the participant is an adult by the readable birth dates.
    #[serde(borrow, default)]
    ad: Option<AdultDoc<'a>>,
}

#[derive(Deserialize)]
struct MentorshipDoc<'a> {
    #[serde(borrow)]
    o: Cow<'a, str>,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    s: Cow<'a, str>,
    #[serde(borrow, default)]
    sd: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    ed: Option<Cow<'a, str>>,
    ve: i64,
    #[serde(borrow, default)]
    kb: Option<OrganizationDoc<'a>>,
    #[serde(borrow, default)]
    me: Option<MentorDoc<'a>>,
    #[serde(borrow, default)]
    mt: Vec<MeetingDoc<'a>>,
}

#[derive(Deserialize)]
struct MeetingDoc<'a> {
    #[serde(borrow)]
    o: Cow<'a, str>,
    #[serde(borrow)]
    d: Cow<'a, str>,
    mi: i64,
}

#[derive(Deserialize)]
struct MentorDoc<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    n: Cow<'a, str>,
    #[serde(borrow, default)]
    c: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    ul: Option<Cow<'a, str>>,
    ac: Flag,
    #[serde(borrow)]
    src: Cow<'a, str>,
    #[serde(borrow, default)]
    org: Option<OrganizationDoc<'a>>,
    /// The email, where the viewer may read it, and the mentor's
    /// organization (only when the email is asked).
    #[serde(borrow, default)]
    em: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    mo: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Flag {
    Bool(bool),
    Int(i64),
}

impl Flag {
    fn value(&self) -> Value {
        Value::Boolean(match self {
            Flag::Bool(b) => *b,
            Flag::Int(n) => *n != 0,
        })
    }
}

fn uuid(text: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|_| Error::Internal("page document: an id is not a UUID".into()))
}

fn id(text: &str) -> Result<Value> {
    Ok(Value::String(uuid(text)?.to_string()))
}

fn text(text: Option<&Cow<'_, str>>) -> Value {
    text.map_or(Value::Null, |s| Value::String(s.to_string()))
}

fn float(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// A timestamp as the database wrote it into JSON (RFC 3339 on
/// PostgreSQL; as stored on SQLite), answered as the `DateTime` scalar
/// answers it.
fn timestamp(text: Option<&Cow<'_, str>>) -> Result<Value> {
    let Some(text) = text else {
        return Ok(Value::Null);
    };
    let at = text
        .parse::<DateTime<FixedOffset>>()
        .map(|at| at.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").map(|at| at.and_utc())
        })
        .map_err(|_| Error::Internal("page document: a timestamp does not parse".into()))?;
    Ok(ScalarType::to_value(&at))
}

fn typename(ty: &'static str) -> Value {
    Value::String(ty.to_owned())
}

fn object(fields: IndexMap<Name, Value>) -> Value {
    Value::Object(fields)
}

/// Turns page documents into the answer's values, recording each
/// disclosure and refusal as the resolvers do.
pub(super) struct Build<'a> {
    pub(super) scopes: &'a Scopes,
    pub(super) disclosures: &'a Disclosures,
    /// Enum values seen so far (a handful), shared rather than allocated
    /// for each row.
    pub(super) names: Vec<Name>,
    pub(super) participant: Uuid,
    pub(super) refused: Vec<Refusal>,
}

impl Build<'_> {
    fn enumeration(&mut self, value: &str) -> Value {
        if let Some(name) = self.names.iter().find(|n| n.as_str() == value) {
            return Value::Enum(name.clone());
        }
        let name = Name::new(value);
        self.names.push(name.clone());
        Value::Enum(name)
    }

    fn refuse(&mut self, path: &[PathSegment], sel: &Sel, category: Category) -> Value {
        self.refuse_for(path, sel, Reason::Category(category))
    }

    fn refuse_for(&mut self, path: &[PathSegment], sel: &Sel, reason: Reason) -> Value {
        let mut path = path.to_vec();
        path.push(PathSegment::Field(sel.key.to_string()));
        self.refused.push(Refusal {
            path,
            pos: sel.pos,
            reason,
        });
        Value::Null
    }

    /// The node of `participant` from its document `text`.
    pub(super) fn node(&mut self, sels: &[Sel], participant: Uuid, json: &str) -> Result<PageNode> {
        let doc: Doc<'_> = serde_json::from_str(json)
            .map_err(|e| Error::Internal(format!("page document: {e}")))?;
        self.participant = participant;
        let p = participant;
        let mut out = IndexMap::with_capacity(sels.len());
        let mut join = None;
        for sel in sels {
            if super::selection::joined(sel.name) {
                // Resolved after the statement (`super::Joined`).
                join = Some(participant);
                continue;
            }
            if let Some(value) = self.profile(sel, &doc)? {
                out.insert(sel.key.clone(), value);
                continue;
            }
            let value = match sel.name {
                "__typename" => typename("Participant"),
                "id" => Value::String(p.to_string()),
                "version" => doc.v.map_or(Value::Null, |v| Value::Number(v.into())),
                "links" => self.links(sel, &doc)?,
                "enrollments" => {
                    let mut rows = Vec::with_capacity(doc.e.len());
                    for (n, e) in doc.e.iter().enumerate() {
                        let here = [
                            PathSegment::Field(sel.key.to_string()),
                            PathSegment::Index(n),
                        ];
                        rows.push(self.enrollment(&sel.children, e, &here)?);
                    }
                    Value::List(rows)
                }
                "mentorships" => {
                    let mut rows = Vec::with_capacity(doc.m.len());
                    for (n, m) in doc.m.iter().enumerate() {
                        let here = [
                            PathSegment::Field(sel.key.to_string()),
                            PathSegment::Index(n),
                        ];
                        rows.push(self.mentorship(&sel.children, m, &here)?);
                    }
                    Value::List(rows)
                }
                "consents" => self.consents(sel, &doc)?,
                "account" => self.account(sel, &doc)?,
                _ => self.records(sel, &doc)?,
            };
            out.insert(sel.key.clone(), value);
        }
        Ok(PageNode::Done {
            value: Mutex::new(Some(object(out))),
            refused: std::mem::take(&mut self.refused),
            join,
        })
    }

    /// A mentorship's value; `here` is its path below the node.
    fn mentorship(
        &mut self,
        sels: &[Sel],
        m: &MentorshipDoc<'_>,
        here: &[PathSegment],
    ) -> Result<Value> {
        self.disclosures
            .read(self.participant, Category::Mentorship, uuid(&m.o)?);
        let mut out = IndexMap::with_capacity(sels.len());
        for sel in sels {
            let value = match sel.name {
                "__typename" => typename("Mentorship"),
                "id" => id(&m.id)?,
                "status" => self.enumeration(&m.s),
                "startedOn" => text(m.sd.as_ref()),
                "endedOn" => text(m.ed.as_ref()),
                "version" => Value::Number(m.ve.into()),
                "keptBy" | "arrangedBy" => self.organization(&sel.children, m.kb.as_ref())?,
                "meetings" => {
                    let mut rows = Vec::with_capacity(m.mt.len());
                    for meeting in &m.mt {
                        self.disclosures.read(
                            self.participant,
                            Category::Mentorship,
                            uuid(&meeting.o)?,
                        );
                        let mut fields = IndexMap::with_capacity(sel.children.len());
                        for f in &sel.children {
                            let v = match f.name {
                                "__typename" => typename("MentorshipMeeting"),
                                "metOn" => Value::String(meeting.d.to_string()),
                                _ => Value::Number(meeting.mi.into()),
                            };
                            fields.insert(f.key.clone(), v);
                        }
                        rows.push(object(fields));
                    }
                    Value::List(rows)
                }
                _ => {
                    let mut below = here.to_vec();
                    below.push(PathSegment::Field(sel.key.to_string()));
                    self.mentor(&sel.children, m.me.as_ref(), &below)?
                }
            };
            out.insert(sel.key.clone(), value);
        }
        Ok(object(out))
    }

    /// A mentor's value; `here` is its path below the node.
    fn mentor(
        &mut self,
        sels: &[Sel],
        doc: Option<&MentorDoc<'_>>,
        here: &[PathSegment],
    ) -> Result<Value> {
        let Some(doc) = doc else {
            return Err(Error::Internal("page document: a mentor is missing".into()));
        };
        let mut out = IndexMap::with_capacity(sels.len());
        for sel in sels {
            let value = match sel.name {
                "__typename" => typename("Mentor"),
                "id" => id(&doc.id)?,
                "name" => Value::String(doc.n.to_string()),
                "email" => {
                    let org = uuid(doc.mo.as_deref().unwrap_or_default())?;
                    if policy::may_read_mentor_contact(self.scopes.viewer(), org) {
                        text(doc.em.as_ref())
                    } else {
                        self.refuse_for(here, sel, Reason::MentorContact)
                    }
                }
                "craft" => text(doc.c.as_ref()),
                "unionLocal" => text(doc.ul.as_ref()),
                "active" => doc.ac.value(),
                "source" => Value::String(doc.src.to_string()),
                _ => self.organization(&sel.children, doc.org.as_ref())?,
            };
            out.insert(sel.key.clone(), value);
        }
        Ok(object(out))
    }
}
