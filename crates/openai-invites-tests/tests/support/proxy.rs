//! A small HTTP proxy on 127.0.0.1 for the tests: CONNECT tunnels and absolute-form
//! forwarding, with names only it can resolve, optional Basic authentication, and a log of
//! what it relayed. It only ever connects to loopback addresses.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the proxy behaves.
#[derive(Clone, Default)]
pub struct ProxyOptions {
    /// `host:port` names only the proxy resolves, e.g. `invites.test:443`.
    pub hosts: HashMap<String, SocketAddr>,
    /// The `Proxy-Authorization` value required (a 407 otherwise).
    pub require: Option<String>,
    /// Answer every request 403 (a proxy policy that refuses the destination).
    pub refuse: bool,
    /// Answer every forwarded request 502 with the request head echoed in the body (a
    /// misbehaving proxy).
    pub echo: bool,
}

/// What the proxy saw.
#[derive(Debug, Default, Clone)]
pub struct ProxyLog {
    /// The first line of every request head: `CONNECT invites.test:443 HTTP/1.1`,
    /// `GET http://127.0.0.1:1234/v1/... HTTP/1.1`.
    pub lines: Vec<String>,
    /// The `Proxy-Authorization` of each request head, if any.
    pub authorizations: Vec<Option<String>>,
    /// Tunnels opened (answered 200).
    pub tunnels: usize,
    /// Connections forwarded in absolute form.
    pub forwarded: usize,
}

pub struct TestProxy {
    pub addr: SocketAddr,
    log: Arc<Mutex<ProxyLog>>,
    relayed: Arc<AtomicU64>,
}

impl TestProxy {
    pub async fn start(options: ProxyOptions) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(ProxyLog::default()));
        let relayed = Arc::new(AtomicU64::new(0));
        let options = Arc::new(options);
        let (shared_log, shared_relayed) = (log.clone(), relayed.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (options, log, relayed) =
                    (options.clone(), shared_log.clone(), shared_relayed.clone());
                tokio::spawn(async move {
                    let _ = serve(client, &options, &log, &relayed).await;
                });
            }
        });
        Self { addr, log, relayed }
    }

    /// `http://127.0.0.1:port`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://user:password@127.0.0.1:port`.
    pub fn url_with(&self, userinfo: &str) -> String {
        format!("http://{userinfo}@{}", self.addr)
    }

    pub fn log(&self) -> ProxyLog {
        self.log.lock().unwrap().clone()
    }

    /// Bytes relayed, both ways, through tunnels and forwarded connections.
    pub fn relayed(&self) -> u64 {
        self.relayed.load(Ordering::SeqCst)
    }
}

async fn serve(
    mut client: TcpStream,
    options: &ProxyOptions,
    log: &Mutex<ProxyLog>,
    relayed: &AtomicU64,
) -> std::io::Result<()> {
    let head = read_head(&mut client).await?;
    let text = String::from_utf8_lossy(&head).into_owned();
    let line = text.lines().next().unwrap_or_default().to_owned();
    let authorization = text.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("proxy-authorization")
            .then(|| value.trim().to_owned())
    });
    {
        let mut log = log.lock().unwrap();
        log.lines.push(line.clone());
        log.authorizations.push(authorization.clone());
    }
    if let Some(required) = &options.require {
        if authorization.as_deref() != Some(required.as_str()) {
            let answer = "HTTP/1.1 407 Proxy Authentication Required\r\n\
                          Proxy-Authenticate: Basic realm=\"test\"\r\ncontent-length: 0\r\n\r\n";
            return client.write_all(answer.as_bytes()).await;
        }
    }
    if options.refuse {
        let answer = "HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n";
        return client.write_all(answer.as_bytes()).await;
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method == "CONNECT" {
        let Some(upstream) = resolve(target, options) else {
            return client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
        };
        let server = TcpStream::connect(upstream).await?;
        client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await?;
        log.lock().unwrap().tunnels += 1;
        return relay(client, server, relayed).await;
    }
    // Absolute form: `GET http://host:port/path HTTP/1.1`.
    let authority = target
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default();
    if options.echo {
        let body = text.clone();
        let answer = format!(
            "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        return client.write_all(answer.as_bytes()).await;
    }
    let Some(upstream) = resolve(authority, options) else {
        return client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
    };
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(&head).await?;
    relayed.fetch_add(head.len() as u64, Ordering::SeqCst);
    log.lock().unwrap().forwarded += 1;
    relay(client, server, relayed).await
}

/// Copies both ways until either side closes, counting bytes as they pass.
async fn relay(client: TcpStream, server: TcpStream, relayed: &AtomicU64) -> std::io::Result<()> {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let up = copy(&mut client_read, &mut server_write, relayed);
    let down = copy(&mut server_read, &mut client_write, relayed);
    tokio::select! {
        result = up => result,
        result = down => result,
    }
}

async fn copy(
    from: &mut (impl AsyncReadExt + Unpin),
    to: &mut (impl AsyncWriteExt + Unpin),
    relayed: &AtomicU64,
) -> std::io::Result<()> {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let n = from.read(&mut buffer).await?;
        if n == 0 {
            return Ok(());
        }
        to.write_all(&buffer[..n]).await?;
        relayed.fetch_add(n as u64, Ordering::SeqCst);
    }
}

/// A name from the options, or a loopback address literal (`127.0.0.1:1`, `[::ffff:127.0.0.1]:1`).
fn resolve(target: &str, options: &ProxyOptions) -> Option<SocketAddr> {
    if let Some(addr) = options.hosts.get(target) {
        return Some(*addr);
    }
    let addr: SocketAddr = target.parse().ok()?;
    let ip = match addr.ip() {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    ip.is_loopback().then(|| SocketAddr::new(ip, addr.port()))
}

/// The request head, up to and including the blank line (bounded).
async fn read_head(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        if stream.read(&mut byte).await? == 0 {
            break;
        }
        head.push(byte[0]);
    }
    Ok(head)
}
