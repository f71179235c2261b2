//! The repository's `Dockerfile` against the workspace it builds. No Docker engine runs in
//! this project's CI, so the image is never built here; this test catches the drift that
//! would break the build elsewhere: a renamed package or binary, a `rust-version` raised
//! past the builder's Rust, a member or file the build needs left out of the image's
//! sources, and labels that no longer say the workspace's licence and source.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn manifest(path: &Path) -> toml::Table {
    std::fs::read_to_string(path).unwrap().parse().unwrap()
}

/// One instruction: its keyword in upper case and the rest of its line(s).
#[derive(Debug)]
struct Instruction {
    keyword: String,
    args: String,
}

/// The Dockerfile's instructions, comments dropped and continued lines joined.
fn instructions(text: &str) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut line = String::new();
    for raw in text.lines() {
        let trimmed = raw.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && line.is_empty()) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(part) => {
                line.push_str(part);
                line.push(' ');
            }
            None => {
                line.push_str(trimmed);
                let (keyword, args) = line.split_once(char::is_whitespace).unwrap_or((&line, ""));
                out.push(Instruction {
                    keyword: keyword.to_ascii_uppercase(),
                    args: args.split_whitespace().collect::<Vec<_>>().join(" "),
                });
                line.clear();
            }
        }
    }
    assert!(line.is_empty(), "the Dockerfile ends in a continued line");
    out
}

/// The instructions of each stage, after its `FROM`.
fn stages(all: &[Instruction]) -> Vec<&[Instruction]> {
    let starts: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|(_, i)| i.keyword == "FROM")
        .map(|(n, _)| n)
        .collect();
    assert!(
        !starts.is_empty() && starts[0] == 0,
        "the Dockerfile opens with FROM"
    );
    starts
        .iter()
        .zip(starts.iter().skip(1).chain([&all.len()]))
        .map(|(&a, &b)| &all[a..b])
        .collect()
}

/// `1.88` (or `1.88.0`) as numbers.
fn version(s: &str) -> Vec<u32> {
    s.split('.')
        .map(|n| {
            n.parse()
                .unwrap_or_else(|_| panic!("`{s}` is not a version"))
        })
        .collect()
}

/// `COPY [--from=X] a b dest`: the flags, the sources and the destination.
fn copy_parts(args: &str) -> (Vec<&str>, Vec<&str>, &str) {
    let words: Vec<&str> = args.split_whitespace().collect();
    let (flags, paths): (Vec<&str>, Vec<&str>) = words.iter().partition(|w| w.starts_with("--"));
    let (dest, sources) = paths.split_last().expect("COPY names a destination");
    (flags, sources.to_vec(), dest)
}

/// Whether a `.dockerignore` line leaves `path` out of the build context. Only the forms
/// the file uses are understood (`name`, `name/`, `**/name/`, `*.ext`, `**/*.ext`), which is
/// enough to tell whether a copied path is left out.
fn ignores(pattern: &str, path: &str) -> bool {
    let anywhere = pattern.starts_with("**/");
    let p = pattern
        .trim_start_matches("**/")
        .trim_start_matches('/')
        .trim_end_matches('/');
    if let Some(ext) = p.strip_prefix('*') {
        return path.ends_with(ext);
    }
    // The path itself or a folder it is in; with `**/`, at any depth.
    let mut rest = path;
    loop {
        if rest == p || rest.starts_with(&format!("{p}/")) {
            return true;
        }
        match rest.split_once('/') {
            Some((_, deeper)) if anywhere => rest = deeper,
            _ => return false,
        }
    }
}

