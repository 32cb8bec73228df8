//! The scripts on a real `redis-server`, with their clock swapped for one the test sets (the
//! last ARGV), so that request times are exact: tables of expected decisions and reservations,
//! and agreement with governor for the same quota and the same request times.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, FakeRelativeClock};
use governor::{Quota, RateLimiter};
use redis::Script;

use super::*;
use crate::keys::Keys;

use crate::redis_server::RedisServer;

/// The clock both scripts use in production.
const REDIS_CLOCK: &str = "local function now_us()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000000 + tonumber(time[2])
end
";
/// The clock of these tests: the time is the last argument.
const TEST_CLOCK: &str = "local function now_us()
  return tonumber(ARGV[#ARGV])
end
";
/// A time of the magnitude Redis `TIME` gives (2023 in µs), so that precision is tested too.
const EPOCH_US: u64 = 1_700_000_000_000_000;

fn with_test_clock(source: &str) -> Script {
    assert_eq!(source.matches(REDIS_CLOCK).count(), 1, "the clock moved");
    Script::new(&source.replace(REDIS_CLOCK, TEST_CLOCK))
}

/// The production scripts on a test clock, on one pair of keys.
struct Scripted {
    connection: redis::Connection,
    gcra: Script,
    pause: Script,
    keys: Keys,
}

impl Scripted {
    fn new(server: &RedisServer) -> Self {
        Self {
            connection: server.connection(),
            gcra: with_test_clock(GCRA_LUA),
            pause: with_test_clock(PAUSE_LUA),
            keys: Keys::new("script-test").unwrap(),
        }
    }

    /// One permit now or never, at `at_us` microseconds after [`EPOCH_US`].
    fn admit(&mut self, quota: Quota, at_us: u64) -> Verdict {
        self.reserve(quota, Duration::ZERO, at_us)
    }

    /// One permit at most `max_wait` ahead, asked for at `at_us`.
    fn reserve(&mut self, quota: Quota, max_wait: Duration, at_us: u64) -> Verdict {
        self.reserve_gcra(Gcra::of(quota), max_wait, at_us)
    }

    /// [`reserve`](Self::reserve) with the script's parameters as given.
    fn reserve_gcra(&mut self, gcra: Gcra, max_wait: Duration, at_us: u64) -> Verdict {
        let reply = self
            .gcra
            .key(self.keys.tat())
            .key(self.keys.pause())
            .arg(gcra.t_us)
            .arg(gcra.tau_us)
            .arg(micros(max_wait))
            .arg(gcra.horizon_us)
            .arg(EPOCH_US + at_us)
            .invoke(&mut self.connection)
            .unwrap();
        Verdict::from_reply(reply).unwrap()
    }

    /// A pause of `pause` asked for at `at_us`; the pause in force.
    fn pause(&mut self, pause: Duration, at_us: u64) -> Duration {
        let in_force: u64 = self
            .pause
            .key(self.keys.pause())
            .arg(micros(pause))
            .arg(EPOCH_US + at_us)
            .invoke(&mut self.connection)
            .unwrap();
        Duration::from_micros(in_force)
    }

    /// The TAT, in µs after [`EPOCH_US`].
    fn tat(&mut self) -> u64 {
        let tat: u64 = redis::cmd("GET")
            .arg(self.keys.tat())
            .query(&mut self.connection)
            .unwrap();
        tat - EPOCH_US
    }

    fn pttl(&mut self, key: &str) -> i64 {
        redis::cmd("PTTL")
            .arg(key)
            .query(&mut self.connection)
            .unwrap()
    }
}

fn n(v: u32) -> NonZeroU32 {
    NonZeroU32::new(v).unwrap()
}

const fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

#[test]
fn gcra_parameters_follow_governor_rounded_up_to_microseconds() {
    let ten = Gcra::of(Quota::per_second(n(10)).allow_burst(n(3)));
    assert_eq!((ten.t_us, ten.tau_us), (100_000, 200_000));
    let three = Gcra::of(Quota::per_second(n(3)));
    assert_eq!((three.t_us, three.tau_us), (333_334, 666_668)); // never faster than asked
    let fast = Gcra::of(Quota::per_second(n(u32::MAX)));
    assert_eq!((fast.t_us, fast.tau_us), (1, u64::from(u32::MAX - 1)));
}

#[test]
fn the_horizon_is_1024_intervals_and_never_overflows() {
    let ten = Gcra::of(Quota::per_second(n(10)));
    assert_eq!(ten.horizon_us, 100_000 * HORIZON_INTERVALS);
    let slow = Gcra::of(Quota::with_period(Duration::from_secs(1 << 40)).unwrap());
    assert_eq!(slow.horizon_us, MAX_US);
}

#[test]
fn no_slot_is_reserved_beyond_the_horizon_whatever_the_caller_may_wait() {
    use Verdict::{Full, RateLimited, Reserved};
    let Some(server) = RedisServer::start() else {
        return;
    };
    let mut redis = Scripted::new(&server);
    // One permit every 100 ms, burst 1, slots at most 250 ms ahead.
    let gcra = Gcra {
        horizon_us: 250_000,
        ..Gcra::of(Quota::per_second(n(10)).allow_burst(n(1)))
    };
    let long = Duration::from_secs(60);
    let table: &[(u64, Duration, Verdict)] = &[
        (0, long, Reserved(ms(0))),
        (0, long, Reserved(ms(100))),
        (0, long, Reserved(ms(200))),
        // The next slot, 300 ms away, is past the horizon: ask again when it is not.
        (0, long, Full(ms(50))),
        (0, long, Full(ms(50))),
        // A caller who cannot wait that long is refused as before.
        (0, ms(299), RateLimited(ms(300))),
        (50, long, Reserved(ms(250))),
        (50, long, Full(ms(100))),
    ];
    for &(at_ms, max_wait, expected) in table {
        let got = redis.reserve_gcra(gcra, max_wait, at_ms * 1000);
        assert_eq!(got, expected, "at {at_ms} ms, waiting at most {max_wait:?}");
    }
    // Refusals moved nothing: the last slot reserved is at 300 ms.
    assert_eq!(redis.tat(), 400_000);
}

#[test]
fn a_table_of_allow_and_deny_times() {
    use Verdict::RateLimited;
    const GRANTED: Verdict = Verdict::Reserved(Duration::ZERO);
    let Some(server) = RedisServer::start() else {
        return;
    };
    let mut redis = Scripted::new(&server);
    // One permit every 100 ms, bursts of 3.
    let quota = Quota::per_second(n(10)).allow_burst(n(3));
    let table: &[(u64, Verdict)] = &[
        (0, GRANTED),
        (0, GRANTED),
        (0, GRANTED),
        (0, RateLimited(ms(100))),
        (50, RateLimited(ms(50))),
        (100, GRANTED),
        (100, RateLimited(ms(100))),
        (250, GRANTED),
        (250, RateLimited(ms(50))),
        (299, RateLimited(ms(1))),
        (300, GRANTED),
        // Idle long enough to refill the whole burst, and no more.
        (1_000, GRANTED),
        (1_000, GRANTED),
        (1_000, GRANTED),
        (1_000, RateLimited(ms(100))),
    ];
    for &(at_ms, expected) in table {
        assert_eq!(redis.admit(quota, at_ms * 1000), expected, "at {at_ms} ms");
    }
    // The TAT (1300 ms) expires a second after it passes: 300 ms + 1 s from now.
    let ttl = redis.pttl(redis.keys.tat().to_owned().as_str());
    assert!((500..=1_300).contains(&ttl), "PTTL {ttl}");
}

#[test]
fn a_pause_denies_first_and_is_never_shortened() {
    use Verdict::Paused;
    const GRANTED: Verdict = Verdict::Reserved(Duration::ZERO);
    let Some(server) = RedisServer::start() else {
        return;
    };
    let mut redis = Scripted::new(&server);
    let quota = Quota::per_second(n(1000));

    assert_eq!(redis.pause(ms(300), 0), ms(300));
    assert_eq!(redis.admit(quota, 0), Paused(ms(300)));
    // A shorter pause later answers the one in force, unchanged.
    assert_eq!(redis.pause(ms(100), 100_000), ms(200));
    assert_eq!(redis.admit(quota, 299_000), Paused(ms(1)));
    assert_eq!(redis.admit(quota, 300_000), GRANTED);
    // A longer one extends it.
    assert_eq!(redis.pause(ms(500), 400_000), ms(500));
    assert_eq!(redis.admit(quota, 500_000), Paused(ms(400)));
    let ttl = redis.pttl(redis.keys.pause().to_owned().as_str());
    assert!((500..=1_500).contains(&ttl), "PTTL {ttl}");
}

#[test]
fn an_absurd_pause_holds_for_its_clamped_length_and_never_wraps() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let mut redis = Scripted::new(&server);
    let longest = Duration::from_micros(MAX_US);
    assert_eq!(micros(Duration::MAX), MAX_US);
    assert_eq!(redis.pause(Duration::MAX, 0), longest);
    // A second later the wait is a second shorter, not a wrapped 1 µs.
    let Verdict::Paused(wait) = redis.admit(Quota::per_second(n(1000)), 1_000_000) else {
        panic!("the pause must hold");
    };
    assert_eq!(wait, longest - Duration::from_secs(1));
}

#[test]
fn denials_write_nothing() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let mut redis = Scripted::new(&server);
    let quota = Quota::per_second(n(1));
    assert_eq!(redis.admit(quota, 0), Verdict::Reserved(Duration::ZERO));
    let tat: String = redis::cmd("GET")
        .arg(redis.keys.tat())
        .query(&mut redis.connection)
        .unwrap();
    for at in [1, 10_000, 999_999] {
        assert!(matches!(redis.admit(quota, at), Verdict::RateLimited(_)));
    }
    let after: String = redis::cmd("GET")
        .arg(redis.keys.tat())
        .query(&mut redis.connection)
        .unwrap();
    assert_eq!(tat, after);
    assert_eq!(tat, (EPOCH_US + 1_000_000).to_string()); // exact, all 16 digits
}

