-- The coordinator's desk: closed requests newest first, and what one account did to requests.
CREATE INDEX help_requests_closed ON help_requests (closed_at DESC, id DESC)
    WHERE closed_at IS NOT NULL AND purged_at IS NULL;
CREATE INDEX request_events_by_account ON request_events (account_id, id DESC)
    WHERE account_id IS NOT NULL;
