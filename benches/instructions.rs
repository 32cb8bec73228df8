//! Retrieves in process, for counting instructions per call under callgrind: `MODE=client`
//! through the full default stack, `MODE=floor` the same encode, canned transport and decode
//! without it. The canned transport yields once per call, as a real one does, so the stack's
//! timers are armed as they are over a network. No subscriber.
//!
//! Instructions per call are the difference between two runs of different lengths (setup and
//! warm-up drop out):
//!
//! ```sh
//! cargo bench -p openai-invites-benches --bench instructions --no-run   # prints the binary's path
//! for calls in 1000 3000; do
//!   MODE=client CALLS=$calls valgrind --tool=callgrind target/release/deps/instructions-<hash>
//! done   # (second total - first total) / 2000
//! ```
//!
//! Under `cargo test --benches` it makes a few calls of each mode, as a smoke test.

use std::convert::Infallible;
use std::num::NonZeroU32;

use bytes::Bytes;
use openai_invites::{BaseUrl, Client, Operation, Quota, RetrieveInvite};
use tower::Service;

const BODY: &[u8] = br#"{"object":"organization.invite","id":"invite-abc","email":"a@example.com","role":"reader","status":"pending","created_at":1711471533,"expires_at":1712076333,"accepted_at":null,"projects":[{"id":"proj_default","role":"member"}]}"#;

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let calls: u64 = std::env::var("CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { 1000 } else { 3 });
    let only = std::env::var("MODE").ok();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    let mut canned = tower::service_fn(|_request: http::Request<Bytes>| async {
        let mut response = http::Response::new(Bytes::from_static(BODY));
        let headers = response.headers_mut();
        headers.insert(
            "content-type",
            "application/json".parse().unwrap_or_else(|e| panic!("{e}")),
        );
        headers.insert(
            "x-request-id",
            "req_deaa3616cbd15d33b4db96b3ba74d2b4"
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
        );
        tokio::task::yield_now().await;
        Ok::<_, Infallible>(response)
    });
    let client = Client::builder()
        .admin_key("sk-admin-bench")
        .transport(canned)
        // The limiter runs, with a quota no run reaches.
        .rate_limit(Quota::per_second(NonZeroU32::MAX))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    let base = BaseUrl::default();
    for mode in ["floor", "client"] {
        if only.as_deref().is_some_and(|only| only != mode) {
            continue;
        }
        rt.block_on(async {
            for _ in 0..calls {
                let decoded = match mode {
                    "floor" => {
                        let request = RetrieveInvite::new("invite-abc")
                            .encode(&base)
                            .unwrap_or_else(|e| panic!("{e}"));
                        let response = canned.call(request).await.unwrap_or_else(|e| match e {});
                        RetrieveInvite::decode(response).map_err(|e| e.to_string())
                    }
                    _ => client
                        .retrieve_invite("invite-abc")
                        .await
                        .map_err(|e| e.to_string()),
                };
                if let Err(e) = decoded {
                    panic!("{mode}: {e}");
                }
            }
        });
    }
    if !benching {
        println!("instructions smoke run: {calls} calls of each mode");
    }
}
