//! The day every date rule of the policy is checked against: today, or a
//! fixed day (`fixed_today`, for demos and for tests that cross a date such
//! as a youth's 18th birthday without waiting for it).

use std::sync::{Arc, RwLock};

use chrono::NaiveDate;

/// Today, unless fixed. Clones share the setting.
#[derive(Debug, Clone, Default)]
pub struct Clock(Arc<RwLock<Option<NaiveDate>>>);

impl Clock {
    /// A clock fixed on `day` (`None`: the real date).
    pub fn fixed(day: Option<NaiveDate>) -> Clock {
        Clock(Arc::new(RwLock::new(day)))
    }

    /// The day requests are decided on now.
    pub fn today(&self) -> NaiveDate {
        match self.0.read() {
            Ok(fixed) => fixed.unwrap_or_else(|| chrono::Utc::now().date_naive()),
            Err(_) => chrono::Utc::now().date_naive(),
        }
    }

    /// Fixes the clock on `day` (`None`: back to the real date).
    pub fn set(&self, day: Option<NaiveDate>) {
        if let Ok(mut fixed) = self.0.write() {
            *fixed = day;
        }
    }
}
