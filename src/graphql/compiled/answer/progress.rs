//! An enrollment of a page document (keys: `records::page` and its
//! `page/progress.rs`) turned into the answer's value: its program, its
//! hours (totals, attendance and the stipend rule of `records::rules`,
//! hour logs), competencies attained and status history — each row
//! recorded as a disclosure of its category, and each PROGRESS field the
//! viewer may not read refused, as the resolvers (`graphql::progress`) do.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::{PathSegment, Value};
use entity::enums::Category;
use serde::Deserialize;

use super::{Build, Flag, float, id, object, text, timestamp, typename, uuid};
use crate::graphql::compiled::selection::Sel;
use crate::ground::error::{Error, Result};
use crate::records::rules;

use super::records::OrganizationDoc;

#[derive(Deserialize)]
pub(super) struct EnrollmentDoc<'a> {
    #[serde(borrow)]
    o: Cow<'a, str>,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    s: Cow<'a, str>,
    #[serde(borrow, default)]
    ap: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    sd: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    xd: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    xr: Option<Cow<'a, str>>,
    #[serde(default)]
    ve: i64,
    #[serde(borrow, default)]
    src: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    kb: Option<OrganizationDoc<'a>>,
    #[serde(borrow, default)]
    pr: Option<ProgramDoc<'a>>,
    #[serde(default)]
    t: Option<TotalsDoc>,
    #[serde(borrow, default)]
    h: Vec<HourLogDoc<'a>>,
    #[serde(borrow, default)]
    sh: Vec<StatusChangeDoc<'a>>,
    #[serde(borrow, default)]
    ca: Vec<AttainmentDoc<'a>>,
}

/// A program: id, name, for attendance its schedule and stipend
/// threshold, and the rest when asked.
#[derive(Deserialize)]
struct ProgramDoc<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    n: Cow<'a, str>,
    #[serde(default)]
    sh: Option<f64>,
    #[serde(default)]
    st: Option<f64>,
    #[serde(borrow, default)]
    k: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    apr: Option<Cow<'a, str>>,
    #[serde(default)]
    ro: Option<f64>,
    #[serde(default)]
    rr: Option<f64>,
    #[serde(borrow, default)]
    si: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    sd: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    ed: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    org: Option<OrganizationDoc<'a>>,
    #[serde(borrow, default)]
    pw: Option<PathwayDoc<'a>>,
}

#[derive(Deserialize)]
struct PathwayDoc<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    c: Cow<'a, str>,
    #[serde(borrow)]
    n: Cow<'a, str>,
    #[serde(borrow)]
    se: Cow<'a, str>,
    #[serde(borrow, default)]
    soc: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct TotalsDoc {
    ojt: f64,
    rti: f64,
    /// Attendance hours logged (only when asked).
    #[serde(default)]
    att: f64,
}

#[derive(Deserialize)]
struct HourLogDoc<'a> {
    #[serde(borrow)]
    o: Cow<'a, str>,
    /// Only when the selection asks for it (as `src`, `aa` and `kb`).
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    src: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    aa: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    kb: Option<OrganizationDoc<'a>>,
    #[serde(borrow)]
    w: Cow<'a, str>,
    #[serde(borrow)]
    k: Cow<'a, str>,
    hr: f64,
    /// `true`/`false` on PostgreSQL, 1/0 on SQLite.
    a: Flag,
}

#[derive(Deserialize)]
struct StatusChangeDoc<'a> {
    #[serde(borrow)]
    o: Cow<'a, str>,
    #[serde(borrow, default)]
    f: Option<Cow<'a, str>>,
    #[serde(borrow)]
    t: Cow<'a, str>,
    #[serde(borrow)]
    d: Cow<'a, str>,
    #[serde(borrow, default)]
    r: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct AttainmentDoc<'a> {
    #[serde(borrow)]
    o: Cow<'a, str>,
    #[serde(borrow)]
    cp: CompetencyDoc<'a>,
    #[serde(borrow)]
    d: Cow<'a, str>,
    l: i64,
    #[serde(borrow, default)]
    kb: Option<OrganizationDoc<'a>>,
}

