//! Sessions of the browser pages: a token pasted once into the sign-in form becomes a session,
//! whose random secret the browser keeps in a cookie. As with tokens, the store keeps only the
//! secret's SHA-256. A session ends when it is signed out, when it has been idle or alive too
//! long, or when its token is revoked; every look-up checks all of these in one query.
//!
//! None of this is a change to a study: the statements run on their own (no transaction of
//! the checked writes), so the copies of studies a server keeps in memory stay as they are.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, OptionalExtension};

use crate::tokens::{hash, hex};
use crate::{Store, StoreError, TokenInfo};

/// Random bytes in a session's secret (hex-encoded in the cookie).
const SECRET_BYTES: usize = 32;

/// How long a session lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// Time without a request after which the session has ended.
    pub idle: Duration,
    /// Time from sign-in after which the session has ended, however busy.
    pub lifetime: Duration,
}

/// A live session, as a look-up finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// The token it was signed in with, as it is now (its groups included).
    pub token: TokenInfo,
    /// The language its holder chose for the pages (`en` or `nb`), if they chose one.
    pub lang: Option<String>,
    /// Time since the session was last seen (last touched).
    pub idle: Duration,
}

/// The languages the pages are written in, as stored.
pub const LANGUAGES: [&str; 2] = ["en", "nb"];

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

impl Store {
    /// Starts a session for the live token named `token` and returns its secret (64 hex
    /// digits), which is given this once. `Revoked` when the token is not live. Sessions that
    /// have ended (by `limits`, or with their token revoked) are forgotten here.
    pub fn start_web_session(
        &self,
        token: &str,
        limits: SessionLimits,
    ) -> Result<String, StoreError> {
        self.forget_ended_sessions(limits)?;
        let id: Option<i64> = self
            .conn
            .prepare_cached("SELECT id FROM api_token WHERE name = ?1 AND revoked IS NULL")
            .and_then(|mut st| st.query_row([token], |r| r.get(0)).optional())
            .map_err(StoreError::db)?;
        let id = id.ok_or_else(|| StoreError::Revoked(token.to_owned()))?;
        let mut bytes = [0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes)
            .map_err(|e| StoreError::Database(format!("no randomness for a session: {e}")))?;
        let secret = hex(&bytes);
        let now = unix_now();
        self.conn
            .prepare_cached(
                "INSERT INTO web_session (hash, token_id, created, last_seen)
                 VALUES (?1, ?2, ?3, ?3)",
            )
            .and_then(|mut st| st.execute(params![hash(&secret), id, now]))
            .map_err(StoreError::db)?;
        Ok(secret)
    }

