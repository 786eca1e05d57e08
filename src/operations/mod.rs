//! Multi-step operations, one per module. Each takes a connection inside a transaction and the
//! actor, reads the facts it needs through single-statement `db` functions, asks one pure
//! `domain` function to decide, and then writes. Handlers call these and shape the answer; the
//! rule is found in `domain`, the steps here, and the SQL in `db`.

pub mod account_standing;
pub mod cell_counts;
pub mod claim;
pub mod create_request;
pub mod edit_place;
pub mod find_places;
pub mod lifecycle;
pub mod notify;
pub mod password_reset;
pub mod pledge;
pub mod rate_limit;
pub mod report_place;
pub mod signup;
pub mod volunteer_profile;
