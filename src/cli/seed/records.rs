//! Helpers that write the rows about a youth's journey: enrollments with
//! their status history, hours, competencies, credentials, services,
//! outcomes, mentorships with meetings, and dual-enrollment courses.

use super::credentials::Cred;
use super::demo;
use super::programs::ProgramDef;
use super::youth::pid;
use super::{Plan, Rng, at, demo_id, last_friday, org, plus};
use chrono::{Months, NaiveDate};
use entity::enums::{
    CredentialKind, DualEnrollmentStatus, EnrollmentStatus, HourKind, MentorshipStatus,
    OutcomeKind, ProgramKind, ServiceKind,
};

use entity::{
    competency_attainment, credential, dual_enrollment, enrollment, enrollment_status_change,
    hour_log, mentorship, mentorship_meeting, outcome, service,
};

use uuid::Uuid;

/// An enrollment just created, for the rows that hang off it.
pub(super) struct Enr {
    pub id: Uuid,
    pub key: String,
    pub owner: &'static str,
    pub program: &'static ProgramDef,
    pub started: Option<NaiveDate>,
    pub exited: Option<NaiveDate>,
}

impl Enr {
    /// The Fridays of the enrollment's weeks that have passed (at most `max`).
    pub(super) fn fridays(&self, max: usize) -> Vec<NaiveDate> {
        let Some(start) = self.started else {
            return Vec::new();
        };
        let end = self.exited.unwrap_or(last_friday()).min(last_friday());
        (0..max as i64)
            .map(|w| plus(start, 4 + 7 * w))
            .take_while(|f| *f <= end)
            .collect()
    }
}

/// Most hours logged on one day in the demo (a working day).
const DAY_HOURS: f64 = 8.0;

/// A week's hours, logged on `friday`, spread over that week's working days
/// (Friday back to Monday) at most [`DAY_HOURS`] a day, as staff log them:
/// the hub refuses more than 24 h of one kind on one day.
fn workdays(friday: NaiveDate, hours: f64) -> Vec<(NaiveDate, f64)> {
    let mut left = hours;
    let mut days = Vec::new();
    for back in 0..5 {
        if left <= 0.0 {
            break;
        }
        let today = left.min(DAY_HOURS);
        days.push((plus(friday, -back), today));
        left -= today;
    }
    days
}

/// How an enrollment went: when, and where it stands now.
pub(super) struct Stint {
    pub applied: NaiveDate,
    pub started: Option<NaiveDate>,
    pub exited: Option<NaiveDate>,
    pub status: EnrollmentStatus,
    pub reason: Option<&'static str>,
}

/// Details of an outcome; most are empty.
#[derive(Clone, Copy)]
pub(super) struct Detail {
    pub employer: Option<&'static str>,
    pub occupation: Option<&'static str>,
    pub wage_cents: Option<i64>,
    pub local: Option<&'static str>,
}

impl Detail {
    pub(super) const NONE: Detail = Detail {
        employer: None,
        occupation: None,
        wage_cents: None,
        local: None,
    };

    /// A job: employer, occupation, hourly wage in cents.
    pub(super) const fn job(
        employer: &'static str,
        occupation: &'static str,
        wage_cents: i64,
    ) -> Detail {
        Detail {
            employer: Some(employer),
            occupation: Some(occupation),
            wage_cents: Some(wage_cents),
            local: None,
        }
    }

    /// A school or college the youth went on to (outcomes have no
    /// institution column, so the employer name carries it).
    pub(super) const fn school(name: &'static str) -> Detail {
        Detail {
            employer: Some(name),
            ..Detail::NONE
        }
    }
}

/// A youth paired with a mentor.
pub(super) struct Pairing {
    pub mentor: &'static str,
    pub owner: &'static str,
    pub status: MentorshipStatus,
    pub started: NaiveDate,
    pub ended: Option<NaiveDate>,
}

/// A dual-enrollment course at a college.
pub(super) struct Course {
    pub college: &'static str,
    pub code: &'static str,
    pub title: &'static str,
    pub units: f64,
}

