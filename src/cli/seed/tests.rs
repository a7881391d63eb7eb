use super::*;
use entity::enums::{ConsentStatus, HourKind};
use migration::MigratorTrait;
use sea_orm::{Database, PaginatorTrait};

#[test]
fn demo_ids_are_rfc4122_v5() {
    // Same value as Python's uuid.uuid5(DEMO_NAMESPACE, "organization:wlcac").
    let expected = "084a4e19-cab5-588b-b435-f410d720f3f2";
    assert_eq!(demo_id("organization", "wlcac").to_string(), expected);
    // Same value as Python's uuid.uuid5(DEMO_NAMESPACE, "participant:wlcac"):
    // the kind is part of the name.
    assert_eq!(
        demo_id("participant", "wlcac").to_string(),
        "0f9de16a-9f24-58da-a7ad-d7bfedd2ef80"
    );
    assert_ne!(
        demo_id("organization", "wlcac"),
        demo_id("participant", "wlcac")
    );
    assert_eq!(demo_id("program", "wlcac-mcpp").get_version_num(), 5);
}

#[test]
fn the_demo_tells_a_consistent_story() {
    let plan = Plan::build(b"test-secret");
    assert_eq!(plan.organizations.len(), 22);
    assert_eq!(plan.participants.len(), 80);
    assert!(
        plan.hour_logs.len() < 10_000,
        "{} hour logs",
        plan.hour_logs.len()
    );

    // Everyone is 16–26 today; minors' profiles name a guardian.
    for profile in &plan.profiles {
        let born = profile.birth_date.unwrap_or_default();
        let age = today().years_since(born).unwrap_or_default();
        assert!(
            (16..=26).contains(&age),
            "{} {} is {age}",
            profile.given_name,
            profile.family_name
        );
    }
    let minors = plan
        .profiles
        .iter()
        .filter(|p| p.guardian_name.is_some())
        .count();
    assert!(minors >= 10, "{minors} minors");

    // About a third of the youth are known to two to four partners.
    let mut orgs_per_youth = std::collections::HashMap::new();
    for link in &plan.links {
        *orgs_per_youth.entry(link.participant_id).or_insert(0) += 1;
    }
    let shared = orgs_per_youth.values().filter(|n| **n >= 2).count();
    assert!(
        (24..=40).contains(&shared),
        "{shared} youth known to several partners"
    );
    assert!(orgs_per_youth.values().all(|n| *n <= 4));

    // The finished apprentice logged exactly 2000 h OJT and 144 h RTI, approved.
    let enrollment = demo_id("enrollment", "a2w-01@a2w-ra-dve");
    let sum = |kind| {
        plan.hour_logs
            .iter()
            .filter(|h| h.enrollment_id == enrollment && h.kind == kind && h.approved)
            .map(|h| h.hours)
            .sum::<f64>()
    };
    assert_eq!(sum(HourKind::Ojt), 2000.0);
    assert_eq!(sum(HourKind::Rti), 144.0);

    // Every hour log obeys the rules `logHours` enforces: more than 0 and at
    // most 24 h of one kind a day per enrollment, on or after the start, not
    // in the future.
    let mut per_day = std::collections::HashMap::new();
    for h in &plan.hour_logs {
        assert!(h.hours > 0.0 && h.worked_on <= today(), "{h:?}");
        *per_day
            .entry((h.enrollment_id, h.kind, h.worked_on))
            .or_insert(0.0) += h.hours;
        let e = plan
            .enrollments
            .iter()
            .find(|e| e.id == h.enrollment_id)
            .unwrap();
        assert!(e.started_on.is_some_and(|s| s <= h.worked_on), "{h:?}");
    }
    let busiest = per_day.values().copied().fold(0.0, f64::max);
    assert!(busiest <= 24.0, "{busiest} h on one day");

    // Some of the WLCAC cohort reach the 80 % stipend threshold, some do not.
    let attendance = |youth: &str| {
        let e = demo_id("enrollment", &format!("{youth}@wlcac-mcpp"));
        plan.hour_logs
            .iter()
            .filter(|h| h.enrollment_id == e)
            .map(|h| h.hours)
            .sum::<f64>()
            / 240.0
    };
    let pcts: Vec<f64> = (1..=20)
        .map(|n| attendance(&format!("cohort-{n:02}")))
        .collect();
    assert!(pcts.iter().filter(|p| **p >= 0.8).count() >= 10);
    assert!(pcts.iter().filter(|p| **p < 0.8).count() >= 5);
    assert_eq!(attendance("cohort-15"), 0.8);

    // Consents: guardians sign for minors, one was revoked.
    assert!(
        plan.consents
            .iter()
            .any(|c| c.granted_by == "GUARDIAN" && c.guardian_name.is_some())
    );
    let revoked: Vec<_> = plan
        .consents
        .iter()
        .filter(|c| c.status == ConsentStatus::Revoked)
        .collect();
    assert_eq!(revoked.len(), 1);
    assert!(revoked.iter().all(|c| c.revoked_at.is_some()));

    // Ids are unique within each table.
    fn unique<T>(rows: &[T], id: impl Fn(&T) -> Uuid) -> bool {
        let ids: std::collections::HashSet<_> = rows.iter().map(id).collect();
        ids.len() == rows.len()
    }
    assert!(unique(&plan.profiles, |r| r.id));
    assert!(unique(&plan.enrollments, |r| r.id));
    assert!(unique(&plan.status_changes, |r| r.id));
    assert!(unique(&plan.hour_logs, |r| r.id));
    assert!(unique(&plan.services, |r| r.id));
    assert!(unique(&plan.outcomes, |r| r.id));
    assert!(unique(&plan.credentials, |r| r.id));
    assert!(unique(&plan.consents, |r| r.id));
    assert!(unique(&plan.meetings, |r| r.id));
    assert!(unique(&plan.dual_enrollments, |r| r.id));
    assert!(unique(&plan.attainments, |r| r.id));
}

