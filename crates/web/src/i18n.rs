//! Every word the pages say, in English and Norwegian bokmål. A page's own words are the
//! fields of [`Texts`], so a string missing in one language does not compile; the model's
//! terms (PD phases and steps, action states, sectors) are named as the report names them
//! ([`Lang`]'s methods), so a facilitator reads the same words on the page and in the report.

use samskap_core::facilitation::{
    ActionKind, ActionState, FacilitationError, MeetingKind, PracticeLevel, Presence,
};
pub use samskap_report::Lang;
use samskap_store::Refusal;

/// The pages' own words in one language.
pub struct Texts {
    pub app_name: &'static str,
    pub skip: &'static str,
    pub my_groups: &'static str,
    pub signed_in_as: &'static str,
    pub sign_out: &'static str,
    pub other_language: &'static str,
    pub other_language_tag: &'static str,
    pub sign_in: &'static str,
    pub token_label: &'static str,
    pub token_help: &'static str,
    pub bad_token: &'static str,
    pub sign_in_expired: &'static str,
    pub signed_out: &'static str,
    pub study: &'static str,
    pub no_groups: &'static str,
    pub read_only: &'static str,
    pub members: &'static str,
    pub member: &'static str,
    pub sector: &'static str,
    pub service: &'static str,
    pub youth: &'static str,
    pub youth_heading: &'static str,
    pub add_member: &'static str,
    pub add_member_help: &'static str,
    pub service_help: &'static str,
    pub pd_youth: &'static str,
    pub meetings: &'static str,
    pub no_meetings: &'static str,
    pub todays_meeting: &'static str,
    pub no_meeting_today: &'static str,
    pub take_attendance: &'static str,
    pub add_meeting: &'static str,
    pub add_meeting_today: &'static str,
    pub pd_process: &'static str,
    pub now_at: &'static str,
    pub no_step: &'static str,
    pub record_move: &'static str,
    pub problem_statement: &'static str,
    pub agreed: &'static str,
    pub draft: &'static str,
    pub none_yet: &'static str,
    pub actions: &'static str,
    pub contacts: &'static str,
    pub analytics: &'static str,
    pub back_to_group: &'static str,
    pub date: &'static str,
    pub kind: &'static str,
    pub note: &'static str,
    pub optional: &'static str,
    pub saved: &'static str,
    pub attendance: &'static str,
    pub attendance_help: &'static str,
    pub present: &'static str,
    pub absent: &'static str,
    pub excused: &'static str,
    pub save_attendance: &'static str,
    pub recorded: &'static str,
    pub information_meeting: &'static str,
    pub group_meeting: &'static str,
    pub workshop: &'static str,
    pub phase: &'static str,
    pub step: &'static str,
    pub entered: &'static str,
    pub left: &'static str,
    pub moved_back: &'static str,
    pub move_help: &'static str,
    pub new_action: &'static str,
    pub title: &'static str,
    pub trial_action: &'static str,
    pub intervention: &'static str,
    pub state: &'static str,
    pub history: &'static str,
    pub mark_as: &'static str,
    pub finished: &'static str,
    pub add: &'static str,
    pub propose_statement: &'static str,
    pub text: &'static str,
    pub drafted: &'static str,
    pub participants: &'static str,
    pub mark_agreed: &'static str,
    pub new_contact: &'static str,
    pub one_member: &'static str,
    pub other_member: &'static str,
    pub choose: &'static str,
    pub record: &'static str,
    pub across_sectors: &'static str,
    pub composition: &'static str,
    pub blau: &'static str,
    pub by_service: &'static str,
    pub by_sector: &'static str,
    pub by_month: &'static str,
    pub month: &'static str,
    pub rate: &'static str,
    pub present_of_recorded: &'static str,
    pub no_attendance: &'static str,
    pub charts: &'static str,
    pub no_charts: &'static str,
    pub no_service: &'static str,
    pub error_title: &'static str,
    pub forbidden: &'static str,
    pub not_found: &'static str,
    pub csrf: &'static str,
    pub cross_site: &'static str,
    pub busy: &'static str,
    pub server: &'static str,
    pub refused: &'static str,
    pub not_a_member: &'static str,
    pub form_unreadable: &'static str,
    pub record_page: &'static str,
    pub rules: &'static str,
    pub frequency: &'static str,
    pub place: &'static str,
    pub leader: &'static str,
    pub disagreement: &'static str,
    pub rules_help: &'static str,
    pub save_rules: &'static str,
    pub practices: &'static str,
    pub level: &'static str,
    pub individual: &'static str,
    pub organisation: &'static str,
    pub group_level: &'static str,
    pub description: &'static str,
    pub observed: &'static str,
    pub add_practice: &'static str,
    pub disseminations: &'static str,
    pub audience: &'static str,
    pub action_spread: &'static str,
    pub no_action: &'static str,
    pub add_dissemination: &'static str,
}

