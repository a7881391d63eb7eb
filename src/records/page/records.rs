//! The page's levels of mentorships, services, credentials, outcomes and
//! dual enrollments: rows of one table about participant `p`, each under its
//! category's [`Scope`](crate::policy::Scope) condition and in the order of
//! its reader in [`crate::records::reads`] (its date, then its id), with
//! every scalar column and, when asked, the organizations it names
//! (directory data, read by id as the resolvers' loader reads them).
//!
//! Keys: `sv` services (`o`, `id`, `k`ind, `d` provided on, `a`mount
//! cents, `kb` kept by, `pv` provider); `c` credentials (`o`, `id`,
//! `n`ame, `k`ind, `in` issuer name, `d` awarded on, `x` expires on,
//! `u` evidence URL, `src` source, `kb`, `is`suer or null); `oc` outcomes
//! (`o`, `id`, `k`ind, `em`ployer, `oc`cupation, `w`age cents, `ul` union
//! local, `d` started on, `v`erified, `kb`); `de` dual enrollments (`o`,
//! `id`, `cc` course code, `ct` course title, `t`erm, `ua` units
//! attempted, `ue` units earned, `g`rade, `s`tatus, `ve`rsion, `src`, `kb`,
//! `hs` high school, `co`llege). An organization is {`id`, `s`lug,
//! `n`ame, `k`ind, and `ca`/`ua` created and updated at when asked}.

use entity::enums::Category;
use entity::{
    credential, dual_enrollment, mentor, mentorship, mentorship_meeting, organization, outcome,
    service,
};
use sea_orm::JoinType;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};

use super::{MentorshipShape, Sql, col};
use crate::policy;

/// What each service carries besides its columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceShape {
    pub kept_by: bool,
    pub provider: bool,
}

/// What each credential carries besides its columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CredentialShape {
    pub kept_by: bool,
    pub issuer: bool,
}

/// What each outcome carries besides its columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutcomeShape {
    pub kept_by: bool,
}

/// What each dual-enrollment course carries besides its columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DualEnrollmentShape {
    pub kept_by: bool,
    pub high_school: bool,
    pub college: bool,
}

/// An organization's fields the page reads.
const ORGANIZATION: &[(&str, &str)] = &[("s", "slug"), ("n", "name"), ("k", "kind")];
/// And its timestamps, when the selection asks for them anywhere.
const ORGANIZATION_TIMES: &[(&str, &str)] = &[
    ("s", "slug"),
    ("n", "name"),
    ("k", "kind"),
    ("ca", "created_at"),
    ("ua", "updated_at"),
];

