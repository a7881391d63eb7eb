//! `[audit]`: the tamper-evident audit log's alarm (`audit verify`).

use serde::{Deserialize, Serialize};

/// Longest `unsealed_alert_secs` accepted: a year. Longer would hide a
/// stopped sealer for good.
const MAX_UNSEALED_ALERT_SECS: u64 = 365 * 24 * 3600;

/// Audit log settings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// `audit verify` fails when an event has waited longer than this, in
    /// seconds since its `at`, without a seal (`serve` seals every second);
    /// 0: any event not sealed yet fails it.
    #[serde(default = "default_unsealed_alert_secs")]
    pub unsealed_alert_secs: u64,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            unsealed_alert_secs: default_unsealed_alert_secs(),
        }
    }
}

fn default_unsealed_alert_secs() -> u64 {
    60
}

impl AuditConfig {
    /// Checks the settings; the error names the setting and why.
    pub fn validate(&self) -> Result<(), (String, String)> {
        if self.unsealed_alert_secs > MAX_UNSEALED_ALERT_SECS {
            return Err((
                "audit.unsealed_alert_secs".into(),
                format!("must be at most {MAX_UNSEALED_ALERT_SECS} (a year)"),
            ));
        }
        Ok(())
    }

    /// `unsealed_alert_secs` as a duration.
    pub fn unsealed_alert(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.unsealed_alert_secs)
    }
}
