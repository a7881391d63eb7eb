//! `/metrics` in the Prometheus text format: requests by route and status,
//! GraphQL operations by name and code, latency histograms by route, SQL
//! statements run, rate-limit refusals, whether the server is draining. Never a label
//! with personal data: routes are the router's own paths, operation names
//! are the client's (sanitised, at most [`MAX_OPERATIONS`] distinct).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Latency bucket bounds, in seconds.
const BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Most distinct operation names kept; later ones count as `other`.
pub const MAX_OPERATIONS: usize = 200;

struct Histogram {
    bounds: &'static [f64],
    /// Cumulative counts, one per bound.
    counts: Vec<u64>,
    sum: f64,
    total: u64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: vec![0; bounds.len()],
            sum: 0.0,
            total: 0,
        }
    }

    fn observe(&mut self, value: f64) {
        for (count, bound) in self.counts.iter_mut().zip(self.bounds) {
            if value <= *bound {
                *count += 1;
            }
        }
        self.sum += value;
        self.total += 1;
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new(BUCKETS)
    }
}

struct Inner {
    requests: BTreeMap<(String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
    operations: BTreeMap<(String, String), u64>,
    rate_limited: BTreeMap<&'static str, u64>,
}

/// The hub's counters, shared by every request.
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            inner: Mutex::new(Inner {
                requests: BTreeMap::new(),
                latency: BTreeMap::new(),
                operations: BTreeMap::new(),
                rate_limited: BTreeMap::new(),
            }),
        }
    }
}

/// A client's operation name as a label: letters, digits and `_`, at most
/// 64 characters; `anonymous` when none.
fn operation_label(name: Option<&str>) -> String {
    match name {
        None | Some("") => "anonymous".to_owned(),
        Some(n) => n
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(64)
            .collect(),
    }
}

impl Metrics {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut inner)
    }

    /// One HTTP request on `route` answered `status` after `elapsed`.
    pub fn request(&self, route: &str, status: u16, elapsed: Duration) {
        self.with(|m| {
            *m.requests.entry((route.to_owned(), status)).or_default() += 1;
            m.latency
                .entry(route.to_owned())
                .or_default()
                .observe(elapsed.as_secs_f64());
        });
    }

    /// One GraphQL operation and the code of its first error (`OK` when none).
    pub fn operation(&self, name: Option<&str>, code: &str) {
        let mut label = operation_label(name);
        self.with(|m| {
            let known = m.operations.keys().any(|(op, _)| *op == label);
            let distinct = m
                .operations
                .keys()
                .map(|(op, _)| op)
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            if !known && distinct >= MAX_OPERATIONS {
                label = "other".to_owned();
            }
            *m.operations.entry((label, code.to_owned())).or_default() += 1;
        });
    }

    /// A request refused by a rate limit (`subject` or `address`).
    pub fn rate_limited(&self, by: &'static str) {
        self.with(|m| *m.rate_limited.entry(by).or_default() += 1);
    }

    /// The Prometheus text, with the statements counter read by the caller.
    pub fn render(&self, sql_statements: u64, draining: bool) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP pathways_sql_statements_total SQL statements run since start.\n\
             # TYPE pathways_sql_statements_total counter\n\
             pathways_sql_statements_total {sql_statements}"
        );
        let _ = writeln!(
            out,
            "# HELP pathways_draining Whether the server is shutting down.\n\
             # TYPE pathways_draining gauge\npathways_draining {}",
            u8::from(draining)
        );
        self.with(|m| {
            let _ = writeln!(
                out,
                "# HELP pathways_http_requests_total HTTP requests by route and status.\n\
                 # TYPE pathways_http_requests_total counter"
            );
            for ((route, status), n) in &m.requests {
                let _ = writeln!(
                    out,
                    "pathways_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "# HELP pathways_http_request_duration_seconds Request latency by route.\n\
                 # TYPE pathways_http_request_duration_seconds histogram"
            );
            for (route, h) in &m.latency {
                histogram(
                    &mut out,
                    "pathways_http_request_duration_seconds",
                    &format!("route=\"{route}\","),
                    h,
                );
            }
            let _ = writeln!(
                out,
                "# HELP pathways_graphql_operations_total GraphQL operations by name and code.\n\
                 # TYPE pathways_graphql_operations_total counter"
            );
            for ((op, code), n) in &m.operations {
                let _ = writeln!(
                    out,
                    "pathways_graphql_operations_total{{operation=\"{op}\",code=\"{code}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "# HELP pathways_rate_limited_total Requests refused by a rate limit.\n\
                 # TYPE pathways_rate_limited_total counter"
            );
            for (by, n) in &m.rate_limited {
                let _ = writeln!(out, "pathways_rate_limited_total{{by=\"{by}\"}} {n}");
            }
        });
        out
    }
}

fn histogram(out: &mut String, name: &str, labels: &str, h: &Histogram) {
    for (bound, count) in h.bounds.iter().zip(&h.counts) {
        let _ = writeln!(out, "{name}_bucket{{{labels}le=\"{bound}\"}} {count}");
    }
    let _ = writeln!(out, "{name}_bucket{{{labels}le=\"+Inf\"}} {}", h.total);
    let plain = labels.trim_end_matches(',');
    let _ = writeln!(out, "{name}_sum{{{plain}}} {}", h.sum);
    let _ = writeln!(out, "{name}_count{{{plain}}} {}", h.total);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_sanitised_and_capped() {
        let m = Metrics::default();
        m.operation(Some("Case\"Manager}Page"), "OK");
        m.operation(None, "FORBIDDEN");
        for i in 0..(MAX_OPERATIONS + 5) {
            m.operation(Some(&format!("op{i}")), "OK");
        }
        let text = m.render(7, false);
        assert!(text.contains("operation=\"CaseManagerPage\",code=\"OK\"} 1"));
        assert!(text.contains("operation=\"anonymous\",code=\"FORBIDDEN\"} 1"));
        assert!(text.contains("operation=\"other\""));
        assert!(text.contains("pathways_sql_statements_total 7"));
    }
}
