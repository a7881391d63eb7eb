//! Arts2Work: the federally registered apprenticeship in digital media
//! (2000 h on-the-job training + 144 h related technical instruction, as
//! Digital Video Editor, Multimedia Producer or Graphic Designer, tracked the
//! way ApprentiScope tracks it) and the one-year pre-apprenticeship.

use super::credentials::*;
use super::demo::{self, A2W, WLCAC};
use super::programs::{A2W_PRE, A2W_RA_DVE, A2W_RA_GD, A2W_RA_MMP, ProgramDef};
use super::records::*;
use super::youth::*;
use super::{Plan, Rng, d, dt, plus};
use entity::enums::{
    Category, EnrollmentStatus, HourKind, MentorshipStatus, OutcomeKind, ProgramKind, ServiceKind,
    SharingPurpose,
};

type Ymd = (i32, u32, u32);

struct Apprentice {
    p: Person,
    program: &'static ProgramDef,
    applied: Ymd,
    started: Option<Ymd>,
    status: EnrollmentStatus,
    exited: Option<(Ymd, Option<&'static str>)>,
    /// OJT hours in a usual week.
    ojt: f64,
    employer: &'static str,
    certs: &'static [(&'static Cred, Ymd)],
    /// Referred by WLCAC, which knows them too.
    wlcac: bool,
}

use EnrollmentStatus::{Accepted, Active, Cancelled, Completed, Withdrawn};

#[rustfmt::skip]
const APPRENTICES: &[Apprentice] = &[
    // Finished: 50 weeks × 40 h OJT = 2000 h, 48 weeks × 3 h RTI = 144 h.
    Apprentice { p: p("Marisol", "Quintero", (2000, 12, 3), F, LAT, "90033", &[LOW]), program: &A2W_RA_DVE, applied: (2025, 6, 2), started: Some((2025, 7, 7)), status: Completed, exited: Some(((2026, 6, 19), None)), ojt: 40.0, employer: "Eastside Story Media", certs: &[(&ACP_PREMIERE, (2026, 3, 20)), (&A2W_CERT, (2026, 6, 26)), (&DOL_CERT, (2026, 6, 26))], wlcac: false },
    Apprentice { p: p("Terrence", "Ellis", (2001, 4, 17), M, BLK, "90016", &[JUSTICE]), program: &A2W_RA_DVE, applied: (2025, 8, 25), started: Some((2025, 10, 6)), status: Active, exited: None, ojt: 32.0, employer: "Crenshaw Cutting Room", certs: &[(&ACP_PREMIERE, (2026, 6, 12))], wlcac: false },
    Apprentice { p: p("Paulina", "Sandoval", (2003, 9, 5), F, LAT, "90022", &[LOW]), program: &A2W_RA_MMP, applied: (2025, 11, 10), started: Some((2026, 1, 12)), status: Active, exited: None, ojt: 32.0, employer: "Boyle Heights Digital Studio", certs: &[], wlcac: false },
    Apprentice { p: p("Ji-woo", "Han", (2002, 2, 14), NB, ASN, "90005", &[OPP]), program: &A2W_RA_MMP, applied: (2026, 1, 12), started: Some((2026, 3, 2)), status: Active, exited: None, ojt: 30.0, employer: "K-Town Story Lab", certs: &[], wlcac: false },
    Apprentice { p: p("Rosa Elena", "Chávez", (2004, 11, 28), F, LAT, "91331", &[LOW, FOSTER]), program: &A2W_RA_GD, applied: (2026, 2, 9), started: Some((2026, 4, 6)), status: Active, exited: None, ojt: 32.0, employer: "Valley Signal Design", certs: &[(&ACP_ILLUSTRATOR, (2026, 9, 18))], wlcac: false },
    Apprentice { p: p("Jamal", "Price", (2000, 12, 20), M, BLK, "90305", &[UNHOUSED]), program: &A2W_RA_GD, applied: (2025, 12, 1), started: Some((2026, 2, 2)), status: Withdrawn, exited: Some(((2026, 5, 15), Some("Left for full-time work outside the field"))), ojt: 32.0, employer: "Leimert Park Creative Co.", certs: &[], wlcac: false },
    Apprentice { p: p("Camila", "Restrepo", (2002, 7, 7), F, LAT, "90026", &[]), program: &A2W_RA_DVE, applied: (2026, 9, 14), started: None, status: Accepted, exited: None, ojt: 0.0, employer: "Arroyo Post", certs: &[], wlcac: false },
    Apprentice { p: p("Elijah", "Moore", (2006, 6, 6), M, BLK, "90043", &[OPP, LOW]), program: &A2W_PRE, applied: (2025, 12, 1), started: Some((2026, 1, 12)), status: Active, exited: None, ojt: 8.0, employer: "", certs: &[], wlcac: true },
    Apprentice { p: p("Valeria", "Domínguez", (2007, 3, 23), F, LAT, "90063", &[LOW]), program: &A2W_PRE, applied: (2025, 12, 3), started: Some((2026, 1, 12)), status: Active, exited: None, ojt: 8.0, employer: "", certs: &[], wlcac: true },
    Apprentice { p: p("Hoang", "Tran", (2005, 10, 10), M, ASN, "91770", &[LOW]).goes_by("Henry"), program: &A2W_PRE, applied: (2025, 12, 5), started: Some((2026, 1, 12)), status: Active, exited: None, ojt: 8.0, employer: "", certs: &[(&ACP_PHOTOSHOP, (2026, 8, 21))], wlcac: false },
    Apprentice { p: p("Amani", "Jackson-Lopez", (2006, 12, 1), F, MULTI, "90011", &[FOSTER]), program: &A2W_PRE, applied: (2025, 12, 8), started: Some((2026, 1, 12)), status: Withdrawn, exited: Some(((2026, 4, 10), Some("Family responsibilities"))), ojt: 8.0, employer: "", certs: &[], wlcac: false },
    Apprentice { p: p("Diego", "Fuentes", (2004, 4, 4), M, LAT, "90201", &[JUSTICE, LOW]), program: &A2W_PRE, applied: (2025, 12, 1), started: None, status: Cancelled, exited: Some(((2026, 1, 9), Some("Did not start: schedule conflict with a job"))), ojt: 0.0, employer: "", certs: &[], wlcac: false },
];

