//! Shared state: the store's path and a small pool of open stores. SQLite work is blocking,
//! so it runs on tokio's blocking threads.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use samskap_store::{Store, StoreError};

use crate::error::ApiError;

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    db: PathBuf,
    idle: Mutex<Vec<Store>>,
}

impl AppState {
    /// State over the store at `db` (created and migrated if missing).
    pub fn new(db: PathBuf) -> Result<Self, StoreError> {
        let first = Store::open(&db)?;
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                idle: Mutex::new(vec![first]),
            }),
        })
    }

    /// Runs `f` with a store on a blocking thread. Each concurrent call gets its own
    /// connection (WAL lets readers and one writer work side by side); idle connections
    /// are kept for the next call.
    pub async fn with_store<T, E>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, E> + Send + 'static,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        E: Into<ApiError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let taken = inner.idle.lock().map(|mut v| v.pop()).unwrap_or(None);
            let mut store = match taken {
                Some(s) => s,
                None => Store::open(&inner.db).map_err(ApiError::from)?,
            };
            let result = f(&mut store).map_err(Into::into);
            if let Ok(mut idle) = inner.idle.lock() {
                idle.push(store);
            }
            result
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "store task failed");
            ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "the request could not be completed; try again",
            )
        })?
    }
}