#[test]
fn each_caller_reserves_the_next_slot_within_its_longest_wait() {
    use Verdict::{RateLimited, Reserved};
    let Some(server) = RedisServer::start() else {
        return;
    };
    let mut redis = Scripted::new(&server);
    // One permit every 100 ms, bursts of 3; callers wait at most 250 ms unless said.
    let quota = Quota::per_second(n(10)).allow_burst(n(3));
    let table: &[(u64, u64, Verdict)] = &[
        // (at ms, longest wait ms, verdict)
        (0, 250, Reserved(ms(0))),
        (0, 250, Reserved(ms(0))),
        (0, 250, Reserved(ms(0))),
        (0, 250, Reserved(ms(100))),
        (0, 250, Reserved(ms(200))),
        // The next slot is 300 ms away: refused, nothing reserved...
        (0, 250, RateLimited(ms(300))),
        (0, 299, RateLimited(ms(300))),
        // ...so a caller who may wait is given that same slot.
        (0, 300, Reserved(ms(300))),
        (50, 1000, Reserved(ms(350))),
        // Slots are given in turn whenever they are asked for.
        (390, 1000, Reserved(ms(110))),
        (400, 1000, Reserved(ms(200))),
        // Idle until every reserved slot has passed and the burst is back.
        (1_700, 0, Reserved(ms(0))),
        (1_700, 0, Reserved(ms(0))),
        (1_700, 0, Reserved(ms(0))),
        (1_700, 0, RateLimited(ms(100))),
    ];
    for &(at_ms, max_wait_ms, expected) in table {
        let got = redis.reserve(quota, ms(max_wait_ms), at_ms * 1000);
        assert_eq!(
            got, expected,
            "at {at_ms} ms, waiting at most {max_wait_ms} ms"
        );
    }
}

