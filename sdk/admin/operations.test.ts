/**
 * Every organisation-administration operation of NgDP's API (`ADMIN_OPERATIONS`, 68) has a method
 * of the admin client, and that method calls the operation: its HTTP method and path, the body's
 * media type the OpenAPI declares, `If-Match` where NgDP requires it, and the bearer token — held
 * against a loopback server that records what arrives.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SPEC } from '../../scripts/ngdp-operations.ts';
import {
  ADMIN_OPERATIONS,
  type AdminOperationId,
  IF_MATCH_OPERATIONS,
} from '../../simulator/domain/admin-rights.ts';
import { describeWith } from '../../test/support/requirements.ts';
import { matchNgdp, ngdpOperation } from '../ngdp/operations.ts';
import { AdminClient } from './client.ts';

interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const TOKEN = 'recorded-token-0123456789';
const V = { ifMatch: 3 };
/** A body: what it holds is the server's to check, not this test's. */
const BODY = {} as never;

/**
 * A call of each operation, with every path parameter given its own name as value
 * (`systems.get('organisationId', 'id')`), so that the path called reads as the template.
 */
const CALLS = {
  querySystems: (a) => a.systems.list('organisationId').next(),
  createMailSystem: (a) => a.systems.create('organisationId', { name: 'S' }),
  fetchMailSystem: (a) => a.systems.get('organisationId', 'id'),
  updateMailSystem: (a) => a.systems.update('organisationId', 'id', { name: 'S' }, V),
  deleteMailSystem: (a) => a.systems.delete('organisationId', 'id', V),
  changeToDefaultRecipient: (a) => a.systems.makeDefaultRecipient('organisationId', 'id'),
  renewApiToken: (a) => a.systems.renewApiKey('organisationId', 'id'),
  createOcesPublicCertificate: (a) => a.systems.addCertificate('organisationId', 'systemId', 'PEM'),
  createSsh: (a) => a.systems.addSshKey('organisationId', 'systemId', 'ssh-ed25519 AAAA'),
  checkOcesPublicCertificate: (a) => a.systems.checkCertificate('protocolType', 'PEM'),
  listStandardSystemTemplates: (a) => a.standardSystemTemplates.list(),
  queryContactGroups: (a) => a.contactGroups.list('organisationId').next(),
  createContactGroup: (a) => a.contactGroups.create('organisationId', { name: 'G' }),
  fetchContactGroup: (a) => a.contactGroups.get('organisationId', 'id'),
  updateContactGroup: (a) => a.contactGroups.update('organisationId', 'id', { name: 'G' }, V),
  deleteContactGroup: (a) => a.contactGroups.delete('organisationId', 'id', V),
  queryContactPoints: (a) => a.contactPoints.list('organisationId').next(),
  createContactPoint: (a) => a.contactPoints.create('organisationId', BODY),
  fetchContactPoint: (a) => a.contactPoints.get('organisationId', 'id'),
  updateContactPoint: (a) => a.contactPoints.update('organisationId', 'id', BODY, V),
  deleteContactPoint: (a) => a.contactPoints.delete('organisationId', 'id', V),
  fetchPostkasseIds: (a) => a.organisation.postkasseIds('organisationId'),
  fetchPostkasseEmneIds: (a) => a.organisation.postkasseEmneIds('organisationId', 'postkasseId'),
  fetchOrganisation: (a) => a.organisation.get('id'),
  fetchLogo: (a) => a.organisation.logo('id'),
  updateOrganisation: (a) => a.organisation.update('id', BODY, V),
  updateLogo: (a) => a.organisation.updateLogo('id', new Uint8Array([137, 80, 78, 71]), V),
  deleteLogo: (a) => a.organisation.deleteLogo('id', V),
  createExemption: (a) => a.exemptions.create(BODY),
  fetchExemption: (a) => a.exemptions.get('id'),
  updateExemption: (a) => a.exemptions.update('id', BODY, V),
  deleteExemption: (a) => a.exemptions.delete('id', V),
  lookupCitizen: (a) => a.lookups.citizen({ cprNumber: '0101700001' }),
  organisationLookup: (a) => a.lookups.organisation('cvrNumber'),
  queryAccess: (a) => a.accesses.list('mailboxId').next(),
  createAccess: (a) => a.accesses.create('mailboxId', BODY),
  fetchAccess: (a) => a.accesses.get('mailboxId', 'id'),
  updateAccess: (a) => a.accesses.update('mailboxId', 'id', BODY, V),
  verifyAccessSubscription: (a) =>
    a.accesses.verifySubscription('mailboxId', 'accessId', 'subscriptionId', {}),
  queryAccessRequests: (a) => a.accessRequests.list().next(),
  createAccessRequest: (a) => a.accessRequests.create(BODY),
  activateAccessRequest: (a) => a.accessRequests.activate(BODY),
  fetchAccessRequest: (a) => a.accessRequests.get('id'),
  updateAccessRequest: (a) => a.accessRequests.update('id', BODY, V),
  deleteAccessRequest: (a) => a.accessRequests.delete('id', V),
  fetchAccessRequestDocumentationContent: (a) => a.accessRequests.documentation('accessRequestId', 'id'),
  updateAccessRequestDocumentationContent: (a) =>
    a.accessRequests.updateDocumentation('accessRequestId', 'id', 'text', V),
  queryIdentities: (a) => a.identities.list().next(),
  fetch_2: (a) => a.identities.get('id'),
  update: (a) => a.identities.update('id', BODY, V),
  validateCPR: (a) => a.identities.validateCpr(BODY),
  verifyIdentityEmailSubscription: (a) => a.identities.verifyEmailSubscription('identityId', BODY),
  queryIdentityGroups: (a) => a.identityGroups.list().next(),
  createIdentityGroup: (a) => a.identityGroups.create(BODY),
  fetchIdentityGroup: (a) => a.identityGroups.get('id'),
  updateIdentityGroup: (a) => a.identityGroups.update('id', BODY, V),
  deleteIdentityGroup: (a) => a.identityGroups.delete('id', V),
  createGrantee: (a) => a.identityGroups.grantees.create('identityGroupId', BODY),
  updateGrantee: (a) => a.identityGroups.grantees.update('identityGroupId', 'id', BODY, V),
  deleteGrantee: (a) => a.identityGroups.grantees.delete('identityGroupId', 'id', V),
  createIdentityPrivilege: (a) => a.identityGroups.privileges.create('identityGroupId', BODY),
  updateIdentityPrivilege: (a) => a.identityGroups.privileges.update('identityGroupId', 'id', BODY, V),
  deleteIdentityPrivilege: (a) => a.identityGroups.privileges.delete('identityGroupId', 'id', V),
  listPrivilegeTypes: (a) => a.privilegeTypes.list(),
  createDirectPrivilege: (a) => a.privileges.create(BODY),
  createAndRevokeDirectPrivilegesInBulk: (a) => a.privileges.bulk(BODY),
  queryDirectPrivileges: (a) => a.privileges.list('identityId').next(),
  deleteDirectPrivilege: (a) => a.privileges.delete('id', BODY, V),
} satisfies Record<AdminOperationId, (admin: AdminClient) => Promise<unknown>>;

