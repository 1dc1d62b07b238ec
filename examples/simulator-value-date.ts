/**
 * Test a value date without waiting two days: start the simulator with a manual clock, send a letter
 * held until the day after tomorrow, and move time forward until NgDP delivers it.
 *
 *   npm run build && node examples/simulator-value-date.ts
 */
import { createLetter, serializeMemoToBytes, toCopenhagenDate } from 'digitalpost/memo';
import { startSimulator } from 'digitalpost/simulator';

export async function main(): Promise<{ before: string; after: string; receipt: string }> {
  const ngdp = await startSimulator({ port: 0, clock: 'manual' });
  try {
    const sender = ngdp.fixtures.systems.find(
      (system) => system.roles.includes('SENDER') && system.protocol === 'REST_PULL',
    );
    if (sender === undefined) throw new Error('the default seed has a PULL sender system');
    const headers = { authorization: `Basic ${sender.apiKey}` };

    const memo = await createLetter({
      sender: { cvr: '12345678', label: 'Testkommune' },
      recipient: { cpr: '0101700001' },
      label: 'Din nye sygesikring',
      document: { content: Buffer.from('%PDF-1.4\n%%EOF\n'), filename: 'sygesikring.pdf' },
      doNotDeliverUntil: toCopenhagenDate(new Date(ngdp.clock.now().getTime() + 2 * 86_400_000)),
    });
    const uuid = memo.messageHeader.messageUUID;
    const sent = await fetch(`${ngdp.apiUrl}/memos/?memo-message-uuid=${uuid}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/xml' },
      body: serializeMemoToBytes(memo),
    });
    console.log(`POST /memos/ → ${sent.status}`);
    await ngdp.settle();

    const state = async () =>
      ((await (await fetch(`${ngdp.controlUrl}/messages/${uuid}`)).json()) as { state: string }).state;
    const before = await state();
    console.log(`now ${ngdp.clock.now().toISOString()}: ${before}`);
    await ngdp.clock.advance('P3D');
    const after = await state();
    console.log(`now ${ngdp.clock.now().toISOString()}: ${after}`);

    const receipts = (await (await fetch(`${ngdp.apiUrl}/receipts-bulk/`, { headers })).json()) as {
      receipts: Array<{ messageUUID: string; receiptStatus: string }>;
    };
    const receipt = receipts.receipts.find((r) => r.messageUUID === uuid)?.receiptStatus ?? 'none';
    console.log(`business receipt: ${receipt}`);
    return { before, after, receipt };
  } finally {
    await ngdp.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
