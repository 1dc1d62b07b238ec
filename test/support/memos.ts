/** Model fixtures shared by tests: messages that use every part of the MeMo tree. */
import type { Memo, MemoVersion } from '../../sdk/memo/types.ts';

const pdf = (text: string): Buffer => Buffer.from(`%PDF-1.4\n${text}\n%%EOF\n`, 'latin1');

/** A message with every element of `version` present at least once (and repeated ones repeated). */
export function richMemo(version: MemoVersion): Memo {
  const is12 = version === '1.2';
  return {
    version,
    ...(is12 ? {} : { schemaVersion: '1.1.0' }),
    messageHeader: {
      messageType: 'DIGITALPOST',
      messageUUID: '9a1d4c7e-2b3f-4d5a-9e8c-7f6a5b4c3d2e',
      messageID: 'BYG-2025-000123',
      messageCode: 'Byggetilladelse',
      label: 'Svar på din ansøgning om byggetilladelse & <carport>',
      notification: 'Du har fået svar på din ansøgning 😀',
      additionalNotification: 'Afgørelse vedr. carport på Eksempelvej 12',
      reply: true,
      replyByDateTime: '2025-07-01T10:00:00Z',
      doNotDeliverUntilDate: '2025-06-02',
      mandatory: false,
      legalNotification: true,
      postType: 'MYNDIGHEDSPOST',
      sender: {
        senderID: '12345678',
        idType: 'CVR',
        idTypeLabel: 'CVR-nummer',
        label: 'Eksempel Kommune',
        attentionData: {
          attentionPerson: { personID: 'sagsbehandler-42', label: 'Karin Sagsbehandler' },
          productionUnit: { productionUnitNumber: '1003456789', productionUnitName: 'Rådhuset' },
          globalLocationNumber: { globalLocationNumber: '5798009811578', location: 'Aarhus' },
          email: { emailAddress: 'byg@eksempel-kommune.dk', relatedAgent: 'Byggesagsafdelingen' },
          seNumber: { seNumber: '12345678', companyName: 'Eksempel Kommune' },
          telephone: { telephoneNumber: '70101010', relatedAgent: 'Borgerservice' },
          eid: { eID: 'CVR:12345678-RID:1234', label: 'Medarbejdersignatur' },
          contentResponsible: { contentResponsibleID: '12345678', label: 'Teknik og Miljø' },
          generatingSystem: { generatingSystemID: 'BYGSAG-01', label: 'Byggesagssystem' },
          sorData: { sorIdentifier: '123456789012345', entryName: 'Sundhedshus' },
          address: {
            id: '0a3f50a0-4660-32b8-e044-0003ba298018',
            addressLabel: 'Rådhuspladsen 2',
            houseNumber: '2',
            door: 'th',
            floor: '1',
            co: 'Borgerservice',
            zipCode: '8000',
            city: 'Aarhus C',
            country: 'DK',
            addressPoint: {
              geographicEastingMeasure: '575000.12',
              geographicNorthingMeasure: '6224000.34',
              geographicHeightMeasure: '12.5',
            },
          },
        },
        contactPoint: {
          contactGroup: 'byggeri',
          contactPointID: '5f0c2a9e-7d41-4b8a-9c3e-1a2b3c4d5e6f',
          label: 'Byggesager',
          contactInfo: [
            { label: 'Sagsnummer', value: 'BYG-2025-000123' },
            { label: 'Afdeling', value: 'Byg' },
          ],
        },
        ...(is12
          ? {
              representative: {
                representativeID: '87654321',
                idType: 'CVR',
                idTypeLabel: 'CVR-nummer',
                label: 'Eksempel Forsyning A/S',
              },
            }
          : {}),
      },
      recipient: {
        recipientID: '0101901234',
        idType: 'CPR',
        label: 'Jens Jensen',
        attentionData: { unstructuredAddress: { unstructured: 'Eksempelvej 12, 8000 Aarhus C' } },
        contactPoint: { contactPointID: 'borger-postkasse' },
      },
      contentData: {
        cprData: { cprNumber: '0101901234', name: 'Jens Jensen' },
        cvrData: { cvrNumber: '87654321', companyName: 'Eksempel Forsyning A/S' },
        motorVehicle: { licenseNumber: 'AB12345', chassisNumber: 'WVWZZZ1JZXW000001' },
        propertyNumber: { propertyNumber: '751-123456' },
        caseId: { caseID: 'BYG-2025-000123', caseSystem: 'Byggesagssystem' },
        kleData: { subjectKey: '02.00.00', version: 'KLE 2025', activityFacet: 'G01', label: 'Byggeri' },
        formData: {
          taskKey: '02.34.02',
          version: 'FORM 2025',
          activityFacet: 'P19',
          label: 'Byggetilladelse',
        },
        productionUnit: { productionUnitNumber: '0000000042' },
        education: { educationCode: '5080', educationName: 'Tømrer' },
        address: { zipCode: '8000', city: 'Aarhus C' },
        additionalContentData: [
          { contentDataType: 'Byggesag', contentDataName: 'Byggeart', contentDataValue: 'Carport' },
          { contentDataName: 'Areal', contentDataValue: '36 m2' },
        ],
      },
      forwardData: {
        messageUUID: 'c4d5e6f7-a8b9-4c0d-8e1f-2a3b4c5d6e7f',
        originalMessageDateTime: '2025-05-20T09:15:00.123Z',
        originalSender: 'Eksempel Forsyning A/S',
        originalContentResponsible: 'Kundeservice',
        ...(is12 ? { originalRepresentative: 'Eksempel Forsyning A/S' } : {}),
        contactPointID: '5f0c2a9e-7d41-4b8a-9c3e-1a2b3c4d5e6f',
        comment: 'Videresendt til rette myndighed',
      },
      replyData: [
        {
          messageID: 'BORGER-HENV-777',
          messageUUID: 'c4d5e6f7-a8b9-4c0d-8e1f-2a3b4c5d6e7f',
          replyUUID: 'D1E2F3A4-B5C6-4D7E-8F90-A1B2C3D4E5F6',
          senderID: '0101901234',
          recipientID: '12345678',
          caseID: 'BYG-2025-000123',
          contactPointID: '5f0c2a9e-7d41-4b8a-9c3e-1a2b3c4d5e6f',
          generatingSystemID: 'BYGSAG-01',
          comment: 'Svar på borgerens henvendelse af 20. maj 2025',
          additionalReplyData: [
            { label: 'Intern reference', value: 'J.nr. 02.34.02-P19-123-25' },
            { label: 'Sagsbehandler', value: 'KS' },
          ],
        },
        { messageUUID: 'e5f6a7b8-c9d0-4e1f-a2b3-c4d5e6f7a8b9' },
      ],
    },
    messageBody: {
      createdDateTime: '2025-06-01T08:30:00Z',
      mainDocument: {
        mainDocumentID: 'DOC-1',
        label: 'Afgørelse',
        files: [
          {
            encodingFormat: 'application/pdf',
            filename: 'Afgørelse byggetilladelse.pdf',
            language: 'da',
            content: pdf('afgørelse'),
          },
          {
            encodingFormat: 'text/html',
            filename: 'afgoerelse.html',
            language: 'da',
            content: Buffer.from('<p>Afgørelse</p>'),
          },
        ],
        actions: [
          {
            label: 'Se din byggesag',
            actionCode: 'SELVBETJENING',
            endDateTime: '2025-12-31T22:59:59Z',
            entryPoint: {
              url: 'https://selvbetjening.eksempel-kommune.dk/byggesag?id=BYG-2025-000123&src=dp',
            },
          },
          {
            label: 'Tilsynsbesøg',
            actionCode: 'AFTALE',
            reservation: {
              description: 'Tilsyn med carport',
              reservationUUID: '0e9d8c7b-6a5f-4e3d-b2c1-a0f9e8d7c6b5',
              abstract: 'Tilsynsbesøg',
              location: 'Eksempelvej 12, 8000 Aarhus C',
              startDateTime: '2025-06-16T07:00:00Z',
              endDateTime: '2025-06-16T08:00:00Z',
              organizerMail: 'byg@eksempel-kommune.dk',
              organizerName: 'Karin Sagsbehandler',
            },
          },
          { label: 'Læs mere', actionCode: 'INFORMATION', startDateTime: '2025-06-01T00:00:00Z' },
        ],
      },
      additionalDocuments: [
        {
          additionalDocumentID: 'DOC-2',
          label: 'Tegninger',
          files: [
            {
              encodingFormat: 'application/pdf',
              filename: 'Situationsplan.pdf',
              language: 'da',
              content: pdf('plan'),
            },
          ],
        },
        {
          label: 'Klagevejledning',
          files: [
            {
              encodingFormat: 'text/plain',
              filename: 'Klagevejledning.txt',
              language: 'en',
              content: new Uint8Array(0),
            },
          ],
          actions: [
            {
              label: 'Læs om klagemuligheder',
              actionCode: 'INFORMATION',
              entryPoint: { url: 'https://www.eksempel-kommune.dk/klage' },
            },
          ],
        },
      ],
      technicalDocuments: [
        {
          technicalDocumentID: 'TECH-1',
          label: 'Strukturerede sagsdata',
          files: [
            {
              encodingFormat: 'text/xml',
              filename: 'sagsdata.xml',
              language: 'da',
              content: Buffer.from('<sag/>'),
            },
          ],
        },
      ],
    },
  };
}

/** The smallest valid Digital Post letter. */
export function minimalMemo(version: MemoVersion): Memo {
  return {
    version,
    messageHeader: {
      messageType: 'DIGITALPOST',
      messageUUID: '3f2b8c1e-9d4a-4e7b-a1c5-6d8e2f4b7a90',
      label: 'Afgørelse om boligstøtte',
      sender: { senderID: '12345678', idType: 'CVR', label: 'Eksempel Kommune' },
      recipient: { recipientID: '0101901234', idType: 'CPR' },
    },
    messageBody: {
      createdDateTime: '2025-06-01T08:30:00Z',
      mainDocument: {
        files: [
          {
            encodingFormat: 'application/pdf',
            filename: 'afgoerelse.pdf',
            language: 'da',
            content: pdf('x'),
          },
        ],
      },
    },
  };
}
