import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type BenchResult, printReport } from "./report/print-report.js";

/** `node lib-bench/bench/reprint.js [file]`: the tables of a past run, without running it again. */
const file = process.argv[2] ?? join(process.cwd(), "bench", "results", "latest.json");
const result = JSON.parse(await readFile(file, "utf8")) as BenchResult;
process.stdout.write(`${printReport(result)}\n`);
