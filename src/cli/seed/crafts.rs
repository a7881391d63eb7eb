//! The California Film Commission's Career Pathways (Hollywood CPR's craft
//! training with West LA College, union-member mentors and union membership
//! as the goal; Manifest Works' 12-week training for youth impacted by foster
//! care, homelessness and incarceration) and SpaceLA's paid internships.

use super::credentials::*;
use super::demo::{HCPR, MW, SPACELA, WLAC, WLCAC};
use super::programs::{
    HCPR_CAMERA, HCPR_LIGHTING, HCPR_SOUND, MW_12WEEK, ProgramDef, SPACELA_SOUND, SPACELA_VFX,
};

use super::records::*;
use super::youth::*;
use super::{Plan, Rng, d, dt, plus};
use entity::enums::{EnrollmentStatus, HourKind, MentorshipStatus, OutcomeKind, ServiceKind};

type Ymd = (i32, u32, u32);

struct Trainee {
    p: Person,
    program: &'static ProgramDef,
    /// 1: Sept 2025 – June 2026; 2: from Sept 2026; 0: applicant.
    cohort: u8,
    status: EnrollmentStatus,
    /// The IATSE local the trainee joined.
    local: Option<&'static str>,
    job: Option<Detail>,
    /// Also a West LA College student (for college credit).
    wlac: bool,
    mentor: Option<(&'static str, MentorshipStatus)>,
}

struct ManifestYouth {
    p: Person,
    status: EnrollmentStatus,
    job: Option<Detail>,
    /// Also had case management at WLCAC.
    wlcac: bool,
    mentor: Option<(&'static str, MentorshipStatus)>,
}

struct Intern {
    p: Person,
    program: &'static ProgramDef,
    status: EnrollmentStatus,
    /// Another organization that knows them, since when.
    also: Option<(&'static str, Ymd)>,
    cert: Option<&'static Cred>,
    mentor: Option<&'static str>,
}

use EnrollmentStatus::{Accepted, Active, Applied, Completed, Interviewed, Withdrawn};
use MentorshipStatus::{Active as Meeting, Paused, Proposed};

#[rustfmt::skip]
const TRAINEES: &[Trainee] = &[
    Trainee { p: p("Carlos", "Mendoza", (2001, 8, 14), M, LAT, "90019", &[LOW]), program: &HCPR_CAMERA, cohort: 1, status: Completed, local: Some("iatse-local-600"), job: Some(Detail::job("Lantern Road Productions", "Camera Utility", 4300)), wlac: true, mentor: Some(("m-600-trevino", Meeting)) },
    Trainee { p: p("Aisha", "Bello", (2003, 1, 9), F, BLK, "90230", &[]), program: &HCPR_CAMERA, cohort: 1, status: Completed, local: Some("iatse-local-600"), job: Some(Detail::job("Mid-City Features", "Digital Utility", 4300)), wlac: false, mentor: Some(("m-600-nakamura", Meeting)) },
    Trainee { p: p("Tomás", "Aguilar", (2002, 5, 23), M, LAT, "90038", &[OPP]), program: &HCPR_CAMERA, cohort: 2, status: Active, local: None, job: None, wlac: false, mentor: Some(("m-600-whitaker", Meeting)) },
    Trainee { p: p("Lily", "Tran", (2004, 10, 30), F, ASN, "90028", &[]), program: &HCPR_CAMERA, cohort: 0, status: Interviewed, local: None, job: None, wlac: false, mentor: None },
    Trainee { p: p("Marcus", "Bennett", (2000, 12, 28), M, BLK, "90047", &[JUSTICE]), program: &HCPR_LIGHTING, cohort: 1, status: Completed, local: Some("iatse-local-728"), job: Some(Detail::job("Lantern Road Productions", "Set Lighting Technician", 4700)), wlac: false, mentor: Some(("m-728-ocampo", Meeting)) },
    Trainee { p: p("Daniela", "Flores", (2003, 3, 3), F, LAT, "91402", &[LOW]), program: &HCPR_LIGHTING, cohort: 1, status: Completed, local: None, job: Some(Detail::job("Harbor Grip & Electric", "Lighting Swing (non-union)", 2600)), wlac: true, mentor: Some(("m-728-monroe", Meeting)) },
    Trainee { p: p("Kwame", "Asante", (2002, 9, 17), M, BLK, "90016", &[]), program: &HCPR_LIGHTING, cohort: 2, status: Active, local: None, job: None, wlac: false, mentor: Some(("m-728-ocampo", Proposed)) },
    Trainee { p: p("Brenda", "Solís", (2005, 7, 12), F, LAT, "91605", &[UNHOUSED]), program: &HCPR_LIGHTING, cohort: 1, status: Withdrawn, local: None, job: None, wlac: false, mentor: Some(("m-728-monroe", Meeting)) },
    Trainee { p: p("Noah", "Feldman", (2001, 11, 11), M, WHT, "91401", &[]), program: &HCPR_SOUND, cohort: 1, status: Completed, local: Some("iatse-local-695"), job: Some(Detail::job("Lantern Road Productions", "Sound Utility", 4300)), wlac: false, mentor: Some(("m-695-salcedo", Meeting)) },
    Trainee { p: p("Fatima", "Ahmed", (2004, 4, 14), F, BLK, "91406", &[LOW, EL]), program: &HCPR_SOUND, cohort: 2, status: Active, local: None, job: None, wlac: false, mentor: Some(("m-695-park", Meeting)) },
    Trainee { p: p("Rafael", "Ibáñez", (2005, 2, 2), M, LAT, "90255", &[LOW]).goes_by("Rafa"), program: &HCPR_SOUND, cohort: 2, status: Active, local: None, job: None, wlac: false, mentor: Some(("m-695-salcedo", Meeting)) },
    Trainee { p: p("Kayla", "Young", (2006, 6, 21), F, MULTI, "90501", &[]), program: &HCPR_SOUND, cohort: 0, status: Applied, local: None, job: None, wlac: false, mentor: None },
];

#[rustfmt::skip]
const MANIFEST: &[ManifestYouth] = &[
    ManifestYouth { p: p("Christopher", "Dawson", (2000, 12, 15), M, BLK, "90003", &[FOSTER, UNHOUSED]).goes_by("Chris"), status: Completed, job: Some(Detail::job("Lantern Road Productions", "Set Production Assistant", 2000)), wlcac: false, mentor: Some(("m-80-bell", Meeting)) },
    ManifestYouth { p: p("Alondra", "Vega", (2002, 10, 8), F, LAT, "90002", &[JUSTICE]), status: Completed, job: Some(Detail::job("Mid-City Features", "Office Production Assistant", 1900)), wlcac: true, mentor: None },
    ManifestYouth { p: p("Trevon", "Harris", (2004, 1, 27), M, BLK, "90220", &[FOSTER]), status: Completed, job: None, wlcac: false, mentor: Some(("m-44-ramirez", Paused)) },
    ManifestYouth { p: p("Leilani", "Kahale", (2001, 6, 30), F, NHPI, "90745", &[UNHOUSED]), status: Completed, job: Some(Detail::job("Harbor Grip & Electric", "Grip Trainee", 2100)), wlcac: false, mentor: None },
    ManifestYouth { p: p("Ángel", "Navarro", (2003, 12, 24), M, LAT, "91342", &[JUSTICE, LOW]), status: Completed, job: None, wlcac: false, mentor: Some(("m-705-ibarra", Meeting)) },
    ManifestYouth { p: p("Shantel", "Grayson", (2005, 8, 19), F, BLK, "93535", &[FOSTER, UNHOUSED]), status: Completed, job: None, wlcac: false, mentor: None },
    ManifestYouth { p: p("Dylan", "Cruz", (2006, 2, 10), M, AIAN, "90810", &[UNHOUSED]), status: Withdrawn, job: None, wlcac: false, mentor: None },
    ManifestYouth { p: p("Esperanza", "Lozano", (2004, 7, 4), F, LAT, "91766", &[FOSTER]).goes_by("Espe"), status: Accepted, job: None, wlcac: false, mentor: None },
];

#[rustfmt::skip]
const INTERNS: &[Intern] = &[
    Intern { p: p("Isabella", "Marín", (2002, 4, 9), F, LAT, "90032", &[]), program: &SPACELA_VFX, status: Active, also: Some(("csula", (2024, 8, 19))), cert: None, mentor: Some("m-spacela-fontaine") },
    Intern { p: p("Tyler", "Washington", (2001, 9, 30), M, BLK, "90008", &[LOW]), program: &SPACELA_VFX, status: Active, also: None, cert: Some(&ACP_AFTER_EFFECTS), mentor: Some("m-spacela-raman") },
    Intern { p: p("Hana", "Yoshida", (2003, 11, 19), F, ASN, "90250", &[]), program: &SPACELA_VFX, status: Active, also: None, cert: None, mentor: Some("m-spacela-fontaine") },
    Intern { p: p("Omar", "Jiménez", (2004, 5, 5), M, LAT, "90059", &[OPP, LOW]), program: &SPACELA_VFX, status: Withdrawn, also: Some((WLCAC, (2025, 6, 2))), cert: None, mentor: Some("m-spacela-raman") },
    Intern { p: p("Precious", "Adeyemi", (2000, 12, 1), F, BLK, "90305", &[]), program: &SPACELA_VFX, status: Applied, also: None, cert: None, mentor: None },
    Intern { p: p("Nicolás", "Herrera-Paz", (2002, 3, 17), M, LAT, "90057", &[LOW]), program: &SPACELA_SOUND, status: Active, also: None, cert: Some(&AVID_PRO_TOOLS), mentor: Some("m-spacela-lee") },
    Intern { p: p("Jade", "Fontenot", (2003, 6, 6), F, BLK, "90043", &[]), program: &SPACELA_SOUND, status: Active, also: None, cert: None, mentor: Some("m-spacela-lee") },
    Intern { p: p("Arman", "Petrosyan", (2001, 2, 22), M, WHT, "91205", &[]), program: &SPACELA_SOUND, status: Interviewed, also: None, cert: None, mentor: None },
];

impl Plan {
    /// `hcpr-01`…`hcpr-12`, `mw-01`…`mw-08`, `spacela-01`…`spacela-08`.
    pub(super) fn crafts(&mut self) {
        for (i, t) in TRAINEES.iter().enumerate() {
            self.trainee(&format!("hcpr-{:02}", i + 1), 53 + i as u32, t);
        }
        for (i, y) in MANIFEST.iter().enumerate() {
            self.manifest(&format!("mw-{:02}", i + 1), 65 + i as u32, y);
        }
        for (i, y) in INTERNS.iter().enumerate() {
            self.intern(&format!("spacela-{:02}", i + 1), 73 + i as u32, y);
        }
    }

