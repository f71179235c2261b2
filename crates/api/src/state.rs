//! Shared state: the store opened for a server (one writer connection, reader connections,
//! studies held in memory between changes). SQLite work is blocking, so it runs on tokio's
//! blocking threads.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use samskap_core::{Study, StudyId};
use samskap_store::{AuditEntry, SharedStore, Store, StoreError};

use crate::auth::AuditContext;
use crate::error::ApiError;
use crate::server::Limits;
use crate::throttle::AuthThrottle;

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    store: Arc<SharedStore>,
    throttle: Arc<AuthThrottle>,
    body_timeout: Duration,
}

impl AppState {
    /// State over the store at `db` (created and migrated if missing), within `limits`.
    pub fn new(db: PathBuf, limits: &Limits) -> Result<Self, StoreError> {
        Ok(Self {
            store: Arc::new(SharedStore::open(&db)?),
            throttle: Arc::new(AuthThrottle::new(
                limits.auth_failures,
                limits.auth_window,
                limits.auth_clients,
            )),
            body_timeout: limits.body_timeout,
        })
    }

    /// The counter of failed authentications.
    pub(crate) fn throttle(&self) -> &AuthThrottle {
        &self.throttle
    }

    /// How long a request body may take to arrive.
    pub fn body_timeout(&self) -> Duration {
        self.body_timeout
    }

    /// Runs `f` on a reader connection.
    pub async fn read<T, E>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, E> + Send + 'static,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        E: Into<ApiError> + Send + 'static,
    {
        let store = self.store.clone();
        blocking(move || store.read(|s| f(s).map_err(Into::into))).await
    }

    /// Runs `f` on the writer connection: a checked write, or the audit log.
    pub async fn write<T, E>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, E> + Send + 'static,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        E: Into<ApiError> + Send + 'static,
    {
        let store = self.store.clone();
        blocking(move || store.write(f).map_err(Into::into)).await
    }

    /// [`write`](Self::write), with the audit entry of the request (`object`, answered with
    /// `status`) committed in the same transaction as the checked write `f` makes. Also says
    /// whether it was: when not (`f` refused or made no checked write), the middleware logs
    /// the request with the status it got.
    pub async fn write_audited<T, E>(
        &self,
        audit: &AuditContext,
        object: &str,
        status: StatusCode,
        f: impl FnOnce(&mut Store) -> Result<T, E> + Send + 'static,
    ) -> Result<(T, bool), ApiError>
    where
        T: Send + 'static,
        E: Into<ApiError> + Send + 'static,
    {
        let entry = entry(audit, object, status);
        let store = self.store.clone();
        let object = object.to_owned();
        blocking(move || {
            let (out, back) = store.write_audited(entry, f);
            // A refusal is logged by the middleware with its status; it keeps the object.
            out.map(|v| (v, back.is_none()))
                .map_err(|e| e.into().about(&object))
        })
        .await
    }

    /// A write of codings (`f`, given the store and the request's audit entry, `object`
    /// answered with `status`): the store commits it with the entry, and perhaps with other
    /// requests' writes of codings ([`SharedStore::add_coding_at`]). When it is refused, the
    /// middleware logs the request with the status it got.
    pub async fn write_coding<T, F>(
        &self,
        audit: &AuditContext,
        object: &str,
        status: StatusCode,
        f: F,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&SharedStore, AuditEntry) -> Result<T, ApiError> + Send + 'static,
    {
        let entry = entry(audit, object, status);
        let store = self.store.clone();
        let object = object.to_owned();
        blocking(move || f(&store, entry).map_err(|e| e.about(&object))).await
    }

    /// Runs `f` on a study's record as stored: the study without its coded material
    /// ([`samskap_store::SharedStore::record`]).
    pub async fn record<T>(
        &self,
        study: StudyId,
        f: impl FnOnce(&Study) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
    {
        let store = self.store.clone();
        blocking(move || store.record(&study, f).map_err(ApiError::from)?).await
    }
}

/// The audit entry of a write request about `object`, answered with `status`.
fn entry(audit: &AuditContext, object: &str, status: StatusCode) -> AuditEntry {
    AuditEntry {
        token_name: audit.token_name.clone(),
        method: audit.method.clone(),
        path: audit.path.clone(),
        object_id: Some(object.to_owned()),
        status: status.as_u16(),
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!(error = %e, "store task failed");
        ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "the request could not be completed; try again",
        )
    })?
}
