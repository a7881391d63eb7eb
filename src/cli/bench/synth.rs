//! A reproducible synthetic dataset on top of the demo data: N participants
//! spread over the demo programs, about a third known to a second partner,
//! with enrollments, ~10 hour logs each, mentorships and consents.

use chrono::{DateTime, Days, NaiveDate, Utc};
use entity::enums::*;
use entity::{
    consent, enrollment, hour_log, mentor, mentorship, participant, participant_link,
    participant_profile, program,
};
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait, TransactionTrait,
};
use uuid::Uuid;

use crate::ground::error::Result;
use crate::people::identity::match_key;

/// What a synthetic run inserted.
#[derive(Debug, Default, Clone, Copy)]
pub struct SynthSummary {
    pub participants: u64,
    pub hour_logs: u64,
    pub rows: u64,
}

/// xorshift64*: small, fast, and the same sequence for the same seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
    fn uuid(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(
            ((self.next() as u128) << 64 | self.next() as u128).to_le_bytes(),
        )
        .into_uuid()
    }
}

const GIVEN: &[&str] = &[
    "Aaliyah", "Adrián", "Amara", "Andrés", "Brianna", "Carlos", "Daniela", "DeShawn", "Elena",
    "Emilio", "Fatima", "Gabriel", "Imani", "Isaiah", "Jasmine", "Jayden", "Kiara", "Luis",
    "Malik", "María", "Mateo", "Nia", "Omar", "Priya", "Rosa", "Samuel", "Sofía", "Tariq",
    "Valeria", "Xavier", "Yesenia", "Zion",
];
const FAMILY: &[&str] = &[
    "Álvarez",
    "Banks",
    "Castillo",
    "Davis",
    "Espinoza",
    "Flores",
    "García",
    "Hernández",
    "Jackson",
    "Kim",
    "López",
    "Martínez",
    "Nguyen",
    "Ortiz",
    "Pérez",
    "Ramírez",
    "Robinson",
    "Sánchez",
    "Thomas",
    "Torres",
    "Vargas",
    "Washington",
    "Williams",
    "Young",
];
const ZIPS: &[&str] = &[
    "90001", "90002", "90003", "90011", "90022", "90033", "90044", "90059", "90061", "90220",
];

fn day(base: NaiveDate, offset: u64) -> NaiveDate {
    base.checked_add_days(Days::new(offset)).unwrap_or(base)
}

