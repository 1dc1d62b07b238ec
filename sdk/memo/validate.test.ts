import { describe, expect, it } from 'vitest';
import { minimalMemo, richMemo } from '../../test/support/memos.ts';
import { InvalidOptionsError } from '../errors.ts';
import type { Memo, MemoFile } from './types.ts';
import { type ValidateOptions, validateMemo } from './validate.ts';

/** A minimal 1.2 letter changed by `change`. */
function letter(change: (memo: Memo) => void): Memo {
  const memo = structuredClone(minimalMemo('1.2'));
  change(memo);
  return memo;
}

function codes(memo: Memo, options: ValidateOptions = {}) {
  return validateMemo(memo, options).issues.map(({ path, code }) => ({ path, code }));
}

const file = (overrides: Partial<MemoFile> = {}): MemoFile => ({
  encodingFormat: 'application/pdf',
  filename: 'bilag.pdf',
  language: 'da',
  content: new Uint8Array(10),
  ...overrides,
});

describe('schema rules on the model', () => {
  it('accepts a minimal letter', () => {
    expect(validateMemo(minimalMemo('1.2'))).toMatchObject({ valid: true, issues: [], warnings: [] });
  });

  it('reports every problem, not only the first', () => {
    const memo = letter((m) => {
      m.messageHeader.messageUUID = 'not-a-uuid';
      m.messageHeader.label = 'x'.repeat(257);
      (m.messageHeader.sender as { label?: string }).label = undefined;
    });
    expect(codes(memo)).toEqual([
      { path: 'MessageHeader/messageUUID', code: 'INVALID_UUID' },
      { path: 'MessageHeader/label', code: 'VALUE_TOO_LONG' },
      { path: 'MessageHeader/Sender/label', code: 'MISSING_ELEMENT' },
    ]);
  });

  it('counts lengths in code points, not UTF-16 units', () => {
    expect(
      codes(
        letter((m) => {
          m.messageHeader.label = '😀'.repeat(256);
        }),
      ),
    ).toEqual([]);
    expect(
      codes(
        letter((m) => {
          m.messageHeader.label = '😀'.repeat(257);
        }),
      ),
    ).toEqual([{ path: 'MessageHeader/label', code: 'VALUE_TOO_LONG' }]);
  });

  it('requires version 4 UUIDs', () => {
    const v1 = 'c232ab00-9414-11ec-b3c8-9f6bdeced846';
    expect(
      codes(
        letter((m) => {
          m.messageHeader.messageUUID = v1;
        }),
      ),
    ).toEqual([{ path: 'MessageHeader/messageUUID', code: 'INVALID_UUID' }]);
    expect(
      codes(
        letter((m) => {
          m.messageHeader.messageUUID = m.messageHeader.messageUUID.toUpperCase();
        }),
      ),
    ).toEqual([]);
  });

  it.each([
    ['2025-06-01T08:30:00+02:00', 'DATETIME_NOT_UTC'],
    ['2025-06-01T08:30:00', 'DATETIME_NOT_UTC'],
    ['2025-02-30T08:30:00Z', 'INVALID_DATETIME'],
    ['2025-06-01 08:30:00Z', 'INVALID_DATETIME'],
    ['0000-06-01T08:30:00Z', 'INVALID_DATETIME'],
  ])('rejects the date-time %s', (value, code) => {
    expect(
      codes(
        letter((m) => {
          (m.messageBody ?? { createdDateTime: '' }).createdDateTime = value;
        }),
      ),
    ).toEqual([{ path: 'MessageBody/createdDateTime', code }]);
  });

  it.each(['2025-06-01T08:30:00.123Z', '2024-02-29T00:00:00Z', '2025-06-01T24:00:00Z'])(
    'accepts the date-time %s',
    (value) => {
      expect(
        codes(
          letter((m) => {
            (m.messageBody ?? { createdDateTime: '' }).createdDateTime = value;
          }),
        ),
      ).toEqual([]);
    },
  );

  it('limits notification to 150 characters unless configured', () => {
    const memo = letter((m) => {
      m.messageHeader.notification = 'n'.repeat(155);
    });
    expect(codes(memo)).toEqual([{ path: 'MessageHeader/notification', code: 'VALUE_TOO_LONG' }]);
    expect(codes(memo, { notificationMaxLength: 160 })).toEqual([]);
  });

  it('allows either a Reservation or an EntryPoint on an Action, not both', () => {
    const memo = letter((m) => {
      if (m.messageBody) {
        m.messageBody.mainDocument.actions = [
          {
            label: 'Book',
            actionCode: 'AFTALE',
            reservation: richMemo('1.2').messageBody?.mainDocument.actions?.[1]?.reservation as never,
            entryPoint: { url: 'https://example.dk' },
          },
        ];
      }
    });
    expect(codes(memo)).toEqual([
      { path: 'MessageBody/MainDocument/Action[1]/EntryPoint', code: 'CHOICE_VIOLATED' },
    ]);
  });

  it('accepts brackets in a URL fragment but not in its path', () => {
    const withUrl = (url: string) =>
      letter((m) => {
        if (m.messageBody)
          m.messageBody.mainDocument.actions = [
            { label: 'a', actionCode: 'INFORMATION', entryPoint: { url } },
          ];
      });
    expect(codes(withUrl('https://x.dk/side#afsnit[2]'))).toEqual([]);
    expect(codes(withUrl('https://x.dk/[side]'))).toEqual([
      { path: 'MessageBody/MainDocument/Action[1]/EntryPoint/url', code: 'INVALID_URI' },
    ]);
  });

  it('limits repeated elements', () => {
    const memo = letter((m) => {
      m.messageHeader.sender.contactPoint = {
        contactPointID: 'cp',
        contactInfo: [1, 2, 3].map((i) => ({ label: `l${i}`, value: `v${i}` })),
      };
    });
    expect(codes(memo)).toEqual([
      { path: 'MessageHeader/Sender/ContactPoint/ContactInfo[3]', code: 'TOO_MANY_ELEMENTS' },
    ]);
  });

  it('rejects 1.2-only elements in a 1.1 message', () => {
    const memo = richMemo('1.1');
    memo.messageHeader.sender.representative = { label: 'R' };
    expect(codes(memo)).toEqual([
      { path: 'MessageHeader/Sender/Representative', code: 'NOT_ALLOWED_IN_VERSION' },
    ]);
  });

  it('reports values of the wrong JavaScript type', () => {
    const memo = letter((m) => {
      (m.messageHeader as unknown as Record<string, unknown>).label = 42;
      (m.messageHeader as unknown as Record<string, unknown>).reply = 'yes';
    });
    expect(codes(memo)).toEqual([
      { path: 'MessageHeader/label', code: 'INVALID_VALUE' },
      { path: 'MessageHeader/reply', code: 'INVALID_VALUE' },
    ]);
  });

  it('rejects characters XML cannot carry', () => {
    expect(
      codes(
        letter((m) => {
          m.messageHeader.label = 'bell\u0007';
        }),
      ),
    ).toEqual([{ path: 'MessageHeader/label', code: 'INVALID_CHARACTER' }]);
  });

  it('checks only the schema with rules: schema', () => {
    const memo = letter((m) => {
      m.messageHeader.recipient.recipientID = '123';
    });
    expect(codes(memo, { rules: 'schema' })).toEqual([]);
    expect(codes(memo)).toEqual([{ path: 'MessageHeader/Recipient/recipientID', code: 'CPR_INVALID' }]);
  });

  it('rejects invalid options with an InvalidOptionsError', () => {
    expect(() => validateMemo(minimalMemo('1.2'), { maxAttachments: -1 })).toThrow(InvalidOptionsError);
    expect(() => validateMemo(minimalMemo('1.2'), { rules: 'strict' as never })).toThrow(/rules/);
  });
});

