//! Demo data: the five real LA County programs of the seed documents, peopled
//! with about 80 invented youth, so that every query, rule and report of the
//! hub has something true-to-life to show.
//!
//! * WLCAC's Media Career Pathways Prototype with Arts2Work, HOLA and the
//!   evaluator Harder+Co (`cohort.rs`);
//! * Arts2Work's registered apprenticeship and pre-apprenticeship
//!   (`apprentice.rs`);
//! * LACHSA's Stagecraft and Video Production pathways with dual enrollment at
//!   ELAC, Cal State LA and ASU (`lachsa.rs`);
//! * the California Film Commission's Career Pathways (Hollywood CPR with West
//!   LA College and the IATSE locals, Manifest Works) and SpaceLA's paid
//!   internships (`crafts.rs`).
//!
//! Seeding is idempotent: every row has a deterministic id ([`demo_id`]), every
//! date and timestamp is a constant, variety comes from a PRNG seeded per
//! youth, and every insert is `ON CONFLICT (id) DO NOTHING`, so a second run
//! inserts nothing and changes nothing.
//!
//! Ids are `demo_id(table, name)`. Names: an organization's slug, a pathway's
//! code, a program's key (`wlcac-mcpp`, `a2w-ra-dve`, `lachsa-video`, …), a
//! mentor's key (`m-600-trevino`, …), a youth's key (`cohort-01`…`cohort-20`,
//! `a2w-01`…`a2w-12`, `lachsa-01`…`lachsa-20`, `hcpr-01`…`hcpr-12`,
//! `mw-01`…`mw-08`, `spacela-01`…`spacela-08`); rows about a youth at an
//! organization or program are `<youth>@<org or program key>`, e.g.
//! `demo_id("participant_profile", "cohort-01@hola")` or
//! `demo_id("enrollment", "a2w-01@a2w-ra-dve")`.

mod apprentice;
mod cohort;
mod crafts;
mod credentials;
mod demo;
mod lachsa;
mod programs;
mod records;
mod youth;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{
    account_link_confirmation, competency, competency_attainment, consent, credential,
    dual_enrollment, enrollment, enrollment_status_change, hour_log, mentor, mentorship,
    mentorship_meeting, organization, outcome, participant, participant_account, participant_link,
    participant_profile, pathway, program, program_target, service, sharing_agreement,
};

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, IntoActiveModel, Iterable,
    PrimaryKeyToColumn, TransactionTrait,
};

use uuid::Uuid;

/// What one seeding run inserted (0 everywhere on a second run).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeedSummary {
    /// Organizations inserted.
    pub organizations: u64,
    /// Participants (hub ids) inserted.
    pub participants: u64,
    /// All rows inserted, every table.
    pub rows: u64,
}

/// A demo user to mint a token for.
#[derive(Debug, Clone)]
pub struct DemoUser {
    /// The JWT `sub`, e.g. `staff@wlcac`.
    pub subject: String,
    /// The JWT `org`: the organization's slug.
    pub org_slug: String,
    /// The JWT `roles`.
    pub roles: Vec<String>,
    /// Who this is, for people, e.g. "WLCAC staff".
    pub label: String,
}

/// Seeds the demo data in one transaction and reports what was new.
///
/// `match_secret` is the configured identity secret, so that the demo
/// participants' match keys agree with those the running hub computes and a
/// partner creating one of them again lands on the same hub id.
pub async fn seed_demo(db: &DatabaseConnection, match_secret: &[u8]) -> Result<SeedSummary, DbErr> {
    let plan = Plan::build(match_secret);
    let txn = db.begin().await?;
    let summary = plan.insert(&txn).await?;
    txn.commit().await?;
    Ok(summary)
}

/// The demo users: admins, the hub admin and the evaluators first, then one
/// staff user per organization.
pub fn demo_users() -> Vec<DemoUser> {
    let user = |subject: String, slug: &str, roles: &[&str], label: String| DemoUser {
        subject,
        org_slug: slug.to_owned(),
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        label,
    };
    let mut users: Vec<DemoUser> = demo::ADMIN_ORGS
        .iter()
        .map(|slug| {
            let label = format!("{} admin", demo::short_name(slug));
            user(
                format!("admin@{slug}"),
                slug,
                &["staff", "org_admin"],
                label,
            )
        })
        .collect();
    users.push(user(
        "hub-admin@wlcac".into(),
        demo::WLCAC,
        &["hub_admin"],
        "Hub administrator (at WLCAC)".into(),
    ));
    users.push(user(
        "evaluator@harder-co".into(),
        demo::HARDER,
        &["evaluator"],
        "Harder+Co evaluator".into(),
    ));
    users.push(user(
        "funder@cfc".into(),
        demo::CFC,
        &["evaluator"],
        "California Film Commission (funder, reports only)".into(),
    ));
    users.extend(demo::ORGS.iter().map(|o| {
        user(
            format!("staff@{}", o.slug),
            o.slug,
            &["staff"],
            format!("{} staff", o.short),
        )
    }));
    // Youths' own tokens: no organization; the demo links each to a record.
    users.extend(DEMO_YOUTH.iter().enumerate().map(|(i, subject)| {
        user(
            (*subject).to_owned(),
            "",
            &[],
            format!("Demo youth {} (own record, /me)", i + 1),
        )
    }));
    users
}

