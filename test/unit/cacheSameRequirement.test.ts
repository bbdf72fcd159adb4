import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cosine, HashedNgramEmbedder } from '../../src/core/cache/embedder';
import { requirementSegments, sameRequirement } from '../../src/core/cache/sameRequirement';

/** The L3 word guard: same content words in the same clauses, order kept where order means something. */

const embedder = new HashedNgramEmbedder();
const similarity = (a: string, b: string) => cosine(embedder.embedSync(a), embedder.embedSync(b));

describe('sameRequirement', () => {
  it('passes the same request reworded: case, punctuation, filler words, sentences or clauses moved', () => {
    const base = 'Add a function that sorts the invoices by date in ascending order. Keep the existing exports working.';
    assert.ok(sameRequirement(base, 'Please keep the existing exports working, and add a function that sorts the invoices by date in ascending order!'));
    assert.ok(sameRequirement(base, 'add a function that sorts the invoices by date in ascending order; keep the existing exports working'));
    assert.ok(sameRequirement('Export the CSV file.', 'Export the csv file'));
  });

  it('refuses a swap inside a clause that a bag of words cannot see', () => {
    const cases: Array<[string, string]> = [
      ['Copy the settings from staging to production.', 'Copy the settings from production to staging.'],
      ['Convert Celsius to Fahrenheit in the report.', 'Convert Fahrenheit to Celsius in the report.'],
      ['Rename the field userId to accountId.', 'Rename the field accountId to userId.'],
      ['Return true when the list is empty and false otherwise.', 'Return false when the list is empty and true otherwise.'],
    ];
    for (const [a, b] of cases) assert.equal(sameRequirement(a, b), false, `${a} ≠ ${b}`);
  });

  it('keeps the order of clauses when a word of sequence makes it part of the meaning', () => {
    const a = 'Sort the users by date, then by name.';
    const b = 'Sort the users by name, then by date.';
    assert.ok(similarity(a, b) > 0.99, 'the embedder scores the swap as identical');
    assert.equal(sameRequirement(a, b), false);
    assert.equal(sameRequirement('Validate the input, then save the record.', 'Then save the record, and validate the input.'), false);
    assert.ok(sameRequirement('Validate the input, then save the record.', 'Please validate the input, then save the record!'));
    // A preposition carries its own object, so its clause may still move.
    assert.ok(sameRequirement('Show the total before the discount is applied. Format amounts with two decimals.', 'Please format amounts with two decimals, and show the total before the discount is applied!'));
  });

  it('tells identifiers apart by case, but not ordinary capitals', () => {
    assert.equal(sameRequirement('Add a getUser function.', 'Add a GetUser function.'), false);
    assert.equal(sameRequirement('Parse the userID field.', 'Parse the userId field.'), false);
    assert.ok(sameRequirement('Add a getUser function.', 'add a getUser function'));
    assert.deepEqual(requirementSegments('Add a getUser helper and Log the CSV rows.'), [['add', 'getUser', 'helper'], ['log', 'csv', 'rows']]);
  });

  it('refuses an added, removed or changed word, a negation and a changed number', () => {
    const base = 'Increase the retry limit to 5 attempts.';
    assert.equal(sameRequirement(base, 'Increase the retry limit to 6 attempts.'), false);
    assert.equal(sameRequirement(base, 'Do not increase the retry limit to 5 attempts.'), false);
    assert.equal(sameRequirement(base, 'Increase the retry limit.'), false);
    assert.equal(sameRequirement(base, 'Decrease the retry limit to 5 attempts.'), false);
  });

  it('does not merge repeated clauses: one “and B” is not two', () => {
    assert.equal(sameRequirement('Log the error and retry.', 'Log the error and retry, and retry.'), false);
  });
});
