//! A small HTTP server: GET /health answers "ok", GET / greets.

use axum::{Router, routing::get};

/// The app's routes.
pub fn app() -> Router {
    Router::new()
        .route("/", get(|| async { "Hello from Rust\n" }))
        .route("/health", get(|| async { "ok\n" }))
}

#[cfg(test)]
mod tests {
    use super::app;
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    #[tokio::test]
    async fn health_answers_ok() {
        let res = app()
            .oneshot(Request::get("/health").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body = to_bytes(res.into_body(), 1024).await.unwrap();
        assert_eq!(&body[..], b"ok\n");
    }

    #[tokio::test]
    async fn unknown_path_is_404() {
        let res = app()
            .oneshot(Request::get("/nope").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
}