#[test]
fn demo_users_put_admins_first() {
    let users = demo_users();
    assert_eq!(users[0].subject, "admin@wlcac");
    assert!(
        users
            .iter()
            .any(|u| u.subject == "hub-admin@wlcac" && u.roles == ["hub_admin"])
    );
    assert!(
        users
            .iter()
            .any(|u| u.subject == "funder@cfc" && u.roles == ["evaluator"])
    );
    let first_staff = users
        .iter()
        .position(|u| u.roles == ["staff"])
        .unwrap_or_default();
    let first_youth = users
        .iter()
        .position(|u| u.org_slug.is_empty())
        .unwrap_or_default();
    assert!(
        users[first_staff..first_youth]
            .iter()
            .all(|u| u.roles == ["staff"])
    );
    assert_eq!(first_youth - first_staff, 22);
    // Then the demo youths' own tokens: no organization, no roles.
    assert_eq!(users.len() - first_youth, 2);
    assert!(
        users[first_youth..]
            .iter()
            .all(|u| u.roles.is_empty() && u.org_slug.is_empty())
    );
}

#[tokio::test]
async fn seeding_twice_inserts_nothing_the_second_time() -> Result<(), DbErr> {
    let db = Database::connect("sqlite::memory:").await?;
    migration::Migrator::up(&db, None).await?;
    let first = seed_demo(&db, b"secret").await?;
    assert_eq!(first.organizations, 22);
    assert_eq!(first.participants, 80);
    assert_eq!(first.rows, Plan::build(b"secret").row_count());
    assert_eq!(participant::Entity::find().count(&db).await?, 80);
    let second = seed_demo(&db, b"secret").await?;
    assert_eq!(second, SeedSummary::default());
    assert_eq!(
        hour_log::Entity::find().count(&db).await?,
        Plan::build(b"secret").hour_logs.len() as u64
    );
    Ok(())
}

impl Plan {
    fn row_count(&self) -> u64 {
        let counts = self.table_counts();
        counts.iter().map(|(_, n)| *n as u64).sum()
    }

    fn table_counts(&self) -> Vec<(&'static str, usize)> {
        vec![
            ("organization", self.organizations.len()),
            ("pathway", self.pathways.len()),
            ("competency", self.competencies.len()),
            ("program", self.programs.len()),
            ("program_target", self.program_targets.len()),
            ("mentor", self.mentors.len()),
            ("sharing_agreement", self.agreements.len()),
            ("participant", self.participants.len()),
            ("participant_profile", self.profiles.len()),
            ("participant_account", self.accounts.len()),
            ("account_link_confirmation", self.confirmations.len()),
            ("participant_link", self.links.len()),
            ("consent", self.consents.len()),
            ("enrollment", self.enrollments.len()),
            ("enrollment_status_change", self.status_changes.len()),
            ("hour_log", self.hour_logs.len()),
            ("competency_attainment", self.attainments.len()),
            ("credential", self.credentials.len()),
            ("mentorship", self.mentorships.len()),
            ("mentorship_meeting", self.meetings.len()),
            ("dual_enrollment", self.dual_enrollments.len()),
            ("service", self.services.len()),
            ("outcome", self.outcomes.len()),
        ]
    }
}
