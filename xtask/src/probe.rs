//! Does a PostgreSQL or Redis answer at a URL? Real protocol checks over
//! TCP (no client programs needed), and free ports for throwaway servers.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Host, port and user of a `postgres://` or `redis://` URL.
#[derive(Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub has_password: bool,
}

/// Reads the parts of `url` a probe needs; `None` when it is no URL.
pub fn endpoint(url: &str, default_port: u16) -> Option<Endpoint> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((userinfo, hostport)) => (Some(userinfo), hostport),
        None => (None, authority),
    };
    let (host, port) = if let Some(bracketed) = hostport.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        }
    };
    let port = match port {
        Some(port) if !port.is_empty() => port.parse().ok()?,
        _ => default_port,
    };
    let host = if host.is_empty() { "localhost" } else { host };
    let (user, has_password) = match userinfo {
        Some(info) => match info.split_once(':') {
            Some((user, _)) => (Some(user.to_owned()), true),
            None => (Some(info.to_owned()), false),
        },
        None => (None, false),
    };
    Some(Endpoint {
        host: host.to_owned(),
        port,
        user: user.filter(|u| !u.is_empty()),
        has_password,
    })
}

fn connect(endpoint: &Endpoint) -> Option<TcpStream> {
    let timeout = Duration::from_secs(2);
    let addrs = (endpoint.host.as_str(), endpoint.port)
        .to_socket_addrs()
        .ok()?;
    for addr in addrs {
        if let Ok(stream) = TcpStream::connect_timeout(&addr, timeout) {
            stream.set_read_timeout(Some(timeout)).ok()?;
            stream.set_write_timeout(Some(timeout)).ok()?;
            return Some(stream);
        }
    }
    None
}

/// What a PostgreSQL server said to a start-up message.
#[derive(Debug, PartialEq, Eq)]
pub enum PgAnswer {
    /// Nothing listens, or what listens is no PostgreSQL.
    Silent,
    /// Logged in without a password (trust): the tests can use it.
    Ready,
    /// Wants a password (the URL must carry one).
    WantsPassword,
    /// Refused: starting up, unknown role, no pg_hba.conf entry...
    Refused(String),
}

