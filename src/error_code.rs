//! Every error code the API can answer, with its HTTP status in one match. Clients branch on
//! the code; the web catalogs (`web/i18n/*.json`, key `error.<code>`) hold its text.

use serde::Serialize;
use utoipa::ToSchema;

/// Stable machine-readable error codes, serialized as `snake_case`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    ToSchema,
    strum::EnumIter,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ErrorCode {
    // 400: the request could not be read at all.
    BadRequest,
    TokenInUrl,
    // 401
    Unauthorized,
    InvalidCredentials,
    // 403: who you are does not allow this.
    Forbidden,
    CrossOrigin,
    AccountSuspended,
    CoordinatorsOnly,
    OrganizersOnly,
    VolunteersOnly,
    NotAnOrganizer,
    NotVerified,
    NotEligible,
    NotAssignee,
    OffDuty,
    HomeNotSettled,
    InvalidToken,
    NotYourPledge,
    WrongPassword,
    // 404
    NotFound,
    ResetLinkInvalid,
    // 405
    MethodNotAllowed,
    // 409: the state of things does not allow this.
    AlreadyAssigned,
    AlreadySignedUp,
    CannotSuspendSelf,
    ChannelUnavailable,
    EmailTaken,
    InvalidTransition,
    NeedClosed,
    NoVolunteerProfile,
    OverPledged,
    PledgeSettled,
    ShiftFull,
    ShiftOverlap,
    ShiftStarted,
    StateChanged,
    TooManyOpen,
    // 413
    PayloadTooLarge,
    // 415
    UnsupportedMediaType,
    // 422: well-formed but breaks a rule.
    InvalidInput,
    InvalidBody,
    InvalidParameter,
    MissingParameter,
    AccountNotOrganizer,
    CategoryMismatch,
    InvalidBbox,
    InvalidCell,
    InvalidCoordinates,
    InvalidEmail,
    InvalidKind,
    InvalidLanguage,
    InvalidLimit,
    InvalidMaxOpen,
    InvalidNeed,
    InvalidNeededBy,
    InvalidOpeningHours,
    InvalidPassword,
    WeakPassword,
    InvalidPhone,
    InvalidPlace,
    InvalidQuietHours,
    InvalidSubscription,
    InvalidQuantity,
    InvalidRadius,
    InvalidResolution,
    InvalidRole,
    InvalidSkills,
    InvalidStatus,
    InvalidText,
    InvalidTime,
    InvalidUrgency,
    NotAShift,
    NotSupplies,
    UnknownAccount,
    UnknownCategory,
    EmptyReport,
    InvalidTile,
    InvalidIdempotencyKey,
    IdempotencyKeyReused,
    UnknownStockItem,
    // 429: too many lately; always with `Retry-After`.
    RateLimited,
    ClaimLimit,
    HomeChangeLimit,
    ReleaseLimit,
    // 500
    Internal,
    // 502
    GeocoderFailed,
    // 503: a part we depend on is not there; always with `Retry-After`.
    DatabaseUnavailable,
    GeocoderDisabled,
}

impl ErrorCode {
    /// The HTTP status this code is always sent with.
    pub fn status(self) -> u16 {
        use ErrorCode::*;
        match self {
            BadRequest | TokenInUrl => 400,
            Unauthorized | InvalidCredentials => 401,
            Forbidden | CrossOrigin | AccountSuspended | CoordinatorsOnly | OrganizersOnly
            | VolunteersOnly | NotAnOrganizer | NotVerified | NotEligible | NotAssignee
            | OffDuty | HomeNotSettled | InvalidToken | NotYourPledge | WrongPassword => 403,
            NotFound | ResetLinkInvalid | UnknownAccount => 404,
            MethodNotAllowed => 405,
            AlreadyAssigned | AlreadySignedUp | CannotSuspendSelf | ChannelUnavailable
            | EmailTaken | InvalidTransition | NeedClosed | NoVolunteerProfile | OverPledged
            | PledgeSettled | ShiftFull | ShiftOverlap | ShiftStarted | StateChanged
            | TooManyOpen | NotAShift | NotSupplies | AccountNotOrganizer => 409,
            PayloadTooLarge => 413,
            UnsupportedMediaType => 415,
            InvalidInput
            | InvalidBody
            | InvalidParameter
            | MissingParameter
            | CategoryMismatch
            | InvalidBbox
            | InvalidCell
            | InvalidCoordinates
            | InvalidEmail
            | InvalidKind
            | InvalidLanguage
            | InvalidLimit
            | InvalidMaxOpen
            | InvalidNeed
            | InvalidNeededBy
            | InvalidOpeningHours
            | InvalidPassword
            | WeakPassword
            | InvalidPhone
            | InvalidPlace
            | InvalidQuietHours
            | InvalidSubscription
            | InvalidQuantity
            | InvalidRadius
            | InvalidResolution
            | InvalidRole
            | InvalidSkills
            | InvalidStatus
            | InvalidText
            | InvalidTime
            | InvalidUrgency
            | UnknownCategory
            | EmptyReport
            | UnknownStockItem
            | InvalidTile
            | InvalidIdempotencyKey
            | IdempotencyKeyReused => 422,
            RateLimited | ClaimLimit | HomeChangeLimit | ReleaseLimit => 429,
            Internal => 500,
            GeocoderFailed => 502,
            DatabaseUnavailable | GeocoderDisabled => 503,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Every code, for the catalog test and the documentation.
    pub fn all() -> impl Iterator<Item = ErrorCode> {
        <ErrorCode as strum::IntoEnumIterator>::iter()
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_snake_case_names() {
        for code in ErrorCode::all() {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, serde_json::Value::String(code.as_str().into()));
        }
        assert_eq!(ErrorCode::NotAShift.as_str(), "not_a_shift");
        assert_eq!(ErrorCode::TokenInUrl.as_str(), "token_in_url");
    }

    #[test]
    fn limits_and_outages_are_the_only_codes_that_ask_to_retry() {
        for code in ErrorCode::all() {
            let retry = matches!(code.status(), 429 | 503);
            assert_eq!(
                retry,
                matches!(
                    code,
                    ErrorCode::RateLimited
                        | ErrorCode::ClaimLimit
                        | ErrorCode::HomeChangeLimit
                        | ErrorCode::ReleaseLimit
                        | ErrorCode::DatabaseUnavailable
                        | ErrorCode::GeocoderDisabled
                )
            );
        }
    }

    #[test]
    fn every_code_has_spanish_and_english_text_in_the_web_catalogs() {
        for lang in ["es", "en"] {
            let path = format!("{}/web/i18n/{lang}.json", env!("CARGO_MANIFEST_DIR"));
            let catalog: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let missing: Vec<&str> = ErrorCode::all()
                .map(ErrorCode::as_str)
                .filter(|code| {
                    catalog[format!("error.{code}")]
                        .as_str()
                        .is_none_or(|text| text.trim().is_empty())
                })
                .collect();
            assert!(missing.is_empty(), "{path} has no text for {missing:?}");
        }
    }
}
