/**
 * The JSON report's shape, as conformance.md ("Reports") fixes it, written as a JSON Schema: what
 * users' scripts may rely on. The tests hold `runConformance`'s reports and the JSON reporter to it.
 */
import type { Schema } from '../json-schema.ts';

const count: Schema = { type: 'integer', minimum: 0 };

export const REPORT_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'tool',
    'version',
    'profile',
    'seed',
    'certify',
    'chaos',
    'startedAt',
    'durationMs',
    'summary',
    'checks',
  ],
  properties: {
    tool: { enum: ['digitalpost'] },
    version: { type: 'string' },
    profile: { enum: ['sender', 'sender-sftp', 'recipient-pull', 'recipient-push', 'recipient-pubsub'] },
    seed: { type: 'integer', minimum: 0 },
    certify: { type: 'boolean' },
    chaos: { type: 'boolean' },
    startedAt: { type: 'string' },
    durationMs: count,
    summary: {
      type: 'object',
      additionalProperties: false,
      required: ['passed', 'failed', 'skipped', 'xfailed', 'xpassed'],
      properties: { passed: count, failed: count, skipped: count, xfailed: count, xpassed: count },
    },
    checks: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'profile', 'level', 'title', 'clause', 'status', 'message', 'evidence'],
        properties: {
          id: { type: 'string' },
          profile: { type: 'string' },
          level: { enum: ['MUST', 'SHOULD'] },
          title: { type: 'string' },
          clause: { type: 'string' },
          status: { enum: ['passed', 'failed', 'skipped', 'xfailed', 'xpassed'] },
          message: { type: 'string' },
          evidence: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              properties: {
                at: { type: 'string' },
                method: { type: 'string' },
                path: { type: 'string' },
                status: { type: ['integer', 'null'] },
                messageUUID: { type: ['string', 'null'] },
                note: { type: 'string' },
              },
            },
          },
        },
      },
    },
  },
};
