//! LACHSA's Pathways Improvement: the Stagecraft Technical Theatre and Video
//! Production CTE pathways, dual enrollment at East LA College, Cal State LA
//! and ASU's downtown center, industry certifications, graduation, union
//! mentors and transportation to the colleges.

use super::credentials::*;
use super::demo::{ASU, CSULA, ELAC, LACHSA};
use super::programs::{LACHSA_STAGE, LACHSA_VIDEO};
use super::records::*;
use super::youth::*;
use super::{Plan, Rng, d, plus};
use entity::enums::{
    Category, DualEnrollmentStatus, EnrollmentStatus, HourKind, MentorshipStatus, OutcomeKind,
    ServiceKind, SharingPurpose,
};

struct Student {
    p: Person,
    video: bool,
    /// Graduating class.
    class: i32,
    /// Takes college courses.
    dual: bool,
    status: EnrollmentStatus,
    mentor: Option<&'static str>,
    cert: Option<&'static Cred>,
    /// What a 2026 graduate went on to.
    next: Option<(OutcomeKind, Detail)>,
}

use EnrollmentStatus::{Active, Applied, Completed, Withdrawn};
use OutcomeKind::{Employed, PostsecondaryEnrolled};

#[rustfmt::skip]
const STUDENTS: &[Student] = &[
    Student { p: p("Ximena", "Castañeda", (2008, 3, 12), F, LAT, "90032", &[LOW]), video: false, class: 2026, dual: true, status: Completed, mentor: Some("m-33-delgado"), cert: Some(&OSHA_10), next: Some((PostsecondaryEnrolled, Detail::school("Cal State LA"))) },
    Student { p: p("Jordan", "Mitchell", (2008, 1, 25), M, BLK, "90008", &[]), video: true, class: 2026, dual: true, status: Completed, mentor: Some("m-600-nakamura"), cert: Some(&ACP_PREMIERE), next: Some((PostsecondaryEnrolled, Detail::school("East Los Angeles College"))) },
    Student { p: p("Emily", "Zhang", (2007, 12, 30), F, ASN, "91754", &[]), video: false, class: 2026, dual: false, status: Completed, mentor: None, cert: Some(&OSHA_10), next: Some((PostsecondaryEnrolled, Detail::school("California Institute of the Arts"))) },
    Student { p: p("Mateo", "Villanueva", (2008, 6, 19), M, LAT, "90042", &[LOW]), video: true, class: 2026, dual: false, status: Completed, mentor: None, cert: Some(&AVID_MEDIA_COMPOSER), next: Some((Employed, Detail::job("Eastside Story Media", "Production Assistant", 2000))) },
    Student { p: p("Zoe", "Abernathy", (2008, 4, 2), F, WHT, "91101", &[]), video: false, class: 2026, dual: false, status: Completed, mentor: Some("m-33-brooks"), cert: Some(&OSHA_10), next: None },
    Student { p: p("Andrés", "Soto", (2009, 2, 14), M, LAT, "90031", &[LOW, EL]), video: false, class: 2027, dual: true, status: Active, mentor: Some("m-33-delgado"), cert: Some(&OSHA_10), next: None },
    Student { p: p("Kiara", "Simmons", (2009, 5, 30), F, BLK, "90018", &[LOW]), video: true, class: 2027, dual: true, status: Active, mentor: Some("m-600-trevino"), cert: Some(&ACP_PREMIERE), next: None },
    Student { p: p("Ethan", "Oyelaran", (2008, 12, 11), M, BLK, "90302", &[]), video: false, class: 2027, dual: true, status: Active, mentor: Some("m-695-park"), cert: Some(&OSHA_10), next: None },
    Student { p: p("Lucía", "Montoya-Reyes", (2009, 7, 7), F, LAT, "90063", &[LOW]), video: true, class: 2027, dual: true, status: Active, mentor: None, cert: Some(&ACP_PREMIERE), next: None },
    Student { p: p("Riya", "Patel", (2009, 1, 21), F, ASN, "91748", &[]), video: false, class: 2027, dual: false, status: Active, mentor: None, cert: Some(&OSHA_10), next: None },
    Student { p: p("Gabriel", "Santos", (2008, 9, 15), M, LAT, "90640", &[LOW]).goes_by("Gabe"), video: true, class: 2027, dual: true, status: Active, mentor: Some("m-600-whitaker"), cert: Some(&AVID_MEDIA_COMPOSER), next: None },
    Student { p: p("Nia", "Robinson", (2009, 3, 3), F, BLK, "90056", &[FOSTER]), video: false, class: 2027, dual: true, status: Active, mentor: Some("m-33-brooks"), cert: Some(&OSHA_10), next: None },
    Student { p: p("Samuel", "Herrera", (2009, 8, 8), M, LAT, "90065", &[]), video: true, class: 2027, dual: false, status: Active, mentor: None, cert: None, next: None },
    Student { p: p("Mei-Ling", "Wu", (2010, 1, 17), F, ASN, "91801", &[]), video: false, class: 2028, dual: false, status: Active, mentor: None, cert: Some(&OSHA_10), next: None },
    Student { p: p("Isaiah", "Greene", (2009, 10, 4), M, BLK, "90043", &[LOW]), video: true, class: 2028, dual: true, status: Active, mentor: None, cert: Some(&ACP_PREMIERE), next: None },
    Student { p: p("Camila", "Ochoa", (2010, 6, 29), F, LAT, "90022", &[LOW, EL]), video: false, class: 2028, dual: false, status: Active, mentor: None, cert: Some(&OSHA_10), next: None },
    Student { p: p("River", "Castillo-Nakamura", (2010, 2, 9), NB, MULTI, "90041", &[]), video: true, class: 2028, dual: false, status: Active, mentor: None, cert: Some(&ACP_PREMIERE), next: None },
    Student { p: p("Amir", "Haddad", (2009, 11, 20), M, MENA, "91205", &[]), video: false, class: 2028, dual: false, status: Active, mentor: None, cert: Some(&OSHA_10), next: None },
    Student { p: p("Brianna", "Lee", (2010, 9, 12), F, ASN, "90019", &[]), video: true, class: 2028, dual: false, status: Applied, mentor: None, cert: None, next: None },
    Student { p: p("Josué", "Ramírez", (2010, 4, 26), M, LAT, "90033", &[LOW]), video: false, class: 2028, dual: false, status: Withdrawn, mentor: None, cert: None, next: None },
];

