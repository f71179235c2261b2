//! What keeps another site from acting through a signed-in browser: the CSRF code every form
//! carries, compared in constant time; the Origin (or Referer) of a form sent, which must be
//! this server; the cookies' attributes; and the headers every page is sent with.
//!
//! The CSRF code of a session is derived from its secret (SHA-256 under a label of its own):
//! nothing more is stored, a page that shows the code does not show the secret, and a code
//! is worth nothing without the cookie it belongs to.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};

/// The cookie that holds a session's secret.
pub const SESSION_COOKIE: &str = "samskap_session";
/// The cookie that holds the CSRF code of the sign-in form (there is no session yet).
pub const SIGN_IN_COOKIE: &str = "samskap_sign_in";
/// The name of the CSRF field of every form.
pub const CSRF_FIELD: &str = "csrf";

/// The pages' Content-Security-Policy: nothing but this server's own styles, images and one
/// script (no inline script or style, nothing from elsewhere), no framing, forms sent only
/// here.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// Hex digits of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The CSRF code of the session whose secret this is.
pub fn csrf_code(secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"samskap-web csrf\0");
    h.update(secret.as_bytes());
    hex(&h.finalize())
}

/// 32 random bytes as hex: a session's or a sign-in form's secret.
pub fn random_code() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex(&bytes))
}

/// Equal, in time that depends on the lengths alone, so that a guess learns nothing from how
/// long the comparison took.
pub fn same_code(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Whether the browser reached the server over TLS. `samskap serve` speaks plain HTTP, so
/// TLS is a reverse proxy's, which says so in `X-Forwarded-Proto` (or `Forwarded`). The
/// header is believed from anyone: all it can do is add `Secure` to a cookie, which makes
/// the cookie harder to send, never easier, so a forged one harms only its sender's session.
pub fn over_tls(headers: &HeaderMap) -> bool {
    let forwarded_proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let forwarded = headers
        .get(header::FORWARDED)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|v| {
            v.split(';')
                .any(|p| p.trim().eq_ignore_ascii_case("proto=https"))
        });
    forwarded_proto || forwarded
}

/// A `Set-Cookie` value: HttpOnly (no script reads it; the pages have none anyway),
/// SameSite=Strict (no other site's page sends it), for `path`, Secure behind TLS, and gone
/// when the browser closes unless `max_age` (seconds) says otherwise.
pub fn set_cookie(
    name: &str,
    value: &str,
    path: &str,
    secure: bool,
    max_age: Option<u64>,
) -> String {
    let mut c = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// A `Set-Cookie` value that deletes cookie `name`.
pub fn clear_cookie(name: &str, path: &str, secure: bool) -> String {
    set_cookie(name, "", path, secure, Some(0))
}

/// The host and port of a URL (`https://host:port/path` → `host:port`), lower case.
fn authority(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..end];
    // No user info: a browser's Origin has none, and one in a Referer is no origin of ours.
    (!auth.is_empty() && !auth.contains('@')).then(|| auth.to_ascii_lowercase())
}

/// Whether a form was sent from this server's own pages, as far as the browser says: its
/// `Origin`, or without one its `Referer`, names the host the request was sent to (`Host`,
/// which a reverse proxy must pass on). A browser that sends neither is let through: the
/// CSRF code is the first line, this the second. The scheme is not compared: behind a
/// proxy the page is https while this server is reached over http.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase)
    else {
        return false;
    };
    let header_value = |name: header::HeaderName| {
        headers
            .get(name)
            .map(|v| v.to_str().map(str::to_owned).unwrap_or_default())
    };
    if let Some(origin) = header_value(header::ORIGIN) {
        // `null`: a sandboxed frame, a redirect across origins, a data: URL.
        return authority(&origin).is_some_and(|a| a == host);
    }
    if let Some(referer) = header_value(header::REFERER) {
        return authority(&referer).is_some_and(|a| a == host);
    }
    true
}

/// The headers of every page: the policy above, no MIME sniffing, no framing, the Referer
/// kept within this server (the Origin check needs the browser to send one here; `no-referrer`
/// would make it `null`), and nothing kept in caches (pages show a group's record).
pub async fn headers(req: Request, next: Next) -> Response {
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers_of(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn codes_compare_whole() {
        assert!(same_code("abc", "abc"));
        assert!(!same_code("abc", "abd"));
        assert!(!same_code("abc", "ab"));
        assert!(!same_code("", "a"));
        let secret = random_code().unwrap();
        assert_eq!(secret.len(), 64);
        assert_ne!(csrf_code(&secret), secret);
        assert_eq!(csrf_code(&secret), csrf_code(&secret));
    }

    #[test]
    fn cookies_are_found_by_name() {
        let h = headers_of(&[("cookie", "a=1; samskap_session=xyz"), ("cookie", "b=2")]);
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie(&h, "b").as_deref(), Some("2"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn a_form_from_elsewhere_is_no_form_of_ours() {
        let host = ("host", "samskap.example:8080");
        assert!(same_origin(&headers_of(&[
            host,
            ("origin", "https://samskap.example:8080")
        ])));
        assert!(same_origin(&headers_of(&[
            host,
            ("origin", "http://SAMSKAP.example:8080")
        ])));
        assert!(!same_origin(&headers_of(&[
            host,
            ("origin", "https://evil.example")
        ])));
        assert!(!same_origin(&headers_of(&[host, ("origin", "null")])));
        assert!(!same_origin(&headers_of(&[
            host,
            ("origin", "https://samskap.example:8080.evil.example")
        ])));
        assert!(same_origin(&headers_of(&[
            host,
            ("referer", "http://samskap.example:8080/app/x?y")
        ])));
        assert!(!same_origin(&headers_of(&[
            host,
            ("referer", "http://samskap.example:8080@evil.example/")
        ])));
        // Neither: the CSRF code decides.
        assert!(same_origin(&headers_of(&[host])));
        assert!(!same_origin(&HeaderMap::new()));
    }

    #[test]
    fn tls_is_told_by_the_proxy() {
        assert!(over_tls(&headers_of(&[("x-forwarded-proto", "https")])));
        assert!(over_tls(&headers_of(&[(
            "forwarded",
            "for=1.2.3.4;proto=https"
        )])));
        assert!(!over_tls(&headers_of(&[("x-forwarded-proto", "http")])));
        assert!(!over_tls(&HeaderMap::new()));
        let c = set_cookie(SESSION_COOKIE, "v", "/app", true, None);
        assert_eq!(
            c,
            "samskap_session=v; Path=/app; HttpOnly; SameSite=Strict; Secure"
        );
    }
}
