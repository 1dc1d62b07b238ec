/**
 * The HTML checks of NgDP's pre-validation, as the simulator reads them: what LENIENT refuses (unsafe
 * content), what only STRICT refuses (outside resources, plain-http links, parse errors, a file name
 * that is no HTML file's), and where each finding is.
 */
import { describe, expect, it } from 'vitest';
import { checkHtml, type HtmlPolicy } from './html.ts';

const page = (body: string, head = ''): string =>
  `<!DOCTYPE html><html><head><title>Brev</title>${head}</head><body>${body}</body></html>`;

const codes = async (html: string | Uint8Array, policy: HtmlPolicy, fileName?: string) =>
  (await checkHtml(html, policy, fileName)).findings.map((finding) => `${finding.code}:${finding.severity}`);

describe('checkHtml', () => {
  it('approves a plain letter under both policies, with no findings', async () => {
    const html = page(
      '<h1>Afgørelse</h1><p>Se <a href="https://borger.dk">borger.dk</a>.</p><img src="data:image/png;base64,iVBORw0KGgo=" alt="logo">',
    );
    for (const policy of ['STRICT', 'LENIENT'] as const)
      expect(await checkHtml(html, policy, 'afgoerelse.html')).toEqual({ approved: true, findings: [] });
  });

  it.each([
    ['<script>alert(1)</script>', 'FORBIDDEN_ELEMENT'],
    ['<iframe src="https://example.com"></iframe>', 'FORBIDDEN_ELEMENT'],
    ['<form action="https://x"><input name="a"></form>', 'FORBIDDEN_ELEMENT'],
    ['<object data="x.swf"></object>', 'FORBIDDEN_ELEMENT'],
    ['<p onclick="steal()">x</p>', 'FORBIDDEN_ATTRIBUTE'],
    ['<a href="javascript:alert(1)">x</a>', 'FORBIDDEN_URL'],
    ['<a href=" JaVaScRiPt:alert(1)">x</a>', 'FORBIDDEN_URL'],
    ['<a href="data:text/html,<script>1</script>">x</a>', 'FORBIDDEN_URL'],
    ['<div style="width: expression(alert(1))">x</div>', 'FORBIDDEN_STYLE'],
    ['<template><script>1</script></template>', 'FORBIDDEN_ELEMENT'],
  ])('rejects %s under LENIENT too (%s)', async (body, code) => {
    const result = await checkHtml(page(body), 'LENIENT');
    expect(result.approved).toBe(false);
    expect(result.findings.map((finding) => finding.code)).toContain(code);
  });

  it('rejects a refresh that moves the reader away', async () => {
    expect(
      await codes(page('', '<meta http-equiv="Refresh" content="0; url=https://x">'), 'LENIENT'),
    ).toEqual(['FORBIDDEN_ELEMENT:error']);
  });

  it.each([
    ['<img src="https://tracker.example/pixel.png">', 'EXTERNAL_RESOURCE'],
    ['<img src="//tracker.example/pixel.png">', 'EXTERNAL_RESOURCE'],
    ['<div style="background: url(https://x/y.png)">x</div>', 'EXTERNAL_RESOURCE'],
    ['<a href="http://borger.dk">x</a>', 'INSECURE_LINK'],
  ])('warns of %s under LENIENT and rejects it under STRICT (%s)', async (body, code) => {
    const lenient = await checkHtml(page(body), 'LENIENT');
    const strict = await checkHtml(page(body), 'STRICT');
    expect(lenient).toMatchObject({ approved: true, findings: [{ code, severity: 'warning' }] });
    expect(strict).toMatchObject({ approved: false, findings: [{ code, severity: 'error' }] });
  });

  it('takes a stylesheet from elsewhere as an outside resource, in a link or an @import', async () => {
    expect(
      await codes(page('', '<link rel="stylesheet" href="https://cdn.example/a.css">'), 'STRICT'),
    ).toEqual(['EXTERNAL_RESOURCE:error']);
    expect(await codes(page('', '<style>@import "https://cdn.example/a.css";</style>'), 'STRICT')).toEqual([
      'EXTERNAL_RESOURCE:error',
    ]);
  });

  it('reports HTML parse errors (as browsers meet them) under STRICT, and only warns under LENIENT', async () => {
    expect(await codes('<p>Hej', 'STRICT')).toEqual(['HTML_PARSE_ERROR:error']);
    expect(await checkHtml('<p>Hej', 'LENIENT')).toMatchObject({
      approved: true,
      findings: [{ code: 'HTML_PARSE_ERROR', subject: 'missing-doctype', path: 'line 1, column 1' }],
    });
  });

  it('checks the declared file name: forbidden characters always, an extension other than .html under STRICT', async () => {
    expect(await codes(page('x'), 'LENIENT', 'brev?.html')).toEqual(['FILENAME_FORBIDDEN_CHARACTER:error']);
    expect(await codes(page('x'), 'STRICT', 'brev.pdf')).toEqual(['FILE_NAME_NOT_HTML:error']);
    expect(await codes(page('x'), 'LENIENT', 'brev.pdf')).toEqual(['FILE_NAME_NOT_HTML:warning']);
    expect(await codes(page('x'), 'STRICT', 'BREV.HTM')).toEqual([]);
  });

  it('reads bytes as UTF-8, a BOM dropped, and finds bytes that are not UTF-8', async () => {
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(page('Æblegrød'))]);
    expect(await checkHtml(utf8, 'STRICT')).toEqual({ approved: true, findings: [] });
    expect(await codes(Buffer.from(page('\xe6'), 'latin1'), 'STRICT')).toEqual(['HTML_NOT_UTF8:error']);
  });

  it('says where each finding is, in document order, the file name first', async () => {
    const html = `${page('<p>a</p>\n<script>1</script>')}`.replace('<body>', '<body>\n');
    const { findings } = await checkHtml(html, 'STRICT', 'a.txt');
    expect(findings.map((finding) => [finding.code, finding.path])).toEqual([
      ['FILE_NAME_NOT_HTML', ''],
      ['FORBIDDEN_ELEMENT', 'line 3, column 1'],
    ]);
  });
});
