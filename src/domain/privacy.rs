//! What each audience may learn about a help request, decided in one place.
//!
//! The rule: everything someone outside the full view can observe about a request (whether it
//! is listed, its order, where a list is cut, counts, bands, whether they may claim it) is a
//! function of its **public cell**, the resolution-8 H3 cell (about 0.74 km²), and never of
//! its exact point. Distances are measured between public points: the centre of the request's
//! public cell and the centre of the volunteer's resolution-8 home cell. A volunteer chooses
//! their own home and radius, so any answer that turned on an exact distance could be probed,
//! home move by home move, until it gave the point away (an audit did it to 3 cm).
//!
//! The full view (exact location, address detail, contact) goes to the assigned volunteer,
//! coordinators and the holder of the manage token only, and each one is audited.

use crate::error_code::ErrorCode;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::accounts::Role;
use super::cells::{Cell, PUBLIC_RES};
use super::geo::{self, LatLon};
use super::requests::{Actor, Denied, Urgency};

/// Who is looking at a request. Assignee is relative to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Anonymous,
    /// Signed in, but no coordinator has verified the account: the same as anonymous.
    Unverified,
    /// A verified organizer: runs kitchens, takes no tasks.
    Organizer,
    /// A verified volunteer: sees tasks as cells and bands, may claim.
    Volunteer,
    /// The volunteer who holds this request.
    Assignee,
    Coordinator,
    /// Whoever holds the request's manage token (the requester, or someone acting for them).
    TokenHolder,
}

pub fn audience(actor: &Actor, assignee: Option<i64>) -> Audience {
    if actor.has_token {
        return Audience::TokenHolder;
    }
    let Some(a) = actor.account else {
        return Audience::Anonymous;
    };
    match a.role {
        Role::Coordinator => Audience::Coordinator,
        _ if assignee == Some(a.id) => Audience::Assignee,
        _ if !a.verified => Audience::Unverified,
        Role::Organizer => Audience::Organizer,
        Role::Volunteer => Audience::Volunteer,
    }
}

/// Why someone sees a request's exact location and contact; written to the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reveal {
    Coordinator,
    Assignee,
    Requester,
}

impl Reveal {
    /// Reveals to accounts are audited by name; the requester's own look is logged too.
    pub fn audit_actor(self) -> &'static str {
        match self {
            Reveal::Coordinator | Reveal::Assignee => "account",
            Reveal::Requester => "requester",
        }
    }
}

impl Audience {
    /// The full view, or `None` for the public one (category, urgency, status, public cell,
    /// deadline, creation time).
    pub fn reveal(self) -> Option<Reveal> {
        match self {
            Audience::TokenHolder => Some(Reveal::Requester),
            Audience::Coordinator => Some(Reveal::Coordinator),
            Audience::Assignee => Some(Reveal::Assignee),
            _ => None,
        }
    }

    /// Individual tasks (cell, band) go to verified volunteers and coordinators only; everyone
    /// else sees the k-anonymous counts, where a lone request does not show.
    pub fn may_browse_tasks(self) -> Result<(), Denied> {
        match self {
            Audience::Volunteer | Audience::Assignee | Audience::Coordinator => Ok(()),
            Audience::Anonymous | Audience::TokenHolder => Err(Denied::SignInRequired),
            Audience::Unverified => Err(not_verified()),
            Audience::Organizer => Err(volunteers_only()),
        }
    }
}

pub(crate) fn not_verified() -> Denied {
    Denied::Forbidden(
        ErrorCode::NotVerified,
        "a coordinator must verify your account before you can see or take requests".into(),
    )
}

pub(crate) fn volunteers_only() -> Denied {
    Denied::Forbidden(
        ErrorCode::VolunteersOnly,
        "only volunteer accounts can see or take requests".into(),
    )
}

/// The point that stands for a stored cell (a request's or a volunteer's home) in everything
/// an outsider can observe: the centre of its resolution-8 cell.
pub fn public_point(stored: Cell) -> LatLon {
    public_cell(stored).center()
}

/// The resolution-8 cell of a stored (res-9) cell.
pub fn public_cell(stored: Cell) -> Cell {
    stored.parent(PUBLIC_RES).unwrap_or(stored)
}

/// How far a stored point may lie from its public point, with room to spare (a res-8 cell's
/// circumradius is about 0.5 km). Database prefilters widen their radius by this much so that
/// they return a superset, never a cut.
pub const PUBLIC_POINT_SLACK_M: f64 = 1_000.0;

/// The distance between two public points, if within `radius_m`: the one reach rule for the
/// task list, claims and matches.
pub fn within_reach(home: Cell, radius_m: f64, request: Cell) -> Option<f64> {
    let d = public_point(home).distance_m(&public_point(request));
    (d <= radius_m).then_some(d)
}