/// Logs in to database `postgres` as the URL's user (default `postgres`),
/// then says goodbye.
pub fn postgres(url: &str) -> PgAnswer {
    let Some(endpoint) = endpoint(url, 5432) else {
        return PgAnswer::Silent;
    };
    let Some(mut stream) = connect(&endpoint) else {
        return PgAnswer::Silent;
    };
    let user = endpoint.user.as_deref().unwrap_or("postgres");
    let mut body = 196_608_i32.to_be_bytes().to_vec(); // protocol 3.0
    for part in ["user", user, "database", "postgres"] {
        body.extend_from_slice(part.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut message = ((body.len() + 4) as i32).to_be_bytes().to_vec();
    message.extend(body);
    if stream.write_all(&message).is_err() {
        return PgAnswer::Silent;
    }
    let answer = read_pg_answer(&mut stream);
    let _ = stream.write_all(&[b'X', 0, 0, 0, 4]); // Terminate
    answer
}

fn read_pg_answer(stream: &mut impl Read) -> PgAnswer {
    let mut header = [0u8; 5];
    if stream.read_exact(&mut header).is_err() {
        return PgAnswer::Silent;
    }
    let len = i32::from_be_bytes([header[1], header[2], header[3], header[4]]);
    let Some(len) = usize::try_from(len)
        .ok()
        .filter(|l| (4..=65_536).contains(l))
    else {
        return PgAnswer::Silent;
    };
    let mut body = vec![0u8; len - 4];
    if stream.read_exact(&mut body).is_err() {
        return PgAnswer::Silent;
    }
    match header[0] {
        b'R' if body.len() >= 4 => match i32::from_be_bytes([body[0], body[1], body[2], body[3]]) {
            0 => PgAnswer::Ready,
            _ => PgAnswer::WantsPassword,
        },
        b'E' => {
            // Fields: a type byte then a C string; 'M' is the message.
            let message = body
                .split(|b| *b == 0)
                .find_map(|field| field.strip_prefix(b"M"))
                .map(|m| String::from_utf8_lossy(m).into_owned())
                .unwrap_or_default();
            PgAnswer::Refused(message)
        }
        _ => PgAnswer::Silent,
    }
}

/// Whether the tests can use the PostgreSQL at `url` as it is.
pub fn postgres_usable(url: &str) -> bool {
    match postgres(url) {
        PgAnswer::Ready => true,
        PgAnswer::WantsPassword => endpoint(url, 5432).is_some_and(|e| e.has_password),
        PgAnswer::Silent | PgAnswer::Refused(_) => false,
    }
}

/// Whether a Redis answers `PING` at `url` (or asks for the password the
/// URL carries).
pub fn redis_usable(url: &str) -> bool {
    let Some(endpoint) = endpoint(url, 6379) else {
        return false;
    };
    let Some(mut stream) = connect(&endpoint) else {
        return false;
    };
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut reply = [0u8; 64];
    let Ok(n) = stream.read(&mut reply) else {
        return false;
    };
    let reply = &reply[..n];
    reply.starts_with(b"+PONG") || (reply.starts_with(b"-NOAUTH") && endpoint.has_password)
}

/// A TCP port on 127.0.0.1 nobody listens on right now.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_of_the_urls_the_tests_use() {
        assert_eq!(
            endpoint("postgres://postgres@127.0.0.1:5433", 5432),
            Some(Endpoint {
                host: "127.0.0.1".into(),
                port: 5433,
                user: Some("postgres".into()),
                has_password: false
            })
        );
        let with_password = endpoint("postgres://hub:secret@db.example:6000/x?ssl=1", 5432);
        assert_eq!(
            with_password.map(|e| (e.host, e.port, e.user, e.has_password)),
            Some(("db.example".into(), 6000, Some("hub".into()), true))
        );
        let redis = endpoint("redis://127.0.0.1", 6379);
        assert_eq!(redis.map(|e| (e.port, e.user)), Some((6379, None)));
        let v6 = endpoint("redis://[::1]:7000/0", 6379);
        assert_eq!(v6.map(|e| (e.host, e.port)), Some(("::1".into(), 7000)));
        assert_eq!(endpoint("127.0.0.1:5432", 5432), None);
        assert_eq!(endpoint("postgres://h:notaport", 5432), None);
    }

    #[test]
    fn a_port_nobody_listens_on_does_not_answer() {
        let port = free_port().expect("a free port");
        assert_ne!(port, 0);
        assert_eq!(
            postgres(&format!("postgres://postgres@127.0.0.1:{port}")),
            PgAnswer::Silent
        );
        assert!(!redis_usable(&format!("redis://127.0.0.1:{port}")));
    }

    #[test]
    fn something_that_is_not_postgres_does_not_answer_as_postgres() {
        // A listener that answers like an HTTP server.
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = std::thread::spawn(move || {
            if let Ok((mut socket, _)) = listener.accept() {
                let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
            }
        });
        assert!(!postgres_usable(&format!(
            "postgres://postgres@127.0.0.1:{port}"
        )));
        server.join().expect("server thread");
    }

    #[test]
    fn the_first_message_of_postgres_decides() {
        let ok = [b'R', 0, 0, 0, 8, 0, 0, 0, 0];
        assert_eq!(read_pg_answer(&mut &ok[..]), PgAnswer::Ready);
        let scram = [b'R', 0, 0, 0, 8, 0, 0, 0, 10];
        assert_eq!(read_pg_answer(&mut &scram[..]), PgAnswer::WantsPassword);
        let mut error = vec![b'E'];
        let fields = b"SFATAL\0C57P03\0Mthe database system is starting up\0\0";
        error.extend(((fields.len() + 4) as i32).to_be_bytes());
        error.extend(fields);
        assert_eq!(
            read_pg_answer(&mut &error[..]),
            PgAnswer::Refused("the database system is starting up".into())
        );
        assert_eq!(read_pg_answer(&mut &b"+PONG\r\n"[..]), PgAnswer::Silent);
    }
}
