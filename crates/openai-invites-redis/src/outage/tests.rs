#![allow(clippy::unwrap_used)]

use tracing::Level;

use super::*;

#[path = "../../tests/support/events.rs"]
mod events;

const PROBE: Duration = Duration::from_millis(500);
const WARNING: &str = "unavailable";
const RECOVERY: &str = "is back";

fn failure() -> StoreError {
    StoreError::Timeout(Duration::from_millis(100))
}

#[tokio::test(start_paused = true)]
async fn every_call_asks_while_redis_answers() {
    let outage = Outage::new(PROBE);
    for _ in 0..3 {
        let ask = outage.ask().unwrap();
        outage.answered(ask);
    }
    assert!(!outage.is_down());
    assert_eq!(outage.failures(), 0);
}

#[tokio::test(start_paused = true)]
async fn one_warning_per_outage_and_one_probe_per_interval() {
    let (events, _guard) = events::capture();
    let outage = Outage::new(PROBE);

    let ask = outage.ask().unwrap();
    outage.failed(&failure(), "denying");
    // Until the probe is due, nobody asks Redis.
    for _ in 0..5 {
        assert!(matches!(outage.ask(), Err(StoreError::Down(_))));
    }
    tokio::time::advance(PROBE).await;
    let probe = outage.ask().unwrap();
    assert!(outage.ask().is_err(), "only one caller probes");
    outage.failed(&failure(), "denying");
    assert_eq!(outage.failures(), 2);
    assert_eq!(events.count(Level::WARN, WARNING), 1, "{:?}", events.all());

    // A slow answer to a call made before the outage does not end it.
    outage.answered(ask);
    assert!(outage.is_down());
    let _ = probe;

    tokio::time::advance(PROBE).await;
    let probe = outage.ask().unwrap();
    outage.answered(probe);
    assert!(!outage.is_down());
    assert_eq!(events.count(Level::INFO, RECOVERY), 1, "{:?}", events.all());
    assert!(outage.ask().is_ok());

    // A second outage warns again.
    outage.failed(&failure(), "denying");
    assert_eq!(events.count(Level::WARN, WARNING), 2);
    assert_eq!(outage.failures(), 3);
}

#[tokio::test(start_paused = true)]
async fn down_says_for_how_long() {
    let outage = Outage::new(PROBE);
    outage.failed(&failure(), "denying");
    tokio::time::advance(Duration::from_millis(200)).await;
    let Err(StoreError::Down(ago)) = outage.ask() else {
        panic!("expected the outage")
    };
    assert_eq!(ago, Duration::from_millis(200));
}
