//! The browser pages of samskap. For facilitators: sign in with a token, my groups, a
//! group's page, a meeting's attendance saved in one go, a new meeting, the PD process, the
//! trial-action register with its lifecycle, problem statements, new contacts and the group's
//! analytics with the report's charts. For analysts ([`coding`]): a study's sources, a source
//! with its codings highlighted where a passage selected or typed is coded, a coding removed
//! and a memo written, the quotes of a code, two coders side by side and a unit reconciled.
//! In English and Norwegian bokmål.
//!
//! [`pages`] is a router of its own under `/app/`, over the API's state
//! ([`samskap_api::AppState`]): the same store, the same roles and group scopes
//! ([`samskap_api::Caller`]), the same checked writes with their audit entries, and the same
//! throttle of failed sign-ins. `samskap serve` merges it with the API
//! ([`samskap_api::app_with`]). Pages are drawn on the server from askama templates; the one
//! style sheet and the one small script (a selection of a source's text made into a passage
//! to code; without it the passage is typed) are compiled into the binary.

mod assets;
mod guard;
mod i18n;
#[macro_use]
mod pages;
mod coding;
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
    const S: &str = "/app/studies/{study}";
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
        .route(assets::JS_PATH, get(assets::js))
        .route(&format!("{S}/sources"), get(coding::sources))
        .route(&format!("{S}/sources/{{source}}"), get(coding::source))
        .route(
            &format!("{S}/sources/{{source}}/codings"),
            post(coding::add_coding).get(pages::form_page),
        )
        .route(
            &format!("{S}/sources/{{source}}/codings/remove"),
            post(coding::remove_coding).get(pages::form_page),
        )
        .route(
            &format!("{S}/sources/{{source}}/codings/move"),
            post(coding::move_coding).get(coding::move_form),
        )
        .route(
            &format!("{S}/sources/{{source}}/compare"),
            get(coding::compare),
        )
        .route(
            &format!("{S}/sources/{{source}}/reconcile"),
            post(coding::reconcile).get(pages::form_page),
        )
        .route(&format!("{S}/quotes"), get(coding::quotes))
        .route(
            &format!("{S}/memos"),
            post(coding::add_memo).get(pages::form_page),
        )
        .route(&format!("{S}/codes.css"), get(coding::codes_css))
        .route(G, get(pages::group))
        .route(
            &format!("{G}/members"),
            post(pages::add_member).get(pages::form_page),
        )
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
        .route(&format!("{G}/record"), get(pages::record))
        .route(
            &format!("{G}/rules"),
            post(pages::set_rules).get(pages::form_page),
        )
        .route(
            &format!("{G}/practices"),
            post(pages::add_practice).get(pages::form_page),
        )
        .route(
            &format!("{G}/disseminations"),
            post(pages::add_dissemination).get(pages::form_page),
        )
        .route("/app/{*rest}", get(pages::not_found).post(pages::not_found))
        .route("/app", get(|| async { Redirect::permanent("/app/") }))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::audit_forms,
        ))
        .layer(middleware::from_fn(guard::headers))
        .with_state(state)
}
