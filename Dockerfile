# The samskap binary in a small image, for the CI recipes in docs/report-in-ci.md:
#
#     docker build -t samskap .
#     docker run --rm -v "$PWD:/work" -u "$(id -u):$(id -g)" samskap --db study.db import study
#
# This project's CI has no Docker engine and does not build it;
# crates/cli/tests/dockerfile.rs checks it against the workspace instead (the package and
# binary it builds, the Rust version, the paths it copies).

# The workspace's rust-version (Cargo.toml): the image is built by the oldest Rust samskap
# says it supports. Bookworm, as the final stage, so the binary finds the glibc it was
# linked against.
FROM rust:1.88-slim-bookworm AS builder
WORKDIR /src
# What `cargo build --locked` needs: the workspace, its lock file and every member (xtask
# too, or cargo refuses the workspace). Tests' fixtures and docs stay out.
COPY Cargo.toml Cargo.lock ./
COPY crates crates
COPY xtask xtask
# Without the line tables that the workspace's release profile keeps for backtraces: they
# make the binary five times larger (about 120 MB against 25 MB).
ENV CARGO_PROFILE_RELEASE_DEBUG=none
RUN cargo build --release --locked -p samskap-cli

# Debian slim rather than distroless: a CI job runs its script in the image (GitLab's
# `image:`, GitHub's `container:`), which takes a shell, and GitHub's actions inside a job
# container need glibc. SQLite is compiled into the binary, which links only glibc (libc,
# libm) and libgcc_s (`ldd`), all in the base image.
FROM debian:bookworm-slim
LABEL org.opencontainers.image.title="samskap" \
      org.opencontainers.image.description="Qualitative studies of co-creation in municipalities: the samskap command-line tool." \
      org.opencontainers.image.source="https://example.invalid/samskap" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/samskap samskap \
    && mkdir /work && chown samskap:samskap /work
COPY --from=builder /src/target/release/samskap /usr/local/bin/samskap
USER samskap
WORKDIR /work
ENTRYPOINT ["samskap"]
CMD ["--help"]