/// Inserts `n` synthetic participants (after the demo data, which this
/// seeds first) with seed `seed`, showing a progress bar on stderr.
pub async fn seed(
    db: &DatabaseConnection,
    match_secret: &[u8],
    n: u64,
    seed: u64,
) -> Result<SynthSummary> {
    crate::cli::seed::seed_demo(db, match_secret).await?;
    let programs = program::Entity::find().all(db).await?;
    let mentors = mentor::Entity::find().all(db).await?;
    let orgs: Vec<Uuid> = programs.iter().map(|p| p.org_id).collect();
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let now: DateTime<Utc> = Utc::now();
    let base = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap_or_default();
    let bar = ProgressBar::new(n);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:40}] {pos}/{len} participants ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("bench seed");
    let mut summary = SynthSummary::default();
    const CHUNK: u64 = 500;
    let mut done = 0;
    while done < n {
        let count = CHUNK.min(n - done);
        let (
            mut people,
            mut profiles,
            mut links,
            mut enrollments,
            mut hours,
            mut pairs,
            mut consents,
        ) = (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
        for i in done..done + count {
            let p = rng.uuid();
            let given = GIVEN[rng.below(GIVEN.len())];
            let family = FAMILY[rng.below(FAMILY.len())];
            let born = day(
                NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default(),
                rng.below(3650) as u64,
            );
            people.push(participant::ActiveModel {
                id: Set(p),
                match_key: Set(match_key(
                    match_secret,
                    given,
                    &format!("{family}{i}"),
                    born,
                )),
                created_at: Set(now),
                updated_at: Set(now),
            });
            let program = &programs[rng.below(programs.len())];
            let mut known = vec![program.org_id];
            if rng.chance(35) {
                let second = orgs[rng.below(orgs.len())];
                if second != program.org_id {
                    known.push(second);
                }
            }
            for (k, org) in known.iter().enumerate() {
                profiles.push(participant_profile::ActiveModel {
                    id: Set(rng.uuid()),
                    participant_id: Set(p),
                    org_id: Set(*org),
                    given_name: Set(given.to_owned()),
                    family_name: Set(family.to_owned()),
                    preferred_name: Set(None),
                    birth_date: Set(Some(born)),
                    email: Set(Some(format!("youth{i}@example.com"))),
                    phone: Set(Some(format!("555-01{:02}", i % 100))),
                    postal_code: Set(Some(ZIPS[rng.below(ZIPS.len())].to_owned())),
                    gender: Set(None),
                    race_ethnicity: Set(None),
                    priority_populations: Set(if rng.chance(40) {
                        "OPPORTUNITY_YOUTH".into()
                    } else {
                        String::new()
                    }),
                    guardian_name: Set(None),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                });
                links.push(participant_link::ActiveModel {
                    id: Set(rng.uuid()),
                    participant_id: Set(p),
                    org_id: Set(*org),
                    external_id: Set(format!("SYN-{seed}-{i}-{k}")),
                    source: Set("bench".into()),
                    created_at: Set(now),
                    updated_at: Set(now),
                });
            }
            let e = rng.uuid();
            let started = day(base, rng.below(200) as u64);
            enrollments.push(enrollment::ActiveModel {
                id: Set(e),
                participant_id: Set(p),
                program_id: Set(program.id),
                owner_org_id: Set(program.org_id),
                status: Set(EnrollmentStatus::Active),
                applied_on: Set(started),
                started_on: Set(Some(started)),
                exited_on: Set(None),
                exit_reason: Set(None),
                external_id: Set(None),
                source: Set("bench".into()),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            });
            let kinds: &[HourKind] = match program.kind {
                ProgramKind::RegisteredApprenticeship | ProgramKind::PreApprenticeship => {
                    &[HourKind::Ojt, HourKind::Rti]
                }
                _ => &[HourKind::Attendance],
            };
            for h in 0..10u64 {
                hours.push(hour_log::ActiveModel {
                    id: Set(rng.uuid()),
                    enrollment_id: Set(e),
                    owner_org_id: Set(program.org_id),
                    kind: Set(kinds[rng.below(kinds.len())]),
                    worked_on: Set(day(started, h * 7)),
                    hours: Set(2.0 + rng.below(7) as f64),
                    logged_by: Set("bench".into()),
                    approved: Set(rng.chance(85)),
                    approved_by: Set(None),
                    approved_at: Set(None),
                    external_id: Set(None),
                    source: Set("bench".into()),
                    created_at: Set(now),
                    updated_at: Set(now),
                });
            }
            if !mentors.is_empty() && rng.chance(30) {
                pairs.push(mentorship::ActiveModel {
                    id: Set(rng.uuid()),
                    participant_id: Set(p),
                    mentor_id: Set(mentors[rng.below(mentors.len())].id),
                    owner_org_id: Set(program.org_id),
                    status: Set(MentorshipStatus::Active),
                    started_on: Set(Some(started)),
                    ended_on: Set(None),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                });
            }
            if rng.chance(70) {
                consents.push(consent::ActiveModel {
                    id: Set(rng.uuid()),
                    participant_id: Set(p),
                    owner_org_id: Set(program.org_id),
                    recipient_org_id: Set(None),
                    categories: Set(join_set(Category::all(), Category::as_str)),
                    purpose: Set(SharingPurpose::ServiceCoordination),
                    granted_by: Set("SELF".into()),
                    guardian_name: Set(None),
                    signed_on: Set(started),
                    expires_on: Set(None),
                    status: Set(ConsentStatus::Active),
                    revoked_at: Set(None),
                    lapse_settled_on: Set(None),
                    reaffirmed_at: Set(None),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                });
            }
        }
        summary.rows += (people.len()
            + profiles.len()
            + links.len()
            + enrollments.len()
            + hours.len()
            + pairs.len()
            + consents.len()) as u64;
        summary.hour_logs += hours.len() as u64;
        let txn = db.begin().await?;
        participant::Entity::insert_many(people)
            .exec_without_returning(&txn)
            .await?;
        for batch in profiles.chunks(1000) {
            participant_profile::Entity::insert_many(batch.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        for batch in links.chunks(1000) {
            participant_link::Entity::insert_many(batch.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        enrollment::Entity::insert_many(enrollments)
            .exec_without_returning(&txn)
            .await?;
        for batch in hours.chunks(1000) {
            hour_log::Entity::insert_many(batch.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        if !pairs.is_empty() {
            mentorship::Entity::insert_many(pairs)
                .exec_without_returning(&txn)
                .await?;
        }
        if !consents.is_empty() {
            consent::Entity::insert_many(consents)
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        done += count;
        summary.participants += count;
        bar.set_position(done);
    }
    bar.finish();
    // Who may list whom, as the hub keeps it: one pass over everything.
    let txn = crate::ground::db::begin_write(db).await?;
    crate::policy::listing::refresh(&txn, crate::policy::listing::Touched::Everyone).await?;
    txn.commit().await?;
    // Fresh statistics, as autovacuum would gather them after a bulk load;
    // without them the planner misjudges the policy's sub-queries.
    db.execute_unprepared("ANALYZE").await?;
    Ok(summary)
}
