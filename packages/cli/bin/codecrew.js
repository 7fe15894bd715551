#!/usr/bin/env node
// The codecrew command of this repository: runs the TypeScript sources through tsx's loader, with the
// "development" export condition so that every @codecrew package resolves to its sources. Installed
// copies run the built JavaScript instead (the `codecrew` package's bin).
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./development-condition.js', import.meta.url);
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
