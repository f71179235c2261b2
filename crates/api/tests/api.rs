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
        Self::start_with(samskap_api::Limits::default()).await
    }

    async fn start_with(limits: samskap_api::Limits) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("api.db");
        let fixture =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo");
        let study = samskap_bundle::read(&fixture).unwrap();
        let mut store = Store::open(&db).unwrap();
        store.import_study(&study, Replace::No).unwrap();
        let sid: samskap_core::StudyId = "ung-inkludering-demo".parse().unwrap();
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
            samskap_api::serve_with(listener, served, limits, async {
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

    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let (st, body, _) = self
            .call(reqwest::Method::GET, path, Some(token), None)
            .await;
        (st, body)
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let (st, body, _) = self
            .call(reqwest::Method::POST, path, Some(token), Some(body))
            .await;
        (st, body)
    }

    async fn put(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let (st, body, _) = self
            .call(reqwest::Method::PUT, path, Some(token), Some(body))
            .await;
        (st, body)
    }

    /// The audit entries of successful or refused writes to paths ending in `suffix`.
    fn audited(&self, suffix: &str) -> Vec<samskap_store::AuditRecord> {
        Store::open(&self.db)
            .unwrap()
            .audit_log(1000)
            .unwrap()
            .into_iter()
            .filter(|e| e.path.ends_with(suffix))
            .collect()
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap();
    }
}