impl Plan {
    /// Enrolls a youth in a program, with the status history that led to
    /// where the enrollment stands.
    pub(super) fn enroll(&mut self, youth: &str, program: &'static ProgramDef, s: Stint) -> Enr {
        use EnrollmentStatus::{
            Accepted, Active, Applied, Cancelled, Completed, Interviewed, Withdrawn,
        };
        let key = format!("{youth}@{}", program.key);
        let id = demo_id("enrollment", &key);
        let owner = program.org;
        // Schools and workshops admit without an interview.
        let interviews = !matches!(
            program.kind,
            ProgramKind::CtePathway | ProgramKind::Workshop
        );
        let accepted_on = s
            .started
            .map_or(plus(s.applied, 16), |st| plus(st, -7).max(s.applied));
        let mut path = vec![(Applied, s.applied)];
        let reached = |st: EnrollmentStatus| -> bool {
            let rank = |x: EnrollmentStatus| match x {
                Applied => 0,
                Interviewed => 1,
                Accepted | Cancelled => 2,
                Active => 3,
                Completed | Withdrawn => 4,
            };
            rank(s.status) >= rank(st) && !(s.status == Cancelled && st == Active)
        };
        if interviews && reached(Interviewed) {
            let on = plus(s.applied, 9).min(accepted_on);
            path.push((Interviewed, on));
        }
        if reached(Accepted) {
            path.push((Accepted, accepted_on));
        }
        if let (true, Some(started)) = (reached(Active), s.started) {
            path.push((Active, started));
        }
        if matches!(s.status, Completed | Withdrawn | Cancelled) {
            path.push((s.status, s.exited.unwrap_or(accepted_on)));
        }
        let mut from = None;
        for (i, (to, on)) in path.iter().enumerate() {
            let last = i + 1 == path.len();
            self.status_changes.push(enrollment_status_change::Model {
                id: demo_id("enrollment_status_change", &format!("{key}:{i}")),
                enrollment_id: id,
                owner_org_id: org(owner),
                from_status: from,
                to_status: *to,
                changed_on: *on,
                reason: if last { s.reason.map(Into::into) } else { None },
                changed_by: format!("staff@{owner}"),
                // Steps of one day a minute apart, in order: the history
                // reads by day, then by when each step was recorded.
                created_at: at(*on) + chrono::Duration::minutes(i as i64),
                updated_at: at(*on) + chrono::Duration::minutes(i as i64),
            });
            from = Some(*to);
        }
        let last_change = path.last().map_or(s.applied, |(_, on)| *on);
        self.enrollments.push(enrollment::Model {
            id,
            participant_id: pid(youth),
            program_id: demo_id("program", program.key),
            owner_org_id: org(owner),
            status: s.status,
            applied_on: s.applied,
            started_on: s.started,
            exited_on: s.exited,
            exit_reason: s.reason.map(Into::into),
            external_id: None,
            source: "hub".into(),
            version: 1,
            created_at: at(s.applied),
            updated_at: at(last_change),
        });
        Enr {
            id,
            key,
            owner,
            program,
            started: s.started,
            exited: s.exited,
        }
    }

    /// Logs hours on an enrollment; entries older than ten days are approved
    /// (staff approve weekly), the latest still wait for approval.
    pub(super) fn hours(
        &mut self,
        e: &Enr,
        kind: HourKind,
        entries: impl IntoIterator<Item = (NaiveDate, f64)>,
    ) {
        let approval_cutoff = plus(super::today(), -10);
        for (on, hours) in entries.into_iter().flat_map(|(on, h)| workdays(on, h)) {
            let approved = on <= approval_cutoff;
            self.hour_logs.push(hour_log::Model {
                id: demo_id("hour_log", &format!("{}:{}:{on}", e.key, kind.as_str())),
                enrollment_id: e.id,
                owner_org_id: org(e.owner),
                kind,
                worked_on: on,
                hours,
                logged_by: format!("staff@{}", e.owner),
                approved,
                approved_by: approved.then(|| format!("staff@{}", e.owner)),
                approved_at: approved.then(|| at(plus(on, 3))),
                external_id: None,
                source: "hub".into(),
                created_at: at(on),
                updated_at: at(if approved { plus(on, 3) } else { on }),
            });
        }
    }

    /// Records that a competency of the enrollment's pathway was attained.
    pub(super) fn attain(&mut self, e: &Enr, code: &str, on: NaiveDate, level: i32) {
        let pathway = e.program.pathway.unwrap_or_default();
        self.attainments.push(competency_attainment::Model {
            id: demo_id("competency_attainment", &format!("{}:{code}", e.key)),
            enrollment_id: e.id,
            competency_id: demo::competency_id(pathway, code),
            owner_org_id: org(e.owner),
            attained_on: on,
            assessed_by: format!("staff@{}", e.owner),
            level,
            created_at: at(on),
            updated_at: at(on),
        });
    }

    /// Records a credential, as `owner` entered it.
    pub(super) fn award(&mut self, youth: &str, owner: &str, cred: &Cred, on: NaiveDate) {
        let id = demo_id("credential", &format!("{youth}:{}", cred.name));
        let industry = cred.kind == CredentialKind::IndustryCertification;
        self.credentials.push(credential::Model {
            id,
            participant_id: pid(youth),
            owner_org_id: org(owner),
            issuer_org_id: cred.issuer_org.map(org),
            issuer_name: cred.issuer_name.map(Into::into),
            name: cred.name.into(),
            kind: cred.kind,
            awarded_on: on,
            expires_on: cred
                .valid_years
                .and_then(|y| on.checked_add_months(Months::new(12 * y))),
            evidence_url: industry.then(|| format!("https://credentials.example.org/verify/{id}")),
            external_id: None,
            source: "hub".into(),
            created_at: at(on),
            updated_at: at(on),
        });
    }

