//! A TCP proxy that breaks the connection between the hub and a server on
//! purpose, as crates.io's chaos proxy does: the hub is configured with the
//! proxy's address instead of PostgreSQL's (or Redis's), and a test cuts or
//! stalls the traffic and restores it.
//!
//! - [`ChaosProxy::cut`]: every open connection is closed, and a new one is
//!   accepted and closed at once (the client sees it end, as when the
//!   server restarts).
//! - [`ChaosProxy::stall`]: connections are accepted, nothing is forwarded
//!   either way (a network that drops packets); bytes already sent wait.
//! - [`ChaosProxy::restore`]: forwarding again, on stalled connections too.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the proxy does with traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Forward,
    Stall,
    Cut,
}

/// A proxy on 127.0.0.1:0 in front of `upstream`; stops when dropped.
pub struct ChaosProxy {
    addr: SocketAddr,
    upstream: SocketAddr,
    mode: watch::Sender<Mode>,
    accepted: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl ChaosProxy {
    /// Starts forwarding to `upstream`.
    pub async fn start(upstream: SocketAddr) -> ChaosProxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the chaos proxy");
        let addr = listener.local_addr().expect("proxy address");
        let (mode, _) = watch::channel(Mode::Forward);
        let accepted = Arc::new(AtomicU64::new(0));
        let task = tokio::spawn(accept(listener, upstream, mode.clone(), accepted.clone()));
        ChaosProxy {
            addr,
            upstream,
            mode,
            accepted,
            task,
        }
    }

    /// A proxy in front of the tests' PostgreSQL server.
    pub async fn postgres() -> ChaosProxy {
        ChaosProxy::start(server_addr(&super::pg_server_url())).await
    }

    /// A proxy in front of the tests' Redis.
    pub async fn redis() -> ChaosProxy {
        ChaosProxy::start(server_addr(&redis_url())).await
    }

    /// The proxy's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `url` (of the upstream server) with the proxy's host and port instead.
    pub fn url_through(&self, url: &str) -> String {
        let mut url = url::Url::parse(url).expect("a URL");
        url.set_ip_host(self.addr.ip()).expect("an IP host");
        url.set_port(Some(self.addr.port())).expect("a port");
        url.to_string()
    }

    /// Connections accepted so far (refused ones while cut included).
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Closes every open connection; new ones are closed at once.
    pub fn cut(&self) {
        self.mode.send_replace(Mode::Cut);
    }

    /// Forwards nothing, on open and new connections, until restored.
    pub fn stall(&self) {
        self.mode.send_replace(Mode::Stall);
    }

    /// Forwards again.
    pub fn restore(&self) {
        self.mode.send_replace(Mode::Forward);
    }

    /// The server behind the proxy.
    pub fn upstream(&self) -> SocketAddr {
        self.upstream
    }
}

impl Drop for ChaosProxy {
    fn drop(&mut self) {
        self.task.abort();
        // Open connections end with the watch channel.
        self.mode.send_replace(Mode::Cut);
    }
}

/// The Redis the tests use.
pub fn redis_url() -> String {
    std::env::var("HUB_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// The address (host resolved, default port of the scheme) of a server URL.
fn server_addr(url: &str) -> SocketAddr {
    let parsed = url::Url::parse(url).expect("a server URL");
    let host = parsed.host_str().expect("a host").to_owned();
    let port = parsed
        .port_or_known_default()
        .unwrap_or(match parsed.scheme() {
            "redis" => 6379,
            _ => 5432,
        });
    std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))
        .expect("a resolvable host")
        .next()
        .expect("an address")
}

async fn accept(
    listener: TcpListener,
    upstream: SocketAddr,
    mode: watch::Sender<Mode>,
    accepted: Arc<AtomicU64>,
) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        accepted.fetch_add(1, Ordering::Relaxed);
        if *mode.borrow() == Mode::Cut {
            drop(client);
            continue;
        }
        tokio::spawn(forward(client, upstream, mode.subscribe()));
    }
}

/// Forwards one connection while the mode says so; stops polling the copy
/// while stalled (the bytes wait in the sockets' buffers) and drops both
/// sockets when cut.
async fn forward(mut client: TcpStream, upstream: SocketAddr, mut mode: watch::Receiver<Mode>) {
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let copy = tokio::io::copy_bidirectional(&mut client, &mut server);
    tokio::pin!(copy);
    loop {
        let current = *mode.borrow_and_update();
        match current {
            Mode::Cut => return,
            Mode::Stall => {
                if mode.changed().await.is_err() {
                    return;
                }
            }
            Mode::Forward => {
                tokio::select! {
                    _ = &mut copy => return,
                    changed = mode.changed() => {
                        if changed.is_err() {
                            return;
                        }
                    }
                }
            }
        }
    }
}