/// English.
pub const EN: Texts = Texts {
    app_name: "samskap",
    skip: "Skip to the content",
    my_groups: "My groups",
    signed_in_as: "Signed in as",
    sign_out: "Sign out",
    other_language: "Norsk (bokmål)",
    other_language_tag: "nb",
    sign_in: "Sign in",
    token_label: "Your token",
    token_help: "Paste the token you were given (it begins with sk_). It is checked once; this browser then stays signed in for up to 12 hours without use, 7 days at most.",
    bad_token: "That token is not valid, or it has been revoked.",
    sign_in_expired: "The sign-in form had expired. Paste the token again.",
    signed_out: "You are signed out.",
    study: "Study",
    no_groups: "There are no groups to show.",
    read_only: "Your role can read this group but not change it.",
    members: "Members",
    member: "Member",
    sector: "Sector",
    service: "Service",
    youth: "youth",
    youth_heading: "Youth (of them PD youth)",
    add_member: "Add a member",
    add_member_help: "Members are known by an id the group's page gives them; no name is stored.",
    service_help: "The service or organisation they come from (nav, school, health …).",
    pd_youth: "PD youth",
    meetings: "Meetings",
    no_meetings: "No meetings recorded yet.",
    todays_meeting: "Today's meeting",
    no_meeting_today: "No meeting is recorded for today.",
    take_attendance: "Take attendance",
    add_meeting: "Add a meeting",
    add_meeting_today: "Add today's meeting",
    pd_process: "PD process",
    now_at: "Now at",
    no_step: "No step recorded yet.",
    record_move: "Record a move",
    problem_statement: "Problem statement",
    agreed: "Agreed",
    draft: "Draft",
    none_yet: "None yet.",
    actions: "Trial actions",
    contacts: "New contacts",
    analytics: "Analytics",
    back_to_group: "Back to the group",
    date: "Date",
    kind: "Kind",
    note: "Note",
    optional: "optional",
    saved: "Saved.",
    attendance: "Attendance",
    attendance_help: "Choose for each member. A member left without a choice is not recorded.",
    present: "Present",
    absent: "Absent",
    excused: "Excused",
    save_attendance: "Save attendance",
    recorded: "recorded",
    information_meeting: "Information meeting",
    group_meeting: "Group meeting",
    workshop: "Workshop",
    phase: "Phase",
    step: "Step",
    entered: "Entered",
    left: "Left",
    moved_back: "back to an earlier step",
    move_help: "The step the group moves to, and when. A move back to an earlier step is recorded as one.",
    new_action: "New trial action",
    title: "Title",
    trial_action: "Trial action",
    intervention: "Intervention",
    state: "State",
    history: "History",
    mark_as: "Mark as",
    finished: "Finished: there is no later state.",
    add: "Add",
    propose_statement: "Propose a problem statement",
    text: "Text",
    drafted: "Drafted",
    participants: "Who took part",
    mark_agreed: "Mark as agreed",
    new_contact: "A new contact between two members",
    one_member: "One member",
    other_member: "The other member",
    choose: "Choose…",
    record: "Record",
    across_sectors: "across sectors",
    composition: "Composition",
    blau: "Blau index of sector diversity",
    by_service: "Attendance by service",
    by_sector: "Attendance by sector",
    by_month: "Attendance by month",
    month: "Month",
    rate: "Rate",
    present_of_recorded: "Present/recorded",
    no_attendance: "No attendance recorded yet.",
    charts: "Charts",
    no_charts: "Nothing to chart yet: charts need recorded attendance or PD moves.",
    no_service: "(no service)",
    error_title: "That did not work",
    forbidden: "You have no access to this.",
    not_found: "There is no such page.",
    csrf: "The form's security code is missing or wrong. Reload the page and send the form again.",
    cross_site: "This form was sent from another site, so it was refused.",
    busy: "The store is busy. Try again in a moment.",
    server: "The server could not complete this; its log has the details.",
    refused: "The change was refused",
    not_a_member: "This is not a member of the group.",
    form_unreadable: "The form could not be read. Reload the page and try again.",
    record_page: "Rules, practices and dissemination",
    rules: "Group rules",
    frequency: "How often it meets",
    place: "Where it meets",
    leader: "Who leads",
    disagreement: "How disagreement is handled",
    rules_help: "Leave a field empty when the group has not agreed on it.",
    save_rules: "Save the rules",
    practices: "Positive deviant practices",
    level: "Level",
    individual: "Individual",
    organisation: "Organisation",
    group_level: "Group",
    description: "What it is",
    observed: "Observed on",
    add_practice: "Add a practice",
    disseminations: "Dissemination",
    audience: "To whom",
    action_spread: "The trial action spread",
    no_action: "None",
    add_dissemination: "Record a dissemination",
};

