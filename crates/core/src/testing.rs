//! A small study built in code, shared by the unit tests of this crate.

use crate::*;

pub(crate) fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap()
}

/// Bentzen's polarity, as a coding carries it.
pub(crate) fn barrier() -> Qualifiers {
    id("polarity=barrier")
}

/// The other polarity.
pub(crate) fn opportunity() -> Qualifiers {
    id("polarity=opportunity")
}

pub(crate) fn informant(i: &str, group: Option<&str>, consent: ActiveConsent) -> Informant {
    Informant {
        id: id(i),
        details: Some(InformantDetails {
            attributes: Default::default(),
            role: if group.is_some() {
                Role::Participant
            } else {
                Role::Facilitator
            },
            group: group.map(id),
            workplace: Some("NAV".into()),
            position: None,
            interview_date: None,
            consent,
        }),
    }
}

/// Two groups, three informants (I3 ungrouped facilitator), transcripts, codings by A and B.
pub(crate) fn study() -> Study {
    let fw = Framework::builtin("bentzen-2018").unwrap();
    let mut s = Study::new(
        StudyMeta {
            id: id("s"),
            title: "S".into(),
            research_question: None,
            method: None,
            period_start: None,
            period_end: None,
            framework: fw.id().clone(),
            provenance: crate::Provenance::Illustrative,
            language: None,
        },
        fw,
    )
    .unwrap();
    s.add_municipality(Municipality {
        id: id("M1"),
        name: "Kommune 1".into(),
    })
    .unwrap();
    for g in ["G1", "G2"] {
        s.add_group(ResourceGroup {
            attributes: Default::default(),
            id: id(g),
            name: g.into(),
            municipalities: vec![id("M1")],
            period_start: None,
            period_end: None,
            studied: true,
        })
        .unwrap();
    }
    s.add_informant(informant("I1", Some("G1"), ActiveConsent::Given))
        .unwrap();
    s.add_informant(informant("I2", Some("G2"), ActiveConsent::Pending))
        .unwrap();
    s.add_informant(informant("I3", None, ActiveConsent::Given))
        .unwrap();
    let texts = [
        (
            "I1",
            "Vi har for lite tid til dette arbeidet. Men gruppa gir oss nye kontakter på tvers.",
        ),
        (
            "I2",
            "Det er for lite tid. Lederne må forankre arbeidet i egen organisasjon.",
        ),
        (
            "I3",
            "Alle sier at det er for lite tid til samarbeid mellom tjenestene.",
        ),
    ];
    for (i, t) in texts {
        s.add_source(crate::Source::interview(&id(i)), Transcript::new(id(i), t))
            .unwrap();
    }
    let time: CodeId = id("resources/time-people-money");
    let infra: CodeId = id("structure/infrastructure");
    for (i, quote, code, pol, coder) in [
        (
            "I1",
            "Vi har for lite tid til dette arbeidet.",
            &time,
            barrier(),
            "A",
        ),
        (
            "I1",
            "Vi har for lite tid til dette arbeidet.",
            &time,
            barrier(),
            "B",
        ),
        (
            "I1",
            "Men gruppa gir oss nye kontakter på tvers.",
            &infra,
            opportunity(),
            "A",
        ),
        ("I2", "Det er for lite tid.", &time, barrier(), "A"),
        (
            "I3",
            "det er for lite tid til samarbeid",
            &time,
            barrier(),
            "A",
        ),
        (
            "I3",
            "det er for lite tid til samarbeid",
            &infra,
            barrier(),
            "B",
        ),
    ] {
        let unit = s.locate_unit(&id(i), &TextQuote::exact(quote)).unwrap();
        s.add_coding(Coding {
            unit,
            code: code.clone(),
            qualifiers: pol,
            coder: id(coder),
            memo: None,
            exemplar: false,
        })
        .unwrap();
    }
    s.add_memo(Memo {
        code: Some(time.clone()),
        author: id("A"),
        text: "Alle nevner tid. En sier: «Vi har for lite tid til dette arbeidet»".into(),
    })
    .unwrap();
    s.add_memo(Memo {
        code: Some(time),
        author: id("A"),
        text: "Tid er den største barrieren.".into(),
    })
    .unwrap();
    s
}
