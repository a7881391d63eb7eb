//! What the hub logs during one test, and only that test: the test runs
//! on a tokio runtime of its own whose every thread has the test's log
//! subscriber as its default, so a line in a test's [`Logs`] was written
//! by the hub that test spawned, never by one running beside it. No global
//! subscriber is set.

use std::future::Future;
use std::sync::{Arc, Mutex};

/// What the hub logged at INFO and above during one test, and only that
/// test: see [`with_own_logs`].
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// The lines holding `needle`.
    pub fn count(&self, needle: &str) -> usize {
        self.text().lines().filter(|l| l.contains(needle)).count()
    }
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

thread_local! {
    /// The test's log subscriber, the default of a runtime thread while it lives.
    static LOG_GUARD: std::cell::RefCell<Option<tracing::dispatcher::DefaultGuard>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `test` on a runtime of its own (two workers, as `#[tokio::test]`
/// here) whose every thread logs to the test's own [`Logs`]: the hub a
/// test spawns runs its requests on those threads, so a line in them is
/// the hub's of this test, never of a test running beside it. No global
/// subscriber is set.
pub fn with_own_logs<F: Future<Output = ()>>(test: impl FnOnce(Logs) -> F) {
    let logs = Logs::default();
    let buffer = logs.0.clone();
    let dispatch = tracing::Dispatch::new(
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_env_filter("pathways_hub=info")
            .with_writer(move || LogWriter(buffer.clone()))
            .finish(),
    );
    let on_start = dispatch.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .on_thread_start(move || {
            let guard = tracing::dispatcher::set_default(&on_start);
            LOG_GUARD.with(|g| *g.borrow_mut() = Some(guard));
        })
        .on_thread_stop(|| LOG_GUARD.with(|g| drop(g.borrow_mut().take())))
        .build()
        .unwrap();
    tracing::dispatcher::with_default(&dispatch, || runtime.block_on(test(logs)));
}

/// `hub_test!` with [`with_own_logs`]: a `sqlite` and a `postgres` test,
/// each with its own logs.
#[macro_export]
macro_rules! logged_hub_test {
    ($name:ident, |$backend:ident, $logs:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn sqlite() {
                $crate::common::logs::with_own_logs(|$logs| async move {
                    let $backend = $crate::common::Backend::Sqlite;
                    $body
                });
            }

            #[test]
            fn postgres() {
                $crate::common::logs::with_own_logs(|$logs| async move {
                    let $backend = $crate::common::Backend::Postgres;
                    $body
                });
            }
        }
    };
}
