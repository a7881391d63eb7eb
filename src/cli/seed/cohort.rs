//! WLCAC's Media Career Pathways Prototype: a cohort of 20 youth (16–26) in
//! Watts, with Arts2Work's Creative Studio and HOLA's Leadership Enrichment
//! Program alongside, mentors, wraparound services, equipment, and a stipend
//! for attending at least 80 % of the program.

use super::credentials::*;
use super::demo::{A2W, HARDER, HOLA, WLCAC};
use super::programs::{
    A2W_RA_DVE, A2W_RA_GD, A2W_RA_MMP, A2W_STUDIO, HOLA_LEP, ProgramDef, WLCAC_MCPP,
};

use super::records::*;
use super::youth::*;
use super::{Plan, Rng, at, d, dt, plus};
use chrono::Duration;
use entity::enums::{
    Category, EnrollmentStatus, HourKind, MentorshipStatus, OutcomeKind, ServiceKind,
    SharingPurpose,
};

use std::collections::BTreeSet;

/// What a youth did after the cohort.
enum Next {
    Stay,
    /// Applied to an Arts2Work registered apprenticeship; where it stands.
    Apprenticeship(&'static ProgramDef, EnrollmentStatus),
    School(&'static str),
    Job(Detail),
}

/// What the youth agreed to share.
enum Share {
    /// With every partner WLCAC's agreements name (Arts2Work, HOLA, Harder+Co).
    All,
    /// With Arts2Work and the evaluator only: HOLA sees just its own records.
    A2wAndEvaluator,
    /// Signed, then revoked after leaving the program.
    Revoked,
    /// Never signed.
    Nothing,
}

struct Youth {
    p: Person,
    also: &'static [&'static str],
    /// Weeks attended (6 h each) of the 40 scheduled.
    attended: u32,
    /// Week in which the youth left the program, and why.
    left: Option<(u32, &'static str)>,
    next: Next,
    share: Share,
}

use EnrollmentStatus::{Accepted, Active, Applied, Completed, Interviewed, Withdrawn};
use Next::{Apprenticeship, Job, School, Stay};
use Share::{A2wAndEvaluator, All, Nothing, Revoked};

#[rustfmt::skip]
const COHORT: &[Youth] = &[
    Youth { p: p("José", "Hernández", (2003, 3, 14), M, LAT, "90002", &[FOSTER, LOW]), also: &[A2W, HOLA], attended: 38, left: None, next: Apprenticeship(&A2W_RA_DVE, Interviewed), share: All },
    Youth { p: p("Ana Lucía", "Peña-Ruiz", (2005, 7, 22), F, LAT, "90059", &[OPP, LOW]), also: &[A2W], attended: 36, left: None, next: Apprenticeship(&A2W_RA_GD, Applied), share: All },
    Youth { p: p("DeShawn", "Carter", (2002, 11, 2), M, BLK, "90061", &[JUSTICE, LOW]), also: &[HOLA], attended: 33, left: None, next: Job(Detail::job("WLCAC Media Lab", "Production Assistant", 2050)), share: All },
    Youth { p: p("Imani", "Okafor", (2006, 1, 30), F, BLK, "90044", &[LOW]), also: &[A2W, HOLA], attended: 40, left: None, next: School("Los Angeles Southwest College"), share: A2wAndEvaluator },
    Youth { p: p("Kevin", "Nguyen", (2004, 9, 9), M, ASN, "90003", &[OPP]), also: &[], attended: 29, left: None, next: Stay, share: Nothing },
    Youth { p: p("Yesenia", "Morales", (2009, 1, 18), F, LAT, "90001", &[FOSTER, LOW]), also: &[HOLA], attended: 35, left: None, next: Stay, share: All },
    Youth { p: p("Malik", "Johnson", (2001, 12, 5), M, BLK, "90002", &[UNHOUSED, JUSTICE]), also: &[A2W], attended: 14, left: Some((17, "Housing instability; moved to a shelter outside the area")), next: Stay, share: Revoked },
    Youth { p: p("Jasmine", "Reyes-Washington", (2005, 2, 11), F, MULTI, "90047", &[LOW]).goes_by("Jazz"), also: &[], attended: 37, left: None, next: Job(Detail::job("Crenshaw Cutting Room", "Assistant Editor", 2200)), share: Nothing },
    Youth { p: p("Luis Alberto", "Gómez", (2003, 6, 27), M, LAT, "90222", &[OPP, LOW]), also: &[A2W], attended: 39, left: None, next: Apprenticeship(&A2W_RA_MMP, Accepted), share: All },
    Youth { p: p("Tiana", "Brooks", (2008, 5, 3), F, BLK, "90059", &[FOSTER]), also: &[HOLA], attended: 33, left: None, next: Stay, share: Nothing },
    Youth { p: p("Brian", "Castillo", (2006, 10, 21), M, LAT, "90262", &[LOW]), also: &[], attended: 24, left: None, next: Stay, share: Nothing },
    Youth { p: p("Aaliyah", "Thompson", (2004, 8, 15), F, BLK, "90061", &[UNHOUSED, LOW]), also: &[A2W, HOLA], attended: 34, left: None, next: Job(Detail::job("South Central Media Collective", "Social Media Assistant", 1950)), share: All },
    Youth { p: p("Marco Antonio", "Ruiz", (2002, 1, 19), M, LAT, "90280", &[JUSTICE]), also: &[], attended: 9, left: Some((11, "Took a full-time warehouse job")), next: Stay, share: Nothing },
    Youth { p: p("Keanu", "Fifita", (2005, 12, 1), M, NHPI, "90220", &[LOW]), also: &[], attended: 31, left: None, next: Stay, share: Nothing },
    Youth { p: p("Destiny", "Williams", (2007, 9, 25), F, BLK, "90002", &[OPP, FOSTER]), also: &[HOLA], attended: 32, left: None, next: School("Los Angeles Trade-Technical College"), share: All },
    Youth { p: p("Giselle", "Ortega", (2000, 12, 12), F, LAT, "90011", &[LOW]), also: &[], attended: 38, left: None, next: School("Los Angeles Trade-Technical College"), share: Nothing },
    Youth { p: p("Xavier", "Bautista", (2006, 3, 8), M, ASN, "90044", &[LOW]), also: &[A2W], attended: 30, left: None, next: Stay, share: A2wAndEvaluator },
    Youth { p: p("Naomi", "Tesfaye", (2005, 5, 16), F, BLK, "90043", &[OPP]), also: &[], attended: 36, left: None, next: Job(Detail::job("Leimert Park Sound Studio", "Studio Assistant", 1900)), share: Nothing },
    Youth { p: p("Jorge Luis", "Villaseñor", (2004, 2, 29), M, AIAN, "90003", &[UNHOUSED]), also: &[HOLA], attended: 20, left: Some((24, "Moved to supportive housing in Palmdale")), next: Stay, share: Nothing },
    Youth { p: p("Sofía", "Alvarado", (2009, 4, 11), F, LAT, "90001", &[LOW, EL]), also: &[A2W, HOLA], attended: 39, left: None, next: Stay, share: All },
];

/// What WLCAC's broad consent covers.
const EVERYTHING: &[Category] = &[
    Category::Identity,
    Category::Contact,
    Category::Enrollment,
    Category::Progress,
    Category::Credentials,
    Category::Services,
    Category::Outcomes,
];

/// Mentors WLCAC connects cohort youth with, in turn.
const MENTORS: &[&str] = &[
    "m-a2w-greene",
    "m-a2w-villanueva",
    "m-800-cho",
    "m-695-salcedo",
];

/// Industry certifications cohort youth sat, by their media track.
const CERTS: &[&Cred] = &[
    &ACP_PREMIERE,
    &ACP_AFTER_EFFECTS,
    &ACP_PHOTOSHOP,
    &AVID_PRO_TOOLS,
];

impl Plan {
    /// The WLCAC cohort: youth `cohort-01` … `cohort-20`.
    pub(super) fn cohort(&mut self) {
        for (i, y) in COHORT.iter().enumerate() {
            let n = i as u32 + 1;
            self.cohort_youth(&format!("cohort-{n:02}"), n, y);
        }
    }

    fn cohort_youth(&mut self, youth: &str, n: u32, y: &Youth) {
        let mut rng = Rng::for_key(youth);
        let applied = plus(d(2025, 11, 3), i64::from(n) * 2);
        let start = dt(WLCAC_MCPP.starts);
        let weeks = y.left.map_or(40, |(week, _)| week);
        let exit = plus(start, 4 + 7 * (i64::from(weeks) - 1));
        let knows = |slug: &str| y.also.contains(&slug);
        let ra_applied = plus(d(2026, 10, 19), i64::from(n));

        let mut known = vec![(WLCAC, applied)];
        if knows(A2W) {
            known.push((A2W, d(2026, 1, 20)));
        } else if matches!(y.next, Apprenticeship(..)) {
            known.push((A2W, ra_applied));
        }
        if knows(HOLA) {
            known.push((HOLA, d(2026, 1, 26)));
        }
        self.person(youth, n, &y.p, &known);

        let status = if y.left.is_some() {
            Withdrawn
        } else {
            Completed
        };
        let reason = y.left.map(|(_, why)| why);
        let stint = Stint {
            applied,
            started: Some(start),
            exited: Some(exit),
            status,
            reason,
        };
        let e = self.enroll(youth, &WLCAC_MCPP, stint);
        let mut missed = BTreeSet::new();
        while missed.len() < weeks.saturating_sub(y.attended) as usize {
            missed.insert(rng.below(u64::from(weeks)) as usize);
        }
        let fridays = e.fridays(40);
        let attended = fridays
            .into_iter()
            .enumerate()
            .filter(|(w, _)| !missed.contains(w));
        self.hours(&e, HourKind::Attendance, attended.map(|(_, f)| (f, 6.0)));

        // Wraparound services: equipment for everyone, transit for those
        // without a stable address, healing-centered counseling, the stipend.
        self.serve(youth, WLCAC, ServiceKind::Equipment, start, Some(129_900));
        if y.p.pops.iter().any(|p| matches!(p, UNHOUSED | FOSTER)) {
            for month in [2, 3, 4] {
                let on = d(2026, month, 2);
                if on <= exit {
                    self.serve(youth, WLCAC, ServiceKind::Transportation, on, Some(5_000));
                }
            }
        }
        if n.is_multiple_of(3) {
            self.serve(youth, WLCAC, ServiceKind::Counseling, plus(start, 21), None);
        }
        if knows(HOLA) && n % 2 == 1 {
            self.serve(youth, HOLA, ServiceKind::MentalHealth, d(2026, 3, 14), None);
        }
        let completed = y.left.is_none();
        if completed && y.attended * 100 >= 80 * 40 {
            self.serve(
                youth,
                WLCAC,
                ServiceKind::Stipend,
                d(2026, 10, 30),
                Some(150_000),
            );
        }

        if y.attended >= 10 {
            let status = match (y.left, n % 3) {
                (Some(_), _) | (None, 0) => MentorshipStatus::Ended,
                _ => MentorshipStatus::Active,
            };
            let ended = (status == MentorshipStatus::Ended).then_some(exit);
            let mentor = MENTORS[n as usize % MENTORS.len()];
            self.mentor(
                youth,
                Pairing {
                    mentor,
                    owner: WLCAC,
                    status,
                    started: d(2026, 2, 9),
                    ended,
                },
            );
        }
        if completed {
            self.award(youth, WLCAC, &WLCAC_CERT, d(2026, 10, 23));
            if y.attended >= 32 && n % 2 == 1 {
                let cert = CERTS[(n as usize / 2) % CERTS.len()];
                self.award(youth, WLCAC, cert, plus(d(2026, 9, 11), i64::from(n)));
            }
        }

        if knows(A2W) {
            let (status, exited) = if y.left.is_some() {
                (Withdrawn, Some(exit))
            } else {
                (Active, None)
            };
            let stint = Stint {
                applied: d(2026, 1, 20),
                started: Some(d(2026, 2, 2)),
                exited,
                status,
                reason,
            };
            self.enroll(youth, &A2W_STUDIO, stint);
        }
        if knows(HOLA) {
            self.hola(youth, &mut rng, exit, reason);
        }
        match &y.next {
            Stay => {}
            Apprenticeship(program, status) => {
                let stint = Stint {
                    applied: ra_applied,
                    started: None,
                    exited: None,
                    status: *status,
                    reason: None,
                };
                self.enroll(youth, program, stint);
            }
            School(name) => {
                self.outcome(
                    youth,
                    WLCAC,
                    OutcomeKind::PostsecondaryEnrolled,
                    d(2026, 10, 26),
                    Detail::school(name),
                );
            }
            Job(job) => self.outcome(youth, WLCAC, OutcomeKind::Employed, d(2026, 11, 2), *job),
        }
        self.cohort_consents(youth, n, y);
    }

    /// HOLA's Leadership Enrichment Program: 18 Saturday sessions of 2 h.
    fn hola(
        &mut self,
        youth: &str,
        rng: &mut Rng,
        left_wlcac: chrono::NaiveDate,
        reason: Option<&'static str>,
    ) {
        let ends = dt(HOLA_LEP.ends);
        let (status, exited) = if left_wlcac < ends {
            (Withdrawn, left_wlcac)
        } else {
            (Completed, ends)
        };
        let stint = Stint {
            applied: d(2026, 1, 26),
            started: Some(dt(HOLA_LEP.starts)),
            exited: Some(exited),
            status,
            reason: if status == Withdrawn { reason } else { None },
        };
        let e = self.enroll(youth, &HOLA_LEP, stint);
        let saturdays: Vec<_> = (0..18)
            .map(|w| dt(HOLA_LEP.starts) + Duration::weeks(w))
            .filter(|on| *on <= exited)
            .filter(|_| !rng.chance(12))
            .map(|on| (on, 2.0))
            .collect();
        self.hours(&e, HourKind::Attendance, saturdays);
    }

    fn cohort_consents(&mut self, youth: &str, n: u32, y: &Youth) {
        let signed = dt(WLCAC_MCPP.starts);
        let grant = |owner: &'static str,
                     recipient: Option<&'static str>,
                     categories: &'static [Category],
                     purpose: SharingPurpose| Grant {
            owner,
            recipient,
            categories,
            purpose,
            signed,
            revoked_at: None,
        };
        let coordination = SharingPurpose::ServiceCoordination;
        match y.share {
            All => {
                self.consent(youth, n, &y.p, grant(WLCAC, None, EVERYTHING, coordination));
                if y.also.contains(&A2W) {
                    let cats = &[
                        Category::Identity,
                        Category::Enrollment,
                        Category::Progress,
                        Category::Credentials,
                    ];
                    let g = Grant {
                        signed: d(2026, 1, 26),
                        ..grant(A2W, Some(WLCAC), cats, coordination)
                    };
                    self.consent(youth, n, &y.p, g);
                }
            }
            A2wAndEvaluator => {
                let cats = &[
                    Category::Identity,
                    Category::Contact,
                    Category::Enrollment,
                    Category::Services,
                ];
                self.consent(youth, n, &y.p, grant(WLCAC, Some(A2W), cats, coordination));
                self.consent(
                    youth,
                    n,
                    &y.p,
                    grant(WLCAC, Some(HARDER), EVERYTHING, SharingPurpose::Evaluation),
                );
            }
            Revoked => {
                let revoked_at = Some(at(d(2026, 5, 20)) + Duration::minutes(90));
                self.consent(
                    youth,
                    n,
                    &y.p,
                    Grant {
                        revoked_at,
                        ..grant(WLCAC, None, EVERYTHING, coordination)
                    },
                );
            }
            Nothing => {}
        }
    }
}
