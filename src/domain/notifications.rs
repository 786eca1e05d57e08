//! Who is told about a request or a kitchen's shift, when the next round is due, quiet hours,
//! and how often a delivery is retried.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveTime, Utc};

pub use super::quiet_hours::QuietHours;
use super::Invalid;
use super::{accounts, geo};
use crate::error_code::ErrorCode;

/// The ways a message can go out; a deployment turns each on in its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumString, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Channel {
    Push,
    Email,
    Webhook,
}

/// How rounds go: how many are told at once, how long they have before the next ones are, and
/// after how many rounds nobody claimed the coordinators hear of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoundPolicy {
    pub per_round: usize,
    pub round: Duration,
    pub urgent_round: Duration,
    pub rounds_before_coordinators: i16,
}

impl RoundPolicy {
    /// When the round after one started at `now` is due: sooner for `high` urgency.
    pub fn next_due(&self, urgency: &str, now: DateTime<Utc>) -> DateTime<Utc> {
        now + if urgency == "high" {
            self.urgent_round
        } else {
            self.round
        }
    }

    /// What the round numbered `round` (from 1) does.
    pub fn step(&self, round: i16) -> Step {
        if round <= self.rounds_before_coordinators.max(1) {
            Step::Volunteers
        } else {
            Step::Coordinators
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Tell the next volunteers, and schedule another round.
    Volunteers,
    /// Nobody took it in every round: alert the coordinators, and stop.
    Coordinators,
}

/// Someone who might be told, with the facts the ranking reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Prospect {
    pub account_id: i64,
    /// Between the public points of their home and of the request or kitchen.
    pub distance_m: f64,
    /// Notifications and claims in the last 7 days.
    pub recent_load: i64,
    /// Channels they picked that this deployment can use.
    pub channels: Vec<Channel>,
    pub quiet: Option<QuietHours>,
}

/// The best `n` not yet told, awake and reachable: nearest distance band first, then the least
/// asked lately, then nearest, then the older account. Distance counts in bands so that in one
/// neighbourhood the load decides and the same few people are not always asked.
pub fn pick(
    prospects: Vec<Prospect>,
    already: &HashSet<i64>,
    n: usize,
    local_now: NaiveTime,
) -> Vec<Prospect> {
    let mut ok: Vec<Prospect> = prospects
        .into_iter()
        .filter(|p| !already.contains(&p.account_id) && !p.channels.is_empty())
        .filter(|p| p.quiet.is_none_or(|q| !q.contains(local_now)))
        .collect();
    ok.sort_by(|a, b| {
        band_rank(a.distance_m)
            .cmp(&band_rank(b.distance_m))
            .then(a.recent_load.cmp(&b.recent_load))
            .then(a.distance_m.total_cmp(&b.distance_m))
            .then(a.account_id.cmp(&b.account_id))
    });
    ok.truncate(n);
    ok
}

fn band_rank(metres: f64) -> u8 {
    match geo::distance_band(metres) {
        "<1 km" => 0,
        "1-3 km" => 1,
        "3-10 km" => 2,
        _ => 3,
    }
}

/// The language of someone's messages: `es` (the default) or `en`.
pub fn language(raw: Option<&str>) -> Result<&'static str, Invalid> {
    match raw {
        None | Some("es") => Ok("es"),
        Some("en") => Ok("en"),
        Some(other) => Err(Invalid::new(
            ErrorCode::InvalidLanguage,
            format!("language must be es or en, got `{other}`"),
        )),
    }
}

/// Refuses a channel the deployment does not offer (`offered`, from its settings).
pub fn offered(offered: &[Channel], channel: Channel) -> Result<(), Invalid> {
    if offered.contains(&channel) {
        return Ok(());
    }
    let name: &str = channel.into();
    Err(Invalid::new(
        ErrorCode::ChannelUnavailable,
        format!("this service does not send notifications by {name}"),
    ))
}

/// Someone's choice of channels, each of which the deployment must offer. Returns the number
/// the webhook writes to, checked; the webhook needs one.
pub fn channel_choice(
    on: &[Channel],
    chosen: &[(Channel, bool)],
    webhook_to: Option<&str>,
) -> Result<Option<String>, Invalid> {
    for &(channel, _) in chosen.iter().filter(|(_, yes)| *yes) {
        offered(on, channel)?;
    }
    let by_webhook = chosen.contains(&(Channel::Webhook, true));
    match webhook_to {
        Some(phone) => Ok(Some(accounts::phone(phone)?)),
        None if by_webhook => Err(Invalid::new(
            ErrorCode::InvalidPhone,
            "by_webhook needs webhook_to, the number to write to",
        )),
        None => Ok(None),
    }
}

