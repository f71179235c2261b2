//! Shared state: the store opened for a server (one writer connection, reader connections,
//! studies held in memory between changes). SQLite work is blocking, so it runs on tokio's
//! blocking threads.

use std::path::PathBuf;
use std::sync::Arc;

use samskap_core::{Study, StudyId};
use samskap_store::{SharedStore, Store, StoreError};

use crate::error::ApiError;

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    store: Arc<SharedStore>,
}

impl AppState {
    /// State over the store at `db` (created and migrated if missing).
    pub fn new(db: PathBuf) -> Result<Self, StoreError> {
        Ok(Self {
            store: Arc::new(SharedStore::open(&db)?),
        })
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

    /// Runs `f` on a study as stored.
    pub async fn study<T>(
        &self,
        study: StudyId,
        f: impl FnOnce(&Study) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
    {
        let store = self.store.clone();
        blocking(move || store.study(&study, f).map_err(ApiError::from)?).await
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
