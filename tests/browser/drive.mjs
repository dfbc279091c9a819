// Drive Debian's headless Chromium for the browser tests, through playwright-core.
//
//   node drive.mjs JOB.json    prints one JSON result on standard output
//
// A job: {"url": ..., "javaScript": true, "viewport": {"width": w, "height": h},
//          "allowHosts": ["127.0.0.1:8123"], "steps": [...]}
// Steps, in order: {"waitFor": "js expression", "timeout": ms}, {"click": "selector"},
// {"press": "Key"}, {"probe": "name", "expr": "js expression"}, {"screenshot": "path"},
// {"media": "print" | "screen"}, {"pdf": "path"}.
// A step that fails stops the job; the result names it ("failedStep").
// The result records every console message, uncaught page error, dialog (alert,
// confirm, prompt: dismissed) and Content-Security-Policy violation, every request that
// left the machine (blocked: none may), and each probe's value.
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";

const job = JSON.parse(readFileSync(process.argv[2], "utf-8"));
const executablePath = process.env.USPK_CHROMIUM || "/usr/bin/chromium";
const result = {
  console: [], pageErrors: [], dialogs: [], offMachine: [], cspViolations: [], probes: {},
};

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
try {
  const context = await browser.newContext({
    javaScriptEnabled: job.javaScript !== false,
    viewport: job.viewport || { width: 1400, height: 1000 },
    deviceScaleFactor: job.scale || 1,
  });
  const allowed = new Set(job.allowHosts || []);
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "file:" || url.protocol === "data:" || allowed.has(url.host)) {
      return route.continue();
    }
    result.offMachine.push(route.request().url());
    return route.abort("blockedbyclient");
  });
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const page = await context.newPage();
  page.on("console", (m) => result.console.push({ type: m.type(), text: m.text() }));
  page.on("pageerror", (e) => result.pageErrors.push(String(e)));
  page.on("dialog", async (d) => {
    result.dialogs.push({ type: d.type(), message: d.message() });
    await d.dismiss();
  });
  page.setDefaultTimeout(10000);
  await page.goto(job.url, { waitUntil: "load" });
  for (const step of job.steps || []) {
    try {
      await run(page, step);
    } catch (error) {  // reported with what the page said before it, for the test to show
      result.failedStep = { step, error: String(error).split("\n")[0] };
      break;
    }
  }
  if (job.javaScript !== false) {
    result.cspViolations = await page.evaluate(() => window.__cspViolations);
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result));

async function run(page, step) {
  if (step.waitFor) {
    await page.waitForFunction(step.waitFor, null, { timeout: step.timeout || 15000 });
  } else if (step.click) {
    await page.click(step.click);
  } else if (step.press) {
    await page.keyboard.press(step.press);
  } else if (step.probe) {
    result.probes[step.probe] = await page.evaluate(step.expr);
  } else if (step.screenshot) {
    // a long page (the whole history, every note) takes a while to paint at full height
    await page.screenshot({
      path: step.screenshot, fullPage: step.fullPage !== false, timeout: step.timeout || 60000,
    });
  } else if (step.media) {
    await page.emulateMedia({ media: step.media });
  } else if (step.pdf) {
    await page.pdf({ path: step.pdf, format: "A4", printBackground: false });
  }
}