/// Res-9 id ranges holding exactly the requests that [`within_reach`] accepts from `home`:
/// the res-8 cells whose centre lies within `radius_m` of the home's public point (the same
/// distance, computed the same way), compacted, each as the range of its res-9 descendants.
/// The database may read by these cells, and reads no request the domain would drop for
/// distance; the domain still decides.
pub fn reach_cover(home: Cell, radius_m: f64) -> Vec<(i64, i64)> {
    let origin = public_cell(home);
    let centre = origin.center();
    // One edge per ring is a safe floor under H3's distortion (centres are about sqrt(3)
    // edges apart); the extra ring is for the origin's own cell.
    let k = (radius_m.max(0.0) / PUBLIC_RES.edge_length_m()).ceil() as u32 + 1;
    let mut near: Vec<h3o::CellIndex> = origin
        .0
        .grid_disk::<Vec<_>>(k)
        .into_iter()
        .filter(|c| centre.distance_m(&Cell(*c).center()) <= radius_m)
        .collect();
    if h3o::CellIndex::compact(&mut near).is_err() {
        // Only mixed resolutions or duplicates fail, which a grid disk cannot hold; an
        // uncompacted cover is still exact.
        near.sort_unstable();
        near.dedup();
    }
    let mut ranges: Vec<(i64, i64)> = near.into_iter().map(|c| Cell(c).stored_range()).collect();
    ranges.sort_unstable();
    ranges
}

/// An open request that may lie in a volunteer's reach, as read from the database.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenRequest {
    pub id: Uuid,
    pub category: String,
    pub urgency: Urgency,
    pub needed_by: Option<DateTime<Utc>>,
    pub stored: Cell,
}

/// A task as a volunteer sees it: no point, no exact distance.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: Uuid,
    pub category: String,
    pub urgency: Urgency,
    pub needed_by: Option<DateTime<Utc>>,
    pub cell: Cell,
    pub distance_band: &'static str,
}

/// Most tasks one list shows.
pub const TASKS_LIMIT: usize = 200;