/// Norwegian bokmål.
pub const NB: Texts = Texts {
    app_name: "samskap",
    skip: "Hopp til innholdet",
    my_groups: "Mine grupper",
    signed_in_as: "Logget inn som",
    sign_out: "Logg ut",
    other_language: "English",
    other_language_tag: "en",
    sign_in: "Logg inn",
    token_label: "Tokenet ditt",
    token_help: "Lim inn tokenet du har fått (det begynner med sk_). Det sjekkes én gang; deretter holder denne nettleseren deg innlogget i opptil 12 timer uten bruk, høyst 7 dager.",
    bad_token: "Det tokenet er ikke gyldig, eller det er trukket tilbake.",
    sign_in_expired: "Innloggingsskjemaet var utløpt. Lim inn tokenet på nytt.",
    signed_out: "Du er logget ut.",
    study: "Studie",
    no_groups: "Det er ingen grupper å vise.",
    read_only: "Rollen din kan lese denne gruppen, men ikke endre den.",
    members: "Medlemmer",
    member: "Medlem",
    sector: "Sektor",
    service: "Tjeneste",
    youth: "ungdom",
    youth_heading: "Ungdom (av dem PD-ungdom)",
    add_member: "Legg til et medlem",
    add_member_help: "Medlemmer kjennes ved en id siden gir dem; ingen navn lagres.",
    service_help: "Tjenesten eller organisasjonen de kommer fra (nav, skole, helse …).",
    pd_youth: "PD-ungdom",
    meetings: "Møter",
    no_meetings: "Ingen møter registrert ennå.",
    todays_meeting: "Dagens møte",
    no_meeting_today: "Det er ikke registrert noe møte i dag.",
    take_attendance: "Registrer oppmøte",
    add_meeting: "Legg til et møte",
    add_meeting_today: "Legg til dagens møte",
    pd_process: "PD-prosessen",
    now_at: "Nå på",
    no_step: "Ingen steg registrert ennå.",
    record_move: "Registrer en bevegelse",
    problem_statement: "Problemformulering",
    agreed: "Omforent",
    draft: "Utkast",
    none_yet: "Ingen ennå.",
    actions: "Prøvehandlinger",
    contacts: "Nye kontakter",
    analytics: "Analyse",
    back_to_group: "Tilbake til gruppen",
    date: "Dato",
    kind: "Type",
    note: "Notat",
    optional: "valgfritt",
    saved: "Lagret.",
    attendance: "Oppmøte",
    attendance_help: "Velg for hvert medlem. Et medlem uten valg blir ikke registrert.",
    present: "Til stede",
    absent: "Fraværende",
    excused: "Meldt forfall",
    save_attendance: "Lagre oppmøte",
    recorded: "registrert",
    information_meeting: "Informasjonsmøte",
    group_meeting: "Gruppemøte",
    workshop: "Verksted",
    phase: "Fase",
    step: "Steg",
    entered: "Fra",
    left: "Til",
    moved_back: "tilbake til et tidligere steg",
    move_help: "Steget gruppen går til, og når. En bevegelse tilbake til et tidligere steg registreres som det.",
    new_action: "Ny prøvehandling",
    title: "Tittel",
    trial_action: "Prøvehandling",
    intervention: "Intervensjon",
    state: "Status",
    history: "Historikk",
    mark_as: "Merk som",
    finished: "Avsluttet: det er ingen senere status.",
    add: "Legg til",
    propose_statement: "Foreslå en problemformulering",
    text: "Tekst",
    drafted: "Utformet",
    participants: "Hvem deltok",
    mark_agreed: "Merk som omforent",
    new_contact: "En ny kontakt mellom to medlemmer",
    one_member: "Det ene medlemmet",
    other_member: "Det andre medlemmet",
    choose: "Velg …",
    record: "Registrer",
    across_sectors: "på tvers av sektorer",
    composition: "Sammensetning",
    blau: "Blau-indeks for sektormangfold",
    by_service: "Oppmøte per tjeneste",
    by_sector: "Oppmøte per sektor",
    by_month: "Oppmøte per måned",
    month: "Måned",
    rate: "Andel",
    present_of_recorded: "Til stede / registrert",
    no_attendance: "Ikke registrert oppmøte ennå.",
    charts: "Diagrammer",
    no_charts: "Ingenting å tegne ennå: diagrammene trenger registrert oppmøte eller PD-bevegelser.",
    no_service: "(ingen tjeneste)",
    error_title: "Det gikk ikke",
    forbidden: "Du har ikke tilgang til dette.",
    not_found: "Denne siden finnes ikke.",
    csrf: "Skjemaets sikkerhetskode mangler eller er feil. Last inn siden på nytt og send skjemaet igjen.",
    cross_site: "Skjemaet ble sendt fra et annet nettsted og ble derfor avvist.",
    busy: "Databasen er opptatt. Prøv igjen om litt.",
    server: "Tjeneren kunne ikke fullføre dette; loggen har detaljene.",
    refused: "Endringen ble avvist",
    not_a_member: "Dette er ikke et medlem av gruppen.",
    form_unreadable: "Skjemaet kunne ikke leses. Last inn siden på nytt og prøv igjen.",
    record_page: "Regler, praksiser og spredning",
    rules: "Gruppens regler",
    frequency: "Hvor ofte gruppen møtes",
    place: "Hvor gruppen møtes",
    leader: "Hvem som leder",
    disagreement: "Hvordan uenighet håndteres",
    rules_help: "La et felt stå tomt når gruppen ikke har avtalt det.",
    save_rules: "Lagre reglene",
    practices: "Positivt avvikende praksiser",
    level: "Nivå",
    individual: "Individ",
    organisation: "Organisasjon",
    group_level: "Gruppe",
    description: "Hva den går ut på",
    observed: "Observert",
    add_practice: "Legg til en praksis",
    disseminations: "Spredning",
    audience: "Til hvem",
    action_spread: "Prøvehandlingen som ble spredt",
    no_action: "Ingen",
    add_dissemination: "Registrer spredning",
};

