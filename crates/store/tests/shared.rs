//! The shared store of a server: its copies in memory agree with the file after its own
//! writes, refused writes, and writes by other connections.

use std::path::Path;

use samskap_core::facilitation::{Attendance, Meeting, MeetingKind, Presence};
use samskap_core::{Study, StudyId};
use samskap_store::{AuditEntry, Replace, SharedStore, Store, StoreError, TokenRole};

fn thesis() -> Study {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ung-inkludering-demo");
    samskap_bundle::read(&dir).unwrap()
}

fn meeting(id: &str, group: &str) -> Meeting {
    Meeting {
        id: id.parse().unwrap(),
        group: group.parse().unwrap(),
        kind: MeetingKind::Group,
        date: "2023-03-01".parse().unwrap(),
        note: None,
    }
}

fn meeting_ids(shared: &SharedStore, study: &StudyId) -> Vec<String> {
    shared
        .record(study, |s| {
            s.facilitation()
                .meetings()
                .iter()
                .map(|(m, _)| m.id.to_string())
                .collect()
        })
        .unwrap()
}

/// The copy in memory is what a fresh load of the file gives.
fn agrees_with_file(shared: &SharedStore, path: &Path, study: &StudyId) {
    let fresh = Store::open(path).unwrap().load_study(study).unwrap();
    shared
        .record(study, |s| {
            assert_eq!(s.facilitation(), fresh.facilitation());
            assert_eq!(s.members(), fresh.members());
            assert_eq!(s.informants(), fresh.informants());
            assert_eq!(s.transcripts(), fresh.transcripts());
            assert_eq!(s.memos(), fresh.memos());
            // The record leaves the meaning units and codings out.
            assert!(s.codings().is_empty() && s.units().is_empty());
        })
        .unwrap();
}

#[test]
fn the_copy_follows_own_writes_refusals_and_other_connections() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let study = thesis();
    let sid = study.meta().id.clone();
    let group = study.groups()[0].id.clone();
    let member = study
        .members()
        .iter()
        .find(|m| m.group == group)
        .unwrap()
        .id
        .clone();
    Store::open(&path)
        .unwrap()
        .import_study(&study, Replace::No)
        .unwrap();

    let shared = SharedStore::open(&path).unwrap();
    let before = meeting_ids(&shared, &sid);

    // A write through the shared store shows at once.
    shared
        .write(|w| w.add_meeting(&sid, &meeting("M-shared", group.as_str())))
        .unwrap();
    let attendance = [Attendance {
        member: member.clone(),
        presence: Presence::Present,
    }];
    shared
        .write(|w| w.set_attendance(&sid, &"M-shared".parse().unwrap(), &attendance))
        .unwrap();
    let after = meeting_ids(&shared, &sid);
    assert_eq!(after.len(), before.len() + 1);
    assert!(after.contains(&"M-shared".to_owned()));
    agrees_with_file(&shared, &path, &sid);

    // A write by another connection (the CLI) shows on the next request.
    Store::open(&path)
        .unwrap()
        .add_meeting(&sid, &meeting("M-cli", group.as_str()))
        .unwrap();
    let seen = meeting_ids(&shared, &sid);
    assert!(seen.contains(&"M-cli".to_owned()), "{seen:?}");

    // A refused write leaves the copy as stored.
    let err = shared
        .write(|w| w.add_meeting(&sid, &meeting("M-cli", group.as_str())))
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Refused { conflict: true, .. }),
        "{err:?}"
    );
    assert_eq!(meeting_ids(&shared, &sid), seen);
    agrees_with_file(&shared, &path, &sid);

    // An import through the writer connection itself (not a checked write) is seen too.
    shared
        .write(|w| w.import_study(&study, Replace::DiscardFacilitation))
        .unwrap();
    assert_eq!(meeting_ids(&shared, &sid), before);
    agrees_with_file(&shared, &path, &sid);
}

#[test]
fn an_audit_entry_commits_with_its_write_or_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let study = thesis();
    let sid = study.meta().id.clone();
    let group = study.groups()[0].id.clone();
    Store::open(&path)
        .unwrap()
        .import_study(&study, Replace::No)
        .unwrap();
    Store::open(&path)
        .unwrap()
        .create_token("kari", TokenRole::Admin, &[])
        .unwrap();
    let shared = SharedStore::open(&path).unwrap();
    let entry = |status: u16| AuditEntry {
        token_name: "kari".into(),
        method: "POST".into(),
        path: "/meetings".into(),
        object_id: Some("M-audit".into()),
        status,
    };
    let logged = || {
        Store::open(&path)
            .unwrap()
            .audit_log(100)
            .unwrap()
            .iter()
            .map(|r| r.status)
            .collect::<Vec<_>>()
    };

    // Written: the entry committed with the meeting.
    let (out, back) = shared.write_audited(entry(201), |w| {
        w.add_meeting(&sid, &meeting("M-audit", group.as_str()))
    });
    out.unwrap();
    assert_eq!(back, None);
    assert_eq!(logged(), [201]);

    // Refused: nothing committed, and the entry comes back to be logged with the refusal.
    let (out, back) = shared.write_audited(entry(201), |w| {
        w.add_meeting(&sid, &meeting("M-audit", group.as_str()))
    });
    assert!(matches!(
        out,
        Err(StoreError::Refused { conflict: true, .. })
    ));
    assert_eq!(back, Some(entry(201)));
    assert_eq!(logged(), [201]);
}

#[test]
fn a_token_revoked_while_its_request_is_in_flight_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let study = thesis();
    let sid = study.meta().id.clone();
    let group = study.groups()[0].id.clone();
    let mut cli = Store::open(&path).unwrap();
    cli.import_study(&study, Replace::No).unwrap();
    let secret = cli
        .create_token(
            "kari",
            TokenRole::Facilitator,
            &[(sid.clone(), group.clone())],
        )
        .unwrap();
    let shared = SharedStore::open(&path).unwrap();
    // The request is let in with a live token ...
    let caller = shared
        .read(|r| r.verify_token(&secret))
        .unwrap()
        .expect("live");
    // ... the token is revoked by another connection before the request writes ...
    cli.revoke_token("kari").unwrap();
    let entry = AuditEntry {
        token_name: caller.name.clone(),
        method: "POST".into(),
        path: "/meetings".into(),
        object_id: Some("M-late".into()),
        status: 201,
    };
    let before = meeting_ids(&shared, &sid);
    let (out, back) = shared.write_audited(entry.clone(), |w| {
        w.add_meeting(&sid, &meeting("M-late", group.as_str()))
    });
    // ... and the write, checked inside its transaction, makes nothing.
    assert!(
        matches!(&out, Err(StoreError::Revoked(name)) if name == "kari"),
        "{out:?}"
    );
    assert_eq!(back, Some(entry));
    assert_eq!(meeting_ids(&shared, &sid), before);
    agrees_with_file(&shared, &path, &sid);
    assert!(Store::open(&path)
        .unwrap()
        .audit_log(10)
        .unwrap()
        .is_empty());
    // A token that never existed writes nothing either.
    let ghost = AuditEntry {
        token_name: "nobody".into(),
        method: "POST".into(),
        path: "/meetings".into(),
        object_id: None,
        status: 201,
    };
    let (out, _) = shared.write_audited(ghost, |w| {
        w.add_meeting(&sid, &meeting("M-ghost", group.as_str()))
    });
    assert!(matches!(out, Err(StoreError::Revoked(_))), "{out:?}");
}
