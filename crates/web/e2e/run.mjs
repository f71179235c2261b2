// End-to-end tests of samskap's web pages in a real headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core), against a real `samskap serve` on loopback,
// with axe-core checking every page it visits for serious or critical violations.
//
//   node run.mjs PATH-TO-SAMSKAP [SCREENSHOT-DIR]
//
// What it does, as a facilitator of group G1 of the demo (illustrative) study, on a phone's
// viewport (390×844): signs in; takes attendance of a meeting as toggles saved in one go and
// checks the store holds it (through the API); adds a trial action and moves it through its
// lifecycle by its buttons; opens group G2 and gets the 403 page; does the attendance by
// keyboard alone. Exit code 0 when all holds, 1 with the reason otherwise.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const samskap = resolve(process.argv[2] ?? "");
const shots = process.argv[3] ? resolve(process.argv[3]) : null;
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const fixture = resolve(here, "../../../fixtures/ung-inkludering-demo");
const STUDY = "ung-inkludering-demo";
const G1 = `/app/studies/${STUDY}/groups/G1`;
const G2 = `/app/studies/${STUDY}/groups/G2`;

const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
};

const dir = mkdtempSync(join(tmpdir(), "samskap-e2e-"));
const db = join(dir, "e2e.db");
const run = (...args) => execFileSync(samskap, ["--db", db, ...args], { encoding: "utf8" });
run("import", fixture);
const facilitator = run("token", "create", "--name", "kari", "--role", "facilitator", "--group", "G1").trim();
const admin = run("token", "create", "--name", "e2e-admin", "--role", "admin").trim();

// The server on a port of the system's choosing; its first line says where.
const server = spawn(samskap, ["--db", db, "serve", "--addr", "127.0.0.1:0"], {
  stdio: ["ignore", "pipe", "pipe"],
});
const base = await new Promise((ok, fail) => {
  let out = "";
  server.stdout.on("data", (d) => {
    out += d;
    const m = out.match(/on (http:\/\/[0-9.:]+)/);
    if (m) ok(m[1]);
  });
  server.on("exit", (code) => fail(new Error(`samskap serve exited (${code})`)));
  setTimeout(() => fail(new Error("samskap serve did not say where it listens")), 20000);
});

const api = async (path) => {
  const r = await fetch(base + path, { headers: { authorization: `Bearer ${admin}` } });
  return r.json();
};

const axeSource = readFileSync(resolve(here, "node_modules/axe-core/axe.min.js"), "utf8");
// axe is run from outside the page (the pages' CSP allows no injected script, rightly).
const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
const context = await browser.newContext({
  viewport: { width: 390, height: 844 },
  bypassCSP: true,
  locale: "en-GB",
});
const page = await context.newPage();
// Errors of the page's own making; a failed request is judged by its address below, since
// the 403 page is asked for on purpose and Chromium asks every site for /favicon.ico.
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(String(e)));
const failedRequests = [];
page.on("response", (r) => {
  const path = new URL(r.url()).pathname;
  if (r.status() >= 400 && path !== "/favicon.ico" && path !== G2) {
    failedRequests.push(`${r.status()} ${path}`);
  }
});

async function accessible(name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ["violations"] }),
  );
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  check(bad.length === 0, `axe: no serious or critical violation on ${name}` +
    (bad.length ? `: ${bad.map((v) => `${v.id} (${v.impact}: ${v.nodes.length})`).join(", ")}` : ""));
  if (shots) {
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  }
}

