//! The ground every other part stands on, and which takes nothing from
//! them: settings (`config`, with each part's settings as plain data), the
//! one error type with its `extensions.code`s (`error`), the database
//! connection and write transactions (`db`), the day date rules are
//! checked against (`clock`), the shared Redis client
//! (`shared`), the value types parsed at the edge (`types`) and the
//! version-checked update every versioned row goes through (`versioned`).

pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod json_path;
pub mod replicas;
pub mod shared;
pub mod telemetry;
pub mod types;
pub mod versioned;
