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
import { mkdtempSync, readFileSync, mkdirSync, writeFileSync } from "node:fs";
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
const analyst = run("token", "create", "--name", "A", "--role", "analyst").trim();

// A second study, generated here: one source of 10,000 words with 500 codings by two coders,
// to time the heaviest page an analyst opens. Marked illustrative, as it is made up.
const large = join(dir, "large");
mkdirSync(join(large, "transcripts"), { recursive: true });
const WORDS = ["samarbeid", "ungdom", "kommune", "tjeneste", "møte", "tillit", "skole", "tiltak", "gruppe", "hverdag"];
const sentences = [];
for (let i = 0; i < 1000; i++) {
  const words = Array.from({ length: 8 }, (_, k) => WORDS[(i * 7 + k * 3) % WORDS.length]);
  sentences.push(`Setning ${i} ${words.join(" ")}.`);
}
writeFileSync(join(large, "transcripts", "L1.txt"), sentences.join(" ") + "\n");
writeFileSync(join(large, "study.toml"), [
  "[study]", 'id = "e2e-large"', 'title = "Generated for the end-to-end tests: one long source"',
  'framework = "bentzen-2018"', 'provenance = "illustrative"', "",
  "[[informant]]", 'id = "L1"', 'role = "participant"', 'consent = "given"', "",
].join("\n"));
const CODES = ["culture/holistic-approach", "resources/time-people-money"];
const rows = ["transcript,prefix,exact,suffix,code,polarity,coder,memo"];
for (let i = 0; i < 250; i++) {
  for (const coder of ["A", "B"]) {
    const code = CODES[(i + (coder === "B" && i % 5 === 0 ? 1 : 0)) % 2];
    rows.push(`L1,,"${sentences[i * 4]}",,${code},barrier,${coder},`);
  }
}
writeFileSync(join(large, "codings.csv"), rows.join("\n") + "\n");
run("import", large);

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
// the 403 pages are asked for on purpose and Chromium asks every site for /favicon.ico.
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(String(e)));
const failedRequests = [];
const refusedOnPurpose = new Set([G2]);
page.on("response", (r) => {
  const path = new URL(r.url()).pathname;
  if (r.status() >= 400 && path !== "/favicon.ico" && !refusedOnPurpose.has(path)) {
    failedRequests.push(`${r.status()} ${path}`);
  }
});

