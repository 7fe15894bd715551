#!/usr/bin/env node
// The installed codecrew command: the built JavaScript of @codecrew/cli. Node's compile cache (Node 22.1
// and newer) keeps the compiled code between runs, so later starts skip parsing.
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import('@codecrew/cli');
process.exitCode = await main(process.argv.slice(2));