/// A level of a positive deviant practice, in `t`'s words.
pub fn practice_level(t: &Texts, l: PracticeLevel) -> &'static str {
    match l {
        PracticeLevel::Individual => t.individual,
        PracticeLevel::Group => t.group_level,
        PracticeLevel::Organisation => t.organisation,
    }
}

/// The words of `lang`.
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::En => &EN,
        Lang::Nb => &NB,
    }
}

/// The language an `Accept-Language` header prefers among the two: the first of its ranges
/// (by quality, then order) that is Norwegian (`nb`, `no`, `nn`: a reader of nynorsk reads
/// bokmål better than English) or English; English when none is.
pub fn from_accept_language(header: Option<&str>) -> Lang {
    let Some(header) = header else {
        return Lang::En;
    };
    let mut ranges: Vec<(f32, usize, Lang)> = header
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut bits = part.split(';');
            let tag = bits.next()?.trim().to_ascii_lowercase();
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q=").map(str::trim))
                .map_or(Some(1.0), |q| q.parse::<f32>().ok())?;
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "nb" | "no" | "nn" => Lang::Nb,
                "en" => Lang::En,
                _ => return None,
            };
            (q > 0.0).then_some((q, i, lang))
        })
        .collect();
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranges.first().map_or(Lang::En, |r| r.2)
}

/// A stored or posted language name (`en`, `nb`).
pub fn parse_lang(s: &str) -> Option<Lang> {
    match s {
        "en" => Some(Lang::En),
        "nb" => Some(Lang::Nb),
        _ => None,
    }
}

