//! Asking for help: a new request, its public cells and its private manage token.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::db;
use crate::db::requests::NewRequest;
use crate::domain::cells::{Cell, STORED_RES};
use crate::domain::privacy;
use crate::domain::public_counts::ROLLUP_RES;
use crate::domain::requests::{initial_status, AccountFacts, Status};
use crate::error::ApiResult;
use crate::secrets;

/// A request as the requester gave it, already validated.
pub struct Ask<'a> {
    pub category: &'static str,
    pub description: Option<&'a str>,
    pub location: crate::domain::geo::LatLon,
    pub address_detail: Option<&'a str>,
    pub contact_name: &'a str,
    pub contact_phone: &'a str,
    pub contact_email: Option<&'a str>,
    /// The language of the requester's mails.
    pub language: &'static str,
    pub on_behalf_of: bool,
    pub needed_by: Option<chrono::DateTime<chrono::Utc>>,
    pub urgency: &'static str,
}

pub struct Created {
    pub id: Uuid,
    pub status: Status,
    pub public_cell: Cell,
    /// Shown once; only its SHA-256 is stored.
    pub manage_token: String,
}

/// Stores the request, opening it at once for coordinators and verified organizers and
/// holding it for review otherwise, and logs its creation.
pub async fn create_request(
    conn: &mut PgConnection,
    author: Option<&AccountFacts>,
    ask: &Ask<'_>,
) -> ApiResult<Created> {
    let status = initial_status(author);
    let stored = Cell::at(ask.location, STORED_RES);
    let area = stored.parent(ROLLUP_RES).unwrap_or(stored);
    let token = secrets::new_token();
    let id = db::requests::insert(
        &mut *conn,
        &NewRequest {
            category: ask.category,
            description: ask.description,
            location: ask.location,
            cell: stored.to_db(),
            area_cell: area.to_db(),
            address_detail: ask.address_detail,
            contact_name: ask.contact_name,
            contact_phone: ask.contact_phone,
            contact_email: ask.contact_email,
            language: ask.language,
            on_behalf_of: ask.on_behalf_of,
            needed_by: ask.needed_by,
            urgency: ask.urgency,
            status,
            manage_token_hash: &secrets::token_hash(&token),
            created_by: author.map(|a| a.id),
        },
    )
    .await?;
    let (who, kind) = match author {
        Some(a) => (Some(a.id), "account"),
        None => (None, "requester"),
    };
    db::requests::add_event(&mut *conn, id, who, kind, "created").await?;
    Ok(Created {
        id,
        status,
        public_cell: privacy::public_cell(stored),
        manage_token: token,
    })
}