const G1: &str = "/studies/ung-inkludering-demo/groups/G1";
const G2: &str = "/studies/ung-inkludering-demo/groups/G2";

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
    assert_eq!(body[0]["id"], "ung-inkludering-demo");
    // The thesis fixture has invented parts, and says so to every client.
    assert_eq!(body[0]["provenance"], "illustrative");
    let (st, body, _) = s
        .call(reqwest::Method::GET, "/openapi.json", Some(&s.admin), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(body["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        body["components"]["schemas"]["ProvenanceOut"]["enum"],
        serde_json::json!(["research", "illustrative"])
    );
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
            "/studies/ung-inkludering-demo/groups",
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
            "/studies/ung-inkludering-demo/groups/G9/members",
            Some(&s.g1),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, ..) = s
        .call(
            get.clone(),
            "/studies/ung-inkludering-demo/groups/G9/members",
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
            Some(json!({"kind": "group", "date": "2023-02-07"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{meeting}");
    // The server made the meeting's id.
    let mid = meeting["id"].as_str().unwrap().to_owned();
    assert!(mid.starts_with("meeting-"), "{meeting}");
    let attendance: Vec<Value> = members
        .iter()
        .enumerate()
        .map(|(i, m)| json!({"member": m, "presence": if i % 3 == 0 { "absent" } else { "present" }}))
        .collect();
    let (st, body, _) = s
        .call(
            put.clone(),
            &format!("{G1}/meetings/{mid}/attendance"),
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
    // A member of another group at this meeting: 422 naming the field.
    let (st, body, _) = s
        .call(
            put.clone(),
            &format!("{G1}/meetings/{mid}/attendance"),
            Some(&s.g1),
            Some(json!({"attendance": [{"member": "G2-P1", "presence": "present"}]})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "attendance[0].member", "{body}");

    // A trial action through its lifecycle; a skip is a 409.
    let (st, action, _) = s
        .call(
            post.clone(),
            &format!("{G1}/actions"),
            Some(&s.g1),
            Some(json!({"kind": "trial-action", "title": "Felles samtykke", "date": "2023-03-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let a1 = action["id"].as_str().unwrap().to_owned();
    let (st, body, _) = s
        .call(
            post.clone(),
            &format!("{G1}/actions/{a1}/transitions"),
            Some(&s.g1),
            Some(json!({"state": "evaluated", "date": "2023-04-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    let (st, body, _) = s
        .call(
            post.clone(),
            &format!("{G1}/actions/{a1}/transitions"),
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
            Some(json!({"a": members[0], "b": members[1], "date": "2023-03-02"})),
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
            "/studies/ung-inkludering-demo/assessments",
            Some(&s.g1),
            Some(assessment.clone()),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, body, _) = s
        .call(
            post.clone(),
            "/studies/ung-inkludering-demo/assessments",
            Some(&s.analyst),
            Some(assessment),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body, _) = s
        .call(
            post.clone(),
            "/studies/ung-inkludering-demo/assessments",
            Some(&s.analyst),
            Some(json!({"id": "l7", "subject": {"group": "G1"}, "value": {"ladder": 7}, "assessor": "A", "date": "2024-01-15"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "value.ladder", "{body}");

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
            Some(json!({"kind": "group", "date": "2023-03-07"})),
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
    assert_eq!(meeting_entry.object_id.as_deref(), Some(mid.as_str()));
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
            Some(json!({"kind": "group", "date": "2023-03-07"})),
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
            Some(json!({"kind": "group", "date": "2023-13-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "date", "{body}");
    // The server makes ids: a body that names one is refused at that field.
    let (st, body, _) = s
        .call(
            reqwest::Method::POST,
            &format!("{G1}/meetings"),
            Some(&s.admin),
            Some(json!({"id": "m1", "kind": "group", "date": "2023-01-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "id", "{body}");
    // 409: a state the record refuses (a skipped lifecycle step).
    let (_, action, _) = s
        .call(
            reqwest::Method::POST,
            &format!("{G1}/actions"),
            Some(&s.admin),
            Some(json!({"kind": "intervention", "title": "x", "date": "2023-01-01"})),
        )
        .await;
    let (st, ..) = s
        .call(
            reqwest::Method::POST,
            &format!(
                "{G1}/actions/{}/transitions",
                action["id"].as_str().unwrap()
            ),
            Some(&s.admin),
            Some(json!({"state": "adopted", "date": "2023-02-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    // 422: an array where the body is an object (serde would read it field by field).
    let (st, body, ctype) = s
        .call(
            reqwest::Method::PUT,
            &format!("{G1}/rules"),
            Some(&s.admin),
            Some(json!([null, null])),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(ctype, "application/problem+json");
    // 415: a body that is not JSON by its media type.
    let res = s
        .client
        .post(s.url(&format!("{G1}/meetings")))
        .bearer_auth(&s.admin)
        .header("content-type", "text/plain")
        .body(r#"{"kind": "group", "date": "2023-01-01"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    // 413: a body over the limit.
    let big = "x".repeat(samskap_api::BODY_LIMIT + 1);
    let (st, _, ctype) = s
        .call(
            reqwest::Method::POST,
            &format!("{G1}/meetings"),
            Some(&s.admin),
            Some(json!({"kind": "group", "date": "2023-01-01", "note": big})),
        )
        .await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(ctype, "application/problem+json");
    // 404: unknown route and unknown meeting.
    let (st, ..) = s
        .call(reqwest::Method::GET, "/nothing", Some(&s.admin), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // A path that does not decode names nothing: 404 (403 for a facilitator's group path),
    // as problem details like every other error.
    for (path, token, status) in [
        ("/studies/%FF/groups", &s.admin, StatusCode::NOT_FOUND),
        (
            "/studies/ung-inkludering-demo/groups/%FF/members",
            &s.admin,
            StatusCode::NOT_FOUND,
        ),
        (
            "/studies/ung-inkludering-demo/groups/%FF/members",
            &s.g1,
            StatusCode::FORBIDDEN,
        ),
    ] {
        let (st, _, ctype) = s.call(reqwest::Method::GET, path, Some(token), None).await;
        assert_eq!(st, status, "{path}");
        assert_eq!(ctype, "application/problem+json", "{path}");
    }
    s.stop().await;
}

const STUDY: &str = "/studies/ung-inkludering-demo";

/// The keys of a list of objects.
fn keys(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x[key].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_openapi_document_covers_every_route_and_resolves() {
    let s = Server::start().await;
    let (st, doc) = s.get("/openapi.json", &s.admin).await;
    assert_eq!(st, StatusCode::OK);
    for (path, methods) in [
        ("/studies/{study}/groups/{group}/rules", &["get", "put"][..]),
        (
            "/studies/{study}/groups/{group}/problem-statements",
            &["get", "post"],
        ),
        ("/studies/{study}/groups/{group}/process", &["get", "post"]),
        ("/studies/{study}/groups/{group}/process/timeline", &["get"]),
        (
            "/studies/{study}/groups/{group}/practices",
            &["get", "post"],
        ),
        ("/studies/{study}/groups/{group}/actions", &["get", "post"]),
        (
            "/studies/{study}/groups/{group}/disseminations",
            &["get", "post"],
        ),
        ("/studies/{study}/groups/{group}/contacts", &["get", "post"]),
        ("/studies/{study}/analytics/contacts", &["get"]),
        ("/studies/{study}/analytics/composition", &["get"]),
        ("/studies/{study}/analytics/attendance", &["get"]),
        ("/studies/{study}/assessments", &["get", "post"]),
        ("/studies/{study}/codings", &["post", "delete"]),
        ("/studies/{study}/sources", &["get"]),
        ("/studies/{study}/guides", &["get"]),
        ("/studies/{study}/history", &["get"]),
    ] {
        for m in methods {
            let op = &doc["paths"][path][m];
            assert!(op.is_object(), "{m} {path} is not documented");
            // Errors are documented as they are sent: problem details.
            for status in ["401", "403", "404"] {
                assert_eq!(
                    op["responses"][status]["content"]["application/problem+json"]["schema"]
                        ["$ref"],
                    "#/components/schemas/Problem",
                    "{m} {path} {status}"
                );
                assert!(op["responses"][status]["content"]["application/json"].is_null());
            }
            // A body of another media type is refused with 415, and says so.
            let has_body = op["requestBody"].is_object();
            assert_eq!(
                op["responses"]["415"].is_object(),
                has_body,
                "{m} {path} 415"
            );
        }
    }
    // docs/api.md (section 6) states how many paths the document lists.
    assert_eq!(doc["paths"].as_object().unwrap().len(), 28);
    // Every reference names a schema that is there.
    let text = doc.to_string();
    for r in text.split("\"#/components/schemas/").skip(1) {
        let name = r.split('"').next().unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "missing schema {name}"
        );
    }
    // Query parameters are documented as query parameters.
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (m, op) in ops.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                if p["in"] == "path" {
                    assert!(path.contains(&format!("{{{name}}}")), "{m} {path} {name}");
                    // Path parameters are ids, of the shape the model accepts.
                    assert_eq!(p["schema"]["pattern"], "^[A-Za-z0-9][A-Za-z0-9_.-]*$");
                    assert_eq!(p["schema"]["maxLength"], 64);
                }
            }
        }
    }
    let below = doc["paths"]["/studies/{study}/analytics/attendance"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "below")
        .unwrap()
        .clone();
    assert_eq!(below["in"], "query");
    assert_eq!(below["required"], false);
    assert_eq!(below["schema"]["minimum"], 0.0);
    assert_eq!(below["schema"]["maximum"], 1.0);
    // Ids in bodies have the same shape.
    let id = &doc["components"]["schemas"]["Id"];
    assert_eq!(id["pattern"], "^[A-Za-z0-9][A-Za-z0-9_.-]*$");
    let contact = &doc["components"]["schemas"]["ContactIn"]["properties"];
    for field in ["a", "b"] {
        assert_eq!(contact[field]["$ref"], "#/components/schemas/Id", "{field}");
    }
    s.stop().await;
}

#[tokio::test]
async fn group_rules_are_read_and_replaced_whole() {
    let s = Server::start().await;
    let rules = format!("{G1}/rules");
    let (st, body) = s.get(&rules, &s.g1).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["group"], "G1");
    assert!(body["frequency"].as_str().unwrap().contains("månedlig"));
    // Replaced as a whole: a field left out is unset.
    let (st, body) = s
        .put(
            &rules,
            &s.g1,
            json!({"frequency": "every other week", "leader": "the facilitator"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (_, body) = s.get(&rules, &s.analyst).await;
    assert_eq!(body["frequency"], "every other week");
    assert_eq!(body["leader"], "the facilitator");
    assert!(body.get("place").is_none(), "{body}");
    // A group without rules has none, and that is not an error.
    let (st, body) = s.get(&format!("{STUDY}/groups/G3/rules"), &s.admin).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"group": "G3"}));
    // Roles: the analyst reads but does not write; the facilitator stays in G1.
    let (st, _) = s.put(&rules, &s.analyst, json!({})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, body) = s.get(&format!("{G2}/rules"), &s.g1).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(!body.to_string().contains("Familiens"), "{body}");
    let (st, _) = s.put(&format!("{G2}/rules"), &s.g1, json!({})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s
        .put(&format!("{STUDY}/groups/G9/rules"), &s.admin, json!({}))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Bad values name their field.
    let (st, body) = s.put(&rules, &s.g1, json!({"frequency": 12})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "frequency", "{body}");
    let (st, body) = s.put(&rules, &s.g1, json!({"chair": "x"})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "chair", "{body}");
    // The write is audited with the group as its object.
    let log = s.audited("/G1/rules");
    assert!(log
        .iter()
        .any(|e| e.status == 200 && e.object_id.as_deref() == Some("G1")));
    assert!(log
        .iter()
        .any(|e| e.status == 403 && e.token_name == "analyst"));
    s.stop().await;
}

#[tokio::test]
async fn problem_statements_have_drafts_and_one_agreed() {
    let s = Server::start().await;
    let path = format!("{G1}/problem-statements");
    let (st, list) = s.get(&path, &s.g1).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(keys(&list, "id"), ["PS-G1-utkast", "PS-G1"]);
    assert_eq!(list[1]["agreed"], "2023-09-13");
    assert!(list[0].get("agreed").is_none());
    // A new draft, with who took part.
    let (st, body) = s
        .post(
            &path,
            &s.g1,
            json!({"text": "Hvordan holder vi på det vi har lært?",
                   "drafted": "2024-01-10", "participants": ["G1-P1", "G1-P3"]}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let made = body["id"].as_str().unwrap().to_owned();
    assert_eq!(body["group"], "G1");
    assert_eq!(body["participants"], json!(["G1-P1", "G1-P3"]));
    let (_, list) = s.get(&path, &s.analyst).await;
    assert_eq!(list.as_array().unwrap().len(), 3);
    // A second agreed statement: 409.
    let (st, body) = s
        .post(
            &path,
            &s.g1,
            json!({"text": "Noe annet", "drafted": "2024-01-10", "agreed": "2024-02-01"}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("PS-G1"), "{body}");
    // Bad values name their field.
    for (body, field) in [
        (
            json!({"text": "x", "drafted": "2024-02-01", "agreed": "2024-01-01"}),
            "agreed",
        ),
        (
            json!({"text": "x", "drafted": "2024-01-01", "participants": ["G2-P1"]}),
            "participants[0]",
        ),
        (
            json!({"text": "x", "drafted": "2024-01-01", "participants": ["G1-P1", "G1-P1"]}),
            "participants[1]",
        ),
        (
            json!({"text": "x", "drafted": "2024-01-01", "participants": ["G1-P1", "no such"]}),
            "participants[1]",
        ),
        (
            json!({"id": "p1", "text": "x", "drafted": "2024-01-01"}),
            "id",
        ),
        (json!({"text": "x", "drafted": "2024-01-32"}), "drafted"),
        (
            json!({"text": "x", "drafted": "2023-01-01", "agreed": "+10000-01-01"}),
            "agreed",
        ),
        (json!({"drafted": "2024-01-01"}), "text"),
    ] {
        let (st, problem) = s.post(&path, &s.g1, body.clone()).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body} {problem}");
        assert_eq!(problem["field"], field, "{body} {problem}");
    }
    // Roles.
    let draft = json!({"text": "x", "drafted": "2024-01-01"});
    let (st, _) = s.post(&path, &s.analyst, draft.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s
        .post(&format!("{G2}/problem-statements"), &s.g1, draft.clone())
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.get(&format!("{G2}/problem-statements"), &s.g1).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // Malformed JSON is a 400.
    let res = s
        .client
        .post(s.url(&path))
        .bearer_auth(&s.g1)
        .header("content-type", "application/json")
        .body("{\"id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let log = s.audited("/G1/problem-statements");
    assert!(log
        .iter()
        .any(|e| e.status == 201 && e.object_id.as_deref() == Some(made.as_str())));
    s.stop().await;
}

#[tokio::test]
async fn the_pd_process_goes_back_and_forth_in_date_order() {
    let s = Server::start().await;
    let path = format!("{G1}/process");
    let (st, moves) = s.get(&path, &s.g1).await;
    assert_eq!(st, StatusCode::OK);
    let before = moves.as_array().unwrap().len();
    assert_eq!(moves[before - 1]["step"], "evaluate");
    // Back to the problem: allowed, and recorded as going back.
    let (st, body) = s
        .post(
            &path,
            &s.g1,
            json!({"date": "2024-01-10", "phase": "challenge", "step": "define-problem",
                   "note": "Ny runde med problemstillingen."}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["phase"], "challenge");
    // The same day is not before the previous move.
    let (st, body) = s
        .post(
            &path,
            &s.g1,
            json!({"date": "2024-01-10", "phase": "explore", "step": "identify-deviants"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (_, moves) = s.get(&path, &s.analyst).await;
    assert_eq!(moves.as_array().unwrap().len(), before + 2);
    let (st, timeline) = s.get(&format!("{path}/timeline"), &s.g1).await;
    assert_eq!(st, StatusCode::OK);
    let t = timeline.as_array().unwrap();
    assert_eq!(t.len(), before + 2);
    let back = &t[before];
    assert_eq!(back["back"], true, "{back}");
    assert_eq!(back["entered"], "2024-01-10");
    assert_eq!(back["left"], "2024-01-10");
    assert_eq!(t[before - 1]["left"], "2024-01-10");
    assert_eq!(t[before + 1]["back"], false);
    assert_eq!(t[before + 1]["left"], Value::Null);
    // The thesis's own step back (June 2023) is there too.
    assert!(t[..before].iter().any(|x| x["back"] == true));
    // A move dated before the previous one: 409.
    let (st, body) = s
        .post(
            &path,
            &s.g1,
            json!({"date": "2023-12-01", "phase": "implement", "step": "disseminate"}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    // Bad values name their field.
    for (body, field) in [
        (
            json!({"date": "2024-02-01", "phase": "4", "step": "evaluate"}),
            "phase",
        ),
        (
            json!({"date": "2024-02-01", "phase": "implement", "step": "celebrate"}),
            "step",
        ),
        (json!({"phase": "implement", "step": "evaluate"}), "date"),
        // Stored as text, dates keep four-digit years.
        (
            json!({"date": "+10000-01-01", "phase": "implement", "step": "evaluate"}),
            "date",
        ),
        // Phase and step are two views of one process, so they must agree.
        (
            json!({"date": "2024-02-01", "phase": "explore", "step": "evaluate"}),
            "step",
        ),
    ] {
        let (st, problem) = s.post(&path, &s.g1, body.clone()).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body} {problem}");
        assert_eq!(problem["field"], field, "{body} {problem}");
    }
    // Roles.
    let m = json!({"date": "2024-02-01", "phase": "implement", "step": "evaluate"});
    let (st, _) = s.post(&path, &s.analyst, m.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.post(&format!("{G2}/process"), &s.g1, m.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    for p in [format!("{G2}/process"), format!("{G2}/process/timeline")] {
        let (st, _) = s.get(&p, &s.g1).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{p}");
    }
    let (st, _) = s
        .get(&format!("{STUDY}/groups/G9/process/timeline"), &s.g1)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let log = s.audited("/G1/process");
    // A refused write is logged with its status and the object it was about.
    assert!(log.iter().any(|e| e.status == 409
        && e.token_name == "fac-g1"
        && e.object_id.as_deref() == Some("G1")));
    assert!(log
        .iter()
        .any(|e| e.status == 201 && e.object_id.as_deref() == Some("G1")));
    s.stop().await;
}

#[tokio::test]
async fn practices_are_observed_at_three_levels() {
    let s = Server::start().await;
    let path = format!("{G1}/practices");
    let (st, list) = s.get(&path, &s.g1).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(keys(&list, "id"), ["PD-G1-1", "PD-G1-2"]);
    assert_eq!(list[0]["level"], "organisation");
    let practice = json!({"level": "group",
                          "description": "Gruppen deler telefonnumre.", "observed": "2024-01-10"});
    let (st, body) = s.post(&path, &s.g1, practice.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["group"], "G1");
    let (st, body) = s
        .post(&path, &s.g1, json!({"level": "team", "description": "x"}))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "level", "{body}");
    let (st, body) = s.post(&path, &s.g1, json!({"level": "individual"})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "description", "{body}");
    let p = json!({"level": "individual", "description": "x"});
    let (st, _) = s.post(&path, &s.analyst, p.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.post(&format!("{G2}/practices"), &s.g1, p).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, body) = s.get(&format!("{G2}/practices"), &s.g1).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(!body.to_string().contains("PD-G2"), "{body}");
    let (_, list) = s.get(&path, &s.admin).await;
    assert_eq!(list.as_array().unwrap().len(), 3);
    s.stop().await;
}

#[tokio::test]
async fn actions_are_listed_with_their_histories_and_disseminated() {
    let s = Server::start().await;
    let (st, list) = s.get(&format!("{G1}/actions"), &s.g1).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(keys(&list, "id"), ["A-G1-1", "A-G1-2"]);
    assert_eq!(list[0]["state"], "dropped");
    assert_eq!(list[0]["history"].as_array().unwrap().len(), 4);
    assert_eq!(list[0]["history"][0]["state"], "planned");
    let (st, _) = s.get(&format!("{G2}/actions"), &s.g1).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, list) = s.get(&format!("{G2}/actions"), &s.analyst).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list[0]["state"], "adopted");

    let path = format!("{G1}/disseminations");
    let (st, list) = s.get(&path, &s.g1).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list, json!([]));
    let (_, list) = s.get(&format!("{G2}/disseminations"), &s.admin).await;
    assert_eq!(list[0]["action"], "A-G2-1");
    let event = json!({"date": "2024-01-15", "audience": "Rektorene",
                       "action": "A-G1-2", "note": "Samtykkeskjemaet ble lagt fram."});
    let (st, first) = s.post(&path, &s.g1, event.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{first}");
    assert_eq!(first["action"], "A-G1-2");
    let (st, second) = s
        .post(
            &path,
            &s.g1,
            json!({"date": "2024-01-16", "audience": "Kommunestyret"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{second}");
    assert!(second.get("action").is_none());
    let (_, list) = s.get(&path, &s.g1).await;
    assert_eq!(list, json!([first, second]));
    // The action must exist, in this group; bad ids and dates name their field.
    for (action, field) in [
        (json!("A-G9"), "action"),
        (json!("A-G2-1"), "action"),
        (json!("A G1"), "action"),
        (json!(7), "action"),
    ] {
        let (st, problem) = s
            .post(
                &path,
                &s.g1,
                json!({"date": "2024-01-15", "audience": "x", "action": action}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{action} {problem}");
        assert_eq!(problem["field"], field, "{action} {problem}");
        assert!(!problem.to_string().contains("Kommunalsjef"), "{problem}");
    }
    let (st, problem) = s
        .post(&path, &s.g1, json!({"date": "15.01.2024", "audience": "x"}))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "date", "{problem}");
    // Roles.
    let e = json!({"date": "2024-01-15", "audience": "x"});
    let (st, _) = s.post(&path, &s.analyst, e.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.post(&format!("{G2}/disseminations"), &s.g1, e).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.get(&format!("{G2}/disseminations"), &s.g1).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let log = s.audited("/G1/disseminations");
    assert!(log.iter().any(|e| e.status == 201
        && e.object_id.as_ref() == first["id"].as_str().map(str::to_owned).as_ref()));
    s.stop().await;
}

#[tokio::test]
async fn contacts_are_listed_and_counted_within_what_the_caller_may_read() {
    let s = Server::start().await;
    let (st, list) = s.get(&format!("{G1}/contacts"), &s.g1).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(keys(&list, "id"), ["C1", "C3", "C4", "C6", "C9"]);
    assert_eq!(list[0]["note"], "Helse ringer nå NAVs ungdomsteam direkte.");
    let (st, _) = s.get(&format!("{G2}/contacts"), &s.g1).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, list) = s.get(&format!("{G2}/contacts"), &s.analyst).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 5);
    // A new contact shows in the list.
    let (st, made) = s
        .post(
            &format!("{G1}/contacts"),
            &s.g1,
            json!({"a": "G1-P6", "b": "G1-P7", "date": "2024-01-10"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let c11 = made["id"].as_str().unwrap().to_owned();
    let (_, list) = s.get(&format!("{G1}/contacts"), &s.g1).await;
    assert_eq!(list.as_array().unwrap().len(), 6);
    // The same pair again, either way round, is a relation already recorded: 409.
    let (st, problem) = s
        .post(
            &format!("{G1}/contacts"),
            &s.g1,
            json!({"a": "G1-P7", "b": "G1-P6", "date": "2024-02-10"}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains(&c11),
        "{problem}"
    );

    // Counts: all groups for the analyst, the facilitator's own for a facilitator.
    let by_group = format!("{STUDY}/analytics/contacts?by=group");
    let (st, all) = s.get(&by_group, &s.analyst).await;
    assert_eq!(st, StatusCode::OK, "{all}");
    assert_eq!(keys(&all, "key"), ["G1", "G2"]);
    assert_eq!(all[0]["contacts"], 6);
    assert_eq!(all[1]["contacts"], 5);
    let cross = all[0]["cross_sector"].as_u64().unwrap();
    assert!(cross <= 6);
    let (st, own) = s.get(&by_group, &s.g1).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(own, json!([all[0].clone()]));
    let (_, months) = s
        .get(&format!("{STUDY}/analytics/contacts?by=month"), &s.g1)
        .await;
    let total: u64 = months
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["contacts"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 6);
    assert_eq!(months[0]["key"], "2023-03");
    let (_, months) = s
        .get(&format!("{STUDY}/analytics/contacts?by=month"), &s.admin)
        .await;
    let total: u64 = months
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["contacts"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 11);
    // Bad queries, and a study the facilitator has no group in.
    for q in ["?by=week", ""] {
        let (st, body, ctype) = s
            .call(
                reqwest::Method::GET,
                &format!("{STUDY}/analytics/contacts{q}"),
                Some(&s.g1),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{q} {body}");
        assert_eq!(ctype, "application/problem+json");
    }
    let (st, _) = s
        .get("/studies/another/analytics/contacts?by=group", &s.g1)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s
        .get("/studies/another/analytics/contacts?by=group", &s.admin)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    s.stop().await;
}

#[tokio::test]
async fn study_analytics_cover_the_groups_the_caller_may_read() {
    let s = Server::start().await;
    // Composition: every group for the analyst, G1 alone for its facilitator.
    let path = format!("{STUDY}/analytics/composition");
    let (st, all) = s.get(&path, &s.analyst).await;
    assert_eq!(st, StatusCode::OK);
    let (_, groups) = s.get(&format!("{STUDY}/groups"), &s.analyst).await;
    assert_eq!(keys(&all, "group"), keys(&groups, "id"));
    let (st, own) = s.get(&path, &s.g1).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(own, json!([all[0].clone()]));
    let (_, g1) = s.get(&format!("{G1}/composition"), &s.g1).await;
    assert_eq!(g1, all[0]);

    // Attendance over all readable groups.
    let attendance = |by: &str| format!("{STUDY}/analytics/attendance?by={by}");
    let (st, members) = s.get(&attendance("member"), &s.g1).await;
    assert_eq!(st, StatusCode::OK, "{members}");
    let keys_g1 = keys(&members, "key");
    assert!(!keys_g1.is_empty());
    assert!(keys_g1.iter().all(|k| k.starts_with("G1-")), "{keys_g1:?}");
    let (_, members) = s.get(&attendance("member"), &s.admin).await;
    assert!(keys(&members, "key").iter().any(|k| k.starts_with("G2-")));
    // For a facilitator of one group it is that group's attendance.
    let (_, study_months) = s.get(&attendance("month"), &s.g1).await;
    let (_, group_months) = s.get(&format!("{G1}/attendance?by=month"), &s.g1).await;
    assert_eq!(study_months, group_months);
    // Over both groups for the analyst: more recorded than G1 alone.
    let recorded = |v: &Value| -> u64 {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["recorded"].as_u64().unwrap())
            .sum()
    };
    let (_, all_months) = s.get(&attendance("month"), &s.analyst).await;
    assert!(recorded(&all_months) > recorded(&study_months));
    // `below` keeps the ones that stay away.
    let (st, away) = s
        .get(&format!("{}&below=0.5", attendance("service")), &s.analyst)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(away
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["rate"].as_f64().unwrap() < 0.5));
    for bad in ["1.5", "-0.1", "NaN"] {
        for path in [
            format!("{}&below={bad}", attendance("service")),
            format!("{G1}/attendance?by=service&below={bad}"),
        ] {
            let (st, body) = s.get(&path, &s.g1).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{path} {body}");
            assert_eq!(body["field"], "below", "{body}");
        }
    }
    let (st, _) = s.get(&attendance("year"), &s.g1).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    // A facilitator with no group in a study learns nothing of it.
    for p in [
        "/studies/another/analytics/composition".to_owned(),
        "/studies/another/analytics/attendance?by=month".to_owned(),
    ] {
        let (st, _) = s.get(&p, &s.g1).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{p}");
    }
    s.stop().await;
}

#[tokio::test]
async fn assessments_are_read_by_analysts_only() {
    let s = Server::start().await;
    let path = format!("{STUDY}/assessments");
    let (st, list) = s.get(&path, &s.analyst).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    let before = list.as_array().unwrap().len();
    assert_eq!(list[0]["id"], "AS-G1-stige");
    assert_eq!(list[0]["subject"], json!({"group": "G1"}));
    assert_eq!(list[0]["value"], json!({"ladder": 4}));
    assert!(!list[0]["evidence"].as_array().unwrap().is_empty());
    // What is posted is what is listed.
    let assessment = json!({
        "id": "logic-nav", "subject": {"service": "nav"}, "value": {"logic": "NPM"},
        "assessor": "A", "date": "2024-03-02", "evidence": []
    });
    let (st, _) = s.post(&path, &s.analyst, assessment.clone()).await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, list) = s.get(&path, &s.admin).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), before + 1);
    assert_eq!(list[before], assessment);
    // A facilitator reads none, not even of a study that does not exist.
    let (st, body) = s.get(&path, &s.g1).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(!body.to_string().contains("AS-G1"), "{body}");
    let (st, _) = s.get("/studies/another/assessments", &s.g1).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.get("/studies/another/assessments", &s.analyst).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // The analyst writes assessments; a duplicate is a 409, a bad value names its field.
    let (st, _) = s.post(&path, &s.analyst, assessment).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, body) = s
        .post(
            &path,
            &s.analyst,
            json!({"id": "x", "subject": {"group": "G 1"}, "value": {"ladder": 3},
                   "assessor": "A", "date": "2024-03-02"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["field"], "subject.group", "{body}");
    s.stop().await;
}

#[tokio::test]
async fn assessments_carry_ranges_actors_several_logics_and_facts() {
    let s = Server::start().await;
    let path = format!("{STUDY}/assessments");
    let (_, list) = s.get(&path, &s.analyst).await;
    let before = list.as_array().unwrap().len();
    // NAV in G1 between 3 and 5, on a meeting, a quote and a problem statement.
    let nav = json!({
        "id": "nav-g1", "subject": {"group": "G1"}, "value": {"ladder": [3, 5]},
        "actor": "service:nav", "assessor": "A", "date": "2024-03-02",
        "evidence": [
            {"meeting": "G1-2023-02"},
            {"informant": "I1", "start": 0, "end": 20},
            {"problem_statement": "PS-G1"}
        ]
    });
    let (st, body) = s.post(&path, &s.analyst, nav.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body, nav);
    // Given in another spelling, answered in the one the list gives.
    let youth = json!({
        "id": "youth-g1", "subject": {"group": "G1"}, "value": {"ladder": [3, 3]},
        "actor": "youth", "assessor": "A", "date": "2024-03-02",
        "evidence": [{"contact": "C1"}, {"action": "A-G1-1"}, {"practice": "PD-G1-1"},
                     {"dissemination": "D-G2-1"}]
    });
    let (st, body) = s.post(&path, &s.analyst, youth.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["value"], json!({"ladder": 3}));
    let logics = json!({
        "id": "nav-logics", "subject": {"service": "nav"}, "value": {"logic": ["NPG", "NPM"]},
        "assessor": "B", "date": "2024-03-03"
    });
    let (st, body) = s.post(&path, &s.analyst, logics).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["value"], json!({"logic": ["NPM", "NPG"]}));
    let (_, list) = s.get(&path, &s.analyst).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), before + 3);
    assert_eq!(list[before], nav);
    assert_eq!(list[before + 1]["evidence"], youth["evidence"]);
    assert_eq!(list[before + 2]["value"], json!({"logic": ["NPM", "NPG"]}));

    // Each bad value is a 422 naming its field, in samskap's words, and nothing is written.
    let with = |extra: Value| {
        let mut a = json!({"id": "bad", "subject": {"group": "G1"}, "value": {"ladder": 3},
                           "assessor": "A", "date": "2024-03-02"});
        for (k, v) in extra.as_object().unwrap() {
            a[k] = v.clone();
        }
        a
    };
    for (body, field, says) in [
        (
            with(json!({"value": {"ladder": [5, 3]}})),
            "value.ladder",
            "runs downwards",
        ),
        (
            with(json!({"value": {"ladder": [3]}})),
            "value.ladder",
            "this list has 1",
        ),
        (
            with(json!({"value": {"ladder": [3, 6]}})),
            "value.ladder",
            "step 6 is outside",
        ),
        (
            with(json!({"value": {"ladder": "4"}})),
            "value.ladder",
            "a step from 1 to 5",
        ),
        (
            with(json!({"value": {"ladder": 3.5}})),
            "value.ladder",
            "a step from 1 to 5",
        ),
        (
            with(json!({"subject": {"service": "nav"}, "value": {"logic": ["NPM", "NPM"]}})),
            "value.logic",
            "NPM is named twice",
        ),
        (
            with(json!({"subject": {"service": "nav"}, "value": {"logic": []}})),
            "value.logic",
            "at least one",
        ),
        (
            with(json!({"subject": {"service": "nav"}, "value": {"logic": "npx"}})),
            "value.logic",
            "`TB`, `NPM` or `NPG`",
        ),
        (with(json!({"actor": "nav"})), "actor", "`service:nav`"),
        (
            with(json!({"actor": "service:navv"})),
            "actor",
            "no member carries the service `navv`",
        ),
        (
            with(
                json!({"subject": {"service": "nav"}, "value": {"logic": "NPG"}, "actor": "youth"}),
            ),
            "actor",
            "give `actor` with `ladder`",
        ),
        (
            with(json!({"subject": {"service": "nav"}, "actor": "youth"})),
            "actor",
            "only a group's ladder places an actor",
        ),
        (
            with(json!({"evidence": [{"meeting": "G1-2023-02"}, {"meeting": "G9-2099-01"}]})),
            "evidence[1]",
            "meeting `G9-2099-01`, which the record does not hold",
        ),
        (
            with(json!({"evidence": [{"meeting": "G1-2023-02", "informant": "I1"}]})),
            "evidence[0].informant",
            "a quote or a fact",
        ),
        (
            with(json!({"evidence": [{"meeting": "G1-2023-02", "contact": "C1"}]})),
            "evidence[0].contact",
            "one fact",
        ),
        (
            with(json!({"evidence": [{}]})),
            "evidence[0].informant",
            "a quote needs",
        ),
        (
            with(json!({"evidence": [{"informant": "I1", "start": 0}]})),
            "evidence[0].end",
            "a quote needs",
        ),
        (
            with(json!({"evidence": [{"action": "not an id!"}]})),
            "evidence[0].action",
            "",
        ),
        (
            with(json!({"evidence": [{"meeting": "G1-2023-02", "colour": 1}]})),
            "evidence[0].colour",
            "there is no such field here",
        ),
    ] {
        let (st, problem) = s.post(&path, &s.analyst, body.clone()).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {problem}");
        assert_eq!(problem["field"], field, "{body}: {problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(says), "{body}: {detail}");
        for w in [
            "invalid type",
            "expected",
            "unknown",
            "deserialize",
            "of another kind",
        ] {
            assert!(!detail.contains(w), "{body}: {detail}");
        }
    }
    let (_, list) = s.get(&path, &s.analyst).await;
    assert_eq!(list.as_array().unwrap().len(), before + 3);

    // The document states the shapes.
    let (_, doc) = s.get("/openapi.json", &s.analyst).await;
    let schemas = &doc["components"]["schemas"];
    let ladder = &schemas["LadderIn"]["oneOf"];
    assert_eq!(ladder[0]["type"], "integer");
    assert_eq!(
        (ladder[0]["minimum"].clone(), ladder[0]["maximum"].clone()),
        (json!(1), json!(5))
    );
    assert_eq!(ladder[1]["type"], "array");
    assert_eq!(
        (ladder[1]["minItems"].clone(), ladder[1]["maxItems"].clone()),
        (json!(2), json!(2))
    );
    let logic = &schemas["LogicsIn"]["oneOf"];
    assert_eq!(logic[0]["enum"], json!(["TB", "NPM", "NPG"]));
    assert_eq!(logic[1]["uniqueItems"], true);
    let evidence = &schemas["EvidenceIn"]["allOf"];
    assert_eq!(evidence[1]["oneOf"].as_array().unwrap().len(), 7);
    assert_eq!(
        evidence[1]["oneOf"][0]["required"],
        json!(["informant", "start", "end"])
    );
    assert!(schemas["AssessmentIn"]["properties"]["actor"]["pattern"].is_string());
    s.stop().await;
}

#[tokio::test]
async fn members_join_a_group_and_take_part_at_once() {
    let s = Server::start().await;
    let path = format!("{G1}/members");
    let (_, before) = s.get(&path, &s.g1).await;
    let n = before.as_array().unwrap().len();
    let (st, body) = s
        .post(
            &path,
            &s.g1,
            json!({"sector": "citizen", "youth": true, "pd_youth": true}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["group"], "G1");
    assert_eq!(body["sector"], "citizen");
    let made = body["id"].as_str().unwrap().to_owned();
    assert!(made.starts_with("member-"), "{body}");
    let (_, after) = s.get(&path, &s.analyst).await;
    assert_eq!(after.as_array().unwrap().len(), n + 1);
    assert!(keys(&after, "id").contains(&made));
    // The new member is on the roster the record is checked against.
    let (st, body) = s
        .put(
            &format!("{G1}/meetings/G1-2023-02/attendance"),
            &s.g1,
            json!({"attendance": [{"member": made, "presence": "present"}]}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (_, comp) = s.get(&format!("{G1}/composition"), &s.g1).await;
    assert_eq!(comp["members"], n as u64 + 1, "{comp}");
    // Bad values name their field; an id is the server's to make.
    for (body, field) in [
        (json!({"sector": "citizen", "pd_youth": true}), "pd_youth"),
        (json!({"sector": "state"}), "sector"),
        (json!({"id": "G2-P3", "sector": "public"}), "id"),
        (json!({"id": "G1-NY2", "sector": "public"}), "id"),
    ] {
        let (st, problem) = s.post(&path, &s.g1, body.clone()).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body} {problem}");
        assert_eq!(problem["field"], field, "{body} {problem}");
    }
    // Roles, and a group that is not there.
    let m = json!({"sector": "public"});
    let (st, _) = s.post(&path, &s.analyst, m.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.post(&format!("{G2}/members"), &s.g1, m.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s
        .post(&format!("{STUDY}/groups/G9/members"), &s.admin, m.clone())
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let log = s.audited("/G1/members");
    assert!(log
        .iter()
        .any(|e| e.status == 201 && e.object_id.as_deref() == Some(made.as_str())));
    s.stop().await;
}

#[tokio::test]
async fn municipalities_are_listed_for_whoever_may_read_the_study() {
    let s = Server::start().await;
    let (st, list) = s.get(&format!("{STUDY}/municipalities"), &s.g1).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(keys(&list, "id"), ["M1", "M2", "M3", "M4", "M5", "M6"]);
    assert_eq!(list[0]["name"], "Kommune 1");
    let (st, _) = s.get("/studies/another/municipalities", &s.g1).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.get("/studies/another/municipalities", &s.admin).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    s.stop().await;
}

#[tokio::test]
async fn a_draft_is_agreed_later_and_a_group_agrees_once() {
    let s = Server::start().await;
    // A second study, imported beside the running server: its G2 has only a draft.
    let mini = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/mini");
    Store::open(&s.db)
        .unwrap()
        .import_study(&samskap_bundle::read(&mini).unwrap(), Replace::No)
        .unwrap();
    let agree = "/studies/mini/groups/G2/problem-statements/PS-G2-1/agreement";
    // Before the draft was written: 409.
    let (st, body) = s.post(agree, &s.admin, json!({"date": "2024-01-01"})).await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    let (st, body) = s.post(agree, &s.admin, json!({"date": "2024-04-03"})).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["agreed"], "2024-04-03");
    let (_, list) = s
        .get("/studies/mini/groups/G2/problem-statements", &s.analyst)
        .await;
    assert_eq!(list[0]["agreed"], "2024-04-03");
    // Once only.
    let (st, body) = s.post(agree, &s.admin, json!({"date": "2024-05-01"})).await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    // The thesis's G1 agreed long ago.
    let (st, body) = s
        .post(
            &format!("{G1}/problem-statements/PS-G1-utkast/agreement"),
            &s.g1,
            json!({"date": "2024-01-01"}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("PS-G1"), "{body}");
    // A statement of another group, or none: 404. Bad dates name their field.
    for p in [
        "/studies/mini/groups/G2/problem-statements/PS-G1-1/agreement",
        "/studies/mini/groups/G2/problem-statements/nope/agreement",
    ] {
        let (st, _) = s.post(p, &s.admin, json!({"date": "2024-05-01"})).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{p}");
    }
    let (st, problem) = s.post(agree, &s.admin, json!({"date": "2024-13-01"})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "date");
    // Roles.
    let (st, _) = s
        .post(agree, &s.analyst, json!({"date": "2024-05-01"}))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.post(agree, &s.g1, json!({"date": "2024-05-01"})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    s.stop().await;
}

// ---------------------------------------------------------------------------------------------
// The server under abuse.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A bound generous enough that only a server that never acts exceeds it.
const EVENTUALLY: Duration = Duration::from_secs(30);

impl Server {
    fn addr(&self) -> String {
        self.base.trim_start_matches("http://").to_owned()
    }

    /// Status and body text, byte for byte.
    async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, String) {
        let mut req = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    }
}

/// True once the peer has closed `conn` (end of stream or a reset), reading and dropping
/// anything it sent first; false if it is still open after [`EVENTUALLY`].
async fn closed_by_server(conn: &mut TcpStream) -> bool {
    let mut sink = Vec::new();
    tokio::time::timeout(EVENTUALLY, conn.read_to_end(&mut sink))
        .await
        .is_ok()
}

/// Reads one response (head and a `content-length` body) from `conn`.
async fn read_response(conn: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        let n = conn.read(&mut byte).await.unwrap();
        assert_eq!(n, 1, "closed mid-head: {}", String::from_utf8_lossy(&buf));
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).unwrap();
    let length = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    conn.read_exact(&mut body).await.unwrap();
    format!("{head}{}", String::from_utf8(body).unwrap())
}

#[tokio::test]
async fn half_open_and_idle_connections_are_closed_by_the_server() {
    let s = Server::start_with(samskap_api::Limits {
        header_timeout: Duration::from_millis(300),
        ..samskap_api::Limits::default()
    })
    .await;
    // Many connections that send part of a head and then nothing.
    let mut half_open = Vec::new();
    for _ in 0..50 {
        let mut conn = TcpStream::connect(s.addr()).await.unwrap();
        conn.write_all(b"GET /health HTTP/1.1\r\nHost: samskap\r\nX-Slow: ")
            .await
            .unwrap();
        half_open.push(conn);
    }
    // The server still answers others meanwhile.
    let (st, _, _) = s.call(reqwest::Method::GET, "/health", None, None).await;
    assert_eq!(st, StatusCode::OK);
    for conn in &mut half_open {
        assert!(
            closed_by_server(conn).await,
            "a half-open connection stayed open"
        );
    }
    // A kept-alive connection that goes quiet after a response is closed too.
    let mut idle = TcpStream::connect(s.addr()).await.unwrap();
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: samskap\r\n\r\n")
        .await
        .unwrap();
    let response = read_response(&mut idle).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        closed_by_server(&mut idle).await,
        "an idle connection stayed open"
    );
    s.stop().await;
}

#[tokio::test]
async fn connections_past_the_cap_wait_until_one_closes() {
    let s = Server::start_with(samskap_api::Limits {
        max_connections: 1,
        ..samskap_api::Limits::default()
    })
    .await;
    let list = format!("{G1}/meetings");
    let get = |token: &str| {
        format!("GET {list} HTTP/1.1\r\nHost: samskap\r\nAuthorization: Bearer {token}\r\n\r\n")
    };
    // The one slot: a kept-alive connection.
    let mut first = TcpStream::connect(s.addr()).await.unwrap();
    first.write_all(get(&s.admin).as_bytes()).await.unwrap();
    let before = read_response(&mut first).await;
    assert!(before.starts_with("HTTP/1.1 200"), "{before}");
    // A second connection writes a meeting; it waits, not accepted.
    let body = r#"{"kind": "group", "date": "2024-05-05", "note": "from the queue"}"#;
    let mut second = TcpStream::connect(s.addr()).await.unwrap();
    second
        .write_all(
            format!(
                "POST {list} HTTP/1.1\r\nHost: samskap\r\nAuthorization: Bearer {}\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                s.admin,
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    // While the first holds the slot, the second's write has not happened: each of these
    // round trips would have let an accepted request through.
    for _ in 0..5 {
        first.write_all(get(&s.admin).as_bytes()).await.unwrap();
        let now = read_response(&mut first).await;
        assert!(!now.contains("from the queue"), "served past the cap");
    }
    drop(first);
    let written = read_response(&mut second).await;
    assert!(written.starts_with("HTTP/1.1 201"), "{written}");
    s.stop().await;
}

#[tokio::test]
async fn failed_authentication_is_limited_per_address() {
    let s = Server::start_with(samskap_api::Limits {
        auth_failures: 3,
        ..samskap_api::Limits::default()
    })
    .await;
    for token in [Some("sk_wrong"), None, Some("sk_also_wrong")] {
        let (st, ..) = s.call(reqwest::Method::GET, "/studies", token, None).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
    }
    // Past the allowance: 429 with Retry-After, for a wrong token and a right one alike.
    for token in ["sk_wrong", s.admin.as_str()] {
        let res = s
            .client
            .get(s.url("/studies"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let wait: u64 = res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], 429);
    }
    // The health check needs no token and is not held back.
    let (st, ..) = s.call(reqwest::Method::GET, "/health", None, None).await;
    assert_eq!(st, StatusCode::OK);
    s.stop().await;
}

#[tokio::test]
async fn a_token_revoked_while_its_write_is_in_flight_writes_nothing() {
    let s = Server::start().await;
    let path = format!("{G1}/meetings");
    let (_, before) = s.get(&path, &s.admin).await;
    let body = r#"{"kind": "group", "date": "2024-05-06", "note": "late"}"#;
    let mut conn = TcpStream::connect(s.addr()).await.unwrap();
    conn.write_all(
        format!(
            "POST {path} HTTP/1.1\r\nHost: samskap\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
            s.g1,
            body.len()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    // hyper sends 100 Continue once the handler reads the body: the token was verified and
    // the group's access checked.
    let mut cont = [0u8; 25];
    conn.read_exact(&mut cont).await.unwrap();
    assert_eq!(&cont, b"HTTP/1.1 100 Continue\r\n\r\n");
    // Revoked now, between the access check and the write.
    Store::open(&s.db).unwrap().revoke_token("fac-g1").unwrap();
    conn.write_all(body.as_bytes()).await.unwrap();
    let response = read_response(&mut conn).await;
    assert!(response.starts_with("HTTP/1.1 401"), "{response}");
    assert!(response.contains("application/problem+json"), "{response}");
    let (_, after) = s.get(&path, &s.admin).await;
    assert_eq!(before, after);
    // The refusal is logged under the token's name, with nothing written.
    let log = s.audited("/G1/meetings");
    assert!(log
        .iter()
        .any(|e| e.token_name == "fac-g1" && e.status == 401));
    s.stop().await;
}

#[tokio::test]
async fn access_is_checked_before_the_body_is_read() {
    let s = Server::start().await;
    let bad_bodies: Vec<(&str, String)> = vec![
        ("application/json", "{not json".into()),
        ("application/json", "[1, 2]".into()),
        (
            "application/json",
            r#"{"kind": 5, "date": "2024-3-1", "x": null}"#.into(),
        ),
        (
            "application/json",
            r#"{"attendance": [{"member": "G2-P1"}]}"#.into(),
        ),
        ("text/plain", "hello".into()),
        (
            "application/json",
            format!(r#"{{"note": "{}"}}"#, "x".repeat(70_000)),
        ),
    ];
    let writes = [
        (reqwest::Method::POST, format!("{G2}/members")),
        (reqwest::Method::POST, format!("{G2}/meetings")),
        (
            reqwest::Method::PUT,
            format!("{G2}/meetings/G2-2023-02/attendance"),
        ),
        (reqwest::Method::PUT, format!("{G2}/rules")),
        (reqwest::Method::POST, format!("{G2}/problem-statements")),
        (
            reqwest::Method::POST,
            format!("{G2}/problem-statements/PS-G2-utkast/agreement"),
        ),
        (reqwest::Method::POST, format!("{G2}/process")),
        (reqwest::Method::POST, format!("{G2}/practices")),
        (reqwest::Method::POST, format!("{G2}/actions")),
        (
            reqwest::Method::POST,
            format!("{G2}/actions/A-G2-1/transitions"),
        ),
        (reqwest::Method::POST, format!("{G2}/contacts")),
        (reqwest::Method::POST, format!("{G2}/disseminations")),
        (reqwest::Method::POST, format!("{STUDY}/groups/G9/meetings")),
        (
            reqwest::Method::POST,
            format!("{STUDY}/groups/bad%20id/meetings"),
        ),
    ];
    let mut sent = 0;
    for (method, path) in &writes {
        for (ctype, body) in &bad_bodies {
            // The facilitator of G1 writes to another group; the analyst writes a meeting;
            // both write assessments they may not.
            for (token, path) in [
                (&s.g1, path.clone()),
                (&s.analyst, path.replace("/G2/", "/G1/")),
                (&s.g1, format!("{STUDY}/assessments")),
            ] {
                let res = s
                    .client
                    .request(method.clone(), s.url(&path))
                    .bearer_auth(token)
                    .header("content-type", *ctype)
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                let status = res.status();
                let text = res.text().await.unwrap();
                // A route that exists answers 403; a method a route lacks is a 405.
                if status != StatusCode::METHOD_NOT_ALLOWED {
                    assert_eq!(
                        status,
                        StatusCode::FORBIDDEN,
                        "{method} {path} {body:.60}: {text}"
                    );
                    assert_eq!(
                        text,
                        r#"{"type":"about:blank","title":"Forbidden","status":403,"detail":"this token has no access to that"}"#
                    );
                    sent += 1;
                }
            }
        }
    }
    assert!(sent >= writes.len() * bad_bodies.len() * 2, "{sent}");
    s.stop().await;
}

#[tokio::test]
async fn a_reference_outside_the_group_gets_the_answer_of_a_reference_to_nothing() {
    let s = Server::start().await;
    let post = reqwest::Method::POST;
    let put = reqwest::Method::PUT;
    // Each pair: the same request naming a real record of another group, and a made-up one.
    let pairs: Vec<(reqwest::Method, String, Value, Value)> = vec![
        (
            put.clone(),
            format!("{G1}/meetings/G1-2023-02/attendance"),
            json!({"attendance": [{"member": "G1-P1", "presence": "present"}, {"member": "G2-P3", "presence": "present"}]}),
            json!({"attendance": [{"member": "G1-P1", "presence": "present"}, {"member": "G7-P3", "presence": "present"}]}),
        ),
        (
            post.clone(),
            format!("{G1}/members"),
            json!({"id": "G2-P3", "sector": "public"}),
            json!({"id": "G7-P3", "sector": "public"}),
        ),
        (
            post.clone(),
            format!("{G1}/contacts"),
            json!({"a": "G1-P1", "b": "G2-P3", "date": "2024-01-10"}),
            json!({"a": "G1-P1", "b": "G7-P3", "date": "2024-01-10"}),
        ),
        (
            post.clone(),
            format!("{G1}/problem-statements"),
            json!({"text": "x", "drafted": "2024-01-10", "participants": ["G1-P1", "G2-P3"]}),
            json!({"text": "x", "drafted": "2024-01-10", "participants": ["G1-P1", "G7-P3"]}),
        ),
        (
            post.clone(),
            format!("{G1}/disseminations"),
            json!({"date": "2024-01-10", "audience": "x", "action": "A-G2-1"}),
            json!({"date": "2024-01-10", "audience": "x", "action": "A-G7-1"}),
        ),
    ];
    for (method, path, real, made_up) in pairs {
        for token in [&s.g1, &s.admin] {
            let a = s
                .raw(method.clone(), &path, token, Some(real.clone()))
                .await;
            let b = s
                .raw(method.clone(), &path, token, Some(made_up.clone()))
                .await;
            assert_eq!(a.0, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", a.1);
            assert_eq!(a, b, "{method} {path}");
        }
    }
    // Records of another group named in the path of one's own.
    for (method, real, made_up, body) in [
        (
            put.clone(),
            "meetings/G2-2023-02/attendance",
            "meetings/G7-2023-02/attendance",
            json!({"attendance": []}),
        ),
        (
            post.clone(),
            "actions/A-G2-1/transitions",
            "actions/A-G7-1/transitions",
            json!({"state": "tried", "date": "2024-01-10"}),
        ),
        (
            post.clone(),
            "problem-statements/PS-G2-utkast/agreement",
            "problem-statements/PS-G7-utkast/agreement",
            json!({"date": "2024-01-10"}),
        ),
    ] {
        for token in [&s.g1, &s.admin] {
            let a = s
                .raw(
                    method.clone(),
                    &format!("{G1}/{real}"),
                    token,
                    Some(body.clone()),
                )
                .await;
            let b = s
                .raw(
                    method.clone(),
                    &format!("{G1}/{made_up}"),
                    token,
                    Some(body.clone()),
                )
                .await;
            assert_eq!(a.0, StatusCode::NOT_FOUND, "{real}: {}", a.1);
            assert_eq!(a, b, "{real}");
        }
    }
    // Nothing of those refusals was written.
    let (_, g2) = s.get(&format!("{G2}/actions"), &s.admin).await;
    assert_eq!(g2[0]["state"], "adopted");
    s.stop().await;
}

#[tokio::test]
async fn problems_are_told_in_samskaps_words() {
    let s = Server::start().await;
    let serde_words = [
        "invalid type",
        "invalid value",
        "expected",
        "unknown variant",
        "unknown field",
        "missing field",
        "at line",
        "Failed to",
        "deserialize",
        "constraint",
        "SQLITE",
        // The words for a schema the describer could not read.
        "of another kind",
    ];
    let cases: Vec<(reqwest::Method, String, Value)> = vec![
        (
            reqwest::Method::POST,
            format!("{G1}/meetings"),
            json!({"kind": "party", "date": "2024-01-01"}),
        ),
        (
            reqwest::Method::POST,
            format!("{G1}/meetings"),
            json!({"kind": "group"}),
        ),
        (
            reqwest::Method::POST,
            format!("{G1}/meetings"),
            json!({"kind": "group", "date": 1}),
        ),
        (
            reqwest::Method::POST,
            format!("{G1}/meetings"),
            json!({"kind": "group", "date": "2024-01-01", "colour": "red"}),
        ),
        (
            reqwest::Method::PUT,
            format!("{G1}/meetings/G1-2023-02/attendance"),
            json!({"attendance": [{"member": "G1-P1", "presence": "late"}]}),
        ),
        (
            reqwest::Method::PUT,
            format!("{G1}/meetings/G1-2023-02/attendance"),
            json!({"attendance": {"member": "G1-P1"}}),
        ),
        (
            reqwest::Method::POST,
            format!("{G1}/members"),
            json!({"sector": "public", "service": 3}),
        ),
        (
            reqwest::Method::POST,
            format!("{G1}/process"),
            json!({"date": "2024-01-01", "phase": "explore", "step": 2}),
        ),
        (
            reqwest::Method::POST,
            format!("{STUDY}/assessments"),
            json!({"id": "x", "subject": {"team": "G1"}, "value": {"ladder": 3}, "assessor": "A", "date": "2024-01-01"}),
        ),
        (
            reqwest::Method::POST,
            format!("{STUDY}/assessments"),
            json!({"id": "x", "subject": {"group": "G1"}, "value": {"ladder": 300}, "assessor": "A", "date": "2024-01-01"}),
        ),
        (
            reqwest::Method::POST,
            format!("{STUDY}/assessments"),
            json!({"id": "x", "subject": {"group": "G1"}, "value": {"ladder": 3}, "assessor": "A", "date": "2024-01-01", "evidence": [{"informant": "I1", "start": -1, "end": 2}]}),
        ),
    ];
    for (method, path, body) in cases {
        let (st, text) = s
            .raw(method.clone(), &path, &s.admin, Some(body.clone()))
            .await;
        let problem: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {text}");
        assert!(problem["field"].is_string(), "{body}: {text}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            serde_words.iter().all(|w| !detail.contains(w)),
            "{body}: {detail}"
        );
    }
    for query in ["?by=week", "", "?by=member&below=lots"] {
        let (st, text) = s
            .raw(
                reqwest::Method::GET,
                &format!("{STUDY}/analytics/attendance{query}"),
                &s.admin,
                None,
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{query}: {text}");
        let problem: Value = serde_json::from_str(&text).unwrap();
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            serde_words.iter().all(|w| !detail.contains(w)),
            "{query}: {detail}"
        );
        assert!(problem["field"].is_string(), "{query}: {text}");
    }
    s.stop().await;
}

#[tokio::test]
async fn dates_that_are_not_yyyy_mm_dd_are_refused_naming_the_field() {
    let s = Server::start().await;
    for date in ["2024-3-1", "+2024-03-01", "24-03-02"] {
        for (path, body, field) in [
            (
                format!("{G1}/meetings"),
                json!({"kind": "group", "date": date}),
                "date",
            ),
            (
                format!("{G1}/problem-statements"),
                json!({"text": "x", "drafted": "2024-01-01", "agreed": date}),
                "agreed",
            ),
            (
                format!("{G1}/process"),
                json!({"date": date, "phase": "explore", "step": "evaluate"}),
                "date",
            ),
        ] {
            let (st, problem) = s.post(&path, &s.admin, body).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{date}: {problem}");
            assert_eq!(problem["field"], field, "{date}: {problem}");
            assert!(
                problem["detail"].as_str().unwrap().contains("YYYY-MM-DD"),
                "{problem}"
            );
        }
    }
    s.stop().await;
}

#[tokio::test]
async fn custom_attributes_are_listed_read_and_given_to_new_members() {
    let s = Server::start().await;
    // `fixtures/mini` with attributes declared for members and groups, and a value on G2.
    let tmp = tempfile::tempdir().unwrap();
    let mini = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/mini");
    for e in std::fs::read_dir(&mini).unwrap() {
        let e = e.unwrap();
        let to = tmp.path().join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir(&to).unwrap();
            for f in std::fs::read_dir(e.path()).unwrap() {
                let f = f.unwrap();
                std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
            }
        } else {
            std::fs::copy(e.path(), to).unwrap();
        }
    }
    let mut toml = std::fs::read_to_string(tmp.path().join("study.toml")).unwrap();
    toml.push_str(
        "\n[[attribute]]\nid = \"years\"\nlabel = \"Years in post\"\ntype = \"number\"\nfor = [\"member\", \"group\"]\n\
         \n[[attribute]]\nid = \"joined\"\ntype = \"date\"\nfor = [\"member\"]\n\
         \n[group.attributes]\nyears = 3\n",
    );
    std::fs::write(tmp.path().join("study.toml"), toml).unwrap();
    Store::open(&s.db)
        .unwrap()
        .import_study(&samskap_bundle::read(tmp.path()).unwrap(), Replace::No)
        .unwrap();

    let (st, list) = s.get("/studies/mini/attributes", &s.analyst).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(
        list,
        json!([
            {"id": "years", "label": "Years in post", "type": "number", "values": [], "for": ["member", "group"]},
            {"id": "joined", "label": "joined", "type": "date", "values": [], "for": ["member"]},
        ])
    );
    let (_, groups) = s.get("/studies/mini/groups", &s.analyst).await;
    assert_eq!(groups[0]["attributes"], json!({}));
    assert_eq!(groups[1]["attributes"], json!({"years": 3}));

    let path = "/studies/mini/groups/G2/members";
    let (st, body) = s
        .post(
            path,
            &s.admin,
            json!({"sector": "public", "attributes": {"years": 2, "joined": "2024-01-02"}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["attributes"],
        json!({"years": 2, "joined": "2024-01-02"})
    );
    let (_, members) = s.get(path, &s.analyst).await;
    let made = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == body["id"])
        .unwrap();
    assert_eq!(made["attributes"], body["attributes"]);
    // Each refusal names the attribute.
    for (attributes, field) in [
        (json!({"years": "many"}), "attributes.years"),
        (json!({"shoe_size": 38}), "attributes.shoe_size"),
        (json!({"joined": "2024-1-2"}), "attributes.joined"),
        (json!({"bad id!": 1}), "attributes.bad id!"),
        (json!({"years": 9007199254740993_u64}), "attributes.years"),
    ] {
        let (st, problem) = s
            .post(
                path,
                &s.admin,
                json!({"sector": "public", "attributes": attributes}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["field"], field, "{problem}");
    }
    // The thesis declares none: a value is refused there too.
    let (st, problem) = s
        .post(
            &format!("{G1}/members"),
            &s.g1,
            json!({"sector": "public", "attributes": {"years": 1}}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    s.stop().await;
}

#[tokio::test]
async fn sources_are_listed_to_the_analysis_side_without_their_texts() {
    let s = Server::start().await;
    // `fixtures/sources` (study `kilder`): a focus group, two interviews, minutes, a document.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/sources");
    let kilder = samskap_bundle::read(&dir).unwrap();
    Store::open(&s.db)
        .unwrap()
        .import_study(&kilder, Replace::No)
        .unwrap();
    let chars = |id: &str| {
        let text = std::fs::read_to_string(dir.join(format!("sources/{id}.txt"))).unwrap();
        text.chars().count()
    };

    let path = "/studies/kilder/sources";
    let (st, list) = s.get(path, &s.analyst).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    let (st, as_admin) = s.get(path, &s.admin).await;
    assert_eq!(st, StatusCode::OK, "{as_admin}");
    assert_eq!(as_admin, list);
    // In the store's order, every field as the bundle declared it; what a source lacks
    // (a title, a date, a group, a meeting) is left out, and the speakers and attributes
    // are always there.
    assert_eq!(
        list,
        json!([
            {"id": "fg-g1", "kind": "focus-group", "date": "2023-03-14",
             "title": "Fokusgruppe, ressursgruppe 1", "group": "G1", "informants": ["I1", "I2"],
             "speakers": {"A": "I1", "B": "I2", "M": "interviewer"},
             "attributes": {"phase": "pilot"},
             "characters": chars("fg-g1"), "units": 5, "codings": 6},
            {"id": "int-i3", "kind": "interview", "date": "2023-06-02",
             "title": "Intervju med fasilitator", "informants": ["I3"],
             "speakers": {"F": "I3", "Intervjuer": "interviewer"},
             "attributes": {"phase": "main"},
             "characters": chars("int-i3"), "units": 2, "codings": 3},
            {"id": "int-i4", "kind": "interview", "date": "2023-05-30", "informants": ["I4"],
             "speakers": {}, "attributes": {}, "characters": chars("int-i4"), "units": 1,
             "codings": 1},
            {"id": "ref-g1-2023-04", "kind": "minutes", "date": "2023-04-18",
             "title": "Referat, møte i ressursgruppe 1", "group": "G1", "informants": [],
             "speakers": {}, "meeting": "G1-2023-04", "attributes": {"phase": "pilot"},
             "characters": chars("ref-g1-2023-04"), "units": 2, "codings": 2},
            {"id": "plan", "kind": "document", "date": "2022-09-01", "title": "Prosjektplan",
             "informants": [], "speakers": {}, "attributes": {}, "characters": chars("plan"),
             "units": 1, "codings": 1},
        ])
    );
    // The counts are the store's.
    let rows = Store::open(&s.db)
        .unwrap()
        .sources(&"kilder".parse().unwrap())
        .unwrap();
    for (row, out) in rows.iter().zip(list.as_array().unwrap()) {
        assert_eq!(out["id"], row.source.id.as_str());
        assert_eq!(out["characters"], row.chars);
        assert_eq!(out["units"], row.units);
        assert_eq!(out["codings"], row.codings);
    }
    // No text: not one line of any source is in the answer.
    let body = list.to_string();
    for id in ["fg-g1", "int-i3", "int-i4", "ref-g1-2023-04", "plan"] {
        let text = std::fs::read_to_string(dir.join(format!("sources/{id}.txt"))).unwrap();
        for line in text.lines().map(str::trim).filter(|l| l.len() > 12) {
            assert!(!body.contains(line), "{id}: {line}");
        }
    }
    // The thesis's interviews, of the first layout: one informant each, no turns.
    let (st, thesis) = s.get(&format!("{STUDY}/sources"), &s.analyst).await;
    assert_eq!(st, StatusCode::OK, "{thesis}");
    assert!(!thesis.as_array().unwrap().is_empty());
    for x in thesis.as_array().unwrap() {
        assert_eq!(x["kind"], "interview", "{x}");
        assert_eq!(x["informants"], json!([x["id"]]), "{x}");
        assert_eq!(x["speakers"], json!({}), "{x}");
    }

    // A facilitator gets what the assessments give them: the one 403, whether the study
    // holds their group, does not, or does not exist, and whatever the path holds.
    let forbidden = r#"{"type":"about:blank","title":"Forbidden","status":403,"detail":"this token has no access to that"}"#;
    for study in ["ung-inkludering-demo", "kilder", "another", "%FF"] {
        for route in ["assessments", "sources"] {
            let (st, _, ctype) = s
                .call(
                    reqwest::Method::GET,
                    &format!("/studies/{study}/{route}"),
                    Some(&s.g1),
                    None,
                )
                .await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{study} {route}");
            assert_eq!(ctype, "application/problem+json");
        }
        let res = s
            .client
            .get(s.url(&format!("/studies/{study}/sources")))
            .bearer_auth(&s.g1)
            .send()
            .await
            .unwrap();
        assert_eq!(res.text().await.unwrap(), forbidden, "{study}");
    }
    // An unknown study is the 404 every route gives, body for body; a malformed one too.
    for study in ["another", "%FF", "bad%20id"] {
        let mut answers = Vec::new();
        for route in ["assessments", "sources"] {
            let (st, body, ctype) = s
                .call(
                    reqwest::Method::GET,
                    &format!("/studies/{study}/{route}"),
                    Some(&s.analyst),
                    None,
                )
                .await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{study} {route}: {body}");
            assert_eq!(ctype, "application/problem+json");
            answers.push(body);
        }
        assert_eq!(answers[0], answers[1], "{study}");
    }
    // Without a token: 401.
    let (st, ..) = s.call(reqwest::Method::GET, path, None, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // The document describes the answer as it is sent.
    let (_, doc) = s.get("/openapi.json", &s.analyst).await;
    let op = &doc["paths"]["/studies/{study}/sources"]["get"];
    assert_eq!(
        op["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"],
        "#/components/schemas/SourceOut"
    );
    let schema = &doc["components"]["schemas"]["SourceOut"];
    let mut required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    required.sort_unstable();
    assert_eq!(
        required,
        [
            "attributes",
            "characters",
            "codings",
            "id",
            "informants",
            "kind",
            "speakers",
            "units"
        ]
    );
    let props = &schema["properties"];
    assert_eq!(props["date"]["format"], "date");
    assert_eq!(
        props["date"]["pattern"],
        "^(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    );
    assert_eq!(props["date"]["type"], "string", "{}", props["date"]);
    assert_eq!(props["title"]["type"], "string", "{}", props["title"]);
    assert_eq!(
        props["group"]["$ref"], "#/components/schemas/Id",
        "{}",
        props["group"]
    );
    assert_eq!(
        props["informants"]["items"]["$ref"],
        "#/components/schemas/Id"
    );
    assert_eq!(
        props["speakers"]["additionalProperties"]["$ref"],
        "#/components/schemas/Id"
    );
    assert_eq!(
        doc["components"]["schemas"]["SourceKindOut"]["enum"],
        json!([
            "interview",
            "focus-group",
            "minutes",
            "observation",
            "document"
        ])
    );
    s.stop().await;
}

#[tokio::test]
async fn guides_are_listed_whole_to_the_analysis_side() {
    let s = Server::start().await;
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let kilder = samskap_bundle::read(&fixtures.join("sources")).unwrap();
    let thesis = samskap_bundle::read(&fixtures.join("ung-inkludering")).unwrap();
    let mut store = Store::open(&s.db).unwrap();
    store.import_study(&kilder, Replace::No).unwrap();
    store.import_study(&thesis, Replace::No).unwrap();
    drop(store);

    // `fixtures/sources/guides.toml`: a made-up guide in two versions, every field as written.
    let path = "/studies/kilder/guides";
    let (st, list) = s.get(path, &s.analyst).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    let (st, as_admin) = s.get(path, &s.admin).await;
    assert_eq!(st, StatusCode::OK, "{as_admin}");
    assert_eq!(as_admin, list);
    let work = json!({"title": "Arbeidet i gruppene", "questions": [
        {"id": "q2", "text": "Hva har gruppene fått til så langt?"},
        {"id": "q3", "text": "Hva ville du gjort annerledes?"},
    ]});
    assert_eq!(
        list,
        json!([
            {"id": "intervjuguide", "title": "Intervjuguide (illustrasjon)", "versions": [
                {"version": 1, "note": "For deltakerne i ressursgruppene.", "themes": [
                    {"title": "Oppstart", "questions": [
                        {"id": "q1", "text": "Hvordan opplevde du oppstarten?"},
                    ]},
                    work,
                ]},
                {"version": 2, "note": "For fasilitatoren: q1 omformulert.", "themes": [
                    {"title": "Oppstart", "questions": [
                        {"id": "q1",
                         "text": "Hvordan opplevde du oppstarten av gruppene du fasiliterte?"},
                    ]},
                    work,
                ]},
            ]},
        ])
    );

    // The thesis's guide (Vedlegg 1): one version, its 35 questions q01–q35 in order, each
    // as the bundle holds it.
    let (st, list) = s.get("/studies/ung-inkludering/guides", &s.analyst).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(list, serde_json::to_value(thesis.guides()).unwrap());
    let guides = list.as_array().unwrap();
    assert_eq!(guides.len(), 1);
    assert_eq!(guides[0]["id"], "intervjuguide");
    let versions = guides[0]["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0]["version"], 1);
    let questions: Vec<&str> = versions[0]["themes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["questions"].as_array().unwrap())
        .map(|q| q["id"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (1..=35).map(|n| format!("q{n:02}")).collect();
    assert_eq!(questions, expected);
    // A study without a guide answers an empty list.
    let (st, none) = s.get(&format!("{STUDY}/guides"), &s.analyst).await;
    assert_eq!(st, StatusCode::OK, "{none}");
    assert_eq!(none, json!([]));

    // A facilitator gets the analysis routes' one 403, whatever the study.
    let forbidden = r#"{"type":"about:blank","title":"Forbidden","status":403,"detail":"this token has no access to that"}"#;
    for study in [
        "ung-inkludering-demo",
        "ung-inkludering",
        "kilder",
        "another",
        "%FF",
    ] {
        let res = s
            .client
            .get(s.url(&format!("/studies/{study}/guides")))
            .bearer_auth(&s.g1)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{study}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{study}"
        );
        assert_eq!(res.text().await.unwrap(), forbidden, "{study}");
    }
    // An unknown or malformed study is the 404 the other analysis routes give.
    for study in ["another", "%FF", "bad%20id"] {
        let mut answers = Vec::new();
        for route in ["sources", "guides"] {
            let (st, body, ctype) = s
                .call(
                    reqwest::Method::GET,
                    &format!("/studies/{study}/{route}"),
                    Some(&s.analyst),
                    None,
                )
                .await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{study} {route}: {body}");
            assert_eq!(ctype, "application/problem+json");
            answers.push(body);
        }
        assert_eq!(answers[0], answers[1], "{study}");
    }
    let (st, ..) = s.call(reqwest::Method::GET, path, None, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);

    // The document describes the answer as it is sent.
    let (_, doc) = s.get("/openapi.json", &s.analyst).await;
    let op = &doc["paths"]["/studies/{study}/guides"]["get"];
    assert_eq!(
        op["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"],
        "#/components/schemas/GuideOut"
    );
    let schemas = &doc["components"]["schemas"];
    let required = |name: &str| {
        let mut r: Vec<String> = schemas[name]["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_owned())
            .collect();
        r.sort_unstable();
        r
    };
    assert_eq!(required("GuideOut"), ["id", "title", "versions"]);
    assert_eq!(required("GuideVersionOut"), ["themes", "version"]);
    assert_eq!(required("ThemeOut"), ["questions", "title"]);
    assert_eq!(required("QuestionOut"), ["id", "text"]);
    let id = "#/components/schemas/Id";
    assert_eq!(schemas["GuideOut"]["properties"]["id"]["$ref"], id);
    assert_eq!(schemas["QuestionOut"]["properties"]["id"]["$ref"], id);
    assert_eq!(
        schemas["GuideOut"]["properties"]["versions"]["items"]["$ref"],
        "#/components/schemas/GuideVersionOut"
    );
    let version = &schemas["GuideVersionOut"]["properties"];
    assert_eq!(
        version["version"]["type"], "integer",
        "{}",
        version["version"]
    );
    assert_eq!(version["version"]["minimum"], 1, "{}", version["version"]);
    assert_eq!(
        version["version"]["maximum"],
        u32::MAX,
        "{}",
        version["version"]
    );
    // No `int32` format, whose maximum is below a version's.
    assert!(
        version["version"]["format"].is_null(),
        "{}",
        version["version"]
    );
    assert_eq!(version["note"]["type"], "string", "{}", version["note"]);
    assert_eq!(
        version["themes"]["items"]["$ref"],
        "#/components/schemas/ThemeOut"
    );
    assert_eq!(
        schemas["ThemeOut"]["properties"]["questions"]["items"]["$ref"],
        "#/components/schemas/QuestionOut"
    );
    assert_eq!(schemas["ThemeOut"]["properties"]["title"]["type"], "string");
    assert_eq!(
        schemas["QuestionOut"]["properties"]["text"]["type"],
        "string"
    );
    s.stop().await;
}

#[tokio::test]
async fn the_journal_records_api_writes_under_the_tokens_name() {
    let s = Server::start().await;
    const HISTORY: &str = "/studies/ung-inkludering-demo/history";
    // The import, then the tokens made for the test (store-wide entries), newest first: an
    // admin sees them all; an analyst only the study's own, since the tokens' entries name
    // their holders and grants.
    let (st, all) = s.get(HISTORY, &s.admin).await;
    assert_eq!(st, StatusCode::OK, "{all}");
    assert_eq!(all[0]["kind"], "token.create");
    assert_eq!(all[0]["study"], Value::Null);
    let (st, before) = s.get(HISTORY, &s.analyst).await;
    assert_eq!(st, StatusCode::OK, "{before}");
    let before = before.as_array().unwrap().clone();
    assert_eq!(before.len(), 1, "{before:?}");
    assert_eq!(before[0]["kind"], "study.import");

    let (st, meeting) = s
        .post(
            &format!("{G1}/meetings"),
            &s.g1,
            json!({"kind": "group", "date": "2023-02-07", "note": "Kaffe og boller"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{meeting}");
    // A refused write leaves no entry.
    let (st, _) = s
        .post(
            &format!("{G1}/meetings"),
            &s.g1,
            json!({"kind": "group", "date": "2023-02-30"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

    let (st, after) = s.get(&format!("{HISTORY}?limit=2"), &s.admin).await;
    assert_eq!(st, StatusCode::OK, "{after}");
    let newest = &after[0];
    assert_eq!(after.as_array().unwrap().len(), 2);
    assert_eq!(newest["kind"], "facilitation");
    assert_eq!(newest["who"], "fac-g1");
    assert_eq!(newest["via"], "api");
    assert_eq!(newest["study"], "ung-inkludering-demo");
    assert_eq!(
        newest["summary"],
        format!(
            "added meeting {} of group G1 on 2023-02-07",
            meeting["id"].as_str().unwrap()
        )
    );
    assert_eq!(newest["undoable"], false);
    assert_eq!(newest["undone_by"], Value::Null);
    assert_eq!(after[1], all[0]);
    // The note is the facilitator's text: not in the journal.
    assert!(!after.to_string().contains("Kaffe"), "{after}");

    // The analysis side's, as the sources are.
    let (st, _) = s.get(HISTORY, &s.g1).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.get("/studies/nowhere/history", &s.analyst).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    for bad in ["0", "1001"] {
        let (st, body) = s.get(&format!("{HISTORY}?limit={bad}"), &s.analyst).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["field"], "limit");
    }
    let (st, _) = s.get(&format!("{HISTORY}?limit=many"), &s.analyst).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    s.stop().await;
}

const CODINGS: &str = "/studies/ung-inkludering-demo/codings";
/// The first words of I1.
const I1_START: &str = "Du har jo ulike tradisjoner.";

/// The codings coder `api` has in the store.
fn api_codings(s: &Server) -> Vec<(String, String)> {
    let study = Store::open(&s.db)
        .unwrap()
        .load_study(&"ung-inkludering-demo".parse().unwrap())
        .unwrap();
    let mut out: Vec<(String, String)> = study
        .codings()
        .iter()
        .filter(|c| c.coder.as_str() == "api")
        .map(|c| (study.unit_text(c.unit).to_owned(), c.code.to_string()))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn codings_are_added_by_the_analysis_side_and_refused_in_its_terms() {
    let s = Server::start().await;
    let coding = json!({
        "source": "I1", "start": 0, "end": 28, "text": I1_START,
        "code": "culture/holistic-approach", "qualifiers": {"polarity": "barrier"},
        "coder": "api", "memo": "from the API"
    });
    // A facilitator's token: 403, whatever the body holds.
    for body in [coding.clone(), json!({"nonsense": true})] {
        let (st, problem) = s.post(CODINGS, &s.g1, body).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{problem}");
    }
    let (st, c) = s.post(CODINGS, &s.analyst, coding.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    assert_eq!(
        c,
        json!({
            "source": "I1", "start": 0, "end": 28, "text": I1_START,
            "framework": "bentzen-2018", "code": "culture/holistic-approach",
            "qualifiers": {"polarity": "barrier"}, "coder": "api", "memo": "from the API",
            "version": 1
        })
    );
    assert_eq!(
        api_codings(&s),
        [(I1_START.to_owned(), "culture/holistic-approach".to_owned())]
    );
    // The journal has it under the token's name; the audit log once, with its status.
    let (_, history) = s
        .get("/studies/ung-inkludering-demo/history?limit=1", &s.admin)
        .await;
    assert_eq!(history[0]["kind"], "coding.add");
    assert_eq!(history[0]["who"], "analyst");
    let log = s.audited("/codings");
    assert_eq!(
        log.iter().map(|e| e.status).collect::<Vec<_>>(),
        [403, 403, 201]
    );
    assert_eq!(
        log[2].object_id.as_deref(),
        Some("I1 0..28 culture/holistic-approach")
    );

    // Offsets count characters: words after many a non-ASCII one, without `text`.
    let study = samskap_bundle::read(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo"),
    )
    .unwrap();
    let t = study.transcript(&"I1".parse().unwrap()).unwrap();
    let span = t
        .locate(&samskap_core::TextQuote::exact("helhetlige tanken"))
        .unwrap();
    assert!(t.text().find("helhetlige tanken").unwrap() > span.start());
    let (st, c) = s
        .post(
            CODINGS,
            &s.admin,
            json!({"source": "I1", "start": span.start(), "end": span.end(),
                   "code": "culture/holistic-approach", "qualifiers": "polarity=opportunity",
                   "coder": "api"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    assert_eq!(c["text"], "helhetlige tanken");
    assert!(c.get("memo").is_none(), "{c}");

    // The same coding again, its values as text: 409.
    let mut again = coding.clone();
    again["qualifiers"] = json!("polarity=barrier");
    let (st, problem) = s.post(CODINGS, &s.analyst, again).await;
    assert_eq!(st, StatusCode::CONFLICT, "{problem}");
    assert_eq!(
        problem["detail"],
        "coder `api` already coded this unit as `culture/holistic-approach` (polarity=barrier)"
    );
    // Words that are not there (the text changed since the client read it): 409.
    let mut stale = coding.clone();
    stale["text"] = json!("Du har jo andre tradisjoner.");
    stale["code"] = json!("culture/own-organisation-anchoring");
    let (st, problem) = s.post(CODINGS, &s.analyst, stale).await;
    assert_eq!(st, StatusCode::CONFLICT, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("not the text given"),
        "{problem}"
    );
    // A value at fault: 422 naming its field.
    let len = t.char_len();
    for (field, value, at_fault) in [
        ("code", json!("culture/nothing-here"), "code"),
        ("code", json!("not a path"), "code"),
        ("qualifiers", json!({"polarity": "grey"}), "qualifiers"),
        ("qualifiers", json!({}), "qualifiers"),
        ("qualifiers", json!({"level": "group"}), "qualifiers"),
        ("qualifiers", json!("polarity"), "qualifiers"),
        ("qualifiers", json!(7), "qualifiers"),
        ("source", json!("I99"), "source"),
        ("source", json!("not an id"), "source"),
        ("coder", json!("not an id"), "coder"),
        ("end", json!(len + 1), "end"),
        ("end", json!(0), "end"),
        ("start", json!(len), "start"),
        ("start", json!(-1), "start"),
        ("unknown", json!(1), "unknown"),
    ] {
        let mut body = coding.clone();
        body["text"] = Value::Null;
        body[field] = value.clone();
        let (st, problem) = s.post(CODINGS, &s.analyst, body).await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}: {problem}"
        );
        assert_eq!(problem["field"], at_fault, "{field}={value}: {problem}");
    }
    let (st, _) = s
        .post("/studies/nowhere/codings", &s.analyst, coding.clone())
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // None of the refusals wrote anything; each is in the audit log with its status.
    assert_eq!(api_codings(&s).len(), 2);
    let log = s.audited("/codings");
    assert!(log.iter().any(|e| e.status == 409));
    assert!(log.iter().any(|e| e.status == 422));
    s.stop().await;
}

#[tokio::test]
async fn a_coding_is_removed_by_naming_it_as_it_was_added() {
    let s = Server::start().await;
    let (st, added) = s
        .post(
            CODINGS,
            &s.analyst,
            json!({"source": "I1", "start": 0, "end": 28, "code": "culture/holistic-approach",
                   "qualifiers": {"polarity": "barrier"}, "coder": "api", "memo": "kept"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{added}");
    let query = "source=I1&start=0&end=28&code=culture/holistic-approach\
                 &qualifiers=polarity%3Dbarrier&coder=api";
    let delete = |token: &str, query: String| {
        let token = token.to_owned();
        let s = &s;
        async move {
            let (st, body, _) = s
                .call(
                    reqwest::Method::DELETE,
                    &format!("{CODINGS}?{query}"),
                    Some(&token),
                    None,
                )
                .await;
            (st, body)
        }
    };
    let (st, _) = delete(&s.g1, query.to_owned()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, problem) = delete(&s.analyst, format!("{query}&text=Andre%20ord")).await;
    assert_eq!(st, StatusCode::CONFLICT, "{problem}");
    let (st, problem) = delete(&s.analyst, query.replace("barrier", "opportunity")).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{problem}");
    let (st, removed) = delete(&s.analyst, query.to_owned()).await;
    assert_eq!(st, StatusCode::OK, "{removed}");
    assert_eq!(removed, added, "the coding as it was stored");
    assert!(api_codings(&s).is_empty());
    let (st, _) = delete(&s.analyst, query.to_owned()).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, problem) = delete(&s.analyst, query.replace("start=0", "start=many")).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["field"], "start");
    s.stop().await;
}

#[tokio::test]
async fn concurrent_codings_commit_together_and_each_is_answered_for_itself() {
    let s = Server::start().await;
    // 16 codings, each sent twice at once: whatever the server commits together, each
    // coding is made once (201) and refused once (409), and a refusal takes nothing with it.
    let body = |k: usize| {
        json!({"source": "I1", "start": k, "end": k + 12, "code": "culture/belief-in-change",
               "qualifiers": {"polarity": "opportunity"}, "coder": "api"})
    };
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..32 {
        let req = s
            .client
            .post(s.url(CODINGS))
            .bearer_auth(&s.analyst)
            .json(&body(i % 16));
        requests.spawn(async move {
            let res = req.send().await.unwrap();
            (res.status(), res.json::<Value>().await.unwrap())
        });
    }
    let answers = requests.join_all().await;
    let mut created: Vec<usize> = Vec::new();
    for (st, c) in &answers {
        match *st {
            StatusCode::CREATED => created.push(c["start"].as_u64().unwrap() as usize),
            StatusCode::CONFLICT => {
                assert!(
                    c["detail"].as_str().unwrap().contains("already coded"),
                    "{c}"
                )
            }
            other => panic!("{other}: {c}"),
        }
    }
    created.sort_unstable();
    assert_eq!(created, (0..16).collect::<Vec<_>>());
    assert_eq!(api_codings(&s).len(), 16);
    let (_, history) = s
        .get("/studies/ung-inkludering-demo/history?limit=100", &s.admin)
        .await;
    let added = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "coding.add")
        .count();
    assert_eq!(added, 16, "one journal entry per coding made");
    let log = s.audited("/codings");
    assert_eq!(log.iter().filter(|e| e.status == 201).count(), 16);
    assert_eq!(log.iter().filter(|e| e.status == 409).count(), 16);
    s.stop().await;
}
