#!/usr/bin/env node
// The installed command: the compiled CLI (npm run build writes lib/).
import { main } from "../lib/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
