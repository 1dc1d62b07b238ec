/**
 * The checks of an HTML document meant for a letter (a MeMo `File` of type `text/html`), as NgDP's
 * `POST /validations/` runs them under a policy: `LENIENT` refuses what is unsafe to show in a
 * mailbox (scripts, active content, event handlers, script URLs); `STRICT` also refuses what makes
 * the letter depend on anything outside it or on a browser's error recovery (resources loaded from
 * elsewhere, plain-http links, HTML parse errors, a file name that is no HTML file name). NgDP's
 * own rules are unpublished: these are the simulator's, in docs/differences.md.
 *
 * The HTML is parsed as browsers parse it (WHATWG, parse5, loaded on first use), so nothing hides
 * from the checks in markup a browser would repair.
 */
import type { DefaultTreeAdapterMap, ParserError } from 'parse5';
import { filenameProblem } from './rules.ts';
import type { MemoIssue } from './types.ts';

/** How strictly {@link checkHtml} judges: NgDP's `policy` of `POST /validations/`. */
export type HtmlPolicy = 'STRICT' | 'LENIENT';

export const HTML_POLICIES: readonly HtmlPolicy[] = ['STRICT', 'LENIENT'];

/** One finding of {@link checkHtml}: where (`line 3, column 5`), what, and whether it refuses the HTML. */
export interface HtmlFinding extends MemoIssue {
  /** The markup at fault: an element (`<script>`), an attribute (`onclick`) or its value. */
  subject: string;
  /** Where in the HTML (1-based); none for the file name. */
  line?: number;
  column?: number;
  /** An error refuses the HTML under the policy; a warning is what only `STRICT` refuses. */
  severity: 'error' | 'warning';
}

export interface HtmlCheck {
  approved: boolean;
  findings: HtmlFinding[];
}

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

/** Elements that run code, embed other documents or send data: never in a letter. */
const ACTIVE_ELEMENTS = new Set([
  'script',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'portal',
  'form',
  'input',
  'button',
  'select',
  'textarea',
  'base',
]);

/** Attributes whose value is a URL. */
const URL_ATTRIBUTES = new Set([
  'href',
  'src',
  'action',
  'formaction',
  'xlink:href',
  'background',
  'poster',
  'cite',
  'srcset',
  'data',
  'longdesc',
]);

/** Elements whose URL attribute a mail client loads by itself, without the reader clicking. */
const LOADED = new Map([
  ['img', ['src', 'srcset']],
  ['source', ['src', 'srcset']],
  ['video', ['src', 'poster']],
  ['audio', ['src']],
  ['track', ['src']],
  ['link', ['href']],
  ['image', ['href', 'xlink:href']],
  ['use', ['href', 'xlink:href']],
  ['body', ['background']],
  ['table', ['background']],
  ['td', ['background']],
]);

