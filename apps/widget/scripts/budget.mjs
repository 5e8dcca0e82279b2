// Report the widget's gzipped sizes and fail the build above the budgets.
//   loader.js                       <= 5 KB gzipped
//   everything a visitor downloads  <= 60 KB gzipped (loader + frame.html + its JS/CSS,
//                                      socket.io-client included)
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

const KB = 1024;
const BUDGETS = { loader: 5 * KB, total: 60 * KB };
// node scripts/budget.mjs [dist-dir]   (defaults to this app's dist/)
const dist = process.argv[2] || new URL("../dist/", import.meta.url).pathname;

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const shipped = files(dist).filter((p) => /\.(js|css|html)$/.test(p));
let total = 0;
let loader = -1;
const rows = shipped.map((path) => {
  const raw = readFileSync(path);
  const gz = gzipSync(raw, { level: 9 }).length;
  const name = relative(dist, path);
  total += gz;
  if (name === "loader.js") loader = gz;
  return [name, raw.length, gz];
});

const fmt = (n) => `${(n / KB).toFixed(2)} KB`;
console.log("\nwidget bundle sizes (gzip -9):");
for (const [name, raw, gz] of rows.sort((a, b) => a[0].localeCompare(b[0]))) {
  console.log(`  ${name.padEnd(40)} ${fmt(raw).padStart(10)} raw ${fmt(gz).padStart(10)} gz`);
}
console.log(`  ${"loader".padEnd(40)} ${fmt(loader).padStart(25)} gz  (budget ${fmt(BUDGETS.loader)})`);
console.log(`  ${"total".padEnd(40)} ${fmt(total).padStart(25)} gz  (budget ${fmt(BUDGETS.total)})`);

const failures = [];
if (loader < 0) failures.push("dist/loader.js is missing");
else if (loader > BUDGETS.loader) failures.push(`loader ${fmt(loader)} > ${fmt(BUDGETS.loader)}`);
if (!shipped.some((p) => p.endsWith("frame.html"))) failures.push("dist/frame.html is missing");
if (total > BUDGETS.total) failures.push(`total ${fmt(total)} > ${fmt(BUDGETS.total)}`);
if (failures.length) {
  console.error(`\nwidget size budget FAILED: ${failures.join("; ")}`);
  process.exit(1);
}
console.log("widget size budgets: ok\n");