/// What to do with a delivery that failed, after `attempts` tries in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(DateTime<Utc>),
    GiveUp,
}

/// Exponential backoff from 30 s, doubling, at most 6 hours apart; after `max_attempts`, or
/// at once for a failure that will not mend, give up.
pub fn after_failure(
    attempts: i32,
    max_attempts: i32,
    permanent: bool,
    now: DateTime<Utc>,
) -> AfterFailure {
    if permanent || attempts >= max_attempts {
        return AfterFailure::GiveUp;
    }
    let wait = 30i64
        .saturating_mul(1i64 << attempts.clamp(0, 20))
        .min(6 * 3600);
    AfterFailure::RetryAt(now + Duration::seconds(wait))
}

/// The key that makes one message per event, recipient and channel.
pub fn dedupe_key(subject: &str, round: Option<i16>, to: &str, channel: Channel) -> String {
    let channel: &str = channel.into();
    match round {
        Some(r) => format!("{subject}:r{r}:{to}:{channel}"),
        None => format!("{subject}:{to}:{channel}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_of_channels_needs_them_offered_and_a_number_for_the_webhook() {
        use Channel::*;
        let on = [Push, Webhook];
        let code = |r: Result<Option<String>, Invalid>| r.unwrap_err().code;
        assert_eq!(
            code(channel_choice(&on, &[(Email, true)], None)),
            ErrorCode::ChannelUnavailable
        );
        assert_eq!(
            channel_choice(&on, &[(Email, false), (Push, true)], None).unwrap(),
            None
        );
        assert_eq!(
            code(channel_choice(&on, &[(Webhook, true)], None)),
            ErrorCode::InvalidPhone
        );
        assert_eq!(
            code(channel_choice(&on, &[(Webhook, true)], Some("call me"))),
            ErrorCode::InvalidPhone
        );
        assert_eq!(
            channel_choice(&on, &[(Webhook, true)], Some(" +54 342 455-0000 ")).unwrap(),
            Some("+54 342 455-0000".to_string())
        );
    }

    fn p(id: i64, distance_m: f64, load: i64) -> Prospect {
        Prospect {
            account_id: id,
            distance_m,
            recent_load: load,
            channels: vec![Channel::Push],
            quiet: None,
        }
    }

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn picks_rank_by_band_then_load_and_skip_the_told_the_unreachable_and_the_asleep() {
        let mut mute = p(6, 100.0, 0);
        mute.channels.clear();
        let mut asleep = p(7, 100.0, 0);
        asleep.quiet = QuietHours::from_minutes(22 * 60, 7 * 60);
        let list = vec![
            p(1, 200.0, 5),
            p(2, 900.0, 1),
            p(3, 1500.0, 0),
            p(4, 300.0, 1),
            p(5, 100.0, 0),
            mute,
            asleep,
        ];
        let already: HashSet<i64> = [5].into();
        let got: Vec<i64> = pick(list.clone(), &already, 3, at(23, 0))
            .iter()
            .map(|p| p.account_id)
            .collect();
        assert_eq!(got, vec![4, 2, 1]);
        let noon: Vec<i64> = pick(list, &HashSet::new(), 2, at(12, 0))
            .iter()
            .map(|p| p.account_id)
            .collect();
        assert_eq!(noon, vec![5, 7]);
    }

    #[test]
    fn rounds_come_sooner_when_urgent_and_end_with_the_coordinators() {
        let policy = RoundPolicy {
            per_round: 5,
            round: Duration::minutes(30),
            urgent_round: Duration::minutes(10),
            rounds_before_coordinators: 3,
        };
        let now = Utc::now();
        assert_eq!(policy.next_due("high", now), now + Duration::minutes(10));
        assert_eq!(policy.next_due("normal", now), now + Duration::minutes(30));
        assert_eq!(policy.step(3), Step::Volunteers);
        assert_eq!(policy.step(4), Step::Coordinators);
    }

    #[test]
    fn failures_back_off_exponentially_then_give_up() {
        let now = Utc::now();
        assert_eq!(
            after_failure(1, 5, false, now),
            AfterFailure::RetryAt(now + Duration::seconds(60))
        );
        assert_eq!(
            after_failure(3, 5, false, now),
            AfterFailure::RetryAt(now + Duration::seconds(240))
        );
        assert_eq!(
            after_failure(19, 30, false, now),
            AfterFailure::RetryAt(now + Duration::hours(6))
        );
        assert_eq!(after_failure(5, 5, false, now), AfterFailure::GiveUp);
        assert_eq!(after_failure(1, 5, true, now), AfterFailure::GiveUp);
        assert_eq!(
            dedupe_key("request:abc", Some(2), "7", Channel::Email),
            "request:abc:r2:7:email"
        );
    }
}