const SCRIPT_URL = /^\s*(javascript|vbscript|livescript)\s*:/i;
const DATA_URL = /^\s*data\s*:/i;
const DATA_IMAGE = /^\s*data\s*:\s*image\/(png|jpeg|gif|webp|bmp)[;,]/i;
const REMOTE_URL = /^\s*(https?:)?\/\//i;
const CSS_REMOTE = /(@import|url\(\s*['"]?\s*(https?:)?\/\/)/i;

const clip = (text: string): string => (text.length > 200 ? `${text.slice(0, 199)}…` : text);

/**
 * Checks an HTML document under `policy`, with its declared `fileName` (optional). Approved when
 * no finding is an error: under `LENIENT` what only `STRICT` refuses is reported as a warning.
 * Bytes are read as UTF-8 (a leading BOM dropped); bytes that are not UTF-8 are a finding.
 */
export async function checkHtml(
  input: string | Uint8Array,
  policy: HtmlPolicy,
  fileName?: string,
): Promise<HtmlCheck> {
  const { parse } = await import('parse5');
  const findings: HtmlFinding[] = [];
  const strictSeverity = policy === 'STRICT' ? 'error' : 'warning';
  const add = (
    at: { startLine: number; startCol: number } | undefined,
    code: string,
    subject: string,
    message: string,
    severity: HtmlFinding['severity'] = 'error',
  ): void => {
    findings.push({
      path: at === undefined ? '' : `line ${at.startLine}, column ${at.startCol}`,
      code,
      subject: clip(subject),
      message,
      severity,
      ...(at === undefined ? {} : { line: at.startLine, column: at.startCol }),
    });
  };

  if (fileName !== undefined) {
    const problem = filenameProblem(fileName);
    if (problem !== undefined) add(undefined, problem.code, fileName, problem.message);
    else if (!/\.html?$/i.test(fileName))
      add(
        undefined,
        'FILE_NAME_NOT_HTML',
        fileName,
        'the file name should end in .html or .htm',
        strictSeverity,
      );
  }

  let html: string;
  if (typeof input === 'string') html = input;
  else {
    try {
      html = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      html = new TextDecoder('utf-8').decode(input);
      add(undefined, 'HTML_NOT_UTF8', 'the bytes', 'the HTML is not UTF-8', strictSeverity);
    }
  }
  const document = parse(html, {
    sourceCodeLocationInfo: true,
    onParseError: (error: ParserError) =>
      add(error, 'HTML_PARSE_ERROR', error.code, `HTML parse error: ${error.code}`, strictSeverity),
  });

  const visit = (node: Node): void => {
    if ('tagName' in node) checkElement(node, add, strictSeverity);
    if (node.nodeName === '#text' && 'value' in node && node.parentNode?.nodeName === 'style')
      checkCss(node.value, node.parentNode.sourceCodeLocation ?? undefined, '<style>', add, strictSeverity);
    const children = 'childNodes' in node ? node.childNodes : [];
    for (const child of children) visit(child);
    if (node.nodeName === 'template' && 'content' in node) visit(node.content as Node);
  };
  visit(document);
  // In document order; the file name's findings (no place) first.
  findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { approved: findings.every((finding) => finding.severity !== 'error'), findings };
}

type Add = (
  at: { startLine: number; startCol: number } | undefined,
  code: string,
  subject: string,
  message: string,
  severity?: HtmlFinding['severity'],
) => void;

function checkElement(element: Element, add: Add, strictSeverity: HtmlFinding['severity']): void {
  const at = element.sourceCodeLocation ?? undefined;
  const tag = element.tagName;
  if (ACTIVE_ELEMENTS.has(tag))
    add(
      at,
      'FORBIDDEN_ELEMENT',
      `<${tag}>`,
      `<${tag}> is not allowed in a letter: it runs code, embeds a document or sends data`,
    );
  const attribute = (name: string): string | undefined =>
    element.attrs.find((candidate) => candidate.name === name)?.value;
  if (tag === 'meta' && attribute('http-equiv')?.toLowerCase() === 'refresh')
    add(
      at,
      'FORBIDDEN_ELEMENT',
      '<meta http-equiv="refresh">',
      'a refresh moves the reader away from the letter',
    );
  const loaded = LOADED.get(tag) ?? [];
  for (const { name, value } of element.attrs) {
    const where = element.sourceCodeLocation?.attrs?.[name] ?? at;
    if (name.startsWith('on'))
      add(where, 'FORBIDDEN_ATTRIBUTE', name, `the event handler ${name} runs code: not allowed in a letter`);
    else if (name === 'srcdoc')
      add(where, 'FORBIDDEN_ATTRIBUTE', name, 'srcdoc embeds another document: not allowed in a letter');
    else if (name === 'style') checkCss(value, where, `style of <${tag}>`, add, strictSeverity);
    if (!URL_ATTRIBUTES.has(name)) continue;
    if (SCRIPT_URL.test(value))
      add(where, 'FORBIDDEN_URL', value, `${name} of <${tag}> is a script URL: not allowed in a letter`);
    else if (DATA_URL.test(value) && !(loaded.includes(name) && DATA_IMAGE.test(value)))
      add(where, 'FORBIDDEN_URL', value, `${name} of <${tag}> is a data: URL, allowed only for images`);
    else if (loaded.includes(name) && REMOTE_URL.test(value))
      add(
        where,
        'EXTERNAL_RESOURCE',
        value,
        `<${tag}> loads ${name} from elsewhere: a letter must carry its own images and styles`,
        strictSeverity,
      );
    else if (tag === 'a' && name === 'href' && /^\s*http:/i.test(value))
      add(where, 'INSECURE_LINK', value, 'links must use https', strictSeverity);
  }
}

function checkCss(
  css: string,
  at: { startLine: number; startCol: number } | undefined,
  what: string,
  add: Add,
  strictSeverity: HtmlFinding['severity'],
): void {
  if (/expression\s*\(|javascript\s*:/i.test(css))
    add(at, 'FORBIDDEN_STYLE', clip(css), `${what} runs code (expression() or a script URL)`);
  else if (CSS_REMOTE.test(css))
    add(
      at,
      'EXTERNAL_RESOURCE',
      clip(css),
      `${what} loads a resource from elsewhere (@import or url())`,
      strictSeverity,
    );
}
