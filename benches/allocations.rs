//! Heap allocations per call: a retrieve through the full client stack against the bare path
//! (encode, the same canned transport, decode), counted by an instrumented global allocator.
//!
//! ```sh
//! cargo bench --bench allocations
//! ```

mod common;

use std::alloc::System;
use std::convert::Infallible;
use std::num::NonZeroU32;

use bytes::Bytes;
use openai_invites::{BaseUrl, Client, Operation, Quota, RetrieveInvite};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use tower::{Service, ServiceExt};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const CALLS: u64 = 1000;

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    let body = common::invite_body();
    let canned = tower::service_fn(move |_request: http::Request<Bytes>| {
        let response = common::ok_response(&body);
        async move { Ok::<_, Infallible>(response) }
    });
    let client = Client::builder()
        .admin_key("sk-admin-bench")
        .transport(canned.clone())
        .rate_limit(Quota::per_second(NonZeroU32::MAX))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    let base = BaseUrl::default();

    let bare = rt.block_on(async {
        // Warm up once (lazy statics, first-use allocations), then count.
        let mut transport = canned.clone();
        let warm = RetrieveInvite::new("invite-abc").encode(&base).ok();
        if let Some(request) = warm {
            let _ = transport.ready().await.map(|t| t.call(request));
        }
        let region = Region::new(GLOBAL);
        for _ in 0..CALLS {
            let Ok(request) = RetrieveInvite::new("invite-abc").encode(&base) else {
                continue;
            };
            let Ok(response) = transport.call(request).await;
            let _ = RetrieveInvite::decode(response);
        }
        region.change()
    });
    let full = rt.block_on(async {
        let _ = client.retrieve_invite("invite-abc").await;
        let region = Region::new(GLOBAL);
        for _ in 0..CALLS {
            let _ = client.retrieve_invite("invite-abc").await;
        }
        region.change()
    });
    let per = |n: usize| n as f64 / CALLS as f64;
    println!("allocations per retrieve ({CALLS} calls, in process, canned transport)");
    println!("| path | allocations/call | bytes allocated/call |");
    println!("|---|---|---|");
    println!(
        "| bare: encode + transport + decode | {:.1} | {:.0} |",
        per(bare.allocations),
        per(bare.bytes_allocated)
    );
    println!(
        "| client: full stack | {:.1} | {:.0} |",
        per(full.allocations),
        per(full.bytes_allocated)
    );
    println!(
        "| difference | {:.1} | {:.0} |",
        per(full.allocations) - per(bare.allocations),
        per(full.bytes_allocated) - per(bare.bytes_allocated)
    );
}