try {
  // Sign in.
  await page.goto(`${base}/app/`);
  check(page.url().includes("/app/sign-in"), "a page asks a signed-out reader to sign in");
  await accessible("sign-in");
  await page.fill("#token", facilitator);
  await Promise.all([page.waitForNavigation(), page.click("main button[type=submit]")]);
  check((await page.textContent("h1")) === "My groups", "signed in, the reader sees their groups");
  check(await page.isVisible("text=Illustrative data:"), "the made-up study says so");
  await accessible("my-groups");

  // The group, and a meeting's attendance as toggles saved in one go.
  await page.goto(`${base}${G1}`);
  await accessible("group");
  const meetings = await api(`/studies/${STUDY}/groups/G1/meetings`);
  const meeting = meetings[0];
  await page.goto(`${base}${G1}/meetings/${meeting.id}`);
  const sets = page.locator("fieldset.presence");
  const n = await sets.count();
  check(n > 0, `the meeting lists the group's members as toggles (${n})`);
  for (let i = 0; i < n; i++) {
    // Every member present but the first, who is absent.
    const want = i === 0 ? "absent" : "present";
    await sets.nth(i).locator(`input[value=${want}]`).check({ force: true });
  }
  await accessible("attendance");
  await Promise.all([
    page.waitForNavigation(),
    page.click("form:has(fieldset.presence) button[type=submit]"),
  ]);
  const after = (await api(`/studies/${STUDY}/groups/G1/meetings`)).find((m) => m.id === meeting.id);
  const present = after.attendance.filter((a) => a.presence === "present").length;
  const absent = after.attendance.filter((a) => a.presence === "absent").length;
  check(present === n - 1 && absent === 1, `the store holds what was toggled (${present} present, ${absent} absent of ${n})`);

  // By keyboard alone: Tab to the first member's toggles, arrow to another, Enter saves.
  await page.goto(`${base}${G1}/meetings/${meeting.id}`);
  const firstSet = page.locator("fieldset.presence").first();
  const member = (await firstSet.locator("legend").innerText()).trim().split(/\s+/)[0];
  await firstSet.locator("input:checked").focus();
  await page.keyboard.press("ArrowRight");
  const chosen = await firstSet.locator("input:checked").getAttribute("value");
  // Tab on through the other members' toggles to the form's button, and press it.
  let onButton = false;
  for (let i = 0; i < 60 && !onButton; i++) {
    await page.keyboard.press("Tab");
    onButton = await page.evaluate(() =>
      document.activeElement?.matches("form:has(fieldset.presence) button[type=submit]"));
  }
  check(onButton, "the save button is reached by Tab");
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  const again = (await api(`/studies/${STUDY}/groups/G1/meetings`)).find((m) => m.id === meeting.id);
  const saved = again.attendance.find((a) => a.member === member) ?? {};
  check(chosen !== "absent" && saved.presence === chosen,
    `the keyboard changed ${member}'s toggle and saved it (${chosen}; the store: ${saved.presence})`);

  // A trial action, moved through its lifecycle by its buttons.
  await page.goto(`${base}${G1}/actions`);
  await page.fill("#title", "E2E: felles kontaktliste");
  await Promise.all([
    page.waitForNavigation(),
    page.locator("form", { has: page.locator("#title") }).locator("button[type=submit]").click(),
  ]);
  await accessible("actions");
  const card = page.locator("article.card", { hasText: "E2E: felles kontaktliste" });
  const states = [];
  for (let step = 0; step < 6; step++) {
    const button = card.locator("button[name=state]").first();
    if ((await button.count()) === 0) break;
    states.push(await button.getAttribute("value"));
    await Promise.all([page.waitForNavigation(), button.click()]);
  }
  const actions = await api(`/studies/${STUDY}/groups/G1/actions`);
  const action = actions.find((a) => a.title === "E2E: felles kontaktliste");
  check(action && action.history.length === states.length + 1 && action.state === states.at(-1),
    `the action went through ${["planned", ...states].join(" → ")}, as the store says`);

  // Another group's page: 403, in words.
  const response = await page.goto(`${base}${G2}`);
  check(response.status() === 403, `another group's page is 403 (${response.status()})`);
  await accessible("forbidden");

  check(pageErrors.length === 0, `no error in the page ${pageErrors.join("; ")}`);
  check(failedRequests.length === 0, `every request of the pages answered ${failedRequests.join("; ")}`);
} catch (e) {
  check(false, `the run stopped: ${e.stack ?? e}`);
} finally {
  await browser.close();
  server.kill("SIGTERM");
}

if (failures.length) {
  console.error(`\n${failures.length} check(s) failed`);
  process.exit(1);
}
console.log("\nall checks passed");
