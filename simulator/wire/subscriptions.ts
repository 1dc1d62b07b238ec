/**
 * NgDP's `ContactSubscription` and `OrganisationSenderSystemSubscription` JSON from the simulator's
 * records, and the bodies of contact and organisation subscriptions' notifications (NgDP's is unknown, ngdp-api.md
 * §13 #15: docs/differences.md gives the simulator's).
 */
import type { ContactSubscriptionRecord, OrganisationSubscriptionRecord } from '../domain/subscriptions.ts';
import type { ContactNotification, OrganisationNotification } from '../engine/outbound.ts';

export function contactSubscriptionJson(subscription: ContactSubscriptionRecord) {
  return {
    id: subscription.id,
    senderSystemIdentityId: subscription.systemId,
    version: subscription.version,
    transactionId: subscription.transactionId,
    subscriptionOperations: subscription.operations,
    singleContactSubscriptions: subscription.contacts.map(({ id, version, contactId }) => ({
      id,
      version,
      contactId,
    })),
    notificationUrl: subscription.notificationUrl,
  };
}

export function organisationSubscriptionJson(subscription: OrganisationSubscriptionRecord) {
  return {
    id: subscription.id,
    senderSystemId: subscription.systemId,
    version: subscription.version,
    transactionId: subscription.transactionId,
    subscriptionOperations: subscription.operations,
    organisationSubscriptions: subscription.organisations.map(({ id, version, cvrNumber }) => ({
      id,
      version,
      cvrNumber,
    })),
    notificationUrl: subscription.notificationUrl,
  };
}

/** What the simulator posts to a contact subscription's `notificationUrl`; `apiUrl` is `…/apis/v1`. */
export function contactNotificationJson(notification: ContactNotification, apiUrl: string) {
  return {
    subscriptionId: notification.subscriptionId,
    contactId: notification.contactId,
    contactUrl: `${apiUrl}/contacts/${notification.contactId}`,
    change: notification.change,
    version: notification.version,
    timeStamp: new Date(notification.timeStamp).toISOString(),
  };
}

/** What the simulator posts to an organisation subscription's `notificationUrl`. */
export function organisationNotificationJson(notification: OrganisationNotification, apiUrl: string) {
  return {
    subscriptionId: notification.subscriptionId,
    organisationId: notification.organisationId,
    cvrNumber: notification.cvrNumber,
    organisationUrl: `${apiUrl}/organisations/${notification.organisationId}`,
    change: notification.change,
    version: notification.version,
    timeStamp: new Date(notification.timeStamp).toISOString(),
  };
}
