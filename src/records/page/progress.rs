//! The levels below an enrollment `e`: its hour totals, hour logs and
//! competencies attained (PROGRESS) and its status history (ENROLLMENT),
//! each under its category's [`Scope`](crate::policy::Scope) condition
//! and in the order of its reader in [`crate::records::reads`].
//!
//! Keys: `pr` the program {`id`, `n`ame; `sh` scheduled hours and `st`
//! stipend threshold for attendance or when asked; `k`ind, `apr`oach,
//! `ro`/`rr` required OJT/RTI hours, `si`te, `sd`/`ed` start and end,
//! `org`anization, `pw` pathway {`id`, `c`ode, `n`ame, `se`ctor, `soc`}
//! or null, when asked}; `t` totals {`ojt`, `rti` approved hours, `att` attendance hours
//! logged when asked} or null when PROGRESS is not readable; `h` hour logs
//! (`o`, `id` when asked, `w`orked on, `k`ind, `hr` hours, `a`pproved,
//! `aa` approved at, `src`, `kb` when asked); `sh` status history (`o`,
//! `f`rom, `t`o, `d` changed on, `r`eason); `ca` competencies attained
//! (`o`, `cp` the competency {`id`, `c`ode, `n`ame, `dm` domain}, `d`
//! attained on, `l`evel, `kb` when asked).

use entity::enums::{Category, HourKind};
use entity::{
    competency, competency_attainment, enrollment_status_change, hour_log, pathway, program,
};
use sea_orm::JoinType;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};

use super::{Sql, col};

/// What each hour log carries besides its kind, day, hours and approval.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HourLogShape {
    /// The ids (the page's largest level: left out unless asked).
    pub ids: bool,
    pub source: bool,
    pub approved_at: bool,
    /// The organization keeping each hour log.
    pub kept_by: bool,
}

/// What an enrollment's program carries besides its id and name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgramShape {
    /// Its kind, approach, hour requirements, schedule, stipend
    /// threshold, site and dates.
    pub details: bool,
    pub organization: bool,
    pub pathway: bool,
}

/// What each competency attained carries besides its columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttainmentShape {
    pub kept_by: bool,
}

