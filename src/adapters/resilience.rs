//! A circuit breaker per partner (shared by every request of the process)
//! and a short-lived answer cache whose key always holds the viewer's
//! organization, so an answer fetched for one organization is never served
//! to another.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::records::Mapped;
use crate::ground::config::partners::RecordKind;

/// Closed → (N consecutive failures) → open for a while → one trial call
/// (half-open) → closed on success, open again on failure.
#[derive(Debug)]
pub struct Breaker {
    threshold: u32,
    open_for: Duration,
    state: Mutex<BreakerState>,
}

#[derive(Debug, Default)]
struct BreakerState {
    failures: u32,
    open_until: Option<Instant>,
    trial_in_flight: bool,
}

impl Breaker {
    /// A closed breaker.
    pub fn new(threshold: u32, open_for: Duration) -> Breaker {
        Breaker {
            threshold: threshold.max(1),
            open_for,
            state: Mutex::default(),
        }
    }

    /// Whether a call may go out now (an open breaker lets one trial call
    /// through once its time is up).
    pub fn allow(&self) -> bool {
        let Ok(mut s) = self.state.lock() else {
            return true;
        };
        match s.open_until {
            None => true,
            Some(until) if Instant::now() < until => false,
            Some(_) if s.trial_in_flight => false,
            Some(_) => {
                s.trial_in_flight = true;
                true
            }
        }
    }

    /// A call succeeded: the breaker closes.
    pub fn success(&self) {
        if let Ok(mut s) = self.state.lock() {
            *s = BreakerState::default();
        }
    }

    /// A call failed: after `threshold` in a row (or a failed trial) the
    /// breaker opens.
    pub fn failure(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.failures = s.failures.saturating_add(1);
            if s.failures >= self.threshold || s.trial_in_flight {
                s.open_until = Some(Instant::now() + self.open_for);
            }
            s.trial_in_flight = false;
        }
    }

    /// Whether the breaker refuses calls right now.
    pub fn is_open(&self) -> bool {
        self.state
            .lock()
            .map(|s| s.open_until.is_some_and(|until| Instant::now() < until))
            .unwrap_or(false)
    }
}

/// What an answer is cached under: record kind, the exact (sorted) ids
/// asked for, and the viewer's organization.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    pub kind: RecordKind,
    pub ids: Vec<String>,
    pub viewer_org: Uuid,
}

/// Answers of one partner for a short while.
#[derive(Debug)]
pub struct AnswerCache {
    ttl: Duration,
    entries: Mutex<HashMap<CacheKey, (Instant, Vec<Mapped>)>>,
}

/// Entries kept at most; expired ones are dropped first.
const MAX_ENTRIES: usize = 1024;

impl AnswerCache {
    /// A cache keeping answers for `ttl` (zero: no caching).
    pub fn new(ttl: Duration) -> AnswerCache {
        AnswerCache {
            ttl,
            entries: Mutex::default(),
        }
    }

    /// A fresh answer for `key`, if any.
    pub fn get(&self, key: &CacheKey) -> Option<Vec<Mapped>> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().ok()?;
        let (at, records) = entries.get(key)?;
        (at.elapsed() < self.ttl).then(|| records.clone())
    }

    /// Keeps an answer.
    pub fn put(&self, key: CacheKey, records: Vec<Mapped>) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                let ttl = self.ttl;
                entries.retain(|_, (at, _)| at.elapsed() < ttl);
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
            }
            entries.insert(key, (Instant::now(), records));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaker_opens_after_failures_and_lets_one_trial_through() {
        let b = Breaker::new(2, Duration::from_millis(30));
        assert!(b.allow());
        b.failure();
        assert!(b.allow());
        b.failure();
        assert!(!b.allow());
        std::thread::sleep(Duration::from_millis(40));
        assert!(b.allow(), "trial call");
        assert!(!b.allow(), "only one trial at a time");
        b.failure();
        assert!(!b.allow(), "a failed trial opens it again");
        std::thread::sleep(Duration::from_millis(40));
        assert!(b.allow());
        b.success();
        assert!(b.allow() && b.allow());
    }

    #[test]
    fn the_cache_separates_viewers() {
        let cache = AnswerCache::new(Duration::from_secs(5));
        let key = |org| CacheKey {
            kind: RecordKind::HourLogs,
            ids: vec!["A".into()],
            viewer_org: Uuid::from_u128(org),
        };
        cache.put(key(1), Vec::new());
        assert!(cache.get(&key(1)).is_some());
        assert!(cache.get(&key(2)).is_none());
    }
}