async function accessible(name, p = page) {
  await p.evaluate(axeSource);
  const result = await p.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ["violations"] }),
  );
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  check(bad.length === 0, `axe: no serious or critical violation on ${name}` +
    (bad.length ? `: ${bad.map((v) => `${v.id} (${v.impact}: ${v.nodes.length})`).join(", ")}` : ""));
  if (shots) {
    mkdirSync(shots, { recursive: true });
    await p.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
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

  // The group's rules, practices and dissemination, on the phone.
  await page.goto(`${base}${G1}/record`);
  await accessible("record");

  // Another group's page: 403, in words.
  const response = await page.goto(`${base}${G2}`);
  check(response.status() === 403, `another group's page is 403 (${response.status()})`);
  await accessible("forbidden");

  // An analyst, at a desk: sources, a passage selected with the mouse and coded.
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true, locale: "en-GB" });
  const an = await desk.newPage();
  an.on("pageerror", (e) => pageErrors.push(String(e)));
  an.on("response", (r) => {
    const path = new URL(r.url()).pathname;
    if (r.status() >= 400 && path !== "/favicon.ico") failedRequests.push(`${r.status()} ${path}`);
  });
  await an.goto(`${base}/app/sign-in`);
  await an.fill("#token", analyst);
  await Promise.all([an.waitForNavigation(), an.click("main button[type=submit]")]);
  await Promise.all([an.waitForNavigation(), an.click("text=Analysis: Sources")]);
  check((await an.textContent("h1")) === "Sources", "an analyst reaches the sources from their first page");
  await accessible("sources", an);
  const SRC = `/app/studies/${STUDY}/sources/I1`;
  await an.goto(`${base}${SRC}`);
  const PASSAGE = "Kan du utdype hvordan dynamikken i gruppen ble preget av å ha med ungdommer?";
  // Where the passage lies on the screen: a range over its characters in the text's runs.
  const box = await an.evaluate((passage) => {
    const text = document.getElementById("source-text");
    const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const at = n.data.indexOf(passage);
      if (at < 0) continue;
      n.parentElement.scrollIntoView({ block: "center" });
      const r = document.createRange();
      r.setStart(n, at);
      r.setEnd(n, at + passage.length);
      const rects = Array.from(r.getClientRects());
      const first = rects[0];
      const last = rects[rects.length - 1];
      return { x1: first.left + 1, y1: first.top + first.height / 2, x2: last.right - 1, y2: last.top + last.height / 2 };
    }
    return null;
  }, PASSAGE);
  check(box !== null, "the passage is in the source's text");
  await an.mouse.move(box.x1, box.y1);
  await an.mouse.down();
  await an.mouse.move(box.x2, box.y2, { steps: 8 });
  await an.mouse.up();
  const form = await an.evaluate(() => {
    const f = document.getElementById("code-form");
    return { start: f.elements.start.value, end: f.elements.end.value, quote: f.elements.quote.value };
  });
  check(form.quote.trim() === PASSAGE, `the selection fills the passage (${JSON.stringify(form.quote)})`);
  await an.fill("#code", "structure/local-anchoring");
  await an.selectOption("#q-polarity", "opportunity");
  await an.fill("#coder", "A");
  await accessible("source", an);
  await Promise.all([an.waitForNavigation(), an.click("#code-form button[type=submit]")]);
  check((await an.textContent("p.ok")) === "Saved.", "the coding is saved");
  const coded = JSON.parse(run("--json", "code", "list", "--study", STUDY, "--coder", "A", "--code", "structure/local-anchoring"))
    .filter((c) => c.source === "I1" && c.text === PASSAGE);
  check(coded.length === 1 && coded[0].start === Number(form.start) && coded[0].end === Number(form.end) &&
    coded[0].qualifiers.polarity === "opportunity",
    `the store holds exactly the span selected (${form.start}..${form.end}: ${JSON.stringify(coded)})`);
  check(await an.isVisible(`mark#o${form.start}`), "the new coding is highlighted in the text");

  // By keyboard alone: the passage typed (the text found by the server), Tab from field to
  // field, Enter on the button.
  const TYPED = "Ressursgruppa gjør at man kanskje samarbeider enda mer på tvers og kobler hverandre mer.";
  await an.goto(`${base}${SRC}`);
  await an.focus("#quote");
  await an.keyboard.type(TYPED);
  await an.keyboard.press("Tab");
  await an.keyboard.type("communication/group-communication");
  // On to the polarity, chosen by typing its first letters, as a select takes them.
  await an.keyboard.press("Tab");
  await an.keyboard.type("Opp");
  let onCode = false;
  for (let i = 0; i < 12 && !onCode; i++) {
    await an.keyboard.press("Tab");
    onCode = await an.evaluate(() => document.activeElement?.matches("#code-form button[type=submit]"));
  }
  check(onCode, "the coding form's button is reached by Tab");
  await Promise.all([an.waitForNavigation(), an.keyboard.press("Enter")]);
  const typed = JSON.parse(run("--json", "code", "list", "--study", STUDY, "--coder", "A", "--code", "communication/group-communication"))
    .filter((c) => c.source === "I1" && c.text === TYPED && c.qualifiers.polarity === "opportunity");
  check(typed.length === 1, `a passage typed and coded by keyboard alone is in the store (${typed.length})`);

  // Two coders side by side; a unit they coded differently reconciled there.
  await an.goto(`${base}${SRC}/compare?a=A&b=B`);
  await accessible("compare", an);
  const unit = an.locator("article.differs").first();
  const [ustart, uend] = [await unit.locator("input[name=start]").inputValue(), await unit.locator("input[name=end]").inputValue()];
  const firstKey = unit.locator("input[name=key]").first();
  const key = await firstKey.getAttribute("value");
  await firstKey.check();
  await Promise.all([an.waitForNavigation(), unit.locator("button[type=submit]").click()]);
  const consensus = JSON.parse(run("--json", "code", "list", "--study", STUDY, "--coder", "consensus"))
    .filter((c) => c.source === "I1" && c.start === Number(ustart) && c.end === Number(uend));
  check(consensus.length >= 1 && consensus.some((c) => key.startsWith(`${c.code}|`)),
    `the unit ${ustart}..${uend} is reconciled as ${key} (${JSON.stringify(consensus.map((c) => c.code))})`);

  // The quotes of a code across sources.
  await an.goto(`${base}/app/studies/${STUDY}/quotes?code=culture`);
  check((await an.locator("ol.quotes li").count()) > 0, "the quotes of a code are listed across sources");
  await accessible("quotes", an);

  // The heaviest page: 10,000 words and 500 codings, timed (printed, not asserted).
  const LARGE = `/app/studies/e2e-large/sources/L1`;
  const t0 = Date.now();
  await an.goto(`${base}${LARGE}`, { waitUntil: "load" });
  const ms = Date.now() - t0;
  const marks = await an.locator("#source-text mark").count();
  const timing = await an.evaluate(() => {
    const n = performance.getEntriesByType("navigation")[0];
    return { response: Math.round(n.responseEnd - n.requestStart), load: Math.round(n.loadEventEnd - n.startTime) };
  });
  console.log(`time: a source of 10,000 words with 500 codings (${marks} highlighted runs) ` +
    `rendered in ${ms} ms (server answered in ${timing.response} ms, loaded in ${timing.load} ms; target under 300 ms)`);
  refusedOnPurpose.add(SRC);
  const denied = await page.goto(`${base}${SRC}`);
  check(denied.status() === 403, `a facilitator gets 403 for an analyst's page (${denied.status()})`);

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
