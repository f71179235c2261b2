//! The analyst's assessments with their evidence: each group's place on the co-creation
//! ladder (a step or a range, of the group and of actors in it), and the institutional
//! logics of services, each with the quotes and the facts of the facilitation record cited
//! for it.
//!
//! A quote cited as evidence is shown under the same rules as Table 2's (an informant whose
//! consent is given, never a speaker's label) and one more: it stands beside what was
//! assessed, so it is shown only beside a group of at least k informants with consent.
//! Beside a service it is never shown: informants' workplaces (Table 1) are free text that
//! the record cannot tie to members' services, so the report cannot tell how few people a
//! quote beside "nav" could point to. It is counted instead.

use std::collections::HashMap;

use samskap_core::facilitation::{
    ladder_summary, Actor, Assessment, AssessmentValue, Evidence, Fact, InstitutionalLogic,
    LadderRange, MeetingKind, Presence, Subject,
};
use samskap_core::{CodingTable, Consent, GroupId, SourceId, Span, Study};

use crate::build::{figure_name, service_label, unlabelled_in, MAX_CHARTED_GROUPS};
use crate::chart::{self, Caption};
use crate::doc::{Block, Doc, Lang};
use crate::Options;

/// Adds the assessments section, when the record holds any.
pub(crate) fn assessments(study: &Study, table: &CodingTable, options: &Options, doc: &mut Doc) {
    let l = options.lang;
    let record = study.facilitation();
    if record.assessments().is_empty() {
        return;
    }
    doc.heading(2, l.pick("Assessments", "Vurderinger"));
    let cite = Cite::new(study, table, options);
    ladder(study, &cite, l, doc);
    logics(study, &cite, l, doc);
}

/// "step 4", "between 3 and 5".
fn range_text(r: LadderRange, l: Lang) -> String {
    match (l, r.is_step()) {
        (Lang::En, true) => format!("step {}", r.low()),
        (Lang::En, false) => format!("between steps {} and {}", r.low(), r.high()),
        (Lang::Nb, true) => format!("trinn {}", r.low()),
        (Lang::Nb, false) => format!("mellom trinn {} og {}", r.low(), r.high()),
    }
}

/// "the youth at step 3", "nav between 3 and 5".
fn placement_text(who: &str, r: LadderRange, l: Lang) -> String {
    let at = if r.is_step() {
        l.pick(" at", " på")
    } else {
        ""
    };
    format!("{who}{at} {}", range_text(r, l))
}

/// Who an actor is, in the report's language.
fn actor_text(a: &Actor, l: Lang) -> String {
    match a {
        Actor::Youth => l.pick("the youth", "ungdommene").to_owned(),
        Actor::Service(s) => service_label(s, l),
    }
}

fn group_name(study: &Study, g: &GroupId) -> String {
    study
        .groups()
        .iter()
        .find(|x| &x.id == g)
        .map_or_else(|| g.to_string(), |x| x.name.clone())
}

/// Who judged, and when.
fn by(a: &Assessment, l: Lang) -> String {
    format!("{}, {}", a.assessor, l.date(a.date))
}

