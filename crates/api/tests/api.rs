//! The API over a real server on an ephemeral port: each resource, each role (401 and 403
//! included) and each error class.

use std::path::Path;

use reqwest::{Client, StatusCode};
use samskap_store::{Replace, Store, TokenRole};
use serde_json::{json, Value};

struct Server {
    base: String,
    admin: String,
    analyst: String,
    g1: String,
    client: Client,
    db: std::path::PathBuf,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Server {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("api.db");
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering");
        let study = samskap_bundle::read(&fixture).unwrap();
        let mut store = Store::open(&db).unwrap();
        store.import_study(&study, Replace::No).unwrap();
        let sid: samskap_core::StudyId = "ung-inkludering".parse().unwrap();
        let admin = store.create_token("admin", TokenRole::Admin, &[]).unwrap();
        let analyst = store
            .create_token("analyst", TokenRole::Analyst, &[])
            .unwrap();
        let g1 = store
            .create_token(
                "fac-g1",
                TokenRole::Facilitator,
                &[(sid, "G1".parse().unwrap())],
            )
            .unwrap();
        drop(store);
        // Bind first, then serve: no test waits on a sleeping server.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = db.clone();
        let task = tokio::spawn(async move {
            samskap_api::serve(listener, served, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        Self {
            base,
            admin,
            analyst,
            g1,
            client: Client::new(),
            db,
            _dir: dir,
            stop: Some(stop),
            task: Some(task),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value, String) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let ctype = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let text = res.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::Null),
            ctype,
        )
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap();
    }
}

const G1: &str = "/studies/ung-inkludering/groups/G1";
const G2: &str = "/studies/ung-inkludering/groups/G2";

#[tokio::test]
async fn health_needs_no_token_and_everything_else_does() {
    let s = Server::start().await;
    let (st, body, _) = s.call(reqwest::Method::GET, "/health", None, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    let (st, body, ctype) = s.call(reqwest::Method::GET, "/studies", None, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(ctype, "application/problem+json");
    assert_eq!(body["status"], 401);
    let (st, ..) = s
        .call(reqwest::Method::GET, "/studies", Some("sk_wrong"), None)
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, body, _) = s
        .call(reqwest::Method::GET, "/studies", Some(&s.admin), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body[0]["id"], "ung-inkludering");
    let (st, body, _) = s
        .call(reqwest::Method::GET, "/openapi.json", Some(&s.admin), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(body["openapi"].as_str().unwrap().starts_with("3.1"));
    s.stop().await;
}

#[tokio::test]
async fn a_facilitators_day_and_the_rules_of_roles() {
    let s = Server::start().await;
    let get = reqwest::Method::GET;
    let post = reqwest::Method::POST;
    let put = reqwest::Method::PUT;
    // The facilitator of G1 sees G1 only.
    let (st, groups, _) = s
        .call(
            get.clone(),
            "/studies/ung-inkludering/groups",
            Some(&s.g1),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(groups.as_array().unwrap().len(), 1);
    let (st, members, _) = s
        .call(get.clone(), &format!("{G1}/members"), Some(&s.g1), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    let members: Vec<String> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    // Another group: 403, and nothing of it in the body.
    let (st, body, _) = s
        .call(get.clone(), &format!("{G2}/members"), Some(&s.g1), None)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(!body.to_string().contains("G2-P"), "{body}");
    // A group that does not exist looks the same to a facilitator.
    let (st, ..) = s
        .call(
            get.clone(),
            "/studies/ung-inkludering/groups/G9/members",
            Some(&s.g1),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, ..) = s
        .call(
            get.clone(),
            "/studies/ung-inkludering/groups/G9/members",
            Some(&s.admin),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // A meeting, then its attendance in one request.
    let (st, meeting, _) = s
        .call(
            post.clone(),
            &format!("{G1}/meetings"),
            Some(&s.g1),
            Some(json!({"id": "m-2023-02", "kind": "group", "date": "2023-02-07"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{meeting}");
    let attendance: Vec<Value> = members
        .iter()
        .enumerate()
        .map(|(i, m)| json!({"member": m, "presence": if i % 3 == 0 { "absent" } else { "present" }}))
        .collect();
    let (st, body, _) = s
        .call(
            put.clone(),
            &format!("{G1}/meetings/m-2023-02/attendance"),
            Some(&s.g1),
            Some(json!({ "attendance": attendance })),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (st, rates, _) = s
        .call(
            get.clone(),
            &format!("{G1}/attendance?by=sector"),
            Some(&s.g1),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(!rates.as_array().unwrap().is_empty());
    // A member of another group at this meeting: 422.
    let (st, body, _) = s
        .call(
            put.clone(),
            &format!("{G1}/meetings/m-2023-02/attendance"),
            Some(&s.g1),
            Some(json!({"attendance": [{"member": "G2-P1", "presence": "present"}]})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // A trial action through its lifecycle; a skip is a 409.
    let (st, ..) = s
        .call(
            post.clone(),
            &format!("{G1}/actions"),
            Some(&s.g1),
            Some(json!({"id": "a1", "kind": "trial-action", "title": "Felles samtykke", "date": "2023-03-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, body, _) = s
        .call(
            post.clone(),
            &format!("{G1}/actions/a1/transitions"),
            Some(&s.g1),
            Some(json!({"state": "evaluated", "date": "2023-04-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    let (st, body, _) = s
        .call(
            post.clone(),
            &format!("{G1}/actions/a1/transitions"),
            Some(&s.g1),
            Some(json!({"state": "tried", "date": "2023-04-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "tried");

    // A contact across sectors.
    let (st, body, _) = s
        .call(
            post.clone(),
            &format!("{G1}/contacts"),
            Some(&s.g1),
            Some(json!({"id": "c1", "a": members[0], "b": members[1], "date": "2023-03-02"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");

    // Assessments: the analyst may, the facilitator may not.
    let assessment = json!({
        "id": "ladder-g1", "subject": {"group": "G1"}, "value": {"ladder": 4},
        "assessor": "A", "date": "2024-01-15",
        "evidence": [{"informant": "I1", "start": 0, "end": 20}]
    });
    let (st, ..) = s
        .call(
            post.clone(),
            "/studies/ung-inkludering/assessments",
            Some(&s.g1),
            Some(assessment.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, body, _) = s
        .call(
            post.clone(),
            "/studies/ung-inkludering/assessments",
            Some(&s.analyst),
            Some(assessment),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body, _) = s
        .call(
            post.clone(),
            "/studies/ung-inkludering/assessments",
            Some(&s.analyst),
            Some(json!({"id": "l7", "subject": {"group": "G1"}, "value": {"ladder": 7}, "assessor": "A", "date": "2024-01-15"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // The analyst reads everything but writes no meeting.
    let (st, ..) = s
        .call(
            get.clone(),
            &format!("{G1}/meetings"),
            Some(&s.analyst),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, ..) = s
        .call(
            post.clone(),
            &format!("{G1}/meetings"),
            Some(&s.analyst),
            Some(json!({"id": "m2", "kind": "group", "date": "2023-03-07"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // Every write is in the audit log, refused ones too, with token and object.
    let log = Store::open(&s.db).unwrap().audit_log(100).unwrap();
    let meeting_entry = log
        .iter()
        .find(|e| e.method == "POST" && e.path.ends_with("/G1/meetings") && e.status == 201)
        .expect("the meeting write is logged");
    assert_eq!(meeting_entry.token_name, "fac-g1");
    assert_eq!(meeting_entry.object_id.as_deref(), Some("m-2023-02"));
    assert!(log
        .iter()
        .any(|e| e.status == 409 && e.token_name == "fac-g1"));
    assert!(log.iter().all(|e| e.method != "GET"));

    // The facilitator writes nothing in G2.
    let (st, ..) = s
        .call(
            post.clone(),
            &format!("{G2}/meetings"),
            Some(&s.g1),
            Some(json!({"id": "m3", "kind": "group", "date": "2023-03-07"})),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    s.stop().await;
}

#[tokio::test]
async fn every_error_class_is_problem_details() {
    let s = Server::start().await;
    let url = s.url(&format!("{G1}/meetings"));
    // 400: not JSON at all.
    let res = s
        .client
        .post(&url)
        .bearer_auth(&s.admin)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    // 422: a field that fails, named.
    let (st, body, _) = s
        .call(
            reqwest::Method::POST,
            &format!("{G1}/meetings"),
            Some(&s.admin),
            Some(json!({"id": "m1", "kind": "group", "date": "2023-13-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "date", "{body}");
    let (st, body, _) = s
        .call(
            reqwest::Method::POST,
            &format!("{G1}/meetings"),
            Some(&s.admin),
            Some(json!({"id": "bad id", "kind": "group", "date": "2023-01-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "id", "{body}");
    // 409: the same id twice.
    for expected in [StatusCode::CREATED, StatusCode::CONFLICT] {
        let (st, ..) = s
            .call(
                reqwest::Method::POST,
                &format!("{G1}/meetings"),
                Some(&s.admin),
                Some(json!({"id": "twice", "kind": "group", "date": "2023-01-01"})),
            )
            .await;
        assert_eq!(st, expected);
    }
    // 413: a body over the limit.
    let big = "x".repeat(samskap_api::BODY_LIMIT + 1);
    let (st, _, ctype) = s
        .call(
            reqwest::Method::POST,
            &format!("{G1}/meetings"),
            Some(&s.admin),
            Some(json!({"id": "m9", "kind": "group", "date": "2023-01-01", "note": big})),
        )
        .await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(ctype, "application/problem+json");
    // 404: unknown route and unknown meeting.
    let (st, ..) = s
        .call(reqwest::Method::GET, "/nothing", Some(&s.admin), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    s.stop().await;
}