/// The task list: requests fitting a skill whose public point lies within `radius_m` of the
/// volunteer's public point; most urgent first, then nearest (between public points), then by
/// id (random, so it says nothing about place); cut at [`TASKS_LIMIT`]. Every input to the
/// selection, the order and the cut is the request's public cell.
pub fn task_list(
    home: Cell,
    radius_m: f64,
    skills: &[String],
    open: Vec<OpenRequest>,
) -> Vec<Task> {
    let mut near: Vec<(OpenRequest, f64)> = open
        .into_iter()
        .filter(|r| skills.contains(&r.category))
        .filter_map(|r| within_reach(home, radius_m, r.stored).map(|d| (r, d)))
        .collect();
    near.sort_by(|(a, da), (b, db)| {
        b.urgency
            .cmp(&a.urgency)
            .then(da.total_cmp(db))
            .then(a.id.cmp(&b.id))
    });
    near.truncate(TASKS_LIMIT);
    near.into_iter()
        .map(|(r, d)| Task {
            cell: public_cell(r.stored),
            distance_band: geo::distance_band(d),
            id: r.id,
            category: r.category,
            urgency: r.urgency,
            needed_by: r.needed_by,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cells::STORED_RES;
    use crate::domain::requests::AccountFacts;

    fn res9(lat: f64, lon: f64) -> Cell {
        Cell::at(LatLon::new(lat, lon).unwrap(), STORED_RES)
    }

    fn account(id: i64, role: Role, verified: bool) -> Actor {
        Actor {
            account: Some(AccountFacts { id, role, verified }),
            has_token: false,
        }
    }

    #[test]
    fn each_audience_is_told_apart() {
        let token = Actor {
            account: None,
            has_token: true,
        };
        assert_eq!(audience(&Actor::default(), None), Audience::Anonymous);
        assert_eq!(audience(&token, Some(5)), Audience::TokenHolder);
        assert_eq!(
            audience(&account(1, Role::Volunteer, false), None),
            Audience::Unverified
        );
        assert_eq!(
            audience(&account(1, Role::Organizer, false), None),
            Audience::Unverified
        );
        assert_eq!(
            audience(&account(1, Role::Organizer, true), None),
            Audience::Organizer
        );
        assert_eq!(
            audience(&account(1, Role::Volunteer, true), Some(2)),
            Audience::Volunteer
        );
        assert_eq!(
            audience(&account(2, Role::Volunteer, true), Some(2)),
            Audience::Assignee
        );
        assert_eq!(
            audience(&account(3, Role::Coordinator, true), None),
            Audience::Coordinator
        );
    }

    #[test]
    fn full_details_go_to_the_assignee_coordinators_and_the_link_only() {
        use Audience::*;
        for a in [Anonymous, Unverified, Organizer, Volunteer] {
            assert_eq!(a.reveal(), None, "{a:?}");
        }
        assert_eq!(Assignee.reveal(), Some(Reveal::Assignee));
        assert_eq!(Coordinator.reveal(), Some(Reveal::Coordinator));
        assert_eq!(TokenHolder.reveal(), Some(Reveal::Requester));
    }

    #[test]
    fn only_verified_volunteers_and_coordinators_browse_tasks() {
        use Audience::*;
        assert!(Volunteer.may_browse_tasks().is_ok());
        assert!(Coordinator.may_browse_tasks().is_ok());
        assert_eq!(Anonymous.may_browse_tasks(), Err(Denied::SignInRequired));
        assert!(matches!(
            Unverified.may_browse_tasks(),
            Err(Denied::Forbidden(ErrorCode::NotVerified, _))
        ));
        assert!(matches!(
            Organizer.may_browse_tasks(),
            Err(Denied::Forbidden(ErrorCode::VolunteersOnly, _))
        ));
    }

    #[test]
    fn reach_is_measured_between_public_points() {
        let home = res9(-31.62, -60.69);
        let stored = res9(-31.6333, -60.7);
        let d = public_point(home).distance_m(&public_point(stored));
        assert_eq!(within_reach(home, d + 1.0, stored), Some(d));
        assert_eq!(within_reach(home, d - 1.0, stored), None);
        // Every point of either cell gives the same answer, so no move tells them apart.
        let kids = |c: Cell| -> Vec<Cell> {
            public_cell(c)
                .0
                .children(STORED_RES)
                .map(Cell)
                .filter(|k| public_cell(*k) == public_cell(c))
                .collect()
        };
        for h in kids(home) {
            for r in kids(stored) {
                assert_eq!(within_reach(h, d + 1.0, r), Some(d));
                assert!(r.center().distance_m(&public_point(r)) < PUBLIC_POINT_SLACK_M);
            }
        }
    }

    #[test]
    fn the_cover_holds_exactly_the_requests_in_reach() {
        let inside =
            |ranges: &[(i64, i64)], id: i64| ranges.iter().any(|(lo, hi)| *lo <= id && id <= *hi);
        for (lat, lon, radius) in [
            (-31.6333, -60.7, 3_000.0),
            (-34.6037, -58.3816, 10_000.0),
            (-54.8, -68.3, 750.0),
            (-31.6333, -60.7, 100.0),
        ] {
            let home = res9(lat, lon);
            let ranges = reach_cover(home, radius);
            let origin = public_cell(home);
            let k = (radius / PUBLIC_RES.edge_length_m()) as u32 + 4;
            let mut seen = 0;
            for c in origin.0.grid_disk::<Vec<_>>(k) {
                let c = Cell(c);
                for child in c.0.children(STORED_RES).map(Cell) {
                    let reach = within_reach(home, radius, child).is_some();
                    assert_eq!(inside(&ranges, child.to_db()), reach, "{child} from {home}");
                    seen += usize::from(reach);
                }
            }
            assert!(seen > 0);
        }
    }

    fn open(id: u128, category: &str, urgency: Urgency, at: Cell) -> OpenRequest {
        OpenRequest {
            id: Uuid::from_u128(id),
            category: category.into(),
            urgency,
            needed_by: None,
            stored: at,
        }
    }

    #[test]
    fn tasks_depend_on_public_cells_only() {
        let home = res9(-31.6333, -60.7);
        let skills = vec!["groceries".to_string()];
        let far_cell = res9(-31.6333, -60.72);
        let kids: Vec<Cell> = public_cell(far_cell)
            .0
            .children(STORED_RES)
            .map(Cell)
            .filter(|k| public_cell(*k) == public_cell(far_cell))
            .collect();
        // The same request at each point of its cell: the same list, order and band.
        let other = open(1, "groceries", Urgency::Normal, res9(-31.64, -60.70));
        let baseline = task_list(
            home,
            5_000.0,
            &skills,
            vec![
                other.clone(),
                open(2, "groceries", Urgency::Normal, kids[0]),
            ],
        );
        for k in &kids {
            let list = task_list(
                home,
                5_000.0,
                &skills,
                vec![other.clone(), open(2, "groceries", Urgency::Normal, *k)],
            );
            assert_eq!(list, baseline);
        }
        assert_eq!(baseline[1].cell, public_cell(far_cell));
    }

    #[test]
    fn tasks_sort_by_urgency_then_public_distance_and_skip_other_skills() {
        let home = res9(-31.6333, -60.7);
        let skills = vec!["groceries".to_string(), "medicine".to_string()];
        let near = res9(-31.6333, -60.7);
        let far = res9(-31.6333, -60.73);
        let list = task_list(
            home,
            10_000.0,
            &skills,
            vec![
                open(1, "groceries", Urgency::Low, near),
                open(2, "medicine", Urgency::High, far),
                open(3, "groceries", Urgency::High, near),
                open(4, "meal", Urgency::High, near),
                open(5, "groceries", Urgency::Normal, res9(-31.0, -60.7)),
            ],
        );
        let ids: Vec<u128> = list.iter().map(|t| t.id.as_u128()).collect();
        assert_eq!(ids, vec![3, 2, 1]);
        assert_eq!(list[0].distance_band, "<1 km");
    }

    #[test]
    fn a_list_is_cut_at_the_limit() {
        let home = res9(-31.6333, -60.7);
        let skills = vec!["groceries".to_string()];
        let many = (0..TASKS_LIMIT as u128 + 10)
            .map(|i| open(i, "groceries", Urgency::Normal, home))
            .collect();
        assert_eq!(task_list(home, 1_000.0, &skills, many).len(), TASKS_LIMIT);
    }
}
