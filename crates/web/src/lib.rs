//! The browser pages of samskap, for facilitators first: sign in with a token, my groups, a
//! group's page, a meeting's attendance saved in one go, a new meeting, the PD process, the
//! trial-action register with its lifecycle, problem statements, new contacts and the group's
//! analytics with the report's charts; in English and Norwegian bokmål.
//!
//! [`pages`] is a router of its own under `/app/`, over the API's state
//! ([`samskap_api::AppState`]): the same store, the same roles and group scopes
//! ([`samskap_api::Caller`]), the same checked writes with their audit entries, and the same
//! throttle of failed sign-ins. `samskap serve` merges it with the API
//! ([`samskap_api::app_with`]). Pages are drawn on the server from askama templates; there is
//! no script, and the one style sheet is compiled into the binary.

mod assets;
mod guard;
mod i18n;
mod pages;
mod session;
mod view;

use axum::middleware;
use axum::response::Redirect;
use axum::routing::{get, post};
use axum::Router;
use samskap_api::AppState;

/// The pages, under `/app/`, over `state`. Every response carries the pages' security headers
/// (a strict Content-Security-Policy among them); every form is checked for its session's
/// CSRF code and its origin before it is read.
pub fn pages(state: AppState) -> Router {
    const G: &str = "/app/studies/{study}/groups/{group}";
    Router::new()
        .route("/app/", get(pages::home))
        .route(
            "/app/sign-in",
            get(session::sign_in_page).post(session::sign_in),
        )
        .route(
            "/app/sign-out",
            post(session::sign_out).get(pages::form_page),
        )
        .route(
            "/app/language",
            post(session::language).get(pages::form_page),
        )
        .route(assets::CSS_PATH, get(assets::css))
        .route(G, get(pages::group))
        .route(
            &format!("{G}/meetings"),
            post(pages::add_meeting).get(pages::form_page),
        )
        .route(&format!("{G}/meetings/new"), get(pages::new_meeting))
        .route(
            &format!("{G}/meetings/{{meeting}}"),
            get(pages::meeting).post(pages::save_attendance),
        )
        .route(
            &format!("{G}/process"),
            get(pages::process).post(pages::add_move),
        )
        .route(
            &format!("{G}/actions"),
            get(pages::actions).post(pages::add_action),
        )
        .route(
            &format!("{G}/actions/{{action}}"),
            post(pages::advance_action).get(pages::form_page),
        )
        .route(
            &format!("{G}/statements"),
            get(pages::statements).post(pages::add_statement),
        )
        .route(
            &format!("{G}/statements/{{statement}}/agreement"),
            post(pages::agree_statement).get(pages::form_page),
        )
        .route(
            &format!("{G}/contacts"),
            get(pages::contacts).post(pages::add_contact),
        )
        .route(&format!("{G}/analytics"), get(pages::analytics))
        .route("/app/{*rest}", get(pages::not_found).post(pages::not_found))
        .route("/app", get(|| async { Redirect::permanent("/app/") }))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::audit_forms,
        ))
        .layer(middleware::from_fn(guard::headers))
        .with_state(state)
}