#[derive(Deserialize)]
struct CompetencyDoc<'a> {
    #[serde(borrow)]
    c: Cow<'a, str>,
    #[serde(borrow)]
    n: Cow<'a, str>,
    #[serde(borrow)]
    dm: Cow<'a, str>,
}

fn missing(what: &str) -> Error {
    Error::Internal(format!("page document: {what} is missing"))
}

impl Build<'_> {
    /// An enrollment's value; `here` is its path below the node.
    pub(super) fn enrollment(
        &mut self,
        sels: &[Sel],
        e: &EnrollmentDoc<'_>,
        here: &[PathSegment],
    ) -> Result<Value> {
        let p = self.participant;
        let owner = uuid(&e.o)?;
        self.disclosures.read(p, Category::Enrollment, owner);
        let mut out = IndexMap::with_capacity(sels.len());
        for sel in sels {
            let value = match sel.name {
                "__typename" => typename("Enrollment"),
                "id" => id(&e.id)?,
                "status" => self.enumeration(&e.s),
                "keptBy" => self.organization(&sel.children, e.kb.as_ref())?,
                "appliedOn" => text(e.ap.as_ref()),
                "startedOn" => text(e.sd.as_ref()),
                "exitedOn" => text(e.xd.as_ref()),
                "exitReason" => text(e.xr.as_ref()),
                "version" => Value::Number(e.ve.into()),
                "source" => text(e.src.as_ref()),
                "program" => self.program(&sel.children, e.pr.as_ref())?,
                "ojtHours" | "rtiHours" | "attendancePct" | "stipendEligible" => {
                    let Some(t) = &e.t else {
                        self.disclosures.deny(p, Category::Progress, Some(owner));
                        out.insert(sel.key.clone(), self.refuse(here, sel, Category::Progress));
                        continue;
                    };
                    self.disclosures.read(p, Category::Progress, owner);
                    let program = || e.pr.as_ref().ok_or_else(|| missing("a program"));
                    let pct = || Ok::<_, Error>(rules::attendance_pct(t.att, program()?.sh));
                    match sel.name {
                        "ojtHours" => float(t.ojt),
                        "rtiHours" => float(t.rti),
                        "attendancePct" => pct()?.map_or(Value::Null, float),
                        _ => rules::stipend_eligible(pct()?, program()?.st)
                            .map_or(Value::Null, Value::Boolean),
                    }
                }
                "statusHistory" => {
                    let mut rows = Vec::with_capacity(e.sh.len());
                    for c in &e.sh {
                        self.disclosures.read(p, Category::Enrollment, uuid(&c.o)?);
                        rows.push(self.status_change(&sel.children, c));
                    }
                    Value::List(rows)
                }
                "competencyAttainments" => {
                    let mut rows = Vec::with_capacity(e.ca.len());
                    for a in &e.ca {
                        self.disclosures.read(p, Category::Progress, uuid(&a.o)?);
                        rows.push(self.attainment(&sel.children, a)?);
                    }
                    Value::List(rows)
                }
                _ => {
                    let mut rows = Vec::with_capacity(e.h.len());
                    for h in &e.h {
                        self.disclosures.read(p, Category::Progress, uuid(&h.o)?);
                        rows.push(self.hour_log(&sel.children, h)?);
                    }
                    Value::List(rows)
                }
            };
            out.insert(sel.key.clone(), value);
        }
        Ok(object(out))
    }

    fn hour_log(&mut self, sels: &[Sel], h: &HourLogDoc<'_>) -> Result<Value> {
        let mut fields = IndexMap::with_capacity(sels.len());
        for f in sels {
            let v = match f.name {
                "__typename" => typename("HourLog"),
                "id" => id(h.id.as_deref().unwrap_or_default())?,
                "source" => text(h.src.as_ref()),
                "keptBy" => self.organization(&f.children, h.kb.as_ref())?,
                "workedOn" => Value::String(h.w.to_string()),
                "kind" => self.enumeration(&h.k),
                "hours" => float(h.hr),
                "approvedAt" => timestamp(h.aa.as_ref())?,
                _ => h.a.value(),
            };
            fields.insert(f.key.clone(), v);
        }
        Ok(object(fields))
    }

    fn status_change(&mut self, sels: &[Sel], c: &StatusChangeDoc<'_>) -> Value {
        let mut fields = IndexMap::with_capacity(sels.len());
        for f in sels {
            let v = match f.name {
                "__typename" => typename("StatusChange"),
                "fromStatus" => match &c.f {
                    Some(from) => self.enumeration(from),
                    None => Value::Null,
                },
                "toStatus" => self.enumeration(&c.t),
                "changedOn" => Value::String(c.d.to_string()),
                _ => text(c.r.as_ref()),
            };
            fields.insert(f.key.clone(), v);
        }
        object(fields)
    }

    fn attainment(&mut self, sels: &[Sel], a: &AttainmentDoc<'_>) -> Result<Value> {
        let mut fields = IndexMap::with_capacity(sels.len());
        for f in sels {
            let v = match f.name {
                "__typename" => typename("CompetencyAttainment"),
                "keptBy" => self.organization(&f.children, a.kb.as_ref())?,
                "code" => Value::String(a.cp.c.to_string()),
                "name" => Value::String(a.cp.n.to_string()),
                "domain" => self.enumeration(&a.cp.dm),
                "attainedOn" => Value::String(a.d.to_string()),
                _ => Value::Number(a.l.into()),
            };
            fields.insert(f.key.clone(), v);
        }
        Ok(object(fields))
    }
}