#[test]
fn a_reservation_moves_the_tat_one_interval_and_a_refusal_not_at_all() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let mut redis = Scripted::new(&server);
    let quota = Quota::per_second(n(10)); // burst 10
    for _ in 0..10 {
        assert_eq!(redis.admit(quota, 0), Verdict::Reserved(Duration::ZERO));
    }
    assert_eq!(redis.tat(), 1_000_000);
    // Each reservation is one interval, whether its caller comes for it or not.
    assert_eq!(redis.reserve(quota, ms(500), 0), Verdict::Reserved(ms(100)));
    assert_eq!(redis.tat(), 1_100_000);
    assert_eq!(
        redis.reserve(quota, ms(150), 0),
        Verdict::RateLimited(ms(200))
    );
    assert_eq!(redis.tat(), 1_100_000);
    // The TAT expires a second after the last reserved slot's interval ends.
    let ttl = redis.pttl(redis.keys.tat().to_owned().as_str());
    assert!((1_500..=2_100).contains(&ttl), "PTTL {ttl}");
}

/// What governor's own direct limiter decides at the same request times.
struct Governor {
    clock: FakeRelativeClock,
    limiter: RateLimiter<
        governor::state::NotKeyed,
        governor::state::InMemoryState,
        FakeRelativeClock,
        governor::middleware::NoOpMiddleware<<FakeRelativeClock as Clock>::Instant>,
    >,
    at_us: u64,
}

