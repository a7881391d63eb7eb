//! `[telemetry]`: OpenTelemetry traces over OTLP/HTTP (JSON).

use serde::{Deserialize, Serialize};

/// Where traces go.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetryConfig {
    /// The collector's OTLP/HTTP traces URL (e.g.
    /// `http://otel-collector:4318/v1/traces`); no traces without it.
    #[serde(default)]
    pub otlp_endpoint: Option<String>,
    /// `service.name` of the exported spans.
    #[serde(default = "default_service_name")]
    pub service_name: String,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        TelemetryConfig {
            otlp_endpoint: None,
            service_name: default_service_name(),
        }
    }
}

fn default_service_name() -> String {
    "pathways-hub".to_owned()
}

impl TelemetryConfig {
    /// Checks the settings; the error names the setting and why.
    pub fn validate(&self) -> Result<(), (String, String)> {
        if let Some(url) = &self.otlp_endpoint
            && !url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            return Err((
                "telemetry.otlp_endpoint".into(),
                "must be an http(s) URL".into(),
            ));
        }
        Ok(())
    }
}