impl Build<'_> {
    /// A program as its selection asks.
    fn program(&mut self, sels: &[Sel], doc: Option<&ProgramDoc<'_>>) -> Result<Value> {
        let doc = doc.ok_or_else(|| missing("a program"))?;
        let number = |x: Option<f64>| x.map_or(Value::Null, float);
        let mut out = IndexMap::with_capacity(sels.len());
        for sel in sels {
            let value = match sel.name {
                "__typename" => typename("Program"),
                "id" => id(&doc.id)?,
                "name" => Value::String(doc.n.to_string()),
                "kind" => self.enumeration(doc.k.as_deref().unwrap_or_default()),
                "approach" => self.enumeration(doc.apr.as_deref().unwrap_or_default()),
                "organization" => self.organization(&sel.children, doc.org.as_ref())?,
                "pathway" => match &doc.pw {
                    Some(pathway) => self.pathway(&sel.children, pathway)?,
                    None => Value::Null,
                },
                "requiredOjtHours" => number(doc.ro),
                "requiredRtiHours" => number(doc.rr),
                "scheduledHours" => number(doc.sh),
                "stipendThresholdPct" => number(doc.st),
                "site" => text(doc.si.as_ref()),
                "startsOn" => text(doc.sd.as_ref()),
                _ => text(doc.ed.as_ref()),
            };
            out.insert(sel.key.clone(), value);
        }
        Ok(object(out))
    }

    fn pathway(&mut self, sels: &[Sel], doc: &PathwayDoc<'_>) -> Result<Value> {
        let mut out = IndexMap::with_capacity(sels.len());
        for sel in sels {
            let value = match sel.name {
                "__typename" => typename("Pathway"),
                "id" => id(&doc.id)?,
                "code" => Value::String(doc.c.to_string()),
                "name" => Value::String(doc.n.to_string()),
                "sector" => Value::String(doc.se.to_string()),
                _ => text(doc.soc.as_ref()),
            };
            out.insert(sel.key.clone(), value);
        }
        Ok(object(out))
    }
}