/// How a presence is named.
pub fn presence(t: &Texts, p: Presence) -> &'static str {
    match p {
        Presence::Present => t.present,
        Presence::Absent => t.absent,
        Presence::Excused => t.excused,
    }
}

/// How a kind of meeting is named.
pub fn meeting_kind(t: &Texts, k: MeetingKind) -> &'static str {
    match k {
        MeetingKind::Information => t.information_meeting,
        MeetingKind::Group => t.group_meeting,
        MeetingKind::Workshop => t.workshop,
    }
}

/// How a kind of action is named.
pub fn action_kind(t: &Texts, k: ActionKind) -> &'static str {
    match k {
        ActionKind::TrialAction => t.trial_action,
        ActionKind::Intervention => t.intervention,
    }
}

/// The states an action may go to next (core's rule), named and joined: `tried`, or
/// `adopted or dropped`.
fn next_states(l: Lang, from: ActionState) -> String {
    let names: Vec<&str> = from.next().iter().map(|s| l.action_state(*s)).collect();
    names.join(l.pick(" or ", " eller "))
}

/// A kind of record as core names it (`member`, `action`), in `l`.
fn kind_word(l: Lang, kind: &str) -> String {
    let nb = match kind {
        "member" => "medlem",
        "group" => "gruppe",
        "meeting" => "møte",
        "action" => "handling",
        "contact" => "kontakt",
        "problem statement" => "problemformulering",
        "practice" => "praksis",
        _ => kind,
    };
    l.pick(kind, nb).to_owned()
}

/// The model's refusal of a change, in words of `l`. The refusals a facilitator's page can
/// meet are written in both languages here; any other is told in core's English words after
/// a sentence in `l`.
pub fn refusal(l: Lang, r: &Refusal) -> String {
    let Refusal::Facilitation(e) = r else {
        return format!("{}: {r}", texts(l).refused);
    };
    match (l, e) {
        (_, FacilitationError::Lifecycle { from, to, .. }) => {
            let (f, t) = (l.action_state(*from), l.action_state(*to));
            let next = next_states(l, *from);
            match (l, next.is_empty()) {
                (Lang::En, false) => {
                    format!("Cannot go from {f} to {t}: the next state is {next}.")
                }
                (Lang::En, true) => format!("Cannot go from {f} to {t}: {f} is the last state."),
                (Lang::Nb, false) => {
                    format!("Kan ikke gå fra {f} til {t}: neste status er {next}.")
                }
                (Lang::Nb, true) => format!("Kan ikke gå fra {f} til {t}: {f} er siste status."),
            }
        }
        (_, FacilitationError::StepOutsidePhase { step, phase }) => {
            let (s, p, belongs) = (l.step(*step), l.phase(*phase), l.phase(step.phase()));
            match l {
                Lang::En => {
                    format!("The PD step “{s}” belongs to the phase “{belongs}”, not “{p}”.")
                }
                Lang::Nb => format!("PD-steget «{s}» hører til fasen «{belongs}», ikke «{p}»."),
            }
        }
        (_, FacilitationError::OutOfOrder { date, previous, .. }) => {
            let (d, p) = (l.date(*date), l.date(*previous));
            match l {
                Lang::En => format!("{d} is before the date it must follow ({p})."),
                Lang::Nb => format!("{d} er før datoen den må komme etter ({p})."),
            }
        }
        (Lang::En, FacilitationError::SameMember) => {
            "A contact needs two different members.".into()
        }
        (Lang::Nb, FacilitationError::SameMember) => {
            "En kontakt trenger to ulike medlemmer.".into()
        }
        (Lang::En, FacilitationError::ContactExists { a, b, .. }) => {
            format!("{a} and {b} already have a contact recorded.")
        }
        (Lang::Nb, FacilitationError::ContactExists { a, b, .. }) => {
            format!("{a} og {b} har allerede en registrert kontakt.")
        }
        (Lang::En, FacilitationError::AlreadyAgreed { .. }) => {
            "The group has already agreed on a problem statement.".into()
        }
        (Lang::Nb, FacilitationError::AlreadyAgreed { .. }) => {
            "Gruppen har allerede en omforent problemformulering.".into()
        }
        (Lang::En, FacilitationError::NotInGroup { member, .. }) => {
            format!("{member} is not a member of the group.")
        }
        (Lang::Nb, FacilitationError::NotInGroup { member, .. }) => {
            format!("{member} er ikke medlem av gruppen.")
        }
        (Lang::En, FacilitationError::TwiceInAttendance(m)) => {
            format!("{m} is named twice in the attendance.")
        }
        (Lang::Nb, FacilitationError::TwiceInAttendance(m)) => {
            format!("{m} står to ganger i oppmøtet.")
        }
        (Lang::En, FacilitationError::DateOutOfRange(d)) => {
            format!("{d} is outside the years 1–9999.")
        }
        (Lang::Nb, FacilitationError::DateOutOfRange(d)) => {
            format!("{d} er utenfor årene 1–9999.")
        }
        // A member in another group and one in none get one answer, as over the API: a form
        // is no way to learn what other groups hold.
        (Lang::En, FacilitationError::Unknown { kind: "member", id }) => {
            format!("{id} is not a member of the group.")
        }
        (Lang::Nb, FacilitationError::Unknown { kind: "member", id }) => {
            format!("{id} er ikke medlem av gruppen.")
        }
        (_, FacilitationError::Unknown { kind, id }) => {
            let kind = kind_word(l, kind);
            match l {
                Lang::En => format!("There is no {kind} `{id}`."),
                Lang::Nb => format!("Det finnes ingen {kind} `{id}`."),
            }
        }
        (_, FacilitationError::Duplicate { kind, id }) => {
            let kind = kind_word(l, kind);
            match l {
                Lang::En => format!("A {kind} with the id `{id}` exists already."),
                Lang::Nb => format!("Det finnes allerede en {kind} med id-en `{id}`."),
            }
        }
        _ => format!("{}: {e}", texts(l).refused),
    }
}

