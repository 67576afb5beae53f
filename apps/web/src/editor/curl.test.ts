import { NEW_ENDPOINT, OPEN_ENDPOINT, type Parameter } from '@switchyard/workflow';
import { describe, expect, it } from 'vitest';
import { curlExample, shellQuote } from './curl.ts';

const parameters: Parameter[] = [
  { id: 'p1', key: 'amount', type: 'number', list: false, optional: false },
  { id: 'p2', key: 'tags', type: 'text', list: true, optional: true },
  { id: 'p3', key: 'order_id', type: 'text', list: false, optional: false, fromQuery: true },
];

describe('curlExample', () => {
  it('posts a JSON body, with the token header when one is required and query parameters in the URL', () => {
    expect(curlExample({ baseUrl: 'https://flows.example.com', environment: 'draft', name: 'charge', endpoint: NEW_ENDPOINT, parameters })).toBe(
      [
        "curl -X POST 'https://flows.example.com/version-test/api/1.1/wf/charge?order_id=text'",
        "-H 'authorization: Bearer <token>'",
        "-H 'content-type: application/json'",
        `-d '{"amount":1,"tags":["text"]}'`,
      ].join(' \\\n  '),
    );
  });

  it('puts every parameter in the query string for GET, and names the signature header', () => {
    const endpoint = { ...OPEN_ENDPOINT, method: 'GET' as const, signature: { scheme: 'github' as const, secretIds: ['s1'] } };
    expect(curlExample({ baseUrl: 'http://localhost:3000', environment: 'live', name: 'look', endpoint, parameters })).toBe(
      [
        `curl -X GET 'http://localhost:3000/api/1.1/wf/look?amount=1&tags=text&order_id=text'`,
        "-H 'x-hub-signature-256: <signature>'",
      ].join(' \\\n  '),
    );
  });

  it('quotes single quotes for the shell', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