/// Related technical instruction: 3 h a week for the first 48 weeks.
const RTI_WEEKLY: f64 = 3.0;
const RTI_WEEKS: usize = 48;

impl Plan {
    /// Arts2Work apprentices and pre-apprentices: `a2w-01` … `a2w-12`.
    pub(super) fn apprentices(&mut self) {
        for (i, a) in APPRENTICES.iter().enumerate() {
            let n = 21 + i as u32;
            self.apprentice(&format!("a2w-{:02}", i + 1), n, a);
        }
    }

    fn apprentice(&mut self, youth: &str, n: u32, a: &Apprentice) {
        let mut rng = Rng::for_key(youth);
        let applied = dt(a.applied);
        let mut known = vec![(A2W, applied)];
        if a.wlcac {
            known.insert(0, (WLCAC, plus(applied, -20)));
        }
        self.person(youth, n, &a.p, &known);

        let stint = Stint {
            applied,
            started: a.started.map(dt),
            exited: a.exited.map(|(on, _)| dt(on)),
            status: a.status,
            reason: a.exited.and_then(|(_, why)| why),
        };
        let e = self.enroll(youth, a.program, stint);
        let registered = a.program.kind == ProgramKind::RegisteredApprenticeship;
        let finished = a.status == Completed;
        let fridays = e.fridays(60);
        // A finished apprentice's log is exact; the others miss the odd week
        // and work a little less in some.
        let worked: Vec<_> = fridays
            .iter()
            .filter(|_| finished || !rng.chance(6))
            .copied()
            .collect();
        let ojt: Vec<_> = worked
            .iter()
            .map(|on| {
                let short = if finished {
                    0.0
                } else {
                    4.0 * rng.below(2) as f64
                };
                (*on, a.ojt - short)
            })
            .collect();
        self.hours(&e, HourKind::Ojt, ojt);
        let rti = if registered { RTI_WEEKLY } else { 4.0 };
        self.hours(
            &e,
            HourKind::Rti,
            worked.iter().take(RTI_WEEKS).map(|on| (*on, rti)),
        );

        // Competencies follow progress: about one every seven weeks.
        let pathway = a.program.pathway.unwrap_or_default();
        let codes: Vec<_> = demo::COMPETENCIES
            .iter()
            .filter(|c| c.0 == pathway)
            .map(|c| c.1)
            .collect();
        let (per, cap) = if registered {
            (7, codes.len())
        } else {
            (10, 4)
        };
        let count = (fridays.len() / per).min(cap);
        if let Some(start) = e.started {
            let span = 7 * fridays.len() as i64;
            for (k, code) in codes.iter().take(count).enumerate() {
                let on = plus(start, span * (k as i64 + 1) / (count as i64 + 1));
                let level = if finished {
                    3 + (k % 2) as i32
                } else {
                    1 + (k % 3) as i32
                };
                self.attain(&e, code, on, level);
            }
        }

        for (cred, on) in a.certs {
            self.award(youth, A2W, cred, dt(*on));
        }
        match (registered, e.started) {
            (true, Some(start)) => {
                let occupation = a.program.occupation;
                let job = Detail::job(a.employer, occupation, 2000);
                self.outcome(
                    youth,
                    A2W,
                    OutcomeKind::ApprenticeshipRegistered,
                    start,
                    job,
                );
                if finished {
                    let job = Detail::job(a.employer, occupation, 2850);
                    self.outcome(youth, A2W, OutcomeKind::Employed, d(2026, 6, 22), job);
                }
                let mentor = match pathway {
                    "DIGITAL_VIDEO_EDITING" => "m-a2w-greene",
                    "MULTIMEDIA_PRODUCTION" => "m-a2w-villanueva",
                    _ => "m-800-cho",
                };
                let ended = e.exited;
                let status = if ended.is_some() {
                    MentorshipStatus::Ended
                } else {
                    MentorshipStatus::Active
                };
                self.mentor(
                    youth,
                    Pairing {
                        mentor,
                        owner: A2W,
                        status,
                        started: plus(start, 14),
                        ended,
                    },
                );
            }
            (false, Some(_)) => {
                // Paid work-based learning: a monthly stipend, and financial
                // literacy training.
                self.serve(
                    youth,
                    A2W,
                    ServiceKind::FinancialLiteracy,
                    d(2026, 3, 14),
                    None,
                );
                let last = e.exited.unwrap_or(super::last_friday());
                for month in 2..=11 {
                    let on = d(2026, month, 27);
                    if on <= last {
                        self.serve(youth, A2W, ServiceKind::Stipend, on, Some(60_000));
                    }
                }
            }
            _ => {}
        }
        if a.wlcac {
            let cats = &[
                Category::Identity,
                Category::Enrollment,
                Category::Progress,
                Category::Credentials,
            ];
            let grant = Grant {
                owner: A2W,
                recipient: Some(WLCAC),
                categories: cats,
                purpose: SharingPurpose::ServiceCoordination,
                signed: applied,
                revoked_at: None,
            };
            self.consent(youth, n, &a.p, grant);
        }
        // Applying, every apprentice agreed that Harder+Co may evaluate
        // the program with their records (the Arts2Work → Harder+Co
        // agreement requires consent): the demo evaluator's figures.
        let evaluation = Grant {
            owner: A2W,
            recipient: Some(demo::HARDER),
            categories: &[
                Category::Identity,
                Category::Enrollment,
                Category::Progress,
                Category::Credentials,
                Category::Outcomes,
            ],
            purpose: SharingPurpose::Evaluation,
            signed: applied,
            revoked_at: None,
        };
        self.consent(youth, n, &a.p, evaluation);
    }
}
