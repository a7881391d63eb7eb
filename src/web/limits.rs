//! Rate limits that keep one client from hurting the others (DESIGN.md
//! section 7: `RATE_LIMITED`): per subject and per client address, in this
//! process or shared by every instance through Redis — and in this process
//! again while Redis is away.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::ground::config::LimitsConfig;

/// Rate limits per subject and per client address: in this process, or
/// shared by every instance through Redis (this process's own limits
/// while Redis does not answer: a limit never simply lifts).
pub struct RateLimits {
    subjects: DefaultKeyedRateLimiter<String>,
    addresses: DefaultKeyedRateLimiter<IpAddr>,
    per_subject: u32,
    per_address: u32,
    shared: Option<crate::ground::shared::Shared>,
}

fn per_minute(n: u32) -> Quota {
    // Validated to be more than 0 at start.
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl RateLimits {
    pub fn new(config: &LimitsConfig, shared: Option<crate::ground::shared::Shared>) -> RateLimits {
        RateLimits {
            subjects: RateLimiter::keyed(per_minute(config.per_subject_per_minute)),
            addresses: RateLimiter::keyed(per_minute(config.per_ip_per_minute)),
            per_subject: config.per_subject_per_minute,
            per_address: config.per_ip_per_minute,
            shared,
        }
    }

    /// `Err(wait)` when the subject has used its quota.
    pub async fn check_subject(&self, subject: &str) -> Result<(), Duration> {
        if let Some(shared) = &self.shared
            && let Some(counted) = shared.hit("subject", subject, self.per_subject).await
        {
            return counted;
        }
        self.subjects
            .check_key(&subject.to_owned())
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// `Err(wait)` when the address has used its quota.
    pub async fn check_address(&self, address: IpAddr) -> Result<(), Duration> {
        if let Some(shared) = &self.shared
            && let Some(counted) = shared
                .hit("address", &address.to_string(), self.per_address)
                .await
        {
            return counted;
        }
        self.addresses
            .check_key(&address)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ground::config::LimitsConfig;

    #[tokio::test]
    async fn a_subject_over_its_quota_waits() {
        let limits = RateLimits::new(
            &LimitsConfig {
                per_subject_per_minute: 2,
                ..LimitsConfig::default()
            },
            None,
        );
        assert!(limits.check_subject("a").await.is_ok());
        assert!(limits.check_subject("a").await.is_ok());
        let wait = limits.check_subject("a").await.unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(60));
        assert!(
            limits.check_subject("b").await.is_ok(),
            "quotas are per subject"
        );
    }
}