/** What the server answers an operation: enough for the client to read it as a success. */
function answerOf(method: string, path: string): { status: number; type?: string; body?: string } {
  const match = matchNgdp(method, path);
  const operationId = match.kind === 'operation' ? match.operation.operationId : undefined;
  if (method === 'DELETE') return { status: 204 };
  if (operationId === 'listPrivilegeTypes' || operationId === 'createAndRevokeDirectPrivilegesInBulk')
    return { status: 200, type: 'application/json', body: '[]' };
  if (operationId === 'listStandardSystemTemplates')
    return { status: 200, type: 'application/json', body: '{"standardSystemTemplates":[]}' };
  if (operationId === 'fetchLogo' || operationId === 'fetchAccessRequestDocumentationContent')
    return { status: 200, type: 'application/octet-stream', body: 'bytes' };
  return { status: 200, type: 'application/json', body: '{}' };
}

let server: Server;
let admin: AdminClient;
const recorded: Recorded[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://x').pathname.replace(/^\/apis\/v1/, '');
      recorded.push({
        method: request.method ?? '',
        path,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = answerOf(request.method ?? '', path);
      response.writeHead(answer.status, answer.type === undefined ? {} : { 'content-type': answer.type });
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  admin = new AdminClient({ baseUrl: `http://127.0.0.1:${port}/apis/v1`, token: TOKEN, retry: false });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

interface SpecOperation {
  operationId?: string;
  requestBody?: { content?: Record<string, unknown> };
}

describeWith(
  { shared: ['spec/ngdp-openapi-1.68.json'] },
  'the admin client covers the administration',
  () => {
    const spec = JSON.parse(readFileSync(SPEC, 'utf8')) as {
      paths: Record<string, Record<string, SpecOperation>>;
    };
    const bodies = new Map(
      Object.values(spec.paths)
        .flatMap((item) => Object.values(item))
        .map(
          (operation) => [operation.operationId, Object.keys(operation.requestBody?.content ?? {})] as const,
        ),
    );

    it('has a call for each of the 68 operations and no other', () => {
      expect(Object.keys(CALLS).sort()).toEqual(Object.keys(ADMIN_OPERATIONS).sort());
      expect(Object.keys(CALLS)).toHaveLength(68);
    });

    it.each(Object.keys(CALLS) as AdminOperationId[])(
      '%s: its method and path, body, If-Match and token',
      async (id) => {
        recorded.length = 0;
        await CALLS[id](admin);
        const operation = ngdpOperation(id);

        expect(recorded).toHaveLength(1);
        const [request] = recorded as [Recorded];
        expect(`${request.method} ${request.path}`).toBe(
          `${operation.method} ${operation.path.replace(/[{}]/g, '')}`,
        );
        expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
        expect(request.headers['if-match']).toBe(IF_MATCH_OPERATIONS.has(id) ? '"3"' : undefined);
        const declared = bodies.get(id) ?? [];
        const sent = request.headers['content-type']?.split(';')[0];
        if (declared.length === 0) expect(request.body).toBe('');
        else expect(declared).toContain(sent);
      },
    );
  },
);
