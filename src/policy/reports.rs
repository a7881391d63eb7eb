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
use entity::enums::{AgreementStatus, Category, ConsentStatus, SharingPurpose};
use entity::{consent, sharing_agreement};
use sea_orm::sea_query::{
    Alias, ColumnRef, Expr, ExprTrait, IntoColumnRef, Query, SelectStatement,
};
use sea_orm::{Condition, Value};
use uuid::Uuid;

use super::scope::covers;
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

    /// The condition under which a row in `category`, with owner column
    /// `owner`, about the participant in column `participant`, feeds the
    /// report. Columns must be qualified with their table.
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
            any = any.add(Expr::exists(self.agreement_query(
                category,
                owner,
                participant.into_column_ref(),
            )));
        }
        any
    }

    fn agreement_query(
        &self,
        category: Category,
        owner: ColumnRef,
        participant: ColumnRef,
    ) -> SelectStatement {
        use sharing_agreement::Column as A;
        let a = Alias::new("rep_sa");
        let today = Value::from(self.today);
        Query::select()
            .expr(Expr::val(1))
            .from_as(sharing_agreement::Entity, a.clone())
            .and_where(Expr::col((a.clone(), A::ProviderOrgId)).equals(owner))
            .and_where(Expr::col((a.clone(), A::RecipientOrgId)).eq(self.org_id))
            .and_where(Expr::col((a.clone(), A::Status)).eq(AgreementStatus::Active.as_str()))
            .and_where(
                Expr::col((a.clone(), A::Purpose))
                    .is_in(REPORT_PURPOSES.iter().map(|p| p.as_str())),
            )
            .cond_where(covers((a.clone(), A::Categories), category))
            .and_where(Expr::col((a.clone(), A::EffectiveOn)).lte(today.clone()))
            .cond_where(
                Condition::any()
                    .add(Expr::col((a.clone(), A::ExpiresOn)).is_null())
                    .add(Expr::col((a.clone(), A::ExpiresOn)).gte(today)),
            )
            .cond_where(
                Condition::any()
                    .add(Expr::col((a, A::RequiresConsent)).eq(false))
                    .add(Expr::exists(self.consent_query(category, participant))),
            )
            .to_owned()
    }

    fn consent_query(&self, category: Category, participant: ColumnRef) -> SelectStatement {
        use consent::Column as C;
        let c = Alias::new("rep_c");
        let today = Value::from(self.today);
        Query::select()
            .expr(Expr::val(1))
            .from_as(consent::Entity, c.clone())
            .and_where(Expr::col((c.clone(), C::ParticipantId)).equals(participant))
            .and_where(Expr::col((c.clone(), C::Status)).eq(ConsentStatus::Active.as_str()))
            .cond_where(
                Condition::any()
                    .add(Expr::col((c.clone(), C::RecipientOrgId)).is_null())
                    .add(Expr::col((c.clone(), C::RecipientOrgId)).eq(self.org_id)),
            )
            .cond_where(covers((c.clone(), C::Categories), category))
            .and_where(Expr::col((c.clone(), C::SignedOn)).lte(today.clone()))
            .cond_where(
                Condition::any()
                    .add(Expr::col((c.clone(), C::ExpiresOn)).is_null())
                    .add(Expr::col((c.clone(), C::ExpiresOn)).gte(today)),
            )
            .cond_where(super::scope::guardian_consent_holds(c, self.today))
            .to_owned()
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

    /// The agreement path of an evaluator's condition on an enrollment:
    /// an ACTIVE EVALUATION or REPORTING agreement from the row's owner to
    /// the viewer's organization (9), covering ENROLLMENT, in its dates,
    /// and when it requires consent an ACTIVE consent for the viewer or
    /// every partner, covering ENROLLMENT, in its dates, a guardian's only
    /// until the youth is 18 unless re-affirmed (today 2026-11-25).
    const AGREEMENT_PATH: &str = concat!(
        r#"EXISTS(SELECT 1 FROM "sharing_agreement" AS "rep_sa" WHERE "rep_sa"."provider_org_id" = "enrollment"."owner_org_id" AND "#,
        r#""rep_sa"."recipient_org_id" = '00000000-0000-0000-0000-000000000009' AND "#,
        r#""rep_sa"."status" = 'ACTIVE' AND "#,
        r#""rep_sa"."purpose" IN ('EVALUATION', 'REPORTING') AND "#,
        r#"("rep_sa"."categories" = 'ENROLLMENT' OR "rep_sa"."categories" LIKE 'ENROLLMENT,%' OR "rep_sa"."categories" LIKE '%,ENROLLMENT' OR "rep_sa"."categories" LIKE '%,ENROLLMENT,%') AND "#,
        r#""rep_sa"."effective_on" <= '2026-11-25' AND "#,
        r#"("rep_sa"."expires_on" IS NULL OR "rep_sa"."expires_on" >= '2026-11-25') AND "#,
        r#"("rep_sa"."requires_consent" = FALSE OR EXISTS(SELECT 1 FROM "consent" AS "rep_c" WHERE "rep_c"."participant_id" = "enrollment"."participant_id" AND "#,
        r#""rep_c"."status" = 'ACTIVE' AND "#,
        r#"("rep_c"."recipient_org_id" IS NULL OR "rep_c"."recipient_org_id" = '00000000-0000-0000-0000-000000000009') AND "#,
        r#"("rep_c"."categories" = 'ENROLLMENT' OR "rep_c"."categories" LIKE 'ENROLLMENT,%' OR "rep_c"."categories" LIKE '%,ENROLLMENT' OR "rep_c"."categories" LIKE '%,ENROLLMENT,%') AND "#,
        r#""rep_c"."signed_on" <= '2026-11-25' AND "#,
        r#"("rep_c"."expires_on" IS NULL OR "rep_c"."expires_on" >= '2026-11-25') AND "#,
        r#"("rep_c"."granted_by" <> 'GUARDIAN' OR "rep_c"."reaffirmed_at" IS NOT NULL OR (NOT EXISTS(SELECT 1 FROM "participant_profile" AS "pol_pp" WHERE "pol_pp"."participant_id" = "rep_c"."participant_id" AND "#,
        r#""pol_pp"."birth_date" <= '2008-11-25'))))))"#,
    );

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
        assert_eq!(
            enrollment_sql(&[Role::Evaluator]),
            format!(r#"SELECT 1 FROM "enrollment" WHERE {AGREEMENT_PATH}"#)
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
        assert_eq!(
            enrollment_sql(&[Role::OrgAdmin, Role::Evaluator]),
            format!(
                r#"SELECT 1 FROM "enrollment" WHERE "enrollment"."owner_org_id" = '00000000-0000-0000-0000-000000000009' OR {AGREEMENT_PATH}"#
            )
        );
    }
}