describe('NgDP rules beyond the schema', () => {
  it('requires a 10-digit CPR and an 8-digit CVR', () => {
    const memo = letter((m) => {
      m.messageHeader.recipient.recipientID = '010190123';
      m.messageHeader.sender.senderID = '1234567A';
    });
    expect(codes(memo)).toEqual([
      { path: 'MessageHeader/Sender/senderID', code: 'CVR_INVALID' },
      { path: 'MessageHeader/Recipient/recipientID', code: 'CPR_INVALID' },
    ]);
  });

  it('never echoes the identifier in the message', () => {
    const memo = letter((m) => {
      m.messageHeader.recipient.recipientID = '01019012345';
    });
    expect(validateMemo(memo).issues[0]?.message).not.toContain('0101901234');
  });

  it('accepts idType in any case but only CPR and CVR', () => {
    expect(
      codes(
        letter((m) => {
          m.messageHeader.recipient.idType = 'cpr';
        }),
      ),
    ).toEqual([]);
    expect(
      codes(
        letter((m) => {
          m.messageHeader.recipient.idType = 'MyndighedsID';
        }),
      ),
    ).toEqual([{ path: 'MessageHeader/Recipient/idType', code: 'ID_TYPE_UNSUPPORTED' }]);
  });

  it('requires https Action URLs', () => {
    const memo = letter((m) => {
      if (m.messageBody) {
        m.messageBody.mainDocument.actions = [
          { label: 'a', actionCode: 'SELVBETJENING', entryPoint: { url: 'http://example.dk' } },
          { label: 'b', actionCode: 'SELVBETJENING', entryPoint: { url: '/relative' } },
          { label: 'c', actionCode: 'SELVBETJENING', entryPoint: { url: 'https://example.dk/x?y=1&z=2' } },
        ];
      }
    });
    expect(codes(memo)).toEqual([
      { path: 'MessageBody/MainDocument/Action[1]/EntryPoint/url', code: 'ACTION_URL_NOT_HTTPS' },
      { path: 'MessageBody/MainDocument/Action[2]/EntryPoint/url', code: 'ACTION_URL_NOT_HTTPS' },
    ]);
  });

  it('knows the action codes', () => {
    const memo = letter((m) => {
      if (m.messageBody) m.messageBody.mainDocument.actions = [{ label: 'a', actionCode: 'KLIK' }];
    });
    expect(codes(memo)).toEqual([
      { path: 'MessageBody/MainDocument/Action[1]/actionCode', code: 'ACTION_CODE_UNKNOWN' },
    ]);
  });

  it.each([
    'a:b.pdf',
    'a/b.pdf',
    'a\\b.pdf',
    'a?.pdf',
    'a*.pdf',
    'a|b.pdf',
    'a"b.pdf',
    'a<b>.pdf',
    'a\u00a0b.pdf',
    'a\u2028b.pdf',
    'a\u3000b.pdf',
  ])('rejects the filename %j', (filename) => {
    const memo = letter((m) => {
      if (m.messageBody) m.messageBody.mainDocument.files = [file({ filename })];
    });
    expect(codes(memo)).toEqual([
      { path: 'MessageBody/MainDocument/File[1]/filename', code: 'FILENAME_FORBIDDEN_CHARACTER' },
    ]);
  });

  it('allows spaces and Danish letters in filenames', () => {
    const memo = letter((m) => {
      if (m.messageBody)
        m.messageBody.mainDocument.files = [file({ filename: 'Afgørelse om støtte (2).pdf' })];
    });
    expect(codes(memo)).toEqual([]);
  });

  it('requires a MIME type as encodingFormat', () => {
    const memo = letter((m) => {
      if (m.messageBody) m.messageBody.mainDocument.files = [file({ encodingFormat: 'pdf' })];
    });
    expect(codes(memo)).toEqual([
      { path: 'MessageBody/MainDocument/File[1]/encodingFormat', code: 'ENCODING_FORMAT_INVALID' },
    ]);
  });

  it('allows at most 10 attachments (configurable)', () => {
    const memo = letter((m) => {
      if (m.messageBody)
        m.messageBody.additionalDocuments = Array.from({ length: 11 }, () => ({ files: [file()] }));
    });
    expect(codes(memo)).toEqual([{ path: 'MessageBody', code: 'TOO_MANY_ATTACHMENTS' }]);
    expect(codes(memo, { maxAttachments: 11 })).toEqual([]);
  });

  it('limits the total size of the files (configurable)', () => {
    const memo = letter((m) => {
      if (m.messageBody)
        m.messageBody.additionalDocuments = [{ files: [file({ content: new Uint8Array(2000) })] }];
    });
    expect(codes(memo, { maxTotalContentBytes: 1000 })).toEqual([
      { path: 'MessageBody', code: 'MESSAGE_TOO_LARGE' },
    ]);
    expect(codes(memo)).toEqual([]);
  });

  it('requires the text of a NemSMS and the body of a letter', () => {
    const sms = letter((m) => {
      m.messageHeader.messageType = 'NEMSMS';
      m.messageBody = undefined;
    });
    expect(codes(sms)).toEqual([{ path: 'MessageHeader/notification', code: 'NEMSMS_TEXT_REQUIRED' }]);
    expect(
      codes(
        letter((m) => {
          m.messageBody = undefined;
        }),
      ),
    ).toEqual([{ path: 'MessageBody', code: 'MESSAGE_BODY_REQUIRED' }]);
  });

  it('rejects an empty subject', () => {
    expect(
      codes(
        letter((m) => {
          m.messageHeader.label = ' ';
        }),
      ),
    ).toEqual([{ path: 'MessageHeader/label', code: 'EMPTY_VALUE' }]);
  });

  it('warns about findings that do not invalidate the message', () => {
    const memo = letter((m) => {
      m.messageHeader.doNotDeliverUntilDate = '2025-06-02+02:00';
      m.messageHeader.recipient.attentionData = {
        address: { city: 'Aarhus' },
        unstructuredAddress: { unstructured: 'x' },
      };
      if (m.messageBody) {
        m.messageBody.mainDocument.actions = [
          {
            label: 'a',
            actionCode: 'AFTALE',
            startDateTime: '2025-06-02T10:00:00Z',
            endDateTime: '2025-06-02T09:00:00Z',
          },
        ];
      }
    });
    const result = validateMemo(memo);
    expect(result.valid).toBe(true);
    expect(result.warnings.map((w) => w.code).sort()).toEqual([
      'ACTION_ENDS_BEFORE_START',
      'ACTION_TARGET_MISMATCH',
      'ADDRESS_AMBIGUOUS',
      'VALUE_DATE_HAS_TIMEZONE',
    ]);
  });
});
