//! The hub's face on the network: the HTTP endpoints (`http`: GraphQL,
//! CSV import and reports, health and metrics), the admin console
//! (`console`), and rate limits (`limits`).

pub mod console;
pub mod context;
pub mod http;
pub mod limits;
pub mod session;
pub mod state;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub use state::AppState;

/// The largest file accepted, in bytes.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// The hub's router: the HTTP endpoints and the console.
pub fn router(state: AppState) -> axum::Router {
    http::router(state, console::routes())
}

/// Serves the router on `listener` until `shutdown` resolves; in-flight
/// requests finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let grace = Duration::from_secs(state.config.limits.shutdown_grace_secs);
    let draining = state.draining.clone();
    crate::adapters::webhooks::start(&state.db, &state.config.webhooks);
    crate::audit::chain::start(state.config.database_url.clone());
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            // Load balancers see /readyz fail first, then the server stops
            // accepting and lets in-flight requests finish.
            draining.store(true, Ordering::Relaxed);
            tracing::info!(grace_secs = grace.as_secs(), "draining before shutdown");
            tokio::time::sleep(grace).await;
        })
        .await
}