const fn course(college: &'static str, code: &'static str, title: &'static str) -> Course {
    Course {
        college,
        code,
        title,
        units: 3.0,
    }
}

/// Stagecraft students' college sequence (the spring course alternates
/// between ELAC and Cal State LA).
const STAGE_FALL: Course = course(ELAC, "THTR 110", "Introduction to Stagecraft");
const STAGE_SPRING: [Course; 2] = [
    course(ELAC, "THTR 125", "Stage Lighting"),
    course(CSULA, "THEA 2300", "Stagecraft Fundamentals"),
];

const STAGE_NEXT: Course = course(ELAC, "MUSIC 161", "Introduction to Audio Recording");

/// Video students' sequence: ELAC, then Cal State LA, then ASU downtown.
const VIDEO_FALL: Course = course(ELAC, "CINEMA 107", "Understanding Motion Pictures");
const VIDEO_SPRING: Course = course(CSULA, "TVF 2100", "Introduction to Video Production");
const VIDEO_NEXT: Course = course(ASU, "FMP 110", "Introduction to Film and Media Production");

const GRADES: &[&str] = &["A", "A", "A-", "B+", "B", "B", "B-", "C+"];
const SCHOOL: &[Category] = &[
    Category::Identity,
    Category::EducationRecords,
    Category::Enrollment,
];

impl Plan {
    /// LACHSA students: `lachsa-01` … `lachsa-20`.
    pub(super) fn lachsa(&mut self) {
        for (i, s) in STUDENTS.iter().enumerate() {
            let n = 33 + i as u32;
            self.student(&format!("lachsa-{:02}", i + 1), n, s);
        }
    }

