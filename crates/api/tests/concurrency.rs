//! Writes under contention: eight clients write meetings, attendance and contacts through a
//! real server while another connection imports a second study into the same SQLite file,
//! again and again. No response may be a server error (a 503 "store is busy" included),
//! every acknowledged write must be in the store afterwards (and in the audit log), and every
//! import succeeds.
//!
//! Each client sends 500 writes (`SAMSKAP_CONCURRENCY_WRITES` sets another number).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Client, Method, StatusCode};
use samskap_core::{Member, Sector, Study, StudyId};
use samskap_store::{Replace, Store, TokenRole};
use serde_json::{json, Value};

/// Concurrent clients.
const CLIENTS: usize = 8;
/// Write requests each client sends unless `SAMSKAP_CONCURRENCY_WRITES` says otherwise.
const REQUESTS: usize = 500;
/// Pause between two imports of the copy, so the clients get the write lock too.
const IMPORT_PAUSE: Duration = Duration::from_millis(150);
/// The thesis study, and the copy the concurrent import writes beside it.
const STUDY: &str = "ung-inkludering-demo";
const COPY: &str = "ung-inkludering-kopi";
/// The groups the clients write to.
const GROUPS: [&str; 2] = ["G1", "G2"];

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo")
}

/// Copies a bundle directory (files and one level of subdirectories) to `to`.
fn copy_bundle(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_bundle(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The thesis study under another id: the same bundle with `[study] id` changed.
fn thesis_copy(dir: &Path) -> Study {
    let bundle = dir.join("kopi");
    copy_bundle(&fixture(), &bundle);
    let toml_path = bundle.join("study.toml");
    let text = std::fs::read_to_string(&toml_path).unwrap();
    let from = format!("id = \"{STUDY}\"");
    assert!(text.contains(&from), "study.toml names its id as expected");
    std::fs::write(
        &toml_path,
        text.replacen(&from, &format!("id = \"{COPY}\""), 1),
    )
    .unwrap();
    let study = samskap_bundle::read(&bundle).unwrap();
    assert_eq!(study.meta().id.as_str(), COPY);
    study
}

/// What the server said to one request.
struct Outcome {
    method: Method,
    path: String,
    status: StatusCode,
    body: String,
}

/// A write the server acknowledged, to look for in the store afterwards.
enum Ack {
    Meeting {
        id: String,
        group: String,
    },
    Attendance {
        meeting: String,
        entries: Vec<(String, String)>,
    },
    Contact {
        id: String,
        a: String,
        b: String,
    },
}

/// Members added to each group of [`GROUPS`]: a contact records a pair once, so the
/// clients need more pairs (`n(n-1)/2`) than they send contacts.
const ADDED: usize = 60;

/// Adds [`ADDED`] members to each group of [`GROUPS`] and returns their ids, per group.
fn widen(study: &mut Study) -> Vec<Vec<String>> {
    GROUPS
        .iter()
        .map(|g| {
            (0..ADDED)
                .map(|i| {
                    let id = format!("{g}-N{i:02}");
                    study
                        .add_member(Member {
                            attributes: Default::default(),
                            id: id.parse().unwrap(),
                            group: g.parse().unwrap(),
                            sector: [Sector::Public, Sector::Voluntary, Sector::Citizen][i % 3],
                            service: None,
                            youth: false,
                            pd_youth: false,
                        })
                        .unwrap();
                    id
                })
                .collect()
        })
        .collect()
}

/// The `k`-th pair `(i, j)`, `i < j`, of `n` members, in order.
fn pair(mut k: usize, n: usize) -> (usize, usize) {
    for i in 0..n {
        let after = n - 1 - i;
        if k < after {
            return (i, i + 1 + k);
        }
        k -= after;
    }
    panic!("only {} pairs of {n} members", n * (n - 1) / 2);
}

/// One client: `requests` writes, cycling through a new meeting, its attendance and a
/// contact, alternating between the groups.
async fn client(
    n: usize,
    requests: usize,
    base: String,
    token: String,
    members: Arc<Vec<Vec<String>>>,
    answered: Arc<AtomicUsize>,
) -> (Vec<Outcome>, Vec<Ack>) {
    let http = Client::builder()
        .timeout(Duration::from_secs(90))
        .build()
        .unwrap();
    let mut outcomes = Vec::with_capacity(requests);
    let mut acks = Vec::with_capacity(requests);
    // The server makes ids: the meeting last made, for the attendance that follows it.
    let mut meeting = String::from("none-yet");
    for i in 0..requests {
        let cycle = i / 3;
        let g = (n + cycle) % GROUPS.len();
        let group = GROUPS[g];
        let members = &members[g];
        let day = 1 + (cycle % 28);
        let date = format!("2023-06-{day:02}");
        let (method, path, body) = match i % 3 {
            0 => (
                Method::POST,
                format!("/studies/{STUDY}/groups/{group}/meetings"),
                json!({"kind": "group", "date": date, "note": format!("client {n}")}),
            ),
            1 => {
                let entries: Vec<Value> = members
                    .iter()
                    .enumerate()
                    .map(|(j, m)| {
                        let presence = ["present", "absent", "excused"][(n + cycle + j) % 3];
                        json!({"member": m, "presence": presence})
                    })
                    .collect();
                (
                    Method::PUT,
                    format!("/studies/{STUDY}/groups/{group}/meetings/{meeting}/attendance"),
                    json!({ "attendance": entries }),
                )
            }
            _ => {
                // A pair no other contact of this group has.
                let (i, j) = pair(cycle * CLIENTS + n, members.len());
                let (a, b) = (&members[i], &members[j]);
                (
                    Method::POST,
                    format!("/studies/{STUDY}/groups/{group}/contacts"),
                    json!({"a": a, "b": b, "date": date}),
                )
            }
        };
        let res = http
            .request(method.clone(), format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("client {n}: {method} {path}: {e:?}"));
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        answered.fetch_add(1, Ordering::SeqCst);
        let acknowledged = match i % 3 {
            0 => status == StatusCode::CREATED,
            1 => status == StatusCode::OK,
            _ => status == StatusCode::CREATED,
        };
        let made = || -> String {
            serde_json::from_str::<Value>(&text).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        if acknowledged {
            acks.push(match i % 3 {
                0 => {
                    meeting = made();
                    Ack::Meeting {
                        id: meeting.clone(),
                        group: group.to_owned(),
                    }
                }
                1 => Ack::Attendance {
                    meeting: meeting.clone(),
                    entries: body["attendance"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| {
                            (
                                e["member"].as_str().unwrap().to_owned(),
                                e["presence"].as_str().unwrap().to_owned(),
                            )
                        })
                        .collect(),
                },
                _ => Ack::Contact {
                    id: made(),
                    a: body["a"].as_str().unwrap().to_owned(),
                    b: body["b"].as_str().unwrap().to_owned(),
                },
            });
        }
        outcomes.push(Outcome {
            method,
            path,
            status,
            body: text,
        });
    }
    (outcomes, acks)
}

/// One import beside the server: requests answered when it began and when it ended, and
/// how long it took.
#[derive(Debug)]
struct Import {
    before: usize,
    after: usize,
    took: Duration,
}

/// Imports `study` into the file at `db` through its own connection, like `samskap import`
/// run beside the server: once a tenth of the requests are answered, then again (replacing
/// it) after each pause until the clients are done.
fn import_beside(
    db: PathBuf,
    study: Study,
    total: usize,
    answered: Arc<AtomicUsize>,
    done: Arc<AtomicBool>,
) -> Vec<Import> {
    while answered.load(Ordering::SeqCst) < total / 10 && !done.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(2));
    }
    let mut imports = Vec::new();
    loop {
        let replace = if imports.is_empty() {
            Replace::No
        } else {
            Replace::Yes
        };
        let started = Instant::now();
        let before = answered.load(Ordering::SeqCst);
        let mut store = Store::open(&db).expect("a second connection opens the store");
        store
            .import_study(&study, replace)
            .unwrap_or_else(|e| panic!("import {} ({replace:?}) failed: {e}", imports.len()));
        drop(store);
        imports.push(Import {
            before,
            after: answered.load(Ordering::SeqCst),
            took: started.elapsed(),
        });
        if done.load(Ordering::SeqCst) {
            return imports;
        }
        std::thread::sleep(IMPORT_PAUSE);
    }
}

/// Runs the scenario with `requests` writes per client, failing after `bound`.
async fn scenario(requests: usize, bound: Duration) {
    let answered = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    if tokio::time::timeout(bound, run(requests, answered.clone()))
        .await
        .is_err()
    {
        panic!(
            "the test did not finish within {bound:?}: {} of {} writes answered in {:.1?}",
            answered.load(Ordering::SeqCst),
            CLIENTS * requests,
            started.elapsed()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_beside_imports_are_all_kept() {
    let requests = std::env::var("SAMSKAP_CONCURRENCY_WRITES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(REQUESTS);
    // A bound that grows with the load: the test stops by itself, never hangs CI.
    let bound = Duration::from_secs(60).max(Duration::from_secs(2) * requests as u32);
    scenario(requests, bound).await;
}

async fn run(requests: usize, answered: Arc<AtomicUsize>) {
    let total = CLIENTS * requests;
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("api.db");
    let mut thesis = samskap_bundle::read(&fixture()).unwrap();
    let copy = thesis_copy(dir.path());
    let members = Arc::new(widen(&mut thesis));
    let token = {
        let mut store = Store::open(&db).unwrap();
        store.import_study(&thesis, Replace::No).unwrap();
        store.create_token("admin", TokenRole::Admin, &[]).unwrap()
    };

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = db.clone();
    let server = tokio::spawn(async move {
        samskap_api::serve(listener, served, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });

    let done = Arc::new(AtomicBool::new(false));
    let importer = {
        let (db, answered, done) = (db.clone(), answered.clone(), done.clone());
        std::thread::spawn(move || import_beside(db, copy, total, answered, done))
    };
    let clients: Vec<_> = (0..CLIENTS)
        .map(|n| {
            tokio::spawn(client(
                n,
                requests,
                base.clone(),
                token.clone(),
                members.clone(),
                answered.clone(),
            ))
        })
        .collect();
    let mut outcomes = Vec::new();
    let mut acks = Vec::new();
    for c in clients {
        let (o, a) = c.await.expect("a client task panicked");
        outcomes.extend(o);
        acks.extend(a);
    }
    let writes_took = started.elapsed();
    done.store(true, Ordering::SeqCst);
    let imports = tokio::task::spawn_blocking(move || importer.join())
        .await
        .unwrap()
        .expect("every import succeeded");
    let _ = stop.send(());
    server.await.unwrap();
    eprintln!(
        "{} requests in {writes_took:.1?}; {} imports beside them ({} with requests answered \
         while they ran), the longest {:.1?}",
        outcomes.len(),
        imports.len(),
        imports.iter().filter(|i| i.after > i.before).count(),
        imports.iter().map(|i| i.took).max().unwrap_or_default()
    );

    // No server error of any kind; a 503 is the store giving up under contention.
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| o.status.is_server_error())
        .take(10)
        .map(|o| format!("{} {} -> {} {}", o.method, o.path, o.status, o.body))
        .collect();
    let server_errors = outcomes
        .iter()
        .filter(|o| o.status.is_server_error())
        .count();
    assert!(
        failed.is_empty(),
        "{server_errors} of {} writes got a server error, first ones:\n{}",
        outcomes.len(),
        failed.join("\n")
    );
    // Every request is a valid write with a fresh id, so every one is acknowledged.
    let refused: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.status.is_success())
        .take(10)
        .map(|o| format!("{} {} -> {} {}", o.method, o.path, o.status, o.body))
        .collect();
    assert!(
        refused.is_empty(),
        "writes refused:\n{}",
        refused.join("\n")
    );
    assert_eq!(acks.len(), total);

    // The imports overlapped the clients' writes.
    assert!(
        imports.iter().any(|i| i.before < total),
        "no import ran while the clients wrote: {imports:?}"
    );

    // Everything acknowledged is stored.
    let store = Store::open(&db).unwrap();
    let sid: StudyId = STUDY.parse().unwrap();
    let loaded = store.load_study(&sid).unwrap();
    let record = loaded.facilitation();
    let (mut meetings, mut attendances, mut contacts) = (0, 0, 0);
    for ack in &acks {
        match ack {
            Ack::Meeting { id, group } => {
                let (m, _) = record
                    .meeting(&id.parse().unwrap())
                    .unwrap_or_else(|| panic!("acknowledged meeting `{id}` is missing"));
                assert_eq!(m.group.as_str(), group, "meeting `{id}`");
                meetings += 1;
            }
            Ack::Attendance { meeting, entries } => {
                let (_, stored) = record
                    .meeting(&meeting.parse().unwrap())
                    .unwrap_or_else(|| panic!("meeting `{meeting}` with attendance is missing"));
                let stored: Vec<(String, String)> = stored
                    .iter()
                    .map(|a| {
                        let p = serde_json::to_value(a.presence).unwrap();
                        (a.member.to_string(), p.as_str().unwrap().to_owned())
                    })
                    .collect();
                assert_eq!(&stored, entries, "attendance of `{meeting}`");
                attendances += 1;
            }
            Ack::Contact { id, a, b } => {
                let c = record
                    .contacts()
                    .iter()
                    .find(|c| c.id.as_str() == id)
                    .unwrap_or_else(|| panic!("acknowledged contact `{id}` is missing"));
                assert_eq!((c.a.as_str(), c.b.as_str()), (a.as_str(), b.as_str()));
                contacts += 1;
            }
        }
    }
    eprintln!("checked {meetings} meetings, {attendances} attendances, {contacts} contacts");

    // The imported copy is whole, and the thesis study kept its own record beside it.
    let copy_id: StudyId = COPY.parse().unwrap();
    let copy = store.load_study(&copy_id).unwrap();
    assert_eq!(copy.informants().len(), thesis.informants().len());
    assert_eq!(copy.codings().len(), thesis.codings().len());
    assert_eq!(
        copy.facilitation().meetings().len(),
        thesis.facilitation().meetings().len()
    );
    assert_eq!(
        record.meetings().len(),
        thesis.facilitation().meetings().len() + meetings
    );
    assert_eq!(
        record.contacts().len(),
        thesis.facilitation().contacts().len() + contacts
    );

    // Every write is in the audit log too.
    let log = store.audit_log(total * 2).unwrap();
    let logged = log
        .iter()
        .filter(|e| e.token_name == "admin" && (200..300).contains(&e.status))
        .count();
    assert_eq!(logged, total, "audit entries of the writes");
    eprintln!("took {:.1?} in all", started.elapsed());
}