    fn trainee(&mut self, youth: &str, n: u32, t: &Trainee) {
        let mut rng = Rng::for_key(youth);
        let day = i64::from(n % 10);
        let (applied, started) = match t.cohort {
            1 => (plus(d(2025, 7, 14), day), Some(d(2025, 9, 8))),
            2 => (plus(d(2026, 7, 13), day), Some(d(2026, 9, 14))),
            _ => (plus(d(2026, 10, 26), day), None),
        };
        let (exited, reason) = match t.status {
            Completed => (Some(d(2026, 6, 12)), None),
            Withdrawn => (Some(d(2026, 1, 16)), Some("Housing instability")),
            _ => (None, None),
        };
        let mut known = vec![(HCPR, applied)];
        if let (true, Some(start)) = (t.wlac, started) {
            known.push((WLAC, start));
        }
        if let Some(local) = t.local {
            known.push((local, d(2026, 8, 3)));
        }
        self.person(youth, n, &t.p, &known);

        let e = self.enroll(
            youth,
            t.program,
            Stint {
                applied,
                started,
                exited,
                status: t.status,
                reason,
            },
        );
        let weeks = e
            .fridays(40)
            .into_iter()
            .filter(|_| !rng.chance(10))
            .map(|f| (f, 10.0));
        self.hours(&e, HourKind::Attendance, weeks.collect::<Vec<_>>());
        let Some(start) = started else { return };

        // Counselors are available to every trainee; Safety Pass before set work.
        self.award(youth, HCPR, &SAFETY_PASS, plus(start, 11));
        if n % 2 == 1 {
            self.award(youth, HCPR, &OSHA_10, plus(start, 25));
        }
        self.serve(youth, HCPR, ServiceKind::Counseling, plus(start, 25), None);
        if t.cohort == 1 && t.status != Withdrawn {
            self.serve(youth, HCPR, ServiceKind::Counseling, d(2026, 2, 16), None);
        }
        if n.is_multiple_of(3) {
            self.serve(
                youth,
                HCPR,
                ServiceKind::Transportation,
                start,
                Some(10_000),
            );
        }
        if let Some((mentor, status)) = t.mentor {
            let union = t.local.is_some();
            let (status, ended) = match (t.status, union) {
                (Completed, false) | (Withdrawn, _) => (MentorshipStatus::Ended, exited),
                _ => (status, None),
            };
            let started = if t.cohort == 1 {
                d(2025, 10, 6)
            } else {
                d(2026, 10, 5)
            };
            self.mentor(
                youth,
                Pairing {
                    mentor,
                    owner: HCPR,
                    status,
                    started,
                    ended,
                },
            );
        }
        if t.status == Completed {
            self.award(youth, HCPR, &HCPR_CERT, d(2026, 6, 12));
        }
        if let Some(local) = t.local {
            let number = local.trim_start_matches("iatse-local-");
            let detail = Detail {
                local: Some(number),
                ..Detail::NONE
            };
            self.outcome(
                youth,
                HCPR,
                OutcomeKind::UnionMembership,
                d(2026, 8, 3),
                detail,
            );
        }
        if let Some(job) = t.job {
            self.outcome(youth, HCPR, OutcomeKind::Employed, d(2026, 8, 17), job);
        }
    }