    /// The live session whose secret this is: `None` when there is none, it was signed out,
    /// it has been idle or alive longer than `limits` allow, or its token is revoked.
    pub fn web_session(
        &self,
        secret: &str,
        limits: SessionLimits,
    ) -> Result<Option<WebSession>, StoreError> {
        let now = unix_now();
        let found: Option<(i64, i64, Option<String>)> = self
            .conn
            .prepare_cached(
                "SELECT t.id, s.last_seen, p.lang
                   FROM web_session s
                   JOIN api_token t ON t.id = s.token_id AND t.revoked IS NULL
                   LEFT JOIN web_preference p ON p.token_id = t.id
                  WHERE s.hash = ?1 AND s.last_seen > ?2 AND s.created > ?3",
            )
            .and_then(|mut st| {
                st.query_row(
                    params![
                        hash(secret),
                        now.saturating_sub(secs(limits.idle)),
                        now.saturating_sub(secs(limits.lifetime))
                    ],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()
            })
            .map_err(StoreError::db)?;
        let Some((token_id, last_seen, lang)) = found else {
            return Ok(None);
        };
        let idle = u64::try_from(now.saturating_sub(last_seen)).unwrap_or(0);
        Ok(Some(WebSession {
            token: self.token_info(token_id)?,
            lang,
            idle: Duration::from_secs(idle),
        }))
    }

    /// Marks the session as seen now, which starts its idle time afresh.
    pub fn touch_web_session(&self, secret: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("UPDATE web_session SET last_seen = ?2 WHERE hash = ?1")
            .and_then(|mut st| st.execute(params![hash(secret), unix_now()]))
            .map_err(StoreError::db)?;
        Ok(())
    }

    /// Ends the session whose secret this is (signing out); an unknown secret changes nothing.
    pub fn end_web_session(&self, secret: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM web_session WHERE hash = ?1")
            .and_then(|mut st| st.execute([hash(secret)]))
            .map_err(StoreError::db)?;
        Ok(())
    }

    /// Records the language the holder of the live token `token` reads the pages in (`en` or
    /// `nb`; another is `Invalid`). `Revoked` when the token is not live.
    pub fn set_web_language(&self, token: &str, lang: &str) -> Result<(), StoreError> {
        if !LANGUAGES.contains(&lang) {
            return Err(StoreError::Invalid(format!(
                "the pages are written in `en` or `nb`, not `{}`",
                samskap_core::shorten(lang)
            )));
        }
        let changed = self
            .conn
            .prepare_cached(
                "INSERT INTO web_preference (token_id, lang)
                 SELECT id, ?2 FROM api_token WHERE name = ?1 AND revoked IS NULL
                 ON CONFLICT (token_id) DO UPDATE SET lang = excluded.lang",
            )
            .and_then(|mut st| st.execute(params![token, lang]))
            .map_err(StoreError::db)?;
        if changed == 0 {
            return Err(StoreError::Revoked(token.to_owned()));
        }
        Ok(())
    }

    /// Forgets the sessions that have ended: idle or alive too long, or of a revoked token.
    fn forget_ended_sessions(&self, limits: SessionLimits) -> Result<(), StoreError> {
        let now = unix_now();
        self.conn
            .prepare_cached(
                "DELETE FROM web_session
                  WHERE last_seen <= ?1 OR created <= ?2
                     OR token_id IN (SELECT id FROM api_token WHERE revoked IS NOT NULL)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    now.saturating_sub(secs(limits.idle)),
                    now.saturating_sub(secs(limits.lifetime))
                ])
            })
            .map_err(StoreError::db)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TokenRole;

    const DAY: SessionLimits = SessionLimits {
        idle: Duration::from_secs(12 * 3600),
        lifetime: Duration::from_secs(7 * 24 * 3600),
    };

    fn store_with_admin() -> Store {
        let mut store = Store::open_in_memory().unwrap();
        store.create_token("ada", TokenRole::Admin, &[]).unwrap();
        store
    }

    #[test]
    fn a_session_is_found_by_its_secret_and_ends_when_signed_out() {
        let store = store_with_admin();
        let secret = store.start_web_session("ada", DAY).unwrap();
        assert_eq!(secret.len(), 64);
        let s = store.web_session(&secret, DAY).unwrap().unwrap();
        assert_eq!(s.token.name, "ada");
        assert_eq!(s.lang, None);
        // Only the hash is kept.
        let kept: String = store
            .conn
            .query_row("SELECT hash FROM web_session", [], |r| r.get(0))
            .unwrap();
        assert_ne!(kept, secret);
        assert!(store
            .web_session("0".repeat(64).as_str(), DAY)
            .unwrap()
            .is_none());
        store.end_web_session(&secret).unwrap();
        assert!(store.web_session(&secret, DAY).unwrap().is_none());
    }

    #[test]
    fn an_idle_or_old_session_has_ended() {
        let store = store_with_admin();
        let secret = store.start_web_session("ada", DAY).unwrap();
        let no_idle = SessionLimits {
            idle: Duration::ZERO,
            ..DAY
        };
        assert!(store.web_session(&secret, no_idle).unwrap().is_none());
        let no_life = SessionLimits {
            lifetime: Duration::ZERO,
            ..DAY
        };
        assert!(store.web_session(&secret, no_life).unwrap().is_none());
        // The next sign-in forgets it.
        store.start_web_session("ada", no_idle).unwrap();
        let left: i64 = store
            .conn
            .query_row("SELECT count(*) FROM web_session", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 1);
    }

    #[test]
    fn a_revoked_token_ends_its_sessions_and_starts_none() {
        let mut store = store_with_admin();
        let secret = store.start_web_session("ada", DAY).unwrap();
        store.revoke_token("ada").unwrap();
        assert!(store.web_session(&secret, DAY).unwrap().is_none());
        assert!(matches!(
            store.start_web_session("ada", DAY),
            Err(StoreError::Revoked(_))
        ));
        assert!(matches!(
            store.set_web_language("ada", "nb"),
            Err(StoreError::Revoked(_))
        ));
    }

    #[test]
    fn the_language_is_the_token_s_across_sessions() {
        let store = store_with_admin();
        let first = store.start_web_session("ada", DAY).unwrap();
        store.set_web_language("ada", "nb").unwrap();
        let second = store.start_web_session("ada", DAY).unwrap();
        for s in [&first, &second] {
            let found = store.web_session(s, DAY).unwrap().unwrap();
            assert_eq!(found.lang.as_deref(), Some("nb"));
        }
        store.set_web_language("ada", "en").unwrap();
        let found = store.web_session(&first, DAY).unwrap().unwrap();
        assert_eq!(found.lang.as_deref(), Some("en"));
        let e = store.set_web_language("ada", "de").unwrap_err();
        assert!(e.to_string().contains("`de`"), "{e}");
    }
}
