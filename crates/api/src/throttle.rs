//! Failed authentications counted per client address, so that guessing tokens from one
//! address is held to a few tries per window: past the allowance the address gets 429 with
//! `Retry-After` until its window ends, whatever token it sends.
//!
//! The table is in memory and capped. A full table forgets only windows that have ended; a
//! new address that fails while the table is full of live windows is answered as if over
//! its allowance, so that many addresses cannot push a live window out.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// One address's failures since its window began.
#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    failures: u32,
}

/// The failure counter of a server.
#[derive(Debug)]
pub struct AuthThrottle {
    allowance: u32,
    window: Duration,
    cap: usize,
    table: Mutex<HashMap<IpAddr, Window>>,
}

/// The key an address is counted under: an IPv6 client usually holds a whole /64, so its
/// addresses count as one; an IPv4 address mapped into IPv6 counts as itself.
fn key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

impl AuthThrottle {
    /// A counter that allows `allowance` failures per `window` to each of at most `cap`
    /// addresses at once.
    pub fn new(allowance: u32, window: Duration, cap: usize) -> Self {
        Self {
            allowance: allowance.max(1),
            window,
            cap: cap.max(1),
            table: Mutex::new(HashMap::new()),
        }
    }

    fn table(&self) -> MutexGuard<'_, HashMap<IpAddr, Window>> {
        // A panic while the lock was held leaves a map of plain counts, still usable.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `Err(wait)` while `addr` is over its allowance: how long until it may try again.
    pub fn check(&self, addr: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut table = self.table();
        let k = key(addr);
        match table.get(&k).copied() {
            Some(w) if now.duration_since(w.start) >= self.window => {
                table.remove(&k);
                Ok(())
            }
            Some(w) if w.failures >= self.allowance => Err(self.remaining(w, now)),
            _ => Ok(()),
        }
    }

    /// Counts a failure of `addr`. `Err(wait)` when it could not be counted because the
    /// table is full of live windows: the caller answers as for an address over its
    /// allowance.
    pub fn failed(&self, addr: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut table = self.table();
        let k = key(addr);
        if !table.contains_key(&k) && table.len() >= self.cap {
            let window = self.window;
            table.retain(|_, w| now.duration_since(w.start) < window);
            if table.len() >= self.cap {
                return Err(window);
            }
        }
        let w = table.entry(k).or_insert(Window {
            start: now,
            failures: 0,
        });
        if now.duration_since(w.start) >= self.window {
            *w = Window {
                start: now,
                failures: 0,
            };
        }
        w.failures = w.failures.saturating_add(1);
        Ok(())
    }

    fn remaining(&self, w: Window, now: Instant) -> Duration {
        (w.start + self.window).saturating_duration_since(now)
    }

    /// Addresses counted now (for tests of the cap).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.table().len()
    }
}

/// `Retry-After` in whole seconds, rounded up, at least 1.
pub fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_address_over_its_allowance_waits_out_its_window() {
        let t = AuthThrottle::new(3, Duration::from_secs(60), 100);
        let start = Instant::now();
        let a = ip("192.0.2.1");
        for _ in 0..3 {
            assert_eq!(t.check(a, start), Ok(()));
            t.failed(a, start).unwrap();
        }
        let later = start + Duration::from_secs(20);
        assert_eq!(t.check(a, later), Err(Duration::from_secs(40)));
        // Another address is not held back.
        assert_eq!(t.check(ip("192.0.2.2"), later), Ok(()));
        // The window ends, and the address starts afresh.
        let after = start + Duration::from_secs(60);
        assert_eq!(t.check(a, after), Ok(()));
        t.failed(a, after).unwrap();
        assert_eq!(t.check(a, after), Ok(()));
    }

    #[test]
    fn ipv6_counts_by_its_64_prefix_and_mapped_ipv4_as_itself() {
        let t = AuthThrottle::new(2, Duration::from_secs(60), 100);
        let now = Instant::now();
        t.failed(ip("2001:db8:1:2::1"), now).unwrap();
        t.failed(ip("2001:db8:1:2:ffff::9"), now).unwrap();
        assert!(t.check(ip("2001:db8:1:2::77"), now).is_err());
        assert_eq!(t.check(ip("2001:db8:1:3::1"), now), Ok(()));
        t.failed(ip("::ffff:192.0.2.9"), now).unwrap();
        t.failed(ip("192.0.2.9"), now).unwrap();
        assert!(t.check(ip("192.0.2.9"), now).is_err());
    }

    #[test]
    fn a_full_table_forgets_ended_windows_only() {
        let t = AuthThrottle::new(5, Duration::from_secs(60), 3);
        let now = Instant::now();
        for i in 1..=3 {
            t.failed(ip(&format!("192.0.2.{i}")), now).unwrap();
        }
        // Full of live windows: a new address is not counted, and is told to wait.
        assert_eq!(t.failed(ip("192.0.2.4"), now), Err(Duration::from_secs(60)));
        assert_eq!(t.len(), 3);
        // Once those windows end, the new address takes a place.
        let later = now + Duration::from_secs(61);
        t.failed(ip("192.0.2.4"), later).unwrap();
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(40_001)), 41);
        assert_eq!(retry_after_secs(Duration::from_secs(40)), 40);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
