//! OpenTelemetry: whether traces are exported (`[telemetry]`), and a span
//! per SQL statement, made from what the database driver reports after the
//! statement ran (its text with placeholders — values are bound apart, so
//! no personal data — its duration and whether it failed), under the span
//! that ran it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use opentelemetry::KeyValue;
use opentelemetry::trace::{Span as _, SpanKind, Status, Tracer as _};
use tracing_opentelemetry::OpenTelemetrySpanExt;

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Marks traces as exported (set once the exporter is installed).
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// Whether traces are exported.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Records a finished statement as a child span of the current span.
pub fn statement(sql: &str, elapsed: Duration, failed: bool, system: &'static str) {
    if !enabled() {
        return;
    }
    let parent = tracing::Span::current().context();
    let tracer = opentelemetry::global::tracer("pathways-hub");
    let end = SystemTime::now();
    let start = end.checked_sub(elapsed).unwrap_or(end);
    let operation = sql
        .split_whitespace()
        .next()
        .unwrap_or("SQL")
        .to_ascii_uppercase();
    let text: String = sql.chars().take(2000).collect();
    let mut span = tracer
        .span_builder(format!("db {operation}"))
        .with_kind(SpanKind::Client)
        .with_start_time(start)
        .with_attributes(vec![
            KeyValue::new("db.system.name", system),
            KeyValue::new("db.operation.name", operation),
            KeyValue::new("db.query.text", text),
        ])
        .start_with_context(&tracer, &parent);
    if failed {
        span.set_status(Status::error("statement failed"));
    }
    span.end_with_timestamp(end);
}