impl Sql<'_> {
    /// The program of enrollment `e` (directory data), joined to `select`
    /// as `pr`: with `attendance`, its schedule and stipend threshold.
    pub(super) fn program(
        &self,
        select: &mut SelectStatement,
        shape: &ProgramShape,
        attendance: bool,
    ) -> Expr {
        select.join_as(
            JoinType::InnerJoin,
            program::Entity,
            Alias::new("pr"),
            col("pr", "id").equals((Alias::new("e"), Alias::new("program_id"))),
        );
        let mut columns = vec![("n", "name")];
        if attendance || shape.details {
            columns.extend([("sh", "scheduled_hours"), ("st", "stipend_threshold_pct")]);
        }
        if shape.details {
            columns.extend([
                ("k", "kind"),
                ("apr", "approach"),
                ("ro", "required_ojt_hours"),
                ("rr", "required_rti_hours"),
                ("si", "site"),
                ("sd", "starts_on"),
                ("ed", "ends_on"),
            ]);
        }
        let mut pairs = vec![("id", self.id("pr", "id"))];
        Self::columns(&mut pairs, "pr", &columns);
        if shape.organization {
            let org = self.organization(select, "pr_org", ("pr", "org_id"), false);
            pairs.push(("org", org));
        }
        if shape.pathway {
            select.join_as(
                JoinType::LeftJoin,
                pathway::Entity,
                Alias::new("pw"),
                col("pw", "id").equals((Alias::new("pr"), Alias::new("pathway_id"))),
            );
            let mut fields = vec![("id", self.id("pw", "id"))];
            Self::columns(
                &mut fields,
                "pw",
                &[
                    ("c", "code"),
                    ("n", "name"),
                    ("se", "sector"),
                    ("soc", "soc_code"),
                ],
            );
            let pathway = Expr::case(col("pw", "id").is_not_null(), self.object(fields))
                .finally(Expr::null());
            pairs.push(("pw", pathway.into()));
        }
        self.object(pairs)
    }

    /// The condition of `category` on rows of `alias` below enrollment `e`.
    fn below_enrollment(&self, alias: &'static str, category: Category) -> sea_orm::Condition {
        self.scopes.of(category).condition(
            (Alias::new(alias), Alias::new("owner_org_id")),
            (Alias::new("e"), Alias::new("participant_id")),
        )
    }

    /// Approved OJT and RTI hours of enrollment `e` (and, with
    /// `attendance`, its ATTENDANCE hours logged), as `reads::hour_totals`
    /// sums them; null where the viewer may not read its PROGRESS.
    pub(super) fn totals(&self, attendance: bool) -> Expr {
        let sum = |kind: HourKind, approved_only: bool| {
            let hours = if approved_only {
                self.cust(
                    "COALESCE(SUM(CASE WHEN $1 THEN $2 ELSE 0.0 END), 0.0)",
                    vec![col("ht", "approved"), col("ht", "hours")],
                )
            } else {
                self.cust("COALESCE(SUM($1), 0.0)", vec![col("ht", "hours")])
            };
            let sum = Query::select()
                .expr(hours)
                .from_as(hour_log::Entity, Alias::new("ht"))
                .and_where(col("ht", "enrollment_id").equals((Alias::new("e"), Alias::new("id"))))
                .and_where(col("ht", "kind").eq(kind.as_str()))
                .to_owned();
            Expr::from(sum)
        };
        let mut pairs = vec![
            ("ojt", sum(HourKind::Ojt, true)),
            ("rti", sum(HourKind::Rti, true)),
        ];
        if attendance {
            pairs.push(("att", sum(HourKind::Attendance, false)));
        }
        let object = self.object(pairs);
        Expr::case(
            self.scopes.of(Category::Progress).condition(
                (Alias::new("e"), Alias::new("owner_org_id")),
                (Alias::new("e"), Alias::new("participant_id")),
            ),
            object,
        )
        .finally(Expr::null())
        .into()
    }

    /// Hour logs of enrollment `e` the viewer may read (PROGRESS), oldest first.
    pub(super) fn hour_logs(&self, shape: &HourLogShape) -> Expr {
        let mut select = Query::select()
            .from_as(hour_log::Entity, Alias::new("h"))
            .and_where(col("h", "enrollment_id").equals((Alias::new("e"), Alias::new("id"))))
            .cond_where(self.below_enrollment("h", Category::Progress))
            .to_owned();
        let mut pairs = vec![("o", self.id("h", "owner_org_id"))];
        if shape.ids {
            pairs.push(("id", self.id("h", "id")));
        }
        if shape.source {
            pairs.push(("src", col("h", "source")));
        }
        if shape.approved_at {
            pairs.push(("aa", col("h", "approved_at")));
        }
        if shape.kept_by {
            let org = self.organization(&mut select, "h_kb", ("h", "owner_org_id"), false);
            pairs.push(("kb", org));
        }
        pairs.extend([
            ("w", col("h", "worked_on")),
            ("k", col("h", "kind")),
            ("hr", col("h", "hours")),
            ("a", col("h", "approved")),
        ]);
        let object = self.object(pairs);
        self.array(select, object, [col("h", "worked_on"), col("h", "id")])
    }

    /// The status history of enrollment `e` (ENROLLMENT), oldest first.
    pub(super) fn status_history(&self) -> Expr {
        let select = Query::select()
            .from_as(enrollment_status_change::Entity, Alias::new("sc"))
            .and_where(col("sc", "enrollment_id").equals((Alias::new("e"), Alias::new("id"))))
            .cond_where(self.below_enrollment("sc", Category::Enrollment))
            .to_owned();
        let object = self.object(vec![
            ("o", self.id("sc", "owner_org_id")),
            ("f", col("sc", "from_status")),
            ("t", col("sc", "to_status")),
            ("d", col("sc", "changed_on")),
            ("r", col("sc", "reason")),
        ]);
        self.array(
            select,
            object,
            [col("sc", "changed_on"), col("sc", "created_at")],
        )
    }

    /// Competencies attained under enrollment `e` (PROGRESS), oldest first.
    pub(super) fn attainments(&self, shape: &AttainmentShape) -> Expr {
        let mut select = Query::select()
            .from_as(competency_attainment::Entity, Alias::new("ca"))
            .and_where(col("ca", "enrollment_id").equals((Alias::new("e"), Alias::new("id"))))
            .cond_where(self.below_enrollment("ca", Category::Progress))
            .to_owned();
        let competency = self.join(
            &mut select,
            competency::Entity,
            "cp",
            ("ca", "competency_id"),
            &[("c", "code"), ("n", "name"), ("dm", "domain")],
        );
        let mut pairs = vec![
            ("o", self.id("ca", "owner_org_id")),
            ("cp", competency),
            ("d", col("ca", "attained_on")),
            ("l", col("ca", "level")),
        ];
        if shape.kept_by {
            let org = self.organization(&mut select, "ca_kb", ("ca", "owner_org_id"), false);
            pairs.push(("kb", org));
        }
        let object = self.object(pairs);
        self.array(select, object, [col("ca", "attained_on"), col("ca", "id")])
    }
}
