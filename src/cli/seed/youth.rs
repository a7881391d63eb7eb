//! The people of the demo: one hub participant per youth, a profile and a
//! link per organization that knows them (spelled the way each partner
//! recorded them), and the consents they signed.

use super::demo;
use super::{Plan, at, demo_id, dt, org, plus};
use crate::people::identity::{match_key, normalize_name};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entity::enums::{
    Category, ConsentStatus, GrantedBy, PriorityPopulation, SharingPurpose, join_set,
};

use entity::{consent, participant, participant_link, participant_profile};
use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;

pub(super) const F: &str = "Female";
pub(super) const M: &str = "Male";
pub(super) const NB: &str = "Non-binary";
pub(super) const LAT: &str = "Hispanic or Latino";
pub(super) const BLK: &str = "Black or African American";
pub(super) const ASN: &str = "Asian";
pub(super) const WHT: &str = "White";
pub(super) const NHPI: &str = "Native Hawaiian or Other Pacific Islander";
pub(super) const AIAN: &str = "American Indian or Alaska Native";
pub(super) const MENA: &str = "Middle Eastern or North African";
pub(super) const MULTI: &str = "Two or more races";

pub(super) use PriorityPopulation::{
    EnglishLearner as EL, FosterYouth as FOSTER, JusticeInvolved as JUSTICE, LowIncome as LOW,
    OpportunityYouth as OPP, Unhoused as UNHOUSED,
};

/// One invented youth, as their first organization recorded them.
pub(super) struct Person {
    pub given: &'static str,
    pub family: &'static str,
    pub preferred: Option<&'static str>,
    pub born: (i32, u32, u32),
    pub gender: &'static str,
    pub race: &'static str,
    pub zip: &'static str,
    pub pops: &'static [PriorityPopulation],
}

/// A person without a preferred name (tables stay one line per youth).
pub(super) const fn p(
    given: &'static str,
    family: &'static str,
    born: (i32, u32, u32),
    gender: &'static str,
    race: &'static str,
    zip: &'static str,
    pops: &'static [PriorityPopulation],
) -> Person {
    Person {
        given,
        family,
        preferred: None,
        born,
        gender,
        race,
        zip,
        pops,
    }
}

impl Person {
    /// The same person with a preferred name.
    pub(super) const fn goes_by(self, preferred: &'static str) -> Person {
        Person {
            preferred: Some(preferred),
            ..self
        }
    }

    pub(super) fn birth_date(&self) -> NaiveDate {
        dt(self.born)
    }

    /// Age in whole years on `on`.
    pub(super) fn age_on(&self, on: NaiveDate) -> i32 {
        let born = self.birth_date();
        let before_birthday = (on.month(), on.day()) < (born.month(), born.day());
        on.year() - born.year() - i32::from(before_birthday)
    }

    /// The parent or guardian who signs for a minor (invented, sharing the
    /// youth's first family name).
    pub(super) fn guardian(&self, n: u32) -> String {
        let given: &[&str] = match self.race {
            LAT => &["Rosa", "Guadalupe", "María", "Carmen"],
            ASN => &["Linh", "Mei", "Sunita", "Grace"],
            _ => &["Michelle", "Denise", "Angela", "Patricia"],
        };
        let family = self.family.split(['-', ' ']).next().unwrap_or(self.family);
        format!("{} {family}", given[n as usize % given.len()])
    }
}

/// The id of a youth's hub participant.
pub(super) fn pid(youth: &str) -> Uuid {
    demo_id("participant", youth)
}

