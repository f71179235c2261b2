//! `cargo xtask gen`: a synthetic study of any size, written as a case bundle that
//! `samskap import` accepts: transcripts, codings by several coders that quote them, memos
//! and a facilitation record (meetings, attendance, PD moves, actions, …) in proportion.
//! The same parameters and seed always give the same bytes. The text is made up from a
//! small word list and says so: a generated study must never pass for real data.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// Informants, each with a transcript.
    pub informants: usize,
    /// Rows of `codings.csv`.
    pub codings: usize,
    /// Coders `A`, `B`, …
    pub coders: usize,
    /// Resource groups.
    pub groups: usize,
    pub seed: u64,
}

/// Bump when the generator writes other bytes for the same parameters, so that bundles
/// cached under [`Params::key`] are written again.
const VERSION: u32 = 2;

/// The seed when none is given.
pub const DEFAULT_SEED: u64 = 20_250_101;

impl Params {
    /// The benchmark's shape: 1,000 codings per transcript (about 500 meaning units), a
    /// group per ten informants, two coders.
    pub fn for_codings(codings: usize) -> Params {
        let informants = (codings / 1_000).max(1);
        Params {
            informants,
            codings,
            coders: 2,
            groups: default_groups(informants),
            seed: DEFAULT_SEED,
        }
    }

    /// A name for a cache directory: equal parameters (and generator), equal name.
    pub fn key(&self) -> String {
        format!(
            "v{VERSION}-i{}-c{}-k{}-g{}-s{}",
            self.informants, self.codings, self.coders, self.groups, self.seed
        )
    }
}

fn default_groups(informants: usize) -> usize {
    (informants / 10).max(2)
}

/// What was written, counted while writing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub informants: usize,
    pub transcripts: usize,
    pub units: usize,
    pub codings: usize,
    pub memos: usize,
    pub groups: usize,
    pub members: usize,
    pub meetings: usize,
    pub attendance: usize,
    pub moves: usize,
    pub actions: usize,
    pub assessments: usize,
    /// Units that two or more coders coded: what agreement compares.
    pub units_shared: usize,
    pub bytes: u64,
}

const USAGE: &str = "usage: cargo xtask gen --informants N --codings M [--coders K] [--groups G] \
                     [--seed S] [--force] OUT";

/// `cargo xtask gen …` with the arguments after `gen`.
pub fn main(args: &[String]) -> anyhow::Result<()> {
    let (params, out, force) = parse(args)?;
    prepare_dir(&out, force)?;
    let started = std::time::Instant::now();
    let s = generate(&params, &out)?;
    println!(
        "wrote {} in {:.1?}: {} informants, {} units, {} codings by {} coders ({} units coded by \
         two or more), {} memos, {} groups, {} members, {} meetings, {} attendance entries, \
         {} PD moves, {} actions, {} assessments; {:.1} MB",
        out.display(),
        started.elapsed(),
        s.informants,
        s.units,
        s.codings,
        params.coders,
        s.units_shared,
        s.memos,
        s.groups,
        s.members,
        s.meetings,
        s.attendance,
        s.moves,
        s.actions,
        s.assessments,
        s.bytes as f64 / 1e6
    );
    Ok(())
}

fn parse(args: &[String]) -> anyhow::Result<(Params, PathBuf, bool)> {
    let (mut informants, mut codings, mut coders, mut groups, mut seed) =
        (None, None, 2, None, DEFAULT_SEED);
    let (mut out, mut force) = (None, false);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| -> anyhow::Result<u64> {
            let v = it
                .next()
                .with_context(|| format!("{name} needs a value\n{USAGE}"))?;
            v.replace('_', "")
                .parse()
                .with_context(|| format!("{name}: `{v}` is not a whole number"))
        };
        match a.as_str() {
            "--informants" => informants = Some(value(a)? as usize),
            "--codings" => codings = Some(value(a)? as usize),
            "--coders" => coders = value(a)? as usize,
            "--groups" => groups = Some(value(a)? as usize),
            "--seed" => seed = value(a)?,
            "--force" => force = true,
            s if s.starts_with('-') => bail!("unknown option `{s}`\n{USAGE}"),
            s if out.is_none() => out = Some(PathBuf::from(s)),
            s => bail!("one output directory only, not also `{s}`\n{USAGE}"),
        }
    }
    let informants = informants.with_context(|| format!("--informants is required\n{USAGE}"))?;
    let codings = codings.with_context(|| format!("--codings is required\n{USAGE}"))?;
    let out = out.with_context(|| format!("the output directory is required\n{USAGE}"))?;
    let params = Params {
        informants,
        codings,
        coders,
        groups: groups.unwrap_or_else(|| default_groups(informants)),
        seed,
    };
    check(&params)?;
    Ok((params, out, force))
}

