//! Rate limits as the generic cell rate algorithm (GCRA, the algorithm of the `governor`
//! crate): a key may act `burst` times at once, and regains one action every
//! `period / burst`. Its whole state is one instant, the theoretical arrival time (TAT), so
//! it can live in a database row that every server instance shares.

use chrono::{DateTime, Duration, Utc};

/// `burst` actions per `period`; a burst of 0 means no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub burst: u32,
    pub period: Duration,
}

/// What one more action does to a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Allowed; store this TAT.
    Allowed(DateTime<Utc>),
    /// Refused; the key may act again after this long.
    Refused(Duration),
}

impl Rate {
    fn interval(&self) -> Duration {
        self.period / self.burst.max(1) as i32
    }

    /// The verdict for one more action at `now`, given the key's stored TAT (none if new).
    pub fn decide(&self, tat: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Verdict {
        if self.burst == 0 {
            return Verdict::Allowed(now);
        }
        let next = tat.map_or(now, |t| t.max(now)) + self.interval();
        let ahead = next - now;
        if ahead <= self.period {
            Verdict::Allowed(next)
        } else {
            Verdict::Refused(ahead - self.period)
        }
    }
}

/// The verdict for several keys at once (an address and an account): allowed only if every
/// key is, and then each key's new TAT; else the longest wait.
pub fn decide_all(
    checks: &[(Rate, Option<DateTime<Utc>>)],
    now: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, Duration> {
    let verdicts: Vec<Verdict> = checks
        .iter()
        .map(|(rate, tat)| rate.decide(*tat, now))
        .collect();
    let wait = verdicts
        .iter()
        .filter_map(|v| match v {
            Verdict::Refused(wait) => Some(*wait),
            Verdict::Allowed(_) => None,
        })
        .max();
    match wait {
        Some(wait) => Err(wait),
        None => Ok(verdicts
            .into_iter()
            .map(|v| match v {
                Verdict::Allowed(tat) => tat,
                Verdict::Refused(_) => now,
            })
            .collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn a_burst_is_allowed_then_one_action_per_interval() {
        let rate = Rate {
            burst: 5,
            period: Duration::seconds(60),
        };
        let mut tat = None;
        for _ in 0..5 {
            match rate.decide(tat, t(0)) {
                Verdict::Allowed(next) => tat = Some(next),
                v => panic!("{v:?}"),
            }
        }
        assert_eq!(
            rate.decide(tat, t(0)),
            Verdict::Refused(Duration::seconds(12))
        );
        assert_eq!(
            rate.decide(tat, t(11)),
            Verdict::Refused(Duration::seconds(1))
        );
        assert!(matches!(rate.decide(tat, t(12)), Verdict::Allowed(_)));
    }

    #[test]
    fn an_idle_key_gets_its_whole_burst_back_but_no_more() {
        let rate = Rate {
            burst: 3,
            period: Duration::seconds(30),
        };
        let mut tat = Some(t(0));
        let mut allowed = 0;
        while let Verdict::Allowed(next) = rate.decide(tat, t(3600)) {
            tat = Some(next);
            allowed += 1;
        }
        assert_eq!(allowed, 3);
    }

    #[test]
    fn a_burst_of_zero_never_limits() {
        let rate = Rate {
            burst: 0,
            period: Duration::seconds(60),
        };
        assert!(matches!(
            rate.decide(Some(t(1_000_000)), t(0)),
            Verdict::Allowed(_)
        ));
    }

    #[test]
    fn several_keys_pass_only_together_and_the_longest_wait_is_told() {
        let fast = Rate {
            burst: 10,
            period: Duration::seconds(10),
        };
        let slow = Rate {
            burst: 1,
            period: Duration::seconds(100),
        };
        assert_eq!(
            decide_all(&[(fast, None), (slow, Some(t(100)))], t(0)),
            Err(Duration::seconds(100))
        );
        assert_eq!(
            decide_all(&[(fast, None), (slow, None)], t(0)),
            Ok(vec![t(1), t(100)])
        );
    }
}
