//! The pages driven as a browser would, without one: requests sent to the router the server
//! serves (the API and the pages over one state), cookies kept between them, forms read back
//! from the HTML. Each test checks the store or the audit log after what a page did.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use samskap_api::{AppState, ClientAddr, Limits};
use samskap_core::facilitation::{ActionState, Presence};
use samskap_core::{Study, StudyId};
use samskap_store::{Replace, Store, TokenRole};
use tower::ServiceExt;

const HOST: &str = "samskap.test";
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
const G1: &str = "/app/studies/ung-inkludering-demo/groups/G1";
const G2: &str = "/app/studies/ung-inkludering-demo/groups/G2";

struct World {
    app: Router,
    db: PathBuf,
    admin: String,
    analyst: String,
    fac: String,
    _dir: tempfile::TempDir,
}

impl World {
    fn new() -> Self {
        Self::with(Limits::default())
    }

    fn with(limits: Limits) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("web.db");
        let fixture =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo");
        let study = samskap_bundle::read(&fixture).unwrap();
        let mut store = Store::open(&db).unwrap();
        store.import_study(&study, Replace::No).unwrap();
        let admin = store.create_token("admin", TokenRole::Admin, &[]).unwrap();
        let analyst = store
            .create_token("analyst", TokenRole::Analyst, &[])
            .unwrap();
        let fac = store
            .create_token(
                "fac-g1",
                TokenRole::Facilitator,
                &[(sid(), "G1".parse().unwrap())],
            )
            .unwrap();
        drop(store);
        let state = AppState::new(db.clone(), &limits).unwrap();
        let app = samskap_api::app_with(state.clone(), samskap_web::pages(state));
        Self {
            app,
            db,
            admin,
            analyst,
            fac,
            _dir: dir,
        }
    }

    fn browser(&self) -> Browser {
        Browser {
            app: self.app.clone(),
            cookies: HashMap::new(),
            headers: Vec::new(),
            addr: "192.0.2.10".parse().unwrap(),
        }
    }

    /// A browser signed in with `token`.
    async fn signed_in(&self, token: &str) -> Browser {
        let mut b = self.browser();
        b.sign_in(token).await;
        b
    }

    fn record(&self) -> Study {
        Store::open(&self.db).unwrap().load_record(&sid()).unwrap()
    }

    fn audit(&self) -> Vec<samskap_store::AuditRecord> {
        Store::open(&self.db).unwrap().audit_log(1000).unwrap()
    }

    /// The study's journal of edits, newest first.
    fn journal(&self) -> Vec<samskap_store::JournalEntry> {
        Store::open(&self.db)
            .unwrap()
            .history(Some(&sid()), 1000)
            .unwrap()
    }
}

fn sid() -> StudyId {
    "ung-inkludering-demo".parse().unwrap()
}

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .map_or("", |v| v.to_str().unwrap())
    }

    fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// The value of the first hidden `csrf` field.
    fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .unwrap_or_else(|| panic!("no CSRF field in {}", self.body));
        let rest = &self.body[at + "name=\"csrf\" value=\"".len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    }
}

struct Browser {
    app: Router,
    cookies: HashMap<String, String>,
    headers: Vec<(&'static str, String)>,
    addr: IpAddr,
}

impl Browser {
    async fn send(&mut self, req: Request<Body>) -> Page {
        let mut req = req;
        req.extensions_mut().insert(ClientAddr(self.addr));
        let h = req.headers_mut();
        h.insert(header::HOST, HOST.parse().unwrap());
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            h.insert(header::COOKIE, jar.join("; ").parse().unwrap());
        }
        for (k, v) in &self.headers {
            h.insert(*k, v.parse().unwrap());
        }
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        let page = Page {
            status,
            headers,
            body: String::from_utf8(body.to_vec()).unwrap(),
        };
        for c in page.set_cookies() {
            let (pair, attrs) = c.split_once(';').unwrap_or((&c, ""));
            let (k, v) = pair.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        page
    }

    async fn get(&mut self, path: &str) -> Page {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// A form sent from this server's own page.
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_from(path, fields, &format!("http://{HOST}"))
            .await
    }

    async fn post_from(&mut self, path: &str, fields: &[(&str, &str)], origin: &str) -> Page {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, origin)
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    async fn sign_in(&mut self, token: &str) -> Page {
        let form = self.get("/app/sign-in").await;
        let code = form.csrf();
        let page = self
            .post("/app/sign-in", &[("csrf", &code), ("token", token)])
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        page
    }

    /// The CSRF code on the page at `path`.
    async fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        page.csrf()
    }
}

