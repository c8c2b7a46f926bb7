/**
 * The change-event feed: a single-writer broadcast ring (Agrona BroadcastTransmitter /
 * BroadcastReceiver pattern) in a SharedArrayBuffer, plus pattern subscriptions.
 *
 * @module
 */
export * from './types.js';
export * from './ring.js';
export * from './subscription.js';
