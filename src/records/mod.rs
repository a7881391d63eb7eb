//! The records partners keep about a participant: enrollments and their
//! rules (the state machine, 2000 h OJT + 144 h RTI, the stipend threshold),
//! hours, competencies and credentials, mentorships, dual enrollments,
//! services and outcomes — written with their audit entry, read through the
//! policy (`reads`).

pub mod awards;
pub mod badges;
pub mod confirmations;
pub mod corrections;
pub mod dual_enrollments;
pub mod enrollments;
pub mod erase;
pub mod feed;
pub mod hours;
pub mod linking;
pub mod mentorships;
pub mod page;
pub mod rapids;
pub mod reads;
pub mod retention;
pub mod rules;