#[tokio::test]
async fn signing_in_makes_a_strict_http_only_session_and_signing_out_ends_it() {
    let w = World::new();
    let mut b = w.browser();
    let first = b.get("/app/").await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(first.location(), "/app/sign-in?next=%2Fapp%2F");

    let form = b.get("/app/sign-in").await;
    assert_eq!(form.status, StatusCode::OK);
    let form_cookie = form.set_cookie("samskap_sign_in").unwrap();
    assert!(form_cookie.contains("HttpOnly") && form_cookie.contains("SameSite=Strict"));
    let code = form.csrf();

    let wrong = b
        .post("/app/sign-in", &[("csrf", &code), ("token", "sk_nope")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("not valid"), "{}", wrong.body);
    assert!(!b.cookies.contains_key("samskap_session"));

    let code = wrong.csrf();
    let ok = b
        .post("/app/sign-in", &[("csrf", &code), ("token", &w.fac)])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), "/app/");
    let cookie = ok.set_cookie("samskap_session").unwrap();
    assert!(cookie.contains("; Path=/app"), "{cookie}");
    assert!(cookie.contains("; HttpOnly"), "{cookie}");
    assert!(cookie.contains("; SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let secret = b.cookies["samskap_session"].clone();
    // Only its hash is in the store, and the token's secret is nowhere in the cookie.
    assert!(!std::fs::read(&w.db)
        .unwrap()
        .windows(secret.len())
        .any(|x| x == secret.as_bytes()));
    assert!(!cookie.contains(&w.fac));

    let home = b.get("/app/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Ressursgruppe 1"), "{}", home.body);
    // Signed in, the sign-in form goes on to the page asked for.
    let on = b.get("/app/sign-in?next=%2Fapp%2Fstudies%2Fx").await;
    assert_eq!(on.status, StatusCode::SEE_OTHER);
    assert_eq!(on.location(), "/app/studies/x");
    assert!(!home.body.contains("Ressursgruppe 2"), "{}", home.body);

    let code = home.csrf();
    let out = b.post("/app/sign-out", &[("csrf", &code)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out
        .set_cookie("samskap_session")
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(b.get("/app/").await.status, StatusCode::SEE_OTHER);
    // The session is gone from the store: the old cookie is no way back in.
    b.cookies.insert("samskap_session".into(), secret);
    let again = b.get("/app/").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(again.location().starts_with("/app/sign-in"));
}

#[tokio::test]
async fn behind_a_tls_proxy_the_session_cookie_is_secure() {
    let w = World::new();
    let mut b = w.browser();
    b.headers.push(("x-forwarded-proto", "https".into()));
    let page = b.sign_in(&w.fac).await;
    let cookie = page.set_cookie("samskap_session").unwrap();
    assert!(cookie.ends_with("; Secure"), "{cookie}");
}

#[tokio::test]
async fn a_sign_in_form_without_its_code_is_refused() {
    let w = World::new();
    let mut b = w.browser();
    let page = b.post("/app/sign-in", &[("token", &w.fac)]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("expired"), "{}", page.body);
    assert!(!b.cookies.contains_key("samskap_session"));
}

#[tokio::test]
async fn a_revoked_token_ends_its_sessions() {
    let w = World::new();
    let mut b = w.signed_in(&w.fac).await;
    assert_eq!(b.get(G1).await.status, StatusCode::OK);
    Store::open(&w.db).unwrap().revoke_token("fac-g1").unwrap();
    let page = b.get(G1).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().starts_with("/app/sign-in"));
}

#[tokio::test]
async fn failed_sign_ins_count_toward_the_api_s_throttle() {
    let w = World::with(Limits {
        auth_failures: 2,
        ..Limits::default()
    });
    let mut b = w.browser();
    for _ in 0..2 {
        let code = b.csrf("/app/sign-in").await;
        let page = b
            .post("/app/sign-in", &[("csrf", &code), ("token", "sk_guess")])
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right token waits now, on the page and over the API alike.
    let code = b.csrf("/app/sign-in").await;
    let page = b
        .post("/app/sign-in", &[("csrf", &code), ("token", &w.fac)])
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
    assert!(page.headers.contains_key(header::RETRY_AFTER));
    assert!(
        page.body.contains("Too many failed sign-ins"),
        "{}",
        page.body
    );
    let api = b
        .send(
            Request::get("/studies")
                .header(header::AUTHORIZATION, format!("Bearer {}", w.fac))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn every_page_is_sent_with_a_strict_policy_and_no_scripts() {
    let w = World::new();
    let mut b = w.browser();
    let sign_in = b.get("/app/sign-in").await;
    b.sign_in(&w.fac).await;
    let group = b.get(G1).await;
    let missing = b.get("/app/nothing/here").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let css = b.get("/app/assets/samskap.css").await;
    assert_eq!(css.status, StatusCode::OK);
    for page in [&sign_in, &group, &missing, &css] {
        let h = &page.headers;
        assert_eq!(h["content-security-policy"], CSP);
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "same-origin");
        assert_eq!(h["x-frame-options"], "DENY");
    }
    for page in [&sign_in, &group, &missing] {
        assert!(page.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert_eq!(page.headers["cache-control"], "no-store");
        assert!(!page.body.contains("<script"), "{}", page.body);
        assert!(!page.body.contains("style="), "inline style: {}", page.body);
        assert!(!page.body.contains("http://") && !page.body.contains("https://"));
    }
    assert!(missing.body.contains("There is no such page"));
}

#[tokio::test]
async fn a_form_without_its_code_or_from_another_site_is_refused_and_changes_nothing() {
    let w = World::new();
    let mut b = w.signed_in(&w.fac).await;
    let path = format!("{G1}/meetings/G1-2023-02");
    let code = b.csrf(&path).await;
    let before = w.record();
    let audit_before = w.audit().len();
    let cases: [(&[(&str, &str)], String); 3] = [
        (&[("presence:G1-P1", "absent")], format!("http://{HOST}")),
        (
            &[("csrf", "0000"), ("presence:G1-P1", "absent")],
            format!("http://{HOST}"),
        ),
        (
            &[("csrf", &code), ("presence:G1-P1", "absent")],
            "https://evil.example".into(),
        ),
    ];
    for (fields, origin) in &cases {
        let page = b.post_from(&path, fields, origin).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    }
    let page = b
        .post_from(
            &path,
            &[("csrf", "0000"), ("presence:G1-P1", "absent")],
            &format!("http://{HOST}"),
        )
        .await;
    assert!(page.body.contains("security code"), "{}", page.body);
    assert_eq!(w.record().facilitation(), before.facilitation());
    // Each refused form is logged with its 403, none as a write that happened.
    let logged = &w.audit()[audit_before..];
    assert_eq!(logged.len(), cases.len() + 1);
    assert!(logged
        .iter()
        .all(|e| e.status == 403 && e.token_name == "fac-g1"));
    // Another session's code is no code of this one.
    let mut other = w.signed_in(&w.admin).await;
    let theirs = other.csrf(&path).await;
    assert_ne!(theirs, code);
    let page = b
        .post(&path, &[("csrf", &theirs), ("presence:G1-P1", "absent")])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_facilitator_gets_403_for_another_group_and_404_for_what_is_not_there() {
    let w = World::new();
    let mut b = w.signed_in(&w.fac).await;
    for path in [
        G2.to_owned(),
        format!("{G2}/actions"),
        format!("{G2}/analytics"),
        // A group that does not exist looks the same as another's.
        "/app/studies/ung-inkludering-demo/groups/G99".to_owned(),
        "/app/studies/nope/groups/G1".to_owned(),
    ] {
        let page = b.get(&path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.body.contains("no access"), "{}", page.body);
    }
    let code = b.csrf(G1).await;
    let before = w.record();
    let page = b
        .post(
            &format!("{G2}/meetings"),
            &[("csrf", &code), ("date", "2024-05-01"), ("kind", "group")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(w.record().facilitation(), before.facilitation());
    // Refused, and in the audit log as the API logs a refused write.
    let last = w.audit().pop().unwrap();
    assert_eq!(
        (last.token_name.as_str(), last.path.as_str(), last.status),
        ("fac-g1", format!("{G2}/meetings").as_str(), 403)
    );
    // A form's address opened as a page goes on to the page the form is on.
    let page = b.get(&format!("{G1}/meetings")).await;
    assert_eq!((page.status, page.location()), (StatusCode::SEE_OTHER, G1));
    let page = b.get(&format!("{G1}/actions/A-G1-1")).await;
    assert_eq!(page.location(), format!("{G1}/actions"));
    let page = b.get(&format!("{G1}/meetings/no-such-meeting")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    // An admin reaches every group, and gets 404 for one that does not exist.
    let mut admin = w.signed_in(&w.admin).await;
    assert_eq!(admin.get(G2).await.status, StatusCode::OK);
    let page = admin
        .get("/app/studies/ung-inkludering-demo/groups/G99")
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_analyst_reads_a_group_but_changes_nothing() {
    let w = World::new();
    let mut b = w.signed_in(&w.analyst).await;
    let path = format!("{G1}/meetings/G1-2023-02");
    let page = b.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("can read this group but not change it"));
    assert!(!page.body.contains("Save attendance"));
    let code = page.csrf();
    let page = b
        .post(&path, &[("csrf", &code), ("presence:G1-P1", "absent")])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn attendance_is_saved_in_one_go_and_read_back_from_the_store() {
    let w = World::new();
    let mut b = w.signed_in(&w.fac).await;
    // A new meeting, today, from the group's page.
    let code = b.csrf(&format!("{G1}/meetings/new")).await;
    let page = b
        .post(
            &format!("{G1}/meetings"),
            &[
                ("csrf", &code),
                ("date", "2024-05-02"),
                ("kind", "workshop"),
                ("note", "Verksted om overganger"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let meeting_path = page.location().trim_end_matches("?saved=1").to_owned();
    let meeting_id = meeting_path.rsplit('/').next().unwrap().to_owned();
    let form = b.get(&meeting_path).await;
    assert_eq!(form.status, StatusCode::OK);
    for m in ["G1-P1", "G1-P2", "G1-P12"] {
        assert!(form.body.contains(&format!("name=\"presence:{m}\"")), "{m}");
    }
    let code = form.csrf();
    let page = b
        .post(
            &meeting_path,
            &[
                ("csrf", &code),
                ("presence:G1-P1", "present"),
                ("presence:G1-P2", "absent"),
                ("presence:G1-P3", "excused"),
                ("presence:G1-P4", "present"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let shown = b.get(page.location()).await;
    assert!(shown.body.contains("Saved."), "{}", shown.body);

    let record = w.record();
    let (m, attendance) = record
        .facilitation()
        .meeting(&meeting_id.parse().unwrap())
        .unwrap();
    assert_eq!(m.note.as_deref(), Some("Verksted om overganger"));
    let got: Vec<(String, Presence)> = attendance
        .iter()
        .map(|a| (a.member.to_string(), a.presence))
        .collect();
    assert_eq!(
        got,
        [
            ("G1-P1".to_owned(), Presence::Present),
            ("G1-P2".to_owned(), Presence::Absent),
            ("G1-P3".to_owned(), Presence::Excused),
            ("G1-P4".to_owned(), Presence::Present),
        ]
    );
    // The saved form shows what is stored.
    assert!(shown
        .body
        .contains("name=\"presence:G1-P2\" value=\"absent\" checked"));

    // Audited as the API's writes are: who, what, the object, the status, in its transaction.
    let audit = w.audit();
    let made = audit
        .iter()
        .find(|e| e.object_id.as_deref() == Some(meeting_id.as_str()) && e.status == 201)
        .unwrap();
    assert_eq!(made.token_name, "fac-g1");
    assert_eq!(made.method, "POST");
    assert_eq!(made.path, format!("{G1}/meetings"));
    let set = audit.last().unwrap();
    assert_eq!(
        (set.path.as_str(), set.status, set.object_id.as_deref()),
        (meeting_path.as_str(), 200, Some(meeting_id.as_str()))
    );
    // And journalled as the API's writes are: the token's name, through the same function.
    let journal = w.journal();
    let (set, made) = (&journal[0], &journal[1]);
    for e in [set, made] {
        assert_eq!((e.who.as_str(), e.via), ("fac-g1", samskap_store::Via::Api));
    }
    assert!(set.summary.contains(&meeting_id), "{}", set.summary);
    assert!(made.summary.contains(&meeting_id), "{}", made.summary);

    // A member of another group is refused by the model, in words, and nothing changes.
    let page = b
        .post(
            &meeting_path,
            &[("csrf", &code), ("presence:G2-P1", "present")],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(page.body.contains("class=\"err\""), "{}", page.body);
    assert!(!page.body.to_lowercase().contains("panicked"));
    assert_eq!(w.record().facilitation(), record.facilitation());
    assert_eq!(w.audit().last().unwrap().status, 422);
}

#[tokio::test]
async fn the_action_lifecycle_offers_the_next_state_and_a_skip_is_refused_in_words() {
    let w = World::new();
    let mut b = w.signed_in(&w.fac).await;
    let code = b.csrf(&format!("{G1}/actions")).await;
    let page = b
        .post(
            &format!("{G1}/actions"),
            &[
                ("csrf", &code),
                ("title", "Felles kalender"),
                ("kind", "trial-action"),
                ("date", "2024-05-01"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let record = w.record();
    let action = record
        .facilitation()
        .actions()
        .iter()
        .find(|a| a.title == "Felles kalender")
        .unwrap()
        .clone();
    assert_eq!(action.state(), ActionState::Planned);
    let path = format!("{G1}/actions/{}", action.id);
    let register = b.get(&format!("{G1}/actions")).await;
    // Its only button is core's next state.
    let card = &register.body[register.body.find("Felles kalender").unwrap()..];
    let card = &card[..card.find("</article>").unwrap()];
    assert!(card.contains("name=\"state\" value=\"tried\""), "{card}");
    assert!(!card.contains("value=\"adopted\""), "{card}");

    let audit_before = w.audit().len();
    let journal_before = w.journal().len();
    let page = b
        .post(
            &path,
            &[
                ("csrf", &code),
                ("state", "adopted"),
                ("date", "2024-05-10"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.body);
    assert!(
        page.body
            .contains("Cannot go from planned to adopted: the next state is tried."),
        "{}",
        page.body
    );
    assert_eq!(w.journal().len(), journal_before, "a refusal is no edit");
    let after = w.record();
    let stored = after.facilitation().action(&action.id).unwrap();
    assert_eq!(stored, &action, "a refused step changes nothing");
    let audit = w.audit();
    assert_eq!(audit.len(), audit_before + 1);
    let refused = audit.last().unwrap();
    assert_eq!(
        (refused.status, refused.object_id.as_deref()),
        (409, Some(action.id.as_str()))
    );

    let page = b
        .post(
            &path,
            &[("csrf", &code), ("state", "tried"), ("date", "2024-05-10")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let after = w.record();
    assert_eq!(
        after.facilitation().action(&action.id).unwrap().state(),
        ActionState::Tried
    );
    assert_eq!(w.journal().len(), journal_before + 1);
    assert_eq!(w.audit().last().unwrap().status, 200);
}

#[tokio::test]
async fn a_move_a_statement_and_a_contact_go_through_the_same_rules() {
    let w = World::new();
    let mut b = w.signed_in(&w.fac).await;
    let code = b.csrf(&format!("{G1}/process")).await;
    let moves = w.record().facilitation().moves().len();
    // A step outside its phase (a form sent by hand) is refused by the model.
    let page = b
        .post(
            &format!("{G1}/process"),
            &[
                ("csrf", &code),
                ("step", "challenge/evaluate"),
                ("date", "2024-06-01"),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(page.body.contains("belongs to the phase"), "{}", page.body);
    let page = b
        .post(
            &format!("{G1}/process"),
            &[
                ("csrf", &code),
                ("step", "implement/evaluate"),
                ("date", "2024-06-01"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(w.record().facilitation().moves().len(), moves + 1);

    let page = b
        .post(
            &format!("{G1}/statements"),
            &[
                ("csrf", &code),
                ("text", "Ungdom faller mellom tjenestene."),
                ("drafted", "2024-06-02"),
                ("participant", "G1-P1"),
                ("participant", "G1-P2"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let record = w.record();
    let st = record
        .facilitation()
        .statements()
        .iter()
        .find(|s| s.text == "Ungdom faller mellom tjenestene.")
        .unwrap();
    assert_eq!(st.participants.len(), 2);
    assert_eq!(st.agreed, None);
    // A member of another group takes no part in this group's statement.
    let page = b
        .post(
            &format!("{G1}/statements"),
            &[
                ("csrf", &code),
                ("text", "x"),
                ("drafted", "2024-06-02"),
                ("participant", "G2-P1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("not a member of the group"));

    let page = b
        .post(
            &format!("{G1}/contacts"),
            &[
                ("csrf", &code),
                ("a", "G1-P3"),
                ("b", "G1-P3"),
                ("date", "2024-06-03"),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(page.body.contains("two different members"), "{}", page.body);
    let contacts = w.record().facilitation().contacts().len();
    // G1-P3 and G1-P9 met in 2023 (C3): a relation is formed once.
    let page = b
        .post(
            &format!("{G1}/contacts"),
            &[
                ("csrf", &code),
                ("a", "G1-P9"),
                ("b", "G1-P3"),
                ("date", "2024-06-03"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.body);
    assert!(
        page.body.contains("already have a contact"),
        "{}",
        page.body
    );
    let page = b
        .post(
            &format!("{G1}/contacts"),
            &[
                ("csrf", &code),
                ("a", "G1-P4"),
                ("b", "G1-P6"),
                ("date", "2024-06-03"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(w.record().facilitation().contacts().len(), contacts + 1);
    // A bad date is told by its field.
    let page = b
        .post(
            &format!("{G1}/contacts"),
            &[
                ("csrf", &code),
                ("a", "G1-P5"),
                ("b", "G1-P7"),
                ("date", "3 June"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("is not a date"), "{}", page.body);
}

#[tokio::test]
async fn norwegian_is_chosen_by_the_browser_and_then_by_the_reader() {
    let w = World::new();
    let mut b = w.browser();
    b.headers
        .push(("accept-language", "nb-NO,nb;q=0.9,en;q=0.5".into()));
    let form = b.get("/app/sign-in").await;
    assert!(form.body.contains("<html lang=\"nb\">"));
    assert!(form.body.contains("Logg inn"), "{}", form.body);
    b.sign_in(&w.fac).await;
    let home = b.get("/app/").await;
    assert!(home.body.contains("Mine grupper"), "{}", home.body);
    // The demo is made up: every page of it says so, in the reader's language.
    assert!(home.body.contains("Illustrerende data:"), "{}", home.body);
    let group = b.get(G1).await;
    assert!(group.body.contains("Dagens møte"), "{}", group.body);
    assert!(group.body.contains("Illustrerende data:"), "{}", group.body);
    let actions = b.get(&format!("{G1}/actions")).await;
    assert!(actions.body.contains("Prøvehandlinger"));

    // A skipped state, in Norwegian.
    let code = actions.csrf();
    let page = b
        .post(
            &format!("{G1}/actions/A-G1-1"),
            &[
                ("csrf", &code),
                ("state", "planned"),
                ("date", "2024-05-10"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.body);
    assert!(page.body.contains("Kan ikke gå fra"), "{}", page.body);

    // The reader chooses English; it stays theirs in a new session elsewhere.
    let page = b
        .post(
            "/app/language",
            &[("csrf", &code), ("lang", "en"), ("back", G1)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), G1);
    let group = b.get(G1).await.body;
    assert!(group.contains("Today&#39;s meeting"));
    assert!(group.contains("Illustrative data:"), "{group}");
    let mut other = w.browser();
    other.headers.push(("accept-language", "nb".into()));
    other.sign_in(&w.fac).await;
    assert!(other.get("/app/").await.body.contains("My groups"));
}

#[tokio::test]
async fn the_group_s_analytics_draw_the_report_s_charts() {
    let w = World::new();
    let mut b = w.signed_in(&w.fac).await;
    let page = b.get(&format!("{G1}/analytics")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Attendance by service"), "{}", page.body);
    assert!(page.body.contains("<svg"), "{}", page.body);
    assert!(page.body.contains("role=\"img\""));
    // Never by person: no member's id in the analytics.
    assert!(!page.body.contains("G1-P1<"), "{}", page.body);
}

const I1: &str = "/app/studies/ung-inkludering-demo/sources/I1";
const QUESTION: &str =
    "Kan du utdype hvordan dynamikken i gruppen ble preget av å ha med ungdommer?";

/// The codings of source I1 as the store holds them: (start, end, code, qualifiers, coder).
fn i1_codings(w: &World) -> Vec<(usize, usize, String, String, String)> {
    Store::open(&w.db)
        .unwrap()
        .coded_source(&sid(), &"I1".parse().unwrap())
        .unwrap()
        .codings
        .into_iter()
        .map(|c| {
            (
                c.span.start(),
                c.span.end(),
                c.code.to_string(),
                c.qualifiers.to_string(),
                c.coder.to_string(),
            )
        })
        .collect()
}

const LOCAL: &str = "structure/local-anchoring";

/// The coding form of I1's page, sent as A with polarity `barrier`.
async fn code_form(
    b: &mut Browser,
    csrf: &str,
    quote: &str,
    start: &str,
    end: &str,
    code: &str,
) -> Page {
    b.post(
        &format!("{I1}/codings"),
        &[
            ("csrf", csrf),
            ("quote", quote),
            ("start", start),
            ("end", end),
            ("code", code),
            ("q:polarity", "barrier"),
            ("coder", "A"),
        ],
    )
    .await
}

#[tokio::test]
async fn an_analyst_codes_a_passage_removes_the_coding_and_writes_a_memo() {
    let w = World::new();
    let mut b = w.signed_in(&w.analyst).await;
    let home = b.get("/app/").await;
    assert!(
        home.body
            .contains("href=\"/app/studies/ung-inkludering-demo/sources\""),
        "{}",
        home.body
    );
    let list = b.get("/app/studies/ung-inkludering-demo/sources").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains(&format!("href=\"{I1}\"")),
        "{}",
        list.body
    );
    let page = b.get(I1).await;
    assert_eq!(page.status, StatusCode::OK);
    // The text is whole, in runs that carry their offsets, the coded ones highlighted.
    assert!(
        page.body.contains("<mark id=\"o0\" data-o=\"0\" class=\"k"),
        "{}",
        page.body
    );
    assert!(page.body.contains(QUESTION));
    // Its one script is this server's, and no style is inline.
    assert_eq!(page.body.matches("<script").count(), 1);
    assert!(page
        .body
        .contains("<script src=\"/app/assets/samskap.js\" defer></script>"));
    assert!(!page.body.contains("style="));
    let js = b.get("/app/assets/samskap.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    let css = b.get("/app/studies/ung-inkludering-demo/codes.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains(".k0{background:#"), "{}", css.body);

    let before = i1_codings(&w);
    let code = page.csrf();
    // Typed, with a space at the end and a line's worth of words: found in the text.
    let typed = code_form(&mut b, &code, &format!("{QUESTION} "), "", "", LOCAL).await;
    assert_eq!(typed.status, StatusCode::SEE_OTHER, "{}", typed.body);
    assert!(
        typed.location().starts_with(&format!("{I1}?saved=1#o")),
        "{}",
        typed.location()
    );
    let after = i1_codings(&w);
    assert_eq!(after.len(), before.len() + 1);
    let new: Vec<_> = after.iter().filter(|c| !before.contains(c)).collect();
    let (start, end) = (new[0].0, new[0].1);
    assert_eq!(end - start, QUESTION.chars().count());
    assert_eq!(
        (new[0].2.as_str(), new[0].3.as_str(), new[0].4.as_str()),
        ("structure/local-anchoring", "polarity=barrier", "A")
    );
    assert_eq!(w.journal()[0].kind, samskap_store::EditKind::CodingAdd);

    // The same again: refused in words, nothing written, the passage kept in the form.
    let twice = code_form(&mut b, &code, QUESTION, "", "", LOCAL).await;
    assert_eq!(
        twice.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        twice.body
    );
    assert!(twice.body.contains("class=\"err\""), "{}", twice.body);
    assert!(
        twice.body.contains(&format!(">{QUESTION}</textarea>")),
        "{}",
        twice.body
    );
    assert_eq!(i1_codings(&w), after);

    // Offsets that no longer hold the words sent: a conflict, nothing written.
    let moved = code_form(&mut b, &code, "Kan du utdype", "0", "13", LOCAL).await;
    assert_eq!(moved.status, StatusCode::CONFLICT, "{}", moved.body);
    assert!(
        moved.body.contains("select the passage again"),
        "{}",
        moved.body
    );
    // Words not in the text, a code not in the codebook: told, nothing written.
    let absent = code_form(
        &mut b,
        &code,
        "Dette står ikke i teksten i det hele tatt.",
        "",
        "",
        LOCAL,
    )
    .await;
    assert_eq!(
        absent.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        absent.body
    );
    assert!(absent.body.contains("Passage:"), "{}", absent.body);
    let unknown = code_form(&mut b, &code, QUESTION, "", "", "structure/nope").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body.contains("is not a code of the study"),
        "{}",
        unknown.body
    );
    assert_eq!(i1_codings(&w), after);

    // Removed by its button's form.
    let s = start.to_string();
    let e = end.to_string();
    let removed = b
        .post(
            &format!("{I1}/codings/remove"),
            &[
                ("csrf", &code),
                ("start", &s),
                ("end", &e),
                ("code", "structure/local-anchoring"),
                ("qualifiers", "polarity=barrier"),
                ("coder", "A"),
            ],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    assert_eq!(i1_codings(&w), before);

    // A memo on a code, back on the page it was written on.
    let memo = b
        .post(
            "/app/studies/ung-inkludering-demo/memos",
            &[
                ("csrf", &code),
                ("code", "structure/local-anchoring"),
                ("author", "A"),
                ("text", "Forankring nevnes mest av deltakerne."),
                ("back", I1),
            ],
        )
        .await;
    assert_eq!(memo.status, StatusCode::SEE_OTHER, "{}", memo.body);
    assert!(memo.location().starts_with(&format!("{I1}?saved=1#memo")));
    let memos = Store::open(&w.db).unwrap().memos(&sid(), None).unwrap();
    assert!(memos
        .iter()
        .any(|m| m.text == "Forankring nevnes mest av deltakerne."));
    // A page elsewhere is no place to be sent back to.
    let away = b
        .post(
            "/app/studies/ung-inkludering-demo/memos",
            &[
                ("csrf", &code),
                ("author", "A"),
                ("text", "x"),
                ("back", "https://evil.test/"),
            ],
        )
        .await;
    assert_eq!(away.status, StatusCode::SEE_OTHER, "{}", away.body);
    assert!(away
        .location()
        .starts_with("/app/studies/ung-inkludering-demo/sources?saved=1#memo"));
    // Nor one no Location header can carry: a redirect still, never a 500.
    for back in [
        &format!("{I1}\nSet-Cookie: x=1"),
        "/app/studies/other/sources",
    ] {
        let odd = b
            .post(
                "/app/studies/ung-inkludering-demo/memos",
                &[
                    ("csrf", &code),
                    ("author", "A"),
                    ("text", "y"),
                    ("back", back),
                ],
            )
            .await;
        assert_eq!(odd.status, StatusCode::SEE_OTHER, "{}", odd.body);
        assert!(odd
            .location()
            .starts_with("/app/studies/ung-inkludering-demo/sources?saved=1#memo"));
    }
}

#[tokio::test]
async fn a_facilitator_gets_403_for_the_analysts_pages_and_forms() {
    let w = World::new();
    let mut b = w.signed_in(&w.fac).await;
    let home = b.get("/app/").await;
    assert!(!home.body.contains("/sources"), "{}", home.body);
    for path in [
        "/app/studies/ung-inkludering-demo/sources".to_owned(),
        I1.to_owned(),
        format!("{I1}/compare"),
        "/app/studies/ung-inkludering-demo/quotes?code=culture".to_owned(),
        "/app/studies/ung-inkludering-demo/codes.css".to_owned(),
    ] {
        let page = b.get(&path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(!page.body.contains(QUESTION));
    }
    let before = i1_codings(&w);
    let code = b.csrf(G1).await;
    let page = b
        .post(
            &format!("{I1}/codings"),
            &[
                ("csrf", &code),
                ("quote", QUESTION),
                ("code", "structure/local-anchoring"),
                ("coder", "A"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(i1_codings(&w), before);
}

#[tokio::test]
async fn two_coders_side_by_side_and_a_unit_reconciled() {
    let w = World::new();
    let mut b = w.signed_in(&w.admin).await;
    let page = b.get(&format!("{I1}/compare?a=A&b=B")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let at = page
        .body
        .find("<article class=\"card differs\" id=\"r")
        .expect("A and B differ on a unit of I1");
    let rest = &page.body[at..];
    let field = |name: &str| {
        let k = format!("name=\"{name}\" value=\"");
        let i = rest.find(&k).unwrap() + k.len();
        rest[i..i + rest[i..].find('"').unwrap()].to_owned()
    };
    let (start, end, key) = (field("start"), field("end"), field("key"));
    let code = page.csrf();
    let path = format!("{I1}/reconcile");
    let none = b
        .post(
            &path,
            &[
                ("csrf", &code),
                ("a", "A"),
                ("b", "B"),
                ("start", &start),
                ("end", &end),
            ],
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        none.body.contains("Tick at least one code"),
        "{}",
        none.body
    );
    let done = b
        .post(
            &path,
            &[
                ("csrf", &code),
                ("a", "A"),
                ("b", "B"),
                ("start", &start),
                ("end", &end),
                ("key", &key),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(done.location().contains("/compare?a=A&b=B&saved=1#r"));
    let (code_id, qualifiers) = key.split_once('|').unwrap();
    let consensus: Vec<_> = i1_codings(&w)
        .into_iter()
        .filter(|c| c.4 == "consensus")
        .collect();
    assert_eq!(
        consensus,
        vec![(
            start.parse().unwrap(),
            end.parse().unwrap(),
            code_id.to_owned(),
            qualifiers.to_owned(),
            "consensus".to_owned()
        )]
    );
    assert_eq!(w.journal()[0].kind, samskap_store::EditKind::Reconcile);
    let shown = b.get(&format!("{I1}/compare?a=A&b=B")).await;
    assert!(shown.body.contains("<dt>Consensus</dt>"), "{}", shown.body);
}

#[tokio::test]
async fn the_quotes_of_a_code_across_sources() {
    let w = World::new();
    let mut b = w.signed_in(&w.analyst).await;
    let page = b
        .get("/app/studies/ung-inkludering-demo/quotes?code=culture")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.matches("<blockquote>").count() > 1,
        "{}",
        page.body
    );
    assert!(page.body.contains("/sources/I1#o"), "{}", page.body);
    let none = b
        .get("/app/studies/ung-inkludering-demo/quotes?code=culture/nope")
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    let bare = b.get("/app/studies/ung-inkludering-demo/quotes").await;
    assert!(bare.body.contains("Choose a code"), "{}", bare.body);
    // In the reader's language, the codebook's names too.
    let code = bare.csrf();
    let nb = b
        .post(
            "/app/language",
            &[("csrf", &code), ("lang", "nb"), ("back", I1)],
        )
        .await;
    assert_eq!(nb.status, StatusCode::SEE_OTHER);
    let page = b.get(I1).await;
    assert!(page.body.contains("<html lang=\"nb\">"));
    assert!(page.body.contains("Kod utdraget"), "{}", page.body);
    assert!(page.body.contains(">Polaritet"), "{}", page.body);
}

#[tokio::test]
async fn a_facilitator_adds_a_member_and_an_analyst_cannot() {
    let w = World::new();
    let mut b = w.signed_in(&w.fac).await;
    let before = w.record().members().len();
    let code = b.csrf(G1).await;
    let path = format!("{G1}/members");
    let page = b
        .post(
            &path,
            &[
                ("csrf", &code),
                ("sector", "voluntary"),
                ("service", "Røde Kors"),
                ("youth", "yes"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), format!("{G1}?saved=1"));
    let record = w.record();
    assert_eq!(record.members().len(), before + 1);
    let new = record.members().last().unwrap();
    assert_eq!(new.group.as_str(), "G1");
    assert_eq!(new.sector, samskap_core::Sector::Voluntary);
    assert_eq!(new.service.as_deref(), Some("Røde Kors"));
    assert!(new.youth && !new.pd_youth);
    assert!(w.audit().iter().any(|a| a.path == path && a.status == 201));
    // A sector that is not one: told in words, nothing written.
    let bad = b
        .post(&path, &[("csrf", &code), ("sector", "secret")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("class=\"err\""), "{}", bad.body);
    assert_eq!(w.record().members().len(), before + 1);
    // A PD youth who is not young: core's rule, told in words, nothing written.
    let pd = b
        .post(
            &path,
            &[("csrf", &code), ("sector", "citizen"), ("pd_youth", "yes")],
        )
        .await;
    assert_eq!(pd.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", pd.body);
    assert!(pd.body.contains("class=\"err\""), "{}", pd.body);
    assert_eq!(w.record().members().len(), before + 1);
    // Another group's, and an analyst's: 403.
    let other = b
        .post(
            &format!("{G2}/members"),
            &[("csrf", &code), ("sector", "public")],
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let mut a = w.signed_in(&w.analyst).await;
    let code = a.csrf(G1).await;
    let page = a.get(G1).await;
    assert!(
        !page.body.contains("/members\""),
        "no form for a reader: {}",
        page.body
    );
    let refused = a
        .post(&path, &[("csrf", &code), ("sector", "public")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(w.record().members().len(), before + 1);
}

#[tokio::test]
async fn a_group_s_rules_practices_and_dissemination_are_kept_from_one_page() {
    let w = World::new();
    let mut b = w.signed_in(&w.fac).await;
    let record = format!("{G1}/record");
    let page = b.get(&record).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let code = page.csrf();
    let rules = b
        .post(
            &format!("{G1}/rules"),
            &[
                ("csrf", &code),
                ("frequency", "Hver fjerde uke"),
                ("place", "Biblioteket"),
                ("leader", ""),
                ("disagreement", "Vi tar det opp i neste møte."),
            ],
        )
        .await;
    assert_eq!(rules.status, StatusCode::SEE_OTHER, "{}", rules.body);
    assert_eq!(rules.location(), format!("{record}?saved=1"));
    let kept = w
        .record()
        .facilitation()
        .rules()
        .iter()
        .find(|(g, _)| g.as_str() == "G1")
        .map(|(_, r)| r.clone())
        .unwrap();
    assert_eq!(kept.frequency.as_deref(), Some("Hver fjerde uke"));
    assert_eq!(kept.leader, None);
    let practices = w.record().facilitation().practices().len();
    let practice = b
        .post(
            &format!("{G1}/practices"),
            &[
                ("csrf", &code),
                ("level", "organisation"),
                (
                    "description",
                    "Skolen ringer NAV samme dag en elev uteblir.",
                ),
                ("observed", "2023-03-01"),
            ],
        )
        .await;
    assert_eq!(practice.status, StatusCode::SEE_OTHER, "{}", practice.body);
    assert_eq!(w.record().facilitation().practices().len(), practices + 1);
    let empty = b
        .post(
            &format!("{G1}/practices"),
            &[("csrf", &code), ("level", "group"), ("description", "")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(w.record().facilitation().practices().len(), practices + 1);
    let events = w.record().facilitation().events().len();
    let event = b
        .post(
            &format!("{G1}/disseminations"),
            &[
                ("csrf", &code),
                ("audience", "Kommunestyret"),
                ("date", "2023-04-01"),
                ("action", ""),
            ],
        )
        .await;
    assert_eq!(event.status, StatusCode::SEE_OTHER, "{}", event.body);
    assert_eq!(w.record().facilitation().events().len(), events + 1);
    // An action of no record is refused by core, in words, nothing written.
    let stray = b
        .post(
            &format!("{G1}/disseminations"),
            &[
                ("csrf", &code),
                ("audience", "Kommunestyret"),
                ("date", "2023-04-01"),
                ("action", "no-such-action"),
            ],
        )
        .await;
    assert!(stray.status.is_client_error(), "{}", stray.body);
    assert_eq!(w.record().facilitation().events().len(), events + 1);
    let shown = b.get(&record).await;
    assert!(shown.body.contains("Skolen ringer NAV"), "{}", shown.body);
    assert!(shown.body.contains("Kommunestyret"));
    assert!(shown.body.contains("value=\"Biblioteket\""));
    // A form's address opened in the browser leads to its page.
    let back = b.get(&format!("{G1}/practices")).await;
    assert_eq!(back.location(), record);
    // Another group's: 403; an analyst reads it and has no form.
    assert_eq!(
        b.get(&format!("{G2}/record")).await.status,
        StatusCode::FORBIDDEN
    );
    let mut a = w.signed_in(&w.analyst).await;
    let read = a.get(&record).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(
        read.body.contains("<dd>Hver fjerde uke</dd>"),
        "{}",
        read.body
    );
    assert!(!read.body.contains("/practices\""));
}

#[tokio::test]
async fn a_coding_is_moved_to_another_code_and_fewer_words_in_one_write() {
    let w = World::new();
    let mut b = w.signed_in(&w.analyst).await;
    let page = b.get(I1).await;
    let link = format!(
        "{I1}/codings/move?start=0&end=295&code=culture%2Fholistic-approach&qualifiers=polarity%3Dbarrier&coder=A"
    );
    assert!(
        page.body.contains(&link.replace('&', "&#38;")),
        "{}",
        page.body
    );
    let form = b.get(&link).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("<option value=\"barrier\" selected>"),
        "{}",
        form.body
    );
    assert!(form
        .body
        .contains("value=\"culture/holistic-approach\" required"));
    // Removing is offered there too, not beside each coding of the source's page.
    assert!(form
        .body
        .contains(&format!("action=\"{I1}/codings/remove\"")));
    assert!(!page.body.contains("/codings/remove"));
    // A coding the source does not have has no page.
    let none = b.get(&link.replace("coder=A", "coder=Z")).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    let code = form.csrf();
    let before = i1_codings(&w);
    let old = (
        0,
        295,
        "culture/holistic-approach".to_owned(),
        "polarity=barrier".to_owned(),
        "A".to_owned(),
    );
    assert!(before.contains(&old), "{before:?}");
    let fields = |to_code: &'static str, to_end: &'static str| {
        vec![
            ("csrf", code.clone()),
            ("start", "0".into()),
            ("end", "295".into()),
            ("code", "culture/holistic-approach".into()),
            ("qualifiers", "polarity=barrier".into()),
            ("coder", "A".into()),
            ("to_code", to_code.into()),
            ("q:polarity", "opportunity".into()),
            ("to_start", "0".into()),
            ("to_end", to_end.into()),
        ]
    };
    let moved = {
        let f = fields("structure/local-anchoring", "29");
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        b.post(&format!("{I1}/codings/move"), &f).await
    };
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let after = i1_codings(&w);
    assert!(!after.contains(&old));
    // 0..29 is the first sentence and the space after it: the space is left out.
    assert!(after.contains(&(
        0,
        28,
        "structure/local-anchoring".to_owned(),
        "polarity=opportunity".to_owned(),
        "A".to_owned()
    )));
    assert_eq!(after.len(), before.len());
    let kinds: Vec<_> = w.journal().into_iter().take(2).map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            samskap_store::EditKind::CodingAdd,
            samskap_store::EditKind::CodingRemove
        ]
    );
    // The same move again: that coding is not there any more; nothing changes.
    let again = {
        let f = fields("structure/local-anchoring", "29");
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        b.post(&format!("{I1}/codings/move"), &f).await
    };
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);
    assert_eq!(i1_codings(&w), after);
}