impl Sql<'_> {
    /// The organization `from.column` names, joined as `alias`; with
    /// `optional`, a left join and null when the column is.
    pub(super) fn organization(
        &self,
        select: &mut SelectStatement,
        alias: &'static str,
        from: (&'static str, &'static str),
        optional: bool,
    ) -> Expr {
        let fields = if self.organization_times {
            ORGANIZATION_TIMES
        } else {
            ORGANIZATION
        };
        if !optional {
            return self.join(select, organization::Entity, alias, from, fields);
        }
        select.join_as(
            JoinType::LeftJoin,
            organization::Entity,
            Alias::new(alias),
            col(alias, "id").equals((Alias::new(from.0), Alias::new(from.1))),
        );
        let mut pairs = vec![("id", self.id(alias, "id"))];
        pairs.extend(fields.iter().map(|(key, c)| (*key, col(alias, c))));
        Expr::case(col(alias, "id").is_not_null(), self.object(pairs))
            .finally(Expr::null())
            .into()
    }

    /// `columns` of `alias` under their keys.
    pub(super) fn columns(
        pairs: &mut Vec<(&'static str, Expr)>,
        alias: &'static str,
        columns: &[(&'static str, &'static str)],
    ) {
        pairs.extend(columns.iter().map(|(key, c)| (*key, col(alias, c))));
    }

    pub(super) fn services(&self, shape: &ServiceShape) -> Expr {
        let (mut select, mut pairs) = self.rows_about(service::Entity, "sv", Category::Services);
        Self::columns(
            &mut pairs,
            "sv",
            &[("k", "kind"), ("d", "provided_on"), ("a", "amount_cents")],
        );
        if shape.kept_by {
            let org = self.organization(&mut select, "sv_kb", ("sv", "owner_org_id"), false);
            pairs.push(("kb", org));
        }
        if shape.provider {
            let org = self.organization(&mut select, "sv_pv", ("sv", "provider_org_id"), false);
            pairs.push(("pv", org));
        }
        let object = self.object(pairs);
        self.array(select, object, [col("sv", "provided_on"), col("sv", "id")])
    }

    pub(super) fn credentials(&self, shape: &CredentialShape) -> Expr {
        let (mut select, mut pairs) =
            self.rows_about(credential::Entity, "cr", Category::Credentials);
        Self::columns(
            &mut pairs,
            "cr",
            &[
                ("n", "name"),
                ("k", "kind"),
                ("in", "issuer_name"),
                ("d", "awarded_on"),
                ("x", "expires_on"),
                ("u", "evidence_url"),
                ("src", "source"),
            ],
        );
        if shape.kept_by {
            let org = self.organization(&mut select, "cr_kb", ("cr", "owner_org_id"), false);
            pairs.push(("kb", org));
        }
        if shape.issuer {
            let org = self.organization(&mut select, "cr_is", ("cr", "issuer_org_id"), true);
            pairs.push(("is", org));
        }
        let object = self.object(pairs);
        self.array(select, object, [col("cr", "awarded_on"), col("cr", "id")])
    }

    pub(super) fn outcomes(&self, shape: &OutcomeShape) -> Expr {
        let (mut select, mut pairs) = self.rows_about(outcome::Entity, "oc", Category::Outcomes);
        Self::columns(
            &mut pairs,
            "oc",
            &[
                ("k", "kind"),
                ("em", "employer_name"),
                ("oc", "occupation"),
                ("w", "hourly_wage_cents"),
                ("ul", "union_local"),
                ("d", "started_on"),
                ("v", "verified"),
            ],
        );
        if shape.kept_by {
            let org = self.organization(&mut select, "oc_kb", ("oc", "owner_org_id"), false);
            pairs.push(("kb", org));
        }
        let object = self.object(pairs);
        self.array(select, object, [col("oc", "created_at"), col("oc", "id")])
    }

    pub(super) fn dual_enrollments(&self, shape: &DualEnrollmentShape) -> Expr {
        let (mut select, mut pairs) =
            self.rows_about(dual_enrollment::Entity, "de", Category::EducationRecords);
        Self::columns(
            &mut pairs,
            "de",
            &[
                ("cc", "course_code"),
                ("ct", "course_title"),
                ("t", "term"),
                ("ua", "units_attempted"),
                ("ue", "units_earned"),
                ("g", "grade"),
                ("s", "status"),
                ("ve", "version"),
                ("src", "source"),
            ],
        );
        if shape.kept_by {
            let org = self.organization(&mut select, "de_kb", ("de", "owner_org_id"), false);
            pairs.push(("kb", org));
        }
        if shape.high_school {
            let org = self.organization(&mut select, "de_hs", ("de", "high_school_org_id"), false);
            pairs.push(("hs", org));
        }
        if shape.college {
            let org = self.organization(&mut select, "de_co", ("de", "college_org_id"), false);
            pairs.push(("co", org));
        }
        let object = self.object(pairs);
        self.array(select, object, [col("de", "term"), col("de", "id")])
    }

    pub(super) fn mentorships(&self, shape: &MentorshipShape) -> Expr {
        let (mut select, mut pairs) =
            self.rows_about(mentorship::Entity, "m", Category::Mentorship);
        pairs.extend([
            ("s", col("m", "status")),
            ("sd", col("m", "started_on")),
            ("ed", col("m", "ended_on")),
            ("ve", col("m", "version")),
        ]);
        if shape.mentor {
            select.join_as(
                JoinType::InnerJoin,
                mentor::Entity,
                Alias::new("me"),
                col("me", "id").equals((Alias::new("m"), Alias::new("mentor_id"))),
            );
            let mut mentor = vec![
                ("id", self.id("me", "id")),
                ("n", col("me", "name")),
                ("c", col("me", "craft")),
                ("ul", col("me", "union_local")),
                ("ac", col("me", "active")),
                ("src", col("me", "source")),
            ];
            if shape.mentor_organization {
                let org = self.organization(&mut select, "me_org", ("me", "org_id"), false);
                mentor.push(("org", org));
            }
            if shape.mentor_email {
                // The email only where the policy lets the viewer read it;
                // the organization for the refusal elsewhere.
                let readable = policy::mentor_contact_condition(
                    self.scopes.viewer(),
                    (Alias::new("me"), Alias::new("org_id")),
                );
                let email = Expr::case(readable, col("me", "email")).finally(Expr::null());
                mentor.push(("em", email.into()));
                mentor.push(("mo", self.id("me", "org_id")));
            }
            pairs.push(("me", self.object(mentor)));
        }
        if shape.meetings {
            pairs.push(("mt", self.meetings()));
        }
        if shape.kept_by {
            let org = self.organization(&mut select, "m_kb", ("m", "owner_org_id"), false);
            pairs.push(("kb", org));
        }
        let object = self.object(pairs);
        self.array(select, object, [col("m", "created_at"), col("m", "id")])
    }

    /// The meetings of mentorship `m` (MENTORSHIP), oldest first.
    fn meetings(&self) -> Expr {
        let select = Query::select()
            .from_as(mentorship_meeting::Entity, Alias::new("mm"))
            .and_where(col("mm", "mentorship_id").equals((Alias::new("m"), Alias::new("id"))))
            .cond_where(self.scopes.of(Category::Mentorship).condition(
                (Alias::new("mm"), Alias::new("owner_org_id")),
                (Alias::new("m"), Alias::new("participant_id")),
            ))
            .to_owned();
        let object = self.object(vec![
            ("o", self.id("mm", "owner_org_id")),
            ("d", col("mm", "met_on")),
            ("mi", col("mm", "minutes")),
        ]);
        self.array(select, object, [col("mm", "met_on"), col("mm", "id")])
    }
}