    fn student(&mut self, youth: &str, n: u32, s: &Student) {
        let mut rng = Rng::for_key(youth);
        let program = if s.video {
            &LACHSA_VIDEO
        } else {
            &LACHSA_STAGE
        };
        // Sophomores apply in the spring before the pathway starts.
        let (applied, started) = match s.status {
            Applied => (plus(d(2026, 11, 2), i64::from(n % 5)), None),
            _ => (plus(d(2025, 5, 12), i64::from(n)), Some(d(2025, 8, 13))),
        };
        let (exited, reason) = match s.status {
            Completed => (Some(d(2026, 6, 5)), None),
            Withdrawn => (Some(d(2026, 2, 6)), Some("Transferred to another school")),
            _ => (None, None),
        };

        // The college courses this student takes, by term.
        let mut courses: Vec<(&Course, &str)> = Vec::new();
        if s.dual {
            let spring = if s.video {
                &VIDEO_SPRING
            } else {
                &STAGE_SPRING[n as usize % 2]
            };
            let (fall, next) = if s.video {
                (&VIDEO_FALL, &VIDEO_NEXT)
            } else {
                (&STAGE_FALL, &STAGE_NEXT)
            };
            if s.class <= 2027 {
                courses.push((fall, "Fall 2025"));
                courses.push((spring, "Spring 2026"));
            }
            if s.class >= 2027 {
                courses.push((next, "Fall 2026"));
            }
        }
        let mut known = vec![(LACHSA, applied)];
        for (c, term) in &courses {
            if !known.iter().any(|(slug, _)| *slug == c.college) {
                known.push((c.college, term_start(term)));
            }
        }
        self.person(youth, n, &s.p, &known);

        let e = self.enroll(
            youth,
            program,
            Stint {
                applied,
                started,
                exited,
                status: s.status,
                reason,
            },
        );
        // Monthly CTE attendance (18 h scheduled a month, September–May).
        let last = exited.unwrap_or(d(2026, 10, 31));
        let months = [(2025, 9..=12), (2026, 1..=5), (2026, 9..=10)];
        let attendance: Vec<_> = months
            .into_iter()
            .flat_map(|(y, ms)| ms.map(move |m| d(y, m, 28)))
            .filter(|on| started.is_some() && *on <= last)
            .map(|on| (on, 18.0 - 1.5 * rng.below(4) as f64))
            .collect();
        self.hours(&e, HourKind::Attendance, attendance);

        for (i, (c, term)) in courses.iter().enumerate() {
            let (status, grade) = if *term == "Fall 2026" {
                (DualEnrollmentStatus::Enrolled, None)
            } else if n == 41 && i == 1 {
                // One student dropped a spring course before census.
                (DualEnrollmentStatus::Dropped, None)
            } else {
                (
                    DualEnrollmentStatus::Completed,
                    Some(GRADES[rng.below(GRADES.len() as u64) as usize]),
                )
            };
            self.course(youth, c, term, status, grade);
            // The school's shuttle to the college campus, each term.
            self.serve(
                youth,
                LACHSA,
                ServiceKind::Transportation,
                term_start(term),
                None,
            );
        }

        if let (Some(cert), Some(_)) = (s.cert, started) {
            self.award(
                youth,
                LACHSA,
                cert,
                plus(d(2026, 3, 6), i64::from(n % 9) * 7),
            );
        }
        if let Some(mentor) = s.mentor {
            let ended = exited;
            let status = if ended.is_some() {
                MentorshipStatus::Ended
            } else {
                MentorshipStatus::Active
            };
            self.mentor(
                youth,
                Pairing {
                    mentor,
                    owner: LACHSA,
                    status,
                    started: d(2025, 10, 6),
                    ended,
                },
            );
        }
        if s.status == Completed {
            self.award(youth, LACHSA, &DIPLOMA, d(2026, 6, 5));
            self.outcome(
                youth,
                LACHSA,
                OutcomeKind::HsGraduated,
                d(2026, 6, 5),
                Detail::NONE,
            );
            if let Some((kind, detail)) = s.next {
                self.outcome(youth, LACHSA, kind, d(2026, 8, 24), detail);
            }
        }

        // Consent to share with ELAC, signed by a guardian for minors; one
        // dual-enrollment family has not signed, so ELAC's grades stay hidden
        // from LACHSA for that student.
        let at_elac = courses.iter().any(|(c, _)| c.college == ELAC);
        if at_elac && n != 44 {
            let coordination = SharingPurpose::ServiceCoordination;
            let g = |owner: &'static str, recipient: &'static str, signed| Grant {
                owner,
                recipient: Some(recipient),
                categories: SCHOOL,
                purpose: coordination,
                signed,
                revoked_at: None,
            };
            self.consent(youth, n, &s.p, g(LACHSA, ELAC, d(2025, 8, 20)));
            if n % 2 == 1 {
                self.consent(youth, n, &s.p, g(ELAC, LACHSA, d(2025, 8, 25)));
            }
        }
    }
}
