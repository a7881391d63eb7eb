//! Which `participants` selections the page statement answers: fields of
//! the case manager's page, as a partner app sends them — with aliases,
//! named and inline fragments, `@skip`/`@include` (literal or variable),
//! `__typename`, a field asked twice (merged, as GraphQL merges it), and
//! beside the nodes `pageInfo`, `cursor` and `totalCount`, which the
//! connection answers itself.
//!
//! The selection is read as GraphQL's CollectFields reads it: fragments
//! whose type condition is the object's type are spread in place, fields
//! with the same response key merge at the first one's place. Anything
//! else (a field with arguments, another directive, a fragment on another
//! type) leaves the selection to the resolvers. async-graphql removes the
//! selections `@skip`/`@include` leave out before execution; [`Walk`]
//! reads them too, so that it holds whichever way the document arrives.

use std::collections::HashMap;

use async_graphql::parser::types::{
    Directive, Field, FragmentDefinition, Selection, SelectionSet, TypeCondition,
};
use async_graphql::{Name, Pos, Positioned, Value, Variables};

/// Fields a compiled page may hold, by level (`__typename` everywhere).
pub(super) const NODE: &[&str] = &[
    "id",
    "version",
    "givenName",
    "familyName",
    "preferredName",
    "birthDate",
    "gender",
    "raceEthnicity",
    "email",
    "phone",
    "postalCode",
    "guardianName",
    "priorityPopulations",
    "links",
    "enrollments",
    "mentorships",
    "services",
    "credentials",
    "outcomes",
    "dualEnrollments",
    "consents",
    "account",
    "partnerHourLogs",
    "partnerDualEnrollments",
    "partnerUnionMemberships",
];

/// Whether node field `name` is a partner's (its records fetched from the
/// partner after the statement, and resolved by async-graphql as its
/// resolver resolves it).
pub(super) fn joined(name: &str) -> bool {
    crate::graphql::partners::FIELDS
        .iter()
        .any(|(field, _)| *field == name)
}
const ENROLLMENT: &[&str] = &[
    "keptBy",
    "id",
    "program",
    "status",
    "appliedOn",
    "startedOn",
    "exitedOn",
    "exitReason",
    "version",
    "source",
    "statusHistory",
    "hourLogs",
    "ojtHours",
    "rtiHours",
    "attendancePct",
    "stipendEligible",
    "competencyAttainments",
];
const STATUS_CHANGE: &[&str] = &["fromStatus", "toStatus", "changedOn", "reason"];
const ATTAINMENT: &[&str] = &["keptBy", "code", "name", "domain", "attainedOn", "level"];
const PROGRAM: &[&str] = &[
    "id",
    "name",
    "kind",
    "approach",
    "organization",
    "pathway",
    "requiredOjtHours",
    "requiredRtiHours",
    "scheduledHours",
    "stipendThresholdPct",
    "site",
    "startsOn",
    "endsOn",
];
const PATHWAY: &[&str] = &["id", "code", "name", "sector", "socCode"];
const HOUR_LOG: &[&str] = &[
    "keptBy",
    "id",
    "kind",
    "workedOn",
    "hours",
    "approved",
    "approvedAt",
    "source",
];
const LINK: &[&str] = &["externalId", "source", "organization"];
const MENTORSHIP: &[&str] = &[
    "keptBy",
    "id",
    "mentor",
    "arrangedBy",
    "status",
    "startedOn",
    "endedOn",
    "version",
    "meetings",
];
const MEETING: &[&str] = &["metOn", "minutes"];
const MENTOR: &[&str] = &[
    "id",
    "name",
    "email",
    "craft",
    "unionLocal",
    "active",
    "source",
    "organization",
];
const SERVICE: &[&str] = &[
    "keptBy",
    "id",
    "kind",
    "provider",
    "providedOn",
    "amountCents",
];
const CREDENTIAL: &[&str] = &[
    "keptBy",
    "id",
    "name",
    "kind",
    "issuer",
    "issuerName",
    "awardedOn",
    "expiresOn",
    "evidenceUrl",
    "source",
];
const OUTCOME: &[&str] = &[
    "keptBy",
    "id",
    "kind",
    "employerName",
    "occupation",
    "hourlyWageCents",
    "unionLocal",
    "startedOn",
    "verified",
];
const DUAL_ENROLLMENT: &[&str] = &[
    "keptBy",
    "id",
    "highSchool",
    "college",
    "courseCode",
    "courseTitle",
    "term",
    "unitsAttempted",
    "unitsEarned",
    "grade",
    "status",
    "version",
    "source",
];
const CONSENT: &[&str] = &[
    "id",
    "recipient",
    "recordedBy",
    "categories",
    "purpose",
    "grantedBy",
    "guardianName",
    "signedOn",
    "expiresOn",
    "status",
    "revokedAt",
    "reaffirmedAt",
    "needsReaffirmation",
    "version",
];
const ACCOUNT: &[&str] = &[
    "linkedOn",
    "issuedBy",
    "confirmedBy",
    "everyOrganization",
    "endedAt",
    "endReason",
];
const CONFIRMATION: &[&str] = &["organization", "on"];
/// Directory fields of an organization a record names (not `programs`).
const ORGANIZATION: &[&str] = &["id", "slug", "name", "kind", "createdAt", "updatedAt"];