    fn manifest(&mut self, youth: &str, n: u32, y: &ManifestYouth) {
        let mut rng = Rng::for_key(youth);
        let (applied, started, exited, reason) = match y.status {
            Accepted => (plus(d(2026, 10, 26), i64::from(n % 7)), None, None, None),
            Withdrawn => (
                d(2026, 7, 27),
                Some(d(2026, 8, 24)),
                Some(d(2026, 9, 25)),
                Some("Stopped attending; could not be reached"),
            ),
            _ => (
                plus(d(2026, 7, 20), i64::from(n % 7)),
                Some(d(2026, 8, 24)),
                Some(dt(MW_12WEEK_FALL_END)),
                None,
            ),
        };
        let mut known = vec![(MW, applied)];
        if y.wlcac {
            known.insert(0, (WLCAC, d(2026, 3, 10)));
        }
        self.person(youth, n, &y.p, &known);
        if y.wlcac {
            self.serve(
                youth,
                WLCAC,
                ServiceKind::CaseManagement,
                d(2026, 3, 10),
                None,
            );
        }

        let e = self.enroll(
            youth,
            &MW_12WEEK,
            Stint {
                applied,
                started,
                exited,
                status: y.status,
                reason,
            },
        );
        let weeks = e
            .fridays(12)
            .into_iter()
            .filter(|_| !rng.chance(8))
            .map(|f| (f, 30.0));
        self.hours(&e, HourKind::Attendance, weeks.collect::<Vec<_>>());
        let Some(start) = started else { return };

        self.serve(youth, MW, ServiceKind::CaseManagement, plus(start, 2), None);
        self.serve(youth, MW, ServiceKind::Transportation, start, Some(5_000));
        for pop in y.p.pops {
            match *pop {
                UNHOUSED => self.serve(
                    youth,
                    MW,
                    ServiceKind::Housing,
                    d(2026, 9, 1),
                    Some(120_000),
                ),
                JUSTICE => self.serve(youth, MW, ServiceKind::Legal, d(2026, 9, 15), None),
                FOSTER => self.serve(youth, MW, ServiceKind::MentalHealth, d(2026, 9, 8), None),
                _ => {}
            }
        }
        self.award(youth, MW, &SAFETY_PASS, d(2026, 9, 4));
        if y.status == Completed {
            self.award(youth, MW, &MW_CERT, dt(MW_12WEEK_FALL_END));
        }
        if let Some(job) = y.job {
            self.outcome(youth, MW, OutcomeKind::Employed, d(2026, 11, 16), job);
        }
        if let Some((mentor, status)) = y.mentor {
            self.mentor(
                youth,
                Pairing {
                    mentor,
                    owner: MW,
                    status,
                    started: d(2026, 9, 14),
                    ended: None,
                },
            );
        }
    }