fn check(p: &Params) -> anyhow::Result<()> {
    ensure!(p.informants >= 1, "--informants must be at least 1");
    ensure!(
        (1..=26).contains(&p.coders),
        "--coders must be 1–26 (coders are named A–Z)"
    );
    ensure!(p.groups >= 1, "--groups must be at least 1");
    Ok(())
}

/// The files `generate` writes, so `--force` removes these and nothing else.
const FILES: [&str; 5] = [
    "study.toml",
    "codings.csv",
    "memos.toml",
    "facilitation.toml",
    "README.md",
];

/// An empty or new directory, or (with `force`) one whose bundle files are removed first.
pub fn prepare_dir(out: &Path, force: bool) -> anyhow::Result<()> {
    if out.exists() {
        let empty = std::fs::read_dir(out)
            .with_context(|| out.display().to_string())?
            .next()
            .is_none();
        if !empty {
            ensure!(
                force,
                "{} is not empty: choose an empty directory or pass --force to overwrite a \
                 generated bundle there",
                out.display()
            );
            for f in FILES {
                match std::fs::remove_file(out.join(f)) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(e).with_context(|| out.join(f).display().to_string())
                    }
                    _ => {}
                }
            }
            let transcripts = out.join("transcripts");
            if transcripts.exists() {
                std::fs::remove_dir_all(&transcripts)
                    .with_context(|| transcripts.display().to_string())?;
            }
        }
    }
    std::fs::create_dir_all(out.join("transcripts")).with_context(|| out.display().to_string())
}

