// The browser's side of the live ordering rule against the cases the server's tests read too (node --test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { order, supersedes } from '../src/states.js';

const { cases } = JSON.parse(readFileSync(new URL('../../Live/live-order-cases.json', import.meta.url), 'utf8'));

for (const { held, change, applies, why } of cases) {
  test(`${held.join(' ')} then ${change.join(' ')}: ${why}`, () => {
    const [heldState, heldAttempt] = held;
    const [state, attempt] = change;
    assert.equal(supersedes(heldState, order(heldAttempt, heldState), attempt, state), applies);
  });
}