/// A consent a youth (or their guardian) signed.
pub(super) struct Grant {
    pub owner: &'static str,
    pub recipient: Option<&'static str>,
    pub categories: &'static [Category],
    pub purpose: SharingPurpose,
    pub signed: NaiveDate,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Contact numbers use 555-01xx, reserved for fiction.
const AREA_CODES: &[&str] = &["213", "323", "310", "424", "562", "626", "747", "818"];

/// Where a youth moved to, as a second organization recorded it.
const MOVED_TO: &[&str] = &[
    "90008", "90047", "90220", "90255", "90280", "91331", "90032", "93535",
];

/// The name without accents ("José" → "Jose"): how a partner whose system
/// drops them records it.
fn unaccented(name: &str) -> String {
    name.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect()
}

impl Plan {
    /// Registers youth number `n` (1–80): the hub participant and, for each
    /// organization that knows them (with the date it first recorded them),
    /// a profile and a link. Later organizations' records differ the way
    /// partners' records do: accents dropped, another email, a newer postal
    /// code, fields left blank.
    pub(super) fn person(
        &mut self,
        youth: &str,
        n: u32,
        who: &Person,
        known_by: &[(&'static str, NaiveDate)],
    ) {
        let first_seen = known_by
            .iter()
            .map(|(_, on)| *on)
            .min()
            .unwrap_or_else(super::today);
        self.participants.push(participant::Model {
            id: pid(youth),
            match_key: match_key(&self.secret, who.given, who.family, who.birth_date()),
            created_at: at(first_seen),
            updated_at: at(first_seen),
        });
        let email_given = normalize_name(who.given);
        let email_family = normalize_name(who.family);
        let initial = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
        for (k, (slug, seen)) in known_by.iter().enumerate() {
            let (given, family) = match k {
                0 => (who.given.to_owned(), who.family.to_owned()),
                1 => (
                    unaccented(who.given),
                    unaccented(&who.family.replace('-', " ")),
                ),
                _ => (
                    who.preferred.unwrap_or(who.given).to_owned(),
                    who.family.to_owned(),
                ),
            };
            let email = match k {
                0 => Some(format!("{email_given}.{email_family}@example.com")),
                1 => Some(format!(
                    "{email_given}{}{:02}@example.com",
                    initial(&email_family),
                    who.born.0 % 100
                )),
                2 => Some(format!(
                    "{}{email_family}@example.com",
                    initial(&email_given)
                )),
                _ => None,
            };
            let zip = if k == 1 && n.is_multiple_of(3) {
                MOVED_TO[n as usize % MOVED_TO.len()]
            } else {
                who.zip
            };
            let pops = if k == 0 || n.is_multiple_of(2) {
                join_set(who.pops, PriorityPopulation::as_str)
            } else {
                String::new()
            };
            let updated =
                plus(*seen, 30 * k as i64 + i64::from(n % 20)).min(plus(super::today(), -1));
            let minor = who.age_on(*seen) < 18;
            let name = format!("{youth}@{slug}");
            self.profiles.push(participant_profile::Model {
                id: demo_id("participant_profile", &name),
                participant_id: pid(youth),
                org_id: org(slug),
                given_name: given,
                family_name: family,
                preferred_name: if k == 0 {
                    who.preferred.map(Into::into)
                } else {
                    None
                },
                birth_date: Some(who.birth_date()),
                email,
                phone: (k < 2).then(|| {
                    format!(
                        "{}-555-01{:02}",
                        AREA_CODES[n as usize % AREA_CODES.len()],
                        n % 100
                    )
                }),
                postal_code: Some(zip.into()),
                gender: Some(who.gender.into()),
                race_ethnicity: (k < 2).then(|| who.race.into()),
                priority_populations: pops,
                guardian_name: minor.then(|| who.guardian(n)),
                version: 1,
                created_at: at(*seen),
                updated_at: at(updated),
            });
            let prefix = demo::find_org(slug).map_or("HUB", |o| o.id_prefix);
            self.links.push(participant_link::Model {
                id: demo_id("participant_link", &name),
                participant_id: pid(youth),
                org_id: org(slug),
                external_id: format!("{prefix}-{:04}", n * 7 + 5),
                source: "hub".into(),
                created_at: at(*seen),
                updated_at: at(*seen),
            });
        }
    }
    /// Records a consent; a guardian signs for a youth under 18 on the day.
    pub(super) fn consent(&mut self, youth: &str, n: u32, who: &Person, g: Grant) {
        let minor = who.age_on(g.signed) < 18;
        let granted_by = if minor {
            GrantedBy::Guardian
        } else {
            GrantedBy::SelfSigned
        };
        let to = g.recipient.unwrap_or("*");
        self.consents.push(consent::Model {
            id: demo_id("consent", &format!("{youth}:{}>{to}", g.owner)),
            participant_id: pid(youth),
            owner_org_id: org(g.owner),
            recipient_org_id: g.recipient.map(org),
            categories: join_set(g.categories, Category::as_str),
            purpose: g.purpose,
            granted_by: granted_by.as_str().into(),
            guardian_name: minor.then(|| who.guardian(n)),
            signed_on: g.signed,
            expires_on: Some(super::d(2027, 6, 30)),
            status: if g.revoked_at.is_some() {
                ConsentStatus::Revoked
            } else {
                ConsentStatus::Active
            },
            revoked_at: g.revoked_at,
            lapse_settled_on: None,
            reaffirmed_at: None,
            version: 1,
            created_at: at(g.signed),
            updated_at: g.revoked_at.unwrap_or(at(g.signed)),
        });
    }
}
