// The interfaces the core and the services need from the outside world. Each
// port lives in its own file under ports/; this module is their one entry.
export type * from './ports/automation-store.js';
export * from './ports/automation-store-errors.js';
export type * from './ports/batch-store.js';
export * from './ports/batch-store-errors.js';
export type * from './ports/event-publisher.js';
export * from './ports/event-publisher-errors.js';
export type * from './ports/job-store.js';
export * from './ports/job-store-errors.js';
export type * from './ports/object-storage.js';
export * from './ports/object-storage-errors.js';
export type * from './ports/task-queue.js';
export * from './ports/task-queue-errors.js';