/// The subjects of the demo youths' own tokens, linked by the seed to the
/// first two youths of the demo (see `Plan::youth_accounts`).
pub const DEMO_YOUTH: [&str; 2] = ["youth-1@demo", "youth-2@demo"];

/// The namespace of demo ids, fixed forever: changing it would make a second
/// seeding of an existing database insert everything again.
const DEMO_NAMESPACE: Uuid = Uuid::from_u128(0x6a1f_3c52_9d4e_4b7a_8c20_5e19_d7b3_a604);

/// Deterministic id of a demo row: Uuid v5 over a fixed namespace and
/// `kind:name` (kind is the table, e.g. `demo_id("organization", "wlcac")`).
pub fn demo_id(kind: &str, name: &str) -> Uuid {
    Uuid::new_v5(&DEMO_NAMESPACE, format!("{kind}:{name}").as_bytes())
}

/// A calendar date of the demo; every one is valid, the fallback only keeps
/// the code free of panics.
fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

/// A date given as a `(year, month, day)` tuple, as the data tables write it.
fn dt((y, m, day): (i32, u32, u32)) -> NaiveDate {
    d(y, m, day)
}

/// `date` plus `n` days.
fn plus(date: NaiveDate, n: i64) -> NaiveDate {
    date + Duration::days(n)
}

/// 17:00 UTC (morning in Los Angeles) on `date`: when a record of that day
/// was entered, so timestamps are constants yet follow the story.
fn at(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(17, 0, 0).unwrap_or_default().and_utc()
}

/// The demo's "today" (records stop here; agreements and consents are judged
/// against it).
fn today() -> NaiveDate {
    d(2026, 11, 25)
}

/// The last Friday before [`today`]: the last week any hours are logged for.
fn last_friday() -> NaiveDate {
    d(2026, 11, 20)
}

/// When the directory (organizations, pathways, programs…) was set up.
fn directory_at() -> DateTime<Utc> {
    at(d(2025, 6, 2))
}

/// The id of an organization by slug.
fn org(slug: &str) -> Uuid {
    demo_id("organization", slug)
}

/// A small xorshift64* generator, seeded per youth: variety (missed weeks,
/// grades, meeting lengths) without two runs ever differing, and without one
/// youth's draws shifting when another youth's data is edited.
struct Rng(u64);

