// The checklist's smoke run in Firefox (Debian's firefox-esr), driven over WebDriver BiDi by
// puppeteer-core. Called by tests/test_engines.py with one JSON argument (see SmokePlan there);
// prints one JSON object: {steps: {STEP: {ok, detail}}, times: {cold_ms, warm_ms}}.
// Each step is tried even when an earlier one failed, so that every failure is reported at once.

import puppeteer from "puppeteer-core";

const plan = JSON.parse(process.argv[2]);
const steps = {};
const times = {};
const errors = [];

// What the run reads from the page: JavaScript expressions from the plan (PAGE_STATE in
// tests/test_engines.py, shared with the WebKit run); puppeteer evaluates a string as one.
const { ready: READY, settled: SETTLED, seen: SEEN } = plan.page_state;

async function step(name, run) {
  try {
    const detail = await run();
    steps[name] = { ok: true, detail: detail ?? "" };
  } catch (error) {
    steps[name] = { ok: false, detail: String(error?.stack ?? error) };
  }
}

function check(condition, what) {
  if (!condition) throw new Error(what);
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

async function open(context, url) {
  const page = await context.newPage();
  page.on("pageerror", (error) => errors.push(`${url}: ${error.message ?? error}`));
  await page.setViewport({ width: 1400, height: 1000 });
  const started = Date.now();
  await page.goto(url, { waitUntil: "domcontentloaded" });
  await page.waitForFunction(READY, { timeout: plan.timeout_ms, polling: 50 });
  const readyMs = Date.now() - started;
  await page.waitForFunction(SETTLED, { timeout: plan.timeout_ms, polling: 50 });
  return { page, readyMs };
}

const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: plan.executable,
  headless: true,
  userDataDir: plan.profile,
  protocolTimeout: plan.timeout_ms,
});
try {
  const profile = browser.defaultBrowserContext();
  let link = null;
  let first = null;

  await step("ready", async () => {
    const opened = await open(profile, plan.url + "checklist/");
    [first, times.cold_ms] = [opened.page, opened.readyMs];
    const seen = await first.evaluate(SEEN);
    check(seen.boot === "fresh", `boot ${seen.boot}`);
    // Why and What-if skipped off screen only where scroll anchoring keeps the reader's place (checklist.css)
    const expected = seen.anchored ? "auto" : "visible";
    check(seen.skipped.length === 2 && seen.skipped.every((v) => v === expected), `content-visibility ${seen.skipped}, scroll anchoring ${seen.anchored}`);
    return `cold ready in ${times.cold_ms} ms`;
  });

  await step("answers", async () => {
    for (const [question, option] of Object.entries(plan.answers)) await first.click(`input[name="${question}"][value="${option}"]`);
    await first.waitForFunction(SETTLED, { timeout: plan.timeout_ms, polling: 50 });
    const seen = await first.evaluate(SEEN);
    check(same(seen.answers, plan.answers), `answers ${JSON.stringify(seen.answers)}`);
    check(seen.outcome === plan.outcome, `outcome ${seen.outcome}, expected ${plan.outcome}`);
    link = first.url();
    return link;
  });

  await step("snapshot", async () => {
    await first.waitForFunction("document.documentElement.dataset.checklistSnapshot === 'kept'", { timeout: plan.timeout_ms, polling: 200 });
    const again = await open(profile, plan.url + "checklist/");
    times.warm_ms = again.readyMs;
    const seen = await again.page.evaluate(SEEN);
    check(seen.boot === "snapshot", `boot ${seen.boot}`);
    return `warm ready in ${times.warm_ms} ms`;
  });

  const fresh = await browser.createBrowserContext(); // another profile: nothing stored, nothing cached
  await step("share-link", async () => {
    check(link, "no share link from the answers step");
    const { page } = await open(fresh, link);
    const seen = await page.evaluate(SEEN);
    check(same(seen.answers, plan.answers), `answers ${JSON.stringify(seen.answers)}`);
    check(seen.outcome === plan.outcome, `outcome ${seen.outcome}, expected ${plan.outcome}`);
  });

  await step("in-page-link", async () => {
    const { page } = await open(fresh, plan.url + "checklist/#" + plan.long_link);
    const before = await page.evaluate(SEEN);
    check(before.outcome === plan.long_outcome, `outcome ${before.outcome}, expected ${plan.long_outcome}`);
    const box = await page.evaluate((selector) => {
      const link = [...document.querySelectorAll(selector)].find((element) => element.getClientRects().length && element.offsetParent !== null);
      if (!link) return `${document.querySelectorAll(selector).length} found, none shown`;
      link.scrollIntoView({ block: "center" });
      const { x, y, width, height } = link.getBoundingClientRect();
      return { x: x + width / 2, y: y + height / 2 };
    }, plan.toc_link);
    check(typeof box === "object", `the table of contents link ${plan.toc_link}: ${box}`);
    await page.mouse.click(box.x, box.y); // a reader's click
    await new Promise((resolve) => setTimeout(resolve, 500));
    await page.waitForFunction(SETTLED, { timeout: 10_000, polling: 50 });
    const after = await page.evaluate(SEEN);
    check(same(after.answers, before.answers), `answers after the click ${JSON.stringify(after.answers)}`);
    check(after.outcome === before.outcome, `outcome after the click ${after.outcome}`);
    check(!after.dropped, "a notice says part of the link was not understood");
    for (const [question, option] of Object.entries(before.answers)) {
      check(after.hash.includes(`${question}=${option}`), `the address lost ${question}=${option}: ${after.hash}`);
    }
  });

  await step("no-errors", async () => check(errors.length === 0, errors.join("\n")));
} finally {
  await browser.close();
  process.stdout.write(JSON.stringify({ steps, times }) + "\n");
}
