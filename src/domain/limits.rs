//! Rate limits: a fixed window of `limit` hits per `window` for each key (a client address and
//! an action), so one client cannot flood the request form or guess passwords.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// Counts hits per key in fixed windows.
#[derive(Debug)]
pub struct FixedWindow<K> {
    limit: u32,
    window: Duration,
    counters: HashMap<K, (Instant, u32)>,
}

impl<K: Eq + Hash> FixedWindow<K> {
    /// `limit` 0 turns the limit off.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            counters: HashMap::new(),
        }
    }

    /// Records a hit; false when the key has used up its window.
    pub fn hit(&mut self, key: K, now: Instant) -> bool {
        if self.limit == 0 {
            return true;
        }
        // Forget finished windows now and then, so idle clients do not pile up.
        if self.counters.len() > 10_000 {
            let window = self.window;
            self.counters
                .retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = self.counters.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            return false;
        }
        entry.1 += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_limit_per_window_then_starts_over() {
        let mut w = FixedWindow::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(w.hit("a", t0));
        assert!(w.hit("a", t0));
        assert!(!w.hit("a", t0 + Duration::from_secs(59)));
        assert!(w.hit("b", t0), "keys are counted apart");
        assert!(w.hit("a", t0 + Duration::from_secs(60)));
    }

    #[test]
    fn zero_means_no_limit() {
        let mut w = FixedWindow::new(0, Duration::from_secs(60));
        let t0 = Instant::now();
        assert!((0..1000).all(|_| w.hit(1, t0)));
    }
}