impl Governor {
    fn new(quota: Quota) -> Self {
        let clock = FakeRelativeClock::default();
        Self {
            limiter: RateLimiter::direct_with_clock(quota, clock.clone()),
            clock,
            at_us: 0,
        }
    }

    fn admit(&mut self, at_us: u64) -> Verdict {
        self.clock
            .advance(Duration::from_micros(at_us - self.at_us));
        self.at_us = at_us;
        match self.limiter.check() {
            Ok(()) => Verdict::Reserved(Duration::ZERO),
            Err(not_until) => Verdict::RateLimited(not_until.wait_time_from(self.clock.now())),
        }
    }
}

/// Request times in µs: bursts at one instant, short gaps, and idle stretches.
fn request_times(seed: u64, count: usize, scale_us: u64) -> Vec<u64> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut at = 0;
    (0..count)
        .map(|_| {
            at += match rng.u8(0..100) {
                0..=39 => 0,
                40..=96 => rng.u64(1..=scale_us),
                _ => rng.u64(1..=scale_us * 20),
            };
            at
        })
        .collect()
}

#[test]
fn agrees_with_governor_for_the_same_quota_and_times() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let quotas = [
        Quota::per_second(n(4)),
        Quota::per_second(n(10)).allow_burst(n(3)),
        Quota::per_second(n(1000)).allow_burst(n(50)),
        Quota::with_period(Duration::from_micros(1234))
            .unwrap()
            .allow_burst(n(7)),
        Quota::per_minute(n(60)).allow_burst(n(1)),
    ];
    for (i, quota) in quotas.into_iter().enumerate() {
        let t_us = Gcra::of(quota).t_us;
        let mut redis = Scripted::new(&server);
        redis.keys = Keys::new(&format!("agree-{i}")).unwrap();
        let mut governor = Governor::new(quota);
        let (mut granted, mut denied) = (0, 0);
        for at in request_times(i as u64, 400, t_us) {
            let expected = governor.admit(at);
            assert_eq!(redis.admit(quota, at), expected, "{quota:?} at {at} µs");
            match expected {
                Verdict::Reserved(_) => granted += 1,
                _ => denied += 1,
            }
        }
        // The sequences test both answers, not one.
        assert!(granted > 50 && denied > 50, "{quota:?}: {granted}/{denied}");
    }
}

#[test]
fn agrees_with_governor_within_rounding_when_the_interval_is_not_whole_microseconds() {
    // 3/s: governor replenishes every 333 333 333 ns, the script every 333 334 µs. The
    // script may then deny, for at most a few µs, a request governor grants; it never grants
    // one that governor denies.
    let Some(server) = RedisServer::start() else {
        return;
    };
    let quota = Quota::per_second(n(3));
    let mut redis = Scripted::new(&server);
    let mut governor = Governor::new(quota);
    let mut late = 0;
    for at in request_times(7, 300, 333_333) {
        let expected = governor.admit(at);
        match (redis.admit(quota, at), expected) {
            (got, expected) if got == expected => {}
            (Verdict::RateLimited(wait), Verdict::Reserved(_)) => {
                assert!(
                    wait <= Duration::from_micros(300),
                    "late by {wait:?} at {at} µs"
                );
                late += 1;
                let at = at + u64::try_from(wait.as_micros()).unwrap();
                assert_eq!(redis.admit(quota, at), Verdict::Reserved(Duration::ZERO));
            }
            (Verdict::RateLimited(got), Verdict::RateLimited(want)) => {
                assert!(
                    got.abs_diff(want) <= Duration::from_micros(300),
                    "at {at} µs"
                );
            }
            (got, expected) => panic!("at {at} µs: script {got:?}, governor {expected:?}"),
        }
    }
    assert!(late < 10, "{late} requests granted late");
}
