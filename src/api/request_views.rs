//! How a help request is shown: the public view (a function of its public cell only) and the
//! full view (exact location and contact), which is audited each time it is built.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use super::guards::CurrentAccount;
use crate::db::requests::{self as db_requests, RequestRow};
use crate::domain::cells::Cell;
use crate::domain::geo::LatLon;
use crate::domain::privacy::{self, Reveal};
use crate::error::{ApiError, ApiResult};

#[derive(Deserialize, Serialize, ToSchema, Clone)]
pub struct Contact {
    pub name: String,
    pub phone: String,
}

#[derive(Serialize, ToSchema)]
pub struct Assignee {
    pub id: i64,
    pub display_name: Option<String>,
}

/// A request. `view` is `public` (no location, no contact) or `full`.
#[derive(Serialize, ToSchema)]
pub struct RequestView {
    pub id: Uuid,
    #[schema(example = "public")]
    pub view: &'static str,
    pub category: String,
    pub urgency: String,
    pub status: String,
    /// Resolution-8 cell.
    #[schema(value_type = String)]
    pub cell: Cell,
    pub needed_by: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Exact point (full view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<LatLon>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Assignee>,
}

/// The res-8 cell of a stored res-9 cell; a purged request has none and is not shown.
pub fn public_cell(stored: Option<i64>) -> ApiResult<Cell> {
    let stored = stored.ok_or_else(ApiError::internal)?;
    Ok(privacy::public_cell(Cell::from_db(stored)?))
}

impl RequestView {
    pub fn public(r: &RequestRow) -> ApiResult<Self> {
        Ok(Self {
            id: r.id,
            view: "public",
            category: r.category.clone(),
            urgency: r.urgency.clone(),
            status: r.status.clone(),
            cell: public_cell(r.cell)?,
            needed_by: r.needed_by,
            created_at: r.created_at,
            description: None,
            location: None,
            address_detail: None,
            contact: None,
            on_behalf_of: None,
            assignee: None,
        })
    }

    fn full(r: RequestRow) -> ApiResult<Self> {
        let public = Self::public(&r)?;
        let location = match (r.lat, r.lon) {
            (Some(lat), Some(lon)) => Some(LatLon { lat, lon }),
            _ => None,
        };
        let contact = match (r.contact_name, r.contact_phone) {
            (Some(name), Some(phone)) => Some(Contact { name, phone }),
            _ => None,
        };
        Ok(Self {
            view: "full",
            description: r.description,
            location,
            address_detail: r.address_detail,
            contact,
            on_behalf_of: Some(r.on_behalf_of),
            assignee: r.assignee.map(|id| Assignee {
                id,
                display_name: r.assignee_name,
            }),
            ..public
        })
    }
}

/// Writes the audit event for a full view, then builds it. The only way to build one.
pub async fn reveal(
    pool: &PgPool,
    row: RequestRow,
    why: Reveal,
    account: Option<&CurrentAccount>,
) -> ApiResult<RequestView> {
    db_requests::add_event(
        pool,
        row.id,
        account.map(|a| a.id),
        why.audit_actor(),
        "viewed_full",
    )
    .await?;
    RequestView::full(row)
}

/// A request that is still there to show: purged requests answer 404 to everyone, since what
/// is left of them (a category, a res-7 cell, a day) is for statistics only.
pub async fn load(pool: &PgPool, id: Uuid) -> ApiResult<RequestRow> {
    db_requests::by_id(pool, id)
        .await?
        .filter(|r| r.purged_at.is_none())
        .ok_or_else(|| ApiError::not_found(format!("no request with id {id}")))
}