#[test]
fn the_dockerfile_builds_this_workspace_s_samskap() {
    let root = root();
    let dockerfile = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    let all = instructions(&dockerfile);
    let stages = stages(&all);
    assert_eq!(stages.len(), 2, "a builder stage and a final one");
    let (builder, last) = (stages[0], stages[1]);
    let workspace = manifest(&root.join("Cargo.toml"));
    let package = &workspace["workspace"]["package"];
    let cli = manifest(&Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"));

    // The builder: an official Rust image of a pinned version no older than the workspace's
    // rust-version, on the final stage's Debian.
    let from: Vec<&str> = builder[0].args.split_whitespace().collect();
    let [image, as_, name] = from[..] else {
        panic!("builder stage: `FROM image AS name`, not {from:?}")
    };
    assert!(as_.eq_ignore_ascii_case("as"));
    let tag = image
        .strip_prefix("rust:")
        .unwrap_or_else(|| panic!("the builder is not an official Rust image: {image}"));
    let (rust, variant) = tag.split_once('-').unwrap_or((tag, ""));
    let rust = version(rust);
    let needed = version(package["rust-version"].as_str().unwrap());
    assert!(
        rust.len() >= 2,
        "{image}: a floating tag builds with whatever Rust is newest"
    );
    assert!(
        rust >= needed,
        "{image} is older than rust-version {needed:?}"
    );
    let debian = last[0].args.split_whitespace().next().unwrap();
    let release = variant.rsplit('-').next().unwrap();
    assert!(
        debian.contains(release),
        "builder on `{variant}`, final stage on `{debian}`: the binary needs the glibc it was linked against"
    );

    // `cargo build` of this package, locked, in release.
    let build = builder
        .iter()
        .find(|i| i.keyword == "RUN" && i.args.contains("cargo build"))
        .expect("the builder runs cargo build");
    let words: Vec<&str> = build.args.split_whitespace().collect();
    for flag in ["--release", "--locked"] {
        assert!(words.contains(&flag), "cargo build without {flag}");
    }
    let p = words
        .iter()
        .position(|w| *w == "-p" || *w == "--package")
        .expect("cargo build -p <package>");
    assert_eq!(words[p + 1], env!("CARGO_PKG_NAME"), "{}", build.args);

    // Every path it copies is in the repository and in the build context, and so is every
    // workspace member (cargo refuses a workspace with one missing).
    let ignore = std::fs::read_to_string(root.join(".dockerignore")).unwrap();
    let patterns: Vec<&str> = ignore
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let mut copied = Vec::new();
    for i in builder.iter().filter(|i| i.keyword == "COPY") {
        let (flags, sources, _) = copy_parts(&i.args);
        assert!(
            flags.is_empty(),
            "the builder copies from the context: {}",
            i.args
        );
        for s in sources {
            let s = s.trim_start_matches("./").trim_end_matches('/');
            assert!(root.join(s).exists(), "COPY {s}: not in the repository");
            if let Some(p) = patterns.iter().find(|p| ignores(p, s)) {
                panic!("COPY {s}: .dockerignore leaves it out ({p})");
            }
            copied.push(s.to_owned());
        }
    }
    for s in ["Cargo.toml", "Cargo.lock"] {
        assert!(copied.iter().any(|c| c == s), "{s} is not copied");
    }
    for member in workspace["workspace"]["members"].as_array().unwrap() {
        let member = member.as_str().unwrap();
        let top = member.split('/').next().unwrap();
        assert!(
            copied.iter().any(|c| c == top || c == "."),
            "workspace member {member} is not copied"
        );
    }

    // The final stage: the binary the package builds, on PATH, run by a user who is not
    // root, labelled with the workspace's licence and source.
    let bins: Vec<&str> = cli["bin"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(bins, ["samskap"]);
    let bin = bins[0];
    let workdir = builder
        .iter()
        .rfind(|i| i.keyword == "WORKDIR")
        .map(|i| i.args.trim_end_matches('/').to_owned())
        .expect("the builder has a WORKDIR");
    let copy = last
        .iter()
        .find(|i| i.keyword == "COPY")
        .expect("the final stage copies the binary");
    let (flags, sources, dest) = copy_parts(&copy.args);
    assert_eq!(flags, [format!("--from={name}")]);
    assert_eq!(sources, [format!("{workdir}/target/release/{bin}")]);
    assert_eq!(dest, format!("/usr/local/bin/{bin}"));
    let entrypoint = last
        .iter()
        .find(|i| i.keyword == "ENTRYPOINT")
        .expect("an ENTRYPOINT");
    assert_eq!(entrypoint.args, format!("[\"{bin}\"]"));
    let user = last.iter().rfind(|i| i.keyword == "USER").expect("a USER");
    let who = user.args.split(':').next().unwrap();
    assert!(
        !["root", "0"].contains(&who),
        "USER {who}: the image runs as root"
    );
    let labels: String = last
        .iter()
        .filter(|i| i.keyword == "LABEL")
        .map(|i| i.args.as_str())
        .collect();
    for (key, field) in [("licenses", "license"), ("source", "repository")] {
        let want = format!(
            "org.opencontainers.image.{key}=\"{}\"",
            package[field].as_str().unwrap()
        );
        assert!(labels.contains(&want), "no {want}");
    }
}

#[test]
fn the_parser_reads_continued_lines_and_the_ignore_forms() {
    let parsed = instructions("# c\nFROM a AS b\n\nRUN x \\\n    && y\nCOPY --from=b /s /d\n");
    let parsed: Vec<(&str, &str)> = parsed
        .iter()
        .map(|i| (i.keyword.as_str(), i.args.as_str()))
        .collect();
    assert_eq!(
        parsed,
        [
            ("FROM", "a AS b"),
            ("RUN", "x && y"),
            ("COPY", "--from=b /s /d")
        ]
    );
    assert!(ignores("target/", "target"));
    assert!(ignores("**/target/", "crates/x/target"));
    assert!(!ignores("target/", "crates"));
    assert!(ignores("*.db", "study.db"));
    assert!(!ignores(".git/", ".github"));
    assert!(!ignores("out/", "crates/out"));
    assert!(version("1.88") < version("1.100"));
}