    /// Records a service or disbursement (the provider is the owner).
    pub(super) fn serve(
        &mut self,
        youth: &str,
        provider: &str,
        kind: ServiceKind,
        on: NaiveDate,
        amount_cents: Option<i64>,
    ) {
        self.services.push(service::Model {
            id: demo_id(
                "service",
                &format!("{youth}:{provider}:{}:{on}", kind.as_str()),
            ),
            participant_id: pid(youth),
            owner_org_id: org(provider),
            provider_org_id: org(provider),
            kind,
            provided_on: on,
            amount_cents,
            external_id: None,
            source: "hub".into(),
            created_at: at(on),
            updated_at: at(on),
        });
    }

    /// Records an outcome, verified by `owner`.
    pub(super) fn outcome(
        &mut self,
        youth: &str,
        owner: &str,
        kind: OutcomeKind,
        on: NaiveDate,
        detail: Detail,
    ) {
        self.outcomes.push(outcome::Model {
            id: demo_id("outcome", &format!("{youth}:{owner}:{}", kind.as_str())),
            participant_id: pid(youth),
            owner_org_id: org(owner),
            kind,
            employer_name: detail.employer.map(Into::into),
            occupation: detail.occupation.map(Into::into),
            hourly_wage_cents: detail.wage_cents,
            union_local: detail.local.map(Into::into),
            started_on: Some(on),
            verified: on <= plus(super::today(), -14),
            external_id: None,
            source: "hub".into(),
            created_at: at(on),
            updated_at: at(on),
        });
    }

    /// Pairs a youth with a mentor and logs their meetings, about every four
    /// weeks while the mentorship runs.
    pub(super) fn mentor(&mut self, youth: &str, m: Pairing) {
        let key = format!("{youth}:{}", m.mentor);
        let id = demo_id("mentorship", &key);
        let proposed = m.status == MentorshipStatus::Proposed;
        self.mentorships.push(mentorship::Model {
            id,
            participant_id: pid(youth),
            mentor_id: demo_id("mentor", m.mentor),
            owner_org_id: org(m.owner),
            status: m.status,
            started_on: (!proposed).then_some(m.started),
            ended_on: m.ended,
            version: 1,
            created_at: at(plus(m.started, -7)),
            updated_at: at(m.ended.unwrap_or(m.started)),
        });
        if proposed {
            return;
        }
        let mut rng = Rng::for_key(&key);
        let end = m.ended.unwrap_or(last_friday());
        let mut on = plus(m.started, 3);
        let mut i = 0;
        while on <= end {
            if !rng.chance(15) {
                self.meetings.push(mentorship_meeting::Model {
                    id: demo_id("mentorship_meeting", &format!("{key}:{i}")),
                    mentorship_id: id,
                    owner_org_id: org(m.owner),
                    met_on: on,
                    minutes: 30 + 15 * rng.below(5) as i32,
                    created_at: at(on),
                    updated_at: at(on),
                });
            }
            i += 1;
            on = plus(on, 28);
        }
    }

    /// Records a dual-enrollment course of a LACHSA student; `owner` is
    /// whoever entered it (the college for its own grades, else the school).
    pub(super) fn course(
        &mut self,
        youth: &str,
        c: &Course,
        term: &str,
        result: DualEnrollmentStatus,
        grade: Option<&str>,
    ) {
        let owner = if c.college == demo::ASU {
            demo::LACHSA
        } else {
            c.college
        };
        let on = term_start(term);
        let done = result != DualEnrollmentStatus::Enrolled;
        let passed = grade.is_some_and(|g| matches!(g.chars().next(), Some('A' | 'B' | 'C')));
        self.dual_enrollments.push(dual_enrollment::Model {
            id: demo_id(
                "dual_enrollment",
                &format!("{youth}:{}:{}:{term}", c.college, c.code),
            ),
            participant_id: pid(youth),
            owner_org_id: org(owner),
            high_school_org_id: org(demo::LACHSA),
            college_org_id: org(c.college),
            course_code: c.code.into(),
            course_title: c.title.into(),
            term: term.into(),
            units_attempted: c.units,
            units_earned: done.then_some(if passed { c.units } else { 0.0 }),
            grade: grade.map(Into::into),
            status: result,
            external_id: None,
            source: "hub".into(),
            version: 1,
            created_at: at(on),
            updated_at: at(if done { plus(on, 120) } else { on }),
        });
    }
}

/// The first day of instruction of a college term.
pub(super) fn term_start(term: &str) -> NaiveDate {
    match term {
        "Fall 2025" => super::d(2025, 8, 25),
        "Spring 2026" => super::d(2026, 2, 9),
        _ => super::d(2026, 8, 24),
    }
}