/// A date field that is not a date.
pub fn not_a_date(l: Lang, field: &str, given: &str) -> String {
    let given = samskap_core::shorten(given);
    match l {
        Lang::En => format!("{field}: “{given}” is not a date (YYYY-MM-DD)."),
        Lang::Nb => format!("{field}: «{given}» er ikke en dato (ÅÅÅÅ-MM-DD)."),
    }
}

/// A field left empty that must be filled in.
pub fn missing(l: Lang, field: &str) -> String {
    match l {
        Lang::En => format!("Fill in: {field}."),
        Lang::Nb => format!("Fyll ut: {field}."),
    }
}

/// A value of a field that is none of its choices (a form sent by hand).
pub fn not_a_choice(l: Lang, field: &str) -> String {
    match l {
        Lang::En => format!("{field}: that is not one of the choices."),
        Lang::Nb => format!("{field}: det er ikke ett av valgene."),
    }
}

/// Too many failed sign-ins from the caller's address.
pub fn too_many(l: Lang, secs: u64) -> String {
    match l {
        Lang::En => format!("Too many failed sign-ins from this address. Try again in {secs} s."),
        Lang::Nb => {
            format!("For mange mislykkede innlogginger fra denne adressen. Prøv igjen om {secs} s.")
        }
    }
}

/// The analysts' pages' own words in one language (sources, coding, quotes, coders compared).
pub struct CodingTexts {
    pub sources: &'static str,
    pub source: &'static str,
    pub kind: &'static str,
    pub length: &'static str,
    pub units: &'static str,
    pub codings: &'static str,
    pub no_sources: &'static str,
    pub codebook: &'static str,
    pub code: &'static str,
    pub code_help: &'static str,
    pub qualifiers_for: &'static str,
    pub none_chosen: &'static str,
    pub coder: &'static str,
    pub all_coders: &'static str,
    pub show: &'static str,
    pub passage: &'static str,
    pub passage_help: &'static str,
    pub selected_at: &'static str,
    pub code_it: &'static str,
    pub memo: &'static str,
    pub no_codings: &'static str,
    pub text_heading: &'static str,
    pub write_memo: &'static str,
    pub memo_on: &'static str,
    pub whole_study: &'static str,
    pub author: &'static str,
    pub quotes: &'static str,
    pub quotes_of: &'static str,
    pub choose_code: &'static str,
    pub no_quotes: &'static str,
    pub more_quotes: &'static str,
    pub compare: &'static str,
    pub compare_help: &'static str,
    pub fewer_than_two: &'static str,
    pub differs: &'static str,
    pub differences: &'static str,
    pub no_differences: &'static str,
    pub consensus: &'static str,
    pub record_consensus: &'static str,
    pub reconcile_help: &'static str,
    pub nothing_given: &'static str,
    pub tick_one: &'static str,
    pub whitespace_only: &'static str,
    pub selection_moved: &'static str,
    pub not_a_code: &'static str,
    pub not_a_coder: &'static str,
    pub analysis: &'static str,
    pub back_to_source: &'static str,
    pub move_coding: &'static str,
    pub remove_it: &'static str,
    pub remove_help: &'static str,
    pub move_help: &'static str,
    pub from_char: &'static str,
    pub to_char: &'static str,
    pub move_it: &'static str,
}

