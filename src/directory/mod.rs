//! The directory every partner shares: organizations, pathways, the
//! programs organizations run on them, and mentors. No participant data.

pub mod mentors;
pub mod organizations;
pub mod pathways;
pub mod programs;
