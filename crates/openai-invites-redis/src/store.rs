//! `Store`: the Redis connection and the two scripts, every call bounded by one timeout.
//!
//! The connection is a redis-rs `ConnectionManager` (one multiplexed connection, reconnected
//! after an I/O error), made lazily by the first call so that building a limiter needs
//! neither a runtime nor a reachable Redis.

use std::sync::OnceLock;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::error::StoreError;
use crate::keys::Keys;
use crate::script::{Gcra, Scripts, Verdict, micros};

/// One limiter's way to Redis. No `Debug`: the client holds the URL, password included.
pub(crate) struct Store {
    client: redis::Client,
    connection: OnceLock<ConnectionManager>,
    scripts: Scripts,
    keys: Keys,
    timeout: Duration,
}

impl Store {
    pub(crate) fn new(client: redis::Client, keys: Keys, timeout: Duration) -> Self {
        Self {
            client,
            connection: OnceLock::new(),
            scripts: Scripts::new(),
            keys,
            timeout,
        }
    }

    pub(crate) fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Asks the GCRA script to reserve one permit at most `max_wait` from now.
    pub(crate) async fn reserve(
        &self,
        gcra: Gcra,
        max_wait: Duration,
    ) -> Result<Verdict, StoreError> {
        let reply = self
            .bounded(async {
                let mut connection = self.connection()?;
                self.scripts
                    .gcra
                    .key(self.keys.tat())
                    .key(self.keys.pause())
                    .arg(gcra.t_us)
                    .arg(gcra.tau_us)
                    .arg(micros(max_wait))
                    .arg(gcra.horizon_us)
                    .invoke_async(&mut connection)
                    .await
                    .map_err(StoreError::from)
            })
            .await?;
        Verdict::from_reply(reply)
    }

    /// Extends the shared pause to at least `pause` from now; answers the pause in force.
    pub(crate) async fn pause(&self, pause: Duration) -> Result<Duration, StoreError> {
        let in_force: i64 = self
            .bounded(async {
                let mut connection = self.connection()?;
                self.scripts
                    .pause
                    .key(self.keys.pause())
                    .arg(micros(pause))
                    .invoke_async(&mut connection)
                    .await
                    .map_err(StoreError::from)
            })
            .await?;
        Ok(Duration::from_micros(u64::try_from(in_force).unwrap_or(0)))
    }

    /// The whole exchange (EVALSHA, and on NOSCRIPT the load and the second EVALSHA) within
    /// one timeout.
    async fn bounded<T>(
        &self,
        call: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| StoreError::Timeout(self.timeout))?
    }

    /// A handle on the shared connection (made on first use; cheap to clone).
    fn connection(&self) -> Result<ConnectionManager, StoreError> {
        if let Some(connection) = self.connection.get() {
            return Ok(connection.clone());
        }
        // Each attempt to connect, and each answer, is bounded by the limiter's timeout too;
        // no retries inside: the limiter's probes are the retries.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(0);
        let made = ConnectionManager::new_lazy_with_config(self.client.clone(), config)?;
        // Two first calls may race here: one manager wins and the other is dropped unused.
        let _ = self.connection.set(made);
        self.connection
            .get()
            .cloned()
            .ok_or_else(|| StoreError::Reply("the Redis connection was not kept".to_owned()))
    }
}