fn ladder(study: &Study, cite: &Cite, l: Lang, doc: &mut Doc) {
    let record = study.facilitation();
    let placed: Vec<(&samskap_core::ResourceGroup, _)> = study
        .groups()
        .iter()
        .map(|g| (g, ladder_summary(record, &g.id)))
        .filter(|(_, s)| !s.is_empty())
        .collect();
    if placed.is_empty() {
        return;
    }
    doc.heading(3, l.pick("The co-creation ladder", "Samskapingsstigen"));
    doc.para(l.pick(
        "Each group's place on the co-creation ladder (Torfing et al. 2019), as the analysts placed it, as a whole and for actors in it: 1 citizens help themselves; 2 citizens also produce value for others with public services; 3 citizens give input on new services; 4 public and private actors design better services together; 5 relevant and affected actors take part in institutional arenas with joint agenda-setting, problem definition, design and testing.",
        "Hver gruppes plass på samskapingsstigen (Torfing et al. 2019), slik analytikerne plasserte den, som helhet og for aktører i den: 1 innbyggerne hjelper seg selv; 2 innbyggerne skaper også verdi for andre sammen med offentlige tjenester; 3 innbyggerne gir innspill til nye tjenester; 4 offentlige og private aktører utformer bedre tjenester sammen; 5 relevante og berørte aktører deltar på institusjonelle arenaer med felles dagsorden, problemdefinisjon, utforming og utprøving.",
    ));
    let mut rows = Vec::new();
    let mut said = Vec::new();
    for (g, summary) in &placed {
        let name = &g.name;
        let mut parts = Vec::new();
        if let Some(p) = &summary.overall {
            parts.push(range_text(p.range, l));
            for a in &p.assessments {
                rows.push(ladder_row(
                    study,
                    cite,
                    name,
                    Beside::Group(&g.id),
                    l.pick("the group", "gruppen"),
                    a,
                    l,
                ));
            }
        }
        for (actor, p) in &summary.actors {
            let who = actor_text(actor, l);
            parts.push(placement_text(&who, p.range, l));
            for a in &p.assessments {
                rows.push(ladder_row(study, cite, name, Beside::Narrower, &who, a, l));
            }
        }
        said.push(format!("{name}: {}", parts.join("; ")));
    }
    doc.para(format!("{}.", said.join(". ")));
    doc.table(
        l.pick(
            "Placements on the co-creation ladder, one row per assessment: the group or the actor placed, the step or the steps between which it lies, who placed it and when, and the evidence cited (the analyst's note first)",
            "Plasseringer på samskapingsstigen, én rad per vurdering: gruppen eller aktøren som er plassert, trinnet eller trinnene den ligger mellom, hvem som plasserte den og når, og belegget som er oppgitt (analytikerens merknad først)",
        ),
        &[
            l.pick("Group", "Gruppe"),
            l.pick("Actor placed", "Aktør"),
            l.pick("Step", "Trinn"),
            l.pick("Assessed by", "Vurdert av"),
            l.pick("Evidence", "Belegg"),
        ],
        rows,
    );
    if placed.len() <= MAX_CHARTED_GROUPS {
        ladder_chart(&placed, l, doc);
    }
}

fn ladder_row(
    study: &Study,
    cite: &Cite,
    name: &str,
    beside: Beside<'_>,
    who: &str,
    a: &Assessment,
    l: Lang,
) -> Vec<String> {
    let AssessmentValue::Ladder { range, .. } = &a.value else {
        unreachable!("ladder_summary gives ladder assessments only")
    };
    vec![
        name.to_owned(),
        who.to_owned(),
        range_text(*range, l),
        by(a, l),
        cite.evidence(study, a, beside),
    ]
}

fn ladder_chart(
    placed: &[(
        &samskap_core::ResourceGroup,
        samskap_core::facilitation::LadderSummary<'_>,
    )],
    l: Lang,
    doc: &mut Doc,
) {
    let mut actors: Vec<&Actor> = Vec::new();
    for (_, s) in placed {
        for (a, _) in &s.actors {
            if !actors.contains(&a) {
                actors.push(a);
            }
        }
    }
    let rows: Vec<chart::LadderRow> = placed
        .iter()
        .map(|(g, s)| chart::LadderRow {
            label: g.name.clone(),
            band: s
                .overall
                .as_ref()
                .map(|p| (f64::from(p.range.low()), f64::from(p.range.high()))),
            marks: s
                .actors
                .iter()
                .map(|(a, p)| {
                    (
                        actors.iter().position(|x| *x == a).unwrap_or(0),
                        (f64::from(p.range.low()), f64::from(p.range.high())),
                    )
                })
                .collect(),
        })
        .collect();
    let said: Vec<String> = placed
        .iter()
        .map(|(g, s)| {
            let mut parts: Vec<String> = s
                .overall
                .iter()
                .map(|p| placement_text(l.pick("the group", "gruppen"), p.range, l))
                .collect();
            parts.extend(
                s.actors
                    .iter()
                    .map(|(a, p)| placement_text(&actor_text(a, l), p.range, l)),
            );
            format!("{}: {}", g.name, parts.join(", "))
        })
        .collect();
    let steps = match l {
        Lang::En => [
            "1 help themselves",
            "2 co-produce value",
            "3 give input",
            "4 design together",
            "5 joint arenas",
        ],
        Lang::Nb => [
            "1 hjelper seg selv",
            "2 skaper verdi sammen",
            "3 gir innspill",
            "4 utformer sammen",
            "5 felles arenaer",
        ],
    };
    let f = chart::ladder(
        Caption {
            name: figure_name(doc, "co-creation ladder"),
            title: l
                .pick(
                    "The co-creation ladder: each group's place (band) and its actors' (markers)",
                    "Samskapingsstigen: hver gruppes plass (felt) og aktørenes (merker)",
                )
                .into(),
            description: match l {
                Lang::En => format!(
                    "Steps 1 to 5 of the co-creation ladder (Torfing et al. 2019), left to right; per group a band over the steps the group as a whole was placed between, and a marker per actor placed. {}.",
                    said.join("; ")
                ),
                Lang::Nb => format!(
                    "Trinn 1 til 5 på samskapingsstigen (Torfing et al. 2019), fra venstre mot høyre; per gruppe et felt over trinnene gruppen som helhet ble plassert mellom, og et merke per aktør som er plassert. {}.",
                    said.join("; ")
                ),
            },
            lang: l,
        },
        &chart::Ladder {
            steps: steps.map(str::to_owned).to_vec(),
            whole: l.pick("the group", "gruppen").to_owned(),
            actors: actors.iter().map(|a| actor_text(a, l)).collect(),
            rows,
        },
    );
    doc.blocks.push(Block::Figure(f));
}