/// English.
pub const CODING_EN: CodingTexts = CodingTexts {
    sources: "Sources",
    source: "Source",
    kind: "Kind",
    length: "Characters",
    units: "Meaning units",
    codings: "Codings",
    no_sources: "This study has no sources yet.",
    codebook: "Codebook",
    code: "Code",
    code_help: "Type to filter the codes by name or path.",
    qualifiers_for: "Applies to",
    none_chosen: "—",
    coder: "Coder",
    all_coders: "All coders",
    show: "Show",
    passage: "Passage",
    passage_help: "Select words in the text with the mouse, or type or paste them here.",
    selected_at: "Selected characters",
    code_it: "Code the passage",
    memo: "Memo",
    no_codings: "No codings yet.",
    text_heading: "Text",
    write_memo: "Write a memo",
    memo_on: "On",
    whole_study: "The study as a whole",
    author: "Author",
    quotes: "Quotes by code",
    quotes_of: "Quotes of",
    choose_code: "Choose a code in the codebook to see its quotes across the sources.",
    no_quotes: "No quotes are coded with this code.",
    more_quotes: "more not shown; narrow the code",
    compare: "Compare coders",
    compare_help: "Two coders' codings of this source side by side; the units they coded differently are marked.",
    fewer_than_two: "Fewer than two coders have coded this source.",
    differs: "Differs",
    differences: "Units coded differently",
    no_differences: "The two coders coded every unit of this source alike.",
    consensus: "Consensus",
    record_consensus: "Record as consensus",
    reconcile_help: "Tick the codes that are the consensus for this unit; they are recorded under the coder “consensus”.",
    nothing_given: "none",
    tick_one: "Tick at least one code for the consensus.",
    whitespace_only: "The passage holds only spaces; select some words.",
    selection_moved: "The characters selected no longer hold the words shown (the text changed, or the selection was lost); select the passage again.",
    not_a_code: "is not a code of the study's codebook",
    not_a_coder: "is not a coder's name (letters, digits, - and _)",
    analysis: "Analysis",
    back_to_source: "Back to the source",
    move_coding: "Move or remove",
    remove_it: "Remove the coding",
    remove_help: "The journal of edits keeps a removed coding; samskap undo on the command line puts it back.",
    move_help: "Another code, or other characters of this source: the coding moves with its coder and memo.",
    from_char: "From character",
    to_char: "To character",
    move_it: "Move the coding",
};

