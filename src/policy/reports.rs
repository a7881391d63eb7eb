//! Who may run aggregate reports, over which rows (DESIGN.md sections 4, 6).
//!
//! A report never returns row-level data, but its counts are still built
//! from participant rows, so the rows that feed it are chosen here, as SQL,
//! like every other read:
//! - an **org_admin** reports over its own organization's rows;
//! - an **evaluator** (evaluators and funders) reports over rows its
//!   organization may read under an ACTIVE sharing agreement whose purpose
//!   is EVALUATION or REPORTING, that covers the row's category and lies
//!   within its dates, with the participant's ACTIVE, unexpired consent
//!   covering the category (for the evaluator or for every partner) when the
//!   agreement requires consent — service-coordination agreements never
//!   feed a report;
//! - a viewer with both roles gets the union; anyone else is `FORBIDDEN`
//!   (staff and hub_admin read no aggregates).

use chrono::NaiveDate;
use entity::consent;
use entity::enums::{Category, SharingPurpose};
use sea_orm::sea_query::{
    Alias, CommonTableExpression, Expr, ExprTrait, IntoColumnRef, Query, SelectStatement,
    WithClause,
};
use sea_orm::{Condition, DbBackend, Statement};
use uuid::Uuid;

use super::Scope;
use super::scope::{consents_in_force, covers};

/// The name of the consents' table expression ([`ReportScope::tables`]).
const CONSENTS: &str = "rep_consents";
use crate::auth::{Role, Viewer};
use crate::ground::error::{Error, Result};

/// The agreement purposes that may feed an aggregate report.
pub const REPORT_PURPOSES: [SharingPurpose; 2] =
    [SharingPurpose::Evaluation, SharingPurpose::Reporting];

/// Which rows feed a viewer's reports. Only [`report_scope`] builds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportScope {
    org_id: Uuid,
    /// org_admin: the organization's own rows.
    own: bool,
    /// evaluator: rows shared under EVALUATION/REPORTING agreements.
    shared: bool,
    today: NaiveDate,
}

/// The report scope of `viewer` on `today`, or `FORBIDDEN` for viewers
/// that are neither org_admin nor evaluator.
pub fn report_scope(viewer: &Viewer, today: NaiveDate) -> Result<ReportScope> {
    let own = viewer.has(Role::OrgAdmin);
    let shared = viewer.has(Role::Evaluator);
    if !own && !shared {
        return Err(Error::forbidden(
            "reports are for evaluators, funders and org_admins",
        ));
    }
    Ok(ReportScope {
        org_id: viewer.org_id,
        own,
        shared,
        today,
    })
}

impl ReportScope {
    /// The organization the report is for.
    pub fn org_id(&self) -> Uuid {
        self.org_id
    }

    /// Whether the report reads rows other organizations shared (an
    /// evaluator's): only such figures cross an organization's boundary,
    /// so only they go through the release ledger (and, in differential
    /// mode, carry noise).
    pub fn crosses_organizations(&self) -> bool {
        self.shared
    }

    /// The common table expressions a statement must carry to read
    /// [`ReportScope::condition`] (none for an org_admin's own rows): the
    /// consents that hold for the evaluator's organization today, in any
    /// category, computed once per statement and read by the condition of
    /// every category the statement counts.
    pub fn tables(&self) -> Vec<CommonTableExpression> {
        if !self.shared {
            return Vec::new();
        }
        use consent::Column as C;
        let c = Alias::new("rep_c");
        let mut consents = consents_in_force(self.org_id, self.today, c.clone());
        consents
            .expr_as(Expr::col((c.clone(), C::ParticipantId)), Alias::new("pid"))
            .expr_as(Expr::col((c, C::Categories)), Alias::new("categories"));
        vec![
            CommonTableExpression::new()
                .query(consents)
                .table_name(Alias::new(CONSENTS))
                .materialized(true)
                .to_owned(),
        ]
    }

    /// `query` with [`ReportScope::tables`] in front (when there are any:
    /// a `WITH` of nothing does not build), for a statement of its own.
    pub fn statement(&self, backend: DbBackend, query: SelectStatement) -> Statement {
        let tables = self.tables();
        if tables.is_empty() {
            return backend.build(&query);
        }
        let mut with = WithClause::new();
        for table in tables {
            with.cte(table);
        }
        backend.build(&query.with(with))
    }