/// SplitMix64: small, fast, and the same sequence everywhere. Quality far beyond what
/// made-up interviews need.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// True with probability `per_mille`/1000.
    fn chance(&mut self, per_mille: usize) -> bool {
        self.below(1000) < per_mille
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The codes of the built-in `bentzen-2018` framework, with how often the reference coding
/// uses each (a skew, so the matrix is not flat).
const CODES: [(&str, usize); 11] = [
    ("culture/holistic-approach", 9),
    ("culture/own-organisation-anchoring", 6),
    ("culture/belief-in-change", 5),
    ("structure/infrastructure", 8),
    ("structure/local-anchoring", 7),
    ("competence-motivation/person-dependent-motivation", 6),
    ("competence-motivation/group-composition", 10),
    ("competence-motivation/pd-competence", 3),
    ("resources/time-people-money", 12),
    ("communication/project-introduction", 4),
    ("communication/group-communication", 8),
];

const SUBJECTS: [&str; 12] = [
    "Vi",
    "Gruppa",
    "Ungdommene",
    "Lederen",
    "NAV",
    "Skolen",
    "Kommunen",
    "Jeg",
    "De frivillige",
    "Prosjektlederen",
    "Helsesøster",
    "Foreldrene",
];
const VERBS: [&str; 10] = [
    "har",
    "trenger",
    "savner",
    "får",
    "mangler",
    "bygger",
    "deler",
    "diskuterer",
    "prøver ut",
    "snakker om",
];
const OBJECTS: [&str; 12] = [
    "tid til gruppa",
    "en fast møteplass",
    "forankring i ledelsen",
    "nye kontakter",
    "penger til tiltak",
    "felles mål",
    "informasjon om prosjektet",
    "tillit på tvers",
    "erfaringer fra ungdommene",
    "rom for uenighet",
    "en tydelig problemstilling",
    "støtte fra rektor",
];
const ADVERBIALS: [&str; 10] = [
    "nå",
    "hver måned",
    "etter hvert",
    "i år",
    "sjelden",
    "nesten alltid",
    "fortsatt",
    "ikke lenger",
    "mer enn før",
    "på tvers av etatene",
];
const QUESTIONS: [&str; 6] = [
    "Hva fungerer godt i gruppa?",
    "Hva gjør det vanskelig å delta?",
    "Kan du gi et eksempel?",
    "Hvordan startet samarbeidet?",
    "Hva ville du endret?",
    "Hvem tar initiativ?",
];
const SECTORS: [&str; 4] = ["public", "private", "voluntary", "citizen"];
const SERVICES: [&str; 6] = [
    "nav",
    "school",
    "health",
    "child-welfare",
    "culture",
    "police",
];
const WORKPLACES: [&str; 5] = [
    "NAV-kontoret",
    "Ungdomsskolen",
    "Helsestasjonen",
    "Frivilligsentralen",
    "Kulturhuset",
];
const POSITIONS: [&str; 4] = ["Veileder", "Lærer", "Rådgiver", "Leder"];

/// Writes one sentence; `n` makes it unique within its transcript. Every sentence ends in
/// `(sak N).` and holds no other digits, so a whole sentence occurs once and quoting it
/// needs no prefix or suffix.
fn sentence(rng: &mut Rng, n: usize, out: &mut String) {
    let _ = write!(
        out,
        "{} {} {} {} (sak {n}).",
        rng.pick(&SUBJECTS),
        rng.pick(&VERBS),
        rng.pick(&OBJECTS),
        rng.pick(&ADVERBIALS)
    );
}

/// `YYYY-MM-DD` with a day of 1–28, valid in every month.
fn date(year: usize, month: usize, day: usize) -> String {
    debug_assert!((1..=12).contains(&month) && (1..=28).contains(&day));
    format!("\"{year}-{month:02}-{day:02}\"")
}

/// Month `k` counted from January 2023 (k = 0), as (year, month).
fn month(k: usize) -> (usize, usize) {
    (2023 + k / 12, k % 12 + 1)
}

fn coder_name(c: usize) -> char {
    (b'A' + c as u8) as char
}

/// Writes a CSV field per RFC 4180: quoted only when it must be.
fn csv_field(w: &mut impl Write, s: &str) -> std::io::Result<()> {
    if s.contains([',', '"', '\n', '\r']) {
        write!(w, "\"{}\"", s.replace('"', "\"\""))
    } else {
        w.write_all(s.as_bytes())
    }
}

/// One informant as generated: the group (participants) and whether they may be quoted.
struct Informant {
    group: Option<usize>,
    given: bool,
}

fn informant(i: usize, groups: usize) -> Informant {
    Informant {
        // Every 25th informant is a facilitator, who served all groups.
        group: (!i.is_multiple_of(25)).then(|| (i - 1) % groups + 1),
        given: !i.is_multiple_of(10),
    }
}

/// Writes the bundle into `out` (which must exist, with its `transcripts/`).
pub fn generate(p: &Params, out: &Path) -> anyhow::Result<Summary> {
    check(p)?;
    let mut rng = Rng(p.seed);
    let mut s = Summary {
        informants: p.informants,
        transcripts: p.informants,
        groups: p.groups,
        ..Summary::default()
    };
    let members = members_per_group(&mut rng, p.groups);
    s.members = members.iter().sum();
    s.bytes += write_study(out, p, &members, &mut rng)?;
    s.bytes += write_readme(out, p)?;
    let evidence = write_codings(out, p, &mut rng, &mut s)?;
    s.bytes += write_memos(out, p, &mut s)?;
    s.bytes += write_facilitation(out, p, &members, &evidence, &mut rng, &mut s)?;
    Ok(s)
}

fn members_per_group(rng: &mut Rng, groups: usize) -> Vec<usize> {
    (0..groups).map(|_| 8 + rng.below(7)).collect()
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<u64> {
    std::fs::write(path, text).with_context(|| path.display().to_string())?;
    Ok(text.len() as u64)
}

fn write_readme(out: &Path, p: &Params) -> anyhow::Result<u64> {
    let text = format!(
        "# Synthetic study: generated, not real data\n\n\
         This bundle was written by `cargo xtask gen --informants {} --codings {} --coders {} \
         --groups {} --seed {}` in the samskap repository. Every name, answer and meeting in it \
         is made up from a small word list by a seeded random generator. It describes no real \
         person, group or municipality. It exists to measure samskap at scale; do not mistake \
         it for, or mix it with, research data.\n",
        p.informants, p.codings, p.coders, p.groups, p.seed
    );
    write_file(&out.join("README.md"), &text)
}

fn write_study(out: &Path, p: &Params, members: &[usize], rng: &mut Rng) -> anyhow::Result<u64> {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "[study]\nid = \"synthetic\"\n\
         title = \"Syntetisk studie (generert, ikke ekte data): {} informanter, {} kodinger\"\n\
         research_question = \"Hva fremmer og hemmer samarbeidet i ressursgruppene? (syntetisk)\"\n\
         method = \"Generert av cargo xtask gen med frø {}. Alle tekster er oppdiktet.\"\n\
         period_start = \"2023-01-01\"\nperiod_end = \"2024-12-31\"\nframework = \"bentzen-2018\"\n\
         provenance = \"illustrative\"\n",
        p.informants, p.codings, p.seed
    );
    let municipalities = (p.groups / 2).max(1);
    for m in 1..=municipalities {
        let _ = writeln!(
            t,
            "[[municipality]]\nid = \"M{m}\"\nname = \"Kommune {m}\"\n"
        );
    }
    for g in 1..=p.groups {
        let m = (g - 1) % municipalities + 1;
        // Every seventh group is shared by two municipalities.
        let ms = if g % 7 == 0 && municipalities > 1 {
            format!("\"M{m}\", \"M{}\"", m % municipalities + 1)
        } else {
            format!("\"M{m}\"")
        };
        let _ = writeln!(
            t,
            "[[group]]\nid = \"G{g}\"\nname = \"Ressursgruppe {g}\"\nmunicipalities = [{ms}]\n\
             period_start = \"2023-01-01\"\nperiod_end = \"2024-12-31\"\nstudied = {}\n",
            g % 3 != 0
        );
    }
    for (g, &n) in members.iter().enumerate() {
        for m in 1..=n {
            let youth = rng.chance(200);
            let pd_youth = youth && rng.chance(300);
            let (sector, service) = if youth {
                ("citizen", None)
            } else {
                (*rng.pick(&SECTORS[..3]), Some(*rng.pick(&SERVICES)))
            };
            let _ = writeln!(
                t,
                "[[member]]\nid = \"G{}-P{m}\"\ngroup = \"G{}\"\nsector = \"{sector}\"",
                g + 1,
                g + 1
            );
            if let Some(service) = service {
                let _ = writeln!(t, "service = \"{service}\"");
            }
            let _ = writeln!(t, "youth = {youth}\npd_youth = {pd_youth}\n");
        }
    }
    for i in 1..=p.informants {
        let inf = informant(i, p.groups);
        let _ = writeln!(t, "[[informant]]\nid = \"I{i}\"");
        match inf.group {
            Some(g) => {
                let _ = writeln!(t, "role = \"participant\"\ngroup = \"G{g}\"");
            }
            None => t.push_str("role = \"facilitator\"\n"),
        }
        let (y, mo) = month(2 + rng.below(20));
        let _ = writeln!(
            t,
            "workplace = \"{}\"\nposition = \"{}\"\ninterview_date = {}\nconsent = \"{}\"\n",
            rng.pick(&WORKPLACES),
            rng.pick(&POSITIONS),
            date(y, mo, 1 + rng.below(28)),
            if inf.given { "given" } else { "pending" }
        );
    }
    write_file(&out.join("study.toml"), &t)
}

/// The reference code of a unit, drawn with the weights of `CODES`.
fn reference_code(rng: &mut Rng) -> usize {
    let total: usize = CODES.iter().map(|c| c.1).sum();
    let mut x = rng.below(total);
    for (i, (_, w)) in CODES.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    unreachable!("x < total")
}

/// Transcripts and `codings.csv`, one transcript at a time so that memory stays flat.
/// Returns, per group, a sentence of an informant who gave consent: evidence for the
/// group's assessment.
fn write_codings(
    out: &Path,
    p: &Params,
    rng: &mut Rng,
    s: &mut Summary,
) -> anyhow::Result<Vec<Option<(usize, String)>>> {
    let path = out.join("codings.csv");
    let mut csv = BufWriter::with_capacity(
        1 << 20,
        File::create(&path).with_context(|| path.display().to_string())?,
    );
    csv.write_all(b"transcript,prefix,exact,suffix,code,polarity,coder,memo\n")?;
    let mut evidence: Vec<Option<(usize, String)>> = vec![None; p.groups];
    let mut text = String::new();
    let mut unit = String::new();
    let mut coders = Vec::with_capacity(p.coders);
    for i in 1..=p.informants {
        let inf = informant(i, p.groups);
        // The codings, spread evenly over the transcripts.
        let mut left = p.codings / p.informants + usize::from(i <= p.codings % p.informants);
        text.clear();
        let mut n = 0;
        while left > 0 || n == 0 {
            // A turn: the interviewer's question, then an answer of 1–4 sentences.
            let _ = write!(text, "Intervjuer: {}\nInformant:", rng.pick(&QUESTIONS));
            for _ in 0..1 + rng.below(4) {
                n += 1;
                text.push(' ');
                unit.clear();
                sentence(rng, n, &mut unit);
                text.push_str(&unit);
                // A quarter of what is said is not coded.
                if left == 0 || rng.chance(250) {
                    continue;
                }
                if inf.given {
                    if let Some(g) = inf.group {
                        evidence[g - 1].get_or_insert_with(|| (i, unit.clone()));
                    }
                }
                s.units += 1;
                // Most units are coded by two coders, some by one or three.
                let k = match rng.below(10) {
                    0 => 1,
                    9 => 3,
                    _ => 2,
                }
                .min(p.coders);
                let first = s.units % p.coders;
                coders.clear();
                coders.extend((0..k).map(|j| (first + j) % p.coders));
                let code = reference_code(rng);
                let barrier = rng.chance(550);
                let mut coded_by = 0;
                for &c in &coders {
                    if left == 0 {
                        break;
                    }
                    coded_by += 1;
                    // Coders mostly agree; otherwise they differ in code or polarity.
                    let (mut code, mut barrier) = (code, barrier);
                    if !rng.chance(850) {
                        if rng.chance(500) {
                            code = (code + 1 + rng.below(CODES.len() - 1)) % CODES.len();
                        } else {
                            barrier = !barrier;
                        }
                    }
                    let mut codes = vec![(code, barrier)];
                    // Now and then a coder gives a unit a second code: co-occurrence.
                    if left > 1 && rng.chance(50) {
                        codes.push((
                            (code + 1 + rng.below(CODES.len() - 1)) % CODES.len(),
                            barrier,
                        ));
                    }
                    for (code, barrier) in codes {
                        write!(csv, "I{i},,")?;
                        csv_field(&mut csv, &unit)?;
                        write!(
                            csv,
                            ",,{},{},{},",
                            CODES[code].0,
                            if barrier { "barrier" } else { "opportunity" },
                            coder_name(c)
                        )?;
                        if rng.chance(10) {
                            csv_field(&mut csv, "Usikker, kan også leses som en annen kategori.")?;
                        }
                        csv.write_all(b"\n")?;
                        left -= 1;
                        s.codings += 1;
                    }
                }
                if coded_by >= 2 {
                    s.units_shared += 1;
                }
            }
            text.push('\n');
        }
        s.bytes += write_file(&out.join(format!("transcripts/I{i}.txt")), &text)?;
    }
    csv.flush()?;
    s.bytes += std::fs::metadata(&path)?.len();
    Ok(evidence)
}

fn write_memos(out: &Path, p: &Params, s: &mut Summary) -> anyhow::Result<u64> {
    let mut t = String::new();
    for c in 0..p.coders {
        for (code, _) in CODES {
            let _ = writeln!(
                t,
                "[[memo]]\ncode = \"{code}\"\nauthor = \"{}\"\n\
                 text = \"Syntetisk notat om {code}: mønsteret går igjen i flere grupper.\"\n",
                coder_name(c)
            );
            s.memos += 1;
        }
        let _ = writeln!(
            t,
            "[[memo]]\nauthor = \"{}\"\ntext = \"Syntetisk notat: generert, ikke ekte data.\"\n",
            coder_name(c)
        );
        s.memos += 1;
    }
    write_file(&out.join("memos.toml"), &t)
}

/// An action's history: each state with the month (from January 2023, 1-based) it was reached.
type History = Vec<(&'static str, usize)>;

const PRESENCE_NOTE: [&str; 3] = [
    "Godt oppmøte.",
    "Flere meldte forfall.",
    "Ungdommene ledet møtet.",
];

/// The facilitation record: per group, an information meeting, 23 monthly meetings and two
/// workshops with attendance for every member; rules; two problem statements; a walk through
/// the PD process (sometimes back a step); practices; two or three actions through their
/// lifecycle; a dissemination; contacts; an assessment citing a transcript. Then one
/// institutional-logic assessment per service.
fn write_facilitation(
    out: &Path,
    p: &Params,
    members: &[usize],
    evidence: &[Option<(usize, String)>],
    rng: &mut Rng,
    s: &mut Summary,
) -> anyhow::Result<u64> {
    let path = out.join("facilitation.toml");
    let mut w = BufWriter::new(File::create(&path).with_context(|| path.display().to_string())?);
    let mut t = String::new();
    let groups = 1..=p.groups;
    // The day of the month each group meets, so that groups do not all meet on one day.
    let day = |g: usize| 1 + (g * 7) % 27;

    for g in groups.clone() {
        let d = day(g);
        let n = members[g - 1];
        // One member stays away more than the others: a service that does not come.
        let absentee = 1 + rng.below(n);
        let mut meetings: Vec<(String, &str, String)> =
            vec![(format!("G{g}-info"), "information", date(2023, 1, d))];
        for k in 1..24 {
            let (y, m) = month(k);
            meetings.push((format!("G{g}-m{k}"), "group", date(y, m, d)));
            if k == 5 || k == 14 {
                meetings.push((format!("G{g}-ws{k}"), "workshop", date(y, m, d.min(27) + 1)));
            }
        }
        for (id, kind, date) in meetings {
            let _ = writeln!(
                t,
                "[[meeting]]\nid = \"{id}\"\ngroup = \"G{g}\"\nkind = \"{kind}\"\ndate = {date}"
            );
            if rng.chance(100) {
                let _ = writeln!(t, "note = \"{}\"", rng.pick(&PRESENCE_NOTE));
            }
            t.push_str("\n[meeting.attendance]\n");
            for m in 1..=n {
                let present = if m == absentee { 400 } else { 800 };
                let x = rng.below(1000);
                let presence = if x < present {
                    "present"
                } else if x < present + (1000 - present) * 2 / 3 {
                    "absent"
                } else {
                    "excused"
                };
                let _ = writeln!(t, "G{g}-P{m} = \"{presence}\"");
                s.attendance += 1;
            }
            t.push('\n');
            s.meetings += 1;
        }
        w.write_all(t.as_bytes())?;
        t.clear();
    }

    for g in groups.clone() {
        let _ = writeln!(
            t,
            "[[rules]]\ngroup = \"G{g}\"\nfrequency = \"månedlig\"\nplace = \"Rådhuset, møterom {}\"\n\
             leader = \"prosjektleder\"\ndisagreement = \"Vi tar det opp i møtet.\"\n",
            1 + g % 5
        );
    }
    for g in groups.clone() {
        let d = day(g);
        let _ = writeln!(
            t,
            "[[problem_statement]]\nid = \"PS-G{g}-1\"\ngroup = \"G{g}\"\n\
             text = \"Hvordan får vi flere ungdommer til å delta? (syntetisk)\"\ndrafted = {}\n\n\
             [[problem_statement]]\nid = \"PS-G{g}-2\"\ngroup = \"G{g}\"\n\
             text = \"Hvordan kan tjenestene møte ungdom på deres premisser? (syntetisk)\"\n\
             drafted = {}\nagreed = {}\nparticipants = [\"G{g}-P1\", \"G{g}-P2\", \"G{g}-P3\"]\n",
            date(2023, 2, d),
            date(2023, 3, d),
            date(2023, 5, d)
        );
    }
    for g in groups.clone() {
        let d = day(g);
        let mut moves = vec![
            (2, "challenge", "define-problem", None),
            (4, "explore", "identify-deviants", None),
        ];
        if rng.chance(250) {
            moves.push((
                5,
                "challenge",
                "define-problem",
                Some("Tilbake: problemstillingen måtte skrives om."),
            ));
        }
        moves.extend([
            (6, "explore", "explore-practices", None),
            (9, "implement", "develop-interventions", None),
            (14, "implement", "evaluate", None),
            (21, "implement", "disseminate", None),
        ]);
        for (k, phase, step, note) in moves {
            let (y, m) = month(k - 1);
            let _ = writeln!(
                t,
                "[[process_move]]\ngroup = \"G{g}\"\ndate = {}\nphase = \"{phase}\"\nstep = \"{step}\"",
                date(y, m, d)
            );
            if let Some(note) = note {
                let _ = writeln!(t, "note = \"{note}\"");
            }
            t.push('\n');
            s.moves += 1;
        }
    }
    for g in groups.clone() {
        let _ = writeln!(
            t,
            "[[practice]]\nid = \"PD-G{g}-1\"\ngroup = \"G{g}\"\nlevel = \"individual\"\n\
             description = \"En veileder møter ungdom på kafé. (syntetisk)\"\nobserved = {}\n\n\
             [[practice]]\nid = \"PD-G{g}-2\"\ngroup = \"G{g}\"\nlevel = \"{}\"\n\
             description = \"Elever hjelper hverandre med leksene. (syntetisk)\"\n",
            date(2023, 5, day(g)),
            if g % 2 == 0 { "group" } else { "organisation" }
        );
    }
    for g in groups.clone() {
        let d = day(g);
        // (id, kind, [(state, month)]).
        let mut actions: Vec<(String, &str, History)> = vec![
            (
                format!("A-G{g}-1"),
                "trial-action",
                vec![
                    ("planned", 9),
                    ("tried", 11),
                    ("evaluated", 13),
                    ("adopted", 14),
                ],
            ),
            (
                format!("A-G{g}-2"),
                "intervention",
                vec![("planned", 10), ("tried", 13)],
            ),
        ];
        if g % 3 == 0 {
            actions.push((
                format!("A-G{g}-3"),
                "trial-action",
                vec![
                    ("planned", 10),
                    ("tried", 12),
                    ("evaluated", 15),
                    ("dropped", 15),
                ],
            ));
        }
        for (id, kind, history) in actions {
            let _ = writeln!(
                t,
                "[[action]]\nid = \"{id}\"\ngroup = \"G{g}\"\nkind = \"{kind}\"\n\
                 title = \"Drop-in-time på kafé (syntetisk)\"\n"
            );
            for (state, k) in history {
                let (y, m) = month(k - 1);
                let _ = writeln!(
                    t,
                    "[[action.history]]\nstate = \"{state}\"\ndate = {}\n",
                    date(y, m, d)
                );
            }
            s.actions += 1;
        }
    }
    for g in groups.clone() {
        let _ = writeln!(
            t,
            "[[dissemination]]\nid = \"D-G{g}\"\ngroup = \"G{g}\"\ndate = {}\n\
             audience = \"Kommunens ledergruppe\"\naction = \"A-G{g}-1\"\n",
            date(2024, 10, day(g))
        );
    }
    for g in groups.clone() {
        let n = members[g - 1];
        let mut pairs: Vec<(String, String)> = (1..n.min(4))
            .map(|m| (format!("G{g}-P{m}"), format!("G{g}-P{}", m + 1)))
            .collect();
        if g < p.groups {
            pairs.push((format!("G{g}-P1"), format!("G{}-P2", g + 1)));
        }
        for (k, (a, b)) in pairs.into_iter().enumerate() {
            let (y, m) = month(3 + k);
            let _ = writeln!(
                t,
                "[[contact]]\nid = \"C-G{g}-{k}\"\na = \"{a}\"\nb = \"{b}\"\ndate = {}\n",
                date(y, m, day(g))
            );
        }
    }
    for g in groups {
        let _ = writeln!(
            t,
            "[[assessment]]\nid = \"AS-G{g}\"\ngroup = \"G{g}\"\nladder = {}\nassessor = \"A\"\n\
             date = {}\nnote = \"Syntetisk vurdering.\"\n",
            1 + rng.below(5),
            date(2024, 11, day(g))
        );
        if let Some((i, exact)) = &evidence[g - 1] {
            let _ = writeln!(
                t,
                "[[assessment.evidence]]\ntranscript = \"I{i}\"\nexact = \"{exact}\"\n"
            );
        }
        s.assessments += 1;
    }
    for (k, service) in SERVICES.iter().enumerate() {
        let _ = writeln!(
            t,
            "[[assessment]]\nid = \"AS-{service}\"\nservice = \"{service}\"\nlogic = \"{}\"\n\
             assessor = \"A\"\ndate = {}\n",
            ["TB", "NPM", "NPG"][k % 3],
            date(2024, 12, 1 + k)
        );
        s.assessments += 1;
    }
    w.write_all(t.as_bytes())?;
    w.flush()?;
    Ok(std::fs::metadata(&path)?.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Params {
        Params {
            informants: 20,
            codings: 500,
            coders: 3,
            groups: 4,
            seed: 7,
        }
    }

    /// Every file of a directory, by relative path, with its bytes.
    fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_owned()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let bytes = std::fs::read(&path).unwrap();
                    out.push((path.strip_prefix(dir).unwrap().to_owned(), bytes));
                }
            }
        }
        out.sort();
        out
    }

    fn generated(p: &Params) -> (tempfile::TempDir, Summary) {
        let dir = tempfile::tempdir().unwrap();
        prepare_dir(dir.path(), false).unwrap();
        let s = generate(p, dir.path()).unwrap();
        (dir, s)
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let (a, sa) = generated(&small());
        let (b, sb) = generated(&small());
        assert_eq!(sa, sb);
        let (fa, fb) = (files(a.path()), files(b.path()));
        assert_eq!(fa.len(), 20 + 5, "20 transcripts and five files");
        assert!(fa == fb, "the same parameters wrote different bytes");
        let (c, _) = generated(&Params { seed: 8, ..small() });
        assert!(files(c.path()) != fa, "another seed wrote the same bytes");
    }

    #[test]
    fn the_bundle_imports_with_the_counts_written() {
        let p = small();
        let (dir, s) = generated(&p);
        let study = samskap_bundle::read(dir.path()).unwrap();
        // Made up, and it says so wherever it is shown.
        assert_eq!(
            study.meta().provenance,
            samskap_core::Provenance::Illustrative
        );
        assert_eq!(study.informants().len(), p.informants);
        assert_eq!(study.transcripts().len(), s.transcripts);
        assert_eq!(study.codings().len(), p.codings);
        assert_eq!(study.units().len(), s.units);
        assert_eq!(study.memos().len(), s.memos);
        assert_eq!(study.groups().len(), p.groups);
        assert_eq!(study.members().len(), s.members);
        let f = study.facilitation();
        assert_eq!(f.meetings().len(), s.meetings);
        assert_eq!(f.meetings().len(), p.groups * 26);
        let attendance: usize = f.meetings().iter().map(|(_, a)| a.len()).sum();
        assert_eq!(attendance, s.attendance);
        assert_eq!(f.moves().len(), s.moves);
        assert_eq!(f.actions().len(), s.actions);
        assert_eq!(f.assessments().len(), s.assessments);
        assert!(
            f.assessments().iter().any(|a| !a.evidence.is_empty()),
            "assessments cite transcripts"
        );

        // Every coder codes, and coders share units with both agreeing and differing
        // codings, so agreement has something to compute.
        let coders: std::collections::BTreeSet<_> =
            study.codings().iter().map(|c| c.coder.as_str()).collect();
        assert_eq!(coders.into_iter().collect::<Vec<_>>(), ["A", "B", "C"]);
        let mut by_unit: std::collections::HashMap<_, Vec<_>> = Default::default();
        for c in study.codings() {
            by_unit
                .entry(c.unit)
                .or_default()
                .push((c.coder.as_str(), &c.code, &c.qualifiers));
        }
        let shared: Vec<_> = by_unit
            .values()
            .filter(|v| v.iter().any(|x| x.0 != v[0].0))
            .collect();
        assert_eq!(shared.len(), s.units_shared);
        let agreeing = shared
            .iter()
            .filter(|v| v.iter().all(|x| x.1 == v[0].1 && x.2 == v[0].2))
            .count();
        assert!(
            agreeing > shared.len() / 2 && agreeing < shared.len(),
            "{agreeing} of {} shared units agree",
            shared.len()
        );

        // And the store takes it, as `samskap import` does.
        let mut store = samskap_store::Store::open_in_memory().unwrap();
        let summary = store
            .import_study(&study, samskap_store::Replace::No)
            .unwrap();
        assert_eq!(summary.codings, p.codings);
        assert_eq!(summary.units, s.units);
    }

    #[test]
    fn force_replaces_a_generated_bundle_and_nothing_else() {
        let p = small();
        let (dir, _) = generated(&p);
        assert!(prepare_dir(dir.path(), false)
            .unwrap_err()
            .to_string()
            .contains("is not empty"));
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        prepare_dir(dir.path(), true).unwrap();
        let left: Vec<_> = files(dir.path()).into_iter().map(|f| f.0).collect();
        assert_eq!(left, [PathBuf::from("notes.txt")]);
    }

    #[test]
    fn arguments_are_checked() {
        let args = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        let (p, out, force) = parse(&args("--informants 1_000 --codings 1000000 out")).unwrap();
        assert_eq!(p, Params::for_codings(1_000_000));
        assert_eq!((out, force), (PathBuf::from("out"), false));
        for (bad, says) in [
            ("--codings 5 out", "--informants is required"),
            ("--informants 2 --codings 5", "output directory is required"),
            ("--informants 2 --codings x out", "not a whole number"),
            ("--informants 2 --codings 5 --coders 27 out", "1–26"),
            ("--informants 0 --codings 5 out", "at least 1"),
            ("--informants 2 --codings 5 --colour out", "unknown option"),
        ] {
            let e = parse(&args(bad)).unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
