//! Requests are what they claim to be: JSON bodies only as JSON, changes with a session only
//! from our own origin, bodies within their cap, other methods 405, and every answer traceable
//! by its request id.

use crate::prelude::*;

async fn login_with(app: &TestApp, content_type: ContentType, headers: &[(&str, &str)]) -> Reply {
    let mut req = app
        .client
        .post("/api/auth/login")
        .header(content_type)
        .body(json!({"email": "nobody@example.org", "password": "whatever it is"}).to_string());
    for (name, value) in headers {
        req = req.header(Header::new(name.to_string(), value.to_string()));
    }
    let res = req.dispatch().await;
    let status = res.status().code;
    let body = res.into_json::<Value>().await.unwrap_or(Value::Null);
    Reply {
        status,
        body,
        retry_after: None,
        headers: vec![],
    }
}

#[sqlx::test]
async fn a_login_posted_as_a_form_or_plain_text_is_refused_with_415(pool: PgPool) {
    let app = TestApp::new(pool).await;
    // A cross-site HTML form can send these content types without asking; JSON it cannot.
    for ct in [ContentType::Plain, ContentType::Form, ContentType::FormData] {
        let reply = login_with(&app, ct.clone(), &[]).await;
        assert_eq!(reply.code(), (415, Some("unsupported_media_type")), "{ct}");
    }
    let reply = login_with(&app, ContentType::JSON, &[]).await;
    assert_eq!(reply.code(), (401, Some("invalid_credentials")));
}

#[sqlx::test]
async fn sign_in_from_another_site_is_refused_with_cross_origin(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let evil = [("Origin", "https://evil.example")];
    assert_eq!(
        login_with(&app, ContentType::JSON, &evil).await.code(),
        (403, Some("cross_origin"))
    );
    let fetch = [("Sec-Fetch-Site", "cross-site")];
    assert_eq!(
        login_with(&app, ContentType::JSON, &fetch).await.code(),
        (403, Some("cross_origin"))
    );
    let ours = [
        ("Origin", "http://localhost:8000"),
        ("Host", "localhost:8000"),
    ];
    assert_eq!(login_with(&app, ContentType::JSON, &ours).await.status, 401);
    let same = [("Sec-Fetch-Site", "same-origin")];
    assert_eq!(login_with(&app, ContentType::JSON, &same).await.status, 401);
}

#[sqlx::test]
async fn a_change_made_with_a_session_cookie_must_come_from_the_public_origin(pool: PgPool) {
    let config = AppConfig {
        public_origin: "https://ayuda.example.org".into(),
        ..test_config()
    };
    let app = TestApp::with_config(pool, config).await;
    let coordinator = app.coordinator().await;
    let target = app.volunteer(false).await;
    let verify = |origin: &'static str| {
        app.client
            .post(format!("/api/accounts/{}/verify", target.id))
            .cookie(Cookie::new("antes_session", coordinator.token.clone()))
            .header(Header::new("Origin", origin))
    };
    let res = verify("https://evil.example").dispatch().await;
    assert_eq!(res.status().code, 403);
    assert_eq!(
        res.into_json::<Value>().await.unwrap()["error"],
        "cross_origin"
    );
    let verified: bool = sqlx::query_scalar("SELECT verified FROM accounts WHERE id = $1")
        .bind(target.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(!verified, "the forged change must not happen");
    // Reads are not changes: the same cookie may read from anywhere a browser lets it.
    let res = app
        .client
        .get("/api/me")
        .cookie(Cookie::new("antes_session", coordinator.token.clone()))
        .header(Header::new("Origin", "https://evil.example"))
        .dispatch()
        .await;
    assert_eq!(res.status().code, 200);
    let res = verify("https://ayuda.example.org").dispatch().await;
    assert_eq!(res.status().code, 200);
}

#[sqlx::test]
async fn a_body_past_the_cap_gets_413_and_stores_nothing(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let mut body = help_request("Rosa");
    body["description"] = Value::String("x".repeat(2 * 1024 * 1024));
    let reply = app
        .call(None, Method::Post, "/api/requests", Some(&body))
        .await;
    assert_eq!(reply.code(), (413, Some("payload_too_large")));
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM help_requests")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

#[sqlx::test]
async fn a_method_a_path_does_not_take_gets_405_with_allow(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let cases = [
        (Method::Delete, "/api/places".to_string(), "GET, HEAD, POST"),
        (
            Method::Get,
            "/api/requests/6f1d1b7e-3c4a-4a8e-9a51-0f7a2f9b1c2d/claim".to_string(),
            "POST",
        ),
        (Method::Put, "/api/auth/login".to_string(), "POST"),
        (
            Method::Patch,
            "/api/needs/7/signup".to_string(),
            "DELETE, POST",
        ),
    ];
    for (method, uri, allow) in cases {
        let res = app.client.req(method, uri.clone()).dispatch().await;
        assert_eq!(res.status().code, 405, "{method} {uri}");
        assert_eq!(
            res.headers().get_one("Allow"),
            Some(allow),
            "{method} {uri}"
        );
        let body: Value = res.into_json().await.unwrap();
        assert_eq!(body["error"], "method_not_allowed");
    }
    // A path that does not exist is still 404.
    let res = app.client.delete("/api/nothing/here").dispatch().await;
    assert_eq!(res.status().code, 404);
}

#[sqlx::test]
async fn a_method_rocket_does_not_know_gets_405_from_the_real_server(pool: PgPool) {
    let base = crate::common::serve(pool, test_config()).await;
    let addr = base.trim_start_matches("http://");
    let answer = raw_request(addr, "QUERY /api/places/nearby HTTP/1.1").await;
    assert!(answer.starts_with("HTTP/1.1 405"), "{answer}");
    assert!(
        answer.to_lowercase().contains("allow: get, head"),
        "{answer}"
    );
}

async fn raw_request(addr: &str, request_line: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("{request_line}\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

#[sqlx::test]
async fn every_answer_carries_a_request_id_and_each_id_is_new(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let mut ids = std::collections::HashSet::new();
    for uri in ["/healthz", "/api/categories", "/api/nothing", "/api/me"] {
        let res = app.client.get(uri).dispatch().await;
        let id = res
            .headers()
            .get_one("X-Request-Id")
            .unwrap_or_else(|| panic!("{uri} has no X-Request-Id"))
            .to_string();
        assert_eq!(id.len(), 16, "{id}");
        assert!(ids.insert(id), "ids repeat");
    }
}
