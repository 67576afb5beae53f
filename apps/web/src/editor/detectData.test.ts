import { describe, expect, it } from 'vitest';
import { acceptedParameters, curlExample, detectUrl, keyProblems, rowsFromSample } from './detectData.ts';

describe('Detect data helpers', () => {
  it('proposes from a form sample by what its text looks like, with query values read from the query string', () => {
    const { rows } = rowsFromSample({ body: { amount: '12', zip: '007' }, contentType: 'form', query: { shop: 'acme' } }, []);
    expect(rows.map((r) => [r.parameter.key, r.parameter.type, r.parameter.fromQuery ?? false, r.include])).toEqual([
      ['shop', 'text', true, true],
      ['amount', 'number', false, true],
      ['zip', 'text', false, true],
    ]);
  });

  it('says what is wrong with a ticked key, ignores unticked rows, and trims what it accepts', () => {
    const { rows } = rowsFromSample({ body: { a: 1, b: 2, c: 3, d: 4 }, contentType: 'json', query: {} }, []);
    const [a, b, c, d] = rows;
    a!.parameter.key = ' name ';
    b!.parameter.key = 'name';
    c!.parameter.key = 'now';
    d!.parameter.key = '1x';
    const problems = keyProblems(rows, ['taken']);
    expect([...problems.values()]).toEqual(['Two parameters would be called "name"', '"now" is a reserved word', 'Letters, digits and underscores only, not starting with a digit']);
    b!.include = false;
    c!.include = false;
    d!.parameter.key = 'taken';
    expect([...keyProblems(rows, ['taken']).values()]).toEqual(['Two parameters would be called "taken"']);
    d!.include = false;
    expect(keyProblems(rows, ['taken']).size).toBe(0);
    expect(acceptedParameters(rows).map((p) => p.key)).toEqual(['name']);
  });

  it('builds the sample URL and a curl command for it', () => {
    const url = detectUrl('http://localhost:3000/', 'orders');
    expect(url).toBe('http://localhost:3000/version-test/api/1.1/wf/orders/initialize');
    expect(curlExample(url)).toContain(`curl -X POST '${url}'`);
    expect(curlExample(url, 'GET')).toBe(`curl '${url}?name=Ada&amount=12.5&paid=true'`);
  });
});