/// "Traditional bureaucracy (TB)", in the report's language.
fn logic_text(logic: InstitutionalLogic, l: Lang) -> &'static str {
    match (logic, l) {
        (InstitutionalLogic::Tb, Lang::En) => "traditional bureaucracy (TB)",
        (InstitutionalLogic::Tb, Lang::Nb) => "tradisjonelt byråkrati (TB)",
        (InstitutionalLogic::Npm, _) => "New Public Management (NPM)",
        (InstitutionalLogic::Npg, _) => "New Public Governance (NPG)",
    }
}

fn logics(study: &Study, cite: &Cite, l: Lang, doc: &mut Doc) {
    let rows: Vec<Vec<String>> = study
        .facilitation()
        .assessments()
        .iter()
        .filter_map(|a| {
            let AssessmentValue::Logic(logics) = &a.value else {
                return None;
            };
            let (subject, beside) = match &a.subject {
                Subject::Group(g) => (group_name(study, g), Beside::Group(g)),
                Subject::Service(s) => (service_label(s, l), Beside::Narrower),
            };
            Some(vec![
                subject,
                logics
                    .iter()
                    .map(|x| logic_text(x, l))
                    .collect::<Vec<_>>()
                    .join(l.pick(" and ", " og ")),
                by(a, l),
                cite.evidence(study, a, beside),
            ])
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    doc.heading(
        3,
        l.pick("Institutional logics", "Institusjonelle logikker"),
    );
    doc.table(
        l.pick(
            "The institutional logics each service (or group) was judged to follow, several at once where the analyst saw them together, with who judged it and when, and the evidence cited (the analyst's note first)",
            "De institusjonelle logikkene hver tjeneste (eller gruppe) ble vurdert å følge, flere samtidig der analytikeren så dem sammen, med hvem som vurderte og når, og belegget som er oppgitt (analytikerens merknad først)",
        ),
        &[
            l.pick("Service or group", "Tjeneste eller gruppe"),
            l.pick("Logics", "Logikker"),
            l.pick("Assessed by", "Vurdert av"),
            l.pick("Evidence", "Belegg"),
        ],
        rows,
    );
}

/// What a cited quote would stand beside.
#[derive(Clone, Copy)]
enum Beside<'a> {
    /// A group as a whole.
    Group(&'a GroupId),
    /// A service, or an actor within a group (its youth, one service's members): fewer
    /// people than the report can count among the informants, so no quote is shown.
    Narrower,
}

/// What the evidence cells need, gathered once: the table's sources by id, and each
/// group's informants with consent.
struct Cite<'a> {
    table: &'a CodingTable,
    sources: HashMap<&'a SourceId, usize>,
    consented: HashMap<&'a GroupId, usize>,
    /// Members per service: a contact names only services of at least k members.
    services: HashMap<&'a str, usize>,
    k: usize,
    l: Lang,
}

impl<'a> Cite<'a> {
    fn new(study: &'a Study, table: &'a CodingTable, options: &Options) -> Self {
        let mut consented: HashMap<&GroupId, usize> = HashMap::new();
        for i in study.informants() {
            if let (Consent::Given, Some(g)) = (i.consent(), i.group()) {
                *consented.entry(g).or_default() += 1;
            }
        }
        let mut services: HashMap<&str, usize> = HashMap::new();
        for m in study.members() {
            if let Some(s) = &m.service {
                *services.entry(s.as_str()).or_default() += 1;
            }
        }
        Cite {
            table,
            services,
            sources: table
                .sources()
                .iter()
                .enumerate()
                .map(|(k, s)| (&s.id, k))
                .collect(),
            consented,
            k: options.small_group,
            l: options.lang,
        }
    }

    /// The evidence cell of an assessment: its note, then each quote and fact cited.
    fn evidence(&self, study: &Study, a: &Assessment, beside: Beside<'_>) -> String {
        let l = self.l;
        let mut paras: Vec<String> = a.note.iter().cloned().collect();
        let mut kept_back = 0;
        for e in &a.evidence {
            match e {
                Evidence::Quote { source, start, end } => {
                    match self.quote(study, source, *start, *end, beside) {
                        Some(q) => paras.push(q),
                        None => kept_back += 1,
                    }
                }
                Evidence::Fact(f) => paras.push(self.fact(study, f)),
            }
        }
        if kept_back > 0 {
            let n = l.count(kept_back, ("quote", "quotes"), ("sitat", "sitater"));
            paras.push(match l {
                Lang::En => format!("({n} cited, not shown: a quote is shown only from informants whose consent is given, and beside a group of at least {} of them)", self.k),
                Lang::Nb => format!("({n} oppgitt, ikke vist: et sitat vises bare fra informanter som har gitt samtykke, og ved siden av en gruppe med minst {} av dem)", self.k),
            });
        }
        if paras.is_empty() {
            "–".to_owned()
        } else {
            paras.join("\n\n")
        }
    }

    /// A quoted span, if the report may show it here: every informant who speaks in it
    /// has given consent, and it stands beside a group of at least k informants with
    /// consent.
    fn quote(
        &self,
        study: &Study,
        source: &SourceId,
        start: usize,
        end: usize,
        beside: Beside<'_>,
    ) -> Option<String> {
        let Beside::Group(g) = beside else {
            return None;
        };
        if self.consented.get(g).copied().unwrap_or(0) < self.k {
            return None;
        }
        let t = study.transcript(source)?;
        let span = Span::new(start, end, t.char_len()).ok()?;
        let k = *self.sources.get(source)?;
        let mut voices = Vec::new();
        self.table.sources()[k].voices.of(span, &mut voices);
        let informants = self.table.informants();
        if voices
            .iter()
            .any(|&v| informants[v as usize].consent() != Consent::Given)
        {
            return None;
        }
        let text = unlabelled_in(study, source, start, t.slice(span)).replace("\n\n", "\n");
        let (open, close) = (self.l.pick("“", "«"), self.l.pick("”", "»"));
        Some(format!("{open}{}{close}", text.trim()))
    }
}

impl Cite<'_> {
    /// A fact of the record as evidence, in words: what happened, never who (a contact is
    /// named by its members' services, each only when it has at least k members).
    fn fact(&self, study: &Study, f: &Fact) -> String {
        let l = self.l;
        let record = study.facilitation();
        // A fact the record no longer holds (it was checked when the assessment was made).
        let missing = || {
            let kind = match (f, l) {
                (_, Lang::En) => f.kind(),
                (Fact::Meeting(_), Lang::Nb) => "møte",
                (Fact::Statement(_), Lang::Nb) => "problemstilling",
                (Fact::Practice(_), Lang::Nb) => "PD-praksis",
                (Fact::Action(_), Lang::Nb) => "prøvehandling",
                (Fact::Dissemination(_), Lang::Nb) => "formidling",
                (Fact::Contact(_), Lang::Nb) => "kontakt",
            };
            format!("{kind} {}", f.id())
        };
        match f {
            Fact::Meeting(id) => record.meeting(id).map_or_else(missing, |(m, attendance)| {
                let kind = match (m.kind, l) {
                    (MeetingKind::Information, Lang::En) => "information meeting",
                    (MeetingKind::Group, Lang::En) => "group meeting",
                    (MeetingKind::Workshop, Lang::En) => "workshop",
                    (MeetingKind::Information, Lang::Nb) => "informasjonsmøte",
                    (MeetingKind::Group, Lang::Nb) => "gruppemøte",
                    (MeetingKind::Workshop, Lang::Nb) => "workshop",
                };
                let present = attendance
                    .iter()
                    .filter(|a| a.presence == Presence::Present)
                    .count();
                let (group, date) = (group_name(study, &m.group), l.date(m.date));
                match (l, attendance.is_empty()) {
                    (Lang::En, true) => format!("{group}'s {kind} on {date}"),
                    (Lang::En, false) => format!(
                        "{group}'s {kind} on {date}: {present} of {} members recorded present",
                        attendance.len()
                    ),
                    (Lang::Nb, true) => {
                        format!("{} i {group}, {date}", crate::build::capitalise(kind))
                    }
                    (Lang::Nb, false) => format!(
                        "{} i {group}, {date}: {present} av {} registrerte medlemmer til stede",
                        crate::build::capitalise(kind),
                        attendance.len()
                    ),
                }
            }),
            Fact::Statement(id) => record
                .statements()
                .iter()
                .find(|s| &s.id == id)
                .map_or_else(missing, |s| {
                    let agreed = s.agreed.map_or_else(
                        || l.pick("a draft", "et utkast").to_owned(),
                        |d| format!("{} {}", l.pick("agreed", "omforent"), l.date(d)),
                    );
                    format!(
                        "{} ({agreed}): {}",
                        l.pick("Problem statement", "Problemstilling"),
                        s.text
                    )
                }),
            Fact::Practice(id) => record
                .practices()
                .iter()
                .find(|p| &p.id == id)
                .map_or_else(missing, |p| {
                    format!("{}: {}", l.pick("PD practice", "PD-praksis"), p.description)
                }),
            Fact::Action(id) => {
                record
                    .actions()
                    .iter()
                    .find(|a| &a.id == id)
                    .map_or_else(missing, |a| {
                        let (open, close) = (l.pick("“", "«"), l.pick("”", "»"));
                        format!(
                            "{} {open}{}{close}, {} ({})",
                            l.pick("Trial action", "Prøvehandling"),
                            a.title,
                            l.action_state(a.state()),
                            group_name(study, &a.group)
                        )
                    })
            }
            Fact::Dissemination(id) => {
                record
                    .events()
                    .iter()
                    .find(|e| &e.id == id)
                    .map_or_else(missing, |e| match l {
                        Lang::En => format!(
                            "Dissemination to {} on {} ({})",
                            e.audience,
                            l.date(e.date),
                            group_name(study, &e.group)
                        ),
                        Lang::Nb => format!(
                            "Formidling til {} {} ({})",
                            e.audience,
                            l.date(e.date),
                            group_name(study, &e.group)
                        ),
                    })
            }
            Fact::Contact(id) => {
                record
                    .contacts()
                    .iter()
                    .find(|c| &c.id == id)
                    .map_or_else(missing, |c| {
                        // A service of fewer than k members would name the people.
                        let service = |m| {
                            study
                                .roster()
                                .member(m)
                                .and_then(|m| m.service.as_deref())
                                .filter(|s| self.services.get(s).copied().unwrap_or(0) >= self.k)
                                .map_or_else(
                                    || l.pick("a smaller service", "en mindre tjeneste").to_owned(),
                                    |s| service_label(s, l),
                                )
                        };
                        let (a, b, date) = (service(&c.a), service(&c.b), l.date(c.date));
                        let small = l.pick("a smaller service", "en mindre tjeneste");
                        if a == small && b == small {
                            return match l {
                                Lang::En => {
                                    format!("A new contact between two smaller services on {date}")
                                }
                                Lang::Nb => {
                                    format!("En ny kontakt mellom to mindre tjenester, {date}")
                                }
                            };
                        }
                        match l {
                            Lang::En => format!("A new contact between {a} and {b} on {date}"),
                            Lang::Nb => format!("En ny kontakt mellom {a} og {b}, {date}"),
                        }
                    })
            }
        }
    }
}