impl Rng {
    /// A generator seeded from `key` (FNV-1a), never zero.
    fn for_key(key: &str) -> Self {
        let mut h: u64 = 0xCBF2_9CE4_8422_2325;
        for b in key.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01B3);
        }
        Self(h | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// True `pct` percent of the time.
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

/// Every row of the demo, built in memory first so that inserting is a plain
/// sequence of batches, parents before children.
#[derive(Default)]
struct Plan {
    secret: Vec<u8>,
    organizations: Vec<organization::Model>,
    pathways: Vec<pathway::Model>,
    competencies: Vec<competency::Model>,
    programs: Vec<program::Model>,
    program_targets: Vec<program_target::Model>,
    mentors: Vec<mentor::Model>,
    agreements: Vec<sharing_agreement::Model>,
    participants: Vec<participant::Model>,
    profiles: Vec<participant_profile::Model>,
    accounts: Vec<participant_account::Model>,
    confirmations: Vec<account_link_confirmation::Model>,
    links: Vec<participant_link::Model>,
    consents: Vec<consent::Model>,
    enrollments: Vec<enrollment::Model>,
    status_changes: Vec<enrollment_status_change::Model>,
    hour_logs: Vec<hour_log::Model>,
    attainments: Vec<competency_attainment::Model>,
    credentials: Vec<credential::Model>,
    mentorships: Vec<mentorship::Model>,
    meetings: Vec<mentorship_meeting::Model>,
    dual_enrollments: Vec<dual_enrollment::Model>,
    services: Vec<service::Model>,
    outcomes: Vec<outcome::Model>,
}

/// Rows per INSERT: far below SQLite's bound-variable limit for the widest
/// table, and small enough for PostgreSQL's too.
const BATCH: usize = 200;

impl Plan {
    fn build(secret: &[u8]) -> Self {
        let mut plan = Plan {
            secret: secret.to_vec(),
            ..Plan::default()
        };
        plan.directory();
        plan.cohort();
        plan.apprentices();
        plan.lachsa();
        plan.crafts();
        plan.youth_accounts();
        plan
    }

    /// The demo youths' accounts: the first two youths with a profile, each
    /// linked by an admin of the organization that keeps that profile.
    fn youth_accounts(&mut self) {
        let mut seen = Vec::new();
        for profile in &self.profiles {
            if seen.len() == DEMO_YOUTH.len() {
                break;
            }
            if seen.iter().any(|(p, _)| *p == profile.participant_id) {
                continue;
            }
            seen.push((profile.participant_id, profile.org_id));
        }
        for (subject, (participant, org)) in DEMO_YOUTH.iter().zip(seen) {
            let slug = self
                .organizations
                .iter()
                .find(|o| o.id == org)
                .map_or("demo", |o| o.slug.as_str());
            let at = self
                .participants
                .iter()
                .find(|p| p.id == participant)
                .map_or_else(Utc::now, |p| p.created_at);
            // The first youth's link is confirmed by every other
            // organization that keeps their profile (they see their whole
            // record); the second's reaches what its issuer may read.
            if *subject == DEMO_YOUTH[0] {
                let holders: Vec<Uuid> = self
                    .profiles
                    .iter()
                    .filter(|p| p.participant_id == participant && p.org_id != org)
                    .map(|p| p.org_id)
                    .collect();
                for holder in holders {
                    self.confirmations.push(account_link_confirmation::Model {
                        id: demo_id("account_link_confirmation", &format!("{subject}:{holder}")),
                        account_id: demo_id("participant_account", subject),
                        participant_id: participant,
                        org_id: Some(holder),
                        confirmed_by: "admin@demo".to_owned(),
                        confirmed_at: at,
                        created_at: at,
                        updated_at: at,
                    });
                }
            }
            self.accounts.push(participant_account::Model {
                id: demo_id("participant_account", subject),
                subject: (*subject).to_owned(),
                participant_id: participant,
                linked_org_id: org,
                linked_by: format!("admin@{slug}"),
                linked_at: at,
                created_at: at,
                updated_at: at,
            });
        }
    }

    /// Inserts every table, parents first (foreign keys are enforced).
    async fn insert(self, txn: &DatabaseTransaction) -> Result<SeedSummary, DbErr> {
        let organizations = insert::<organization::Entity>(txn, self.organizations).await?;
        let mut rows = organizations;
        rows += insert::<pathway::Entity>(txn, self.pathways).await?;
        rows += insert::<competency::Entity>(txn, self.competencies).await?;
        rows += insert::<program::Entity>(txn, self.programs).await?;
        rows += insert::<program_target::Entity>(txn, self.program_targets).await?;
        rows += insert::<mentor::Entity>(txn, self.mentors).await?;
        let agreements = insert::<sharing_agreement::Entity>(txn, self.agreements).await?;
        rows += agreements;
        let participants = insert::<participant::Entity>(txn, self.participants).await?;
        rows += participants;
        let profiles = insert::<participant_profile::Entity>(txn, self.profiles).await?;
        rows += profiles;
        rows += insert::<participant_account::Entity>(txn, self.accounts).await?;
        rows += insert::<account_link_confirmation::Entity>(txn, self.confirmations).await?;
        rows += insert::<participant_link::Entity>(txn, self.links).await?;
        let consents = insert::<consent::Entity>(txn, self.consents).await?;
        rows += consents;
        rows += insert::<enrollment::Entity>(txn, self.enrollments).await?;
        rows += insert::<enrollment_status_change::Entity>(txn, self.status_changes).await?;
        rows += insert::<hour_log::Entity>(txn, self.hour_logs).await?;
        rows += insert::<competency_attainment::Entity>(txn, self.attainments).await?;
        rows += insert::<credential::Entity>(txn, self.credentials).await?;
        rows += insert::<mentorship::Entity>(txn, self.mentorships).await?;
        rows += insert::<mentorship_meeting::Entity>(txn, self.meetings).await?;
        rows += insert::<dual_enrollment::Entity>(txn, self.dual_enrollments).await?;
        rows += insert::<service::Entity>(txn, self.services).await?;
        rows += insert::<outcome::Entity>(txn, self.outcomes).await?;
        // Who may list whom, when the seed added anything that moves it (a
        // second seed of the same database adds nothing: no rebuild).
        if agreements + profiles + consents > 0 {
            crate::policy::listing::refresh(txn, crate::policy::listing::Touched::Everyone).await?;
        }
        Ok(SeedSummary {
            organizations,
            participants,
            rows,
        })
    }
}

/// Inserts `models` in batches, skipping any whose id already exists, and
/// returns how many rows were new.
async fn insert<E>(txn: &DatabaseTransaction, models: Vec<E::Model>) -> Result<u64, DbErr>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    let mut inserted = 0;
    for chunk in models.chunks(BATCH) {
        // Every table's primary key is its `id` column.
        let on_conflict = OnConflict::columns(E::PrimaryKey::iter().map(|k| k.into_column()))
            .do_nothing()
            .to_owned();
        inserted += E::insert_many(
            chunk
                .iter()
                .cloned()
                .map(IntoActiveModel::into_active_model),
        )
        .on_conflict(on_conflict)
        .exec_without_returning(txn)
        .await?;
    }
    Ok(inserted)
}

#[cfg(test)]
mod tests;
