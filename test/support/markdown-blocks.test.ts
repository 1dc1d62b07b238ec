import { describe, expect, it } from 'vitest';
import { type DocsWorld, shellBlockRuns, withSimulator } from './docs-harness.ts';
import { codeBlocks } from './markdown-blocks.ts';

const page = (...lines: string[]): string => lines.join('\n');

describe('codeBlocks', () => {
  it('gives each fenced block its language, kind, text and first line of code', () => {
    const blocks = codeBlocks(
      page(
        '# Title',
        '',
        '```ts',
        "const a = 'x';",
        '```',
        '',
        '```sh',
        'digitalpost --help',
        '```',
        '```json',
        '{}',
        '```',
      ),
      'page.md',
    );
    expect(blocks.map(({ lang, kind, line, code }) => ({ lang, kind, line, code }))).toEqual([
      { lang: 'ts', kind: 'ts', line: 4, code: "const a = 'x';\n" },
      { lang: 'sh', kind: 'shell', line: 8, code: 'digitalpost --help\n' },
      { lang: 'json', kind: 'other', line: 11, code: '{}\n' },
    ]);
  });

  it('takes the fence’s indentation off a block inside a list item', () => {
    const [block] = codeBlocks(
      page('- a step:', '', '  ```sh', '  curl -s x \\', '    | jq .', '  ```'),
      'page.md',
    );
    expect(block?.code).toBe('curl -s x \\\n  | jq .\n');
  });

  it('reads the reason of a docs-test: skip comment on the line before the block', () => {
    const blocks = codeBlocks(
      page('<!-- docs-test: skip — needs NgDP -->', '', '```ts', 'x;', '```', '```ts', 'y;', '```'),
      'page.md',
    );
    expect(blocks.map((block) => block.skip)).toEqual(['needs NgDP', undefined]);
  });

  it('refuses a skip without a reason, naming the page and line', () => {
    expect(() => codeBlocks(page('<!-- docs-test: skip -->', '```ts', 'x;', '```'), 'page.md')).toThrow(
      'page.md:1: "docs-test: skip" needs a reason after it',
    );
  });

  it('refuses a directive it does not know', () => {
    expect(() => codeBlocks(page('<!-- docs-test: only — x -->', '```ts', 'x;', '```'), 'page.md')).toThrow(
      'page.md:1: unknown docs-test directive "only"',
    );
  });

  it('refuses a block that is never closed', () => {
    expect(() => codeBlocks(page('text', '```ts', 'x;'), 'page.md')).toThrow(
      'page.md:2: code block never closed',
    );
  });
});

describe('shellBlockRuns', () => {
  it.each([
    ['digitalpost send letter.xml --wait'],
    ['npx digitalpost conformance run --profile sender'],
    ['node dist/cli.js memo validate letter.xml'],
    ['DIGITALPOST_SFTP_USER=testkommune DIGITALPOST_SFTP_KEY=k \\\n  digitalpost send --sftp h:1 x/'],
    ['npm run build && node dist/cli.js sim start'],
    ['curl -s http://127.0.0.1:4500/simulator/v1/health'],
    ['sftp -i ngdp_key -P 4522 testkommune@127.0.0.1'],
  ])('runs %j', (code) => {
    expect(shellBlockRuns(code)).toBe(true);
  });

  it.each([
    ['docker run --rm -p 4500:4500 digitalpost-simulator'],
    ['docker logs digitalpost | head -1'],
    ['npm install --save-dev digitalpost testcontainers'],
    ['npm run bench -- memo   # digitalpost send is not here'],
  ])('leaves %j alone', (code) => {
    expect(shellBlockRuns(code)).toBe(false);
  });
});

describe('withSimulator', () => {
  const world = {
    simulator: {
      apiUrl: 'http://127.0.0.1:40123/apis/v1',
      sftp: { port: 40124, hostKeyFingerprint: 'SHA256:abc' },
      fixtures: { systems: [{ id: '20000000-0000-4000-8000-000000000001', apiKey: 'KEY' }] },
    },
  } as unknown as DocsWorld;

  it('puts the simulator’s ports, the PULL sender’s key and the host key in the placeholders', () => {
    const code = [
      'DIGITALPOST_BASE_URL=http://127.0.0.1:4500/apis/v1 DIGITALPOST_API_KEY=… \\',
      '  digitalpost send --sftp 127.0.0.1:4522 --host-key SHA256:… x.xml   # as the banner says: SHA256:…',
    ].join('\n');
    expect(withSimulator(code, world)).toBe(
      [
        'DIGITALPOST_BASE_URL=http://127.0.0.1:40123/apis/v1 DIGITALPOST_API_KEY=KEY \\',
        '  digitalpost send --sftp 127.0.0.1:40124 --host-key SHA256:abc x.xml   # as the banner says: SHA256:abc',
      ].join('\n'),
    );
  });
});