    /// The condition under which a row in `category`, with owner column
    /// `owner`, about the participant in column `participant`, feeds the
    /// report. Columns must be qualified with their table; the statement
    /// must carry [`ReportScope::tables`].
    ///
    /// A report reads every row in its scope, so the evaluator's rule is
    /// written as uncorrelated sets ([`Scope::set_condition`]'s form):
    /// `owner IN (providers whose report agreement needs no consent)`, or
    /// `owner IN (providers whose report agreement needs it) AND
    /// participant IN (participants consenting in the category)` — each
    /// set read once per statement (PostgreSQL: a hashed sub-plan; SQLite:
    /// a temporary index) instead of an agreement and a consent looked up
    /// per row, and the consents read from the table once per statement
    /// whatever the number of categories. The agreements and the consents
    /// are [`Scope`]'s own rules, with the purpose restricted to
    /// [`REPORT_PURPOSES`].
    pub fn condition(
        &self,
        category: Category,
        owner: impl IntoColumnRef,
        participant: impl IntoColumnRef,
    ) -> Condition {
        let owner = owner.into_column_ref();
        let mut any = Condition::any();
        if self.own {
            any = any.add(Expr::col(owner.clone()).eq(self.org_id));
        }
        if self.shared {
            let rules = Scope::for_organization(self.org_id, category, self.today);
            let purposes = Some(&REPORT_PURPOSES[..]);
            let consents = Alias::new(CONSENTS);
            let consenting = Query::select()
                .column((consents.clone(), Alias::new("pid")))
                .from(consents.clone())
                .cond_where(covers((consents, Alias::new("categories")), category))
                .to_owned();
            any = any
                .add(Expr::col(owner.clone()).in_subquery(rules.providers_for(
                    self.org_id,
                    false,
                    purposes,
                )))
                .add(
                    Condition::all()
                        .add(Expr::col(owner).in_subquery(rules.providers_for(
                            self.org_id,
                            true,
                            purposes,
                        )))
                        .add(Expr::col(participant.into_column_ref()).in_subquery(consenting)),
                );
        }
        any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(roles: &[Role]) -> Viewer {
        Viewer {
            subject: "s".into(),
            org_id: Uuid::from_u128(9),
            org_slug: "harder-co".into(),
            roles: roles.to_vec(),
            participant_id: None,
            reach: None,
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
    }

    #[test]
    fn only_evaluators_and_org_admins_run_reports() {
        for roles in [&[Role::Staff][..], &[Role::HubAdmin], &[]] {
            let err = report_scope(&viewer(roles), today()).unwrap_err();
            assert_eq!(err.code(), "FORBIDDEN");
        }
        let own = report_scope(&viewer(&[Role::Staff, Role::OrgAdmin]), today()).unwrap();
        assert!(own.own && !own.shared);
        let shared = report_scope(&viewer(&[Role::Evaluator]), today()).unwrap();
        assert!(!shared.own && shared.shared);
    }

    /// The agreement path of an evaluator's condition on an enrollment, as
    /// sets: the row's owner among the providers of an ACTIVE EVALUATION
    /// or REPORTING agreement to the viewer's organization (9), covering
    /// ENROLLMENT, in its dates, that needs no consent; or among those that
    /// need it, with the participant among those whose consent in force
    /// covers ENROLLMENT (today 2026-11-25). No correlated sub-query.
    fn assert_agreement_path(sql: &str) {
        let parts = [
            r#""enrollment"."owner_org_id" IN (SELECT "pol_sa"."provider_org_id" FROM "sharing_agreement" AS "pol_sa" WHERE "pol_sa"."recipient_org_id" = '00000000-0000-0000-0000-000000000009' AND "pol_sa"."status" = 'ACTIVE' AND ("pol_sa"."categories" = 'ENROLLMENT' OR "pol_sa"."categories" LIKE 'ENROLLMENT,%' OR "pol_sa"."categories" LIKE '%,ENROLLMENT' OR "pol_sa"."categories" LIKE '%,ENROLLMENT,%') AND "pol_sa"."effective_on" <= '2026-11-25' AND ("pol_sa"."expires_on" IS NULL OR "pol_sa"."expires_on" >= '2026-11-25') AND "pol_sa"."requires_consent" = FALSE AND "pol_sa"."purpose" IN ('EVALUATION', 'REPORTING'))"#,
            r#""pol_sa"."requires_consent" = TRUE AND "pol_sa"."purpose" IN ('EVALUATION', 'REPORTING'))"#,
            r#"AND "enrollment"."participant_id" IN (SELECT "rep_consents"."pid" FROM "rep_consents" WHERE"#,
            r#""rep_consents"."categories" LIKE '%,ENROLLMENT,%'"#,
        ];
        for part in parts {
            assert!(sql.contains(part), "{part}\n  not in\n{sql}");
        }
        assert!(!sql.contains("EXISTS"), "{sql}");
    }

    /// The statement `SELECT 1 FROM enrollment WHERE <condition>` for
    /// `roles`, as PostgreSQL receives it.
    fn enrollment_sql(roles: &[Role]) -> String {
        use sea_orm::sea_query::{PostgresQueryBuilder, Query};
        let scope = report_scope(&viewer(roles), today()).unwrap();
        Query::select()
            .expr(Expr::val(1))
            .from(entity::enrollment::Entity)
            .cond_where(scope.condition(
                Category::Enrollment,
                (
                    entity::enrollment::Entity,
                    entity::enrollment::Column::OwnerOrgId,
                ),
                (
                    entity::enrollment::Entity,
                    entity::enrollment::Column::ParticipantId,
                ),
            ))
            .to_string(PostgresQueryBuilder)
    }

    #[test]
    fn evaluator_rows_come_only_from_evaluation_or_reporting_agreements() {
        // Only the agreement path: an evaluator's own organization keeps
        // no participant rows; EVALUATION/REPORTING purposes only.
        let sql = enrollment_sql(&[Role::Evaluator]);
        assert!(
            sql.starts_with(
                r#"SELECT 1 FROM "enrollment" WHERE "enrollment"."owner_org_id" IN (SELECT"#
            ),
            "{sql}"
        );
        assert_agreement_path(&sql);
    }

    #[test]
    fn the_consents_are_read_once_per_statement() {
        use sea_orm::sea_query::Query;
        let scope = report_scope(&viewer(&[Role::Evaluator]), today()).unwrap();
        let query = Query::select().expr(Expr::val(1)).to_owned();
        let sql = scope
            .statement(DbBackend::Postgres, query.clone())
            .to_string();
        let sql = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        // The consents in force for the evaluator's organization, in any
        // category: ACTIVE, for it or every partner, signed, not expired,
        // a guardian's only until the youth is 18 (by the earliest birth
        // date of any profile) unless re-affirmed.
        let parts = [
            r#"WITH "rep_consents" AS MATERIALIZED (SELECT "rep_c"."participant_id" AS "pid", "rep_c"."categories" AS "categories" FROM "consent" AS "rep_c" WHERE "rep_c"."status" = 'ACTIVE' AND ("rep_c"."recipient_org_id" IS NULL OR "rep_c"."recipient_org_id" = '00000000-0000-0000-0000-000000000009') AND "rep_c"."signed_on" <= '2026-11-25' AND ("rep_c"."expires_on" IS NULL OR "rep_c"."expires_on" >= '2026-11-25') AND ("rep_c"."granted_by" <> 'GUARDIAN' OR "rep_c"."reaffirmed_at" IS NOT NULL OR COALESCE((SELECT MIN("pol_pp"."birth_date") FROM "participant_profile" AS "pol_pp" WHERE "pol_pp"."participant_id" = "rep_c"."participant_id")"#,
            r#"> '2008-11-25', TRUE)"#,
        ];
        for part in parts {
            assert!(sql.contains(part), "{part}\n  not in\n{sql}");
        }
        // An org_admin's statements carry none (and still build).
        let own = report_scope(&viewer(&[Role::OrgAdmin]), today()).unwrap();
        assert!(own.tables().is_empty());
        assert_eq!(
            own.statement(DbBackend::Postgres, query).to_string(),
            "SELECT 1"
        );
    }

    #[test]
    fn org_admin_rows_are_their_own_organizations() {
        assert_eq!(
            enrollment_sql(&[Role::Staff, Role::OrgAdmin]),
            r#"SELECT 1 FROM "enrollment" WHERE "enrollment"."owner_org_id" = '00000000-0000-0000-0000-000000000009'"#
        );
    }

    #[test]
    fn both_roles_get_the_union() {
        let sql = enrollment_sql(&[Role::OrgAdmin, Role::Evaluator]);
        assert!(
            sql.starts_with(r#"SELECT 1 FROM "enrollment" WHERE "enrollment"."owner_org_id" = '00000000-0000-0000-0000-000000000009' OR "enrollment"."owner_org_id" IN (SELECT"#),
            "{sql}"
        );
        assert_agreement_path(&sql);
    }
}