/// The GraphQL type of each level, and the fields it may hold.
fn level(field: &str) -> Option<(&'static str, &'static [&'static str])> {
    Some(match field {
        "enrollments" => ("Enrollment", ENROLLMENT),
        "program" => ("Program", PROGRAM),
        "pathway" => ("Pathway", PATHWAY),
        "hourLogs" => ("HourLog", HOUR_LOG),
        "statusHistory" => ("StatusChange", STATUS_CHANGE),
        "competencyAttainments" => ("CompetencyAttainment", ATTAINMENT),
        "meetings" => ("MentorshipMeeting", MEETING),
        "links" => ("ParticipantLink", LINK),
        "mentorships" => ("Mentorship", MENTORSHIP),
        "mentor" => ("Mentor", MENTOR),
        "services" => ("Service", SERVICE),
        "credentials" => ("Credential", CREDENTIAL),
        "outcomes" => ("Outcome", OUTCOME),
        "dualEnrollments" => ("DualEnrollment", DUAL_ENROLLMENT),
        "consents" => ("Consent", CONSENT),
        "account" => ("AccountLink", ACCOUNT),
        "confirmedBy" => ("LinkConfirmation", CONFIRMATION),
        "keptBy" | "arrangedBy" | "provider" | "issuer" | "highSchool" | "college"
        | "organization" | "recipient" | "recordedBy" | "issuedBy" => {
            ("Organization", ORGANIZATION)
        }
        _ => return None,
    })
}

/// One selected field: its name, its response key (the alias, else the
/// name), where it is in the query, and what it selects below it.
#[derive(Debug)]
pub(super) struct Sel {
    pub(super) name: &'static str,
    pub(super) key: Name,
    pub(super) pos: Pos,
    pub(super) children: Vec<Sel>,
}

impl Sel {
    pub(super) fn child(&self, name: &str) -> Option<&Sel> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// The request's fragments and variables, to read selections with.
pub(super) struct Walk<'a> {
    pub(super) fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    pub(super) variables: &'a Variables,
}

impl<'a> Walk<'a> {
    /// Whether `directives` keep the selection: `Some(false)` for a
    /// `@skip(if: true)` or `@include(if: false)`, `None` for anything
    /// this module does not read.
    fn included(&self, directives: &[Positioned<Directive>]) -> Option<bool> {
        let mut keep = true;
        for directive in directives {
            let directive = &directive.node;
            // The argument with variables in place; a variable the request
            // lacks is not read here.
            let condition = directive.get_argument("if").and_then(|v| {
                v.node
                    .clone()
                    .into_const_with(|name| self.variables.get(&name).cloned().ok_or(()))
                    .ok()
            });
            let condition = match condition {
                Some(Value::Boolean(b)) => b,
                _ => return None,
            };
            match directive.name.node.as_str() {
                "skip" => keep &= !condition,
                "include" => keep &= condition,
                _ => return None,
            }
        }
        Some(keep)
    }

    /// The fields of `set` on type `on`, fragments spread and skipped
    /// fields left out, in order.
    fn collect(
        &self,
        set: &'a SelectionSet,
        on: &str,
        out: &mut Vec<&'a Positioned<Field>>,
    ) -> Option<()> {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    if self.included(&f.node.directives)? {
                        out.push(f);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if !self.included(&spread.node.directives)? {
                        continue;
                    }
                    let fragment = self.fragments.get(&spread.node.fragment_name.node)?;
                    if !applies(Some(&fragment.node.type_condition), on) {
                        return None;
                    }
                    self.collect(&fragment.node.selection_set.node, on, out)?;
                }
                Selection::InlineFragment(inline) => {
                    if !self.included(&inline.node.directives)? {
                        continue;
                    }
                    if !applies(inline.node.type_condition.as_ref(), on) {
                        return None;
                    }
                    self.collect(&inline.node.selection_set.node, on, out)?;
                }
            }
        }
        Some(())
    }

    /// The fields of `set` on type `on` grouped by response key, in the
    /// order of each key's first field.
    fn grouped(&self, sets: &[&'a SelectionSet], on: &str) -> Option<Vec<Group<'a>>> {
        let mut fields = Vec::new();
        for set in sets {
            self.collect(set, on, &mut fields)?;
        }
        let mut groups: Vec<Group<'a>> = Vec::new();
        for f in fields {
            let key = f.node.response_key().node.clone();
            match groups.iter_mut().find(|g| g.key == key) {
                Some(group) if group.fields[0].node.name.node == f.node.name.node => {
                    group.fields.push(f);
                }
                // Same key, another field: not a valid document.
                Some(_) => return None,
                None => groups.push(Group {
                    key,
                    fields: vec![f],
                }),
            }
        }
        Some(groups)
    }

    /// The compiled fields of `sets` on `on`, when each is one of `allowed`
    /// (or `__typename`), without arguments, with compilable selections.
    pub(super) fn fields(
        &self,
        sets: &[&'a SelectionSet],
        on: &str,
        allowed: &[&'static str],
    ) -> Option<Vec<Sel>> {
        let mut out = Vec::new();
        for group in self.grouped(sets, on)? {
            let first = &group.fields[0];
            let name = first.node.name.node.as_str();
            let name = match name {
                "__typename" => "__typename",
                _ => *allowed.iter().find(|a| **a == name)?,
            };
            if group.fields.iter().any(|f| !f.node.arguments.is_empty()) {
                return None;
            }
            let below: Vec<&SelectionSet> = group
                .fields
                .iter()
                .map(|f| &f.node.selection_set.node)
                .collect();
            let children = match level(name) {
                Some((ty, allowed)) => self.fields(&below, ty, allowed)?,
                // Resolved after the statement, from its own selection.
                None if joined(name) => Vec::new(),
                None if below.iter().all(|s| s.items.is_empty()) => Vec::new(),
                None => return None,
            };
            out.push(Sel {
                name,
                key: group.key,
                pos: first.pos,
                children,
            });
        }
        Some(out)
    }

    /// The participants' selection under a `participants` connection
    /// field: the `node` of its `edges`, or its `nodes` — asked once in
    /// all, since async-graphql resolves each occurrence of a field on its
    /// own and the answer is built once per participant. Other connection
    /// fields (`pageInfo`, `totalCount`, `cursor`, `__typename`) are the
    /// connection's own.
    pub(super) fn participants(&self, connection: &'a Positioned<Field>) -> Option<Vec<Sel>> {
        let mut top = Vec::new();
        self.collect(
            &connection.node.selection_set.node,
            "ParticipantConnection",
            &mut top,
        )?;
        let mut nodes: Vec<&'a Positioned<Field>> = Vec::new();
        for field in top {
            match field.node.name.node.as_str() {
                "edges" => {
                    let mut edge = Vec::new();
                    self.collect(&field.node.selection_set.node, "ParticipantEdge", &mut edge)?;
                    nodes.extend(edge.into_iter().filter(|f| f.node.name.node == "node"));
                }
                "nodes" => nodes.push(field),
                _ => {}
            }
        }
        match nodes.as_slice() {
            [node] => self.fields(&[&node.node.selection_set.node], "Participant", NODE),
            _ => None,
        }
    }
}

/// Fields sharing one response key.
struct Group<'a> {
    key: Name,
    fields: Vec<&'a Positioned<Field>>,
}

/// Whether a fragment with `condition` applies to objects of type `on`
/// (the page's types implement no interface it could name instead).
fn applies(condition: Option<&Positioned<TypeCondition>>, on: &str) -> bool {
    condition.is_none_or(|c| c.node.on.node == on)
}