    fn intern(&mut self, youth: &str, n: u32, y: &Intern) {
        let mut rng = Rng::for_key(youth);
        let start = dt(y.program.starts);
        let (applied, started) = match y.status {
            Applied => (d(2026, 11, 9), None),
            Interviewed => (d(2026, 10, 19), None),
            _ => (plus(d(2026, 5, 4), i64::from(n % 9)), Some(start)),
        };
        let (exited, reason) = match y.status {
            Withdrawn => (Some(d(2026, 9, 4)), Some("Started a full-time job")),
            _ => (None, None),
        };
        let mut known = vec![(SPACELA, applied)];
        if let Some((slug, since)) = y.also {
            known.insert(0, (slug, dt(since)));
        }
        self.person(youth, n, &y.p, &known);

        let e = self.enroll(
            youth,
            y.program,
            Stint {
                applied,
                started,
                exited,
                status: y.status,
                reason,
            },
        );
        let paid: Vec<_> = e
            .fridays(40)
            .into_iter()
            .filter(|_| !rng.chance(5))
            .collect::<Vec<_>>()
            .into_iter()
            .map(|f| (f, if rng.chance(20) { 16.0 } else { 20.0 }))
            .collect();
        self.hours(&e, HourKind::Ojt, paid);
        let Some(start) = started else { return };

        // Pre-employment counseling before the internship, and mid-way.
        self.serve(
            youth,
            SPACELA,
            ServiceKind::Counseling,
            plus(start, -7),
            None,
        );
        if exited.is_none() {
            self.serve(
                youth,
                SPACELA,
                ServiceKind::Counseling,
                d(2026, 10, 5),
                None,
            );
        }
        let job = Detail::job("SpaceLA", y.program.occupation, 2000);
        self.outcome(youth, SPACELA, OutcomeKind::InternshipPlaced, start, job);
        if let Some(cert) = y.cert {
            self.award(youth, SPACELA, cert, plus(d(2026, 10, 9), i64::from(n % 3)));
        }
        if let Some(mentor) = y.mentor {
            let status = if exited.is_some() {
                MentorshipStatus::Ended
            } else {
                MentorshipStatus::Active
            };
            self.mentor(
                youth,
                Pairing {
                    mentor,
                    owner: SPACELA,
                    status,
                    started: d(2026, 7, 6),
                    ended: exited,
                },
            );
        }
    }
}

/// The last day of Manifest Works' fall 2026 cohort (12 weeks from Aug 24).
const MW_12WEEK_FALL_END: Ymd = (2026, 11, 13);