/// Norwegian bokmål.
pub const CODING_NB: CodingTexts = CodingTexts {
    sources: "Kilder",
    source: "Kilde",
    kind: "Type",
    length: "Tegn",
    units: "Meningsenheter",
    codings: "Kodinger",
    no_sources: "Studien har ingen kilder ennå.",
    codebook: "Kodebok",
    code: "Kode",
    code_help: "Skriv for å filtrere kodene etter navn eller sti.",
    qualifiers_for: "Gjelder",
    none_chosen: "—",
    coder: "Koder",
    all_coders: "Alle kodere",
    show: "Vis",
    passage: "Utdrag",
    passage_help: "Merk ord i teksten med musen, eller skriv eller lim dem inn her.",
    selected_at: "Merkede tegn",
    code_it: "Kod utdraget",
    memo: "Notat",
    no_codings: "Ingen kodinger ennå.",
    text_heading: "Tekst",
    write_memo: "Skriv et notat",
    memo_on: "Om",
    whole_study: "Studien som helhet",
    author: "Forfatter",
    quotes: "Sitater etter kode",
    quotes_of: "Sitater med",
    choose_code: "Velg en kode i kodeboken for å se sitatene med den på tvers av kildene.",
    no_quotes: "Ingen sitater er kodet med denne koden.",
    more_quotes: "flere vises ikke; velg en smalere kode",
    compare: "Sammenlign kodere",
    compare_help: "To koderes kodinger av denne kilden side om side; enhetene de kodet ulikt er markert.",
    fewer_than_two: "Færre enn to kodere har kodet denne kilden.",
    differs: "Ulik",
    differences: "Enheter kodet ulikt",
    no_differences: "De to koderne kodet hver enhet i denne kilden likt.",
    consensus: "Konsensus",
    record_consensus: "Registrer som konsensus",
    reconcile_help: "Kryss av kodene som er konsensus for denne enheten; de registreres på koderen «consensus».",
    nothing_given: "ingen",
    tick_one: "Kryss av minst én kode for konsensus.",
    whitespace_only: "Utdraget består bare av mellomrom; merk noen ord.",
    selection_moved: "De merkede tegnene inneholder ikke lenger ordene som vises (teksten er endret, eller merkingen gikk tapt); merk utdraget på nytt.",
    not_a_code: "er ikke en kode i studiens kodebok",
    not_a_coder: "er ikke et kodernavn (bokstaver, sifre, - og _)",
    analysis: "Analyse",
    back_to_source: "Tilbake til kilden",
    move_coding: "Flytt eller fjern",
    remove_it: "Fjern kodingen",
    remove_help: "Endringsloggen tar vare på en fjernet koding; samskap undo på kommandolinjen legger den tilbake.",
    move_help: "En annen kode, eller andre tegn i kilden: kodingen flyttes med koder og notat.",
    from_char: "Fra tegn",
    to_char: "Til tegn",
    move_it: "Flytt kodingen",
};

/// The analysts' words of `lang`.
pub fn coding_texts(lang: Lang) -> &'static CodingTexts {
    match lang {
        Lang::En => &CODING_EN,
        Lang::Nb => &CODING_NB,
    }
}

/// A name given by language (a qualifier's, a value's) in `l`'s, else in any, else `id`.
pub fn label(labels: &samskap_core::Labels, l: Lang, id: &str) -> String {
    samskap_core::label_in(labels, l.tag())
        .unwrap_or(id)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_norwegian_or_english_by_quality() {
        assert_eq!(from_accept_language(None), Lang::En);
        assert_eq!(
            from_accept_language(Some("nb-NO,nb;q=0.9,en;q=0.8")),
            Lang::Nb
        );
        assert_eq!(
            from_accept_language(Some("en-GB,en;q=0.9,nb;q=0.8")),
            Lang::En
        );
        assert_eq!(from_accept_language(Some("de,no;q=0.5")), Lang::Nb);
        assert_eq!(from_accept_language(Some("en;q=0.2, nn;q=0.7")), Lang::Nb);
        assert_eq!(from_accept_language(Some("nb;q=0, fr")), Lang::En);
        assert_eq!(from_accept_language(Some("garbage;;q=x")), Lang::En);
    }

    #[test]
    fn a_skipped_state_is_told_with_the_next_one_in_both_languages() {
        let e = Refusal::Facilitation(FacilitationError::Lifecycle {
            id: "A-1".parse().unwrap(),
            from: ActionState::Planned,
            to: ActionState::Adopted,
            allowed: "tried".into(),
        });
        let en = refusal(Lang::En, &e);
        let nb = refusal(Lang::Nb, &e);
        assert!(
            en.contains("the next state is") && en.contains("tried"),
            "{en}"
        );
        assert!(nb.contains("neste status er"), "{nb}");
        assert_ne!(en, nb);
    }

    #[test]
    fn a_member_elsewhere_and_one_nowhere_get_one_answer() {
        let elsewhere = Refusal::Facilitation(FacilitationError::NotInGroup {
            member: "P9".parse().unwrap(),
            group: "G2".parse().unwrap(),
        });
        let nowhere = Refusal::Facilitation(FacilitationError::Unknown {
            kind: "member",
            id: "P9".into(),
        });
        for l in [Lang::En, Lang::Nb] {
            assert_eq!(refusal(l, &elsewhere), refusal(l, &nowhere));
            assert!(!refusal(l, &elsewhere).contains("G2"));
        }
    }
}
