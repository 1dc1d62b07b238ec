/**
 * Build a letter with an attachment and a value date, write it as MeMo XML, and check a received
 * MeMo the way a recipient system would.
 *
 *   npm run build && node examples/build-and-validate.ts
 */
import { createLetter, parseMemo, serializeMemoToBytes, validateMemo } from 'digitalpost/memo';

export async function main(): Promise<{ bytes: number; issues: string[] }> {
  const memo = await createLetter({
    sender: { cvr: '12345678', label: 'Eksempel Kommune' },
    recipient: { cpr: '0101700001' },
    label: 'Afgørelse om boligstøtte',
    document: { content: Buffer.from('%PDF-1.4\n%%EOF\n'), filename: 'Afgørelse.pdf' },
    attachments: [{ content: Buffer.from('beløb;måned\n1200;juni\n'), filename: 'Beregning.csv' }],
    doNotDeliverUntil: new Date(Date.now() + 2 * 24 * 3600 * 1000),
  });
  const xml = serializeMemoToBytes(memo);
  console.log(`built MeMo ${memo.version} ${memo.messageHeader.messageUUID}: ${xml.length} bytes`);

  // A recipient system receives XML: read it, then check it against the schema and NgDP's rules.
  const received = parseMemo(xml);
  console.log(
    `received "${received.messageHeader.label}" with ${received.messageBody?.additionalDocuments?.length} attachment(s)`,
  );

  const broken = xml
    .toString('utf8')
    .replace('Beregning.csv', 'Beregning: juni.csv')
    .replace('0101700001', '01017');
  const result = validateMemo(broken);
  for (const issue of result.issues) console.log(`${issue.code} at ${issue.path}: ${issue.message}`);
  return { bytes: xml.length, issues: result.issues.map((issue) => issue.code) };
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
